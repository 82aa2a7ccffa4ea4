// IngestStore's reference data: the catalogue checks, regions and cluster
// members, indicators, frameworks, and data versions. Observations
// (ingest_store_observations.cc) and actors and relations
// (ingest_store_relations.cc) are revisioned tables written through
// revision_merge.h.

#include "services/ingest/ingest_store.h"

#include <algorithm>
#include <charconv>
#include <pqxx/pqxx>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/storage/copy_writer.h"
#include "services/ingest/revision_merge.h"
#include "services/ingest/sql_text.h"
#include "services/ingest/stored_names.h"

namespace innoscope::ingest {
namespace {}  // namespace

std::string ExactDouble(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

absl::StatusOr<Catalog> IngestStore::LoadCatalog() {
  Catalog catalog;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec("SELECT code FROM regions")) {
      catalog.regions.insert(row[0].as<std::string>());
    }
    for (const auto& row : tx.exec("SELECT code, is_count FROM indicators")) {
      catalog.indicators[row[0].as<std::string>()] = row[1].as<bool>();
    }
    for (const auto& row :
         tx.exec("SELECT DISTINCT n.code FROM framework_nodes n WHERE NOT n.is_leaf "
                 "AND NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = n.code)")) {
      catalog.aggregates.insert(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return catalog;
}

absl::StatusOr<FrameworkScope> IngestStore::LoadFrameworkScope(const std::string& code,
                                                               int version) {
  FrameworkScope scope;
  scope.code = code;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result v = tx.exec_params(
        "SELECT max(version) FROM frameworks WHERE code = $1 AND ($2 = 0 OR version = $2)", code,
        version);
    if (v[0][0].is_null()) {
      return absl::NotFoundError(
          absl::StrCat("framework ", code, version > 0 ? absl::StrCat(" v", version) : "",
                       " does not exist; import it first (innoscope import framework)"));
    }
    scope.version = v[0][0].as<int>();
    for (const auto& row :
         tx.exec_params("SELECT code, is_leaf FROM framework_nodes WHERE framework_code = $1 AND "
                        "framework_version = $2",
                        code, scope.version)) {
      (row[1].as<bool>() ? scope.leaves : scope.aggregates).insert(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return scope;
}

// ------------------------------------------------------------ regions

absl::StatusOr<UpsertCounts> IngestStore::UpsertRegions(const std::vector<v1::Region>& regions,
                                                        const common::CallBudget& budget) {
  UpsertCounts counts;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) {
    counts = UpsertCounts();
    pqxx::work tx(c);
    for (const v1::Region& r : regions) {
      pqxx::result res = tx.exec_params(
          "INSERT INTO regions AS t (code, name, name_en, kind, parent_code, attributes) "
          "VALUES ($1, $2, $3, $4, nullif($5, ''), $6::jsonb) "
          "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, "
          "kind = EXCLUDED.kind, parent_code = EXCLUDED.parent_code, "
          "attributes = EXCLUDED.attributes, updated_at = now() "
          "WHERE (t.name, t.name_en, t.kind, t.parent_code, t.attributes) IS DISTINCT FROM "
          "(EXCLUDED.name, EXCLUDED.name_en, EXCLUDED.kind, EXCLUDED.parent_code, "
          "EXCLUDED.attributes) "
          "RETURNING (xmax = 0)",
          r.code(), r.name(), r.name_en(), StoredName(r.kind()), r.parent_code(),
          JsonObject(r.attributes()));
      if (res.empty()) {
        ++counts.unchanged;
      } else if (res[0][0].as<bool>()) {
        ++counts.inserted;
      } else {
        ++counts.updated;
      }
    }
    RETURN_IF_ERROR(budget.Check("the commit"));
    tx.commit();
    return absl::OkStatus();
  }));
  return counts;
}

absl::StatusOr<std::vector<v1::Region>> IngestStore::ListRegions(v1::RegionKind kind,
                                                                 int64_t offset, int limit,
                                                                 int64_t* total) {
  std::vector<v1::Region> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::string kind_name = kind == v1::REGION_KIND_UNSPECIFIED ? "" : StoredName(kind);
    *total =
        tx.exec_params("SELECT count(*) FROM regions WHERE $1 = '' OR kind = $1", kind_name)[0][0]
            .as<int64_t>();
    for (const auto& row : tx.exec_params(
             absl::StrCat("SELECT code, name, name_en, kind, coalesce(parent_code, ''), ",
                          FlatJson("attributes"),
                          " FROM regions WHERE $1 = '' OR kind = $1 ORDER BY code "
                          "OFFSET $2 LIMIT $3"),
             kind_name, offset, limit)) {
      v1::Region& r = out.emplace_back();
      r.set_code(row[0].as<std::string>());
      r.set_name(row[1].as<std::string>());
      r.set_name_en(row[2].as<std::string>());
      ASSIGN_OR_RETURN(const v1::RegionKind region_kind,
                       FromStored<v1::RegionKind>(row[3].as<std::string>(), "regions.kind"));
      r.set_kind(region_kind);
      r.set_parent_code(row[4].as<std::string>());
      ParseFlatJson(row[5].as<std::string>(), r.mutable_attributes());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<bool> IngestStore::SetClusterMembers(const std::string& cluster,
                                                    const std::vector<v1::ClusterMember>& members,
                                                    const common::CallBudget& budget) {
  bool changed = false;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    pqxx::result k = tx.exec_params("SELECT kind FROM regions WHERE code = $1", cluster);
    if (k.empty())
      return absl::NotFoundError(absl::StrCat("cluster_code: unknown region ", cluster));
    if (k[0][0].as<std::string>() != "cluster") {
      return absl::InvalidArgumentError(absl::StrCat("cluster_code: ", cluster, " is a ",
                                                     k[0][0].as<std::string>(), ", not a cluster"));
    }
    std::vector<std::string> before, after;
    for (const auto& row : tx.exec_params(
             "SELECT member_code || ':' || first_year || ':' || last_year FROM cluster_members "
             "WHERE cluster_code = $1 ORDER BY 1",
             cluster)) {
      before.push_back(row[0].as<std::string>());
    }
    tx.exec_params("DELETE FROM cluster_members WHERE cluster_code = $1", cluster);
    for (const v1::ClusterMember& m : members) {
      tx.exec_params(
          "INSERT INTO cluster_members (cluster_code, member_code, first_year, last_year) "
          "VALUES ($1, $2, $3, $4)",
          cluster, m.member_code(), m.first_period(), m.last_period());
      after.push_back(absl::StrCat(m.member_code(), ":", m.first_period(), ":", m.last_period()));
    }
    std::sort(after.begin(), after.end());
    changed = before != after;
    if (changed) BumpVersions(tx, {"regions"});
    RETURN_IF_ERROR(budget.Check("the commit"));
    tx.commit();
    return absl::OkStatus();
  }));
  return changed;
}

absl::StatusOr<std::vector<v1::ListClusterMembersResponse::Membership>>
IngestStore::ListClusterMembers(const std::string& cluster, int year) {
  std::vector<v1::ListClusterMembersResponse::Membership> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT cluster_code, member_code, first_year, last_year FROM cluster_members "
             "WHERE ($1 = '' OR cluster_code = $1) AND ($2 = 0 OR ((first_year = 0 OR "
             "first_year <= $2) AND (last_year = 0 OR last_year >= $2))) "
             "ORDER BY cluster_code, member_code, first_year",
             cluster, year)) {
      auto& m = out.emplace_back();
      m.set_cluster_code(row[0].as<std::string>());
      m.mutable_member()->set_member_code(row[1].as<std::string>());
      m.mutable_member()->set_first_period(row[2].as<int>());
      m.mutable_member()->set_last_period(row[3].as<int>());
    }
    return absl::OkStatus();
  }));
  return out;
}

