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
//
// Faster where the values have a finite range (SortByQuantisedValue): the
// rows sorted by the value's place in the range quantised to 16 bits, two
// passes instead of up to eight, then the few rows sharing a quantised
// value sorted among themselves.
//
//   std::vector<QuantisedRow> rows, buffer;
//   if (!SortByQuantisedValue(x.data(), x.size(), rows, buffer)) RadixSortByKey(...);

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
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

struct QuantisedRow {
  uint32_t q;    // the value's place in the range, 0..65535
  uint32_t row;  // its index
};

// The rows of the present (not NaN) values of v[0, n) in ascending order of
// value, into rows[0, count) (`buffer` is scratch space; both kept by
// callers that sort repeatedly). Equal values end up next to each other, in
// no particular order. False, with `rows` undefined, when the values have no
// range (fewer than two distinct present values) or an infinite one: the
// caller then sorts with RadixSortByKey.
//
// How: q = floor((x - lo) scale) with scale = 65535 / (hi - lo) is monotone
// in x (a subtraction and a multiplication by a positive number round
// monotonically), so a smaller q means a strictly smaller value: two stable
// 8-bit counting passes sort by q (no comparisons, no data-dependent
// branches), then each run of equal q is sorted by value (by insertion up
// to 16 rows, else std::sort: O(n) unless the values cluster, O(n log n) at
// worst). About twice the speed of RadixSortByKey at 3,000 values.
inline bool SortByQuantisedValue(const double* v, size_t n, std::vector<QuantisedRow>& rows,
                                 std::vector<QuantisedRow>& buffer, size_t& count) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (size_t i = 0; i < n; ++i) {
    // NaN (missing) fails both comparisons: left out of the range.
    lo = v[i] < lo ? v[i] : lo;
    hi = v[i] > hi ? v[i] : hi;
  }
  if (!(hi > lo && std::isfinite(hi - lo))) return false;
  constexpr uint32_t kLevels = 1 << 16;
  const double scale = static_cast<double>(kLevels - 1) / (hi - lo);
  // A range narrower than about 65535 / DBL_MAX (subnormal widths) gives an
  // infinite scale, and 0 * inf is NaN: no quantisation then.
  if (!std::isfinite(scale)) return false;
  rows.resize(n);
  buffer.resize(n);
  std::array<uint32_t, 256> low{};
  std::array<uint32_t, 256> high{};
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(v[i])) continue;
    const auto q = static_cast<uint32_t>(
        std::min(static_cast<int64_t>((v[i] - lo) * scale), int64_t{kLevels - 1}));
    rows[m++] = {q, static_cast<uint32_t>(i)};
    ++low[q & 0xff];
    ++high[q >> 8];
  }
  uint32_t low_at = 0;
  uint32_t high_at = 0;
  for (size_t d = 0; d < 256; ++d) {
    const uint32_t l = low[d];
    const uint32_t h = high[d];
    low[d] = low_at;
    high[d] = high_at;
    low_at += l;
    high_at += h;
  }
  QuantisedRow* a = rows.data();
  QuantisedRow* b = buffer.data();
  for (size_t i = 0; i < m; ++i) b[low[a[i].q & 0xff]++] = a[i];
  for (size_t i = 0; i < m; ++i) a[high[b[i].q >> 8]++] = b[i];
  auto by_value = [v](const QuantisedRow& x, const QuantisedRow& y) { return v[x.row] < v[y.row]; };
  for (size_t begin = 0; begin < m;) {
    size_t end = begin + 1;
    while (end < m && a[end].q == a[begin].q) ++end;
    if (end - begin > 16) {
      std::sort(a + begin, a + end, by_value);
    } else {
      for (size_t i = begin + 1; i < end; ++i) {
        const QuantisedRow r = a[i];
        size_t j = i;
        for (; j > begin && by_value(r, a[j - 1]); --j) a[j] = a[j - 1];
        a[j] = r;
      }
    }
    begin = end;
  }
  count = m;
  return true;
}

}  // namespace innoscope::index
