#pragma once

// What the scoring service's sources (scoring_service.cc, scoring_queries.cc,
// scoring_uncertainty.cc) share for their messages: how a framework and a
// list of codes are named, and how data versions compare.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "innoscope/common/v1/common.pb.h"
#include "innoscope/scoring/v1/scoring.pb.h"

namespace innoscope::scoring {

inline constexpr size_t kMaxListedCodes = 20;

inline std::string FrameworkName(const v1::RunSpec& spec) {
  return absl::StrCat("framework ", spec.framework().code(), " v", spec.framework().version());
}

// "A, B, C" with at most kMaxListedCodes, then how many more.
inline std::string ListCodes(const std::vector<std::string>& codes) {
  std::vector<std::string> shown(codes.begin(),
                                 codes.begin() + std::min(codes.size(), kMaxListedCodes));
  std::string out = absl::StrJoin(shown, ", ");
  if (codes.size() > kMaxListedCodes) {
    absl::StrAppend(&out, " and ", codes.size() - kMaxListedCodes, " more");
  }
  return out;
}

inline std::string DescribeVersions(const std::vector<common::v1::DataVersion>& versions) {
  std::vector<std::string> parts;
  for (const auto& v : versions) parts.push_back(absl::StrCat(v.scope(), " ", v.version()));
  return absl::StrJoin(parts, ", ");
}

inline bool SameVersions(const google::protobuf::RepeatedPtrField<common::v1::DataVersion>& a,
                         const std::vector<common::v1::DataVersion>& b) {
  if (static_cast<size_t>(a.size()) != b.size()) return false;
  for (size_t i = 0; i < b.size(); ++i) {
    if (a[i].scope() != b[i].scope() || a[i].version() != b[i].version()) return false;
  }
  return true;
}

}  // namespace innoscope::scoring
