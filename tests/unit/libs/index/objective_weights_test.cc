#include "libs/index/objective_weights.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/linalg.h"
#include "libs/index/normalise.h"
#include "libs/index/stats.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Pointwise;

// Builds a matrix from columns; regions r1, r2, ...; indicators c1, c2, ...
DataMatrix FromColumns(const std::vector<std::vector<double>>& cols) {
  std::vector<std::string> regions;
  for (size_t r = 0; r < cols[0].size(); ++r) regions.push_back("r" + std::to_string(r + 1));
  std::vector<std::string> indicators;
  for (size_t c = 0; c < cols.size(); ++c) indicators.push_back("c" + std::to_string(c + 1));
  DataMatrix m(regions, indicators);
  for (size_t c = 0; c < cols.size(); ++c) {
    for (size_t r = 0; r < cols[c].size(); ++r) m.Set(r, c, cols[c][r]);
  }
  return m;
}

// Hand calculation, n = 3 regions:
//   c1 = (1, 2, 3)    -> min-max (0, 0.5, 1), sum 1.5, p = (0, 1/3, 2/3)
//      H = (1/3) ln 3 + (2/3) ln 1.5 = 0.366204 + 0.270310 = 0.636514
//      e = H / ln 3 = 0.636514 / 1.098612 = 0.579380, d = 1 - e = 0.420620
//   c2 = (10, 10, 40) -> (0, 0, 1), p = (0, 0, 1), H = 0 (0 ln 0 = 0), d = 1
//   w = (0.420620, 1) / 1.420620 = (0.296082, 0.703918)
// With c2 "less is better": (1, 1, 0), p = (1/2, 1/2, 0), e = ln 2 / ln 3 =
//   0.630930, d = 0.369070; w = (0.420620, 0.369070) / 0.789690
//   = (0.532639, 0.467361).
TEST(EntropyWeightsTest, MatchesTheHandCalculation) {
  const DataMatrix m = FromColumns({{1, 2, 3}, {10, 10, 40}});
  ASSERT_OK_AND_ASSIGN(std::vector<double> w, EntropyWeights(m));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-6), {0.296082, 0.703918}));
  ASSERT_OK_AND_ASSIGN(w, EntropyWeights(m, {1, -1}));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-6), {0.532639, 0.467361}));
}

// Hand calculation, n = 4 regions, min-max normalised columns:
//   c1 = (0, 1, 2, 3) -> (0, 1/3, 2/3, 1)
//   c2 = (3, 2, 1, 0) -> (1, 2/3, 1/3, 0)
//   c3 = (0, 0, 1, 1) -> (0, 0, 1, 1)
// Sample sd (n - 1): s1 = s2 = sqrt((0.25 + 1/36 + 1/36 + 0.25) / 3)
//   = sqrt(0.185185) = 0.430331; s3 = sqrt(1 / 3) = 0.577350.
// Pearson: r12 = -1; r13 = (0.25 + 1/12 + 1/12 + 0.25) / sqrt(5/9 * 1)
//   = 0.666667 / 0.745356 = 0.894427 (= 2/sqrt 5); r23 = -0.894427.
// C1 = 0.430331 * ((1 + 1) + (1 - 0.894427)) = 0.430331 * 2.105573 = 0.906094
// C2 = 0.430331 * ((1 + 1) + (1 + 0.894427)) = 0.430331 * 3.894427 = 1.675895
// C3 = 0.577350 * ((1 - 0.894427) + (1 + 0.894427)) = 0.577350 * 2 = 1.154701
// sum 3.736689; w = (0.242486, 0.448497, 0.309017).
TEST(CriticWeightsTest, MatchesTheHandCalculation) {
  const DataMatrix m = FromColumns({{0, 1, 2, 3}, {3, 2, 1, 0}, {0, 0, 1, 1}});
  ASSERT_OK_AND_ASSIGN(std::vector<double> w, CriticWeights(m));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-6), {0.242486, 0.448497, 0.309017}));
  // Declaring c2 "less is better" makes it identical to c1 (r12 = 1), so
  // c1 and c2 then conflict only with c3 and weigh the same.
  ASSERT_OK_AND_ASSIGN(w, CriticWeights(m, {1, -1, 1}));
  EXPECT_NEAR(w[0], w[1], 1e-12);
}

TEST(CriticWeightsTest, ASingleIndicatorGetsAllTheWeight) {
  ASSERT_OK_AND_ASSIGN(std::vector<double> w, CriticWeights(FromColumns({{1, 2, 4}})));
  EXPECT_THAT(w, Pointwise(DoubleNear(0), {1.0}));
}

