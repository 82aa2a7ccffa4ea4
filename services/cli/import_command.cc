// innoscope import regions|cluster_members|indicators|framework|observations|actors|
//                  relations FILE
//
// Reads a CSV file, checks every line before anything is sent (errors name
// the line), then writes it to the ingest service: unary upserts for
// regions, indicators and frameworks; streamed batches with deterministic
// ids for observations, actors and relations (libs/clients/batch_stream.h), so that an
// interrupted import re-run with the same file replays what was committed
// and writes the rest. File layouts: observation_csv.h and record_csv.h.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/types/span.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "libs/clients/batch_stream.h"
#include "libs/index/csv_stream.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/observation_csv.h"
#include "services/cli/progress.h"
#include "services/cli/record_csv.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::ingest::v1;
using Stub = v1::IngestService::Stub;
using common::BatchRange;

constexpr char kImportUsage[] =
    "Usage: innoscope import <kind> FILE.csv [flags]\n\n"
    "Kinds:\n"
    "  regions       code,name,kind[,parent][,name_en][,<attribute>...]\n"
    "  cluster_members  cluster,member[,first_year][,last_year]; replaces the\n"
    "                membership of every cluster in the file\n"
    "  indicators    code,name[,name_en][,unit][,description][,is_count]\n"
    "  framework     COINr metadata (Level,iCode,...,Parent,Type) or level1_/level2_/...\n"
    "                columns; --framework CODE [--version V] [--name N]\n"
    "  observations  long form region,indicator,period,value[,source], or wide form\n"
    "                (one row per region, one column per indicator; --period)\n"
    "  actors        code,name,kind[,province][,city][,sample][,platform][,foreign][,layer]\n"
    "  relations     source,target,type,year[,weight][,amount][,qualifier][,<tag>...]\n\n"
    "Run 'innoscope import <kind> --help' for the flags of a kind.\n";

// Totals of the write summaries of a streamed import.
struct WriteTally {
  int64_t inserted = 0;
  int64_t revised = 0;
  int64_t unchanged = 0;
  int64_t replayed_batches = 0;
  int64_t rejected = 0;
  int64_t rows_acknowledged = 0;

  // Replayed batches wrote nothing now: their original counts are not added.
  void Add(const v1::WriteSummary& summary, bool replayed, int64_t rows) {
    rows_acknowledged += rows;
    if (replayed) {
      ++replayed_batches;
      return;
    }
    inserted += summary.inserted();
    revised += summary.revised();
    unchanged += summary.unchanged();
  }

  std::string ToString() const {
    return absl::StrCat("inserted=", inserted, " revised=", revised, " unchanged=", unchanged,
                        " replayed_batches=", replayed_batches, " rejected=", rejected);
  }
};

// Flags shared by the streamed imports. Observations default to batches of
// 20,000 rows (about 1 MB a message; bench/ingest: some 15% less
// PostgreSQL CPU per row than 5,000, one transaction and COPY for four),
// actors and relations, whose rows are larger, to 5,000.
void AddStreamFlags(config::FlagSet& flags, const char* default_batch_size) {
  flags.Add("batch_size", default_batch_size, "rows per batch (1-100000)");
  flags.Add("parallel", "4",
            "batches committed concurrently, over as many streams (1 = strictly in file "
            "order)");
  flags.Add("retries", "8", "reconnections after the service becomes unavailable, with backoff");
  flags.Add("import_id", "",
            "mixed into every batch id (batch ids are derived from the content); not "
            "needed to re-apply a file: a batch is a replay only while its rows are "
            "still the current values, so the last file imported always wins");
}

struct StreamSettings {
  size_t batch_size = 5000;
  size_t parallel = 4;
  clients::BatchStreamOptions options;
};

absl::StatusOr<StreamSettings> ReadStreamFlags(const ParsedCommand& cmd) {
  StreamSettings settings;
  absl::StatusOr<int64_t> batch_size = cmd.flags.GetInt("batch_size", 1, 100000);
  if (!batch_size.ok()) return batch_size.status();
  absl::StatusOr<int64_t> retries = cmd.flags.GetInt("retries", 0, 1000);
  if (!retries.ok()) return retries.status();
  absl::StatusOr<int64_t> parallel = cmd.flags.GetInt("parallel", 1, 16);
  if (!parallel.ok()) return parallel.status();
  settings.parallel = static_cast<size_t>(*parallel);
  settings.batch_size = static_cast<size_t>(*batch_size);
  settings.options.max_retries = static_cast<int>(*retries);
  const std::string program = cmd.program;
  settings.options.on_retry = [program](const absl::Status& status, absl::Duration delay) {
    std::fprintf(stderr, "\n%s: %s; retrying in %s (committed batches are replayed)\n",
                 program.c_str(), std::string(status.message()).c_str(),
                 absl::FormatDuration(delay).c_str());
  };
  return settings;
}

