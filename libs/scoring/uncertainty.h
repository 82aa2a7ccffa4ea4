#pragma once

// Uncertainty and sensitivity analysis of a composite index: how much do the
// ranks depend on the modelling assumptions (weights, normalisation,
// aggregation, imputation, outlier treatment)? OECD/JRC Handbook (2008),
// section 7; the Global Innovation Index publishes the resulting rank
// intervals every year; COINr's get_sensitivity() is the reference
// implementation in R.
//
// The engine knows nothing about indices. The caller describes K uncertain
// factors and supplies a model that turns one setting of the factors into
// every region's composite score:
//
//   std::vector<UncertainFactor> factors = {
//       UncertainFactor::Uniform("weight:D1", 0.75, 1.25, 1.0),  // +-25%
//       UncertainFactor::Discrete("aggregation", 2, 0),  // arith./geom.
//   };
//   ScoreModel model = [&](absl::Span<const double> f)
//       -> absl::StatusOr<std::vector<double>> {
//     ... build weights and options from f, Aggregate(...), return composite;
//   };
//   RunControl control;
//   control.num_threads = 2;
//   MonteCarloOptions mc_options;
//   mc_options.seed = 42;
//   absl::StatusOr<MonteCarloResult> mc =
//       RunMonteCarlo(factors, model, mc_options, control);
//   absl::StatusOr<SensitivityResult> sa =
//       RunSensitivity(factors, model, SensitivityOptions{}, control);
//
// A discrete factor's value is the index of the chosen alternative (0, 1,
// ...), passed as a double. The model is called concurrently from
// control.num_threads threads and must be thread-safe; its result must have
// one finite score per region, the same number every time.
//
// Sampling. Replicate (or design row) j draws its unit-cube point from its own
// stream UniformStream(seed, j) (random.h, counter-based SplitMix64: no
// per-replicate set-up), so results are identical for any thread count. A unit draw u maps to low +
// u (high - low) for a uniform factor and to floor(u n) for a discrete one with n alternatives.
//
// (a) RunMonteCarlo: N replicates of plain Monte Carlo. Each replicate's
// scores are ranked (competition ranks, RankOptions) and, per region, the
// result gives the nominal rank (all factors at their nominal values), the
// mean and median rank and the 5th and 95th percentile ranks -- quantiles of
// Hyndman & Fan type 7 over the N replicate ranks (statistics.h), so they
// may be fractional. With every factor fixed (low == high, one alternative)
// every interval collapses to the nominal rank.
//
// (b) RunSensitivity: variance-based sensitivity indices with the design of
// Saltelli et al. (2010): two independent N x K sample matrices A and B and,
// for each factor i, AB_i = A with column i taken from B -- N (K + 2) model
// runs (plus one nominal run). The scalar output Y is chosen by
// SensitivityOutput (default: the mean absolute rank shift against the
// nominal ranks, (1/R) sum_r |rank_r - nominal_rank_r|). Jansen (1999)
// estimators for both indices, as written in Saltelli et al. (2010), Table 2
// (the total-effect one is that paper's recommendation):
//   V    = sample variance (denominator 2N - 1) of the 2N outputs f(A), f(B)
//   S_i  = (V - 1/(2N) sum_j (f(B)_j - f(AB_i)_j)^2) / V      first order
//   S_Ti = 1/(2N) sum_j (f(A)_j - f(AB_i)_j)^2 / V            total effect
// Confidence intervals: percentile bootstrap over the N design rows
// (resampled with replacement, seeded, type-7 quantiles). With V = 0 (no
// factor moves the output) the indices are NaN.
//
// Runs honour RunControl: cancellation (CANCELLED) and the deadline
// (DEADLINE_EXCEEDED) are checked between model runs. A failing model run
// fails the analysis with the model's status code, prefixed with the run.
//
// Cost: (a) N + 1 model runs, O(N R) memory for the replicate ranks (at most
// kMaxStoredRanks ints, 80 MB), O(R) ranking per replicate (a sort by the
// quantised scores, CompetitionRanker, with per-thread buffers) and
// O(R (N + R)) time for the percentiles (counts of each region's ranks, the
// order statistics read off their cumulative sums; O(R N log N) when
// R > 8 N);
// (b) N (K + 2) + 1 model runs, O(N K) memory, O(B N K) time for B bootstrap
// resamples.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/scoring/parallel.h"
#include "libs/scoring/ranking.h"

namespace innoscope::scoring {

// Limits beyond which a request is INVALID_ARGUMENT.
inline constexpr size_t kMaxFactors = 64;
inline constexpr int64_t kMaxReplicates = 1'000'000;    // N, both analyses
inline constexpr int64_t kMaxModelRuns = 10'000'000;    // N (K + 2) for (b)
inline constexpr int64_t kMaxStoredRanks = 20'000'000;  // N x regions for (a)
inline constexpr int kMaxBootstrap = 10'000;

struct UncertainFactor {
  enum class Kind { kUniform, kDiscrete };

