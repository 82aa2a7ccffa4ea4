// innoscope weights ahp|entropy|critic|cv|pca|equal
//
// Indicator weights, offline from files or online through the weighting
// service (docs/cli.md, "Weights"):
//
//   offline  ahp --matrix M.csv                 one judgement matrix
//            entropy|critic|cv|pca|equal --data D.csv [--directions DIR.csv]
//   online   ahp --framework CODE[@VERSION] --matrices DIR   (DIR/<node>.csv)
//            entropy|critic|cv|pca|equal --framework CODE[@VERSION] --period P
//
// Offline, every number comes from libs/index (ahp.h, objective_weights.h)
// exactly as the service computes it; online, the service also persists the
// result as a weight set. --json prints one JSON object on standard output;
// otherwise a CSV of weights (the layout `innoscope score --weights` reads)
// goes to standard output and the diagnostics to standard error.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/index/csv_stream.h"
#include "libs/index/data_csv.h"
#include "libs/index/impute.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/objective_weights.h"
#include "libs/index/weights.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/table_writer.h"
#include "services/cli/weights_io.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::weighting::v1;
using Stub = v1::WeightingService::Stub;

constexpr char kWeightsUsage[] =
    "Usage: innoscope weights <method> [flags]\n\n"
    "Methods:\n"
    "  ahp       from a judgement matrix: --matrix M.csv (offline), or one matrix per\n"
    "            node with --framework CODE[@VERSION] --matrices DIR (weighting service)\n"
    "  entropy   entropy weight method          | data-driven: --data D.csv (offline),\n"
    "  critic    CRITIC                         | or --framework CODE[@VERSION]\n"
    "  cv        coefficient of variation       | --period P (weighting service)\n"
    "  pca       principal components           |\n"
    "  equal     1/m for each of m indicators   |\n\n"
    "--json prints one JSON object. Run 'innoscope weights <method> --help' for the flags.\n";

[[noreturn]] void Usage(const ParsedCommand& cmd, const std::string& reason) {
  config::ExitInvalidConfig(cmd.program, reason);
}

std::vector<std::string> ListFlag(const std::string& value) {
  return absl::StrSplit(value, ',', absl::SkipWhitespace());
}

