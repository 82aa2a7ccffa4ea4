#include "libs/recompute/config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "libs/config/yaml_tree.h"

namespace innoscope::recompute {
namespace {

using config::YamlEntry;
using config::YamlNode;

absl::Status Error(int line, const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", path, ": ", what));
}

std::string Quote(absl::string_view text) { return absl::StrCat("'", text, "'"); }

// The entries of a mapping; unknown keys are an error listing the known ones.
absl::Status ExpectMapping(const YamlNode& node, int line, const std::string& path,
                           std::initializer_list<const char*> allowed) {
  if (node.kind != YamlNode::Kind::kMapping) {
    return Error(
        line, path,
        absl::StrCat("expected a mapping (key: value lines or {...}), got ", node.KindName()));
  }
  for (const YamlEntry& e : node.mapping) {
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&](const char* key) { return e.key == key; })) {
      return Error(e.line, path,
                   absl::StrCat("unknown key ", Quote(e.key),
                                " (known: ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

std::string Child(const std::string& path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

absl::StatusOr<std::string> ScalarOf(const YamlEntry& e, const std::string& path) {
  if (e.value.kind != YamlNode::Kind::kScalar) {
    return Error(e.line, path, absl::StrCat("expected a value, got ", e.value.KindName()));
  }
  return e.value.scalar;
}

// [A-Za-z0-9][A-Za-z0-9_.:-]{0,63}: the code alphabet of ingest.
bool IsCode(absl::string_view text) {
  if (text.empty() || text.size() > 64 || !absl::ascii_isalnum(text[0])) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-';
  });
}

absl::StatusOr<std::string> Code(const YamlEntry& e, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ScalarOf(e, path));
  if (!IsCode(text)) {
    return Error(e.line, path,
                 absl::StrCat(Quote(text),
                              " is not a code (letters, digits and _ . : -, "
                              "starting with a letter or digit, at most 64)"));
  }
  return text;
}

absl::StatusOr<int64_t> Integer(const YamlEntry& e, const std::string& path, int64_t min,
                                int64_t max) {
  ASSIGN_OR_RETURN(std::string text, ScalarOf(e, path));
  int64_t value = 0;
  if (e.value.quoted || !absl::SimpleAtoi(text, &value)) {
    return Error(e.line, path, absl::StrCat("expected a whole number, got ", Quote(text)));
  }
  if (value < min || value > max) {
    return Error(e.line, path, absl::StrCat(value, " is outside ", min, "..", max));
  }
  return value;
}

absl::StatusOr<double> Number(const YamlEntry& e, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ScalarOf(e, path));
  double value = 0;
  if (e.value.quoted || !absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    return Error(e.line, path, absl::StrCat("expected a number, got ", Quote(text)));
  }
  return value;
}

absl::StatusOr<bool> Bool(const YamlEntry& e, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ScalarOf(e, path));
  const std::string lower = absl::AsciiStrToLower(text);
  if (!e.value.quoted && lower == "true") return true;
  if (!e.value.quoted && lower == "false") return false;
  return Error(e.line, path, absl::StrCat("expected true or false, got ", Quote(text)));
}

// A word of the enum's table (EnumNames), or of `only` when given.
template <typename Enum>
absl::StatusOr<Enum> Choice(const YamlEntry& e, const std::string& path,
                            std::initializer_list<Enum> only = {}) {
  ASSIGN_OR_RETURN(std::string text, ScalarOf(e, path));
  std::vector<std::string> names;
  for (Enum value : EnumValues<Enum>()) {
    if (only.size() > 0 && std::find(only.begin(), only.end(), value) == only.end()) continue;
    if (text == EnumToName(value)) return value;
    names.emplace_back(EnumToName(value));
  }
  return Error(e.line, path,
               absl::StrCat(Quote(text), " is not one of ", absl::StrJoin(names, ", ")));
}

// A list of words from `allowed` (flow or block), each at most once.
absl::StatusOr<std::vector<std::string>> Words(const YamlEntry& e, const std::string& path,
                                               const std::vector<std::string>& allowed) {
  if (e.value.kind != YamlNode::Kind::kList) {
    return Error(
        e.line, path,
        absl::StrCat("expected a list such as [", allowed[0], "], got ", e.value.KindName()));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < e.value.list.size(); ++i) {
    const YamlNode& item = e.value.list[i];
    const std::string item_path = absl::StrCat(path, "[", i, "]");
    if (item.kind != YamlNode::Kind::kScalar ||
        std::find(allowed.begin(), allowed.end(), item.scalar) == allowed.end()) {
      return Error(
          item.line, item_path,
          absl::StrCat(item.kind == YamlNode::Kind::kScalar ? Quote(item.scalar) : item.KindName(),
                       " is not one of ", absl::StrJoin(allowed, ", ")));
    }
    if (std::find(out.begin(), out.end(), item.scalar) != out.end()) {
      return Error(item.line, item_path, absl::StrCat(Quote(item.scalar), " is listed twice"));
    }
    out.push_back(item.scalar);
  }
  return out;
}