// c1 = (1, 2, 3): mean 2, sd 1, CV 0.5.
// c2 = (10, 20, 60): mean 30, sd sqrt((400 + 100 + 900) / 2) = 26.457513, CV 0.881917.
// w = (0.5, 0.881917) / 1.381917 = (0.361816, 0.638184).
TEST(CoefficientOfVariationWeightsTest, MatchesTheHandCalculation) {
  ASSERT_OK_AND_ASSIGN(std::vector<double> w,
                       CoefficientOfVariationWeights(FromColumns({{1, 2, 3}, {10, 20, 60}})));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-6), {0.361816, 0.638184}));
  EXPECT_THAT(CoefficientOfVariationWeights(FromColumns({{-1, 0, 1}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("indicator 'c1' has mean 0")));
}

// Eight regions, four indicators built from orthogonal zero-mean patterns
//   e1 = (1,1,1,1,-1,-1,-1,-1), e2 = (1,1,-1,-1,1,1,-1,-1),
//   e3 = (1,-1,1,-1,1,-1,1,-1), e4 = (1,-1,-1,1,1,-1,-1,1):
//   c1 = e1, c2 = 0.8 e1 + 0.6 e2 (r12 = 0.8), c3 = e3, c4 = 0.6 e3 + 0.8 e4
//   (r34 = 0.6), the two blocks uncorrelated. The correlation matrix is
//   block diagonal with eigenvalues 1.8, 1.6 (vectors (1,1,0,0)/sqrt 2 and
//   (0,0,1,1)/sqrt 2), 0.4 and 0.2. Kaiser keeps the first two, so
//   w ∝ 1.8 (1/2, 1/2, 0, 0) + 1.6 (0, 0, 1/2, 1/2) = (0.9, 0.9, 0.8, 0.8)
//   -> (0.264706, 0.264706, 0.235294, 0.235294).
TEST(PcaWeightsTest, MatchesTheHandCalculation) {
  const std::vector<double> e1 = {1, 1, 1, 1, -1, -1, -1, -1};
  const std::vector<double> e2 = {1, 1, -1, -1, 1, 1, -1, -1};
  const std::vector<double> e3 = {1, -1, 1, -1, 1, -1, 1, -1};
  const std::vector<double> e4 = {1, -1, -1, 1, 1, -1, -1, 1};
  std::vector<double> c2(8), c4(8);
  for (size_t i = 0; i < 8; ++i) {
    c2[i] = 0.8 * e1[i] + 0.6 * e2[i];
    c4[i] = 0.6 * e3[i] + 0.8 * e4[i];
  }
  ASSERT_OK_AND_ASSIGN(PcaWeights pca, PcaWeightsOf(FromColumns({e1, c2, e3, c4})));
  EXPECT_THAT(pca.eigenvalues, Pointwise(DoubleNear(1e-12), {1.8, 1.6, 0.4, 0.2}));
  EXPECT_EQ(pca.retained, 2u);
  EXPECT_THAT(pca.weights, Pointwise(DoubleNear(1e-6), {0.264706, 0.264706, 0.235294, 0.235294}));
  // Retaining every component: w ∝ sum_k lambda_k v_jk^2 = diag(R) = 1 each.
  PcaOptions all;
  all.min_eigenvalue = 0;
  ASSERT_OK_AND_ASSIGN(pca, PcaWeightsOf(FromColumns({e1, c2, e3, c4}), all));
  EXPECT_EQ(pca.retained, 4u);
  EXPECT_THAT(pca.weights, Pointwise(DoubleNear(1e-12), {0.25, 0.25, 0.25, 0.25}));
}

// Entropy, CRITIC, CV and PCA compute their statistics in tiles and several
// columns at a time, and min-max normalise without NormaliseColumn's
// copies, for speed (bench/weights). They must still give exactly what
// NormaliseColumn and the one-pair-at-a-time formulas of stats.h give, bit
// for bit: a table with a column count that is not a multiple of the tile
// width, more rows than one cache chunk (256), directions of both signs,
// and a column whose values differ by 1e-9 steps.
TEST(ObjectiveWeightsTest, FastPathsAreBitIdenticalToTheDirectFormulas) {
  const size_t n = 301, m = 11;
  std::vector<std::vector<double>> cols(m, std::vector<double>(n));
  uint64_t state = 12345;
  for (size_t j = 0; j < m; ++j) {
    for (size_t i = 0; i < n; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      cols[j][i] = std::exp(static_cast<double>(state >> 11) * 0x1.0p-53 * 4) + (j == 3) * 1e-9 * i;
    }
  }
  const DataMatrix data = FromColumns(cols);

  std::vector<int> directions;
  for (size_t j = 0; j < m; ++j) directions.push_back(j % 3 == 1 ? -1 : 1);
  std::vector<std::vector<double>> unit;
  for (size_t j = 0; j < m; ++j) {
    NormaliseSpec spec;
    spec.lower = 0;
    spec.upper = 1;
    spec.direction = directions[j];
    unit.push_back(*NormaliseColumn(data.Column(j), spec));
  }

  // Entropy, directly.
  std::vector<double> entropy(m), entropy_fast;
  for (size_t j = 0; j < m; ++j) {
    double total = 0;
    for (double v : unit[j]) total += v;
    double e = 0;
    for (double v : unit[j]) {
      const double p = v / total;
      if (p > 0) e -= p * std::log(p);
    }
    entropy[j] = (1 / std::log(static_cast<double>(n))) * e;  // k e, as EntropyWeights
  }
  ASSERT_OK(EntropyWeights(data, directions, &entropy_fast).status());
  EXPECT_EQ(entropy_fast, entropy);

  // CRITIC, directly: sigma_j sum_k (1 - r_jk) on the min-max columns.
  std::vector<double> info(m), info_fast;
  double sum = 0;
  for (size_t j = 0; j < m; ++j) {
    double conflict = 0;
    for (size_t k = 0; k < m; ++k) {
      if (k != j) conflict += 1 - PearsonCorrelation(unit[j], unit[k]);
    }
    info[j] = SampleStdDev(unit[j]) * conflict;
    sum += info[j];
  }
  ASSERT_OK_AND_ASSIGN(std::vector<double> w, CriticWeights(data, directions, &info_fast));
  for (size_t j = 0; j < m; ++j) {
    EXPECT_EQ(info_fast[j], info[j]) << j;
    EXPECT_EQ(w[j], info[j] / sum) << j;
  }

  // CV, directly.
  std::vector<double> cv(m), cv_fast;
  for (size_t j = 0; j < m; ++j) cv[j] = SampleStdDev(cols[j]) / std::fabs(Mean(cols[j]));
  ASSERT_OK(CoefficientOfVariationWeights(data, &cv_fast).status());
  EXPECT_EQ(cv_fast, cv);

  // PCA: the correlation matrix it decomposes is PearsonCorrelation's.
  std::vector<std::vector<double>> corr(m, std::vector<double>(m, 1.0));
  for (size_t j = 0; j < m; ++j) {
    for (size_t k = j + 1; k < m; ++k) {
      corr[j][k] = corr[k][j] = PearsonCorrelation(cols[j], cols[k]);
    }
  }
  ASSERT_OK_AND_ASSIGN(SymmetricEigen eigen, EigenSymmetric(corr));
  ASSERT_OK_AND_ASSIGN(PcaWeights pca, PcaWeightsOf(data));
  EXPECT_EQ(pca.eigenvalues, eigen.values);
}

TEST(SymmetricEigenTest, DiagonalisesAKnownMatrix) {
  // [2 1; 1 2]: eigenvalues 3 and 1, eigenvectors (1, 1)/sqrt 2, (1, -1)/sqrt 2.
  ASSERT_OK_AND_ASSIGN(SymmetricEigen e, EigenSymmetric({{2, 1}, {1, 2}}));
  EXPECT_THAT(e.values, Pointwise(DoubleNear(1e-14), {3.0, 1.0}));
  EXPECT_NEAR(std::fabs(e.vectors[0][0]), std::sqrt(0.5), 1e-14);
  EXPECT_NEAR(e.vectors[0][0] * e.vectors[0][1], 0.5, 1e-14);
  EXPECT_NEAR(e.vectors[1][0] * e.vectors[1][1], -0.5, 1e-14);
  EXPECT_THAT(EigenSymmetric({{1, 2}, {3, 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not symmetric at (1,2)")));
}

// Preconditions shared by every data-driven method.
TEST(ObjectiveWeightsTest, RejectUnsuitableData) {
  using Method = absl::StatusOr<std::vector<double>> (*)(const DataMatrix&);
  const std::vector<std::pair<std::string, Method>> methods = {
      {"entropy", [](const DataMatrix& m) { return EntropyWeights(m); }},
      {"CRITIC", [](const DataMatrix& m) { return CriticWeights(m); }},
      {"coefficient-of-variation",
       [](const DataMatrix& m) { return CoefficientOfVariationWeights(m); }},
      {"PCA",
       [](const DataMatrix& m) -> absl::StatusOr<std::vector<double>> {
         absl::StatusOr<PcaWeights> p = PcaWeightsOf(m);
         if (!p.ok()) return p.status();
         return p->weights;
       }},
  };
  DataMatrix with_gap = FromColumns({{1, 2, 3}, {4, 5, 6}});
  with_gap.Set(1, 1, kMissing);
  for (const auto& [name, method] : methods) {
    SCOPED_TRACE(name);
    EXPECT_THAT(
        method(FromColumns({{1}, {2}})),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs at least 2 regions, got 1")));
    EXPECT_THAT(method(with_gap), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("region 'r2', indicator 'c2' is missing")));
    EXPECT_THAT(
        method(FromColumns({{1, 2, 3}, {7, 7, 7}})),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("indicator 'c2' has no variance")));
  }
  EXPECT_THAT(EntropyWeights(FromColumns({{1, 2}, {3, 4}}), {1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 1 directions")));
  EXPECT_THAT(
      CriticWeights(FromColumns({{1, 2}, {3, 4}}), {1, 0}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("direction of indicator 'c2'")));
}

}  // namespace
}  // namespace innoscope::index