void PrintLine(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

// A flag's value as a name of a libs/ table; exits 2 naming the flag.
template <typename E>
E NamedFlag(const ParsedCommand& cmd, const std::string& flag) {
  absl::StatusOr<E> value = ParseEnumIgnoringCase<E>(cmd.flags.Get(flag));
  if (!value.ok()) Usage(cmd, absl::StrCat("--", flag, ": ", value.status().message()));
  return *value;
}

// A flag's value as a proto-only enum's name (libs/codecs); exits 2 naming the flag.
template <typename P>
P ProtoNamedFlag(const ParsedCommand& cmd, const std::string& flag) {
  absl::StatusOr<P> value = codecs::ProtoEnumFromName<P>(cmd.flags.Get(flag));
  if (!value.ok()) Usage(cmd, absl::StrCat("--", flag, ": ", value.status().message()));
  return *value;
}

// The subcommands: every method but the framework's own weights and the
// combination (both online only, through the API).
bool IsCommand(index::WeightingMethod method) {
  switch (method) {
    case index::WeightingMethod::kAhp:
    case index::WeightingMethod::kEqual:
    case index::WeightingMethod::kEntropy:
    case index::WeightingMethod::kCritic:
    case index::WeightingMethod::kCv:
    case index::WeightingMethod::kPca:
      return true;
    case index::WeightingMethod::kFixed:
    case index::WeightingMethod::kCombined:
      return false;
  }
  return false;
}

index::AhpOptions AhpOptionsFrom(const ParsedCommand& cmd) {
  index::AhpOptions options;
  options.random_index = NamedFlag<index::RandomIndexTable>(cmd, "ri");
  options.method = NamedFlag<index::AhpPriorityMethod>(cmd, "method");
  // The weighting service's tolerance: judgements typed as 0.333 for 1/3.
  options.reciprocal_tolerance = 1e-3;
  return options;
}

double CrThreshold(const ParsedCommand& cmd) {
  absl::StatusOr<double> threshold = cmd.flags.GetDouble("cr_threshold");
  if (!threshold.ok() || !(*threshold > 0)) Usage(cmd, "--cr_threshold must be a number > 0");
  return *threshold;
}

// ------------------------------------------------------------- offline

int OfflineAhp(const ParsedCommand& cmd, bool json) {
  index::AhpOptions options = AhpOptionsFrom(cmd);
  const double threshold = CrThreshold(cmd);
  absl::StatusOr<std::string> text = index::ReadFileText(cmd.flags.Get("matrix"));
  if (!text.ok()) return Fail(cmd.program, text.status());
  absl::StatusOr<LabelledMatrix> matrix = ParseJudgementMatrixCsv(*text);
  if (!matrix.ok()) {
    return Fail(cmd.program,
                absl::Status(matrix.status().code(), absl::StrCat(cmd.flags.Get("matrix"), ": ",
                                                                  matrix.status().message())),
                "fix the matrix file: item names in the header row and first column, "
                "numbers or fractions such as 1/3 in the cells");
  }
  absl::StatusOr<index::AhpResult> result = index::Ahp(matrix->values, matrix->items, options);
  if (!result.ok()) {
    return Fail(cmd.program, result.status(),
                "a judgement matrix needs 1 on the diagonal and a_ji = 1/a_ij; fix the cell "
                "named above");
  }
  if (json) {
    PrintLine(JsonLine(AhpJson(matrix->items, *result, threshold)));
    return 0;
  }
  std::fputs(WeightsCsv("item", matrix->items, result->weights).c_str(), stdout);
  const bool consistent = result->cr < threshold;
  std::fprintf(stderr, "lambda_max=%s ci=%s ri=%s cr=%s consistent=%s\n",
               FormatDouble(result->lambda_max).c_str(), FormatDouble(result->ci).c_str(),
               FormatDouble(result->ri).c_str(), FormatDouble(result->cr).c_str(),
               consistent ? "true" : "false");
  if (!consistent && !result->inconsistency.empty()) {
    const index::JudgementDeviation& d = result->inconsistency.front();
    std::fprintf(stderr,
                 "%s: CR >= %g; revise the judgement (%s, %s) = %g first: the other "
                 "judgements imply about %.3g\n",
                 cmd.program.c_str(), threshold, matrix->items[d.i].c_str(),
                 matrix->items[d.j].c_str(), d.judgement, d.implied);
  }
  return 0;
}

// D.csv with --missing applied.
absl::StatusOr<index::DataMatrix> ReadWeightData(const ParsedCommand& cmd,
                                                 index::WeightingMethod method) {
  const std::string& path = cmd.flags.Get("data");
  ASSIGN_OR_RETURN(std::string text, index::ReadFileText(path));
  index::WideCsvOptions options;
  options.region_column = cmd.flags.Get("region_column");
  options.ignore_columns = ListFlag(cmd.flags.Get("ignore_columns"));
  absl::StatusOr<index::WideCsvData> data = index::ParseWideCsv(text, options);
  if (!data.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", data.status().message(),
                     " (the first column holds the regions, every other column one indicator; "
                     "drop text columns with --ignore_columns)"));
  }
  index::DataMatrix matrix = std::move(data->matrix);
  absl::StatusOr<v1::MissingValues> missing =
      codecs::ProtoEnumFromName<v1::MissingValues>(cmd.flags.Get("missing"));
  if (!missing.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--missing: ", missing.status().message()));
  }
  switch (*missing) {
    case v1::MISSING_VALUES_COLUMN_MEAN: {
      ASSIGN_OR_RETURN(index::ImputeResult imputed,
                       index::Impute(matrix, index::ImputeMethod::kColumnMean));
      if (!imputed.imputed.empty()) {
        std::fprintf(stderr, "%s: imputed %zu missing cell(s) with the indicator mean\n",
                     cmd.program.c_str(), imputed.imputed.size());
      }
      matrix = std::move(imputed.data);
      break;
    }
    case v1::MISSING_VALUES_DROP_REGION: {
      std::vector<bool> complete(matrix.rows(), true);
      size_t dropped = 0;
      for (size_t r = 0; r < matrix.rows(); ++r) {
        for (size_t c = 0; c < matrix.cols(); ++c)
          complete[r] = complete[r] && !matrix.IsMissing(r, c);
        dropped += complete[r] ? 0 : 1;
      }
      if (dropped > 0) {
        std::fprintf(stderr, "%s: left out %zu region(s) with a missing value\n",
                     cmd.program.c_str(), dropped);
      }
      matrix = index::Subset(matrix, complete, std::vector<bool>(matrix.cols(), true));
      break;
    }
    case v1::MISSING_VALUES_UNSPECIFIED:  // not a choice: ProtoEnumFromName refuses it
    case v1::MISSING_VALUES_FAIL:
      if (method != index::WeightingMethod::kEqual) {
        absl::Status complete =
            index::RequireComplete(matrix, absl::StrCat(EnumToName(method), " weights"));
        if (!complete.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(
              complete.message(), "; or pass --missing column_mean or --missing drop_region"));
        }
      }
      break;
    case v1::MissingValues_INT_MIN_SENTINEL_DO_NOT_USE_:
    case v1::MissingValues_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;  // not values: ProtoEnumFromName returns defined ones
  }
  return matrix;
}