const std::vector<std::string>& ActorKinds() {
  static const auto* k =
      new std::vector<std::string>{"enterprise", "investor", "university", "research_institute",
                                   "government", "alliance", "other"};
  return *k;
}

const std::vector<std::string>& Layers() {
  static const auto* l = new std::vector<std::string>{"foundation", "technology", "application"};
  return *l;
}

// Region kinds, singular and plural, as ingest names them.
const std::map<std::string, std::string>& RegionKindWords() {
  static const auto* k = new std::map<std::string, std::string>{
      {"country", "country"},       {"countries", "country"}, {"province", "province"},
      {"provinces", "province"},    {"city", "city"},         {"cities", "city"},
      {"cluster", "cluster"},       {"clusters", "cluster"},  {"city_cluster", "cluster"},
      {"city_clusters", "cluster"}, {"custom", "custom"},     {"customs", "custom"}};
  return *k;
}

absl::StatusOr<ActorFilterSpec> ParseActorFilter(const YamlEntry& e, const std::string& path) {
  ActorFilterSpec filter;
  if (e.value.kind == YamlNode::Kind::kNull) return filter;  // `partner:` alone = any
  RETURN_IF_ERROR(
      ExpectMapping(e.value, e.line, path, {"sample", "platform", "foreign", "kinds", "layers"}));
  for (const YamlEntry& f : e.value.mapping) {
    const std::string p = Child(path, f.key);
    if (f.key == "sample") {
      ASSIGN_OR_RETURN(filter.sample, Choice<FlagMode>(f, p));
    } else if (f.key == "platform") {
      ASSIGN_OR_RETURN(filter.platform, Choice<FlagMode>(f, p));
    } else if (f.key == "foreign") {
      ASSIGN_OR_RETURN(filter.foreign, Choice<FlagMode>(f, p));
    } else if (f.key == "kinds") {
      ASSIGN_OR_RETURN(filter.kinds, Words(f, p, ActorKinds()));
    } else {
      ASSIGN_OR_RETURN(filter.layers, Words(f, p, Layers()));
    }
  }
  return filter;
}

absl::StatusOr<DerivedIndicator> ParseDerived(const YamlNode& node, const std::string& path) {
  RETURN_IF_ERROR(ExpectMapping(node, node.line, path,
                                {"indicator", "relation_type", "direction", "anchor", "partner",
                                 "international", "aggregate"}));
  DerivedIndicator rule;
  rule.line = node.line;
  for (const YamlEntry& e : node.mapping) {
    const std::string p = Child(path, e.key);
    if (e.key == "indicator") {
      ASSIGN_OR_RETURN(rule.indicator, Code(e, p));
    } else if (e.key == "relation_type") {
      ASSIGN_OR_RETURN(rule.relation_type, ScalarOf(e, p));
      const std::string& t = rule.relation_type;
      if (t.empty() || !absl::ascii_islower(t[0]) || !std::all_of(t.begin(), t.end(), [](char c) {
            return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
          })) {
        return Error(e.line, p,
                     absl::StrCat(Quote(t),
                                  " is not a lower_snake_case relation type "
                                  "(e.g. technology_empowerment)"));
      }
    } else if (e.key == "direction") {
      ASSIGN_OR_RETURN(rule.direction, Choice<Direction>(e, p));
    } else if (e.key == "anchor") {
      ASSIGN_OR_RETURN(rule.anchor, ParseActorFilter(e, p));
    } else if (e.key == "partner") {
      ASSIGN_OR_RETURN(rule.partner, ParseActorFilter(e, p));
    } else if (e.key == "international") {
      ASSIGN_OR_RETURN(rule.international, Choice<FlagMode>(e, p));
    } else {
      ASSIGN_OR_RETURN(rule.aggregate, Choice<Aggregate>(e, p));
    }
  }
  for (const char* required : {"indicator", "relation_type"}) {
    if (node.Find(required) == nullptr) {
      return Error(node.line, path, absl::StrCat("missing required key ", Quote(required)));
    }
  }
  return rule;
}

