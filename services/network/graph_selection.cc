#include "services/network/graph_selection.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"

namespace innoscope::network {
namespace {

using clients::ActorRecord;
using clients::RelationRecord;

bool IsEmpty(const v1::ActorFilter& f) {
  return f.kinds_size() == 0 && FlagPasses(f.sample(), true) && FlagPasses(f.sample(), false) &&
         FlagPasses(f.platform(), true) && FlagPasses(f.platform(), false) &&
         FlagPasses(f.foreign(), true) && FlagPasses(f.foreign(), false) && f.layers_size() == 0 &&
         f.region_codes_size() == 0;
}

}  // namespace

bool FlagPasses(v1::FlagFilter filter, bool value) {
  switch (filter) {
    case v1::FLAG_FILTER_UNSPECIFIED:  // the default, ANY
    case v1::FLAG_FILTER_ANY:
      return true;
    case v1::FLAG_FILTER_ONLY:
      return value;
    case v1::FLAG_FILTER_EXCLUDE:
      return !value;
    case v1::FlagFilter_INT_MIN_SENTINEL_DO_NOT_USE_:
    case v1::FlagFilter_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;  // not values: ValidateSelection and ValidateRules reject unknown ones
  }
  return false;
}

const std::string& RegionCodeOf(const ActorRecord* actor, v1::RegionLevel level) {
  static const std::string* const kNone = new std::string();
  if (actor == nullptr) return *kNone;
  switch (level) {
    case v1::REGION_LEVEL_UNSPECIFIED:  // the default, PROVINCE
    case v1::REGION_LEVEL_PROVINCE:
      return actor->province_code;
    case v1::REGION_LEVEL_CITY:
      return actor->city_code;
    case v1::RegionLevel_INT_MIN_SENTINEL_DO_NOT_USE_:
    case v1::RegionLevel_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;  // not values: the requests' level is checked first
  }
  return *kNone;
}

bool IsDirected(const v1::GraphSelection& selection) {
  return selection.view() != v1::GRAPH_VIEW_UNDIRECTED;
}

bool IsUnweighted(const v1::GraphSelection& selection) {
  return selection.weight() == v1::EDGE_WEIGHT_UNSPECIFIED ||
         selection.weight() == v1::EDGE_WEIGHT_NONE;
}

bool IsBuiltinRelationType(absl::string_view type) {
  return type == "technology_input" || type == "technology_empowerment" || type == "investment" ||
         type == "financing" || type == "human_capital" || type == "cooperation";
}

NetworkData::NetworkData(std::vector<ActorRecord> actors, std::vector<RelationRecord> relations)
    : actors_(std::move(actors)), relations_(std::move(relations)) {
  by_code_.reserve(actors_.size());
  for (const ActorRecord& a : actors_) by_code_[a.code] = &a;
}

const ActorRecord* NetworkData::FindActor(const std::string& code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : it->second;
}

ActorMask::ActorMask(const v1::ActorFilter& filter, const NetworkData& data)
    : data_(data), unknown_passes_(IsEmpty(filter)) {
  passes_.reserve(data.actors().size());
  for (const ActorRecord& a : data.actors()) passes_.push_back(ActorMatches(filter, &a));
}

bool ActorMask::operator()(const ActorRecord* actor) const {
  return actor == nullptr ? unknown_passes_ : passes_[actor - data_.actors().data()];
}

YearBounds YearsOf(const v1::PeriodSelection& years) {
  YearBounds bounds;
  if (years.has_up_to()) {
    bounds.last = years.up_to();
  } else if (years.has_window()) {
    bounds.first = years.window().first();
    bounds.last = years.window().last();
  }
  return bounds;
}

absl::Status ValidateSelection(const v1::GraphSelection& s, absl::string_view field) {
  for (int i = 0; i < s.relation_types_size(); ++i) {
    if (s.relation_types(i).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".relation_types[", i, "]: empty; name a relation type"));
    }
  }
  if (s.periods().has_window() && s.periods().window().first() > s.periods().window().last()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".periods.window: first (", s.periods().window().first(),
                     ") is after last (", s.periods().window().last(), ")"));
  }
  const std::string f(field);
  RETURN_IF_ERROR(codecs::CheckProtoEnum(s.endpoint_rule(), f + ".endpoint_rule"));
  RETURN_IF_ERROR(codecs::CheckProtoEnum(s.view(), f + ".view"));
  RETURN_IF_ERROR(codecs::CheckProtoEnum(s.weight(), f + ".weight"));
  RETURN_IF_ERROR(codecs::FromProto(s.multi_edges(), f + ".multi_edges").status());
  RETURN_IF_ERROR(codecs::FromProto(s.self_loops(), f + ".self_loops").status());
  return ValidateActorFilter(s.actors(), f + ".actors");
}

