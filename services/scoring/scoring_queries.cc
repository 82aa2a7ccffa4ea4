// Reading stored runs: the run and the list of runs, rankings within a
// universe, region profiles, comparisons with the previous period and the
// export of every row. Runs never change, so what these read is cached.

#include "services/scoring/scoring_service.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/profile.h"
#include "libs/scoring/ranking.h"
#include "libs/server/paging.h"
#include "services/scoring/run_comparison.h"
#include "services/scoring/run_results.h"
#include "services/scoring/run_spec.h"
#include "services/scoring/scoring_support.h"

namespace innoscope::scoring {
namespace {

constexpr size_t kNodeRowsCacheRows = 1'000'000;  // GetRanking's rows, about 100 MB
constexpr int kDefaultMovers = 5;
constexpr int kDefaultStrengthThreshold = 5;

// The node `code` of a run (default: its composite); INVALID_ARGUMENT when
// the run has no such node.
absl::StatusOr<int> NodeOf(const v1::Run& run, const std::string& code, const std::string& field) {
  const auto& nodes = run.summary().nodes();
  for (int i = 0; i < nodes.size(); ++i) {
    if (code.empty() ? nodes[i].parent_code().empty() : nodes[i].code() == code) return i;
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": \"", code, "\" is not a node of run ",
                                                 run.id(), " (", FrameworkName(run.spec()), ")"));
}

bool IsLeaf(const v1::Run& run, const std::string& code) {
  for (const v1::NodeInfo& n : run.summary().nodes()) {
    if (n.parent_code() == code) return false;
  }
  return true;
}

v1::NodeScore ToNodeScore(const NodeProfile& p, const v1::NodeInfo& info) {
  v1::NodeScore out;
  out.set_node_code(info.code());
  out.set_name(info.name());
  out.set_level(info.level());
  if (!std::isnan(p.score)) out.set_score(p.score);
  if (p.rank != kUnranked) out.set_rank(p.rank);
  if (!std::isnan(p.universe_mean)) out.set_universe_mean(p.universe_mean);
  if (!std::isnan(p.universe_median)) out.set_universe_median(p.universe_median);
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const v1::Run>> ScoringService::PreviousPeriodRun(
    const v1::Run& current) {
  const int period = current.spec().period() - 1;
  if (current.series().empty()) {
    return absl::NotFoundError(absl::StrCat(
        "previous_run_id: run ", current.id(),
        " was stored before runs had a series, so its previous period's run cannot be found; "
        "pass previous_run_id"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> id, store_.FindSeriesRun(current.series(), period));
  if (!id) {
    return absl::NotFoundError(absl::StrCat(
        "previous_run_id: no run of the same spec as ", current.id(), " for ", period,
        "; compute it first (ComputeScores with the same spec and period ", period, ", or periods ",
        period, "-", current.spec().period(), ") or pass previous_run_id"));
  }
  return LoadRun(*id, "previous_run_id");
}

absl::StatusOr<v1::GetRunResponse> ScoringService::GetRun(const v1::GetRunRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.id(), "id"));
  v1::GetRunResponse response;
  *response.mutable_run() = *run;
  return response;
}

absl::StatusOr<v1::ListRunsResponse> ScoringService::ListRuns(const v1::ListRunsRequest& request) {
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
  int64_t total = 0;
  ASSIGN_OR_RETURN(std::vector<v1::Run> runs,
                   store_.ListRuns(request.framework_code(), request.period(), window.offset,
                                   window.limit, &total));
  v1::ListRunsResponse response;
  for (v1::Run& run : runs) *response.add_runs() = std::move(run);
  *response.mutable_page() = server::PageResult(window, response.runs_size(), total);
  return response;
}

absl::StatusOr<v1::GetRankingResponse> ScoringService::GetRanking(
    const v1::GetRankingRequest& request, absl::Time deadline) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.run_id(), "run_id"));
  ASSIGN_OR_RETURN(int node, NodeOf(*run, request.node_code(), "node_code"));
  const std::string& node_code = run->summary().nodes(node).code();
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
  if (request.top_n() < 0) return absl::InvalidArgumentError("top_n: must be >= 0");
  // A run's rows never change, so they are cached like the run (bounded
  // by rows, about 100 bytes each); a ranking then needs no database call.
  const std::string rows_key = absl::StrCat(run->id(), "/", node_code, "/", request.clusters());
  std::shared_ptr<const std::vector<RunResultRow>> cached_rows;
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = node_rows_cache_.find(rows_key);
    if (it != node_rows_cache_.end()) cached_rows = it->second;
  }
  if (cached_rows == nullptr) {
    ASSIGN_OR_RETURN(std::vector<RunResultRow> loaded,
                     store_.NodeResults(run->id(), node_code, request.clusters()));
    cached_rows = std::make_shared<const std::vector<RunResultRow>>(std::move(loaded));
    absl::MutexLock lock(&cache_mu_);
    if (node_rows_cached_ + cached_rows->size() > kNodeRowsCacheRows) {
      node_rows_cache_.clear();  // immutable rows: any eviction policy is correct
      node_rows_cached_ = 0;
    }
    if (node_rows_cache_.emplace(rows_key, cached_rows).second) {
      node_rows_cached_ += cached_rows->size();
    }
  }
  const std::vector<RunResultRow>& rows = *cached_rows;

  // Members of the requested universe, as indices into rows (sorted by code).
  absl::flat_hash_map<std::string, int> row_of;
  for (size_t i = 0; i < rows.size(); ++i) row_of[rows[i].region] = static_cast<int>(i);
  std::vector<int> members;
  const v1::Universe& universe = request.universe();
  if (universe.selection_case() == v1::Universe::SELECTION_NOT_SET) {
    for (size_t i = 0; i < rows.size(); ++i) members.push_back(static_cast<int>(i));
  } else {
    if (request.clusters() && universe.selection_case() != v1::Universe::kRegions) {
      return absl::InvalidArgumentError(
          "universe: clusters are ranked within an explicit list of cluster codes only");
    }
    ASSIGN_OR_RETURN(std::vector<std::string> codes,
                     ResolveUniverse(universe, run->spec().period(), "universe", deadline));
    std::vector<std::string> absent;
    for (const std::string& code : codes) {
      auto it = row_of.find(code);
      if (it == row_of.end()) {
        absent.push_back(code);
      } else {
        members.push_back(it->second);
      }
    }
    if (universe.selection_case() == v1::Universe::kRegions && !absent.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("universe.regions: not in run ", run->id(), ": ", ListCodes(absent)));
    }
    if (members.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("universe: none of its regions is in run ", run->id()));
    }
  }
  std::vector<double> scores;
  scores.reserve(rows.size());
  for (const RunResultRow& row : rows) scores.push_back(row.score);
  ASSIGN_OR_RETURN(
      std::vector<int> ranks,
      CompetitionRanksWithin(scores, members, ToRankOptions(run->spec().presentation())));

  std::vector<int> ranked;
  int unranked = 0;
  for (int m : members) {
    if (ranks[m] == kUnranked) {
      ++unranked;
    } else if (request.top_n() == 0 || ranks[m] <= request.top_n()) {
      ranked.push_back(m);
    }
  }
  std::sort(ranked.begin(), ranked.end(), [&](int a, int b) {
    return ranks[a] != ranks[b] ? ranks[a] < ranks[b] : rows[a].region < rows[b].region;
  });
  v1::GetRankingResponse response;
  response.set_run_id(run->id());
  response.set_node_code(node_code);
  response.set_universe_size(static_cast<int>(members.size()) - unranked);
  response.set_unranked(unranked);
  const int64_t total = static_cast<int64_t>(ranked.size());
  for (int64_t i = window.offset; i < total && i < window.offset + window.limit; ++i) {
    const RunResultRow& row = rows[ranked[i]];
    v1::RankingEntry* entry = response.add_entries();
    entry->set_rank(ranks[ranked[i]]);
    entry->set_region_code(row.region);
    entry->set_score(row.score);
    if (row.rank != kUnranked) entry->set_run_rank(row.rank);
    if (row.tier > 0) entry->set_tier(row.tier);
  }
  *response.mutable_page() = server::PageResult(window, response.entries_size(), total);
  return response;
}

