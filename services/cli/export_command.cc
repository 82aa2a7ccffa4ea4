// innoscope export observations|relations [filters] [--format csv|json] [--out FILE]
//
// Streams what the ingest service stores and writes it unchanged: long form
// region,indicator,period,value,source for observations (the layout
// `innoscope import observations` reads), values printed as the shortest
// text that parses back to the same double, so import -> export -> import
// round-trips bit for bit. --provenance appends batch_id, ingested_at and
// written_by (the identity that wrote each value, docs/security.md): an
// audit view, not a file to import again. --out writes to a temporary file renamed into
// place at the end, so an interrupted export never leaves a partial file
// (output_file.h).

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/output_file.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::ingest::v1;
using Stub = v1::IngestService::Stub;

constexpr char kExportUsage[] =
    "Usage: innoscope export <kind> [flags]\n\n"
    "Kinds:\n"
    "  observations  region,indicator,period,value,source (long form)\n"
    "  relations     source,target,type,year,weight,amount,qualifier,<tag>...\n\n"
    "Run 'innoscope export <kind> --help' for the flags of a kind.\n";

// Comma-separated list flag; empty entries dropped.
std::vector<std::string> ListFlag(const std::string& value) {
  return absl::StrSplit(value, ',', absl::SkipWhitespace());
}

// Parses --as-of (RFC 3339) into a Timestamp; false when the flag is empty.
absl::StatusOr<bool> ParseAsOf(const std::string& text, google::protobuf::Timestamp* out) {
  if (text.empty()) return false;
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--as_of: \"", text,
                     "\" is not an RFC 3339 time such as 2024-05-01T12:00:00Z (", error, ")"));
  }
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  const int64_t seconds = absl::ToInt64Seconds(since_epoch);
  out->set_seconds(seconds);
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
  return true;
}

config::FlagSet ExportFlags(const std::string& kind, const std::string& help) {
  config::FlagSet flags = CommandFlags(absl::StrCat("export ", kind), help, {"ingest"});
  flags.Add("format", "csv", "csv or json");
  flags.Add("out", "", "output file (default: standard output)");
  flags.Add("as_of", "", "the values current at this RFC 3339 time instead of the latest");
  flags.AddBool("provenance", false,
                "append the columns batch_id, ingested_at (RFC 3339) and written_by (the "
                "identity that wrote the value); for audit, not for importing again");
  return flags;
}

// --provenance; exits 2 on a value that is no boolean.
bool ProvenanceFlag(const ParsedCommand& cmd) {
  absl::StatusOr<bool> provenance = cmd.flags.GetBool("provenance");
  if (!provenance.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(provenance.status().message()));
  }
  return *provenance;
}

// The --provenance columns and their cells.
const std::vector<std::string>& ProvenanceColumns() {
  static const auto* columns =
      new std::vector<std::string>{"batch_id", "ingested_at", "written_by"};
  return *columns;
}

void AppendProvenance(const common::v1::Provenance& p, std::vector<Cell>* cells) {
  cells->push_back(Cell::Text(p.batch_id()));
  cells->push_back(Cell::Text(google::protobuf::util::TimeUtil::ToString(p.ingested_at())));
  cells->push_back(Cell::Text(p.written_by()));
}

// Reads a server stream to its end, handing each message to `on_message`.
template <typename Response>
absl::Status DrainStream(grpc::ClientReaderInterface<Response>& reader,
                         const std::function<absl::Status(const Response&)>& on_message,
                         grpc::ClientContext& context) {
  Response response;
  while (reader.Read(&response)) {
    absl::Status status = on_message(response);
    if (!status.ok()) {
      context.TryCancel();
      reader.Finish();
      return status;
    }
  }
  return server::FromGrpcStatus(reader.Finish());
}

