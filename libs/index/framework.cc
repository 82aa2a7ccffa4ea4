#include "libs/index/framework.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace innoscope::index {
namespace {

absl::Status NodeError(const FrameworkNode& node, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("framework node '", node.code, "': ", what));
}

// Checks the fields of one node that need no other node.
absl::Status ValidateNodeFields(const FrameworkNode& node) {
  if (node.direction != 1 && node.direction != -1) {
    return NodeError(node, absl::StrCat("direction must be +1 or -1, got ", node.direction));
  }
  if (node.weight.has_value() && (!std::isfinite(*node.weight) || *node.weight < 0)) {
    return NodeError(node, absl::StrCat("weight must be finite and >= 0, got ", *node.weight));
  }
  if (node.goal_min.has_value() != node.goal_max.has_value()) {
    return NodeError(node, "goalposts need both goal_min and goal_max");
  }
  if (node.goal_min.has_value() &&
      !(std::isfinite(*node.goal_min) && std::isfinite(*node.goal_max) &&
        *node.goal_min < *node.goal_max)) {
    return NodeError(node, "goalposts must be finite with goal_min < goal_max");
  }
  if (node.target.has_value() && !std::isfinite(*node.target)) {
    return NodeError(node, "target must be finite");
  }
  return absl::OkStatus();
}

}  // namespace

// O(N log N) for N nodes: one hash insert per node, one breadth-first walk
// from the root (which also proves there is no cycle: with a single root and
// every parent present, a node the walk does not reach hangs off a cycle),
// and one sort for the bottom-up order.
absl::StatusOr<Framework> Framework::Create(std::vector<FrameworkNode> nodes) {
  if (nodes.empty()) {
    return absl::InvalidArgumentError("framework has no nodes");
  }
  Framework f;
  const int n = static_cast<int>(nodes.size());
  for (int id = 0; id < n; ++id) {
    const FrameworkNode& node = nodes[id];
    if (node.code.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("framework node #", id + 1, " has an empty code"));
    }
    if (!f.by_code_.emplace(node.code, id).second) {
      return NodeError(node, "duplicate node code");
    }
    if (absl::Status s = ValidateNodeFields(node); !s.ok()) return s;
  }

  f.parent_.assign(n, -1);
  f.children_.assign(n, {});
  for (int id = 0; id < n; ++id) {
    const FrameworkNode& node = nodes[id];
    if (node.parent.empty()) {
      if (f.root_ != -1) {
        return NodeError(node, absl::StrCat("second root (node '", nodes[f.root_].code,
                                            "' already has no parent)"));
      }
      f.root_ = id;
      continue;
    }
    auto it = f.by_code_.find(node.parent);
    if (it == f.by_code_.end()) {
      return NodeError(node, absl::StrCat("parent '", node.parent, "' not found"));
    }
    f.parent_[id] = it->second;
    f.children_[it->second].push_back(id);
  }
  if (f.root_ == -1) {
    return absl::InvalidArgumentError(
        "framework has no root (every node has a parent: the tree is a cycle)");
  }

  std::vector<bool> reached(n, false);
  std::vector<int> queue = {f.root_};
  reached[f.root_] = true;
  for (size_t head = 0; head < queue.size(); ++head) {
    for (int child : f.children_[queue[head]]) {
      reached[child] = true;
      queue.push_back(child);
    }
  }
  for (int id = 0; id < n; ++id) {
    if (!reached[id]) {
      return NodeError(nodes[id], "is on a cycle (not reachable from the root)");
    }
  }

  for (int id = 0; id < n; ++id) {
    const FrameworkNode& node = nodes[id];
    if (f.children_[id].empty()) {
      if (node.level != 1) {
        return NodeError(
            node, absl::StrCat("is a leaf but has level ", node.level, " (leaves are level 1)"));
      }
      f.leaves_.push_back(id);
    } else {
      f.bottom_up_.push_back(id);
    }
    if (f.parent_[id] != -1 && nodes[f.parent_[id]].level <= node.level) {
      return NodeError(node, absl::StrCat("level ", node.level, " is not below its parent's level ",
                                          nodes[f.parent_[id]].level));
    }
  }
  // Parents have strictly higher levels, so level order is a topological
  // order; stable sort keeps input order within a level.
  std::stable_sort(f.bottom_up_.begin(), f.bottom_up_.end(),
                   [&nodes](int a, int b) { return nodes[a].level < nodes[b].level; });
  f.nodes_ = std::move(nodes);
  return f;
}

int Framework::Find(const std::string& code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? -1 : it->second;
}

std::vector<std::string> Framework::LeafCodes() const {
  std::vector<std::string> codes;
  codes.reserve(leaves_.size());
  for (int id : leaves_) codes.push_back(nodes_[id].code);
  return codes;
}

}  // namespace innoscope::index
