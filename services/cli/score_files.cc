#include "services/cli/score_files.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <unordered_set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/index/csv.h"
#include "libs/index/data_csv.h"
#include "libs/index/framework_csv.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/weights.h"
#include "services/cli/number_text.h"
#include "services/cli/observation_csv.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

const std::vector<std::string>& MissingTokens() {
  static const auto* tokens = new std::vector<std::string>{"", "NA"};
  return *tokens;
}

int FirstColumn(const index::CsvTable& table, std::initializer_list<absl::string_view> names) {
  for (absl::string_view name : names) {
    if (int c = table.Column(name); c >= 0) return c;
  }
  return -1;
}

absl::Status LineError(int64_t line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", message));
}

// "a, b, c" with at most `limit` names, then "and N more".
std::string Names(const std::vector<std::string>& names, size_t limit = 10) {
  std::vector<std::string> shown(names.begin(), names.begin() + std::min(limit, names.size()));
  std::string out = absl::StrJoin(shown, ", ");
  if (names.size() > limit) absl::StrAppend(&out, " and ", names.size() - limit, " more");
  return out;
}

absl::StatusOr<bool> ParseYesNo(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (t.empty() || t == "na" || t == "false" || t == "0" || t == "no") return false;
  if (t == "true" || t == "1" || t == "yes") return true;
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not true/false, 1/0 or yes/no"));
}

}  // namespace

absl::StatusOr<FrameworkFile> ParseFrameworkFile(absl::string_view text) {
  ASSIGN_OR_RETURN(index::CsvTable table, index::ParseCsvTable(text));
  FrameworkFile out;
  if (table.Column("iCode") >= 0) {
    ASSIGN_OR_RETURN(index::CoinrMeta meta, index::ParseCoinrMetaCsv(text));
    out.layout = "coinr";
    out.denominator_codes = meta.CodesOfType("Denominator");
    out.group_codes = meta.CodesOfType("Group");
    out.framework = std::move(meta.framework);
    return out;
  }
  int levels = 0;
  for (int k = 1; k <= 16; ++k) {
    const std::string prefix = absl::StrCat("level", k, "_");
    if (FirstColumn(table, {prefix + "zh", prefix + "en", prefix + "code"}) >= 0) levels = k;
  }
  if (levels == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the framework file is neither COINr metadata (columns Level,iCode,iName,Direction,"
        "Weight,Unit,Target,Denominator,Parent,Type) nor the level1_/level2_/... layout "
        "(columns level1_en or level1_zh, ...); its header is: ",
        Names(table.header)));
  }
  index::LeveledCsvOptions options;
  options.levels = levels;
  ASSIGN_OR_RETURN(out.framework, index::ParseLeveledFrameworkCsv(text, options));
  out.layout = "levels";
  return out;
}

absl::StatusOr<ScoringData> ParseScoringData(absl::string_view text, const FrameworkFile& framework,
                                             const ScoringDataOptions& options) {
  ASSIGN_OR_RETURN(index::CsvTable table, index::ParseCsvTable(text));
  if (table.header.empty()) return absl::InvalidArgumentError("the data file has no header");
  std::string region_column = options.region_column;
  if (region_column.empty()) {
    for (const std::string& name : DefaultRegionColumns()) {
      if (table.Column(name) >= 0) {
        region_column = name;
        break;
      }
    }
    if (region_column.empty()) region_column = table.header[0];
  } else if (table.Column(region_column) < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--region_column '", region_column, "' is not a column of the data file"));
  }
  const index::Framework& f = framework.framework;
  const std::vector<std::string> leaves = f.LeafCodes();
  std::vector<std::string> denominators;
  if (options.denominators) {
    std::set<std::string> seen;
    for (int leaf : f.Leaves()) {
      const std::string& d = f.Node(leaf).denominator;
      if (!d.empty() && seen.insert(d).second) denominators.push_back(d);
    }
  }
  std::vector<std::string> absent;
  for (const std::string& code : leaves) {
    if (table.Column(code) < 0) absent.push_back(code);
  }
  if (!absent.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the data file has no column for the framework's indicator(s) ", Names(absent),
                     "; every leaf of the framework needs a column named by its code"));
  }
  for (const std::string& code : denominators) {
    if (table.Column(code) < 0) absent.push_back(code);
  }
  if (!absent.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--denominate: the data file has no column for the denominator(s) ",
                     Names(absent), " named in the framework's Denominator column"));
  }
  if (!options.group_column.empty() && table.Column(options.group_column) < 0) {
    return absl::InvalidArgumentError(absl::StrCat("--group_column '", options.group_column,
                                                   "' is not a column of the data file"));
  }
  std::unordered_set<std::string> wanted(leaves.begin(), leaves.end());
  wanted.insert(denominators.begin(), denominators.end());
  wanted.insert(region_column);
  if (!options.group_column.empty()) wanted.insert(options.group_column);
  ScoringData out;
  index::WideCsvOptions wide;
  wide.region_column = region_column;
  if (!options.group_column.empty()) wide.label_columns = {options.group_column};
  for (const std::string& name : table.header) {
    if (wanted.count(name) == 0 && std::find(wide.ignore_columns.begin(), wide.ignore_columns.end(),
                                             name) == wide.ignore_columns.end()) {
      wide.ignore_columns.push_back(name);
      out.skipped_columns.push_back(name);
    }
  }
  ASSIGN_OR_RETURN(index::WideCsvData data, index::ParseWideCsv(text, wide));
  ASSIGN_OR_RETURN(out.leaves, index::SelectIndicators(data.matrix, leaves));
  if (options.denominators) {
    ASSIGN_OR_RETURN(out.denominators, index::SelectIndicators(data.matrix, denominators));
  }
  if (!options.group_column.empty()) out.groups = data.labels.at(options.group_column);
  return out;
}

