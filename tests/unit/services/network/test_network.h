#pragma once

// The small value network of the network tests (the same one
// tests/integration/network_pgtest.cc loads into ingest), as plain records:
//   actors  e1 enterprise, sample, platform, P1/C1   u1 university, P1/C1
//           e2 enterprise, sample, P1/C1             v1 investor, P2/C2
//           e3 enterprise, sample, P2/C2             f1 other, foreign, no region
//   relations r1 e1->e2 technology_empowerment 2020
//             r2 e1->e3 technology_empowerment 2021 (international=false)
//             r3 e1->f1 technology_empowerment 2021
//             r4 u1->e1 technology_input 2019
//             r5 v1->e2 investment 2021 amount 100
//             r6 v1->e3 financing 2022 amount 50
//             r7 v1->e3 financing 2022 amount 30 (qualifier b)
//             r8 e2->e1 cooperation 2022
//             r9 e3->e2 technology_empowerment 2022 (international=yes)

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/clients/ingest_client.h"
#include "services/network/graph_selection.h"

namespace innoscope::network::testing {

inline clients::ActorRecord Actor(const char* code, ingest::v1::ActorKind kind, bool sample,
                                  bool platform, bool foreign, const char* province,
                                  const char* city) {
  clients::ActorRecord a;
  a.code = code;
  a.name = std::string("Actor ") + code;
  a.kind = kind;
  a.sample = sample;
  a.platform = platform;
  a.foreign = foreign;
  a.province_code = province;
  a.city_code = city;
  return a;
}

inline clients::RelationRecord Relation(const char* source, const char* target, const char* type,
                                        int year, std::optional<double> amount = std::nullopt,
                                        const char* international = nullptr,
                                        const char* qualifier = "") {
  clients::RelationRecord r;
  r.source = source;
  r.target = target;
  r.type = type;
  r.year = year;
  r.amount = amount;
  r.qualifier = qualifier;
  if (international != nullptr) r.tags["international"] = international;
  return r;
}

inline std::unique_ptr<NetworkData> SmallNetwork() {
  using ingest::v1::ACTOR_KIND_ENTERPRISE;
  std::vector<clients::ActorRecord> actors = {
      Actor("e1", ACTOR_KIND_ENTERPRISE, true, true, false, "P1", "C1"),
      Actor("e2", ACTOR_KIND_ENTERPRISE, true, false, false, "P1", "C1"),
      Actor("e3", ACTOR_KIND_ENTERPRISE, true, false, false, "P2", "C2"),
      Actor("f1", ingest::v1::ACTOR_KIND_OTHER, false, false, true, "", ""),
      Actor("u1", ingest::v1::ACTOR_KIND_UNIVERSITY, false, false, false, "P1", "C1"),
      Actor("v1", ingest::v1::ACTOR_KIND_INVESTOR, false, false, false, "P2", "C2"),
  };
  std::vector<clients::RelationRecord> relations = {
      Relation("e1", "e2", "technology_empowerment", 2020),
      Relation("e1", "e3", "technology_empowerment", 2021, std::nullopt, "false"),
      Relation("e1", "f1", "technology_empowerment", 2021),
      Relation("u1", "e1", "technology_input", 2019),
      Relation("v1", "e2", "investment", 2021, 100.0),
      Relation("v1", "e3", "financing", 2022, 50.0),
      Relation("v1", "e3", "financing", 2022, 30.0, nullptr, "b"),
      Relation("e2", "e1", "cooperation", 2022),
      Relation("e3", "e2", "technology_empowerment", 2022, std::nullopt, "yes"),
  };
  return std::make_unique<NetworkData>(std::move(actors), std::move(relations));
}

}  // namespace innoscope::network::testing
