// Work items of a sharded recompute run and their shards (libs/recompute/shards.h).

#include "libs/recompute/shards.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::recompute {
namespace {

using ::testing::ElementsAre;

IndexEntry Entry(const std::string& framework, int first, int last, bool derived,
                 int64_t monte_carlo = 0) {
  IndexEntry e;
  e.framework = framework;
  e.first_period = first;
  e.last_period = last;
  e.universe.region_kind = "province";
  if (derived) {
    e.relation_set = "net";
    e.derived_indicators.emplace_back().indicator = "x";
  }
  e.uncertainty.monte_carlo_runs = monte_carlo;
  return e;
}

// "network a 2021 #0 -> 0" per item; "uncertainty a 2022 [0, 33) #0 -> 0"
// for a Monte Carlo block.
std::vector<std::string> Describe(const std::vector<WorkItem>& items) {
  std::vector<std::string> out;
  for (const WorkItem& w : items) {
    const std::string block =
        w.step == ItemStep::kUncertainty
            ? absl::StrCat(" [", w.block_first, ", ", w.block_first + w.block_count, ")")
            : "";
    out.push_back(absl::StrCat(ItemStepName(w.step), " ", w.entry_key.substr(0, 1), " ", w.period,
                               block, " #", w.ordinal, " -> ", w.shard));
  }
  return out;
}

RecomputeConfig TestConfig() {
  RecomputeConfig config;
  config.indices = {Entry("a", 2021, 2022, /*derived=*/true, /*monte_carlo=*/100),
                    Entry("b", 2022, 2022, /*derived=*/false)};
  return config;
}

TEST(WorkItemsTest, RoundRobinPerStepInConfigAndPeriodOrder) {
  // The test data of recompute_pgtest: 2 network, 3 scores, and 100 Monte
  // Carlo replicates in B = min(3, 100) = 3 blocks [floor(b 100 / 3),
  // floor((b + 1) 100 / 3)): [0, 33), [33, 66), [66, 100).
  EXPECT_THAT(
      Describe(WorkItems(TestConfig(), {true, true}, 3)),
      ElementsAre("network a 2021 #0 -> 0", "network a 2022 #1 -> 1", "scores a 2021 #0 -> 0",
                  "scores a 2022 #1 -> 1", "scores b 2022 #2 -> 2",
                  "uncertainty a 2022 [0, 33) #0 -> 0", "uncertainty a 2022 [33, 66) #1 -> 1",
                  "uncertainty a 2022 [66, 100) #2 -> 2"));
}

TEST(WorkItemsTest, OneShardDoesEverything) {
  for (const WorkItem& w : WorkItems(TestConfig(), {true, true}, 1)) EXPECT_EQ(w.shard, 0);
  EXPECT_EQ(WorkItems(TestConfig(), {true, true}, 1).size(), 6u);
}

TEST(WorkItemsTest, IndicesNotRecomputedHaveNoItems) {
  EXPECT_THAT(Describe(WorkItems(TestConfig(), {false, true}, 2)),
              ElementsAre("scores b 2022 #0 -> 0"));
  EXPECT_TRUE(WorkItems(TestConfig(), {false, false}, 2).empty());
}

TEST(WorkItemsTest, EveryItemOnceAndSharesDifferByAtMostOne) {
  RecomputeConfig config;
  config.indices = {Entry("a", 2014, 2022, true, 10), Entry("b", 2014, 2022, false, 10),
                    Entry("c", 2020, 2022, true)};
  for (int n = 1; n <= 7; ++n) {
    SCOPED_TRACE(n);
    const std::vector<WorkItem> items = WorkItems(config, {true, true, true}, n);
    std::map<std::string, int> seen;
    std::map<std::pair<ItemStep, int>, int> per_shard;
    for (const WorkItem& w : items) {
      ASSERT_GE(w.shard, 0);
      ASSERT_LT(w.shard, n);
      ++seen[absl::StrCat(ItemStepName(w.step), w.entry_key, w.period, "/", w.block_first)];
      ++per_shard[{w.step, w.shard}];
    }
    EXPECT_EQ(seen.size(), items.size());  // no item twice
    // Two indices of 10 replicates in min(n, 10) blocks each.
    EXPECT_EQ(items.size(), 12u + 21u + 2u * static_cast<size_t>(std::min(n, 10)));
    // Each index's blocks tile [0, 10) in order.
    std::map<std::string, int64_t> next;
    for (const WorkItem& w : items) {
      if (w.step != ItemStep::kUncertainty) continue;
      EXPECT_EQ(w.block_first, next[w.entry_key]);
      EXPECT_GE(w.block_count, 1);
      next[w.entry_key] += w.block_count;
    }
    EXPECT_EQ(next.size(), 2u);
    for (const auto& [key, end] : next) EXPECT_EQ(end, 10) << key;
    for (ItemStep step : {ItemStep::kNetwork, ItemStep::kScores, ItemStep::kUncertainty}) {
      int low = 1 << 30, high = 0;
      for (int s = 0; s < n; ++s) {
        low = std::min(low, per_shard[{step, s}]);
        high = std::max(high, per_shard[{step, s}]);
      }
      EXPECT_LE(high - low, 1) << ItemStepName(step);
    }
    // The same call gives the same list: every shard agrees.
    EXPECT_EQ(Describe(WorkItems(config, {true, true, true}, n)), Describe(items));
  }
}

}  // namespace
}  // namespace innoscope::recompute