absl::StatusOr<v1::GetRegionProfileResponse> ScoringService::GetRegionProfile(
    const v1::GetRegionProfileRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.run_id(), "run_id"));
  if (request.region_code().empty()) return absl::InvalidArgumentError("region_code: required");
  ASSIGN_OR_RETURN(AggregationTree tree, TreeFromNodes(run->summary().nodes()));
  ASSIGN_OR_RETURN(std::vector<RunResultRow> rows, store_.Scores(run->id(), request.cluster()));

  // Regions x nodes, as the run scored them.
  std::vector<std::string> regions;
  for (const RunResultRow& row : rows) regions.push_back(row.region);
  std::sort(regions.begin(), regions.end());
  regions.erase(std::unique(regions.begin(), regions.end()), regions.end());
  std::vector<std::string> node_codes;
  for (const v1::NodeInfo& n : run->summary().nodes()) node_codes.push_back(n.code());
  index::DataMatrix scores(regions, node_codes);
  absl::flat_hash_map<std::string, size_t> region_row;
  for (size_t r = 0; r < regions.size(); ++r) region_row[regions[r]] = r;
  for (const RunResultRow& row : rows) {
    scores.Set(region_row[row.region], row.node_position, row.score);
  }
  auto it = region_row.find(request.region_code());
  if (it == region_row.end()) {
    return absl::NotFoundError(absl::StrCat(request.cluster() ? "cluster " : "region ",
                                            request.region_code(), " is not in run ", run->id()));
  }

  const int top = tree.MaxLevel();
  ProfileOptions options;
  options.rank_options = ToRankOptions(run->spec().presentation());
  if (request.strength_threshold() < 0) {
    return absl::InvalidArgumentError("strength_threshold: must be >= 0");
  }
  options.strength_threshold =
      request.has_strength_threshold() ? request.strength_threshold() : kDefaultStrengthThreshold;
  if (request.strength_level() < 0 || request.strength_level() >= top) {
    return absl::InvalidArgumentError(
        absl::StrCat("strength_level: must be 0 (every node) or 1-", top - 1));
  }
  options.level = request.strength_level();
  const int radar_level = request.radar_level() == 0 ? top - 1 : request.radar_level();
  if (radar_level < 1 || radar_level >= top) {
    return absl::InvalidArgumentError(absl::StrCat("radar_level: must be 1-", top - 1));
  }
  ASSIGN_OR_RETURN(RegionProfile profile,
                   BuildProfile(tree, scores, static_cast<int>(it->second), options));

  v1::GetRegionProfileResponse response;
  response.set_run_id(run->id());
  response.set_region_code(request.region_code());
  if (profile.composite_rank != kUnranked) response.set_composite_rank(profile.composite_rank);
  response.set_universe_size(static_cast<int>(regions.size()));
  for (const NodeProfile& p : profile.nodes) {
    *response.add_nodes() = ToNodeScore(p, run->summary().nodes(p.node));
  }
  for (const NodeProfile& p : RadarSeries(profile, tree, radar_level)) {
    *response.add_radar() = ToNodeScore(p, run->summary().nodes(p.node));
  }
  for (int node : profile.strengths) response.add_strengths(tree.Code(node));
  for (int node : profile.weaknesses) response.add_weaknesses(tree.Code(node));
  return response;
}

