#include "libs/scoring/random.h"

namespace innoscope::scoring {

uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  return SplitMix64(SplitMix64(seed) ^ stream);
}

}  // namespace innoscope::scoring
