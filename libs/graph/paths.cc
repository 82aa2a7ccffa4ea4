#include "libs/graph/paths.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/graph/bfs.h"
#include "libs/graph/parallel.h"

namespace innoscope::graph {

absl::Status PathStatistics::RunImpl() {
  const NodeId n = graph_.NumNodes();
  const int threads = ResolveThreads(options_.num_threads, n);
  struct Partial {
    int64_t distance_sum = 0;
    int64_t pairs = 0;
    int64_t diameter = 0;
  };
  std::vector<Partial> partial(static_cast<size_t>(threads));
  eccentricity_.assign(static_cast<size_t>(n), 0);
  auto visit = [&](int thread, NodeId source, const BfsWorkspace& bfs) {
    Partial& p = partial[thread];
    absl::Span<const NodeId> order = bfs.Order();
    for (size_t i = 1; i < order.size(); ++i) {
      p.distance_sum += bfs.Distance(order[i]);
    }
    p.pairs += static_cast<int64_t>(order.size()) - 1;
    // BFS order is by non-decreasing distance: the last node is farthest.
    const int32_t ecc = bfs.Distance(order.back());
    eccentricity_[source] = ecc;  // one writer per source
    p.diameter = std::max<int64_t>(p.diameter, ecc);
  };
  absl::Status status = ForEachSourceBfs(graph_, Direction::kOut, threads, interrupt(), visit);
  if (!status.ok()) return status;

  int64_t distance_sum = 0;
  reachable_pairs_ = 0;
  diameter_ = 0;
  for (const Partial& p : partial) {
    distance_sum += p.distance_sum;
    reachable_pairs_ += p.pairs;
    diameter_ = std::max(diameter_, p.diameter);
  }
  unreachable_pairs_ = static_cast<int64_t>(n) * (n - 1) - reachable_pairs_;
  radius_ = n == 0 ? 0 : *std::min_element(eccentricity_.begin(), eccentricity_.end());
  average_path_length_ =
      reachable_pairs_ == 0 ? 0.0 : static_cast<double>(distance_sum) / reachable_pairs_;
  if (options_.convention == Convention::kNetworkx && unreachable_pairs_ > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "graph is not ", graph_.directed() ? "strongly " : "", "connected: ", unreachable_pairs_,
        " ordered pairs are unreachable, so networkx's average path length and "
        "diameter are undefined; use the gephi or igraph convention to skip "
        "them"));
  }
  return absl::OkStatus();
}

}  // namespace innoscope::graph
