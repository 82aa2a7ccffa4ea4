#include "services/cli/record_csv.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/index/csv_stream.h"
#include "libs/index/data_csv.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework_csv.h"
#include "services/cli/batch_id.h"
#include "services/cli/number_text.h"
#include "services/cli/observation_csv.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::ingest::v1;

constexpr absl::string_view kFixHint =
    "fix these lines and run the same command again; nothing was sent";

// Named access to the columns of one file layout: required and optional
// columns by name, every other column as an "extra" (attributes, tags).
class Columns {
 public:
  static absl::StatusOr<Columns> Resolve(const index::CsvStream& csv, absl::string_view what,
                                         const std::vector<std::string>& required,
                                         const std::vector<std::string>& optional,
                                         bool allow_extra) {
    Columns columns;
    columns.header_ = csv.header();
    std::vector<std::string> missing;
    for (const std::string& name : required) {
      const int c = csv.Column(name);
      if (c < 0) missing.push_back(name);
      columns.index_[name] = c;
    }
    if (!missing.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " file lacks the column(s) ", absl::StrJoin(missing, ","), "; expected ",
          absl::StrJoin(required, ","), optional.empty() ? "" : "[,",
          absl::StrJoin(optional, "][,"), optional.empty() ? "" : "]",
          allow_extra ? "[,<extra>...]" : "", "; found ", absl::StrJoin(csv.header(), ",")));
    }
    for (const std::string& name : optional) columns.index_[name] = csv.Column(name);
    for (size_t c = 0; c < csv.header().size(); ++c) {
      const std::string& name = csv.header()[c];
      const bool known = columns.index_.count(name) > 0;
      if (known) continue;
      if (!allow_extra || name.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, " file: unexpected column ", c + 1, " '", name, "'; expected ",
                         absl::StrJoin(required, ","), "[,", absl::StrJoin(optional, "][,"), "]"));
      }
      columns.extras_.push_back(static_cast<int>(c));
    }
    return columns;
  }

  // Trimmed cell of a named column; "" when the column is absent.
  std::string Cell(const index::CsvRow& row, const std::string& name) const {
    const int c = index_.at(name);
    return c < 0 ? "" : std::string(absl::StripAsciiWhitespace(row.fields[c]));
  }
  // Non-empty extra cells by column name, e.g. attributes.
  std::map<std::string, std::string> Extras(const index::CsvRow& row) const {
    std::map<std::string, std::string> out;
    for (int c : extras_) {
      std::string value(absl::StripAsciiWhitespace(row.fields[c]));
      if (!value.empty()) out[header_[c]] = std::move(value);
    }
    return out;
  }

 private:
  std::vector<std::string> header_;
  std::map<std::string, int> index_;
  std::vector<int> extras_;
};

// Reads every row of `text` through `read_row`, which adds row errors to
// `errors`.
absl::Status ForEachRow(absl::string_view text, absl::string_view what,
                        const std::vector<std::string>& required,
                        const std::vector<std::string>& optional, bool allow_extra,
                        ErrorList& errors,
                        const std::function<void(const Columns&, const index::CsvRow&)>& read_row) {
  absl::StatusOr<index::CsvStream> csv = index::CsvStream::Open(text);
  if (!csv.ok()) return csv.status();
  absl::StatusOr<Columns> columns = Columns::Resolve(*csv, what, required, optional, allow_extra);
  if (!columns.ok()) return columns.status();
  std::vector<index::CsvRow> rows;
  while (true) {
    absl::StatusOr<bool> more = csv->Next(&rows);
    if (!more.ok()) return more.status();
    if (!*more) break;
    for (const index::CsvRow& row : rows) read_row(*columns, row);
  }
  return errors.ToStatus(kFixHint);
}

