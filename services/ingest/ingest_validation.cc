#include "services/ingest/ingest_validation.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/server/content_hash.h"

namespace innoscope::ingest {
namespace {

std::string Quote(const std::string& s) { return absl::StrCat("\"", s, "\""); }

// Attribute and tag maps: non-empty keys, no control characters (they are
// stored as JSON objects and read back through a delimited encoding).
void CheckMap(RowErrors& errors, int row, const std::string& field,
              const google::protobuf::Map<std::string, std::string>& map) {
  for (const auto& [key, value] : map) {
    bool control = false;
    for (unsigned char c : key + value) control = control || c < 0x20;
    if (key.empty() || control) {
      errors.Add(
          row, field,
          absl::StrCat("entry ", Quote(key), " needs a non-empty key and no control characters"));
    }
  }
}

// The depth of a forest given by parent indexes (-1 for a root): the most
// edges from a root to any node. Each cycle is reported once in `cycles`,
// by the node where the walk closed it. Linear: each node is walked over
// once; a walk up from a node stops at the first node whose depth is known
// (or that is on the current walk: a cycle), then the depths are assigned
// back down the walked path. Iterative, so a 10^6-node chain needs no deep
// stack.
int TreeDepth(const std::vector<int>& parent, std::vector<int>* cycles) {
  const int n = static_cast<int>(parent.size());
  constexpr int kUnknown = -1, kOnPath = -2, kOnCycle = -3;
  std::vector<int> depth(n, kUnknown);
  std::vector<int> path;
  int deepest = 0;
  for (int start = 0; start < n; ++start) {
    if (depth[start] != kUnknown) continue;
    path.clear();
    int at = start;
    while (at != -1 && depth[at] == kUnknown) {
      depth[at] = kOnPath;
      path.push_back(at);
      at = parent[at];
    }
    int above = -1;  // depth of the node the walk stopped at (-1: above a root)
    if (at != -1 && depth[at] == kOnPath) {
      cycles->push_back(at);
      above = kOnCycle;
    } else if (at != -1) {
      above = depth[at];
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      if (above != kOnCycle) {
        ++above;
        deepest = std::max(deepest, above);
      }
      depth[*it] = above;
    }
  }
  return deepest;
}

}  // namespace

void RowErrors::Add(int row, const std::string& field, const std::string& reason) {
  ++count_;
  if (static_cast<int>(listed_.size()) < kMaxListedErrors) {
    listed_.push_back(row >= 0 ? absl::StrCat("row ", row, " ", field, ": ", reason)
                               : absl::StrCat(field, ": ", reason));
    violations_.push_back({row >= 0 ? absl::StrCat(list_, "[", row, "].", field) : field, reason});
  }
}

absl::Status RowErrors::ToStatus(const std::string& what) const {
  if (count_ == 0) return absl::OkStatus();
  std::string message =
      absl::StrCat(what, ": ", count_, count_ == 1 ? " invalid row" : " invalid rows",
                   " (nothing was written): ", absl::StrJoin(listed_, "; "));
  if (count_ > static_cast<int>(listed_.size())) {
    absl::StrAppend(&message, "; and ", count_ - listed_.size(), " more");
  }
  absl::Status status = absl::InvalidArgumentError(message);
  AttachFieldViolations(violations_, status);
  return status;
}

absl::Status ValidateBatchId(const std::string& batch_id) {
  if (batch_id.empty() || batch_id.size() > 128) {
    return absl::InvalidArgumentError("batch_id: must have 1-128 characters");
  }
  for (char c : batch_id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError("batch_id: only printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

bool IsValidCode(const std::string& code) {
  if (code.empty() || code.size() > 64 || !absl::ascii_isalnum(code[0])) return false;
  for (char c : code) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '-' && c != '.' && c != ':') return false;
  }
  return true;
}

absl::StatusOr<std::vector<v1::Observation>> ValidateObservations(
    const v1::WriteObservationsRequest& request, const Catalog& catalog,
    const FrameworkScope* framework, const IngestLimits& limits) {
  if (absl::Status s = ValidateBatchId(request.batch_id()); !s.ok()) return s;
  if (absl::Status s = CheckBatchRows("observations", request.observations_size(), limits);
      !s.ok()) {
    return s;
  }
  RowErrors errors("observations");
  std::vector<v1::Observation> rows;
  rows.reserve(request.observations_size());
  // Key -> index in rows, to find duplicates within the batch.
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < request.observations_size(); ++i) {
    const v1::Observation& o = request.observations(i);
    bool ok = true;
    if (!std::isfinite(o.value())) {
      errors.Add(i, "value", absl::StrFormat("not finite (%g)", o.value()));
      ok = false;
    }
    if (o.period() < kMinPeriod || o.period() > kMaxPeriod) {
      errors.Add(i, "period",
                 absl::StrCat(o.period(), " is outside ", kMinPeriod, "-", kMaxPeriod));
      ok = false;
    }
    if (!catalog.regions.contains(o.region_code())) {
      errors.Add(i, "region_code",
                 absl::StrCat("unknown region ", Quote(o.region_code()),
                              "; import it first (innoscope import regions)"));
      ok = false;
    }
    auto indicator = catalog.indicators.find(o.indicator_code());
    if (framework != nullptr && framework->aggregates.contains(o.indicator_code())) {
      errors.Add(i, "indicator_code",
                 absl::StrCat(Quote(o.indicator_code()), " is an aggregate node of framework ",
                              framework->code, " v", framework->version,
                              ", not an indicator; only leaves take observations"));
      ok = false;
    } else if (framework != nullptr && !framework->leaves.contains(o.indicator_code())) {
      errors.Add(i, "indicator_code",
                 absl::StrCat(Quote(o.indicator_code()), " is not an indicator of framework ",
                              framework->code, " v", framework->version));
      ok = false;
    } else if (indicator == catalog.indicators.end()) {
      errors.Add(i, "indicator_code",
                 catalog.aggregates.contains(o.indicator_code())
                     ? absl::StrCat(Quote(o.indicator_code()),
                                    " is an aggregate framework node, not an indicator")
                     : absl::StrCat("unknown indicator ", Quote(o.indicator_code())));
      ok = false;
    } else if (indicator->second && o.value() < 0) {
      errors.Add(i, "value",
                 absl::StrCat(o.value(), " is negative but ", o.indicator_code(), " is a count"));
      ok = false;
    }
    if (!ok) continue;
    v1::Observation row = o;
    if (row.source().empty()) row.set_source(request.source());
    std::string key = absl::StrCat(o.region_code(), "\x1f", o.indicator_code(), "\x1f", o.period());
    auto [it, inserted] = seen.emplace(key, static_cast<int>(rows.size()));
    if (!inserted) {
      const v1::Observation& first = rows[it->second];
      double a = first.value(), b = row.value();
      if (std::memcmp(&a, &b, sizeof(double)) != 0 || first.source() != row.source()) {
        errors.Add(i, "value",
                   absl::StrCat("the key (", o.region_code(), ", ", o.indicator_code(), ", ",
                                o.period(), ") appears earlier in this batch with another value"));
      }
      continue;  // identical duplicate: stored once
    }
    rows.push_back(std::move(row));
  }
  if (!errors.empty()) return errors.ToStatus(absl::StrCat("batch ", request.batch_id()));
  return rows;
}

absl::Status ValidateRegions(const v1::UpsertRegionsRequest& request, const Catalog& catalog) {
  RowErrors errors("regions");
  absl::flat_hash_set<std::string> in_request;
  for (const v1::Region& r : request.regions()) in_request.insert(r.code());
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < request.regions_size(); ++i) {
    const v1::Region& r = request.regions(i);
    if (!IsValidCode(r.code())) {
      errors.Add(
          i, "code",
          absl::StrCat(Quote(r.code()), " is not a code ([A-Za-z0-9][A-Za-z0-9_.:-]{0,63})"));
    } else if (!seen.insert(r.code()).second) {
      errors.Add(i, "code", absl::StrCat(Quote(r.code()), " appears twice"));
    }
    if (r.name().empty()) errors.Add(i, "name", "required");
    CheckMap(errors, i, "attributes", r.attributes());
    if (r.kind() == v1::REGION_KIND_UNSPECIFIED || !v1::RegionKind_IsValid(r.kind())) {
      errors.Add(i, "kind", "required: country, province, city, cluster or custom");
    }
    if (!r.parent_code().empty()) {
      if (r.parent_code() == r.code()) {
        errors.Add(i, "parent_code", "a region cannot contain itself");
      } else if (!catalog.regions.contains(r.parent_code()) &&
                 !in_request.contains(r.parent_code())) {
        errors.Add(i, "parent_code", absl::StrCat("unknown region ", Quote(r.parent_code())));
      }
    }
  }
  return errors.ToStatus("regions");
}

