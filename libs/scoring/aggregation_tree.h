#pragma once

// AggregationTree: the plain, validated shape that scores are aggregated
// through -- per node its children and its weight relative to its siblings.
// It is deliberately independent of index::Framework (the full indicator
// metadata) so that scoring can be used and tested on its own; see
// framework_adapter.h for the conversion.
//
//   // root "CI" = 0.6 * D1 + 0.4 * D2; D1 = mean(x1, x2); D2 = x3.
//   absl::StatusOr<AggregationTree> tree = AggregationTree::Create({
//       {"CI", {1, 2}, 1.0},
//       {"D1", {3, 4}, 0.6}, {"D2", {5}, 0.4},
//       {"x1", {}, 1.0}, {"x2", {}, 1.0}, {"x3", {}, 1.0}});
//   tree->GlobalWeight(3);  // 0.6 * 0.5 = 0.3
//
// Levels follow COINr and index::Framework: leaves are level 1 and a parent's
// level is above its children's. A node given level 0 gets 1 + the highest
// level of its children.
//
// Weights are relative: only ratios among siblings matter. The local weight
// of a node is its weight divided by the sum of its siblings' weights, and its
// global weight is the product of local weights on the path from the root
// (OECD/JRC Handbook 2008, section 6). This accepts both AHP-style local
// weights (summing to 1 per group) and tables that print global weights at
// every level (as the 2023 AI competitiveness index does).

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace innoscope::scoring {

struct AggregationNode {
  std::string code;
  std::vector<int> children;  // node ids (indices into the node vector)
  double weight = 1.0;        // relative to siblings; finite and >= 0
  int level = 0;              // 0: derived from the children
};

// An immutable, validated tree. Node ids are indices into Nodes(). Copyable;
// all queries are O(1) except where stated.
class AggregationTree {
 public:
  // Validates: at least one node; codes non-empty and unique; child ids in
  // range; every node except one root has exactly one parent; no cycles;
  // weights finite and >= 0, with a positive sum under every inner node;
  // leaves at level 1 and every parent above its children.
  // Errors are INVALID_ARGUMENT naming the node code. O(n).
  static absl::StatusOr<AggregationTree> Create(std::vector<AggregationNode> nodes);

  // The same tree with new sibling-relative weights (one per node), e.g. a
  // Monte Carlo replicate with perturbed weights. O(n).
  absl::StatusOr<AggregationTree> WithWeights(absl::Span<const double> weights) const;

  size_t size() const { return nodes_.size(); }
  const std::vector<AggregationNode>& Nodes() const { return nodes_; }
  const AggregationNode& Node(int id) const { return nodes_[id]; }
  const std::string& Code(int id) const { return nodes_[id].code; }
  int Root() const { return root_; }
  int Parent(int id) const { return parent_[id]; }  // -1 for the root
  const std::vector<int>& Children(int id) const { return nodes_[id].children; }
  bool IsLeaf(int id) const { return nodes_[id].children.empty(); }
  int Level(int id) const { return nodes_[id].level; }
  int MaxLevel() const { return nodes_[root_].level; }
  // Leaves in id order; inner nodes children-before-parents (root last).
  const std::vector<int>& Leaves() const { return leaves_; }
  const std::vector<int>& BottomUp() const { return bottom_up_; }
  // Weight divided by the sum of its siblings' weights (1 for the root).
  double LocalWeight(int id) const { return local_weight_[id]; }
  // Product of local weights from the root down to the node.
  double GlobalWeight(int id) const { return global_weight_[id]; }
  // Nodes at `level` in id order. O(n).
  std::vector<int> NodesAtLevel(int level) const;
  // Node id for a code, or -1. O(n).
  int Find(const std::string& code) const;

 private:
  AggregationTree() = default;

  std::vector<AggregationNode> nodes_;
  std::vector<int> parent_;
  std::vector<int> leaves_;
  std::vector<int> bottom_up_;
  std::vector<double> local_weight_;
  std::vector<double> global_weight_;
  int root_ = -1;
};

}  // namespace innoscope::scoring