// Runs a streamed import of `batches` over settings.parallel streams and
// prints the summary; returns the exit code. `build` makes a batch's request;
// `where(batch, i)` names the file position of record i, for messages.
template <typename Request, typename Response>
int StreamImport(const ParsedCommand& cmd, const std::vector<BatchRange>& batches,
                 int64_t total_rows, const StreamSettings& settings,
                 typename clients::BatchStreamer<Request, Response>::OpenFn open,
                 std::function<Request(const BatchRange&)> build,
                 const std::function<std::string(const BatchRange&, size_t)>& where,
                 const std::string& extra_summary) {
  WriteTally tally;
  int64_t acked_batches = 0;
  Progress progress(cmd.program, total_rows, ProgressOptions::For(stderr));
  const absl::Time start = absl::Now();
  const clients::ParallelRunResult run = clients::RunBatchStreams<Request, Response>(
      batches.size(), settings.parallel, std::move(open),
      [&](size_t i) { return build(batches[i]); },
      [&](size_t i, const Response& response) {
        const int64_t rows = static_cast<int64_t>(batches[i].end - batches[i].begin);
        tally.Add(response.summary(), response.replayed(), rows);
        ++acked_batches;
        progress.Advance(rows);
      },
      settings.options);
  progress.Finish();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const absl::Status& status = run.status;
  const bool rejected = status.code() == absl::StatusCode::kInvalidArgument ||
                        status.code() == absl::StatusCode::kFailedPrecondition ||
                        status.code() == absl::StatusCode::kNotFound ||
                        status.code() == absl::StatusCode::kAlreadyExists;
  if (!status.ok() && rejected && run.failed_batch < batches.size()) {
    const BatchRange& failed = batches[run.failed_batch];
    tally.rejected = static_cast<int64_t>(failed.end - failed.begin);
  }
  std::printf("%s rows=%lld batches=%zu%s seconds=%.3f rows_per_s=%.0f\n", tally.ToString().c_str(),
              static_cast<long long>(total_rows), batches.size(), extra_summary.c_str(), seconds,
              seconds > 0 ? static_cast<double>(tally.rows_acknowledged) / seconds : 0.0);
  std::fflush(stdout);
  if (status.ok()) {
    if (tally.replayed_batches > 0) {
      std::fprintf(stderr,
                   "%s: %lld batch(es) had been applied before and are still the current "
                   "values (nothing written for them)\n",
                   cmd.program.c_str(), static_cast<long long>(tally.replayed_batches));
    }
    return 0;
  }
  if (run.failed_batch >= batches.size()) return Fail(cmd.program, status);
  const BatchRange& failed = batches[run.failed_batch];
  const std::string message = AnnotateRowIndexes(status.message(), [&](size_t row) {
    return row < failed.end - failed.begin ? where(failed, failed.begin + row) : "";
  });
  const std::string position =
      absl::StrCat("batch ", run.failed_batch + 1, " of ", batches.size(), " (file ",
                   where(failed, failed.begin), " to ", where(failed, failed.end - 1), ")");
  const std::string committed =
      acked_batches == 0
          ? "nothing was written"
          : absl::StrCat(acked_batches, " of ", batches.size(), " batches are committed");
  std::string hint;
  if (rejected) {
    hint = absl::StrCat(committed,
                        "; fix the rows named above and run the same command "
                        "again: committed batches are replayed, not duplicated");
  } else if (status.code() == absl::StatusCode::kResourceExhausted &&
             absl::StrContains(status.message(), "--max_batch_rows")) {
    hint = absl::StrCat(committed, "; run the same command again with a smaller --batch_size");
  } else if (status.code() == absl::StatusCode::kUnavailable ||
             status.code() == absl::StatusCode::kAborted) {
    hint = absl::StrCat("the service stayed unavailable (", committed,
                        "); once 'innoscope "
                        "status' shows it SERVING, run the same command again: committed "
                        "batches are replayed and the rest written");
  }
  return Fail(cmd.program,
              absl::Status(status.code(), absl::StrCat(position, " failed: ", message)), hint);
}