absl::Status ValidateIndicators(const v1::UpsertIndicatorsRequest& request) {
  RowErrors errors("indicators");
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < request.indicators_size(); ++i) {
    const v1::Indicator& ind = request.indicators(i);
    if (!IsValidCode(ind.code())) {
      errors.Add(i, "code", absl::StrCat(Quote(ind.code()), " is not a code"));
    } else if (!seen.insert(ind.code()).second) {
      errors.Add(i, "code", absl::StrCat(Quote(ind.code()), " appears twice"));
    }
  }
  return errors.ToStatus("indicators");
}

absl::Status ValidateFramework(const v1::CreateFrameworkRequest& request, const Catalog& catalog,
                               const IngestLimits& limits) {
  if (!IsValidCode(request.code())) {
    return absl::InvalidArgumentError(
        absl::StrCat("code: ", Quote(request.code()), " is not a framework code"));
  }
  if (request.version() < 0) return absl::InvalidArgumentError("version: must be >= 0");
  if (request.nodes_size() == 0)
    return absl::InvalidArgumentError("nodes: a framework needs nodes");
  RETURN_IF_ERROR(CheckLimit(absl::StatusCode::kInvalidArgument, "nodes", "nodes",
                             request.nodes_size(), limits.max_framework_nodes,
                             kMaxFrameworkNodesFlag));
  RETURN_IF_ERROR(CheckBatchRows("indicators", request.indicators_size(), limits));
  if (absl::Status convention =
          codecs::CheckProtoEnum(request.weight_convention(), "weight_convention");
      !convention.ok()) {
    return convention;
  }
  RowErrors errors("nodes");
  absl::flat_hash_map<std::string, int> index;  // code -> node index
  for (int i = 0; i < request.nodes_size(); ++i) {
    const v1::FrameworkNode& n = request.nodes(i);
    if (!IsValidCode(n.code())) {
      errors.Add(i, "code", absl::StrCat(Quote(n.code()), " is not a code"));
    } else if (!index.emplace(n.code(), i).second) {
      errors.Add(i, "code", absl::StrCat("duplicate code ", Quote(n.code())));
    }
  }
  if (!errors.empty()) return errors.ToStatus("framework " + request.code());

  std::vector<std::vector<int>> children(request.nodes_size());
  int roots = 0;
  for (int i = 0; i < request.nodes_size(); ++i) {
    const v1::FrameworkNode& n = request.nodes(i);
    if (n.parent_code().empty()) {
      ++roots;
      continue;
    }
    auto parent = index.find(n.parent_code());
    if (parent == index.end()) {
      errors.Add(i, "parent_code",
                 absl::StrCat("orphan: parent ", Quote(n.parent_code()), " is not a node"));
    } else {
      children[parent->second].push_back(i);
    }
  }
  if (roots != 1) {
    errors.Add(-1, "nodes",
               absl::StrCat("expected exactly one root (a node without parent), found ", roots));
  }
  if (!errors.empty()) return errors.ToStatus("framework " + request.code());
  // Cycles and depth (every parent is a node now).
  std::vector<int> parent(request.nodes_size(), -1);
  for (int i = 0; i < request.nodes_size(); ++i) {
    if (!request.nodes(i).parent_code().empty()) {
      parent[i] = index.at(request.nodes(i).parent_code());
    }
  }
  std::vector<int> cycles;
  const int depth = TreeDepth(parent, &cycles);
  for (int i : cycles) {
    errors.Add(i, "parent_code", absl::StrCat("cycle through ", Quote(request.nodes(i).code())));
  }
  if (!errors.empty()) return errors.ToStatus("framework " + request.code());
  RETURN_IF_ERROR(CheckLimit(absl::StatusCode::kInvalidArgument, "nodes",
                             "edges from the root "
                             "to the deepest leaf",
                             depth, limits.max_framework_depth, kMaxFrameworkDepthFlag));

  absl::flat_hash_set<std::string> declared;
  for (const v1::Indicator& ind : request.indicators()) declared.insert(ind.code());
  if (request.has_weight_tolerance() &&
      !(std::isfinite(request.weight_tolerance()) && request.weight_tolerance() >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("weight_tolerance: ", request.weight_tolerance(), " is not a number >= 0"));
  }
  const double tolerance = request.has_weight_tolerance() ? request.weight_tolerance() : 1e-3;
  for (int i = 0; i < request.nodes_size(); ++i) {
    const v1::FrameworkNode& n = request.nodes(i);
    bool leaf = children[i].empty();
    if (n.direction() != 1 && n.direction() != -1) {
      errors.Add(i, "direction", absl::StrCat(n.direction(), " is not +1 or -1"));
    }
    if (n.has_weight() && !(std::isfinite(n.weight()) && n.weight() >= 0)) {
      errors.Add(i, "weight", absl::StrCat(n.weight(), " is not a finite weight >= 0"));
    }
    // Goalposts and targets finite, as every reader of a stored framework
    // requires (index::Framework::Create): what ingest stores can be scored.
    if (n.has_goal_min() != n.has_goal_max()) {
      errors.Add(i, "goal_min", "goalposts need both goal_min and goal_max");
    } else if (n.has_goal_min() && !(std::isfinite(n.goal_min()) && std::isfinite(n.goal_max()))) {
      errors.Add(
          i, std::isfinite(n.goal_min()) ? "goal_max" : "goal_min",
          absl::StrCat("goalposts must be finite, got ", n.goal_min(), " and ", n.goal_max()));
    } else if (n.has_goal_min() && !(n.goal_min() < n.goal_max())) {
      errors.Add(i, "goal_max",
                 absl::StrCat("goal_max ", n.goal_max(), " is not above goal_min ", n.goal_min()));
    }
    if (n.has_target() && !std::isfinite(n.target())) {
      errors.Add(i, "target", absl::StrCat(n.target(), " is not finite"));
    }
    if (leaf) {
      if (n.level() != 1) {
        errors.Add(i, "level",
                   absl::StrCat("leaf ", Quote(n.code()), " must be level 1, is ", n.level()));
      }
      if (!catalog.indicators.contains(n.code()) && !declared.contains(n.code())) {
        errors.Add(i, "code",
                   absl::StrCat("leaf ", Quote(n.code()),
                                " is not an indicator in the catalogue or the request"));
      }
    } else {
      for (int c : children[i]) {
        if (request.nodes(c).level() >= n.level()) {
          errors.Add(c, "level",
                     absl::StrCat("level ", request.nodes(c).level(),
                                  " is not below its parent's level ", n.level()));
        }
      }
      // Weight convention: when every child has a weight, they must sum to 1
      // (local weights) or, for published global weights, to the parent's
      // weight; COINr's relative weights (all 1) are also accepted.
      bool all_weighted = true;
      double sum = 0;
      for (int c : children[i]) {
        all_weighted = all_weighted && request.nodes(c).has_weight();
        sum += request.nodes(c).weight();
      }
      if (all_weighted && sum <= 0) {
        errors.Add(i, "weight",
                   absl::StrCat("the weights of ", Quote(n.code()), "'s children sum to 0"));
      } else if (all_weighted && request.weight_convention() == v1::WEIGHT_CONVENTION_LOCAL &&
                 std::fabs(sum - 1) > tolerance) {
        errors.Add(i, "weight",
                   absl::StrFormat("the local weights of %s's children sum to %.6g, not 1 "
                                   "(tolerance %g)",
                                   Quote(n.code()), sum, tolerance));
      } else if (all_weighted && request.weight_convention() == v1::WEIGHT_CONVENTION_GLOBAL) {
        double expected = n.parent_code().empty() ? 1.0 : n.weight();
        if (!n.parent_code().empty() && !n.has_weight()) {
          errors.Add(i, "weight", "global weights need a weight on every inner node");
        } else if (std::fabs(sum - expected) > tolerance) {
          errors.Add(i, "weight",
                     absl::StrFormat("the weights of %s's children sum to %.6g, not its "
                                     "weight %.6g (tolerance %g)",
                                     Quote(n.code()), sum, expected, tolerance));
        }
      }
    }
    if (!n.denominator_code().empty() && !catalog.indicators.contains(n.denominator_code()) &&
        !declared.contains(n.denominator_code())) {
      errors.Add(i, "denominator_code",
                 absl::StrCat("unknown indicator ", Quote(n.denominator_code())));
    }
  }
  return errors.ToStatus("framework " + request.code());
}

