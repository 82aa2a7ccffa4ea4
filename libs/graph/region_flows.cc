#include "libs/graph/region_flows.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/graph/string_util.h"

namespace innoscope::graph {
namespace {

constexpr size_t kMaxRegions = 4096;

double Percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

}  // namespace

std::optional<int32_t> RegionFlows::RegionIndex(std::string_view label) const {
  auto it = std::lower_bound(regions.begin(), regions.end(), label,
                             [](const std::string& a, std::string_view b) { return a < b; });
  if (it == regions.end() || *it != label) return std::nullopt;
  return static_cast<int32_t>(it - regions.begin());
}

absl::StatusOr<RegionFlows> ComputeRegionFlows(absl::Span<const std::string> node_region,
                                               absl::Span<const Edge> edges,
                                               const RegionFlowOptions& options) {
  RegionFlows flows;
  for (const std::string& label : node_region) {
    if (!label.empty()) flows.regions.push_back(label);
  }
  std::sort(flows.regions.begin(), flows.regions.end());
  flows.regions.erase(std::unique(flows.regions.begin(), flows.regions.end()), flows.regions.end());
  if (flows.regions.size() > kMaxRegions) {
    return absl::InvalidArgumentError(absl::StrCat(
        flows.regions.size(), " regions exceed the dense-matrix limit of ", kMaxRegions));
  }
  // Region index of every node (-1: unlabeled).
  absl::flat_hash_map<absl::string_view, int32_t> index;
  for (size_t r = 0; r < flows.regions.size(); ++r) {
    index[flows.regions[r]] = static_cast<int32_t>(r);
  }
  std::vector<int32_t> region_of(node_region.size(), -1);
  for (size_t v = 0; v < node_region.size(); ++v) {
    if (!node_region[v].empty()) region_of[v] = index.at(node_region[v]);
  }

  const size_t r = flows.regions.size();
  flows.counts.assign(r * r, 0);
  flows.weights.assign(r * r, 0.0);
  int64_t intra_count = 0;
  double intra_weight = 0;
  for (size_t i = 0; i < edges.size(); ++i) {
    const Edge& e = edges[i];
    if (e.source < 0 || e.target < 0 || static_cast<size_t>(e.source) >= region_of.size() ||
        static_cast<size_t>(e.target) >= region_of.size()) {
      return absl::InvalidArgumentError(absl::StrCat("edge #", i, " (", e.source, " -> ", e.target,
                                                     ") names a node without a label entry"));
    }
    if (!std::isfinite(e.weight)) {
      return absl::InvalidArgumentError(absl::StrCat("edge #", i, " has a non-finite weight"));
    }
    const int32_t o = region_of[e.source], d = region_of[e.target];
    if (o < 0 || d < 0) {
      ++flows.skipped_edges;
      continue;
    }
    const size_t cell = static_cast<size_t>(o) * r + d;
    ++flows.counts[cell];
    flows.weights[cell] += e.weight;
    ++flows.total_count;
    flows.total_weight += e.weight;
    if (o == d) {
      ++intra_count;
      intra_weight += e.weight;
    }
  }
  const double total_count = static_cast<double>(flows.total_count);
  flows.intra_count_percent = Percent(static_cast<double>(intra_count), total_count);
  flows.inter_count_percent =
      Percent(static_cast<double>(flows.total_count - intra_count), total_count);
  flows.intra_weight_percent = Percent(intra_weight, flows.total_weight);
  flows.inter_weight_percent = Percent(flows.total_weight - intra_weight, flows.total_weight);

  std::vector<int64_t> out_count(r, 0), in_count(r, 0);
  std::vector<double> out_weight(r, 0.0), in_weight(r, 0.0);
  std::vector<RegionFlow> cells;
  for (size_t o = 0; o < r; ++o) {
    for (size_t d = 0; d < r; ++d) {
      const size_t cell = o * r + d;
      out_count[o] += flows.counts[cell];
      in_count[d] += flows.counts[cell];
      out_weight[o] += flows.weights[cell];
      in_weight[d] += flows.weights[cell];
      if (flows.counts[cell] > 0 && (o != d || options.include_intra_in_top)) {
        cells.push_back(RegionFlow{static_cast<int32_t>(o), static_cast<int32_t>(d),
                                   flows.counts[cell], flows.weights[cell]});
      }
    }
  }
  for (size_t i = 0; i < r; ++i) {
    flows.outgoing_count_percent.push_back(Percent(static_cast<double>(out_count[i]), total_count));
    flows.incoming_count_percent.push_back(Percent(static_cast<double>(in_count[i]), total_count));
    flows.outgoing_weight_percent.push_back(Percent(out_weight[i], flows.total_weight));
    flows.incoming_weight_percent.push_back(Percent(in_weight[i], flows.total_weight));
  }
  const size_t k = std::min(cells.size(), static_cast<size_t>(std::max(options.top_n, 0)));
  std::partial_sort(cells.begin(), cells.begin() + k, cells.end(),
                    [](const RegionFlow& a, const RegionFlow& b) {
                      if (a.weight != b.weight) return a.weight > b.weight;
                      if (a.count != b.count) return a.count > b.count;
                      if (a.origin != b.origin) return a.origin < b.origin;
                      return a.destination < b.destination;
                    });
  cells.resize(k);
  flows.top_flows = std::move(cells);
  return flows;
}

}  // namespace innoscope::graph
