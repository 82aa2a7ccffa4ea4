#pragma once

// Degree distributions, discrete power-law fits and concentration measures.
//
//   std::vector<int64_t> histogram =
//       DegreeDistribution(graph, DegreeMode::kOut);
//
//   PowerLawFit fit(Degrees(graph, DegreeMode::kIn));  // Clauset et al.
//   RETURN_IF_ERROR(fit.Run());
//   fit.Alpha(); fit.Xmin(); fit.KsDistance();
//
//   ASSIGN_OR_RETURN(Concentration c, DegreeConcentration(
//                                         graph, DegreeMode::kOut,
//                                         {10, 1, 0.1}));
//   c.top_shares;  // {0.726, 0.542, 0.315} in the 2022 value network
//   c.gini;

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/centrality.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

// histogram[d] = number of nodes with degree d, d = 0..max degree (degrees
// as DegreeCentrality counts them). Empty for an empty graph. O(n).
std::vector<int64_t> DegreeDistribution(const Graph& graph, DegreeMode mode);

// Integer degrees of every node, for PowerLawFit. O(n).
std::vector<int64_t> Degrees(const Graph& graph, DegreeMode mode);

// Hurwitz zeta function zeta(s, q) = sum_{k>=0} (q + k)^-s for s > 1, q > 0,
// by Euler-Maclaurin summation (relative error ~1e-15 for s <= 50).
// NaN outside the domain.
double HurwitzZeta(double s, double q);

// Discrete power-law fit p(x) = x^-alpha / zeta(alpha, x_min), x >= x_min,
// following Clauset, Shalizi & Newman (2009), SIAM Review 51(4):
//   * alpha: the exact discrete maximum-likelihood estimate for each
//     candidate x_min, maximising L = -n ln zeta(alpha, x_min) - alpha sum
//     ln x_i numerically (golden-section search on alpha in (1, 50]; L is
//     concave), not the closed-form approximation
//     1 + n / sum ln(x_i / (x_min - 1/2));
//   * x_min: the candidate (each distinct data value leaving at least
//     `min_tail` observations in the tail) minimising the Kolmogorov-Smirnov
//     distance D = sup_{x >= x_min} |S(x) - P(x)| between the empirical and
//     fitted CDFs of the tail, taken over all integers x (the exact supremum;
//     checked at each data value and just before the next one); ties pick
//     the smallest x_min;
//   * AlphaStandardError: (alpha - 1) / sqrt(n_tail), CSN's large-n value;
//   * optional p-value by CSN's semi-parametric bootstrap (section 4.1):
//     `bootstrap` synthetic data sets of the same size, each value drawn
//     from the fitted power law with probability n_tail / n (CSN's
//     approximate sampler, eq. D.6: floor((x_min - 1/2)(1 - u)^(-1/(alpha-1))
//     + 1/2), capped at 1e12) and otherwise uniformly from the observed values
//     below x_min, refitted with the same x_min search; p = share with
//     D >= the observed D. Sample i uses its own seeded stream: identical
//     for any thread count.
// Values < 1 (e.g. isolated nodes' degree 0) are excluded before fitting.
// FAILED_PRECONDITION when no candidate leaves `min_tail` observations with
// at least two distinct values. Time O(D^2) zeta evaluations for D distinct
// values (times `bootstrap` + 1), memory O(n).
class PowerLawFit final : public Algorithm {
 public:
  struct Options {
    int64_t min_tail = 10;
    // Fix x_min instead of searching (> 0).
    int64_t fixed_xmin = 0;
    int bootstrap = 0;
    uint64_t seed = 0;
    int num_threads = 0;
  };
  explicit PowerLawFit(std::vector<int64_t> data) : PowerLawFit(std::move(data), Options()) {}
  PowerLawFit(std::vector<int64_t> data, Options options);

  double Alpha() const {
    AssertHasRun();
    return alpha_;
  }
  int64_t Xmin() const {
    AssertHasRun();
    return xmin_;
  }
  double KsDistance() const {
    AssertHasRun();
    return ks_;
  }
  int64_t TailSize() const {
    AssertHasRun();
    return tail_size_;
  }
  double AlphaStandardError() const {
    AssertHasRun();
    return alpha_stderr_;
  }
  double LogLikelihood() const {
    AssertHasRun();
    return log_likelihood_;
  }
  // NaN unless Options::bootstrap > 0.
  double PValue() const {
    AssertHasRun();
    return p_value_;
  }

 private:
  absl::Status RunImpl() override;

  std::vector<int64_t> data_;  // sorted ascending, values >= 1
  Options options_;
  double alpha_ = 0;
  int64_t xmin_ = 0;
  double ks_ = 0;
  int64_t tail_size_ = 0;
  double alpha_stderr_ = 0;
  double log_likelihood_ = 0;
  double p_value_ = 0;
};

struct Concentration {
  // Share of the total held by the top p% of values, for each requested p:
  // the ceil(p/100 * n) largest values (at least one when p > 0) over the
  // sum of all values. 0 when the total is 0.
  std::vector<double> top_shares;
  // Gini coefficient, sum_i (2i - n - 1) x_(i) / (n sum x) with x sorted
  // ascending and i = 1..n: 0 for equal values, (n-1)/n when one value holds
  // everything; 0 when the total is 0.
  double gini = 0;
  double total = 0;
};

// INVALID_ARGUMENT for a negative or non-finite value or a percentage
// outside [0, 100]. Time O(n log n).
absl::StatusOr<Concentration> ComputeConcentration(absl::Span<const double> values,
                                                   absl::Span<const double> percents);

// Concentration of node degrees (strengths when `weighted`), e.g. the share
// of all out-degree held by the top 10% / 1% / 0.1% of nodes. Negative edge
// weights are INVALID_ARGUMENT. Time O(m + n log n).
absl::StatusOr<Concentration> DegreeConcentration(const Graph& graph, DegreeMode mode,
                                                  absl::Span<const double> percents,
                                                  bool weighted = false);

}  // namespace innoscope::graph
