#include "libs/recompute/shards.h"

#include <map>
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
  auto add = [&](ItemStep step, size_t index, int period, int ordinal, int shard) {
    WorkItem item;
    item.step = step;
    item.index = index;
    item.entry_key = EntryKey(config.indices[index]);
    item.period = period;
    item.ordinal = ordinal;
    item.shard = shard;
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
  std::map<size_t, int> last_shard;  // index -> shard of its last period's scores item
  for (size_t i = 0; i < config.indices.size(); ++i) {
    const IndexEntry& e = config.indices[i];
    if (!recomputed(i)) continue;
    for (int p = e.first_period; p <= e.last_period; ++p, ++k) {
      add(ItemStep::kScores, i, p, k, k % n);
      if (p == e.last_period) last_shard[i] = k % n;
    }
  }
  k = 0;
  for (size_t i = 0; i < config.indices.size(); ++i) {
    const IndexEntry& e = config.indices[i];
    if (!recomputed(i) || e.uncertainty.monte_carlo_runs == 0) continue;
    add(ItemStep::kUncertainty, i, e.last_period, k++, last_shard[i]);
  }
  return items;
}

}  // namespace innoscope::recompute
