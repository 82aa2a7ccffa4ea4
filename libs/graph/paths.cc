#include "libs/graph/paths.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "libs/graph/multi_source_bfs.h"
#include "libs/graph/parallel.h"
#include "libs/graph/relabel.h"

namespace innoscope::graph {

absl::Status PathStatistics::RunImpl() {
  const NodeId n = graph_.NumNodes();
  // Sources are taken in batches of consecutive relabelled ids: nodes close
  // in the graph, whose searches share most of their frontiers.
  const Relabelled relabelled = Relabel(graph_, /*with_in=*/false);
  const int64_t batches = (n + MultiSourceBfs::kBatch - 1) / MultiSourceBfs::kBatch;
  const int threads = ResolveThreads(options_.num_threads, batches);
  std::vector<MultiSourceBfs::Totals> partial(static_cast<size_t>(threads));
  std::vector<MultiSourceBfs> searches;
  searches.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) searches.emplace_back(n);
  std::vector<int32_t> eccentricity(static_cast<size_t>(n), 0);  // by new id
  std::vector<NodeId> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), 0);
  absl::Status status = ParallelFor(batches, threads, interrupt(), [&](int t, int64_t batch) {
    const int64_t first = batch * MultiSourceBfs::kBatch;
    const int64_t size = std::min<int64_t>(MultiSourceBfs::kBatch, n - first);
    const MultiSourceBfs::Totals totals =
        searches[t].Run(relabelled.out, absl::MakeConstSpan(ids).subspan(first, size),
                        eccentricity.data() + first);  // one writer per source
    partial[t].distance_sum += totals.distance_sum;
    partial[t].reached += totals.reached;
  });
  if (!status.ok()) return status;
  eccentricity_.assign(static_cast<size_t>(n), 0);
  diameter_ = 0;
  for (NodeId v = 0; v < n; ++v) {
    eccentricity_[relabelled.old_of[v]] = eccentricity[v];
    diameter_ = std::max<int64_t>(diameter_, eccentricity[v]);
  }

  int64_t distance_sum = 0;
  reachable_pairs_ = 0;
  for (const MultiSourceBfs::Totals& p : partial) {
    distance_sum += p.distance_sum;
    reachable_pairs_ += p.reached;
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
