#include "libs/scoring/tiers.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/ranking.h"
#include "libs/scoring/statistics.h"

namespace innoscope::scoring {
namespace {

using index::IsMissingValue;

absl::Status CheckFinite(absl::Span<const double> values, const char* what) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isinf(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat(what, " ", i, " is infinite"));
    }
  }
  return absl::OkStatus();
}

std::vector<double> PresentSorted(absl::Span<const double> values) {
  std::vector<double> present;
  for (double v : values) {
    if (!IsMissingValue(v)) present.push_back(v);
  }
  std::sort(present.begin(), present.end());
  return present;
}

}  // namespace

absl::StatusOr<Tiers> ThresholdTiers(absl::Span<const double> scores,
                                     absl::Span<const double> cutoffs) {
  for (size_t c = 0; c < cutoffs.size(); ++c) {
    if (!std::isfinite(cutoffs[c])) {
      return absl::InvalidArgumentError(absl::StrCat("cut-off ", c, " is not finite"));
    }
  }
  RETURN_IF_ERROR(CheckFinite(scores, "score"));
  Tiers tiers;
  tiers.cutoffs.assign(cutoffs.begin(), cutoffs.end());
  std::sort(tiers.cutoffs.begin(), tiers.cutoffs.end(), std::greater<>());
  tiers.tier.reserve(scores.size());
  for (double score : scores) {
    if (IsMissingValue(score)) {
      tiers.tier.push_back(kUnranked);
      continue;
    }
    int tier = 1;
    for (double cutoff : tiers.cutoffs) tier += score < cutoff ? 1 : 0;
    tiers.tier.push_back(tier);
  }
  return tiers;
}

absl::StatusOr<Tiers> QuantileTiers(absl::Span<const double> scores, int num_tiers) {
  if (num_tiers < 1 || num_tiers > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("number of quantile tiers must be in 1..100, got ", num_tiers));
  }
  RETURN_IF_ERROR(CheckFinite(scores, "score"));
  const std::vector<double> sorted = PresentSorted(scores);
  std::vector<double> cutoffs;
  if (!sorted.empty()) {
    for (int j = 1; j < num_tiers; ++j) {
      cutoffs.push_back(QuantileOfSorted(sorted, static_cast<double>(j) / num_tiers));
    }
  }
  return ThresholdTiers(scores, cutoffs);
}

absl::StatusOr<Tiers> MedianSplit(absl::Span<const double> scores) {
  return QuantileTiers(scores, 2);
}

absl::StatusOr<NaturalBreaks> JenksBreaks(absl::Span<const double> values, int num_classes) {
  RETURN_IF_ERROR(CheckFinite(values, "value"));
  const std::vector<double> x = PresentSorted(values);
  const size_t n = x.size();
  if (n > kMaxJenksValues) {
    return absl::InvalidArgumentError(
        absl::StrCat("natural breaks accept at most ", kMaxJenksValues, " values, got ", n));
  }
  if (num_classes < 1 || num_classes > kMaxJenksClasses) {
    return absl::InvalidArgumentError(
        absl::StrCat("number of classes must be in 1..", kMaxJenksClasses, ", got ", num_classes));
  }
  const size_t k = static_cast<size_t>(num_classes);
  size_t distinct = n == 0 ? 0 : 1;
  for (size_t i = 1; i < n; ++i) distinct += x[i - 1] < x[i] ? 1 : 0;
  if (distinct < k) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot form ", k, " classes from ", distinct, " distinct values"));
  }

  // Prefix sums of the centred values keep the squared deviations accurate.
  const double mean = Mean(x);
  std::vector<double> s1(n + 1, 0.0);
  std::vector<double> s2(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const double y = x[i] - mean;
    s1[i + 1] = s1[i] + y;
    s2[i + 1] = s2[i] + y * y;
  }
  // Sum of squared deviations of the class x[j..i).
  auto ssd = [&s1, &s2](size_t j, size_t i) {
    const double sum = s1[i] - s1[j];
    return std::max(0.0, s2[i] - s2[j] - sum * sum / static_cast<double>(i - j));
  };
  // A class may start at j only where it does not split equal values.
  auto can_start = [&x](size_t j) { return j == 0 || x[j - 1] < x[j]; };

  constexpr double kInf = std::numeric_limits<double>::infinity();
  // cost[i]: best SSD of x[0..i) in c classes; start[c][i]: the last class's
  // start in that partition.
  std::vector<double> cost(n + 1, kInf);
  std::vector<double> next_cost(n + 1, kInf);
  std::vector<std::vector<size_t>> start(k + 1, std::vector<size_t>(n + 1, 0));
  for (size_t i = 1; i <= n; ++i) cost[i] = ssd(0, i);
  for (size_t c = 2; c <= k; ++c) {
    std::fill(next_cost.begin(), next_cost.end(), kInf);
    for (size_t i = c; i <= n; ++i) {
      for (size_t j = c - 1; j < i; ++j) {
        if (!can_start(j) || cost[j] == kInf) continue;
        const double candidate = cost[j] + ssd(j, i);
        if (candidate < next_cost[i]) {
          next_cost[i] = candidate;
          start[c][i] = j;
        }
      }
    }
    std::swap(cost, next_cost);
  }

  std::vector<size_t> class_start(k, 0);
  for (size_t c = k, end = n; c >= 2; --c) {
    class_start[c - 1] = start[c][end];
    end = class_start[c - 1];
  }
  NaturalBreaks result;
  result.breaks.push_back(x.front());
  for (size_t c = 0; c < k; ++c) {
    const size_t end = c + 1 < k ? class_start[c + 1] : n;
    result.class_minima.push_back(x[class_start[c]]);
    result.breaks.push_back(x[end - 1]);
  }
  const double total = ssd(0, n);
  result.goodness_of_variance_fit = total > 0 ? 1 - cost[n] / total : index::kMissing;
  return result;
}

absl::StatusOr<Tiers> NaturalBreakTiers(absl::Span<const double> scores, int num_tiers) {
  ASSIGN_OR_RETURN(NaturalBreaks breaks, JenksBreaks(scores, num_tiers));
  // The lowest class has no lower cut-off.
  return ThresholdTiers(scores, absl::MakeConstSpan(breaks.class_minima).subspan(1));
}

absl::StatusOr<std::vector<int>> RankBandTiers(absl::Span<const int> ranks,
                                               absl::Span<const int> band_last_ranks) {
  for (size_t b = 0; b < band_last_ranks.size(); ++b) {
    if (band_last_ranks[b] < 1 || (b > 0 && band_last_ranks[b] <= band_last_ranks[b - 1])) {
      return absl::InvalidArgumentError(
          absl::StrCat("band last ranks must be >= 1 and strictly increasing; entry ", b, " is ",
                       band_last_ranks[b]));
    }
  }
  std::vector<int> tiers;
  tiers.reserve(ranks.size());
  for (size_t i = 0; i < ranks.size(); ++i) {
    const int rank = ranks[i];
    if (rank < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("rank of region ", i, " is negative (", rank, ")"));
    }
    if (rank == kUnranked) {
      tiers.push_back(kUnranked);
      continue;
    }
    int tier = 1;
    for (int last : band_last_ranks) tier += rank > last ? 1 : 0;
    tiers.push_back(tier);
  }
  return tiers;
}

}  // namespace innoscope::scoring
