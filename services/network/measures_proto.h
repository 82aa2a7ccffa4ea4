#pragma once

// The network service's side of libs/graph/network_measures.h: request
// options (Louvain and sampling parameters) into the
// library's plain types, checked with the field named, and its results into
// the messages of innoscope.network.v1. Conversion only; the computing is
// the library's, shared with the offline `innoscope network` commands.
//
//   ASSIGN_OR_RETURN(graph::ApproxParams approx, ToApproxParams(request.approximation()));
//   ASSIGN_OR_RETURN(v1::NetworkStats stats, ComputeStats(graph, options, interrupt));

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "innoscope/network/v1/network.pb.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/convention.h"
#include "libs/graph/graph.h"
#include "libs/graph/network_measures.h"

namespace innoscope::network {

// Conventions and measures map through libs/codecs/enum_codecs.h
// (codecs::FromProto naming the field, codecs::ToProto).

// Defaults applied (resolution 1); INVALID_ARGUMENT "<field>.resolution:
// ..." unless the resolution is > 0.
absl::StatusOr<graph::LouvainParams> ToLouvainParams(const v1::LouvainOptions& options,
                                                     absl::string_view field = "louvain");
// Defaults applied (epsilon 0.01, delta 0.1, 20,000 pairs); INVALID_ARGUMENT
// naming the field for epsilon or delta outside (0, 1) or a sample size
// <= 0.
absl::StatusOr<graph::ApproxParams> ToApproxParams(const v1::Approximation& approximation,
                                                   absl::string_view field = "approximation");

// The results as messages. NetworkStats' node counts by role need the
// actors: only nodes.total is set here.
v1::NetworkStats ToProto(const graph::NetworkStatistics& stats);
v1::CommunityStats ToProto(const graph::CommunitySummary& communities);
v1::MeasureInfo ToProto(const graph::MeasureInfo& info);

// graph::ComputeNetworkStatistics as the message.
absl::StatusOr<v1::NetworkStats> ComputeStats(const graph::Graph& graph,
                                              const graph::StatsOptions& options,
                                              const graph::Interrupt& interrupt);

}  // namespace innoscope::network
