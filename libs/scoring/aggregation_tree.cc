#include "libs/scoring/aggregation_tree.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace innoscope::scoring {

absl::StatusOr<AggregationTree> AggregationTree::Create(std::vector<AggregationNode> nodes) {
  const int n = static_cast<int>(nodes.size());
  if (n == 0) return absl::InvalidArgumentError("aggregation tree is empty");

  AggregationTree tree;
  tree.parent_.assign(n, -1);
  absl::flat_hash_set<std::string> codes;
  for (int id = 0; id < n; ++id) {
    const AggregationNode& node = nodes[id];
    if (node.code.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("aggregation tree node ", id, " has an empty code"));
    }
    if (!codes.insert(node.code).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate node code '", node.code, "'"));
    }
    if (!std::isfinite(node.weight) || node.weight < 0) {
      return absl::InvalidArgumentError(absl::StrCat("node '", node.code, "' has weight ",
                                                     node.weight, " (must be finite and >= 0)"));
    }
    if (node.level < 0) {
      return absl::InvalidArgumentError(absl::StrCat("node '", node.code, "' has negative level"));
    }
    for (int child : node.children) {
      if (child < 0 || child >= n || child == id) {
        return absl::InvalidArgumentError(
            absl::StrCat("node '", node.code, "' has invalid child id ", child));
      }
      if (tree.parent_[child] != -1) {
        return absl::InvalidArgumentError(
            absl::StrCat("node '", nodes[child].code, "' has two parents ('",
                         nodes[tree.parent_[child]].code, "' and '", node.code, "')"));
      }
      tree.parent_[child] = id;
    }
  }
  for (int id = 0; id < n; ++id) {
    if (tree.parent_[id] != -1) continue;
    if (tree.root_ != -1) {
      return absl::InvalidArgumentError(
          absl::StrCat("two roots: '", nodes[tree.root_].code, "' and '", nodes[id].code, "'"));
    }
    tree.root_ = id;
  }
  // With one parent per node, a node unreachable from the root sits on a
  // cycle; with no root at all, every node does.
  if (tree.root_ == -1) {
    return absl::InvalidArgumentError("aggregation tree has a cycle (no root)");
  }

  // Iterative post-order from the root: children before parents.
  std::vector<int> post_order;
  post_order.reserve(n);
  std::vector<std::pair<int, size_t>> stack = {{tree.root_, 0}};
  while (!stack.empty()) {
    const int id = stack.back().first;
    const size_t next_child = stack.back().second++;
    if (next_child < nodes[id].children.size()) {
      stack.emplace_back(nodes[id].children[next_child], 0);
    } else {
      post_order.push_back(id);
      stack.pop_back();
    }
  }
  if (static_cast<int>(post_order.size()) != n) {
    std::vector<bool> reached(n, false);
    for (int id : post_order) reached[id] = true;
    const int lost =
        static_cast<int>(std::find(reached.begin(), reached.end(), false) - reached.begin());
    return absl::InvalidArgumentError(absl::StrCat("node '", nodes[lost].code,
                                                   "' is on a cycle (unreachable from root '",
                                                   nodes[tree.root_].code, "')"));
  }

  for (int id : post_order) {
    AggregationNode& node = nodes[id];
    if (node.children.empty()) {
      if (node.level == 0) node.level = 1;
      if (node.level != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("leaf '", node.code, "' has level ", node.level, " (must be 1)"));
      }
      tree.leaves_.push_back(id);
      continue;
    }
    int max_child_level = 0;
    double weight_sum = 0;
    for (int child : node.children) {
      max_child_level = std::max(max_child_level, nodes[child].level);
      weight_sum += nodes[child].weight;
    }
    if (node.level == 0) node.level = max_child_level + 1;
    if (node.level <= max_child_level) {
      return absl::InvalidArgumentError(absl::StrCat("node '", node.code, "' has level ",
                                                     node.level, ", not above its child level ",
                                                     max_child_level));
    }
    if (!(weight_sum > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("children of node '", node.code, "' have zero total weight"));
    }
    tree.bottom_up_.push_back(id);
  }
  std::sort(tree.leaves_.begin(), tree.leaves_.end());

  tree.local_weight_.assign(n, 1.0);
  tree.global_weight_.assign(n, 1.0);
  // Reverse post-order visits parents before children.
  for (auto it = post_order.rbegin(); it != post_order.rend(); ++it) {
    const AggregationNode& node = nodes[*it];
    double weight_sum = 0;
    for (int child : node.children) weight_sum += nodes[child].weight;
    for (int child : node.children) {
      tree.local_weight_[child] = nodes[child].weight / weight_sum;
      tree.global_weight_[child] = tree.global_weight_[*it] * tree.local_weight_[child];
    }
  }
  tree.nodes_ = std::move(nodes);
  return tree;
}

absl::StatusOr<AggregationTree> AggregationTree::WithWeights(
    absl::Span<const double> weights) const {
  if (weights.size() != nodes_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", nodes_.size(), " weights, got ", weights.size()));
  }
  std::vector<AggregationNode> nodes = nodes_;
  for (size_t id = 0; id < nodes.size(); ++id) nodes[id].weight = weights[id];
  return Create(std::move(nodes));
}

std::vector<int> AggregationTree::NodesAtLevel(int level) const {
  std::vector<int> ids;
  for (int id = 0; id < static_cast<int>(nodes_.size()); ++id) {
    if (nodes_[id].level == level) ids.push_back(id);
  }
  return ids;
}

int AggregationTree::Find(const std::string& code) const {
  for (int id = 0; id < static_cast<int>(nodes_.size()); ++id) {
    if (nodes_[id].code == code) return id;
  }
  return -1;
}

}  // namespace innoscope::scoring
