// Fuzzes network's graph selection (services/network/graph_selection.h)
// with structured inputs (tests/fuzz/proto_fuzz.h): a GraphSelection and the
// actors and relations it selects from. No input may crash ValidateSelection
// or BuildGraph; a refusal is INVALID_ARGUMENT naming a field of the
// selection ("selection."); the same input gives the same answer. A graph
// that is built has its edges between its nodes, one actor entry per node,
// no more nodes than the selected relations' endpoints plus the actors, and
// no more relations than were read; its summary and node records are made
// without a crash.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "libs/clients/ingest_client.h"
#include "services/network/graph_selection.h"
#include "tests/fuzz/fuzz_inputs.pb.h"
#include "tests/fuzz/proto_fuzz.h"

namespace {

namespace clients = ::innoscope::clients;
namespace network = ::innoscope::network;

// As clients::GrpcIngestClient::ReadActors reads them.
clients::ActorRecord ActorRecordOf(const innoscope::ingest::v1::Actor& a) {
  return {a.code(),   a.name(),     a.kind(),    a.province_code(), a.city_code(),
          a.sample(), a.platform(), a.foreign(), a.layer()};
}

// As clients::GrpcIngestClient::ReadRelations reads them.
clients::RelationRecord RelationRecordOf(const innoscope::ingest::v1::Relation& r) {
  return {r.source_code(),
          r.target_code(),
          r.type(),
          r.period(),
          r.qualifier(),
          r.has_weight() ? std::optional<double>(r.weight()) : std::nullopt,
          r.has_amount() ? std::optional<double>(r.amount()) : std::nullopt,
          {r.tags().begin(), r.tags().end()}};
}

}  // namespace

INNOSCOPE_PROTO_FUZZER(innoscope::fuzz::GraphSelectionInput, input) {
  const auto& selection = input.selection();
  const absl::Status valid = network::ValidateSelection(selection);
  FUZZ_CHECK(valid == network::ValidateSelection(selection));
  if (!valid.ok()) {
    FUZZ_CHECK(valid.code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(absl::StartsWith(valid.message(), "selection."));
    return;
  }
  std::vector<clients::ActorRecord> actors;
  for (const auto& a : input.actors()) actors.push_back(ActorRecordOf(a));
  std::vector<clients::RelationRecord> relations;
  for (const auto& r : input.relations()) relations.push_back(RelationRecordOf(r));
  const network::NetworkData data(std::move(actors), std::move(relations));
  const network::YearBounds years = network::YearsOf(selection.periods());
  const auto g = network::BuildGraph(data, selection, years);
  if (!g.ok()) {
    FUZZ_CHECK(g.status().code() == absl::StatusCode::kInvalidArgument ||
               g.status().code() == absl::StatusCode::kResourceExhausted);
    return;
  }
  const int64_t n = g->graph.NumNodes();
  FUZZ_CHECK(static_cast<int64_t>(g->actors.size()) == n);
  FUZZ_CHECK(n <= 2 * input.relations_size() + input.actors_size());
  FUZZ_CHECK(g->relations >= 0 && g->relations <= input.relations_size());
  for (const auto& e : g->graph.Edges()) {
    FUZZ_CHECK(e.source >= 0 && e.source < n && e.target >= 0 && e.target < n);
  }
  const auto summary = network::Summarize(*g);
  FUZZ_CHECK(summary.nodes() == n && summary.relations() == g->relations);
  FUZZ_CHECK(network::CountNodes(*g).total() == n);
  for (innoscope::graph::NodeId v = 0; v < n; ++v) (void)network::NodeInfoOf(*g, v);
}