// "research_institute" -> ACTOR_KIND_RESEARCH_INSTITUTE through the enum's
// generated parser; false for unknown words and for the UNSPECIFIED value.
template <typename Enum>
bool ParseEnumWord(const std::string& word, absl::string_view prefix,
                   bool (*parse)(const std::string&, Enum*), Enum* out) {
  if (word.empty()) return false;
  const std::string upper = absl::AsciiStrToUpper(word);
  return parse(absl::StrCat(prefix, upper), out) && static_cast<int>(*out) != 0;
}

std::optional<bool> ParseFlag(const std::string& text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t.empty() || t == "false" || t == "no" || t == "n" || t == "0" || t == "f") return false;
  if (t == "true" || t == "yes" || t == "y" || t == "1" || t == "t") return true;
  return std::nullopt;
}

// An optional number cell: nullopt when empty or NA; false (with the error
// added) when the text is not a finite number.
bool ParseOptionalNumber(const index::CsvRow& row, const Columns& columns, const std::string& name,
                         ErrorList& errors, std::optional<double>* out) {
  const std::string cell = columns.Cell(row, name);
  absl::StatusOr<double> v = index::ParseNumberCell(cell, {"", "NA"});
  if (!v.ok()) {
    errors.Add(absl::StrCat("line ", row.line, ", column '", name, "': ", v.status().message()));
    return false;
  }
  *out = index::IsMissingValue(*v) ? std::nullopt : std::optional<double>(*v);
  return true;
}

bool RequireCell(const index::CsvRow& row, const Columns& columns, const std::string& name,
                 ErrorList& errors, std::string* out) {
  *out = columns.Cell(row, name);
  if (out->empty()) errors.Add(absl::StrCat("line ", row.line, ": empty ", name));
  return !out->empty();
}

v1::FrameworkNode ToProto(const index::FrameworkNode& n) {
  v1::FrameworkNode p;
  p.set_code(n.code);
  p.set_name(n.name);
  p.set_name_en(n.name_en);
  p.set_parent_code(n.parent);
  p.set_level(n.level);
  p.set_direction(n.direction);
  if (n.weight.has_value()) p.set_weight(*n.weight);
  p.set_unit(n.unit);
  p.set_denominator_code(n.denominator);
  if (n.goal_min.has_value()) p.set_goal_min(*n.goal_min);
  if (n.goal_max.has_value()) p.set_goal_max(*n.goal_max);
  if (n.target.has_value()) p.set_target(*n.target);
  p.set_measurement(n.measurement);
  return p;
}

void AddSortedMap(BatchHasher& hasher, const google::protobuf::Map<std::string, std::string>& map) {
  // Protobuf map iteration order is unspecified; hash in key order.
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  hasher.AddInt(static_cast<int64_t>(sorted.size()));
  for (const auto& [key, value] : sorted) {
    hasher.AddString(key);
    hasher.AddString(value);
  }
}

// Number of levelK_ column groups of a leveled framework file.
int CountLevels(const std::vector<std::string>& header) {
  int levels = 0;
  for (int k = 1; k <= 16; ++k) {
    const std::string prefix = absl::StrCat("level", k);
    const bool present = std::find(header.begin(), header.end(), prefix + "_zh") != header.end() ||
                         std::find(header.begin(), header.end(), prefix + "_en") != header.end();
    if (!present) break;
    levels = k;
  }
  return levels;
}

}  // namespace

absl::StatusOr<std::vector<v1::Region>> ParseRegionsCsv(absl::string_view text) {
  std::vector<v1::Region> regions;
  std::set<std::string> seen;
  ErrorList errors("regions file");
  absl::Status status = ForEachRow(
      text, "regions", {"code", "name", "kind"}, {"parent", "name_en"}, /*allow_extra=*/true,
      errors, [&](const Columns& columns, const index::CsvRow& row) {
        v1::Region region;
        std::string code, name;
        bool ok = RequireCell(row, columns, "code", errors, &code);
        ok = RequireCell(row, columns, "name", errors, &name) && ok;
        v1::RegionKind kind = v1::REGION_KIND_UNSPECIFIED;
        const std::string kind_word = columns.Cell(row, "kind");
        if (!ParseEnumWord(kind_word, "REGION_KIND_", &v1::RegionKind_Parse, &kind)) {
          errors.Add(absl::StrCat("line ", row.line, ": kind '", kind_word,
                                  "' is not country, province, city, cluster or custom"));
          ok = false;
        }
        if (ok && !seen.insert(code).second) {
          errors.Add(absl::StrCat("line ", row.line, ": region '", code, "' appears twice"));
          ok = false;
        }
        if (!ok) return;
        region.set_code(code);
        region.set_name(name);
        region.set_kind(kind);
        region.set_parent_code(columns.Cell(row, "parent"));
        region.set_name_en(columns.Cell(row, "name_en"));
        for (auto& [key, value] : columns.Extras(row)) (*region.mutable_attributes())[key] = value;
        regions.push_back(std::move(region));
      });
  if (!status.ok()) return status;
  return regions;
}

