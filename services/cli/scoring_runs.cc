#include "services/cli/scoring_runs.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/cli/cli_support.h"

namespace innoscope::cli {
namespace {

namespace sv1 = ::innoscope::scoring::v1;
namespace iv1 = ::innoscope::ingest::v1;

constexpr int32_t kPageSize = 1000;  // the services' cap

std::string FrameworkText(const FrameworkArg& framework) {
  return framework.version == 0 ? framework.code
                                : absl::StrCat(framework.code, "@", framework.version);
}

}  // namespace

absl::StatusOr<sv1::Run> ResolveRun(sv1::ScoringService::Stub& stub, const FrameworkArg& framework,
                                    int32_t period, const std::string& run_id,
                                    absl::Duration timeout) {
  std::string id = run_id;
  if (id.empty()) {
    sv1::ListRunsRequest request;
    request.set_framework_code(framework.code);
    request.set_period(period);
    request.mutable_page()->set_page_size(kPageSize);
    while (id.empty()) {
      sv1::ListRunsResponse response;
      absl::Status status =
          CallUnary(stub, &sv1::ScoringService::Stub::ListRuns, request, &response, timeout);
      if (!status.ok()) return status;
      for (const sv1::Run& run : response.runs()) {  // newest first
        if (framework.version == 0 || run.spec().framework().version() == framework.version) {
          id = run.id();
          break;
        }
      }
      if (response.page().next_page_token().empty()) break;
      request.mutable_page()->set_page_token(response.page().next_page_token());
    }
    if (id.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "no scoring run of framework ", FrameworkText(framework), " for period ", period,
          "; compute one first (innoscope recompute --config FILE, or scoring ComputeScores), "
          "or name one with --run"));
    }
  }
  sv1::GetRunRequest request;
  request.set_id(id);
  sv1::GetRunResponse response;
  absl::Status status =
      CallUnary(stub, &sv1::ScoringService::Stub::GetRun, request, &response, timeout);
  if (!status.ok()) return status;
  const sv1::RunSpec& spec = response.run().spec();
  if (!run_id.empty() &&
      (spec.framework().code() != framework.code ||
       (framework.version != 0 && spec.framework().version() != framework.version) ||
       spec.period() != period)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--run ", run_id, " is a run of ", spec.framework().code(), "@", spec.framework().version(),
        " for period ", spec.period(), ", not of ", FrameworkText(framework), " for period ",
        period, "; pass the matching --framework and --period, or leave out --run"));
  }
  return std::move(*response.mutable_run());
}

absl::StatusOr<std::vector<sv1::RankingEntry>> FetchRanking(sv1::ScoringService::Stub& stub,
                                                            const std::string& run_id,
                                                            const std::string& node_code,
                                                            bool clusters, int32_t top_n,
                                                            absl::Duration timeout) {
  sv1::GetRankingRequest request;
  request.set_run_id(run_id);
  request.set_node_code(node_code);
  request.set_clusters(clusters);
  request.set_top_n(top_n);
  request.mutable_page()->set_page_size(kPageSize);
  std::vector<sv1::RankingEntry> entries;
  while (true) {
    sv1::GetRankingResponse response;
    absl::Status status =
        CallUnary(stub, &sv1::ScoringService::Stub::GetRanking, request, &response, timeout);
    if (!status.ok()) return status;
    for (sv1::RankingEntry& entry : *response.mutable_entries()) {
      entries.push_back(std::move(entry));
    }
    if (response.page().next_page_token().empty()) break;
    request.mutable_page()->set_page_token(response.page().next_page_token());
  }
  return entries;
}

absl::StatusOr<std::vector<sv1::ResultRow>> ExportRunRows(sv1::ScoringService::Stub& stub,
                                                          const std::string& run_id,
                                                          absl::Duration timeout) {
  sv1::ExportRunRequest request;
  request.set_run_id(run_id);
  std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(timeout);
  auto reader = stub.ExportRun(context.get(), request);
  std::vector<sv1::ResultRow> rows;
  sv1::ExportRunResponse message;
  while (reader->Read(&message)) {
    for (sv1::ResultRow& row : *message.mutable_rows()) rows.push_back(std::move(row));
  }
  absl::Status status = server::FromGrpcStatus(reader->Finish());
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<std::map<std::string, iv1::Region>> RegionsByCode(iv1::IngestService::Stub& stub,
                                                                 absl::Duration timeout) {
  iv1::ListRegionsRequest request;
  request.mutable_page()->set_page_size(kPageSize);
  std::map<std::string, iv1::Region> regions;
  while (true) {
    iv1::ListRegionsResponse response;
    absl::Status status =
        CallUnary(stub, &iv1::IngestService::Stub::ListRegions, request, &response, timeout);
    if (!status.ok()) return status;
    for (iv1::Region& region : *response.mutable_regions()) {
      std::string code = region.code();
      regions.emplace(std::move(code), std::move(region));
    }
    if (response.page().next_page_token().empty()) break;
    request.mutable_page()->set_page_token(response.page().next_page_token());
  }
  return regions;
}

std::string DisplayName(const std::map<std::string, iv1::Region>& regions,
                        const std::string& code) {
  auto it = regions.find(code);
  if (it == regions.end()) return "";
  return it->second.name_en().empty() ? it->second.name() : it->second.name_en();
}

}  // namespace innoscope::cli