bool IsBuiltinRelationType(const std::string& type) {
  return type == "technology_input" || type == "technology_empowerment" || type == "investment" ||
         type == "financing" || type == "human_capital" || type == "cooperation";
}

absl::StatusOr<std::string> RelationSetName(const std::string& requested) {
  if (requested.empty()) return std::string("default");
  if (!IsValidCode(requested)) {
    return absl::InvalidArgumentError(
        absl::StrCat("relation_set: ", Quote(requested), " is not a code"));
  }
  return requested;
}

absl::Status ValidateActors(const v1::UpsertActorsRequest& request, const Catalog& catalog,
                            const IngestLimits& limits) {
  if (absl::Status s = ValidateBatchId(request.batch_id()); !s.ok()) return s;
  if (absl::StatusOr<std::string> set = RelationSetName(request.relation_set()); !set.ok()) {
    return set.status();
  }
  if (absl::Status s = CheckBatchRows("actors", request.actors_size(), limits); !s.ok()) return s;
  RowErrors errors("actors");
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < request.actors_size(); ++i) {
    const v1::Actor& a = request.actors(i);
    if (!IsValidCode(a.code())) {
      errors.Add(i, "code", absl::StrCat(Quote(a.code()), " is not a code"));
    } else if (!seen.emplace(a.code(), i).second) {
      errors.Add(i, "code", absl::StrCat(Quote(a.code()), " appears twice in this batch"));
    }
    if (a.kind() == v1::ACTOR_KIND_UNSPECIFIED || !v1::ActorKind_IsValid(a.kind())) {
      errors.Add(i, "kind",
                 "required: enterprise, investor, university, research_institute, "
                 "government, alliance or other");
    }
    if (!v1::Layer_IsValid(a.layer())) errors.Add(i, "layer", "unknown layer");
    CheckMap(errors, i, "attributes", a.attributes());
    for (const auto* field : {&a.province_code(), &a.city_code()}) {
      if (!field->empty() && !catalog.regions.contains(*field)) {
        errors.Add(i, field == &a.province_code() ? "province_code" : "city_code",
                   absl::StrCat("unknown region ", Quote(*field)));
      }
    }
  }
  return errors.ToStatus(absl::StrCat("batch ", request.batch_id()));
}

