#pragma once

// Exact or sampled path statistics, by the graph's size: the network
// service's policy (docs/network.md, "Size limits"). Exact all-pairs
// searches cost one BFS per node, O(n (n + m)) time; above --exact_max_nodes
// or --exact_max_edges the service samples (libs/graph/approx_paths.h,
// sampled Brandes) unless the request asks for exact explicitly
// (Approximation.exact), and above --exact_cap_nodes or --exact_cap_edges
// an explicit exact request is refused with FAILED_PRECONDITION naming the
// size and the flag. Pure: no gRPC, no SQL.
//
//   ExactLimits limits;  // from the flags
//   ASSIGN_OR_RETURN(PathMethod method,
//                    ChoosePathMethod(PathRequestOf(request.approximation()),
//                                     g.graph.NumNodes(), g.graph.NumEdges(), limits));
//   options.approximation.enabled = method.approximate;

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innoscope::network {

// The sizes above which exact path statistics are not run by default
// (max_*) and not run at all (cap_*). A graph is "above" a pair when it
// exceeds either its node or its edge count.
struct ExactLimits {
  int64_t max_nodes = 20000;
  int64_t max_edges = 200000;
  int64_t cap_nodes = 100000;
  int64_t cap_edges = 1000000;
};

// What the request said about the method.
enum class PathRequest {
  kAuto,         // neither: exact up to the limits, sampled above
  kExact,        // approximation.exact
  kApproximate,  // approximation.enabled
};

// The method chosen, and why, in words for PathStats.method_reason and
// MeasureInfo.method_reason.
struct PathMethod {
  bool approximate = false;
  std::string reason;
};

// INVALID_ARGUMENT naming `field` when both exact and enabled are set.
absl::StatusOr<PathRequest> PathRequestOf(bool exact, bool enabled,
                                          absl::string_view field = "approximation");

// The method for a graph of `nodes` and `edges` (see the file comment).
// FAILED_PRECONDITION for kExact above the cap: "approximation.exact: the
// graph has N nodes and M edges, above the exact-statistics cap
// (--exact_cap_nodes=..., --exact_cap_edges=...) ...". `what` names the
// statistic in messages ("average path length and diameter").
absl::StatusOr<PathMethod> ChoosePathMethod(PathRequest request, int64_t nodes, int64_t edges,
                                            const ExactLimits& limits, absl::string_view what);

// For measures without a sampled version (closeness, harmonic): exact up to
// the cap, FAILED_PRECONDITION naming the measure, the size and the flags
// above it, whatever the request says.
absl::StatusOr<PathMethod> ExactOnlyMethod(int64_t nodes, int64_t edges, const ExactLimits& limits,
                                           absl::string_view what);

// INVALID_ARGUMENT naming the flag unless every limit is > 0 and each cap
// is at least its threshold.
absl::Status ValidateExactLimits(const ExactLimits& limits);

}  // namespace innoscope::network