absl::StatusOr<std::vector<v1::SetClusterMembersRequest>> ParseClusterMembersCsv(
    absl::string_view text) {
  std::vector<v1::SetClusterMembersRequest> requests;
  std::map<std::string, size_t> by_cluster;  // cluster -> index in requests
  std::set<std::string> seen;                // cluster \x1f member \x1f first_year
  ErrorList errors("cluster members file");
  absl::Status status = ForEachRow(
      text, "cluster members", {"cluster", "member"}, {"first_year", "last_year"},
      /*allow_extra=*/false, errors, [&](const Columns& columns, const index::CsvRow& row) {
        std::string cluster, member;
        bool ok = RequireCell(row, columns, "cluster", errors, &cluster);
        ok = RequireCell(row, columns, "member", errors, &member) && ok;
        // An empty year is unbounded (0 in the API).
        int32_t years[2] = {0, 0};
        const char* names[2] = {"first_year", "last_year"};
        for (int i = 0; i < 2; ++i) {
          const std::string cell = columns.Cell(row, names[i]);
          if (cell.empty()) continue;
          absl::StatusOr<int32_t> year = ParsePeriod(cell);
          if (!year.ok()) {
            errors.Add(absl::StrCat("line ", row.line, ", column '", names[i],
                                    "': ", year.status().message()));
            ok = false;
            continue;
          }
          years[i] = *year;
        }
        if (ok && years[0] != 0 && years[1] != 0 && years[0] > years[1]) {
          errors.Add(absl::StrCat("line ", row.line, ": first_year ", years[0],
                                  " is after last_year ", years[1]));
          ok = false;
        }
        if (ok && cluster == member) {
          errors.Add(absl::StrCat("line ", row.line, ": cluster '", cluster,
                                  "' cannot be its own member"));
          ok = false;
        }
        if (ok && !seen.insert(absl::StrCat(cluster, "\x1f", member, "\x1f", years[0])).second) {
          errors.Add(absl::StrCat("line ", row.line, ": member '", member, "' of cluster '",
                                  cluster, "' with the same first_year appears twice"));
          ok = false;
        }
        if (!ok) return;
        auto [it, added] = by_cluster.emplace(cluster, requests.size());
        if (added) {
          requests.emplace_back();
          requests.back().set_cluster_code(cluster);
        }
        v1::ClusterMember* m = requests[it->second].add_members();
        m->set_member_code(member);
        m->set_first_period(years[0]);
        m->set_last_period(years[1]);
      });
  if (!status.ok()) return status;
  return requests;
}