int OfflineObjective(const ParsedCommand& cmd, index::WeightingMethod method, bool json) {
  const std::string name(EnumToName(method));
  absl::StatusOr<index::DataMatrix> data = ReadWeightData(cmd, method);
  if (!data.ok()) return Fail(cmd.program, data.status());
  std::vector<int> directions;
  const std::string& directions_path = cmd.flags.Get("directions");
  if (!directions_path.empty()) {
    if (method != index::WeightingMethod::kEntropy && method != index::WeightingMethod::kCritic) {
      std::fprintf(stderr, "%s: --directions ignored: %s weights do not depend on directions\n",
                   cmd.program.c_str(), name.c_str());
    }
    absl::StatusOr<std::string> text = index::ReadFileText(directions_path);
    if (!text.ok()) return Fail(cmd.program, text.status());
    absl::StatusOr<std::vector<int>> parsed = ParseDirectionsCsv(*text, data->indicators());
    if (!parsed.ok()) {
      return Fail(cmd.program, absl::InvalidArgumentError(
                                   absl::StrCat(directions_path, ": ", parsed.status().message())));
    }
    directions = *std::move(parsed);
  }
  absl::StatusOr<std::vector<double>> weights =
      absl::InvalidArgumentError(absl::StrCat(name, " weights are not computed from a data file"));
  Json extra_json = Json::object();  // pca: eigenvalues, retained
  switch (method) {
    case index::WeightingMethod::kEntropy:
      weights = index::EntropyWeights(*data, directions);
      break;
    case index::WeightingMethod::kCritic:
      weights = index::CriticWeights(*data, directions);
      break;
    case index::WeightingMethod::kCv:
      weights = index::CoefficientOfVariationWeights(*data);
      break;
    case index::WeightingMethod::kPca: {
      absl::StatusOr<double> min_eigenvalue = cmd.flags.GetDouble("pca_min_eigenvalue");
      if (!min_eigenvalue.ok()) Usage(cmd, std::string(min_eigenvalue.status().message()));
      index::PcaOptions options;
      options.min_eigenvalue = *min_eigenvalue;
      absl::StatusOr<index::PcaWeights> pca = index::PcaWeightsOf(*data, options);
      if (!pca.ok()) {
        weights = pca.status();
      } else {
        weights = pca->weights;
        extra_json["eigenvalues"] = pca->eigenvalues;
        extra_json["retained"] = pca->retained;
      }
      break;
    }
    case index::WeightingMethod::kEqual:
      if (data->cols() == 0) {
        return Fail(cmd.program,
                    absl::InvalidArgumentError("the data file has no indicator column"));
      }
      weights = std::vector<double>(data->cols(), 1.0 / static_cast<double>(data->cols()));
      break;
    case index::WeightingMethod::kFixed:
    case index::WeightingMethod::kAhp:
    case index::WeightingMethod::kCombined:
      break;  // no data file: the error above
  }
  if (!weights.ok()) {
    return Fail(cmd.program, weights.status(),
                "data-driven weights need at least 2 regions, complete data and indicators "
                "that vary; fix the data or choose another method");
  }
  if (json) {
    Json out = WeightsJson(data->indicators(), *weights);
    out.update(extra_json);
    PrintLine(JsonLine(out));
  } else {
    std::fputs(WeightsCsv("indicator", data->indicators(), *weights).c_str(), stdout);
    std::fprintf(stderr, "method=%s regions=%zu indicators=%zu\n", name.c_str(), data->rows(),
                 data->cols());
  }
  return 0;
}

// -------------------------------------------------------------- online