// Pages through ListIndicators: every code in the catalogue.
absl::StatusOr<std::unordered_set<std::string>> CatalogueIndicators(Stub& stub,
                                                                    absl::Duration timeout) {
  std::unordered_set<std::string> codes;
  v1::ListIndicatorsRequest request;
  request.mutable_page()->set_page_size(1000);
  while (true) {
    v1::ListIndicatorsResponse response;
    absl::Status status = CallUnary(stub, &Stub::ListIndicators, request, &response, timeout);
    if (!status.ok()) return status;
    for (const v1::Indicator& indicator : response.indicators()) codes.insert(indicator.code());
    if (response.page().next_page_token().empty()) return codes;
    request.mutable_page()->set_page_token(response.page().next_page_token());
  }
}

// Leaves and the denominators they name, of one framework version.
struct FrameworkCodes {
  int32_t version = 0;
  std::unordered_set<std::string> leaves;
  std::unordered_set<std::string> denominators;
};

absl::StatusOr<FrameworkCodes> GetFrameworkCodes(Stub& stub, const std::string& code,
                                                 int32_t version, absl::Duration timeout) {
  v1::GetFrameworkRequest request;
  request.mutable_framework()->set_code(code);
  request.mutable_framework()->set_version(version);
  v1::GetFrameworkResponse response;
  absl::Status status = CallUnary(stub, &Stub::GetFramework, request, &response, timeout);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("framework ", code, ": ", status.message(),
                                     status.code() == absl::StatusCode::kNotFound
                                         ? "; import it first: innoscope import framework "
                                           "FILE.csv --framework CODE"
                                         : ""));
  }
  FrameworkCodes codes;
  codes.version = response.framework().version();
  std::set<std::string> parents;
  for (const v1::FrameworkNode& node : response.framework().nodes()) {
    parents.insert(node.parent_code());
  }
  for (const v1::FrameworkNode& node : response.framework().nodes()) {
    if (parents.count(node.code()) > 0) continue;
    codes.leaves.insert(node.code());
    if (!node.denominator_code().empty()) codes.denominators.insert(node.denominator_code());
  }
  return codes;
}

// ------------------------------------------------------------ regions

// Upserts messages in chunks through a unary RPC; prints the totals.
template <typename Message, typename Request, typename Response>
int UpsertInChunks(const ParsedCommand& cmd, const std::vector<Message>& messages, size_t chunk,
                   Stub& stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                   google::protobuf::RepeatedPtrField<Message>* (Request::*mutable_list)()) {
  int64_t inserted = 0, updated = 0, unchanged = 0;
  for (size_t begin = 0; begin < messages.size(); begin += chunk) {
    const size_t end = std::min(messages.size(), begin + chunk);
    Request request;
    for (size_t i = begin; i < end; ++i) *(request.*mutable_list)()->Add() = messages[i];
    Response response;
    absl::Status status = CallUnary(stub, method, request, &response, cmd.timeout);
    if (!status.ok()) {
      std::printf("inserted=%lld updated=%lld unchanged=%lld\n", static_cast<long long>(inserted),
                  static_cast<long long>(updated), static_cast<long long>(unchanged));
      return Fail(cmd.program,
                  absl::Status(status.code(), absl::StrCat("rows ", begin + 1, "-", end,
                                                           " of the file: ", status.message())),
                  begin > 0 ? "earlier rows are stored; fix the file and run the same "
                              "command again (upserts are idempotent)"
                            : "");
    }
    inserted += response.inserted();
    updated += response.updated();
    unchanged += response.unchanged();
  }
  std::printf("inserted=%lld updated=%lld unchanged=%lld rows=%zu\n",
              static_cast<long long>(inserted), static_cast<long long>(updated),
              static_cast<long long>(unchanged), messages.size());
  return 0;
}

// Common start of every import: the file and a stub.
struct ImportInput {
  std::string text;
  std::unique_ptr<Stub> stub;
};

absl::StatusOr<ImportInput> OpenImport(const ParsedCommand& cmd) {
  ImportInput input;
  absl::StatusOr<std::string> text = index::ReadFileText(cmd.positional[0]);
  if (!text.ok()) return text.status();
  input.text = *std::move(text);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "ingest");
  if (!channel.ok()) return channel.status();
  input.stub = v1::IngestService::NewStub(*channel);
  return input;
}