absl::StatusOr<std::vector<v1::Indicator>> ParseIndicatorsCsv(absl::string_view text) {
  std::vector<v1::Indicator> indicators;
  std::set<std::string> seen;
  ErrorList errors("indicators file");
  absl::Status status = ForEachRow(
      text, "indicators", {"code", "name"}, {"name_en", "unit", "description", "is_count"},
      /*allow_extra=*/false, errors, [&](const Columns& columns, const index::CsvRow& row) {
        std::string code, name;
        bool ok = RequireCell(row, columns, "code", errors, &code);
        ok = RequireCell(row, columns, "name", errors, &name) && ok;
        std::optional<bool> is_count = ParseFlag(columns.Cell(row, "is_count"));
        if (!is_count.has_value()) {
          errors.Add(absl::StrCat("line ", row.line, ": is_count '", columns.Cell(row, "is_count"),
                                  "' is not true or false"));
          ok = false;
        }
        if (ok && !seen.insert(code).second) {
          errors.Add(absl::StrCat("line ", row.line, ": indicator '", code, "' appears twice"));
          ok = false;
        }
        if (!ok) return;
        v1::Indicator indicator;
        indicator.set_code(code);
        indicator.set_name(name);
        indicator.set_name_en(columns.Cell(row, "name_en"));
        indicator.set_unit(columns.Cell(row, "unit"));
        indicator.set_description(columns.Cell(row, "description"));
        indicator.set_is_count(*is_count);
        indicators.push_back(std::move(indicator));
      });
  if (!status.ok()) return status;
  return indicators;
}

