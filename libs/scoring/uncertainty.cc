#include "libs/scoring/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/common/status_macros.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/random.h"
#include "libs/scoring/statistics.h"

namespace innoscope::scoring {
namespace {

using index::kMissing;

// Stream of the bootstrap's master seed, apart from the design rows' streams
// (which are the row indices, < kMaxReplicates).
constexpr uint64_t kBootstrapStream = 0xB0075742A9ULL;

absl::Status ValidateFactors(const std::vector<UncertainFactor>& factors) {
  if (factors.size() > kMaxFactors) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxFactors, " uncertain factors, got ", factors.size()));
  }
  for (const UncertainFactor& f : factors) {
    if (f.kind == UncertainFactor::Kind::kUniform) {
      if (!std::isfinite(f.low) || !std::isfinite(f.high) || f.low > f.high ||
          !(f.nominal >= f.low && f.nominal <= f.high)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "uniform factor '", f.name, "' needs finite low <= nominal <= ", "high, got [", f.low,
            ", ", f.high, "] nominal ", f.nominal));
      }
    } else {
      if (f.num_choices < 1 || f.nominal < 0 || f.nominal >= f.num_choices ||
          f.nominal != std::floor(f.nominal)) {
        return absl::InvalidArgumentError(
            absl::StrCat("discrete factor '", f.name, "' needs num_choices >= 1 and an ",
                         "integer nominal choice below it, got ", f.num_choices,
                         " choices, nominal ", f.nominal));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status WithContext(const absl::Status& status, absl::string_view what) {
  return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
}

// One model evaluation: the scores, validated, and their ranks.
struct ModelRun {
  std::vector<double> scores;
  std::vector<int> ranks;
};

// Every model result must hold one finite score per region.
absl::Status CheckScores(const std::vector<double>& scores, size_t expected_regions) {
  if (scores.empty() || (expected_regions > 0 && scores.size() != expected_regions)) {
    return absl::InvalidArgumentError(
        absl::StrCat("model returned ", scores.size(), " scores, expected ",
                     expected_regions > 0 ? absl::StrCat(expected_regions) : "at least 1"));
  }
  for (size_t r = 0; r < scores.size(); ++r) {
    if (!std::isfinite(scores[r])) {
      return absl::InvalidArgumentError(
          absl::StrCat("model returned a non-finite score for region ", r));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ModelRun> Evaluate(const ScoreModel& model, absl::Span<const double> factor_values,
                                  size_t expected_regions, const RankOptions& rank_options) {
  ModelRun run;
  ASSIGN_OR_RETURN(run.scores, model(factor_values));
  RETURN_IF_ERROR(CheckScores(run.scores, expected_regions));
  ASSIGN_OR_RETURN(run.ranks, CompetitionRanks(run.scores, rank_options));
  return run;
}

std::vector<double> NominalValues(const std::vector<UncertainFactor>& factors) {
  std::vector<double> values;
  values.reserve(factors.size());
  for (const UncertainFactor& f : factors) values.push_back(f.nominal);
  return values;
}

absl::StatusOr<ModelRun> EvaluateNominal(const std::vector<UncertainFactor>& factors,
                                         const ScoreModel& model, const RankOptions& rank_options) {
  absl::StatusOr<ModelRun> nominal = Evaluate(model, NominalValues(factors), 0, rank_options);
  if (!nominal.ok()) return WithContext(nominal.status(), "nominal run");
  return nominal;
}

// Saltelli (2010) design: run t is row j = t / (K + 2), column c = t % (K + 2)
// of [A, B, AB_1, ..., AB_K]; row j's 2K unit draws come from stream j.
void DesignPoint(const std::vector<UncertainFactor>& factors, uint64_t seed, size_t run,
                 std::vector<double>& values) {
  const size_t k = factors.size();
  const size_t row = run / (k + 2);
  const size_t column = run % (k + 2);
  UniformStream stream(seed, row);
  std::vector<double> a(k);
  std::vector<double> b(k);
  for (double& u : a) u = stream.Next();
  for (double& u : b) u = stream.Next();
  values.resize(k);
  for (size_t i = 0; i < k; ++i) {
    const bool from_b = column == 1 || (column >= 2 && column - 2 == i);
    values[i] = factors[i].ValueAt(from_b ? b[i] : a[i]);
  }
}

double ScalarOutput(const SensitivityOutput& output, const ModelRun& run, const ModelRun& nominal) {
  switch (output.kind) {
    case SensitivityOutput::Kind::kRegionScore:
      return run.scores[output.region];
    case SensitivityOutput::Kind::kRegionRank:
      return run.ranks[output.region];
    case SensitivityOutput::Kind::kMeanAbsoluteRankShift:
      break;
  }
  double shift = 0;
  for (size_t r = 0; r < run.ranks.size(); ++r) {
    shift += std::abs(run.ranks[r] - nominal.ranks[r]);
  }
  return shift / static_cast<double>(run.ranks.size());
}

struct SobolEstimate {
  double mean = kMissing;
  double variance = kMissing;
  std::vector<double> first_order;
  std::vector<double> total;
};

// Jansen estimators over the design rows `rows` (a row may repeat, as in a
// bootstrap resample). `outputs` holds run t = j (K + 2) + c.
SobolEstimate EstimateIndices(const std::vector<double>& outputs, size_t k,
                              absl::Span<const size_t> rows) {
  const size_t stride = k + 2;
  const double n = static_cast<double>(rows.size());
  SobolEstimate estimate;
  estimate.first_order.assign(k, kMissing);
  estimate.total.assign(k, kMissing);
  double sum = 0;
  for (size_t j : rows) sum += outputs[j * stride] + outputs[j * stride + 1];
  estimate.mean = sum / (2 * n);
  double ss = 0;
  for (size_t j : rows) {
    ss += std::pow(outputs[j * stride] - estimate.mean, 2) +
          std::pow(outputs[j * stride + 1] - estimate.mean, 2);
  }
  estimate.variance = ss / (2 * n - 1);
  if (!(estimate.variance > 0)) return estimate;
  for (size_t i = 0; i < k; ++i) {
    double first = 0;
    double total = 0;
    for (size_t j : rows) {
      const double f_a = outputs[j * stride];
      const double f_b = outputs[j * stride + 1];
      const double f_ab = outputs[j * stride + 2 + i];
      first += (f_b - f_ab) * (f_b - f_ab);
      total += (f_a - f_ab) * (f_a - f_ab);
    }
    estimate.first_order[i] = (estimate.variance - first / (2 * n)) / estimate.variance;
    estimate.total[i] = total / (2 * n) / estimate.variance;
  }
  return estimate;
}

}  // namespace

UncertainFactor UncertainFactor::Uniform(std::string name, double low, double high,
                                         double nominal) {
  UncertainFactor f;
  f.name = std::move(name);
  f.kind = Kind::kUniform;
  f.low = low;
  f.high = high;
  f.nominal = nominal;
  return f;
}

UncertainFactor UncertainFactor::Discrete(std::string name, int num_choices, int nominal_choice) {
  UncertainFactor f;
  f.name = std::move(name);
  f.kind = Kind::kDiscrete;
  f.num_choices = num_choices;
  f.nominal = nominal_choice;
  return f;
}

namespace {

absl::Status ValidateMonteCarlo(const std::vector<UncertainFactor>& factors,
                                const MonteCarloOptions& options, const RunControl& control) {
  RETURN_IF_ERROR(ValidateFactors(factors));
  RETURN_IF_ERROR(ValidateRankOptions(options.rank_options));
  RETURN_IF_ERROR(ValidateRunControl(control));
  if (options.replicates < 1 || options.replicates > kMaxReplicates) {
    return absl::InvalidArgumentError(
        absl::StrCat("replicates must be in 1..", kMaxReplicates, ", got ", options.replicates));
  }
  return absl::OkStatus();
}

absl::Status CheckStoredRanks(int64_t replicates, size_t regions) {
  if (replicates * static_cast<int64_t>(regions) > kMaxStoredRanks) {
    return absl::InvalidArgumentError(absl::StrCat(replicates, " replicates x ", regions,
                                                   " regions exceed ", kMaxStoredRanks,
                                                   " stored ranks"));
  }
  return absl::OkStatus();
}

// Ranks of replicates [first, first + count) into ranks[(j - first) * regions
// + r]. A replicate reuses its thread's buffers (thread_local: ParallelFor's
// threads live for this call only, the caller's keeps a few hundred bytes),
// so it allocates only the model's result. `ranks` need not be zero-filled:
// every replicate writes all of its row (or the run fails), and its thread
// touches the row's pages first, so 12 MB (1,000 x 3,000) are not cleared and
// faulted in on one thread before the loop.
absl::Status ReplicateRanks(const std::vector<UncertainFactor>& factors, const ScoreModel& model,
                            const MonteCarloOptions& options, int64_t first, int64_t count,
                            size_t regions, const RunControl& control, int* ranks) {
  return ParallelFor(static_cast<size_t>(count), control, [&](size_t i) -> absl::Status {
    thread_local std::vector<double> values;
    thread_local CompetitionRanker ranker;
    const size_t j = static_cast<size_t>(first) + i;
    UniformStream stream(options.seed, j);
    values.resize(factors.size());
    for (size_t f = 0; f < factors.size(); ++f) {
      values[f] = factors[f].ValueAt(stream.Next());
    }
    absl::StatusOr<std::vector<double>> scores = model(values);
    absl::Status status = scores.status();
    if (status.ok()) status = CheckScores(*scores, regions);
    if (status.ok()) {
      status =
          ranker.Rank(*scores, options.rank_options, absl::MakeSpan(ranks + i * regions, regions));
    }
    if (!status.ok()) return WithContext(status, absl::StrCat("replicate ", j));
    return absl::OkStatus();
  });
}

// The intervals of every region from the N replicate ranks
// (ranks[j * regions + r]) and the nominal run.
absl::StatusOr<MonteCarloResult> Intervals(const ModelRun& nominal, int64_t replicates,
                                           const int* ranks, const RunControl& control) {
  const size_t regions = nominal.scores.size();
  const size_t n = static_cast<size_t>(replicates);
  // Per region, its N replicate ranks in order. Ranks are integers in
  // 1..R, so counts per rank, O(N + R), replace the comparison sort,
  // O(N log N), unless R is much larger than N (a count costs far less
  // than a comparison: the cut is R <= 8 N). The sorted ranks are never
  // written out: the k-th is the first rank whose cumulative count exceeds
  // k (a binary search over the ranks the region took), and the mean is
  // the exact integer sum over N (Mean's sum of these integer-valued
  // doubles is exact too, so the same bits). Regions are independent:
  // spread over the threads too.
  MonteCarloResult result;
  result.replicates = replicates;
  result.regions.resize(regions);
  const bool counting = regions <= 8 * n;
  RETURN_IF_ERROR(ParallelFor(regions, control, [&](size_t r) -> absl::Status {
    RegionUncertainty& u = result.regions[r];
    u.nominal_score = nominal.scores[r];
    u.nominal_rank = nominal.ranks[r];
    if (counting) {
      thread_local std::vector<uint32_t> cumulative;
      cumulative.assign(regions + 1, 0);
      size_t low = regions;
      size_t high = 0;
      for (size_t j = 0; j < n; ++j) {
        const auto rank = static_cast<size_t>(ranks[j * regions + r]);
        ++cumulative[rank];
        low = std::min(low, rank);
        high = std::max(high, rank);
      }
      uint64_t sum = 0;
      for (size_t rank = low; rank <= high; ++rank) {
        sum += rank * cumulative[rank];
        if (rank > low) cumulative[rank] += cumulative[rank - 1];
      }
      const uint32_t* first = cumulative.data() + low;
      const uint32_t* last = cumulative.data() + high + 1;
      auto at = [&](size_t k) {
        return static_cast<double>(std::upper_bound(first, last, k) - cumulative.data());
      };
      u.mean_rank = static_cast<double>(sum) / static_cast<double>(n);
      u.median_rank = QuantileOfSortedAt(n, 0.5, at);
      u.p05_rank = QuantileOfSortedAt(n, 0.05, at);
      u.p95_rank = QuantileOfSortedAt(n, 0.95, at);
      return absl::OkStatus();
    }
    thread_local std::vector<double> region_ranks;
    region_ranks.resize(n);
    for (size_t j = 0; j < n; ++j) region_ranks[j] = ranks[j * regions + r];
    std::sort(region_ranks.begin(), region_ranks.end());
    u.mean_rank = Mean(region_ranks);
    u.median_rank = QuantileOfSorted(region_ranks, 0.5);
    u.p05_rank = QuantileOfSorted(region_ranks, 0.05);
    u.p95_rank = QuantileOfSorted(region_ranks, 0.95);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace

absl::StatusOr<MonteCarloResult> RunMonteCarlo(const std::vector<UncertainFactor>& factors,
                                               const ScoreModel& model,
                                               const MonteCarloOptions& options,
                                               const RunControl& control) {
  RETURN_IF_ERROR(ValidateMonteCarlo(factors, options, control));
  ASSIGN_OR_RETURN(ModelRun nominal, EvaluateNominal(factors, model, options.rank_options));
  const size_t regions = nominal.scores.size();
  RETURN_IF_ERROR(CheckStoredRanks(options.replicates, regions));
  std::unique_ptr<int[]> ranks(new int[static_cast<size_t>(options.replicates) * regions]);
  RETURN_IF_ERROR(ReplicateRanks(factors, model, options, 0, options.replicates, regions, control,
                                 ranks.get()));
  return Intervals(nominal, options.replicates, ranks.get(), control);
}

absl::StatusOr<ReplicateBlockRanks> RunMonteCarloBlock(const std::vector<UncertainFactor>& factors,
                                                       const ScoreModel& model,
                                                       const MonteCarloOptions& options,
                                                       int64_t first, int64_t count,
                                                       const RunControl& control) {
  RETURN_IF_ERROR(ValidateMonteCarlo(factors, options, control));
  if (first < 0 || first >= options.replicates) {
    return absl::InvalidArgumentError(absl::StrCat("block first replicate must be in 0..",
                                                   options.replicates - 1, ", got ", first));
  }
  if (count < 1 || count > options.replicates - first) {
    return absl::InvalidArgumentError(
        absl::StrCat("block count must be in 1..", options.replicates - first, ", got ", count));
  }
  ASSIGN_OR_RETURN(ModelRun nominal, EvaluateNominal(factors, model, options.rank_options));
  ReplicateBlockRanks block;
  block.first = first;
  block.count = count;
  block.regions = nominal.scores.size();
  RETURN_IF_ERROR(CheckStoredRanks(options.replicates, block.regions));
  block.ranks.resize(static_cast<size_t>(count) * block.regions);
  RETURN_IF_ERROR(ReplicateRanks(factors, model, options, first, count, block.regions, control,
                                 block.ranks.data()));
  return block;
}

absl::StatusOr<MonteCarloResult> MonteCarloFromBlocks(
    const std::vector<UncertainFactor>& factors, const ScoreModel& model,
    const MonteCarloOptions& options, const std::vector<ReplicateBlockRanks>& blocks,
    const RunControl& control) {
  RETURN_IF_ERROR(ValidateMonteCarlo(factors, options, control));
  ASSIGN_OR_RETURN(ModelRun nominal, EvaluateNominal(factors, model, options.rank_options));
  const size_t regions = nominal.scores.size();
  RETURN_IF_ERROR(CheckStoredRanks(options.replicates, regions));
  std::vector<const ReplicateBlockRanks*> sorted;
  for (const ReplicateBlockRanks& b : blocks) sorted.push_back(&b);
  std::sort(sorted.begin(), sorted.end(),
            [](const ReplicateBlockRanks* a, const ReplicateBlockRanks* b) {
              return a->first < b->first;
            });
  std::unique_ptr<int[]> ranks(new int[static_cast<size_t>(options.replicates) * regions]);
  int64_t next = 0;
  for (const ReplicateBlockRanks* b : sorted) {
    if (b->first != next || b->count < 1 || b->count > options.replicates - next ||
        b->regions != regions || b->ranks.size() != static_cast<size_t>(b->count) * regions) {
      return absl::InvalidArgumentError(
          absl::StrCat("blocks do not tile replicates 0..", options.replicates - 1, " of ", regions,
                       " regions: block [", b->first, ", ", b->first + b->count, ") of ",
                       b->regions, " regions after replicate ", next));
    }
    for (int rank : b->ranks) {
      if (rank < 1 || static_cast<size_t>(rank) > regions) {
        return absl::InvalidArgumentError(absl::StrCat("block [", b->first, ", ",
                                                       b->first + b->count, ") holds rank ", rank,
                                                       ", outside 1..", regions));
      }
    }
    std::copy(b->ranks.begin(), b->ranks.end(),
              ranks.get() + static_cast<size_t>(b->first) * regions);
    next += b->count;
  }
  if (next != options.replicates) {
    return absl::InvalidArgumentError(
        absl::StrCat("blocks cover replicates 0..", next - 1, ", not 0..", options.replicates - 1));
  }
  return Intervals(nominal, options.replicates, ranks.get(), control);
}

absl::StatusOr<SensitivityResult> RunSensitivity(const std::vector<UncertainFactor>& factors,
                                                 const ScoreModel& model,
                                                 const SensitivityOptions& options,
                                                 const RunControl& control) {
  RETURN_IF_ERROR(ValidateFactors(factors));
  RETURN_IF_ERROR(ValidateRankOptions(options.rank_options));
  RETURN_IF_ERROR(ValidateRunControl(control));
  if (factors.empty()) {
    return absl::InvalidArgumentError("sensitivity analysis needs at least one factor");
  }
  if (options.base_samples < 2 || options.base_samples > kMaxReplicates) {
    return absl::InvalidArgumentError(absl::StrCat("base_samples must be in 2..", kMaxReplicates,
                                                   ", got ", options.base_samples));
  }
  const size_t k = factors.size();
  const size_t n = static_cast<size_t>(options.base_samples);
  const int64_t runs = options.base_samples * static_cast<int64_t>(k + 2);
  if (runs > kMaxModelRuns) {
    return absl::InvalidArgumentError(
        absl::StrCat("N (K + 2) = ", runs, " model runs exceed ", kMaxModelRuns));
  }
  if (options.bootstrap_replicates < 0 || options.bootstrap_replicates > kMaxBootstrap) {
    return absl::InvalidArgumentError(absl::StrCat("bootstrap_replicates must be in 0..",
                                                   kMaxBootstrap, ", got ",
                                                   options.bootstrap_replicates));
  }
  if (!(options.confidence > 0 && options.confidence < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("confidence must be in (0, 1), got ", options.confidence));
  }
  ASSIGN_OR_RETURN(ModelRun nominal, EvaluateNominal(factors, model, options.rank_options));
  const size_t regions = nominal.scores.size();
  if (options.output.kind != SensitivityOutput::Kind::kMeanAbsoluteRankShift &&
      (options.output.region < 0 || static_cast<size_t>(options.output.region) >= regions)) {
    return absl::InvalidArgumentError(absl::StrCat("output region ", options.output.region,
                                                   " is out of range (", regions, " regions)"));
  }

  std::vector<double> outputs(static_cast<size_t>(runs));
  RETURN_IF_ERROR(ParallelFor(outputs.size(), control, [&](size_t t) -> absl::Status {
    std::vector<double> values;
    DesignPoint(factors, options.seed, t, values);
    absl::StatusOr<ModelRun> run = Evaluate(model, values, regions, options.rank_options);
    if (!run.ok()) {
      return WithContext(run.status(),
                         absl::StrCat("design row ", t / (k + 2), " run ", t % (k + 2)));
    }
    outputs[t] = ScalarOutput(options.output, *run, nominal);
    return absl::OkStatus();
  }));

  std::vector<size_t> all_rows(n);
  for (size_t j = 0; j < n; ++j) all_rows[j] = j;
  const SobolEstimate point = EstimateIndices(outputs, k, all_rows);

  // Bootstrap: resample b draws its N rows from its own stream.
  const size_t boot = static_cast<size_t>(options.bootstrap_replicates);
  std::vector<double> boot_first(boot * k, kMissing);
  std::vector<double> boot_total(boot * k, kMissing);
  const uint64_t boot_seed = DeriveSeed(options.seed, kBootstrapStream);
  RETURN_IF_ERROR(ParallelFor(boot, control, [&](size_t b) -> absl::Status {
    UniformStream stream(boot_seed, b);
    std::vector<size_t> rows(n);
    for (size_t& row : rows) row = stream.NextIndex(n);
    const SobolEstimate estimate = EstimateIndices(outputs, k, rows);
    std::copy(estimate.first_order.begin(), estimate.first_order.end(),
              boot_first.begin() + static_cast<std::ptrdiff_t>(b * k));
    std::copy(estimate.total.begin(), estimate.total.end(),
              boot_total.begin() + static_cast<std::ptrdiff_t>(b * k));
    return absl::OkStatus();
  }));

  const double tail = (1 - options.confidence) / 2;
  SensitivityResult result;
  result.output_mean = point.mean;
  result.output_variance = point.variance;
  result.model_runs = runs + 1;
  std::vector<double> first(boot);
  std::vector<double> total(boot);
  for (size_t i = 0; i < k; ++i) {
    FactorSensitivity f;
    f.name = factors[i].name;
    f.first_order = point.first_order[i];
    f.total = point.total[i];
    for (size_t b = 0; b < boot; ++b) {
      first[b] = boot_first[b * k + i];
      total[b] = boot_total[b * k + i];
    }
    f.first_order_low = Quantile(first, tail);
    f.first_order_high = Quantile(first, 1 - tail);
    f.total_low = Quantile(total, tail);
    f.total_high = Quantile(total, 1 - tail);
    result.factors.push_back(std::move(f));
  }
  return result;
}

}  // namespace innoscope::scoring
