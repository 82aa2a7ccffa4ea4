#include "libs/graph/distributions.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/graph/parallel.h"
#include "libs/graph/random.h"

namespace innoscope::graph {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kMaxAlpha = 50.0;
constexpr double kMaxSample = 1e12;

// A fit for one x_min over the sorted tail.
struct TailFit {
  int64_t xmin = 0;
  double alpha = kNan;
  double ks = std::numeric_limits<double>::infinity();
  double log_likelihood = kNan;
  int64_t tail_size = 0;
};

// Exact discrete MLE of alpha for a tail of `n` values >= xmin whose logs sum
// to `log_sum`, by golden-section search of the concave log-likelihood.
double FitAlpha(int64_t xmin, double n, double log_sum, double* log_likelihood) {
  const double q = static_cast<double>(xmin);
  auto likelihood = [&](double alpha) {
    return -n * std::log(HurwitzZeta(alpha, q)) - alpha * log_sum;
  };
  const double kInvPhi = (std::sqrt(5.0) - 1) / 2;
  double lo = 1.0 + 1e-9, hi = kMaxAlpha;
  double x1 = hi - kInvPhi * (hi - lo), x2 = lo + kInvPhi * (hi - lo);
  double f1 = likelihood(x1), f2 = likelihood(x2);
  while (hi - lo > 1e-10) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + kInvPhi * (hi - lo);
      f2 = likelihood(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - kInvPhi * (hi - lo);
      f1 = likelihood(x1);
    }
  }
  const double alpha = (lo + hi) / 2;
  *log_likelihood = likelihood(alpha);
  return alpha;
}

// KS distance between the empirical CDF of `tail` (sorted, all >= xmin) and
// the fitted discrete power law, as the supremum over all integers >= xmin.
double KsDistance(absl::Span<const int64_t> tail, int64_t xmin, double alpha) {
  const double z0 = HurwitzZeta(alpha, static_cast<double>(xmin));
  const double n = static_cast<double>(tail.size());
  // zeta(alpha, x) at the walking position x, advanced by subtracting terms
  // over short gaps and recomputed directly over long ones.
  int64_t x = xmin;
  double z = z0;
  auto advance_to = [&](int64_t target) {
    if (target - x > 32) {
      z = HurwitzZeta(alpha, static_cast<double>(target));
      x = target;
    }
    for (; x < target; ++x) z -= std::pow(static_cast<double>(x), -alpha);
  };
  // Model CDF P(X <= y) = 1 - zeta(alpha, y + 1) / z0.
  auto model_cdf = [&](int64_t y) {
    advance_to(y + 1);
    return 1.0 - z / z0;
  };
  double d = 0;
  size_t i = 0;
  while (i < tail.size()) {
    const int64_t value = tail[i];
    // Just before `value` the empirical CDF is i / n.
    if (value > xmin) d = std::max(d, std::fabs(i / n - model_cdf(value - 1)));
    while (i < tail.size() && tail[i] == value) ++i;
    d = std::max(d, std::fabs(i / n - model_cdf(value)));
  }
  return d;
}

// Fits every candidate x_min (or the fixed one) to sorted `data` and returns
// the best; xmin = 0 when no candidate qualifies.
TailFit FitBest(absl::Span<const int64_t> data, int64_t min_tail, int64_t fixed_xmin) {
  const size_t n = data.size();
  // suffix_log[i] = sum of ln data[j] for j >= i.
  std::vector<double> suffix_log(n + 1, 0.0);
  for (size_t i = n; i-- > 0;) {
    suffix_log[i] = suffix_log[i + 1] + std::log(static_cast<double>(data[i]));
  }
  TailFit best;
  for (size_t start = 0; start < n;) {
    const int64_t xmin = data[start];
    size_t next = start;
    while (next < n && data[next] == xmin) ++next;
    const size_t tail = n - start;
    const bool candidate =
        fixed_xmin > 0 ? xmin == fixed_xmin : static_cast<int64_t>(tail) >= min_tail;
    // A tail of one distinct value has no finite MLE.
    if (candidate && next < n) {
      TailFit fit;
      fit.xmin = xmin;
      fit.tail_size = static_cast<int64_t>(tail);
      fit.alpha = FitAlpha(xmin, static_cast<double>(tail), suffix_log[start], &fit.log_likelihood);
      fit.ks = KsDistance(data.subspan(start), xmin, fit.alpha);
      if (fit.ks < best.ks) best = fit;
    }
    start = next;
  }
  return best;
}

}  // namespace

double HurwitzZeta(double s, double q) {
  if (!(s > 1) || !(q > 0) || std::isinf(s)) return kNan;
  // Bernoulli numbers B_2 .. B_16.
  static constexpr double kB[] = {1.0 / 6,  -1.0 / 30,     1.0 / 42, -1.0 / 30,
                                  5.0 / 66, -691.0 / 2730, 7.0 / 6,  -3617.0 / 510};
  // Sum the first terms directly until a = q + N is large enough for the
  // asymptotic tail to converge fast.
  const double threshold = 10.0 + s;
  double sum = 0;
  double a = q;
  while (a < threshold) {
    sum += std::pow(a, -s);
    a += 1;
  }
  const double a_s = std::pow(a, -s);
  sum += a * a_s / (s - 1) + a_s / 2;
  // Euler-Maclaurin: sum_j B_2j / (2j)! * s(s+1)...(s+2j-2) * a^(-s-2j+1).
  double rising = s;       // s(s+1)...(s+2j-2)
  double factorial = 2;    // (2j)!
  double power = a_s / a;  // a^(-s-2j+1)
  for (int j = 1; j <= 8; ++j) {
    sum += kB[j - 1] / factorial * rising * power;
    rising *= (s + 2 * j - 1) * (s + 2 * j);
    factorial *= (2 * j + 1) * (2 * j + 2);
    power /= a * a;
  }
  return sum;
}