int ExportObservations(const std::vector<std::string>& args) {
  config::FlagSet flags =
      ExportFlags("observations",
                  "Writes stored observations in long form: region,indicator,period,value,source.");
  flags.Add("framework", "", "only the leaf indicators of this framework");
  flags.Add("framework_version", "0", "framework version; 0 = the latest");
  flags.Add("regions", "", "comma-separated region codes (default: all)");
  flags.Add("indicators", "", "comma-separated indicator codes (default: all)");
  flags.Add("periods", "", "years FIRST-LAST or one year (default: all)");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  absl::StatusOr<TableFormat> format = ParseTableFormat(cmd.flags.Get("format"));
  if (!format.ok()) config::ExitInvalidConfig(cmd.program, std::string(format.status().message()));
  v1::ReadObservationsRequest request;
  if (!cmd.flags.Get("framework").empty()) {
    absl::StatusOr<int64_t> version = cmd.flags.GetInt("framework_version", 0, 1000000);
    if (!version.ok()) {
      config::ExitInvalidConfig(cmd.program, std::string(version.status().message()));
    }
    request.mutable_framework()->set_code(cmd.flags.Get("framework"));
    request.mutable_framework()->set_version(static_cast<int32_t>(*version));
  }
  for (const std::string& code : ListFlag(cmd.flags.Get("regions"))) {
    request.add_region_codes(code);
  }
  for (const std::string& code : ListFlag(cmd.flags.Get("indicators"))) {
    request.add_indicator_codes(code);
  }
  if (!cmd.flags.Get("periods").empty()) {
    absl::StatusOr<PeriodSpan> span = ParsePeriodSpan(cmd.flags.Get("periods"));
    if (!span.ok()) {
      config::ExitInvalidConfig(cmd.program, "--periods: " + std::string(span.status().message()));
    }
    request.mutable_periods()->set_first(span->first);
    request.mutable_periods()->set_last(span->last);
  }
  absl::StatusOr<bool> as_of = ParseAsOf(cmd.flags.Get("as_of"), request.mutable_as_of());
  if (!as_of.ok()) config::ExitInvalidConfig(cmd.program, std::string(as_of.status().message()));
  if (!*as_of) request.clear_as_of();

  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "ingest");
  if (!channel.ok()) return Fail(cmd.program, channel.status());
  absl::StatusOr<std::unique_ptr<OutputFile>> output = OutputFile::Open(cmd.flags.Get("out"));
  if (!output.ok()) return Fail(cmd.program, output.status());
  auto stub = v1::IngestService::NewStub(*channel);
  grpc::ClientContext context;
  auto reader = stub->ReadObservations(&context, request);
  const bool provenance = ProvenanceFlag(cmd);
  std::vector<std::string> columns = {"region", "indicator", "period", "value", "source"};
  if (provenance) {
    columns.insert(columns.end(), ProvenanceColumns().begin(), ProvenanceColumns().end());
  }
  TableWriter writer(*format, columns, (*output)->buffer());
  int64_t rows = 0;
  std::vector<Cell> cells(5);
  absl::Status status = DrainStream<v1::ReadObservationsResponse>(
      *reader,
      [&](const v1::ReadObservationsResponse& response) {
        for (const v1::StoredObservation& stored : response.observations()) {
          const v1::Observation& o = stored.observation();
          cells[0] = Cell::Text(o.region_code());
          cells[1] = Cell::Text(o.indicator_code());
          cells[2] = Cell::Number(absl::StrCat(o.period()));
          cells[3] = Cell::Number(FormatDouble(o.value()));
          cells[4] = Cell::Text(o.source());
          cells.resize(5);
          if (provenance) AppendProvenance(stored.provenance(), &cells);
          writer.Row(cells);
          ++rows;
        }
        return (*output)->Flush(false);
      },
      context);
  if (!status.ok()) return Fail(cmd.program, status);
  writer.Finish();
  if (absl::Status s = (*output)->Commit(); !s.ok()) return Fail(cmd.program, s);
  std::fprintf(stderr, "%s: %lld rows\n", cmd.program.c_str(), static_cast<long long>(rows));
  return 0;
}

