#include "services/scoring/run_comparison.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/changes.h"

namespace innoscope::scoring {
namespace {

v1::RegionChange ToRegionChange(const RankChange& c, const std::vector<std::string>& codes) {
  v1::RegionChange out;
  out.set_region_code(codes[c.region]);
  if (!std::isnan(c.previous_score)) out.set_previous_score(c.previous_score);
  if (!std::isnan(c.current_score)) out.set_current_score(c.current_score);
  if (!std::isnan(c.score_change)) out.set_score_change(c.score_change);
  if (c.previous_rank != kUnranked) out.set_previous_rank(c.previous_rank);
  if (c.current_rank != kUnranked) out.set_current_rank(c.current_rank);
  if (c.comparable) out.set_rank_change(c.rank_change);
  return out;
}

}  // namespace

absl::StatusOr<v1::CompareRunsResponse> CompareNodeRows(const std::vector<RunResultRow>& previous,
                                                        int previous_period,
                                                        const std::vector<RunResultRow>& current,
                                                        int current_period, bool leaf,
                                                        size_t movers) {
  // Both runs on one list of regions (each run keeps its own ranks).
  std::vector<std::string> codes;
  for (const auto* rows : {&current, &previous}) {
    for (const RunResultRow& row : *rows) codes.push_back(row.region);
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  absl::flat_hash_map<std::string, size_t> index_of;
  for (size_t i = 0; i < codes.size(); ++i) index_of[codes[i]] = i;
  struct Spread {
    std::vector<int> ranks;
    std::vector<double> scores, raw;
  };
  auto spread = [&](const std::vector<RunResultRow>& rows) {
    Spread out;
    out.ranks.assign(codes.size(), kUnranked);
    out.scores.assign(codes.size(), index::kMissing);
    out.raw.assign(codes.size(), index::kMissing);
    for (const RunResultRow& row : rows) {
      const size_t i = index_of[row.region];
      out.ranks[i] = row.rank;
      out.scores[i] = row.score;
      out.raw[i] = row.raw;
    }
    return out;
  };
  const Spread before = spread(previous);
  const Spread now = spread(current);
  ASSIGN_OR_RETURN(std::vector<RankChange> changes, CompareRanks(before.ranks, now.ranks));
  for (RankChange& c : changes) {
    c.previous_score = before.scores[c.region];
    c.current_score = now.scores[c.region];
    c.score_change = c.current_score - c.previous_score;
  }

  std::vector<double> growth, cagr, shares;
  if (leaf) {
    ASSIGN_OR_RETURN(growth, GrowthRates(before.raw, now.raw));
    if (previous_period != current_period) {
      ASSIGN_OR_RETURN(cagr,
                       GrowthBetweenPeriods(before.raw, now.raw, previous_period, current_period));
    }
    // Shares need non-negative values with a positive total; else none.
    absl::StatusOr<std::vector<double>> s = SharesOfTotal(now.raw);
    if (s.ok()) shares = *std::move(s);
  }
  v1::CompareRunsResponse response;
  response.set_period(current_period);
  response.set_previous_period(previous_period);
  auto set_if = [](const std::vector<double>& values, size_t i, auto setter) {
    if (!values.empty() && std::isfinite(values[i])) setter(values[i]);
  };
  for (const RankChange& c : changes) {
    v1::RegionChange* out = response.add_changes();
    *out = ToRegionChange(c, codes);
    set_if(growth, c.region, [out](double v) { out->set_raw_growth(v); });
    set_if(cagr, c.region, [out](double v) { out->set_raw_cagr(v); });
    set_if(shares, c.region, [out](double v) { out->set_raw_share(v); });
  }
  for (const RankChange& c : LargestRisers(changes, movers)) {
    *response.add_risers() = response.changes(c.region);
  }
  for (const RankChange& c : LargestFallers(changes, movers)) {
    *response.add_fallers() = response.changes(c.region);
  }
  return response;
}

}  // namespace innoscope::scoring