int ImportRegions(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "import regions",
      "Upserts regions from CSV: code,name,kind[,parent][,name_en][,<attribute>...]; kind is "
      "country, province, city, cluster or custom; other columns become attributes.",
      {"ingest"});
  flags.Add("batch_size", "1000", "regions per UpsertRegions call");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 1, "FILE.csv");
  absl::StatusOr<int64_t> chunk = cmd.flags.GetInt("batch_size", 1, 100000);
  if (!chunk.ok()) config::ExitInvalidConfig(cmd.program, std::string(chunk.status().message()));
  absl::StatusOr<ImportInput> input = OpenImport(cmd);
  if (!input.ok()) return Fail(cmd.program, input.status());
  absl::StatusOr<std::vector<v1::Region>> regions = ParseRegionsCsv(input->text);
  if (!regions.ok()) return Fail(cmd.program, regions.status());
  OrderParentsFirst(&*regions);
  return UpsertInChunks(cmd, *regions, static_cast<size_t>(*chunk), *input->stub,
                        &Stub::UpsertRegions, &v1::UpsertRegionsRequest::mutable_regions);
}

// One SetClusterMembers call per cluster: each replaces that cluster's
// whole membership, so re-running the same file changes nothing.
int ImportClusterMembers(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "import cluster_members",
      "Sets cluster membership from CSV: cluster,member[,first_year][,last_year] (empty years "
      "are unbounded). Every cluster named in the file gets exactly the members listed; the "
      "cluster and member regions must exist (innoscope import regions).",
      {"ingest"});
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 1, "FILE.csv");
  absl::StatusOr<ImportInput> input = OpenImport(cmd);
  if (!input.ok()) return Fail(cmd.program, input.status());
  absl::StatusOr<std::vector<v1::SetClusterMembersRequest>> requests =
      ParseClusterMembersCsv(input->text);
  if (!requests.ok()) return Fail(cmd.program, requests.status());
  int64_t members = 0, changed = 0;
  for (size_t i = 0; i < requests->size(); ++i) {
    const v1::SetClusterMembersRequest& request = (*requests)[i];
    v1::SetClusterMembersResponse response;
    absl::Status status =
        CallUnary(*input->stub, &Stub::SetClusterMembers, request, &response, cmd.timeout);
    if (!status.ok()) {
      return Fail(cmd.program,
                  absl::Status(status.code(), absl::StrCat("cluster ", request.cluster_code(), ": ",
                                                           status.message())),
                  i > 0 ? "the clusters before it are set; fix the file and run the same "
                          "command again (each cluster's membership is replaced as a whole)"
                        : "");
    }
    members += response.members();
    if (response.changed()) ++changed;
  }
  std::printf("clusters=%zu changed=%lld members=%lld\n", requests->size(),
              static_cast<long long>(changed), static_cast<long long>(members));
  return 0;
}

int ImportIndicators(const std::vector<std::string>& args) {
  config::FlagSet flags =
      CommandFlags("import indicators",
                   "Upserts catalogue indicators from CSV: code,name[,name_en][,unit][,description]"
                   "[,is_count].",
                   {"ingest"});
  flags.Add("batch_size", "1000", "indicators per UpsertIndicators call");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 1, "FILE.csv");
  absl::StatusOr<int64_t> chunk = cmd.flags.GetInt("batch_size", 1, 100000);
  if (!chunk.ok()) config::ExitInvalidConfig(cmd.program, std::string(chunk.status().message()));
  absl::StatusOr<ImportInput> input = OpenImport(cmd);
  if (!input.ok()) return Fail(cmd.program, input.status());
  absl::StatusOr<std::vector<v1::Indicator>> indicators = ParseIndicatorsCsv(input->text);
  if (!indicators.ok()) return Fail(cmd.program, indicators.status());
  return UpsertInChunks(cmd, *indicators, static_cast<size_t>(*chunk), *input->stub,
                        &Stub::UpsertIndicators, &v1::UpsertIndicatorsRequest::mutable_indicators);
}

// ---------------------------------------------------------- framework