// DIR/<node_code>.csv for every CSV file in DIR, sorted by name.
absl::StatusOr<std::vector<v1::JudgementMatrix>> ReadMatrixDir(const std::string& dir) {
  std::error_code error;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".csv")
      files.push_back(entry.path());
  }
  if (error) {
    return absl::NotFoundError(absl::StrCat("--matrices ", dir, ": ", error.message()));
  }
  if (files.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--matrices ", dir,
                     " holds no <node_code>.csv file; write one judgement matrix per "
                     "node with two or more children"));
  }
  std::sort(files.begin(), files.end());
  std::vector<v1::JudgementMatrix> out;
  for (const std::filesystem::path& file : files) {
    ASSIGN_OR_RETURN(std::string text, index::ReadFileText(file.string()));
    absl::StatusOr<LabelledMatrix> m = ParseJudgementMatrixCsv(text);
    if (!m.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(file.string(), ": ", m.status().message()));
    }
    v1::JudgementMatrix proto;
    proto.set_node_code(file.stem().string());
    for (const std::string& item : m->items) proto.add_items(item);
    for (const auto& row : m->values) {
      for (double v : row) proto.add_values(v);
    }
    out.push_back(std::move(proto));
  }
  return out;
}

// The method as the help text's sentence starts with it.
std::string DisplayName(index::WeightingMethod method) {
  switch (method) {
    case index::WeightingMethod::kCv:
      return "Coefficient-of-variation";
    case index::WeightingMethod::kAhp:
    case index::WeightingMethod::kCritic:
    case index::WeightingMethod::kPca:
      return absl::AsciiStrToUpper(EnumToName(method));
    case index::WeightingMethod::kFixed:
    case index::WeightingMethod::kEqual:
    case index::WeightingMethod::kEntropy:
    case index::WeightingMethod::kCombined:
      break;
  }
  const std::string name(EnumToName(method));
  return absl::StrCat(std::string(1, absl::ascii_toupper(name[0])), name.substr(1));
}

Json WeightSetJson(const v1::WeightSet& set, const std::string& method, bool created) {
  Json out = {{"weight_set", set.id()},
              {"framework", set.framework().code()},
              {"version", set.framework().version()},
              {"method", method},
              {"created", created}};
  if (set.period() != 0) out["period"] = set.period();
  if (set.regions() != 0) out["regions"] = set.regions();
  // Leaves: their global weights, which sum to 1 (the offline form).
  std::set<std::string> parents;
  for (const v1::NodeWeight& w : set.weights()) parents.insert(w.parent_code());
  Json weights = Json::object();
  for (const v1::NodeWeight& w : set.weights()) {
    if (parents.count(w.code()) == 0) weights[w.code()] = w.global_weight();
  }
  out["weights"] = std::move(weights);
  Json nodes = Json::array();
  for (const v1::NodeWeight& w : set.weights()) {
    nodes.push_back({{"code", w.code()},
                     {"parent", w.parent_code()},
                     {"level", w.level()},
                     {"local", w.local_weight()},
                     {"global", w.global_weight()}});
  }
  out["nodes"] = std::move(nodes);
  if (set.matrices_size() > 0) {
    bool all_consistent = true;
    Json matrices = Json::array();
    for (const v1::MatrixDiagnostics& d : set.matrices()) {
      all_consistent = all_consistent && d.consistent();
      matrices.push_back({{"node", d.node_code()},
                          {"lambda_max", d.lambda_max()},
                          {"ci", d.ci()},
                          {"cr", d.cr()},
                          {"consistent", d.consistent()}});
    }
    out["matrices"] = std::move(matrices);
    out["consistent"] = all_consistent;
  }
  if (set.indicators_size() > 0) {
    Json indicators = Json::array();
    for (const v1::IndicatorDiagnostics& d : set.indicators()) {
      indicators.push_back(
          {{"indicator", d.indicator_code()},
           {d.statistic_name().empty() ? "statistic" : d.statistic_name(), d.statistic()}});
    }
    out["indicators"] = std::move(indicators);
  }
  return out;
}

