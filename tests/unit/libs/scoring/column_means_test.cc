#include "libs/scoring/column_means.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/random.h"

namespace innoscope::scoring {
namespace {

// Root (level 3) <- two groups (level 2) <- 3 + 4 leaves, random weights
// (one child of each group with weight 0 in the second tree).
AggregationTree Tree(bool zero_weights) {
  std::vector<AggregationNode> nodes;
  UniformStream stream(11, zero_weights ? 1 : 0);
  for (int i = 0; i < 7; ++i) {
    nodes.push_back({"L" + std::to_string(i), {}, 0.5 + stream.Next(), 1});
  }
  if (zero_weights) nodes[1].weight = nodes[5].weight = 0;
  nodes.push_back({"G1", {0, 1, 2}, 0.5 + stream.Next(), 2});
  nodes.push_back({"G2", {3, 4, 5, 6}, 0.5 + stream.Next(), 2});
  nodes.push_back({"R", {7, 8}, 1, 3});
  return *AggregationTree::Create(std::move(nodes));
}

struct Case {
  index::DataMatrix leaves;
  ColumnTree tree;
  ColumnInputs inputs;
};

// 37 regions (nine vectors of four and a tail) with leaf values in
// [low, low + 100).
Case Leaves(const AggregationTree& tree, double low) {
  std::vector<std::string> regions;
  for (int r = 0; r < 37; ++r) regions.push_back("R" + std::to_string(r));
  std::vector<std::string> codes;
  for (int leaf : tree.Leaves()) codes.push_back(tree.Code(leaf));
  Case c{index::DataMatrix(regions, codes), {}, {}};
  UniformStream stream(5, static_cast<uint64_t>(low + 1000));
  for (size_t col = 0; col < codes.size(); ++col) {
    for (size_t r = 0; r < regions.size(); ++r) c.leaves.Set(r, col, low + 100 * stream.Next());
  }
  std::vector<int> leaf_column(tree.size(), -1);
  for (size_t i = 0; i < tree.Leaves().size(); ++i) leaf_column[tree.Leaves()[i]] = i;
  c.tree = ColumnTreeFrom(tree, leaf_column);
  for (size_t col = 0; col < codes.size(); ++col) {
    c.inputs.values.push_back(c.leaves.Column(col).data());
  }
  return c;
}

bool RunMeans(const AggregationTree& tree, const AggregationOptions& options, const Case& c,
              ColumnMeans& means, ColumnMeans::Columns wanted = ColumnMeans::Columns::kAll) {
  std::vector<NodeMean> node_means;
  std::vector<double> weights;
  for (size_t v = 0; v < tree.size(); ++v) {
    node_means.push_back(MeanAt(options, tree.Level(static_cast<int>(v))));
    weights.push_back(tree.Node(static_cast<int>(v)).weight);
  }
  return means.Run(c.tree, node_means, weights, c.inputs, c.leaves.rows(), wanted);
}

// Every inner node's scores equal Aggregate's exactly (its region-by-region
// power means are the independent reference): arithmetic, geometric,
// harmonic and generalised means, shifted, mixed per level, with
// zero-weight children.
TEST(ColumnMeansTest, EqualsAggregateBitForBit) {
  for (const bool zero_weights : {false, true}) {
    const AggregationTree tree = Tree(zero_weights);
    for (const double low : {-20.0, 1.0}) {
      const Case c = Leaves(tree, low);
      std::vector<AggregationOptions> all(5);
      all[1].spec.method = AggregationMethod::kGeometric;
      all[2].spec.method = AggregationMethod::kHarmonic;
      all[3].spec = {AggregationMethod::kGeneralised, 2.5};
      all[4].spec.method = AggregationMethod::kGeometric;
      all[4].by_level[3] = {AggregationMethod::kArithmetic};
      for (AggregationOptions& options : all) {
        options.non_positive = NonPositivePolicy::kShift;
        options.shift = 25;
      }
      for (size_t o = 0; o < all.size(); ++o) {
        ColumnMeans means;
        ASSERT_TRUE(RunMeans(tree, all[o], c, means)) << o << " " << low;
        std::vector<std::vector<double>> log_means;
        ASSERT_OK_AND_ASSIGN(index::DataMatrix expected,
                             Aggregate(tree, c.leaves, all[o], &log_means));
        for (int v : tree.BottomUp()) {
          const absl::Span<const double> got = means.Column(c.tree, v);
          for (size_t r = 0; r < c.leaves.rows(); ++r) {
            ASSERT_EQ(got[r], expected.Get(r, v))
                << "options " << o << " node " << tree.Code(v) << " region " << r;
          }
          // A geometric node's log-means too (what a geometric parent reads).
          if (log_means[v].empty()) continue;
          const absl::Span<const double> got_logs = means.LogMean(c.tree, v);
          for (size_t r = 0; r < c.leaves.rows(); ++r) {
            ASSERT_EQ(got_logs[r], log_means[v][r])
                << "options " << o << " node " << tree.Code(v) << " region " << r;
          }
        }
        // Only the root's scores wanted: the same root.
        ColumnMeans root_only;
        ASSERT_TRUE(RunMeans(tree, all[o], c, root_only, ColumnMeans::Columns::kRoot));
        const int root = tree.Root();
        const absl::Span<const double> got = root_only.Column(c.tree, root);
        for (size_t r = 0; r < c.leaves.rows(); ++r) {
          ASSERT_EQ(got[r], expected.Get(r, root)) << "options " << o << " region " << r;
        }
      }
    }
  }
}

// Whatever Aggregate would treat otherwise is declined: a missing value,
// a value outside the geometric mean's domain (Aggregate's policy
// decides), TOPSIS.
TEST(ColumnMeansTest, DeclinesWhatAggregateTreatsOtherwise) {
  const AggregationTree tree = Tree(false);
  ColumnMeans means;
  Case c = Leaves(tree, 1.0);
  AggregationOptions geometric;
  geometric.spec.method = AggregationMethod::kGeometric;
  EXPECT_TRUE(RunMeans(tree, geometric, c, means));
  c.leaves.Set(36, 2, index::kMissing);  // the last region: in the tail
  EXPECT_FALSE(RunMeans(tree, AggregationOptions(), c, means));
  EXPECT_FALSE(RunMeans(tree, geometric, c, means));
  c.leaves.Set(36, 2, 0.0);
  EXPECT_TRUE(RunMeans(tree, AggregationOptions(), c, means));
  EXPECT_FALSE(RunMeans(tree, geometric, c, means));
  AggregationOptions topsis;
  topsis.spec.method = AggregationMethod::kTopsis;
  EXPECT_FALSE(RunMeans(tree, topsis, Leaves(tree, 1.0), means));
  // A geometric log-mean below -700 (unshifted): a parent's domain check
  // would need the group's score (Exp of it), so Aggregate decides, and
  // it scores the region (a subnormal group score is > 0).
  Case tiny = Leaves(tree, 1.0);
  for (size_t col = 0; col < 3; ++col) tiny.leaves.Set(0, col, 1e-310);
  EXPECT_FALSE(RunMeans(tree, geometric, tiny, means, ColumnMeans::Columns::kRoot));
  EXPECT_TRUE(Aggregate(tree, tiny.leaves, geometric).ok());
}

}  // namespace
}  // namespace innoscope::scoring
