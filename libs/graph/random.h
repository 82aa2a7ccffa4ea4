#pragma once

// Deterministic pseudo-random numbers for seeded algorithms (Louvain node
// order, betweenness sampling, power-law bootstrap). SplitMix64 (Steele,
// Lea & Flood 2014) with Lemire's unbiased bounded integers: unlike the
// std:: distributions, the sequence is identical on every platform and
// standard library, so a seed reproduces a published result everywhere.
//
//   SplitMix64 rng(seed);
//   Shuffle(absl::MakeSpan(order), rng);
//   double u = rng.UniformDouble();  // [0, 1)

#include <cstdint>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/types/span.h"

namespace innoscope::graph {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound); bound > 0.
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
  double UniformDouble() {
    return static_cast<double>(Next() >> 11) * 0x1.0p-53;
  }

 private:
  uint64_t state_;
};

// Fisher-Yates shuffle.
template <typename T>
void Shuffle(absl::Span<T> items, SplitMix64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(rng.Uniform(i));
    std::swap(items[i - 1], items[j]);
  }
}

// A seed for the i-th independent stream derived from a base seed.
inline uint64_t StreamSeed(uint64_t seed, uint64_t stream) {
  SplitMix64 mix(seed ^ (0x632be59bd9b4e019ULL * (stream + 1)));
  return mix.Next();
}

}  // namespace innoscope::graph
