#pragma once

// SplitMix64 (Steele, Lea & Flood 2014; Vigna's splitmix64.c): the one
// seeded generator of the project. Unlike the std:: distributions its
// sequence is identical on every platform and standard library, so a seed
// reproduces a result everywhere; it has no set-up cost and passes BigCrush.
// Used by the graph algorithms (graph/random.h), the Monte Carlo streams
// (scoring/random.h), the demo generator and the benchmarks' data.
//
//   common::SplitMix64 rng(seed);
//   uint64_t bits = rng.Next();
//   double u = rng.UniformDouble();   // [0, 1)
//   uint64_t k = rng.Uniform(n);      // [0, n), unbiased

#include <cstdint>

#include "absl/numeric/int128.h"

namespace innoscope::common {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound); bound > 0 (Lemire's unbiased multiply-shift).
  uint64_t Uniform(uint64_t bound) {
    absl::uint128 m = absl::uint128(Next()) * bound;
    uint64_t low = absl::Uint128Low64(m);
    if (low < bound) {
      const uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = absl::uint128(Next()) * bound;
        low = absl::Uint128Low64(m);
      }
    }
    return absl::Uint128High64(m);
  }

  // Uniform in [0, 1) with 53 random bits.
  double UniformDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace innoscope::common