// --------------------------------------------------------- indicators

namespace {
constexpr char kUpsertIndicator[] =
    "INSERT INTO indicators AS t (code, name, name_en, unit, description, is_count) "
    "VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, "
    "unit = EXCLUDED.unit, description = EXCLUDED.description, is_count = EXCLUDED.is_count, "
    "updated_at = now() "
    "WHERE (t.name, t.name_en, t.unit, t.description, t.is_count) IS DISTINCT FROM "
    "(EXCLUDED.name, EXCLUDED.name_en, EXCLUDED.unit, EXCLUDED.description, EXCLUDED.is_count) "
    "RETURNING (xmax = 0)";

void UpsertIndicatorRows(pqxx::work& tx, const std::vector<v1::Indicator>& indicators,
                         UpsertCounts* counts) {
  for (const v1::Indicator& ind : indicators) {
    pqxx::result res =
        tx.exec_params(kUpsertIndicator, ind.code(), ind.name().empty() ? ind.code() : ind.name(),
                       ind.name_en(), ind.unit(), ind.description(), ind.is_count());
    if (res.empty()) {
      ++counts->unchanged;
    } else if (res[0][0].as<bool>()) {
      ++counts->inserted;
    } else {
      ++counts->updated;
    }
  }
}
}  // namespace