absl::StatusOr<TierRule> ParseTiers(const YamlEntry& e, const std::string& path) {
  RETURN_IF_ERROR(ExpectMapping(e.value, e.line, path,
                                {"rank_bands", "quantiles", "natural_breaks", "median_split"}));
  if (e.value.mapping.size() != 1) {
    return Error(e.line, path,
                 "give exactly one of rank_bands, quantiles, natural_breaks, "
                 "median_split");
  }
  const YamlEntry& rule = e.value.mapping[0];
  const std::string p = Child(path, rule.key);
  TierRule tiers;
  if (rule.key == "rank_bands") {
    if (rule.value.kind != YamlNode::Kind::kList || rule.value.list.empty()) {
      return Error(rule.line, p, "expected a list of last ranks, e.g. [6, 10, 20]");
    }
    tiers.kind = TierRule::Kind::kRankBands;
    for (size_t i = 0; i < rule.value.list.size(); ++i) {
      YamlEntry item{rule.key, rule.value.list[i].line, rule.value.list[i]};
      ASSIGN_OR_RETURN(int64_t last, Integer(item, absl::StrCat(p, "[", i, "]"), 1, 100000));
      if (!tiers.rank_bands.empty() && last <= tiers.rank_bands.back()) {
        return Error(item.line, p, "last ranks must increase strictly, e.g. [6, 10, 20]");
      }
      tiers.rank_bands.push_back(static_cast<int>(last));
    }
  } else if (rule.key == "quantiles") {
    tiers.kind = TierRule::Kind::kQuantiles;
    ASSIGN_OR_RETURN(int64_t n, Integer(rule, p, 1, 100));
    tiers.classes = static_cast<int>(n);
  } else if (rule.key == "natural_breaks") {
    tiers.kind = TierRule::Kind::kNaturalBreaks;
    ASSIGN_OR_RETURN(int64_t n, Integer(rule, p, 1, 20));
    tiers.classes = static_cast<int>(n);
  } else {
    ASSIGN_OR_RETURN(bool on, Bool(rule, p));
    if (!on) return Error(rule.line, p, "write median_split: true, or leave tiers out");
    tiers.kind = TierRule::Kind::kMedianSplit;
  }
  return tiers;
}

