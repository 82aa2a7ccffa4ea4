#include "libs/index/framework_csv.h"

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/index/csv.h"
#include "libs/index/data_csv.h"

namespace innoscope::index {
namespace {

const std::vector<std::string> kMissingTokens = {"", "NA"};

absl::Status RowError(const CsvRow& row, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("CSV line ", row.line, ": ", what));
}

// Reads optional named columns of one row, treating "NA"/"" as absent.
class RowReader {
 public:
  RowReader(const CsvTable& table, const CsvRow& row) : table_(table), row_(row) {}

  // Trimmed text of `column`; empty when the column is absent or NA.
  std::string Text(absl::string_view column) const {
    const int c = table_.Column(column);
    if (c < 0) return "";
    std::string text(absl::StripAsciiWhitespace(row_.fields[c]));
    return text == "NA" ? "" : text;
  }

  // Number in `column`, nullopt when absent; errors name the column.
  absl::StatusOr<std::optional<double>> Number(absl::string_view column) const {
    const int c = table_.Column(column);
    if (c < 0) return std::optional<double>();
    absl::StatusOr<double> v = ParseNumberCell(row_.fields[c], kMissingTokens);
    if (!v.ok()) {
      return RowError(row_, absl::StrCat("column '", column, "': ", v.status().message()));
    }
    if (IsMissingValue(*v)) return std::optional<double>();
    return std::optional<double>(*v);
  }

  // Integer in `column`, or `fallback` when absent.
  absl::StatusOr<int> Integer(absl::string_view column, int fallback) const {
    absl::StatusOr<std::optional<double>> v = Number(column);
    if (!v.ok()) return v.status();
    if (!v->has_value()) return fallback;
    const double d = **v;
    if (d != std::floor(d) || std::fabs(d) > 1e6) {
      return RowError(row_, absl::StrCat("column '", column, "': ", d, " is not a small integer"));
    }
    return static_cast<int>(d);
  }

 private:
  const CsvTable& table_;
  const CsvRow& row_;
};

absl::Status RequireHeader(const CsvTable& table, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (table.Column(name) < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("framework CSV lacks the column '", name, "'"));
    }
  }
  return absl::OkStatus();
}

// Parses "benefit"/"cost" style polarity into a direction.
absl::StatusOr<int> ParsePolarity(const CsvRow& row, absl::string_view text) {
  const std::string p = absl::AsciiStrToLower(text);
  if (p.empty() || p == "benefit" || p == "positive" || p == "+" || p == "1" || p == "+1") {
    return 1;
  }
  if (p == "cost" || p == "negative" || p == "-" || p == "-1") return -1;
  return RowError(row, absl::StrCat("unknown polarity '", text, "' (expected benefit or cost)"));
}

}  // namespace

std::vector<std::string> CoinrMeta::CodesOfType(absl::string_view type) const {
  std::vector<std::string> codes;
  for (const AuxiliaryVariable& v : auxiliary) {
    if (v.type == type) codes.push_back(v.code);
  }
  return codes;
}

absl::StatusOr<CoinrMeta> ParseCoinrMetaCsv(absl::string_view text) {
  absl::StatusOr<CsvTable> table = ParseCsvTable(text);
  if (!table.ok()) return table.status();
  if (absl::Status s = RequireHeader(*table, {"iCode", "Level", "Parent"}); !s.ok()) {
    return s;
  }
  CoinrMeta meta;
  std::vector<FrameworkNode> nodes;
  for (const CsvRow& row : table->rows) {
    RowReader read(*table, row);
    const std::string code = read.Text("iCode");
    if (code.empty()) return RowError(row, "empty iCode");
    std::string type = read.Text("Type");
    if (type.empty()) type = "Indicator";
    if (type == "Group" || type == "Denominator" || type == "Other") {
      meta.auxiliary.push_back({code, read.Text("iName"), type, read.Text("Unit")});
      continue;
    }
    if (type != "Indicator" && type != "Aggregate") {
      return RowError(row, absl::StrCat("node '", code, "': unknown Type '", type,
                                        "' (expected Indicator, Aggregate, Group, "
                                        "Denominator or Other)"));
    }
    FrameworkNode node;
    node.code = code;
    node.name = read.Text("iName");
    node.name_en = node.name;
    node.parent = read.Text("Parent");
    node.unit = read.Text("Unit");
    node.denominator = read.Text("Denominator");
    absl::StatusOr<int> level = read.Integer("Level", 0);
    if (!level.ok()) return level.status();
    if (*level < 1) {
      return RowError(row, absl::StrCat("node '", code, "' needs a Level >= 1"));
    }
    node.level = *level;
    absl::StatusOr<int> direction = read.Integer("Direction", 1);
    if (!direction.ok()) return direction.status();
    node.direction = *direction;
    absl::StatusOr<std::optional<double>> weight = read.Number("Weight");
    if (!weight.ok()) return weight.status();
    node.weight = *weight;
    absl::StatusOr<std::optional<double>> target = read.Number("Target");
    if (!target.ok()) return target.status();
    node.target = *target;
    nodes.push_back(std::move(node));
  }
  absl::StatusOr<Framework> framework = Framework::Create(std::move(nodes));
  if (!framework.ok()) return framework.status();
  meta.framework = *std::move(framework);
  return meta;
}