absl::Status ValidateActorFilter(const v1::ActorFilter& a, absl::string_view field) {
  const std::string f(field);
  RETURN_IF_ERROR(codecs::CheckProtoEnum(a.sample(), f + ".sample"));
  RETURN_IF_ERROR(codecs::CheckProtoEnum(a.platform(), f + ".platform"));
  RETURN_IF_ERROR(codecs::CheckProtoEnum(a.foreign(), f + ".foreign"));
  for (int i = 0; i < a.kinds_size(); ++i) {
    RETURN_IF_ERROR(codecs::CheckProtoEnum(static_cast<ingest::v1::ActorKind>(a.kinds(i)),
                                           absl::StrCat(f, ".kinds[", i, "]")));
  }
  for (int i = 0; i < a.layers_size(); ++i) {
    RETURN_IF_ERROR(codecs::CheckProtoEnum(static_cast<ingest::v1::Layer>(a.layers(i)),
                                           absl::StrCat(f, ".layers[", i, "]")));
  }
  return absl::OkStatus();
}

bool ActorMatches(const v1::ActorFilter& filter, const ActorRecord* actor) {
  if (actor == nullptr) return IsEmpty(filter);
  auto contains = [](const auto& list, const auto& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  if (filter.kinds_size() > 0 && !contains(filter.kinds(), static_cast<int>(actor->kind))) {
    return false;
  }
  if (filter.layers_size() > 0 && !contains(filter.layers(), static_cast<int>(actor->layer))) {
    return false;
  }
  if (filter.region_codes_size() > 0 && !contains(filter.region_codes(), actor->province_code) &&
      !contains(filter.region_codes(), actor->city_code)) {
    return false;
  }
  return FlagPasses(filter.sample(), actor->sample) &&
         FlagPasses(filter.platform(), actor->platform) &&
         FlagPasses(filter.foreign(), actor->foreign);
}

bool IsInternational(const RelationRecord& relation, const ActorRecord* source,
                     const ActorRecord* target) {
  if ((source != nullptr && source->foreign) || (target != nullptr && target->foreign)) {
    return true;
  }
  auto tag = relation.tags.find("international");
  if (tag == relation.tags.end()) return false;
  const std::string value = absl::AsciiStrToLower(tag->second);
  return value == "true" || value == "yes" || value == "1";
}

bool RelationSelected(const v1::GraphSelection& selection, const YearBounds& years,
                      bool source_passes, bool target_passes, const RelationRecord& relation) {
  if (!years.Contains(relation.year)) return false;
  const auto& types = selection.relation_types();
  if (!types.empty() && std::find(types.begin(), types.end(), relation.type) == types.end()) {
    return false;
  }
  return selection.endpoint_rule() == v1::ENDPOINT_RULE_EITHER ? source_passes || target_passes
                                                               : source_passes && target_passes;
}

absl::StatusOr<SelectedGraph> BuildGraph(const NetworkData& data,
                                         const v1::GraphSelection& selection,
                                         const YearBounds& years) {
  StreamedGraphBuilder builder(data, selection, years);
  for (const RelationRecord& r : data.relations()) builder.Add(r);
  return std::move(builder).Finish();
}

StreamedGraphBuilder::StreamedGraphBuilder(const NetworkData& data,
                                           const v1::GraphSelection& selection,
                                           const YearBounds& years)
    : data_(data), selection_(selection), years_(years), passes_(selection.actors(), data) {}

graph::NodeId StreamedGraphBuilder::Intern(const std::string& code) {
  auto it = index_.find(std::string_view(code));
  if (it != index_.end()) return it->second;
  const auto id = static_cast<graph::NodeId>(codes_.size());
  codes_.push_back(code);
  index_.emplace(std::string_view(codes_.back()), id);
  return id;
}

void StreamedGraphBuilder::Add(const RelationRecord& r) {
  ++seen_;
  if (!RelationSelected(selection_, years_, passes_(data_.FindActor(r.source)),
                        passes_(data_.FindActor(r.target)), r)) {
    return;
  }
  double weight = 1.0;
  switch (selection_.weight()) {
    case v1::EDGE_WEIGHT_WEIGHT:
      weight = r.weight.value_or(1.0);
      break;
    case v1::EDGE_WEIGHT_AMOUNT:
      weight = r.amount.value_or(0.0);
      break;
    default:  // none and count weigh 1; unknown values fail in Finish()
      break;
  }
  const graph::NodeId u = Intern(r.source);
  const graph::NodeId v = Intern(r.target);
  edges_.push_back(graph::Edge{u, v, weight});
}

absl::StatusOr<SelectedGraph> StreamedGraphBuilder::Finish() && {
  bool weighted = false;
  switch (selection_.weight()) {
    case v1::EDGE_WEIGHT_UNSPECIFIED:  // the default, NONE
    case v1::EDGE_WEIGHT_NONE:
      break;
    case v1::EDGE_WEIGHT_WEIGHT:
    case v1::EDGE_WEIGHT_AMOUNT:
    case v1::EDGE_WEIGHT_COUNT:
      weighted = true;
      break;
    case v1::EdgeWeight_INT_MIN_SENTINEL_DO_NOT_USE_:
    case v1::EdgeWeight_INT_MAX_SENTINEL_DO_NOT_USE_:
      return absl::InvalidArgumentError(  // not values: ValidateSelection rejects them
          absl::StrCat("selection.weight: unknown value ", selection_.weight()));
  }
  const int64_t relations = static_cast<int64_t>(edges_.size());
  if (selection_.include_isolated_actors()) {
    for (const ActorRecord& a : data_.actors()) {
      if (passes_(&a)) Intern(a.code);
    }
  }
  // Provisional ids in actor-code order: rank[provisional] = node id.
  const graph::NodeId n = static_cast<graph::NodeId>(codes_.size());
  std::vector<graph::NodeId> order(static_cast<size_t>(n));
  for (graph::NodeId i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](graph::NodeId a, graph::NodeId b) { return codes_[a] < codes_[b]; });
  std::vector<graph::NodeId> rank(static_cast<size_t>(n));
  for (graph::NodeId v = 0; v < n; ++v) rank[order[v]] = v;

  graph::BuildOptions options;
  options.directed = IsDirected(selection_);
  ASSIGN_OR_RETURN(options.multi_edges,
                   codecs::FromProto(selection_.multi_edges(), "selection.multi_edges"));
  ASSIGN_OR_RETURN(options.self_loops,
                   codecs::FromProto(selection_.self_loops(), "selection.self_loops"));
  graph::GraphBuilder builder(options);
  SelectedGraph out;
  out.actors.reserve(static_cast<size_t>(n));
  index_ = {};  // the builder keeps its own index of the codes
  for (graph::NodeId provisional : order) {
    const std::string& code = codes_[provisional];
    const ActorRecord* actor = data_.FindActor(code);
    builder.AddNode(code, actor != nullptr && !actor->name.empty() ? actor->name : code);
    out.actors.push_back(actor);
  }
  codes_ = {};
  order = {};
  for (graph::Edge& e : edges_) {
    e.source = rank[e.source];
    e.target = rank[e.target];
  }
  rank = {};
  // An empty edge list leaves the graph unweighted, as no edge was weighed.
  builder.AddEdges(edges_, weighted && !edges_.empty());
  edges_ = {};
  out.relations = relations;
  ASSIGN_OR_RETURN(out.graph, std::move(builder).Build());
  return out;
}