int ImportFramework(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "import framework",
      "Registers a framework version from CSV, in COINr's metadata columns (Level,iCode,"
      "iName,Direction,Weight,Unit,Target,Denominator,Parent,Type) or in the level1_/"
      "level2_/... layout of the Chinese reports, with its leaf indicators (and COINr "
      "denominators) in the catalogue.",
      {"ingest"});
  flags.Add("framework", "", "framework code (required), e.g. asem");
  flags.Add("version", "0", "version to create; 0 = the next one");
  flags.Add("name", "", "display name (default: the root node's name)");
  flags.Add("weight_tolerance", "0",
            "tolerance for child weights summing to their parent's; 0 = service default");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 1, "FILE.csv");
  FrameworkImport import;
  import.code = cmd.flags.Get("framework");
  import.name = cmd.flags.Get("name");
  if (import.code.empty()) {
    config::ExitInvalidConfig(cmd.program, "--framework CODE is required");
  }
  absl::StatusOr<int64_t> version = cmd.flags.GetInt("version", 0, 1000000);
  if (!version.ok())
    config::ExitInvalidConfig(cmd.program, std::string(version.status().message()));
  absl::StatusOr<double> tolerance = cmd.flags.GetDouble("weight_tolerance");
  if (!tolerance.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(tolerance.status().message()));
  }
  import.version = static_cast<int>(*version);
  import.weight_tolerance = *tolerance;
  absl::StatusOr<ImportInput> input = OpenImport(cmd);
  if (!input.ok()) return Fail(cmd.program, input.status());
  absl::StatusOr<v1::CreateFrameworkRequest> request = ParseFrameworkCsv(input->text, import);
  if (!request.ok()) {
    return Fail(cmd.program, request.status(),
                "fix the framework file and run the same command again; nothing was sent");
  }
  v1::CreateFrameworkResponse response;
  absl::Status status =
      CallUnary(*input->stub, &Stub::CreateFramework, *request, &response, cmd.timeout);
  if (!status.ok()) return Fail(cmd.program, status);
  std::printf("framework=%s version=%d created=%s nodes=%d indicators_registered=%d\n",
              response.framework().code().c_str(), response.framework().version(),
              response.created() ? "true" : "false", request->nodes_size(),
              response.indicators_registered());
  return 0;
}

// -------------------------------------------------------- observations