absl::StatusOr<v1::CompareRunsResponse> ScoringService::CompareRuns(
    const v1::CompareRunsRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> current, LoadRun(request.run_id(), "run_id"));
  std::shared_ptr<const v1::Run> previous;
  if (request.previous_run_id().empty()) {
    ASSIGN_OR_RETURN(previous, PreviousPeriodRun(*current));
  } else {
    ASSIGN_OR_RETURN(previous, LoadRun(request.previous_run_id(), "previous_run_id"));
  }
  ASSIGN_OR_RETURN(int node, NodeOf(*current, request.node_code(), "node_code"));
  const std::string node_code = current->summary().nodes(node).code();
  RETURN_IF_ERROR(NodeOf(*previous, node_code, "node_code").status());
  if (request.top_n() < 0) return absl::InvalidArgumentError("top_n: must be >= 0");
  const size_t movers = request.top_n() == 0 ? kDefaultMovers : request.top_n();

  ASSIGN_OR_RETURN(std::vector<RunResultRow> now,
                   store_.NodeResults(current->id(), node_code, request.clusters()));
  ASSIGN_OR_RETURN(std::vector<RunResultRow> before,
                   store_.NodeResults(previous->id(), node_code, request.clusters()));
  ASSIGN_OR_RETURN(v1::CompareRunsResponse response,
                   CompareNodeRows(before, previous->spec().period(), now, current->spec().period(),
                                   IsLeaf(*current, node_code), movers));
  response.set_run_id(current->id());
  response.set_previous_run_id(previous->id());
  response.set_node_code(node_code);
  return response;
}

absl::Status ScoringService::ExportRun(
    const v1::ExportRunRequest& request,
    const std::function<bool(const v1::ExportRunResponse&)>& on_message) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.run_id(), "run_id"));
  return store_.ExportResults(run->id(), [&](std::vector<RunResultRow>& rows) {
    v1::ExportRunResponse message;
    for (const RunResultRow& row : rows) *message.add_rows() = ToResultRow(row);
    return on_message(message);
  });
}

}  // namespace innoscope::scoring