v1::NodeRole RoleOf(const ActorRecord* actor) {
  return actor != nullptr && actor->sample ? v1::NODE_ROLE_SAMPLE_ENTERPRISE
                                           : v1::NODE_ROLE_RELATION_NODE;
}

v1::NodeInfo NodeInfoOf(const SelectedGraph& g, graph::NodeId v) {
  v1::NodeInfo info;
  info.set_code(g.graph.NodeKey(v));
  const ActorRecord* actor = g.actors[v];
  info.set_role(RoleOf(actor));
  if (actor != nullptr) {
    info.set_name(actor->name);
    info.set_kind(actor->kind);
    info.set_province_code(actor->province_code);
    info.set_city_code(actor->city_code);
    info.set_platform(actor->platform);
  }
  return info;
}

v1::NodeCounts CountNodes(const SelectedGraph& g) {
  v1::NodeCounts counts;
  counts.set_total(g.graph.NumNodes());
  for (const ActorRecord* a : g.actors) {
    if (RoleOf(a) == v1::NODE_ROLE_SAMPLE_ENTERPRISE) {
      counts.set_sample_enterprises(counts.sample_enterprises() + 1);
    } else {
      counts.set_relation_nodes(counts.relation_nodes() + 1);
    }
    if (a != nullptr && a->platform) counts.set_platforms(counts.platforms() + 1);
    if (a != nullptr && a->foreign) counts.set_foreign(counts.foreign() + 1);
  }
  return counts;
}

v1::GraphSummary Summarize(const SelectedGraph& g) {
  v1::GraphSummary summary;
  summary.set_nodes(g.graph.NumNodes());
  summary.set_edges(g.graph.NumEdges());
  summary.set_relations(g.relations);
  summary.set_directed(g.graph.directed());
  summary.set_weighted(g.graph.weighted());
  return summary;
}

}  // namespace innoscope::network
