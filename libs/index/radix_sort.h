#pragma once

// Sorting doubles by value in O(n): the value's bit pattern made monotone
// (every bit of a negative flipped, the sign bit of a positive set; -0 taken
// as +0 first, so that the two stay equal), then a least significant digit
// radix sort of 8 passes of 8 bits, skipping a pass in which every key has
// the same digit. Stable. Used by the rank normalisations (CountBelow) and
// the competition ranker of the Monte Carlo analysis, where a comparison
// sort per replicate dominated.
//
//   std::vector<KeyedRow> rows;  // {AscendingKey(x[i]), i} for present x[i]
//   RadixSortByKey(rows, buffer);

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace innoscope::index {

struct KeyedRow {
  uint64_t key;
  uint32_t row;
};

// Orders as the doubles do (NaN excluded by the caller); ~AscendingKey(x)
// orders descending.
inline uint64_t AscendingKey(double x) {
  x += 0.0;  // -0 + 0 = +0
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

// Sorts `rows` by key (stable); `buffer` is scratch space, kept by callers
// that sort repeatedly so that nothing is allocated per sort.
inline void RadixSortByKey(std::vector<KeyedRow>& rows, std::vector<KeyedRow>& buffer) {
  if (rows.empty()) return;
  std::array<std::array<uint32_t, 256>, 8> count{};
  for (const KeyedRow& r : rows) {
    for (int d = 0; d < 8; ++d) ++count[d][(r.key >> (8 * d)) & 0xFF];
  }
  buffer.resize(rows.size());
  for (int d = 0; d < 8; ++d) {
    std::array<uint32_t, 256>& c = count[d];
    if (c[(rows[0].key >> (8 * d)) & 0xFF] == rows.size()) continue;
    uint32_t at = 0;
    for (uint32_t& bucket : c) {
      const uint32_t size = bucket;
      bucket = at;
      at += size;
    }
    for (const KeyedRow& r : rows) buffer[c[(r.key >> (8 * d)) & 0xFF]++] = r;
    rows.swap(buffer);
  }
}

}  // namespace innoscope::index