int ExportRelations(const std::vector<std::string>& args) {
  config::FlagSet flags = ExportFlags(
      "relations",
      "Writes stored relations: source,target,type,year,weight,amount,qualifier and one "
      "column per tag (the layout `innoscope import relations` reads).");
  flags.Add("relation_set", "default", "relation set to read");
  flags.Add("types", "", "comma-separated relation types (default: all)");
  flags.Add("periods", "", "years FIRST-LAST or one year (default: all)");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  absl::StatusOr<TableFormat> format = ParseTableFormat(cmd.flags.Get("format"));
  if (!format.ok()) config::ExitInvalidConfig(cmd.program, std::string(format.status().message()));
  v1::ReadRelationsRequest request;
  request.set_relation_set(cmd.flags.Get("relation_set"));
  const bool provenance = ProvenanceFlag(cmd);
  request.set_include_provenance(provenance);
  for (const std::string& type : ListFlag(cmd.flags.Get("types"))) request.add_types(type);
  if (!cmd.flags.Get("periods").empty()) {
    absl::StatusOr<PeriodSpan> span = ParsePeriodSpan(cmd.flags.Get("periods"));
    if (!span.ok()) {
      config::ExitInvalidConfig(cmd.program, "--periods: " + std::string(span.status().message()));
    }
    request.mutable_periods()->set_first(span->first);
    request.mutable_periods()->set_last(span->last);
  }
  absl::StatusOr<bool> as_of = ParseAsOf(cmd.flags.Get("as_of"), request.mutable_as_of());
  if (!as_of.ok()) config::ExitInvalidConfig(cmd.program, std::string(as_of.status().message()));
  if (!*as_of) request.clear_as_of();

  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "ingest");
  if (!channel.ok()) return Fail(cmd.program, channel.status());
  absl::StatusOr<std::unique_ptr<OutputFile>> output = OutputFile::Open(cmd.flags.Get("out"));
  if (!output.ok()) return Fail(cmd.program, output.status());
  auto stub = v1::IngestService::NewStub(*channel);
  grpc::ClientContext context;
  auto reader = stub->ReadRelations(&context, request);
  // Tag columns are the union of every relation's tags, so the relations are
  // held until the stream ends (relation sets are far smaller than
  // observation tables).
  std::vector<v1::Relation> relations;
  std::vector<common::v1::Provenance> provenances;  // with --provenance, one per relation
  std::set<std::string> tag_keys;
  absl::Status status = DrainStream<v1::ReadRelationsResponse>(
      *reader,
      [&](const v1::ReadRelationsResponse& response) {
        for (const v1::Relation& r : response.relations()) {
          for (const auto& [key, value] : r.tags()) tag_keys.insert(key);
          relations.push_back(r);
        }
        if (provenance && response.provenance_size() != response.relations_size()) {
          return absl::InternalError("ingest sent no provenance for every relation");
        }
        provenances.insert(provenances.end(), response.provenance().begin(),
                           response.provenance().end());
        return absl::OkStatus();
      },
      context);
  if (!status.ok()) return Fail(cmd.program, status);
  std::vector<std::string> columns = {"source", "target", "type",     "year",
                                      "weight", "amount", "qualifier"};
  columns.insert(columns.end(), tag_keys.begin(), tag_keys.end());
  if (provenance) {
    columns.insert(columns.end(), ProvenanceColumns().begin(), ProvenanceColumns().end());
  }
  TableWriter writer(*format, columns, (*output)->buffer());
  for (size_t i = 0; i < relations.size(); ++i) {
    const v1::Relation& r = relations[i];
    std::vector<Cell> cells = {
        Cell::Text(r.source_code()),
        Cell::Text(r.target_code()),
        Cell::Text(r.type()),
        Cell::Number(absl::StrCat(r.period())),
        r.has_weight() ? Cell::Number(FormatDouble(r.weight())) : Cell::Absent(),
        r.has_amount() ? Cell::Number(FormatDouble(r.amount())) : Cell::Absent(),
        r.qualifier().empty() ? Cell::Absent() : Cell::Text(r.qualifier())};
    for (const std::string& key : tag_keys) {
      auto it = r.tags().find(key);
      cells.push_back(it == r.tags().end() ? Cell::Absent() : Cell::Text(it->second));
    }
    if (provenance) AppendProvenance(provenances[i], &cells);
    writer.Row(cells);
    if (absl::Status s = (*output)->Flush(false); !s.ok()) return Fail(cmd.program, s);
  }
  writer.Finish();
  if (absl::Status s = (*output)->Commit(); !s.ok()) return Fail(cmd.program, s);
  std::fprintf(stderr, "%s: %zu rows\n", cmd.program.c_str(), relations.size());
  return 0;
}

}  // namespace

int RunExport(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kExportUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "observations") return ExportObservations(rest);
  if (args[0] == "relations") return ExportRelations(rest);
  std::fprintf(stderr, "innoscope export: unknown kind \"%s\"\n\n%s", args[0].c_str(),
               kExportUsage);
  return 2;
}

}  // namespace innoscope::cli