absl::StatusOr<std::map<std::string, index::NormaliseSpec>> ParseNormalisationCsv(
    absl::string_view text, const index::Framework& framework, const index::NormaliseSpec& base) {
  ASSIGN_OR_RETURN(index::CsvTable table, index::ParseCsvTable(text));
  const int code_col = FirstColumn(table, {"indicator", "iCode", "code"});
  const int method_col = table.Column("method");
  if (code_col < 0 || method_col < 0) {
    return absl::InvalidArgumentError(
        "the normalisation file needs the columns indicator and method (optional: lower, upper, "
        "goal_min, goal_max, target, log)");
  }
  const int lower_col = table.Column("lower");
  const int upper_col = table.Column("upper");
  const int goal_min_col = table.Column("goal_min");
  const int goal_max_col = table.Column("goal_max");
  const int target_col = table.Column("target");
  const int log_col = table.Column("log");
  std::map<std::string, index::NormaliseSpec> out;
  for (const index::CsvRow& row : table.rows) {
    const std::string code(absl::StripAsciiWhitespace(row.fields[code_col]));
    const int node = framework.Find(code);
    if (node < 0 || !framework.IsLeaf(node)) {
      return LineError(row.line, absl::StrCat("'", code,
                                              "' is not an indicator (leaf) of the "
                                              "framework"));
    }
    if (out.count(code) > 0) return LineError(row.line, absl::StrCat("'", code, "' twice"));
    index::NormaliseSpec spec = base;
    if (!absl::StripAsciiWhitespace(row.fields[method_col]).empty()) {
      absl::StatusOr<index::NormaliseMethod> method =
          ParseEnumIgnoringCase<index::NormaliseMethod>(row.fields[method_col]);
      if (!method.ok()) return LineError(row.line, method.status().message());
      spec.method = *method;
    }
    struct Optional {
      int column;
      const char* name;
      std::optional<double>* value;
    };
    std::optional<double> lower, upper;
    for (const Optional& field :
         {Optional{lower_col, "lower", &lower}, Optional{upper_col, "upper", &upper},
          Optional{goal_min_col, "goal_min", &spec.goal_min},
          Optional{goal_max_col, "goal_max", &spec.goal_max},
          Optional{target_col, "target", &spec.target}}) {
      if (field.column < 0) continue;
      absl::StatusOr<double> v = index::ParseNumberCell(row.fields[field.column], MissingTokens());
      if (!v.ok()) {
        return LineError(row.line, absl::StrCat(field.name, ": ", v.status().message()));
      }
      if (!index::IsMissingValue(*v)) *field.value = *v;
    }
    if (lower) spec.lower = *lower;
    if (upper) spec.upper = *upper;
    if (log_col >= 0) {
      absl::StatusOr<bool> log = ParseYesNo(row.fields[log_col]);
      if (!log.ok()) return LineError(row.line, absl::StrCat("log: ", log.status().message()));
      spec.log_scale = *log;
    }
    out.emplace(code, spec);
  }
  return out;
}

absl::StatusOr<scoring::AggregationSpec> ParseAggregation(absl::string_view text) {
  const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  const size_t colon = name.find(':');
  const std::optional<scoring::AggregationMethod> method =
      EnumFromName<scoring::AggregationMethod>(name.substr(0, colon));
  if (!method) {
    std::vector<std::string> choices;
    for (scoring::AggregationMethod m : EnumValues<scoring::AggregationMethod>()) {
      choices.push_back(m == scoring::AggregationMethod::kGeneralised
                            ? absl::StrCat(EnumToName(m), ":P (e.g. ", EnumToName(m), ":0.5)")
                            : std::string(EnumToName(m)));
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown aggregation '", text, "'; use one of ",
                                                   absl::StrJoin(choices, ", ")));
  }
  scoring::AggregationSpec spec;
  spec.method = *method;
  if (spec.method != scoring::AggregationMethod::kGeneralised) {
    if (colon != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", text, "': only the generalised mean takes an exponent (generalised:P)"));
    }
    return spec;
  }
  double power = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtod(absl::string_view(name).substr(colon + 1), &power) ||
      !std::isfinite(power)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "': give the generalised mean's exponent, e.g. generalised:0.5"));
  }
  spec.power = power;
  return spec;
}