absl::StatusOr<IndexEntry> ParseEntry(const YamlNode& node, const std::string& path) {
  RETURN_IF_ERROR(ExpectMapping(node, node.line, path,
                                {"framework", "version", "periods", "universe", "clusters",
                                 "cluster_aggregate", "relation_set", "relation_years", "weighting",
                                 "presentation", "tiers", "uncertainty", "derived_indicators"}));
  IndexEntry entry;
  entry.line = node.line;
  for (const char* required : {"framework", "periods", "universe"}) {
    if (node.Find(required) == nullptr) {
      return Error(node.line, path, absl::StrCat("missing required key ", Quote(required)));
    }
  }
  for (const YamlEntry& e : node.mapping) {
    const std::string p = Child(path, e.key);
    if (e.key == "framework") {
      ASSIGN_OR_RETURN(entry.framework, Code(e, p));
    } else if (e.key == "version") {
      ASSIGN_OR_RETURN(int64_t v, Integer(e, p, 0, 1000000));
      entry.version = static_cast<int>(v);
    } else if (e.key == "periods") {
      RETURN_IF_ERROR(ExpectMapping(e.value, e.line, p, {"first", "last"}));
      const YamlEntry* first = e.value.Find("first");
      const YamlEntry* last = e.value.Find("last");
      if (first == nullptr || last == nullptr) {
        return Error(e.line, p, "give both years: {first: 2014, last: 2022}");
      }
      ASSIGN_OR_RETURN(int64_t f, Integer(*first, Child(p, "first"), 1000, 9999));
      ASSIGN_OR_RETURN(int64_t l, Integer(*last, Child(p, "last"), 1000, 9999));
      if (f > l) return Error(e.line, p, absl::StrCat("first (", f, ") is after last (", l, ")"));
      if (l - f >= 200) return Error(e.line, p, "more than 200 periods; split the entry");
      entry.first_period = static_cast<int>(f);
      entry.last_period = static_cast<int>(l);
    } else if (e.key == "universe") {
      ASSIGN_OR_RETURN(std::string text, ScalarOf(e, p));
      auto kind = RegionKindWords().find(text);
      if (kind != RegionKindWords().end()) {
        entry.universe.region_kind = kind->second;
      } else if (IsCode(text)) {
        entry.universe.cluster_code = text;
      } else {
        return Error(e.line, p,
                     absl::StrCat(Quote(text),
                                  " is neither a region kind (country, province, "
                                  "city, city_cluster, custom; plural accepted) "
                                  "nor a cluster code"));
      }
    } else if (e.key == "clusters") {
      if (e.value.kind != YamlNode::Kind::kList) {
        return Error(e.line, p,
                     absl::StrCat("expected a list of cluster codes, e.g. [CN-JJJ], "
                                  "got ",
                                  e.value.KindName()));
      }
      for (size_t i = 0; i < e.value.list.size(); ++i) {
        YamlEntry item{e.key, e.value.list[i].line, e.value.list[i]};
        ASSIGN_OR_RETURN(std::string code, Code(item, absl::StrCat(p, "[", i, "]")));
        if (std::find(entry.clusters.begin(), entry.clusters.end(), code) != entry.clusters.end()) {
          return Error(item.line, p, absl::StrCat(Quote(code), " is listed twice"));
        }
        entry.clusters.push_back(code);
      }
    } else if (e.key == "cluster_aggregate") {
      ASSIGN_OR_RETURN(
          entry.cluster_aggregate,
          Choice<ClusterAggregate>(e, p, {ClusterAggregate::kSum, ClusterAggregate::kMean}));
    } else if (e.key == "relation_set") {
      ASSIGN_OR_RETURN(entry.relation_set, Code(e, p));
    } else if (e.key == "relation_years") {
      ASSIGN_OR_RETURN(entry.relation_years, Choice<RelationYears>(e, p));
    } else if (e.key == "weighting") {
      ASSIGN_OR_RETURN(entry.weighting, Choice<Weighting>(e, p));
    } else if (e.key == "presentation") {
      RETURN_IF_ERROR(ExpectMapping(e.value, e.line, p, {"global_weighted", "decimals"}));
      for (const YamlEntry& f : e.value.mapping) {
        if (f.key == "global_weighted") {
          ASSIGN_OR_RETURN(entry.presentation.global_weighted, Bool(f, Child(p, f.key)));
        } else {
          ASSIGN_OR_RETURN(int64_t d, Integer(f, Child(p, f.key), 0, 15));
          entry.presentation.decimals = static_cast<int>(d);
        }
      }
    } else if (e.key == "tiers") {
      ASSIGN_OR_RETURN(entry.tiers, ParseTiers(e, p));
    } else if (e.key == "uncertainty") {
      RETURN_IF_ERROR(
          ExpectMapping(e.value, e.line, p, {"monte_carlo_runs", "weight_fraction", "seed"}));
      for (const YamlEntry& f : e.value.mapping) {
        const std::string q = Child(p, f.key);
        if (f.key == "monte_carlo_runs") {
          ASSIGN_OR_RETURN(entry.uncertainty.monte_carlo_runs, Integer(f, q, 0, 100000));
        } else if (f.key == "weight_fraction") {
          ASSIGN_OR_RETURN(entry.uncertainty.weight_fraction, Number(f, q));
          if (!(entry.uncertainty.weight_fraction > 0 && entry.uncertainty.weight_fraction < 1)) {
            return Error(f.line, q, "must be in (0, 1): weights are scaled by U(1 - f, 1 + f)");
          }
        } else {
          ASSIGN_OR_RETURN(int64_t seed, Integer(f, q, 0, INT64_MAX));
          entry.uncertainty.seed = static_cast<uint64_t>(seed);
        }
      }
    } else {
      if (e.value.kind != YamlNode::Kind::kList) {
        return Error(e.line, p,
                     absl::StrCat("expected a list of rules ('- indicator: ...'), got ",
                                  e.value.KindName()));
      }
      std::map<std::string, int> seen;
      for (size_t i = 0; i < e.value.list.size(); ++i) {
        const std::string q = absl::StrCat(p, "[", i, "]");
        ASSIGN_OR_RETURN(DerivedIndicator rule, ParseDerived(e.value.list[i], q));
        auto [it, inserted] = seen.emplace(rule.indicator, rule.line);
        if (!inserted) {
          return Error(rule.line, q,
                       absl::StrCat("indicator ", Quote(rule.indicator),
                                    " is already derived on line ", it->second));
        }
        entry.derived_indicators.push_back(std::move(rule));
      }
    }
  }
  if (!entry.derived_indicators.empty() && entry.relation_set.empty()) {
    return Error(node.Find("derived_indicators")->line, Child(path, "derived_indicators"),
                 "needs relation_set: the relation set the indicators are derived from");
  }
  return entry;
}