int Online(const ParsedCommand& cmd, index::WeightingMethod method, bool json) {
  absl::StatusOr<FrameworkArg> framework = ParseFrameworkArg(cmd.flags.Get("framework"));
  if (!framework.ok()) Usage(cmd, std::string(framework.status().message()));
  v1::ComputeWeightsRequest request;
  request.mutable_framework()->set_code(framework->code);
  request.mutable_framework()->set_version(framework->version);
  request.set_method(codecs::ToProto(method));
  request.set_label(cmd.flags.Get("label"));
  if (method == index::WeightingMethod::kAhp) {
    if (cmd.flags.Get("matrices").empty()) {
      Usage(cmd,
            "--matrices DIR is required with --framework: one <node_code>.csv judgement "
            "matrix per node with two or more children");
    }
    index::AhpOptions options = AhpOptionsFrom(cmd);  // validates --ri and --method
    v1::AhpParameters* ahp = request.mutable_ahp();
    ahp->set_random_index(codecs::ToProto(options.random_index));
    ahp->set_priority_method(codecs::ToProto(options.method));
    ahp->set_cr_threshold(CrThreshold(cmd));
    absl::StatusOr<bool> require = cmd.flags.GetBool("require_consistent");
    if (!require.ok()) Usage(cmd, std::string(require.status().message()));
    ahp->set_require_consistent(*require);
    absl::StatusOr<std::vector<v1::JudgementMatrix>> matrices =
        ReadMatrixDir(cmd.flags.Get("matrices"));
    if (!matrices.ok()) return Fail(cmd.program, matrices.status());
    for (v1::JudgementMatrix& m : *matrices) *ahp->add_matrices() = std::move(m);
  } else if (index::IsDataDriven(method)) {
    if (cmd.flags.Get("period").empty()) {
      Usage(cmd, "--period P is required with --framework for data-driven weights");
    }
    absl::StatusOr<int32_t> period = ParsePeriod(cmd.flags.Get("period"));
    if (!period.ok()) Usage(cmd, absl::StrCat("--period: ", period.status().message()));
    v1::DataSelection* data = request.mutable_data();
    data->set_period(*period);
    for (const std::string& region : ListFlag(cmd.flags.Get("regions"))) {
      data->add_region_codes(region);
    }
    data->set_scope(ProtoNamedFlag<v1::ObjectiveScope>(cmd, "scope"));
    data->set_missing(ProtoNamedFlag<v1::MissingValues>(cmd, "missing"));
    if (method == index::WeightingMethod::kPca) {
      absl::StatusOr<double> min_eigenvalue = cmd.flags.GetDouble("pca_min_eigenvalue");
      if (!min_eigenvalue.ok()) Usage(cmd, std::string(min_eigenvalue.status().message()));
      data->set_pca_min_eigenvalue(*min_eigenvalue);
    }
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "weighting");
  if (!channel.ok()) return Fail(cmd.program, channel.status());
  auto stub = v1::WeightingService::NewStub(*channel);
  v1::ComputeWeightsResponse response;
  absl::Status status = CallUnary(*stub, &Stub::ComputeWeights, request, &response, cmd.timeout);
  if (!status.ok()) {
    return Fail(cmd.program,
                absl::Status(status.code(), absl::StrCat("weighting service: ", status.message())),
                status.code() == absl::StatusCode::kUnavailable
                    ? "is the weighting service running? Check with 'innoscope status', or "
                      "pass --weighting_address; offline, use --matrix M.csv or --data D.csv"
                    : "");
  }
  const v1::WeightSet& set = response.weight_set();
  if (json) {
    PrintLine(JsonLine(WeightSetJson(set, std::string(EnumToName(method)), response.created())));
    return 0;
  }
  TableFormat format = TableFormat::kCsv;
  std::string out;
  TableWriter writer(format, {"node", "parent", "level", "local_weight", "global_weight"}, &out);
  for (const v1::NodeWeight& w : set.weights()) {
    writer.Row({Cell::Text(w.code()), Cell::Text(w.parent_code()),
                Cell::Number(absl::StrCat(w.level())), Cell::Number(FormatDouble(w.local_weight())),
                Cell::Number(FormatDouble(w.global_weight()))});
  }
  writer.Finish();
  std::fputs(out.c_str(), stdout);
  std::fprintf(stderr, "weight_set=%s framework=%s version=%d created=%s\n", set.id().c_str(),
               set.framework().code().c_str(), set.framework().version(),
               response.created() ? "true" : "false");
  for (const v1::MatrixDiagnostics& d : set.matrices()) {
    std::fprintf(stderr, "matrix=%s lambda_max=%s ci=%s cr=%s consistent=%s\n",
                 d.node_code().c_str(), FormatDouble(d.lambda_max()).c_str(),
                 FormatDouble(d.ci()).c_str(), FormatDouble(d.cr()).c_str(),
                 d.consistent() ? "true" : "false");
  }
  return 0;
}