int ImportObservations(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "import observations",
      "Writes observations from CSV in long form (region,indicator,period,value[,source]) "
      "or wide form (one row per region, one column per indicator; a column is read when "
      "its name is a framework leaf or catalogue indicator, or <indicator>_<YEAR>; other "
      "columns are skipped). NA or empty cells are missing and not sent.",
      {"ingest"});
  flags.Add("framework", "",
            "framework code: its leaves' rows are written as the framework's data and "
            "checked against it; long form: every indicator must be a leaf or denominator "
            "of it");
  flags.Add("framework_version", "0", "framework version; 0 = the latest");
  flags.Add("source", "", "source for rows without one (provenance)");
  flags.Add("note", "", "free note kept as provenance");
  flags.Add("period", "", "wide form: the year of every row (else a period/Time column)");
  flags.Add("region_column", "", "wide form: column of region codes (default: automatic)");
  flags.Add("period_column", "", "wide form: column of years (default: automatic)");
  AddStreamFlags(flags, "20000");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 1, "FILE.csv");
  absl::StatusOr<StreamSettings> settings = ReadStreamFlags(cmd);
  if (!settings.ok())
    config::ExitInvalidConfig(cmd.program, std::string(settings.status().message()));
  absl::StatusOr<int64_t> framework_version = cmd.flags.GetInt("framework_version", 0, 1000000);
  if (!framework_version.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(framework_version.status().message()));
  }
  ObservationCsvOptions options;
  options.region_column = cmd.flags.Get("region_column");
  options.period_column = cmd.flags.Get("period_column");
  if (!cmd.flags.Get("period").empty()) {
    absl::StatusOr<int32_t> period = ParsePeriod(cmd.flags.Get("period"));
    if (!period.ok())
      config::ExitInvalidConfig(cmd.program, "--period: " + std::string(period.status().message()));
    options.period = *period;
  }
  const std::string framework = cmd.flags.Get("framework");

  absl::StatusOr<ImportInput> input = OpenImport(cmd);
  if (!input.ok()) return Fail(cmd.program, input.status());
  Stub& stub = *input->stub;
  absl::StatusOr<index::CsvStream> peek = index::CsvStream::Open(input->text);
  if (!peek.ok()) return Fail(cmd.program, peek.status());
  const bool long_form = IsLongObservationHeader(peek->header());

  FrameworkCodes codes;
  if (!framework.empty()) {
    absl::StatusOr<FrameworkCodes> fetched =
        GetFrameworkCodes(stub, framework, static_cast<int32_t>(*framework_version), cmd.timeout);
    if (!fetched.ok()) return Fail(cmd.program, fetched.status());
    codes = *std::move(fetched);
  }
  if (!long_form) {
    absl::StatusOr<std::unordered_set<std::string>> catalogue =
        CatalogueIndicators(stub, cmd.timeout);
    if (!catalogue.ok()) return Fail(cmd.program, catalogue.status());
    options.known_indicators = *std::move(catalogue);
    options.known_indicators.insert(codes.leaves.begin(), codes.leaves.end());
  }

  absl::StatusOr<ObservationFile> file = ParseObservationCsv(input->text, options);
  if (!file.ok()) return Fail(cmd.program, file.status());
  std::string().swap(input->text);  // the records hold their own copies

  size_t scoped_end = framework.empty() ? file->records.size() : 0;
  if (!framework.empty()) {
    if (long_form) {
      ErrorList errors("observation file");
      for (const ObservationRecord& r : file->records) {
        const std::string& indicator = file->Text(r.indicator);
        if (codes.leaves.count(indicator) == 0 && codes.denominators.count(indicator) == 0) {
          errors.Add(absl::StrCat(file->Where(r), ": '", indicator,
                                  "' is not an indicator (leaf) or denominator of framework ",
                                  framework, " v", codes.version));
        }
      }
      absl::Status status =
          errors.ToStatus("fix these lines, or import without --framework; nothing was sent");
      if (!status.ok()) return Fail(cmd.program, status);
    }
    // The framework's rows first, then (unscoped) denominators and other
    // catalogue indicators, which the service would refuse in a batch
    // restricted to the framework.
    auto scoped = std::stable_partition(file->records.begin(), file->records.end(),
                                        [&](const ObservationRecord& r) {
                                          return codes.leaves.count(file->Text(r.indicator)) > 0;
                                        });
    scoped_end = static_cast<size_t>(scoped - file->records.begin());
  }
  if (!file->skipped_columns.empty()) {
    std::fprintf(stderr, "%s: skipped %zu column(s) that are not known indicators: %s\n",
                 cmd.program.c_str(), file->skipped_columns.size(),
                 absl::StrJoin(file->skipped_columns, ",").c_str());
  }

  const std::vector<BatchRange> batches =
      common::PlanBatches(scoped_end, file->records.size(), settings->batch_size);
  OrderForKeyIndex(*file, scoped_end, batches);
  ObservationBatchScope scope;
  scope.source = cmd.flags.Get("source");
  scope.note = cmd.flags.Get("note");
  scope.salt = cmd.flags.Get("import_id");
  ObservationBatchScope scoped_scope = scope;
  scoped_scope.framework = framework;
  scoped_scope.framework_version = static_cast<int32_t>(*framework_version);
  const ObservationFile& records = *file;
  auto build = [&](const BatchRange& batch) {
    const ObservationBatchScope& s = batch.scoped ? scoped_scope : scope;
    v1::WriteObservationsRequest request;
    request.set_batch_id(ObservationBatchId(records, batch.begin, batch.end, s));
    if (!s.framework.empty()) {
      request.mutable_framework()->set_code(s.framework);
      request.mutable_framework()->set_version(s.framework_version);
    }
    request.set_source(s.source);
    request.set_note(s.note);
    request.mutable_observations()->Reserve(static_cast<int>(batch.end - batch.begin));
    for (size_t i = batch.begin; i < batch.end; ++i) {
      const ObservationRecord& r = records.records[i];
      v1::Observation* o = request.add_observations();
      o->set_region_code(records.Text(r.region));
      o->set_indicator_code(records.Text(r.indicator));
      o->set_period(r.period);
      o->set_value(r.value);
      o->set_source(records.Text(r.source));
    }
    return request;
  };
  auto where = [&](const BatchRange&, size_t i) { return records.Where(records.records[i]); };
  const std::string extra =
      absl::StrCat(" missing=", file->missing, " duplicates=", file->duplicates);
  return StreamImport<v1::WriteObservationsRequest, v1::WriteObservationsResponse>(
      cmd, batches, static_cast<int64_t>(records.records.size()), *settings,
      [&](grpc::ClientContext* c) { return stub.WriteObservations(c); }, build, where, extra);
}

// ------------------------------------------------- actors and relations

