#include "libs/recompute/shards.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace innoscope::recompute {

const char* ItemStepName(ItemStep step) {
  switch (step) {
    case ItemStep::kNetwork:
      return "network";
    case ItemStep::kScores:
      return "scores";
    case ItemStep::kUncertainty:
      return "uncertainty";
  }
  return "";
}

std::vector<WorkItem> WorkItems(const RecomputeConfig& config, const std::vector<bool>& recompute,
                                int shard_count) {
  const int n = shard_count < 1 ? 1 : shard_count;
  std::vector<WorkItem> items;
  auto add = [&](ItemStep step, size_t index, int period, int ordinal, int shard,
                 int64_t block_first = 0, int64_t block_count = 0) {
    WorkItem item;
    item.step = step;
    item.index = index;
    item.entry_key = EntryKey(config.indices[index]);
    item.period = period;
    item.ordinal = ordinal;
    item.shard = shard;
    item.block_first = block_first;
    item.block_count = block_count;
    items.push_back(std::move(item));
  };
  auto recomputed = [&](size_t i) { return i < recompute.size() && recompute[i]; };
  int k = 0;
  for (size_t i = 0; i < config.indices.size(); ++i) {
    const IndexEntry& e = config.indices[i];
    if (!recomputed(i) || e.derived_indicators.empty()) continue;
    for (int p = e.first_period; p <= e.last_period; ++p, ++k) {
      add(ItemStep::kNetwork, i, p, k, k % n);
    }
  }
  k = 0;
  for (size_t i = 0; i < config.indices.size(); ++i) {
    const IndexEntry& e = config.indices[i];
    if (!recomputed(i)) continue;
    for (int p = e.first_period; p <= e.last_period; ++p, ++k) {
      add(ItemStep::kScores, i, p, k, k % n);
    }
  }
  k = 0;
  for (size_t i = 0; i < config.indices.size(); ++i) {
    const IndexEntry& e = config.indices[i];
    if (!recomputed(i) || e.uncertainty.monte_carlo_runs == 0) continue;
    const int64_t runs = e.uncertainty.monte_carlo_runs;
    const int64_t blocks = std::min<int64_t>(n, runs);
    for (int64_t b = 0; b < blocks; ++b, ++k) {
      const int64_t first = b * runs / blocks;
      const int64_t end = (b + 1) * runs / blocks;
      add(ItemStep::kUncertainty, i, e.last_period, k, k % n, first, end - first);
    }
  }
  return items;
}

}  // namespace innoscope::recompute