// ------------------------------------------------------------- command

int RunMethod(index::WeightingMethod method, const std::vector<std::string>& args) {
  const bool ahp = method == index::WeightingMethod::kAhp;
  config::FlagSet flags = CommandFlags(
      absl::StrCat("weights ", EnumToName(method)),
      ahp ? "AHP priorities and consistency of a judgement matrix (offline, --matrix), or of one "
            "matrix per node of a stored framework (weighting service, --framework --matrices)."
          : absl::StrCat(DisplayName(method),
                         " weights of the indicators of a data file (offline, --data), or of a "
                         "stored framework's leaves for one period (weighting service, "
                         "--framework --period)."),
      {"weighting"});
  flags.AddBool("json", false, "print one JSON object instead of CSV");
  flags.Add("framework", "",
            "online: stored framework CODE or CODE@VERSION (default: the latest version)");
  flags.Add("label", "", "online: free text stored with the weight set");
  if (ahp) {
    flags.Add("matrix", "",
              "offline: judgement matrix CSV (item names in header and first column)");
    flags.Add("matrices", "",
              "online: directory with one <node_code>.csv judgement matrix per node");
    flags.Add("ri", std::string(EnumToName(index::RandomIndexTable::kSaaty)),
              "random index table: saaty (Saaty 1980) or cn (Chinese software)");
    flags.Add("method", std::string(EnumToName(index::AhpPriorityMethod::kEigenvector)),
              "priorities: eigenvector or geometric (row means)");
    flags.Add("cr_threshold", "0.1", "a matrix is consistent when CR is below this");
    flags.AddBool("require_consistent", false,
                  "online: fail when a matrix is at or above --cr_threshold");
  } else {
    flags.Add("data", "",
              "offline: wide CSV, regions in the first column, one column per indicator");
    flags.Add("directions", "",
              "offline: CSV indicator,direction (1/-1, benefit/cost); unlisted = +1");
    flags.Add("region_column", "", "offline: column holding the regions (default: the first)");
    flags.Add("ignore_columns", "", "offline: comma-separated text columns to skip");
    flags.Add("period", "", "online: the year whose observations are weighted");
    flags.Add("regions", "", "online: comma-separated region codes (default: all with data)");
    flags.Add("scope", "all_leaves",
              "online: all_leaves (one computation over every leaf) or within_parent");
    flags.Add("missing", "fail",
              "missing values: fail, column_mean (impute the mean) or drop_region");
    flags.Add("pca_min_eigenvalue", "1", "pca: keep components with eigenvalue above this");
  }
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  absl::StatusOr<bool> json = cmd.flags.GetBool("json");
  if (!json.ok()) Usage(cmd, std::string(json.status().message()));
  const std::string file_flag = ahp ? "matrix" : "data";
  const bool offline = !cmd.flags.Get(file_flag).empty();
  const bool online = !cmd.flags.Get("framework").empty();
  if (offline && online) {
    Usage(cmd, absl::StrCat("give either --", file_flag,
                            " (offline) or --framework (online), "
                            "not both"));
  }
  if (!offline && !online) {
    Usage(cmd, ahp ? "give --matrix M.csv (offline) or --framework CODE[@VERSION] --matrices "
                     "DIR (weighting service)"
                   : "give --data D.csv (offline) or --framework CODE[@VERSION] --period P "
                     "(weighting service)");
  }
  if (online) {
    if (!ahp && !cmd.flags.Get("directions").empty()) {
      Usage(cmd, "--directions is for --data; online, directions come from the framework");
    }
    return Online(cmd, method, *json);
  }
  if (ahp && !cmd.flags.Get("matrices").empty()) {
    Usage(cmd, "--matrices is for --framework; offline, give one matrix with --matrix");
  }
  return ahp ? OfflineAhp(cmd, *json) : OfflineObjective(cmd, method, *json);
}

}  // namespace

int RunWeights(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kWeightsUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::optional<index::WeightingMethod> method =
      EnumFromName<index::WeightingMethod>(args[0]);
  if (!method || !IsCommand(*method)) {
    std::fprintf(stderr, "innoscope weights: unknown method \"%s\"\n\n%s", args[0].c_str(),
                 kWeightsUsage);
    return 2;
  }
  return RunMethod(*method, std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace innoscope::cli