// Streams actors or relations parsed with their lines.
template <typename Message, typename Request, typename Response>
int ImportNetworkRecords(const ParsedCommand& cmd, const StreamSettings& settings,
                         const LinedMessages<Message>& parsed, const std::string& relation_set,
                         const std::function<std::string(absl::Span<const Message>)>& batch_id,
                         google::protobuf::RepeatedPtrField<Message>* (Request::*mutable_list)(),
                         typename clients::BatchStreamer<Request, Response>::OpenFn open) {
  const std::vector<BatchRange> batches =
      common::PlanBatches(parsed.messages.size(), parsed.messages.size(), settings.batch_size);
  auto build = [&](const BatchRange& batch) {
    Request request;
    absl::Span<const Message> rows(parsed.messages.data() + batch.begin, batch.end - batch.begin);
    request.set_batch_id(batch_id(rows));
    request.set_relation_set(relation_set);
    for (const Message& m : rows) *(request.*mutable_list)()->Add() = m;
    return request;
  };
  auto where = [&](const BatchRange&, size_t i) { return absl::StrCat("line ", parsed.lines[i]); };
  return StreamImport<Request, Response>(cmd, batches, static_cast<int64_t>(parsed.messages.size()),
                                         settings, std::move(open), build, where, "");
}

int ImportActorsOrRelations(const std::vector<std::string>& args, bool actors) {
  config::FlagSet flags = CommandFlags(
      actors ? "import actors" : "import relations",
      actors ? "Upserts network actors from CSV: code,name,kind[,province][,city][,sample]"
               "[,platform][,foreign][,layer][,<attribute>...]."
             : "Writes network relations from CSV: source,target,type,year[,weight][,amount]"
               "[,qualifier][,<tag>...]; import the actors first.",
      {"ingest"});
  flags.Add("relation_set", "default", "relation set the rows belong to");
  AddStreamFlags(flags, "5000");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 1, "FILE.csv");
  absl::StatusOr<StreamSettings> settings = ReadStreamFlags(cmd);
  if (!settings.ok())
    config::ExitInvalidConfig(cmd.program, std::string(settings.status().message()));
  const std::string relation_set = cmd.flags.Get("relation_set");
  const std::string salt = cmd.flags.Get("import_id");
  absl::StatusOr<ImportInput> input = OpenImport(cmd);
  if (!input.ok()) return Fail(cmd.program, input.status());
  Stub& stub = *input->stub;
  if (actors) {
    absl::StatusOr<LinedMessages<v1::Actor>> parsed = ParseActorsCsv(input->text);
    if (!parsed.ok()) return Fail(cmd.program, parsed.status());
    return ImportNetworkRecords<v1::Actor, v1::UpsertActorsRequest, v1::UpsertActorsResponse>(
        cmd, *settings, *parsed, relation_set,
        [&](absl::Span<const v1::Actor> rows) { return ActorBatchId(rows, relation_set, salt); },
        &v1::UpsertActorsRequest::mutable_actors,
        [&](grpc::ClientContext* c) { return stub.UpsertActors(c); });
  }
  absl::StatusOr<LinedMessages<v1::Relation>> parsed = ParseRelationsCsv(input->text);
  if (!parsed.ok()) return Fail(cmd.program, parsed.status());
  return ImportNetworkRecords<v1::Relation, v1::WriteRelationsRequest, v1::WriteRelationsResponse>(
      cmd, *settings, *parsed, relation_set,
      [&](absl::Span<const v1::Relation> rows) {
        return RelationBatchId(rows, relation_set, salt);
      },
      &v1::WriteRelationsRequest::mutable_relations,
      [&](grpc::ClientContext* c) { return stub.WriteRelations(c); });
}

}  // namespace

int RunImport(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kImportUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string& kind = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (kind == "regions") return ImportRegions(rest);
  if (kind == "cluster_members") return ImportClusterMembers(rest);
  if (kind == "indicators") return ImportIndicators(rest);
  if (kind == "framework") return ImportFramework(rest);
  if (kind == "observations") return ImportObservations(rest);
  if (kind == "actors") return ImportActorsOrRelations(rest, /*actors=*/true);
  if (kind == "relations") return ImportActorsOrRelations(rest, /*actors=*/false);
  std::fprintf(stderr, "innoscope import: unknown kind \"%s\"\n\n%s", kind.c_str(), kImportUsage);
  return 2;
}

}  // namespace innoscope::cli
