#pragma once

// The network service's core: reads the actors and relations a request
// selects from ingest, builds the graph (graph_selection.h), computes with
// libs/graph (network_measures.h; measures_proto.h converts), records the
// run (network_store.h) and, for derived indicators, writes observations
// back to ingest. absl::Status throughout; network_grpc.h converts.
//
//   NetworkService core(ingest_client, store);
//   CallContext call{deadline, graph::Interrupt::WithProbe(is_cancelled, deadline)};
//   ASSIGN_OR_RETURN(v1::ComputeNetworkStatsResponse r, core.ComputeNetworkStats(request, call));
//
// Every computing method validates its input before reading anything
// (INVALID_ARGUMENT naming the field), reads the relation set at one data
// version (re-reading if it changed meanwhile), rejects unknown relation
// types (neither built-in nor present in the set) and an empty selection,
// and stops with DEADLINE_EXCEEDED or CANCELLED inside long computations.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "innoscope/network/v1/network.pb.h"
#include "libs/clients/ingest_client.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/network_measures.h"
#include "services/network/graph_selection.h"
#include "services/network/network_store.h"
#include "services/network/path_method.h"

namespace innoscope::network {

// How an RPC is served: the deadline calls to ingest must respect, and the
// interrupt long computations poll (the deadline and client cancellation).
struct CallContext {
  absl::Time deadline = absl::InfiniteFuture();
  graph::Interrupt interrupt;
  // The caller's identity, recorded as the writer of the runs it computes
  // first (Run.written_by).
  std::string caller;
};

// What the operator sets (innoscope-network's flags).
struct NetworkOptions {
  // Threads of the all-pairs searches, betweenness, PageRank ... (--threads,
  // resolved: the container's CPU quota by default).
  int threads = 1;
  // Exact or sampled path statistics by size (path_method.h).
  ExactLimits limits;
  // How often a running computation logs its progress (progress_log.h;
  // --progress_interval_seconds; zero: never).
  absl::Duration progress_interval = absl::Seconds(10);
};

class NetworkService {
 public:
  NetworkService(clients::IngestClient& ingest, RunStore& store, NetworkOptions options = {})
      : ingest_(ingest), store_(store), options_(std::move(options)) {}

  absl::StatusOr<v1::ComputeNetworkStatsResponse> ComputeNetworkStats(
      const v1::ComputeNetworkStatsRequest& request, const CallContext& call);
  // Hands every response message to on_message; when it returns false (the
  // client went away) the call ends with CANCELLED.
  absl::Status ComputeCentralities(
      const v1::ComputeCentralitiesRequest& request, const CallContext& call,
      const std::function<bool(const v1::ComputeCentralitiesResponse&)>& on_message);
  absl::StatusOr<v1::DetectCommunitiesResponse> DetectCommunities(
      const v1::DetectCommunitiesRequest& request, const CallContext& call);
  absl::StatusOr<v1::ComputeRegionFlowsResponse> ComputeRegionFlows(
      const v1::ComputeRegionFlowsRequest& request, const CallContext& call);
  absl::StatusOr<v1::FitDegreeDistributionResponse> FitDegreeDistribution(
      const v1::FitDegreeDistributionRequest& request, const CallContext& call);
  absl::StatusOr<v1::ComputeStatsTimeSeriesResponse> ComputeStatsTimeSeries(
      const v1::ComputeStatsTimeSeriesRequest& request, const CallContext& call);
  absl::StatusOr<v1::DeriveRegionIndicatorsResponse> DeriveRegionIndicators(
      const v1::DeriveRegionIndicatorsRequest& request, const CallContext& call);
  absl::StatusOr<v1::ListRunsResponse> ListRuns(const v1::ListRunsRequest& request);

 private:
  // What one computation read, at one data version.
  struct Loaded {
    std::unique_ptr<NetworkData> data;
    std::string relation_set;  // resolved ("default" for "")
    int64_t data_version = 0;
  };

  // Reads the actors and the relations of the selection's types within
  // `years`, and checks the requested types. With `graph`, the relations
  // are not kept (loaded.data holds the actors only): they stream from
  // ingest into a StreamedGraphBuilder and *graph gets the selection's
  // graph, so memory stays O(nodes + selected edges), not O(relations read).
  absl::StatusOr<Loaded> Load(const v1::GraphSelection& selection,
                              const std::vector<std::string>& types, const YearBounds& years,
                              const CallContext& call,
                              std::optional<SelectedGraph>* graph = nullptr);
  // Load and BuildGraph for the common case; INVALID_ARGUMENT for an empty
  // selection.
  absl::StatusOr<SelectedGraph> LoadGraph(const v1::GraphSelection& selection,
                                          const CallContext& call, Loaded* loaded);
  // The run of a request (normalised: relation set and convention resolved),
  // recorded with its result.
  v1::Run NewRun(v1::RunKind kind, const google::protobuf::Message& request,
                 const v1::GraphSelection& selection, v1::Convention convention,
                 const Loaded& loaded, const v1::GraphSummary& graph) const;
  absl::Status Record(v1::Run* run, const google::protobuf::Message& request,
                      const google::protobuf::Message& result, const CallContext& call);
  // The statistics of one graph, exact or sampled by ChoosePathMethod; the
  // reason lands in paths.method_reason, and *approximate says whether the
  // paths were sampled.
  absl::StatusOr<v1::NetworkStats> StatsOf(const graph::Graph& graph, graph::StatsOptions options,
                                           PathRequest request, const CallContext& call,
                                           bool* approximate) const;

  clients::IngestClient& ingest_;
  RunStore& store_;
  const NetworkOptions options_;
};

// "selection: no relation matches ..." with the selection's filters and what
// to do next; for an empty graph.
absl::Status EmptySelectionError(const v1::GraphSelection& selection,
                                 const std::string& relation_set, int64_t data_version);

}  // namespace innoscope::network
