#pragma once

// Cutting a streamed import into batches (the CLI's observations, actors
// and relations): which rows go into which batch, and in what order the
// rows of a file are sent.
//
//   std::vector<common::BatchRange> batches = common::PlanBatches(scoped_end, rows.size(), 20000);
//   common::OrderForBatches(rows, scoped_end, batches, key_of, line_of);
//   // batch b sends rows[batches[b].begin, batches[b].end)
//
// Both are O(n) apart from the sorts (O(n log n) comparisons).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace innoscope::common {

// A batch: rows [begin, end) of the file's records or messages.
struct BatchRange {
  size_t begin = 0;
  size_t end = 0;
  bool scoped = true;  // observations: sent with the --framework reference
};

// Cuts [0, scoped_end) and [scoped_end, total) into batches of batch_size.
std::vector<BatchRange> PlanBatches(size_t scoped_end, size_t total, size_t batch_size);

// Sorts each part of `rows` ([0, scoped_end) and the rest) by
// `send_key(row)`, so the batches cut from it follow that order, then the
// rows of each of `batches` (planned for these parts) by `list_key(row)`.
// With keys unique over the rows the result does not depend on the rows'
// order before.
template <typename Row, typename SendKey, typename ListKey>
void OrderForBatches(std::vector<Row>& rows, size_t scoped_end,
                     const std::vector<BatchRange>& batches, SendKey send_key, ListKey list_key) {
  const auto at = [&](size_t i) { return rows.begin() + static_cast<std::ptrdiff_t>(i); };
  const auto by_send = [&](const Row& a, const Row& b) { return send_key(a) < send_key(b); };
  std::sort(at(0), at(scoped_end), by_send);
  std::sort(at(scoped_end), rows.end(), by_send);
  for (const BatchRange& b : batches) {
    std::sort(at(b.begin), at(b.end),
              [&](const Row& x, const Row& y) { return list_key(x) < list_key(y); });
  }
}

// rank[i] = the place of item i among items 0..n-1 sorted by `less`, so
// items compare as integers (e.g. interned strings by their text).
template <typename Less>
std::vector<uint32_t> SortedRanks(uint32_t n, Less less) {
  std::vector<uint32_t> order(n), rank(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), less);
  for (uint32_t r = 0; r < n; ++r) rank[order[r]] = r;
  return rank;
}

}  // namespace innoscope::common