void AppendFilter(std::string* out, absl::string_view name, const ActorFilterSpec& f) {
  absl::StrAppend(out, name, "=sample:", EnumToName(f.sample), ",platform:", EnumToName(f.platform),
                  ",foreign:", EnumToName(f.foreign), ",kinds:", absl::StrJoin(f.kinds, "+"),
                  ",layers:", absl::StrJoin(f.layers, "+"), "\n");
}

}  // namespace

absl::StatusOr<RecomputeConfig> ParseRecomputeConfig(absl::string_view text) {
  ASSIGN_OR_RETURN(YamlNode root, config::ParseYamlTree(text));
  if (root.kind == YamlNode::Kind::kNull) {
    return absl::InvalidArgumentError(
        "the file is empty; it needs 'indices:' with at least one "
        "entry (docs/operations.md, \"Recompute configuration\")");
  }
  RETURN_IF_ERROR(ExpectMapping(root, root.line, "(top level)", {"indices"}));
  const YamlEntry* indices = root.Find("indices");
  if (indices == nullptr) {
    return Error(root.line, "(top level)", "missing required key 'indices'");
  }
  if (indices->value.kind != YamlNode::Kind::kList || indices->value.list.empty()) {
    return Error(indices->line, "indices",
                 "expected a list with at least one entry ('- framework: ...')");
  }
  RecomputeConfig config;
  std::map<std::string, std::pair<size_t, int>> keys;
  for (size_t i = 0; i < indices->value.list.size(); ++i) {
    const std::string path = absl::StrCat("indices[", i, "]");
    ASSIGN_OR_RETURN(IndexEntry entry, ParseEntry(indices->value.list[i], path));
    auto [it, inserted] = keys.emplace(EntryKey(entry), std::make_pair(i, entry.line));
    if (!inserted) {
      return Error(
          entry.line, path,
          absl::StrCat("same framework, universe and weighting as indices[", it->second.first,
                       "] (line ", it->second.second, "); merge the two entries"));
    }
    config.indices.push_back(std::move(entry));
  }
  return config;
}

std::string EntryKey(const IndexEntry& entry) {
  return absl::StrCat(entry.framework, entry.version == 0 ? "" : absl::StrCat("@", entry.version),
                      "/",
                      entry.universe.cluster_code.empty() ? entry.universe.region_kind
                                                          : entry.universe.cluster_code,
                      "/", EnumToName(entry.weighting));
}

std::string CanonicalText(const IndexEntry& e) {
  std::string out;
  absl::StrAppend(
      &out, "framework=", e.framework, "\nversion=", e.version, "\nperiods=", e.first_period, "..",
      e.last_period, "\nuniverse=", e.universe.region_kind, "|", e.universe.cluster_code,
      "\nclusters=", absl::StrJoin(e.clusters, ","),
      "\ncluster_aggregate=", EnumToName(e.cluster_aggregate), "\nrelation_set=", e.relation_set,
      "\nrelation_years=", EnumToName(e.relation_years), "\nweighting=", EnumToName(e.weighting),
      "\n");
  absl::StrAppend(
      &out, "global_weighted=",
      e.presentation.global_weighted ? (*e.presentation.global_weighted ? "true" : "false") : "",
      "\ndecimals=", e.presentation.decimals ? absl::StrCat(*e.presentation.decimals) : "", "\n");
  absl::StrAppend(&out, "tiers=", static_cast<int>(e.tiers.kind), ":",
                  absl::StrJoin(e.tiers.rank_bands, ","), ":", e.tiers.classes, "\n");
  absl::StrAppend(&out, "uncertainty=", e.uncertainty.monte_carlo_runs, ":",
                  e.uncertainty.weight_fraction, ":", e.uncertainty.seed, "\n");
  for (const DerivedIndicator& r : e.derived_indicators) {
    absl::StrAppend(&out, "derived=", r.indicator, ":", r.relation_type, ":",
                    EnumToName(r.direction), ":", EnumToName(r.international), ":",
                    EnumToName(r.aggregate), "\n");
    AppendFilter(&out, " anchor", r.anchor);
    AppendFilter(&out, " partner", r.partner);
  }
  return out;
}

std::vector<std::string> VersionScopes(const IndexEntry& entry) {
  std::vector<std::string> scopes = {absl::StrCat("framework:", entry.framework), "observations",
                                     "regions"};
  if (!entry.relation_set.empty()) scopes.push_back(absl::StrCat("relations:", entry.relation_set));
  std::sort(scopes.begin(), scopes.end());
  return scopes;
}

}  // namespace innoscope::recompute
