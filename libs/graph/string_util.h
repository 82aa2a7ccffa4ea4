#pragma once

// Bridges std::string_view (the public API of libs/graph, as in the rest of
// the project) and absl::string_view (what Abseil's string functions and
// heterogeneous hash-map lookups take). Debian's Abseil 20220623 defines its
// own absl::string_view rather than aliasing std::string_view, so the two do
// not convert implicitly. Internal to libs/graph.
//
//   auto it = index_.find(ToAbsl(key));

#include <string_view>

#include "absl/strings/string_view.h"

namespace innoscope::graph {

inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace innoscope::graph
