#pragma once

// Reproducible random streams for Monte Carlo work split across threads.
// Every replicate draws from its own generator, seeded from (seed, stream
// index), so a result depends only on the seed and never on how replicates
// were scheduled onto threads. No global RNG and no seeding from the clock.
//
//   UniformStream stream(options.seed, replicate);
//   double u = stream.Next();   // in [0, 1)
//
// Seeds are derived with SplitMix64 (Steele, Lea & Flood 2014):
// DeriveSeed(s, k) = SplitMix64(SplitMix64(s) XOR k). A stream is the
// SplitMix64 generator started at its derived seed, i.e. counter-based: draw
// i (from 0) of stream k is SplitMix64(DeriveSeed(s, k) + i * 0x9E3779B97F4A7C15)
// (mod 2^64), and a draw is (that >> 11) * 2^-53. Why not std::mt19937_64, as
// before: seeding it fills 312 words and its first draw regenerates them all,
// which cost more than a whole small Monte Carlo replicate; SplitMix64 has no
// set-up at all and passes BigCrush. Streams of different k start at
// unrelated points of the one 2^64 cycle; a replicate draws at most
// 2 kMaxFactors numbers and a bootstrap resample kMaxReplicates, so streams
// overlap only with negligible probability.

#include <cstdint>

#include "libs/common/splitmix64.h"

namespace innoscope::scoring {

// The SplitMix64 output function applied to x + 0x9E3779B97F4A7C15: a
// bijective 64-bit mixer, the first draw of a generator seeded with x.
// Inline: it is every draw's whole cost.
inline uint64_t SplitMix64(uint64_t x) { return common::SplitMix64(x).Next(); }

// Seed of stream `stream` under the master seed `seed`.
uint64_t DeriveSeed(uint64_t seed, uint64_t stream);

// Uniform doubles in [0, 1) with 53 random bits. Construction costs two
// SplitMix64 calls, a draw one.
class UniformStream {
 public:
  UniformStream(uint64_t seed, uint64_t stream) : rng_(DeriveSeed(seed, stream)) {}

  double Next() { return rng_.UniformDouble(); }

  // An index in [0, n) for n >= 1.
  uint64_t NextIndex(uint64_t n) {
    const uint64_t i = static_cast<uint64_t>(Next() * static_cast<double>(n));
    return i < n ? i : n - 1;
  }

 private:
  common::SplitMix64 rng_;
};

}  // namespace innoscope::scoring