std::vector<int64_t> Degrees(const Graph& graph, DegreeMode mode) {
  std::vector<int64_t> degrees(static_cast<size_t>(graph.NumNodes()));
  for (NodeId v = 0; v < graph.NumNodes(); ++v) {
    degrees[v] = mode == DegreeMode::kOut  ? graph.OutDegree(v)
                 : mode == DegreeMode::kIn ? graph.InDegree(v)
                                           : graph.Degree(v);
  }
  return degrees;
}

std::vector<int64_t> DegreeDistribution(const Graph& graph, DegreeMode mode) {
  std::vector<int64_t> histogram;
  for (int64_t d : Degrees(graph, mode)) {
    if (static_cast<size_t>(d) >= histogram.size()) histogram.resize(d + 1, 0);
    ++histogram[d];
  }
  return histogram;
}

PowerLawFit::PowerLawFit(std::vector<int64_t> data, Options options)
    : data_(std::move(data)), options_(options) {
  data_.erase(std::remove_if(data_.begin(), data_.end(), [](int64_t x) { return x < 1; }),
              data_.end());
  std::sort(data_.begin(), data_.end());
}

absl::Status PowerLawFit::RunImpl() {
  const TailFit fit = FitBest(data_, options_.min_tail, options_.fixed_xmin);
  if (fit.xmin == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no x_min candidate leaves ", options_.min_tail,
        " observations with two distinct values among ", data_.size(), " values >= 1"));
  }
  xmin_ = fit.xmin;
  alpha_ = fit.alpha;
  ks_ = fit.ks;
  tail_size_ = fit.tail_size;
  log_likelihood_ = fit.log_likelihood;
  alpha_stderr_ = (alpha_ - 1) / std::sqrt(static_cast<double>(tail_size_));
  p_value_ = kNan;
  if (options_.bootstrap <= 0) return absl::OkStatus();

  // Semi-parametric bootstrap (CSN section 4.1).
  const size_t n = data_.size();
  const size_t below = n - static_cast<size_t>(tail_size_);
  const double tail_probability = static_cast<double>(tail_size_) / n;
  const int threads = ResolveThreads(options_.num_threads, options_.bootstrap);
  std::vector<int64_t> at_least(static_cast<size_t>(threads), 0);
  std::vector<std::vector<int64_t>> buffers(static_cast<size_t>(threads));
  absl::Status status =
      ParallelFor(options_.bootstrap, threads, interrupt(), [&](int thread, int64_t sample) {
        SplitMix64 rng(StreamSeed(options_.seed, static_cast<uint64_t>(sample)));
        std::vector<int64_t>& synthetic = buffers[thread];
        synthetic.resize(n);
        for (size_t i = 0; i < n; ++i) {
          if (below == 0 || rng.UniformDouble() < tail_probability) {
            const double u = rng.UniformDouble();
            const double x = std::floor((xmin_ - 0.5) * std::pow(1 - u, -1 / (alpha_ - 1)) + 0.5);
            synthetic[i] = static_cast<int64_t>(std::min(x, kMaxSample));
          } else {
            synthetic[i] = data_[rng.Uniform(below)];
          }
        }
        std::sort(synthetic.begin(), synthetic.end());
        const TailFit refit = FitBest(synthetic, options_.min_tail, options_.fixed_xmin);
        // A synthetic set that cannot be fitted counts as a worse fit.
        if (refit.xmin == 0 || refit.ks >= ks_) ++at_least[thread];
      });
  if (!status.ok()) return status;
  p_value_ = static_cast<double>(std::accumulate(at_least.begin(), at_least.end(), int64_t{0})) /
             options_.bootstrap;
  return absl::OkStatus();
}

absl::StatusOr<Concentration> ComputeConcentration(absl::Span<const double> values,
                                                   absl::Span<const double> percents) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] >= 0) || std::isinf(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("value #", i, " must be finite and non-negative"));
    }
  }
  for (double p : percents) {
    if (!(p >= 0 && p <= 100)) {
      return absl::InvalidArgumentError(absl::StrCat("percentage ", p, " outside [0, 100]"));
    }
  }
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  const double n = static_cast<double>(sorted.size());
  std::vector<double> prefix(sorted.size() + 1, 0.0);  // sum of the k largest
  for (size_t i = 0; i < sorted.size(); ++i) {
    prefix[i + 1] = prefix[i] + sorted[i];
  }
  Concentration c;
  c.total = prefix.back();
  for (double p : percents) {
    size_t k = static_cast<size_t>(std::ceil(p / 100 * n - 1e-9));
    if (p > 0) k = std::max<size_t>(k, 1);
    k = std::min(k, sorted.size());
    c.top_shares.push_back(c.total > 0 ? prefix[k] / c.total : 0.0);
  }
  if (c.total > 0) {
    // Ascending rank i = n - j for descending index j (0-based).
    double weighted = 0;
    for (size_t j = 0; j < sorted.size(); ++j) {
      const double i = n - static_cast<double>(j);
      weighted += (2 * i - n - 1) * sorted[j];
    }
    c.gini = weighted / (n * c.total);
  }
  return c;
}

absl::StatusOr<Concentration> DegreeConcentration(const Graph& graph, DegreeMode mode,
                                                  absl::Span<const double> percents,
                                                  bool weighted) {
  DegreeCentrality::Options options;
  options.mode = mode;
  options.weighted = weighted;
  DegreeCentrality degrees(graph, options);
  RETURN_IF_ERROR(degrees.Run());
  return ComputeConcentration(degrees.Scores(), percents);
}

}  // namespace innoscope::graph
