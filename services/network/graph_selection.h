#pragma once

// From the actors and relations read from ingest to the graph a
// GraphSelection describes (docs/network.md, "The network service"):
// relation types and years, the actor filter with its endpoint rule, the
// directed or undirected view, edge weights, and the multi-edge and
// self-loop policies. Pure: no gRPC, no SQL; unit-tested alone.
//
//   NetworkData data(std::move(actors), std::move(relations));
//   RETURN_IF_ERROR(ValidateSelection(request.selection()));
//   ASSIGN_OR_RETURN(SelectedGraph g,
//                    BuildGraph(data, request.selection(),
//                    YearsOf(request.selection().periods())));
//   g.graph.NumNodes();  g.actors[v]->sample;

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "innoscope/network/v1/network.pb.h"
#include "libs/clients/ingest_client.h"
#include "libs/graph/graph.h"

namespace innoscope::network {

// The selection's view and weight with their documented defaults applied:
// GRAPH_VIEW_UNSPECIFIED is directed, EDGE_WEIGHT_UNSPECIFIED unweighted.
bool IsDirected(const v1::GraphSelection& selection);
bool IsUnweighted(const v1::GraphSelection& selection);

// The built-in relation types of ingest.v1.Relation.
bool IsBuiltinRelationType(absl::string_view type);

// Actors (by code) and relations of one read.
class NetworkData {
 public:
  NetworkData(std::vector<clients::ActorRecord> actors,
              std::vector<clients::RelationRecord> relations);
  NetworkData(const NetworkData&) = delete;
  NetworkData& operator=(const NetworkData&) = delete;

  // nullptr when the relation set has no actor with this code.
  const clients::ActorRecord* FindActor(const std::string& code) const;
  const std::vector<clients::ActorRecord>& actors() const { return actors_; }
  const std::vector<clients::RelationRecord>& relations() const { return relations_; }

 private:
  std::vector<clients::ActorRecord> actors_;
  std::vector<clients::RelationRecord> relations_;
  absl::flat_hash_map<std::string, const clients::ActorRecord*> by_code_;
};

// Inclusive year bounds; unset = unbounded.
struct YearBounds {
  std::optional<int32_t> first;
  std::optional<int32_t> last;
  bool Contains(int32_t year) const {
    return (!first || year >= *first) && (!last || year <= *last);
  }
};
YearBounds YearsOf(const v1::PeriodSelection& years);

// The selection's own fields: relation types are lower_snake_case codes,
// windows are ordered, enums are known. INVALID_ARGUMENT names the field
// ("<field>.relation_types[1]: ...").
absl::Status ValidateSelection(const v1::GraphSelection& selection,
                               absl::string_view field = "selection");

// An actor filter's enums are known; INVALID_ARGUMENT names the field
// ("<field>.kinds[0]: unknown value 42; ...").
absl::Status ValidateActorFilter(const v1::ActorFilter& filter, absl::string_view field);

// Whether a flag value passes a filter (ANY, ONLY, EXCLUDE).
bool FlagPasses(v1::FlagFilter filter, bool value);

// Whether an actor passes a filter; an unknown actor (nullptr) passes only
// the empty filter.
bool ActorMatches(const v1::ActorFilter& filter, const clients::ActorRecord* actor);

// Whether a relation is international: its "international" tag is true, yes
// or 1 (any case), or an end is a foreign actor.
bool IsInternational(const clients::RelationRecord& relation, const clients::ActorRecord* source,
                     const clients::ActorRecord* target);

// ActorMatches for every actor of a read, computed once, since relations
// consult it for both ends. The data must outlive the mask.
class ActorMask {
 public:
  ActorMask(const v1::ActorFilter& filter, const NetworkData& data);
  bool operator()(const clients::ActorRecord* actor) const;

 private:
  const NetworkData& data_;
  bool unknown_passes_;
  std::vector<bool> passes_;
};

// Whether a relation passes the selection's types, the given years, and the
// actor filter under the endpoint rule, given whether each end passes it.
bool RelationSelected(const v1::GraphSelection& selection, const YearBounds& years,
                      bool source_passes, bool target_passes,
                      const clients::RelationRecord& relation);

struct SelectedGraph {
  graph::Graph graph;                               // node keys are actor codes, labels their names
  std::vector<const clients::ActorRecord*> actors;  // per node; nullptr if unknown
  int64_t relations = 0;                            // relations selected (before merging)
};

// Builds the graph: nodes are the endpoints of the selected relations (plus,
// with include_isolated_actors, every actor passing the filter), numbered in
// actor-code order; one edge per selected relation, weighted per
// selection.weight, then the view and the multi-edge and self-loop
// policies. Time O(m log m).
absl::StatusOr<SelectedGraph> BuildGraph(const NetworkData& data,
                                         const v1::GraphSelection& selection,
                                         const YearBounds& years);

// BuildGraph from relations handed over one at a time (a stream from
// ingest), keeping none of them: each selected relation's endpoints are
// interned as they arrive (codes in a deque, an index of views into it) and
// its edge appended to one compact array (two node ids and a weight, 16
// bytes); Finish() renumbers the nodes in actor-code order and builds the
// CSR. The graph equals BuildGraph's over the same relations in the same
// order (edges are added in arrival order, so merged weights sum alike).
// Memory while streaming: 16 bytes per selected relation and about 80 per
// node (code, index slot), besides the actors; docs/network.md, "Memory".
//
//   StreamedGraphBuilder builder(data, selection, years);  // data: actors only
//   RETURN_IF_ERROR(ingest.StreamRelations(query, deadline, [&](const auto& r) {
//     builder.Add(r);
//     return true;
//   }));
//   ASSIGN_OR_RETURN(SelectedGraph g, std::move(builder).Finish());
class StreamedGraphBuilder {
 public:
  // `data` (its actors) must outlive the builder and the graph it builds.
  StreamedGraphBuilder(const NetworkData& data, const v1::GraphSelection& selection,
                       const YearBounds& years);
  StreamedGraphBuilder(const StreamedGraphBuilder&) = delete;
  StreamedGraphBuilder& operator=(const StreamedGraphBuilder&) = delete;

  // Takes the relation's edge if the selection selects it.
  void Add(const clients::RelationRecord& relation);
  // Relations handed to Add, selected or not.
  int64_t seen() const { return seen_; }
  // INVALID_ARGUMENT for a selection whose policies or weight are unknown.
  absl::StatusOr<SelectedGraph> Finish() &&;

 private:
  graph::NodeId Intern(const std::string& code);

  const NetworkData& data_;
  const v1::GraphSelection& selection_;
  const YearBounds years_;
  const ActorMask passes_;
  int64_t seen_ = 0;
  std::deque<std::string> codes_;  // by provisional id (arrival order); stable references
  absl::flat_hash_map<std::string_view, graph::NodeId> index_;
  std::vector<graph::Edge> edges_;  // provisional ids, in arrival order
};

// The actor's province or city code at `level`; "" for an unknown actor.
const std::string& RegionCodeOf(const clients::ActorRecord* actor, v1::RegionLevel level);

// Role and location of a node for results.
v1::NodeRole RoleOf(const clients::ActorRecord* actor);
v1::NodeInfo NodeInfoOf(const SelectedGraph& g, graph::NodeId v);
// nodes.total and the counts by role.
v1::NodeCounts CountNodes(const SelectedGraph& g);
v1::GraphSummary Summarize(const SelectedGraph& g);

}  // namespace innoscope::network