absl::StatusOr<UpsertCounts> IngestStore::UpsertIndicators(
    const std::vector<v1::Indicator>& indicators, const common::CallBudget& budget) {
  UpsertCounts counts;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) {
    counts = UpsertCounts();
    pqxx::work tx(c);
    UpsertIndicatorRows(tx, indicators, &counts);
    RETURN_IF_ERROR(budget.Check("the commit"));
    tx.commit();
    return absl::OkStatus();
  }));
  return counts;
}

absl::StatusOr<std::vector<v1::Indicator>> IngestStore::ListIndicators(int64_t offset, int limit,
                                                                       int64_t* total) {
  std::vector<v1::Indicator> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    *total = tx.exec("SELECT count(*) FROM indicators")[0][0].as<int64_t>();
    for (const auto& row :
         tx.exec_params("SELECT code, name, name_en, unit, description, is_count FROM indicators "
                        "ORDER BY code OFFSET $1 LIMIT $2",
                        offset, limit)) {
      v1::Indicator& ind = out.emplace_back();
      ind.set_code(row[0].as<std::string>());
      ind.set_name(row[1].as<std::string>());
      ind.set_name_en(row[2].as<std::string>());
      ind.set_unit(row[3].as<std::string>());
      ind.set_description(row[4].as<std::string>());
      ind.set_is_count(row[5].as<bool>());
    }
    return absl::OkStatus();
  }));
  return out;
}

// --------------------------------------------------------- frameworks

