#include "libs/common/batch_plan.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::common {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Describe(const std::vector<BatchRange>& batches) {
  std::vector<std::string> out;
  for (const BatchRange& b : batches) {
    out.push_back(std::to_string(b.begin) + "-" + std::to_string(b.end) + (b.scoped ? "s" : ""));
  }
  return out;
}

// 7 rows, the first 3 scoped, batches of 2: the scoped part is cut on its
// own (2 + 1), then the rest (2 + 2).
TEST(BatchPlanTest, CutsEachPartIntoBatches) {
  EXPECT_THAT(Describe(PlanBatches(3, 7, 2)), ElementsAre("0-2s", "2-3s", "3-5", "5-7"));
  EXPECT_THAT(Describe(PlanBatches(0, 5, 5)), ElementsAre("0-5"));
  EXPECT_TRUE(PlanBatches(0, 0, 5).empty());
}

// Rows are (key, line). Part 0-2 and part 2-7 sorted by key, then each
// batch of PlanBatches(2, 7, 3) (0-2, 2-5, 5-7) by line; worked by hand:
// part 1 by key: (1,9) (5,2)  -> by line: (5,2) (1,9)
// part 2 by key: (2,8) (3,1) (4,7) | (6,3) (7,5) -> by line: (3,1) (4,7) (2,8) | (6,3) (7,5)
TEST(BatchPlanTest, OrdersPartsByKeyAndBatchesByLine) {
  std::vector<std::pair<int, int>> rows = {{5, 2}, {1, 9}, {7, 5}, {2, 8}, {6, 3}, {4, 7}, {3, 1}};
  const std::vector<BatchRange> batches = PlanBatches(2, rows.size(), 3);
  OrderForBatches(
      rows, 2, batches, [](const auto& r) { return r.first; },
      [](const auto& r) { return r.second; });
  EXPECT_THAT(rows, ElementsAre(std::pair(5, 2), std::pair(1, 9), std::pair(3, 1), std::pair(4, 7),
                                std::pair(2, 8), std::pair(6, 3), std::pair(7, 5)));
}

// Ranks of "b", "a", "c" by text: 1, 0, 2.
TEST(BatchPlanTest, SortedRanksArePlacesInTheOrder) {
  const std::vector<std::string> texts = {"b", "a", "c"};
  EXPECT_THAT(SortedRanks(3, [&](uint32_t x, uint32_t y) { return texts[x] < texts[y]; }),
              ElementsAre(1u, 0u, 2u));
}

}  // namespace
}  // namespace innoscope::common