absl::Status ValidateRelations(const v1::WriteRelationsRequest& request,
                               const absl::flat_hash_set<std::string>& known_actors,
                               const IngestLimits& limits) {
  if (absl::Status s = ValidateBatchId(request.batch_id()); !s.ok()) return s;
  if (absl::StatusOr<std::string> set = RelationSetName(request.relation_set()); !set.ok()) {
    return set.status();
  }
  if (absl::Status s = CheckBatchRows("relations", request.relations_size(), limits); !s.ok()) {
    return s;
  }
  RowErrors errors("relations");
  absl::flat_hash_set<std::string> keys;
  for (int i = 0; i < request.relations_size(); ++i) {
    const v1::Relation& r = request.relations(i);
    for (const auto* field : {&r.source_code(), &r.target_code()}) {
      if (!known_actors.contains(*field)) {
        errors.Add(i, field == &r.source_code() ? "source_code" : "target_code",
                   absl::StrCat("unknown actor ", Quote(*field), "; import actors first"));
      }
    }
    bool type_ok = IsValidCode(r.type()) && absl::AsciiStrToLower(r.type()) == r.type();
    if (!type_ok) {
      errors.Add(i, "type", absl::StrCat(Quote(r.type()), " is not a lower_snake_case type"));
    } else if (r.source_code() == r.target_code() && IsBuiltinRelationType(r.type())) {
      errors.Add(i, "target_code",
                 absl::StrCat("self-relation: ", r.type(), " relations need two different actors"));
    }
    if (r.period() < kMinPeriod || r.period() > kMaxPeriod) {
      errors.Add(i, "period",
                 absl::StrCat(r.period(), " is outside ", kMinPeriod, "-", kMaxPeriod));
    }
    if (r.has_weight() && !std::isfinite(r.weight())) errors.Add(i, "weight", "not finite");
    CheckMap(errors, i, "tags", r.tags());
    if (r.has_amount() && !std::isfinite(r.amount())) errors.Add(i, "amount", "not finite");
    if (r.has_amount() && r.amount() < 0) errors.Add(i, "amount", "negative amount");
    std::string key = absl::StrCat(r.source_code(), "\x1f", r.target_code(), "\x1f", r.type(),
                                   "\x1f", r.period(), "\x1f", r.qualifier());
    if (!keys.insert(key).second) {
      errors.Add(
          i, "qualifier",
          "the same relation (source, target, type, period, qualifier) appears twice in this "
          "batch; set a qualifier to tell them apart");
    }
  }
  return errors.ToStatus(absl::StrCat("batch ", request.batch_id()));
}

absl::Status CheckBatchRows(const std::string& field, int size, const IngestLimits& limits) {
  return CheckLimit(absl::StatusCode::kResourceExhausted, field, "rows in one request", size,
                    limits.max_batch_rows, kMaxBatchRowsFlag);
}

std::string ContentHash(const google::protobuf::Message& message) {
  const std::string bytes = server::DeterministicBytes(message);
  return absl::StrFormat("%016x-%d", server::Fnv1a64(bytes), bytes.size());
}

}  // namespace innoscope::ingest