absl::StatusOr<v1::CreateFrameworkResponse> IngestStore::CreateFramework(
    const v1::CreateFrameworkRequest& request, const std::string& content_hash,
    const common::CallBudget& budget) {
  v1::CreateFrameworkResponse response;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    response.Clear();
    pqxx::work tx(c);
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('ingest.framework:' || $1))",
                   request.code());
    response.mutable_framework()->set_code(request.code());
    if (request.version() > 0) {
      pqxx::result existing =
          tx.exec_params("SELECT content_hash FROM frameworks WHERE code = $1 AND version = $2",
                         request.code(), request.version());
      if (!existing.empty()) {
        if (existing[0][0].as<std::string>() != content_hash) {
          return absl::AlreadyExistsError(absl::StrCat(
              "framework ", request.code(), " v", request.version(),
              " exists with other content; versions are immutable, create a new version"));
        }
        response.mutable_framework()->set_version(request.version());
        return absl::OkStatus();
      }
    } else {
      pqxx::result latest = tx.exec_params(
          "SELECT version, content_hash FROM frameworks WHERE code = $1 "
          "ORDER BY version DESC LIMIT 1",
          request.code());
      if (!latest.empty() && latest[0][1].as<std::string>() == content_hash) {
        response.mutable_framework()->set_version(latest[0][0].as<int>());
        return absl::OkStatus();  // identical to the latest: a replay
      }
    }
    int version = request.version() > 0
                      ? request.version()
                      : tx.exec_params(
                              "SELECT coalesce(max(version), 0) + 1 FROM frameworks "
                              "WHERE code = $1",
                              request.code())[0][0]
                            .as<int>();
    // Register the indicators the request declares.
    std::vector<v1::Indicator> indicators(request.indicators().begin(), request.indicators().end());
    UpsertCounts counts;
    UpsertIndicatorRows(tx, indicators, &counts);
    tx.exec_params(
        "INSERT INTO frameworks (code, version, name, description, weight_convention, "
        "content_hash) VALUES ($1, $2, $3, $4, $5, $6)",
        request.code(), version, request.name(), request.description(),
        StoredName(request.weight_convention()), content_hash);
    absl::flat_hash_set<std::string> parents;
    for (const v1::FrameworkNode& n : request.nodes()) parents.insert(n.parent_code());
    // One COPY for the nodes, not a statement (and a round trip) per node.
    {
      storage::CopyWriter copy(
          tx, "framework_nodes",
          std::vector<std::string>{"framework_code", "framework_version", "position", "code",
                                   "name", "name_en", "parent_code", "level", "is_leaf",
                                   "direction", "weight", "unit", "denominator_code", "goal_min",
                                   "goal_max", "target", "measurement"});
      int position = 0;
      for (const v1::FrameworkNode& n : request.nodes()) {
        copy.Row(std::make_tuple(
            request.code(), version, position++, n.code(), n.name(), n.name_en(), n.parent_code(),
            n.level(), !parents.contains(n.code()), n.direction() == 0 ? 1 : n.direction(),
            OptionalExact(n.has_weight(), n.weight()), n.unit(), n.denominator_code(),
            OptionalExact(n.has_goal_min(), n.goal_min()),
            OptionalExact(n.has_goal_max(), n.goal_max()),
            OptionalExact(n.has_target(), n.target()), n.measurement()));
      }
      copy.Complete();
    }
    BumpVersions(tx, {"framework:" + request.code()});
    RETURN_IF_ERROR(budget.Check("the commit"));
    tx.commit();
    response.mutable_framework()->set_version(version);
    response.set_created(true);
    response.set_indicators_registered(counts.inserted);
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Framework> IngestStore::GetFramework(const std::string& code, int version) {
  v1::Framework framework;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result f = tx.exec_params(
        "SELECT code, version, name, description, weight_convention, "
        "(extract(epoch FROM created_at) * 1000000)::bigint FROM frameworks WHERE code = $1 "
        "AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1",
        code, version);
    if (f.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "framework ", code, version > 0 ? absl::StrCat(" v", version) : "", " does not exist"));
    }
    framework.set_code(f[0][0].as<std::string>());
    framework.set_version(f[0][1].as<int>());
    framework.set_name(f[0][2].as<std::string>());
    framework.set_description(f[0][3].as<std::string>());
    ASSIGN_OR_RETURN(const v1::WeightConvention convention,
                     FromStored<v1::WeightConvention>(f[0][4].as<std::string>(),
                                                      "frameworks.weight_convention"));
    framework.set_weight_convention(convention);
    *framework.mutable_created_at() = FromMicros(f[0][5].as<int64_t>());
    for (const auto& row : tx.exec_params(
             "SELECT code, name, name_en, parent_code, level, direction, weight, unit, "
             "denominator_code, goal_min, goal_max, target, measurement FROM framework_nodes "
             "WHERE framework_code = $1 AND framework_version = $2 ORDER BY position",
             framework.code(), framework.version())) {
      v1::FrameworkNode* n = framework.add_nodes();
      n->set_code(row[0].as<std::string>());
      n->set_name(row[1].as<std::string>());
      n->set_name_en(row[2].as<std::string>());
      n->set_parent_code(row[3].as<std::string>());
      n->set_level(row[4].as<int>());
      n->set_direction(row[5].as<int>());
      if (!row[6].is_null()) n->set_weight(ParseDouble(row[6].c_str()));
      n->set_unit(row[7].as<std::string>());
      n->set_denominator_code(row[8].as<std::string>());
      if (!row[9].is_null()) n->set_goal_min(ParseDouble(row[9].c_str()));
      if (!row[10].is_null()) n->set_goal_max(ParseDouble(row[10].c_str()));
      if (!row[11].is_null()) n->set_target(ParseDouble(row[11].c_str()));
      n->set_measurement(row[12].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return framework;
}

absl::StatusOr<std::vector<v1::Framework>> IngestStore::ListFrameworks(const std::string& code) {
  std::vector<v1::Framework> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row :
         tx.exec_params("SELECT code, version, name, description, "
                        "(extract(epoch FROM created_at) * 1000000)::bigint FROM frameworks "
                        "WHERE $1 = '' OR code = $1 ORDER BY code, version",
                        code)) {
      v1::Framework& f = out.emplace_back();
      f.set_code(row[0].as<std::string>());
      f.set_version(row[1].as<int>());
      f.set_name(row[2].as<std::string>());
      f.set_description(row[3].as<std::string>());
      *f.mutable_created_at() = FromMicros(row[4].as<int64_t>());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<common::v1::DataVersion>> IngestStore::GetDataVersions(
    const std::vector<std::string>& scopes) {
  std::vector<common::v1::DataVersion> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    // A join with the unnested list (a hash semi-join), not a per-row
    // search of the array.
    const pqxx::result rows =
        scopes.empty() ? tx.exec("SELECT scope, version FROM data_versions ORDER BY scope")
                       : tx.exec_params(
                             "SELECT d.scope, d.version FROM data_versions d WHERE d.scope IN "
                             "(SELECT unnest($1::text[])) ORDER BY d.scope",
                             TextArray(scopes));
    absl::flat_hash_set<std::string> listed;
    for (const auto& row : rows) {
      common::v1::DataVersion& v = out.emplace_back();
      v.set_scope(row[0].as<std::string>());
      v.set_version(row[1].as<int64_t>());
      listed.insert(v.scope());
    }
    // Scopes asked for but never changed are at version 0 (each once).
    for (const std::string& scope : scopes) {
      if (listed.insert(scope).second) {
        common::v1::DataVersion& v = out.emplace_back();
        v.set_scope(scope);
        v.set_version(0);
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace innoscope::ingest
