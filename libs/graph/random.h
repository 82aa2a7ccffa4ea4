#pragma once

// Deterministic pseudo-random numbers for seeded algorithms (Louvain node
// order, betweenness sampling, power-law bootstrap): the project's
// SplitMix64 (libs/common/splitmix64.h), a shuffle and stream seeds.
//
//   SplitMix64 rng(seed);
//   Shuffle(absl::MakeSpan(order), rng);
//   double u = rng.UniformDouble();  // [0, 1)

#include <cstdint>
#include <utility>

#include "absl/types/span.h"
#include "libs/common/splitmix64.h"

namespace innoscope::graph {

using common::SplitMix64;

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
