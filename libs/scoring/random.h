#pragma once

// Reproducible random streams for Monte Carlo work split across threads.
// Every replicate draws from its own generator, seeded from (seed, stream
// index), so a result depends only on the seed and never on how replicates
// were scheduled onto threads. No global RNG and no seeding from the clock.
//
//   UniformStream stream(options.seed, replicate);
//   double u = stream.Next();   // in [0, 1)
//
// Seeds are derived with SplitMix64 (Steele, Lea & Flood 2014, the seeding
// generator recommended for the xoshiro family): DeriveSeed(s, k) =
// SplitMix64(SplitMix64(s) XOR k). The stream generator is std::mt19937_64
// (whose output sequence the C++ standard fixes), and a draw is
// (engine() >> 11) * 2^-53 -- spelled out because
// std::uniform_real_distribution may differ between standard libraries.

#include <cstdint>
#include <random>

namespace innoscope::scoring {

// The SplitMix64 output function applied to x + 0x9E3779B97F4A7C15: a
// bijective 64-bit mixer.
uint64_t SplitMix64(uint64_t x);

// Seed of stream `stream` under the master seed `seed`.
uint64_t DeriveSeed(uint64_t seed, uint64_t stream);

// Uniform doubles in [0, 1) with 53 random bits. Cheap to construct (one
// engine seeding, O(312) word operations).
class UniformStream {
 public:
  UniformStream(uint64_t seed, uint64_t stream)
      : engine_(DeriveSeed(seed, stream)) {}

  double Next() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // An index in [0, n) for n >= 1.
  uint64_t NextIndex(uint64_t n) {
    const uint64_t i = static_cast<uint64_t>(Next() * static_cast<double>(n));
    return i < n ? i : n - 1;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace innoscope::scoring