std::string AggregationName(const scoring::AggregationSpec& spec) {
  if (spec.method == scoring::AggregationMethod::kGeneralised) {
    return absl::StrCat(EnumToName(spec.method), ":", FormatDouble(spec.power));
  }
  return std::string(EnumToName(spec.method));
}

absl::StatusOr<std::map<int, scoring::AggregationSpec>> ParseAggregationByLevel(
    absl::string_view text) {
  std::map<int, scoring::AggregationSpec> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    const size_t eq = item.find('=');
    int level = 0;
    if (eq == absl::string_view::npos ||
        !absl::SimpleAtoi(absl::StripAsciiWhitespace(item.substr(0, eq)), &level) || level < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", item,
          "': write LEVEL=METHOD with LEVEL >= 2 (leaves are level 1), e.g. 3=geometric"));
    }
    ASSIGN_OR_RETURN(out[level], ParseAggregation(item.substr(eq + 1)));
  }
  return out;
}

absl::StatusOr<std::vector<double>> ParseWeightsCsv(absl::string_view text,
                                                    const index::Framework& framework,
                                                    WeightsScope scope) {
  ASSIGN_OR_RETURN(index::CsvTable table, index::ParseCsvTable(text));
  const int code_col = FirstColumn(table, {"node", "indicator", "item", "code", "iCode"});
  const int weight_col = FirstColumn(table, {"weight", "Weight"});
  if (code_col < 0 || weight_col < 0) {
    return absl::InvalidArgumentError(
        "the weights file needs a column node (or indicator, item, code, iCode) and a column "
        "weight");
  }
  std::vector<std::optional<double>> given(framework.Nodes().size());
  for (const index::CsvRow& row : table.rows) {
    const std::string code(absl::StripAsciiWhitespace(row.fields[code_col]));
    const int node = framework.Find(code);
    if (node < 0) {
      return LineError(row.line, absl::StrCat("'", code, "' is not a node of the framework"));
    }
    if (given[node]) return LineError(row.line, absl::StrCat("'", code, "' twice"));
    absl::StatusOr<double> w = index::ParseNumberCell(row.fields[weight_col], MissingTokens());
    if (!w.ok() || index::IsMissingValue(*w) || *w < 0) {
      return LineError(row.line,
                       absl::StrCat("the weight of '", code, "' must be a finite number >= 0"));
    }
    if (scope == WeightsScope::kAllLeaves && !framework.IsLeaf(node)) {
      return LineError(row.line, absl::StrCat("'", code,
                                              "' is not a leaf; with --weights_scope "
                                              "all_leaves list the indicators only"));
    }
    given[node] = *w;
  }
  if (scope == WeightsScope::kAllLeaves) {
    std::vector<double> leaves;
    std::vector<std::string> absent;
    for (int leaf : framework.Leaves()) {
      if (!given[leaf]) absent.push_back(framework.Node(leaf).code);
      leaves.push_back(given[leaf].value_or(0));
    }
    if (!absent.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("with --weights_scope all_leaves every indicator needs a weight; missing: ",
                       Names(absent)));
    }
    return index::LocalWeightsFromLeaves(framework, leaves);
  }
  std::vector<index::FrameworkNode> nodes = framework.Nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (given[i]) nodes[i].weight = given[i];
  }
  ASSIGN_OR_RETURN(index::Framework weighted, index::Framework::Create(std::move(nodes)));
  return index::FixedWeights(weighted);
}

std::string ScoresCsv(const index::Framework& framework, const scoring::PipelineResult& result) {
  std::string out;
  TableWriter writer(TableFormat::kCsv, {"region", "node", "score", "rank"}, &out);
  const index::DataMatrix& scores = result.scores;
  for (size_t r = 0; r < scores.rows(); ++r) {
    for (size_t node = 0; node < framework.Nodes().size(); ++node) {
      const double score = scores.Get(r, node);
      const int rank = result.ranks[node][r];
      writer.Row({Cell::Text(scores.regions()[r]), Cell::Text(framework.Node(node).code),
                  std::isfinite(score) ? Cell::Number(FormatDouble(score)) : Cell::Absent(),
                  rank > 0 ? Cell::Number(absl::StrCat(rank)) : Cell::Absent()});
    }
  }
  writer.Finish();
  return out;
}

}  // namespace innoscope::cli
