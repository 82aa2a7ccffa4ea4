#include "libs/graph/components.h"

#include <algorithm>

#include "libs/common/status_macros.h"

namespace innoscope::graph {
namespace {

// How often (in outer-loop iterations) linear-time algorithms poll the
// interrupt.
constexpr int32_t kPollInterval = 4096;

}  // namespace

int32_t ConnectedComponents::Largest() const {
  AssertHasRun();
  if (sizes_.empty()) return -1;
  return static_cast<int32_t>(std::max_element(sizes_.begin(), sizes_.end()) - sizes_.begin());
}

double ConnectedComponents::GiantComponentShare() const {
  const int32_t largest = Largest();
  return largest < 0 ? 0.0 : static_cast<double>(sizes_[largest]) / graph_.NumNodes();
}

absl::Status ConnectedComponents::RunImpl() {
  if (kind_ == ComponentKind::kStrong && graph_.directed()) return RunStrong();
  return RunWeak();
}

absl::Status ConnectedComponents::RunWeak() {
  const NodeId n = graph_.NumNodes();
  component_.assign(static_cast<size_t>(n), -1);
  std::vector<NodeId> stack;
  int32_t count = 0;
  for (NodeId root = 0; root < n; ++root) {
    if (root % kPollInterval == 0) {
      RETURN_IF_ERROR(interrupt().Check());
    }
    if (component_[root] >= 0) continue;
    component_[root] = count;
    stack.push_back(root);
    while (!stack.empty()) {
      const NodeId u = stack.back();
      stack.pop_back();
      auto visit = [&](NodeId v) {
        if (component_[v] < 0) {
          component_[v] = count;
          stack.push_back(v);
        }
      };
      for (NodeId v : graph_.OutNeighbors(u)) visit(v);
      if (graph_.directed()) {
        for (NodeId v : graph_.InNeighbors(u)) visit(v);
      }
    }
    ++count;
  }
  Normalize(count);
  return absl::OkStatus();
}

absl::Status ConnectedComponents::RunStrong() {
  // Iterative Tarjan: an explicit call stack of (node, next edge index).
  const NodeId n = graph_.NumNodes();
  std::vector<int32_t> index(static_cast<size_t>(n), -1);
  std::vector<int32_t> lowlink(static_cast<size_t>(n), 0);
  std::vector<bool> on_stack(static_cast<size_t>(n), false);
  std::vector<NodeId> scc_stack;
  std::vector<std::pair<NodeId, size_t>> call_stack;
  component_.assign(static_cast<size_t>(n), -1);
  int32_t next_index = 0;
  int32_t count = 0;
  for (NodeId root = 0; root < n; ++root) {
    if (root % kPollInterval == 0) {
      RETURN_IF_ERROR(interrupt().Check());
    }
    if (index[root] >= 0) continue;
    call_stack.emplace_back(root, 0);
    index[root] = lowlink[root] = next_index++;
    scc_stack.push_back(root);
    on_stack[root] = true;
    while (!call_stack.empty()) {
      auto& [u, edge] = call_stack.back();
      absl::Span<const NodeId> out = graph_.OutNeighbors(u);
      if (edge < out.size()) {
        const NodeId v = out[edge++];
        if (index[v] < 0) {
          index[v] = lowlink[v] = next_index++;
          scc_stack.push_back(v);
          on_stack[v] = true;
          call_stack.emplace_back(v, 0);  // invalidates u/edge references
        } else if (on_stack[v]) {
          lowlink[u] = std::min(lowlink[u], index[v]);
        }
        continue;
      }
      const NodeId done = u;
      call_stack.pop_back();
      if (!call_stack.empty()) {
        const NodeId parent = call_stack.back().first;
        lowlink[parent] = std::min(lowlink[parent], lowlink[done]);
      }
      if (lowlink[done] == index[done]) {
        NodeId w;
        do {
          w = scc_stack.back();
          scc_stack.pop_back();
          on_stack[w] = false;
          component_[w] = count;
        } while (w != done);
        ++count;
      }
    }
  }
  Normalize(count);
  return absl::OkStatus();
}

void ConnectedComponents::Normalize(int32_t count) {
  std::vector<int32_t> relabel(static_cast<size_t>(count), -1);
  int32_t next = 0;
  sizes_.assign(static_cast<size_t>(count), 0);
  for (int32_t& c : component_) {
    if (relabel[c] < 0) relabel[c] = next++;
    c = relabel[c];
    ++sizes_[c];
  }
}

}  // namespace innoscope::graph
