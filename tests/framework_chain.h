#pragma once

// A framework that is one chain, for the tests of ingest's framework
// limits (tests/unit/services/ingest/ingest_limits_test.cc,
// tests/fault/ingest_faulttest.cc): root <prefix>0 -> <prefix>1 -> ... ->
// <prefix>{size-1}, levels size .. 1, the last node the only leaf (declared
// as an indicator). Its depth is size - 1 edges.
//
//   v1::CreateFrameworkRequest f = ChainFramework("deep", "d", 7);  // 6 edges deep

#include <string>

#include "absl/strings/str_cat.h"
#include "innoscope/ingest/v1/ingest.pb.h"

namespace innoscope::testing {

inline ingest::v1::CreateFrameworkRequest ChainFramework(const std::string& code,
                                                         const std::string& prefix, int size) {
  ingest::v1::CreateFrameworkRequest f;
  f.set_code(code);
  for (int i = 0; i < size; ++i) {
    ingest::v1::FrameworkNode* n = f.add_nodes();
    n->set_code(absl::StrCat(prefix, i));
    if (i > 0) n->set_parent_code(absl::StrCat(prefix, i - 1));
    n->set_level(size - i);
    n->set_direction(1);
  }
  f.add_indicators()->set_code(absl::StrCat(prefix, size - 1));
  return f;
}

}  // namespace innoscope::testing
