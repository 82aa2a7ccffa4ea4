#pragma once

// Helpers shared by the libFuzzer targets in tests/fuzz (see run.sh).
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     absl::string_view text = AsText(data, size);
//     FUZZ_CHECK(Invariant(text));   // a violated invariant is a crash
//     return 0;
//   }

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/string_view.h"

namespace innoscope::fuzz {

inline absl::string_view AsText(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace innoscope::fuzz

// Aborts (which libFuzzer records as a crash with its input) when `cond`
// is false; unlike assert() it stays on in optimised builds.
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)