absl::StatusOr<LinedMessages<v1::Actor>> ParseActorsCsv(absl::string_view text) {
  LinedMessages<v1::Actor> out;
  std::set<std::string> seen;
  ErrorList errors("actors file");
  absl::Status status = ForEachRow(
      text, "actors", {"code", "name", "kind"},
      {"province", "city", "sample", "platform", "foreign", "layer"}, /*allow_extra=*/true, errors,
      [&](const Columns& columns, const index::CsvRow& row) {
        v1::Actor actor;
        std::string code, name;
        bool ok = RequireCell(row, columns, "code", errors, &code);
        ok = RequireCell(row, columns, "name", errors, &name) && ok;
        v1::ActorKind kind = v1::ACTOR_KIND_UNSPECIFIED;
        const std::string kind_word = columns.Cell(row, "kind");
        if (!ParseEnumWord(kind_word, "ACTOR_KIND_", &v1::ActorKind_Parse, &kind)) {
          errors.Add(absl::StrCat("line ", row.line, ": kind '", kind_word,
                                  "' is not enterprise, investor, university, "
                                  "research_institute, government, alliance or other"));
          ok = false;
        }
        v1::Layer layer = v1::LAYER_UNSPECIFIED;
        const std::string layer_word = columns.Cell(row, "layer");
        if (!layer_word.empty() && !ParseEnumWord(layer_word, "LAYER_", &v1::Layer_Parse, &layer)) {
          errors.Add(absl::StrCat("line ", row.line, ": layer '", layer_word,
                                  "' is not foundation, technology or application"));
          ok = false;
        }
        bool flags[3] = {false, false, false};
        const char* flag_names[3] = {"sample", "platform", "foreign"};
        for (int f = 0; f < 3; ++f) {
          std::optional<bool> v = ParseFlag(columns.Cell(row, flag_names[f]));
          if (!v.has_value()) {
            errors.Add(absl::StrCat("line ", row.line, ": ", flag_names[f], " '",
                                    columns.Cell(row, flag_names[f]), "' is not true or false"));
            ok = false;
          } else {
            flags[f] = *v;
          }
        }
        if (ok && !seen.insert(code).second) {
          errors.Add(absl::StrCat("line ", row.line, ": actor '", code, "' appears twice"));
          ok = false;
        }
        if (!ok) return;
        actor.set_code(code);
        actor.set_name(name);
        actor.set_kind(kind);
        actor.set_province_code(columns.Cell(row, "province"));
        actor.set_city_code(columns.Cell(row, "city"));
        actor.set_sample(flags[0]);
        actor.set_platform(flags[1]);
        actor.set_foreign(flags[2]);
        actor.set_layer(layer);
        for (auto& [key, value] : columns.Extras(row)) (*actor.mutable_attributes())[key] = value;
        out.messages.push_back(std::move(actor));
        out.lines.push_back(row.line);
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<LinedMessages<v1::Relation>> ParseRelationsCsv(absl::string_view text) {
  LinedMessages<v1::Relation> out;
  ErrorList errors("relations file");
  std::map<std::string, int> key_lines;  // the service's key -> first line
  absl::Status status = ForEachRow(
      text, "relations", {"source", "target", "type", "year"}, {"weight", "amount", "qualifier"},
      /*allow_extra=*/true, errors, [&](const Columns& columns, const index::CsvRow& row) {
        std::string source, target, type;
        bool ok = RequireCell(row, columns, "source", errors, &source);
        ok = RequireCell(row, columns, "target", errors, &target) && ok;
        ok = RequireCell(row, columns, "type", errors, &type) && ok;
        absl::StatusOr<int32_t> year = ParsePeriod(columns.Cell(row, "year"));
        if (!year.ok()) {
          errors.Add(absl::StrCat("line ", row.line, ", column 'year': ", year.status().message()));
          ok = false;
        }
        std::optional<double> weight, amount;
        ok = ParseOptionalNumber(row, columns, "weight", errors, &weight) && ok;
        ok = ParseOptionalNumber(row, columns, "amount", errors, &amount) && ok;
        const std::string qualifier = columns.Cell(row, "qualifier");
        if (ok) {
          auto [it, inserted] =
              key_lines.emplace(absl::StrCat(source.size(), ":", source, target.size(), ":", target,
                                             type.size(), ":", type, *year, ":", qualifier),
                                row.line);
          if (!inserted) {
            errors.Add(absl::StrCat("line ", row.line, ": the relation (", source, ", ", target,
                                    ", ", type, ", ", *year, ", qualifier '", qualifier,
                                    "') repeats line ", it->second,
                                    "; tell them apart with the qualifier column"));
            ok = false;
          }
        }
        if (!ok) return;
        v1::Relation relation;
        relation.set_source_code(source);
        relation.set_target_code(target);
        relation.set_type(type);
        relation.set_period(*year);
        relation.set_qualifier(qualifier);
        if (weight.has_value()) relation.set_weight(*weight);
        if (amount.has_value()) relation.set_amount(*amount);
        for (auto& [key, value] : columns.Extras(row)) (*relation.mutable_tags())[key] = value;
        out.messages.push_back(std::move(relation));
        out.lines.push_back(row.line);
      });
  if (!status.ok()) return status;
  return out;
}

void OrderParentsFirst(std::vector<v1::Region>* regions) {
  std::map<std::string, size_t> by_code;
  for (size_t i = 0; i < regions->size(); ++i) by_code[(*regions)[i].code()] = i;
  // Depth within the file; a cycle (which the service rejects) stops the walk.
  std::vector<size_t> depth(regions->size(), 0);
  for (size_t i = 0; i < regions->size(); ++i) {
    size_t d = 0;
    std::string parent = (*regions)[i].parent_code();
    while (!parent.empty() && d <= regions->size()) {
      auto it = by_code.find(parent);
      if (it == by_code.end()) break;
      ++d;
      parent = (*regions)[it->second].parent_code();
    }
    depth[i] = d;
  }
  std::vector<size_t> order(regions->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return depth[a] < depth[b]; });
  std::vector<v1::Region> sorted;
  sorted.reserve(regions->size());
  for (size_t i : order) sorted.push_back(std::move((*regions)[i]));
  *regions = std::move(sorted);
}

absl::StatusOr<FrameworkLayout> DetectFrameworkLayout(absl::string_view text) {
  absl::StatusOr<index::CsvStream> csv = index::CsvStream::Open(text);
  if (!csv.ok()) return csv.status();
  if (csv->Column("iCode") >= 0 && csv->Column("Level") >= 0 && csv->Column("Parent") >= 0) {
    return FrameworkLayout::kCoinrMeta;
  }
  if (CountLevels(csv->header()) > 0) return FrameworkLayout::kLeveled;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown framework layout: expected COINr metadata columns (Level,iCode,iName,"
                   "Direction,Weight,Unit,Target,Denominator,Parent,Type) or level1_zh/level1_en,"
                   "level1_weight,level2_... columns; found ",
                   absl::StrJoin(csv->header(), ",")));
}

absl::StatusOr<v1::CreateFrameworkRequest> ParseFrameworkCsv(absl::string_view text,
                                                             const FrameworkImport& import) {
  absl::StatusOr<FrameworkLayout> layout = DetectFrameworkLayout(text);
  if (!layout.ok()) return layout.status();
  v1::CreateFrameworkRequest request;
  request.set_code(import.code);
  request.set_version(import.version);
  if (import.weight_tolerance > 0) request.set_weight_tolerance(import.weight_tolerance);
  std::vector<index::AuxiliaryVariable> denominators;
  index::Framework framework;
  if (*layout == FrameworkLayout::kCoinrMeta) {
    absl::StatusOr<index::CoinrMeta> meta = index::ParseCoinrMetaCsv(text);
    if (!meta.ok()) return meta.status();
    framework = std::move(meta->framework);
    for (const index::AuxiliaryVariable& v : meta->auxiliary) {
      if (v.type == "Denominator") denominators.push_back(v);
    }
  } else {
    absl::StatusOr<index::CsvStream> csv = index::CsvStream::Open(text);
    if (!csv.ok()) return csv.status();
    index::LeveledCsvOptions options;
    options.levels = CountLevels(csv->header());
    options.root_code = import.code;
    options.root_name = import.name.empty() ? import.code : import.name;
    absl::StatusOr<index::Framework> parsed = index::ParseLeveledFrameworkCsv(text, options);
    if (!parsed.ok()) return parsed.status();
    framework = *std::move(parsed);
  }
  for (const index::FrameworkNode& node : framework.Nodes()) {
    *request.add_nodes() = ToProto(node);
  }
  const index::FrameworkNode& root = framework.Node(framework.Root());
  request.set_name(!import.name.empty()    ? import.name
                   : !root.name_en.empty() ? root.name_en
                                           : root.name);
  for (int leaf : framework.Leaves()) {
    const index::FrameworkNode& node = framework.Node(leaf);
    v1::Indicator* indicator = request.add_indicators();
    indicator->set_code(node.code);
    indicator->set_name(node.name);
    indicator->set_name_en(node.name_en);
    indicator->set_unit(node.unit);
    indicator->set_description(node.measurement);
  }
  for (const index::AuxiliaryVariable& v : denominators) {
    v1::Indicator* indicator = request.add_indicators();
    indicator->set_code(v.code);
    indicator->set_name(v.name);
    indicator->set_name_en(v.name);
    indicator->set_unit(v.unit);
  }
  return request;
}

std::string ActorBatchId(absl::Span<const v1::Actor> actors, absl::string_view relation_set,
                         absl::string_view salt) {
  BatchHasher h;
  h.AddString("actors");
  h.AddString(relation_set);
  h.AddString(salt);
  for (const v1::Actor& a : actors) {
    h.AddString(a.code());
    h.AddString(a.name());
    h.AddInt(a.kind());
    h.AddString(a.province_code());
    h.AddString(a.city_code());
    h.AddInt((a.sample() ? 1 : 0) | (a.platform() ? 2 : 0) | (a.foreign() ? 4 : 0));
    h.AddInt(a.layer());
    AddSortedMap(h, a.attributes());
  }
  return h.BatchId("actors");
}

std::string RelationBatchId(absl::Span<const v1::Relation> relations,
                            absl::string_view relation_set, absl::string_view salt) {
  BatchHasher h;
  h.AddString("relations");
  h.AddString(relation_set);
  h.AddString(salt);
  for (const v1::Relation& r : relations) {
    h.AddString(r.source_code());
    h.AddString(r.target_code());
    h.AddString(r.type());
    h.AddInt(r.period());
    h.AddString(r.qualifier());
    h.AddOptionalDouble(r.has_weight(), r.weight());
    h.AddOptionalDouble(r.has_amount(), r.amount());
    AddSortedMap(h, r.tags());
  }
  return h.BatchId("relations");
}

}  // namespace innoscope::cli