std::string SlugCode(absl::string_view text) {
  std::string slug;
  bool pending_separator = false;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      if (pending_separator && !slug.empty()) slug.push_back('_');
      pending_separator = false;
      slug.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else {
      pending_separator = true;
    }
  }
  return slug;
}

absl::StatusOr<Framework> ParseLeveledFrameworkCsv(absl::string_view text,
                                                   const LeveledCsvOptions& options) {
  if (options.levels < 1 || options.levels > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("levels must be between 1 and 16, got ", options.levels));
  }
  if (options.root_code.empty()) {
    return absl::InvalidArgumentError("root_code must not be empty");
  }
  absl::StatusOr<CsvTable> table = ParseCsvTable(text);
  if (!table.ok()) return table.status();
  const int levels = options.levels;
  for (int k = 1; k <= levels; ++k) {
    const std::string prefix = absl::StrCat("level", k);
    if (table->Column(prefix + "_zh") < 0 && table->Column(prefix + "_en") < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("framework CSV lacks both '", prefix, "_zh' and '", prefix, "_en'"));
    }
  }

  // Node ids by path of names (zh, en of level 1, then of level 2, ...,
  // joined by ASCII unit/record separators), so that repeated parent rows
  // map to one node.
  std::map<std::string, int> by_path;
  std::vector<FrameworkNode> nodes;
  std::vector<std::optional<double>> global;  // as printed, per node
  FrameworkNode root;
  root.code = options.root_code;
  root.name = options.root_name;
  root.name_en = options.root_name;
  root.level = levels + 1;
  root.weight = 1.0;
  nodes.push_back(root);
  global.push_back(1.0);

  for (const CsvRow& row : table->rows) {
    RowReader read(*table, row);
    std::string path;
    int parent = 0;
    for (int k = 1; k <= levels; ++k) {
      const std::string prefix = absl::StrCat("level", k);
      const std::string zh = read.Text(prefix + "_zh");
      const std::string en = read.Text(prefix + "_en");
      if (zh.empty() && en.empty()) {
        return RowError(row, absl::StrCat(prefix, " has no name"));
      }
      absl::StrAppend(&path, zh, "\x1f", en, "\x1e");
      absl::StatusOr<std::optional<double>> weight = read.Number(prefix + "_weight");
      if (!weight.ok()) return weight.status();
      const bool deepest = k == levels;
      auto it = by_path.find(path);
      if (it != by_path.end()) {
        const int id = it->second;
        if (deepest) {
          return RowError(row,
                          absl::StrCat("indicator '", nodes[id].code, "' appears on two rows"));
        }
        if (global[id] != *weight) {
          return RowError(row, absl::StrCat("node '", nodes[id].code, "' has a different ", prefix,
                                            "_weight than on an earlier row"));
        }
        parent = id;
        continue;
      }
      FrameworkNode node;
      node.code = read.Text(prefix + "_code");
      if (node.code.empty() && deepest) node.code = read.Text("code");
      if (node.code.empty()) node.code = SlugCode(en);
      if (node.code.empty()) node.code = zh;
      node.name = zh.empty() ? en : zh;
      node.name_en = en;
      node.parent = nodes[parent].code;
      node.level = levels + 1 - k;
      if (deepest) {
        absl::StatusOr<int> direction = ParsePolarity(row, read.Text("polarity"));
        if (!direction.ok()) return direction.status();
        node.direction = *direction;
        node.unit = read.Text("unit_zh");
        if (node.unit.empty()) node.unit = read.Text("unit_en");
        node.measurement = read.Text("measurement_zh");
        if (node.measurement.empty()) node.measurement = read.Text("measurement_en");
      }
      if (weight->has_value()) {
        const std::optional<double>& parent_global = global[parent];
        if (!parent_global.has_value() || *parent_global <= 0) {
          return RowError(row, absl::StrCat("node '", node.code, "' has a weight but its parent '",
                                            nodes[parent].code, "' has no positive weight"));
        }
        node.weight = **weight / *parent_global;
      }
      const int id = static_cast<int>(nodes.size());
      by_path.emplace(path, id);
      nodes.push_back(std::move(node));
      global.push_back(*weight);
      parent = id;
    }
  }
  if (nodes.size() == 1) {
    return absl::InvalidArgumentError("framework CSV has no indicator rows");
  }
  return Framework::Create(std::move(nodes));
}

}  // namespace innoscope::index
