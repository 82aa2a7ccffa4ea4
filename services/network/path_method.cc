#include "services/network/path_method.h"

#include "absl/strings/str_cat.h"

namespace innoscope::network {
namespace {

std::string Size(int64_t nodes, int64_t edges) {
  return absl::StrCat(nodes, " nodes and ", edges, " edges");
}

bool Above(int64_t nodes, int64_t edges, int64_t max_nodes, int64_t max_edges) {
  return nodes > max_nodes || edges > max_edges;
}

std::string CapFlags(const ExactLimits& limits) {
  return absl::StrCat("--exact_cap_nodes=", limits.cap_nodes,
                      ", --exact_cap_edges=", limits.cap_edges);
}

}  // namespace

absl::StatusOr<PathRequest> PathRequestOf(bool exact, bool enabled, absl::string_view field) {
  if (exact && enabled) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": exact and enabled are both set; ask for one method"));
  }
  if (exact) return PathRequest::kExact;
  return enabled ? PathRequest::kApproximate : PathRequest::kAuto;
}

absl::StatusOr<PathMethod> ChoosePathMethod(PathRequest request, int64_t nodes, int64_t edges,
                                            const ExactLimits& limits, absl::string_view what) {
  switch (request) {
    case PathRequest::kApproximate:
      return PathMethod{true, "sampled: approximation.enabled asked for it"};
    case PathRequest::kExact:
      if (Above(nodes, edges, limits.cap_nodes, limits.cap_edges)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "approximation.exact: the graph has ", Size(nodes, edges),
            ", above the exact-statistics cap of the network service (", CapFlags(limits),
            "): exact ", what,
            " would search from every node; leave approximation.exact unset for the sampled "
            "estimates, narrow the selection, or raise the flags"));
      }
      return PathMethod{false, "exact: approximation.exact asked for it"};
    case PathRequest::kAuto:
      if (Above(nodes, edges, limits.max_nodes, limits.max_edges)) {
        return PathMethod{true, absl::StrCat("sampled: the graph has ", Size(nodes, edges),
                                             ", above --exact_max_nodes=", limits.max_nodes,
                                             " or --exact_max_edges=", limits.max_edges,
                                             "; set approximation.exact for exact values")};
      }
      return PathMethod{false,
                        "exact: the graph is within --exact_max_nodes and --exact_max_edges"};
  }
  return PathMethod{};
}

absl::StatusOr<PathMethod> ExactOnlyMethod(int64_t nodes, int64_t edges, const ExactLimits& limits,
                                           absl::string_view what) {
  if (Above(nodes, edges, limits.cap_nodes, limits.cap_edges)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "measures: ", what, " has no sampled version and the graph has ", Size(nodes, edges),
        ", above the exact-statistics cap of the network service (", CapFlags(limits),
        "); leave it out of measures, narrow the selection, or raise the flags"));
  }
  return PathMethod{false, "exact: no sampled version; the graph is within the exact cap"};
}

absl::Status ValidateExactLimits(const ExactLimits& limits) {
  const struct {
    const char* flag;
    int64_t value;
  } values[] = {{"--exact_max_nodes", limits.max_nodes},
                {"--exact_max_edges", limits.max_edges},
                {"--exact_cap_nodes", limits.cap_nodes},
                {"--exact_cap_edges", limits.cap_edges}};
  for (const auto& v : values) {
    if (v.value <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(v.flag, ": must be > 0 (got ", v.value, ")"));
    }
  }
  if (limits.cap_nodes < limits.max_nodes || limits.cap_edges < limits.max_edges) {
    return absl::InvalidArgumentError(
        "--exact_cap_nodes / --exact_cap_edges: a cap below its --exact_max_* threshold");
  }
  return absl::OkStatus();
}

}  // namespace innoscope::network