  // Continuous uniform on [low, high]; nominal must lie in the range.
  // low == high switches the factor off.
  static UncertainFactor Uniform(std::string name, double low, double high, double nominal);
  // One of num_choices equally likely alternatives 0..num_choices-1.
  static UncertainFactor Discrete(std::string name, int num_choices, int nominal_choice = 0);

  // The factor's value for a unit draw u in [0, 1). Inline: a replicate
  // calls it once per factor.
  double ValueAt(double u) const {
    if (kind == Kind::kUniform) return low + u * (high - low);
    const int choice = static_cast<int>(std::floor(u * num_choices));
    return std::min(choice, num_choices - 1);
  }

  std::string name;
  Kind kind = Kind::kUniform;
  double low = 0.0;
  double high = 0.0;
  int num_choices = 1;
  double nominal = 0.0;
};

// One setting of the factors (in the order given) -> one score per region.
using ScoreModel =
    std::function<absl::StatusOr<std::vector<double>>(absl::Span<const double> factor_values)>;

struct MonteCarloOptions {
  int64_t replicates = 1000;  // N, 1..kMaxReplicates
  uint64_t seed = 0;
  RankOptions rank_options;
};

struct RegionUncertainty {
  double nominal_score = 0;
  int nominal_rank = kUnranked;
  double mean_rank = 0;
  double median_rank = 0;
  double p05_rank = 0;  // type-7 5th percentile of the replicate ranks
  double p95_rank = 0;  // type-7 95th percentile
};

struct MonteCarloResult {
  std::vector<RegionUncertainty> regions;  // in the model's region order
  int64_t replicates = 0;
};

absl::StatusOr<MonteCarloResult> RunMonteCarlo(const std::vector<UncertainFactor>& factors,
                                               const ScoreModel& model,
                                               const MonteCarloOptions& options,
                                               const RunControl& control);

// Monte Carlo in blocks (a sharded recompute spreads one analysis over
// processes): replicate j draws from UniformStream(seed, j) whatever
// computes it, so the ranks of blocks [0, a), [a, b), ..., [z, N) computed
// apart and assembled give exactly the result of RunMonteCarlo with N.
struct ReplicateBlockRanks {
  int64_t first = 0;  // first replicate
  int64_t count = 0;  // replicates [first, first + count)
  size_t regions = 0;
  std::vector<int> ranks;  // ranks[(j - first) * regions + r]
};

// The competition ranks of replicates [first, first + count), 0 <= first,
// 1 <= count, first + count <= options.replicates (INVALID_ARGUMENT
// otherwise). One nominal run (for the region count) plus `count` runs.
absl::StatusOr<ReplicateBlockRanks> RunMonteCarloBlock(const std::vector<UncertainFactor>& factors,
                                                       const ScoreModel& model,
                                                       const MonteCarloOptions& options,
                                                       int64_t first, int64_t count,
                                                       const RunControl& control);

// RunMonteCarlo's result from blocks that tile [0, options.replicates)
// exactly (any order; INVALID_ARGUMENT for a gap, an overlap, a block of
// another region count or a rank outside 1..R). Runs only the nominal model.
absl::StatusOr<MonteCarloResult> MonteCarloFromBlocks(
    const std::vector<UncertainFactor>& factors, const ScoreModel& model,
    const MonteCarloOptions& options, const std::vector<ReplicateBlockRanks>& blocks,
    const RunControl& control);

struct SensitivityOutput {
  enum class Kind {
    kMeanAbsoluteRankShift,  // (1/R) sum_r |rank_r - nominal_rank_r|
    kRegionScore,            // the score of `region`
    kRegionRank,             // the rank of `region`
  };
  Kind kind = Kind::kMeanAbsoluteRankShift;
  int region = 0;  // for kRegionScore and kRegionRank
};

struct SensitivityOptions {
  int64_t base_samples = 1000;  // N, 2..kMaxReplicates
  uint64_t seed = 0;
  RankOptions rank_options;
  SensitivityOutput output;
  int bootstrap_replicates = 500;  // 0..kMaxBootstrap; 0 = no intervals
  double confidence = 0.95;        // of the bootstrap intervals, in (0, 1)
};

struct FactorSensitivity {
  std::string name;
  double first_order = 0;  // S_i
  double total = 0;        // S_Ti
  // Percentile bootstrap interval at options.confidence; NaN without one.
  double first_order_low = 0;
  double first_order_high = 0;
  double total_low = 0;
  double total_high = 0;
};

struct SensitivityResult {
  std::vector<FactorSensitivity> factors;  // in the order given
  double output_mean = 0;                  // of the 2N outputs f(A), f(B)
  double output_variance = 0;              // V
  int64_t model_runs = 0;                  // N (K + 2) + 1
};

absl::StatusOr<SensitivityResult> RunSensitivity(const std::vector<UncertainFactor>& factors,
                                                 const ScoreModel& model,
                                                 const SensitivityOptions& options,
                                                 const RunControl& control);

}  // namespace innoscope::scoring
