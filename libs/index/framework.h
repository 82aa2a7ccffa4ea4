#pragma once

// Framework: a versioned indicator tree (指标体系). The root is the composite
// index; leaves are indicators with observations; inner nodes are dimensions
// and sub-dimensions that scores are aggregated into.
//
// Levels follow COINr's convention: leaves are level 1 and the root has the
// highest level, so ASEM_iMeta.csv loads unchanged. The Chinese reports
// number the other way round (level-1 = top dimension); the CSV reader for
// that layout converts.
//
//   absl::StatusOr<Framework> f = Framework::Create(nodes);
//   for (int leaf : f->Leaves()) ...
//   std::vector<int> kids = f->Children(f->Root());

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace innoscope::index {

struct FrameworkNode {
  std::string code;
  std::string name;              // display name (Chinese in the Chinese reports)
  std::string name_en;           // optional English name
  std::string parent;            // empty for the root
  int level = 1;                 // 1 = indicator (leaf); root has the highest level
  int direction = 1;             // +1 more is better, -1 less is better (leaves)
  std::optional<double> weight;  // fixed weight relative to siblings
  std::string unit;
  std::string denominator;         // indicator code to divide by, or empty
  std::optional<double> goal_min;  // goalposts for normalisation
  std::optional<double> goal_max;
  std::optional<double> target;  // distance-to-target normalisation
  std::string measurement;       // free-text measurement rule
};

// An immutable, validated tree. Node ids are indices into Nodes().
class Framework {
 public:
  // Validates: exactly one root, unique codes, every parent exists, no cycles,
  // leaves are at level 1 and a parent's level is above its children's,
  // directions are +1 or -1, weights (when given) are finite and >= 0,
  // goalposts (when given) come as a finite pair with goal_min < goal_max.
  // Errors are INVALID_ARGUMENT naming the node code. O(N log N) for N nodes.
  static absl::StatusOr<Framework> Create(std::vector<FrameworkNode> nodes);

  const std::vector<FrameworkNode>& Nodes() const { return nodes_; }
  const FrameworkNode& Node(int id) const { return nodes_[id]; }
  int Root() const { return root_; }
  int Parent(int id) const { return parent_[id]; }  // -1 for the root
  const std::vector<int>& Children(int id) const { return children_[id]; }
  bool IsLeaf(int id) const { return children_[id].empty(); }
  // Leaves in input order.
  const std::vector<int>& Leaves() const { return leaves_; }
  // Inner nodes only (the root last), children before parents: ordered by
  // level, then by input order. Aggregating in this order sees every child
  // score before its parent's.
  const std::vector<int>& BottomUp() const { return bottom_up_; }
  // Node id for a code, or -1.
  int Find(const std::string& code) const;
  // Codes of the leaves, in Leaves() order.
  std::vector<std::string> LeafCodes() const;

 private:
  std::vector<FrameworkNode> nodes_;
  std::vector<int> parent_;
  std::vector<std::vector<int>> children_;
  std::vector<int> leaves_;
  std::vector<int> bottom_up_;
  std::unordered_map<std::string, int> by_code_;
  int root_ = -1;
};

}  // namespace innoscope::index
