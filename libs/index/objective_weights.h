#pragma once

// Data-driven ("objective") indicator weights: entropy, CRITIC, coefficient
// of variation and PCA. Each takes a regions x indicators matrix and returns
// one weight per indicator column, summing to 1. Formulas, conventions and
// references are in docs/methods.md; in short:
//
//   Entropy   x' = min-max to [0, 1] with direction, p_ij = x'_ij / sum_i x'_ij,
//             e_j = -(1 / ln n) sum_i p_ij ln p_ij (0 ln 0 = 0),
//             w_j ∝ 1 - e_j  (Shannon 1948; Zeleny 1982; common 熵权法).
//   CRITIC    x' as above, sigma_j = sample sd (n - 1) of x'_j,
//             r_jk = Pearson correlation of x'_j and x'_k,
//             w_j ∝ sigma_j sum_k (1 - r_jk)  (Diakoulaki et al. 1995).
//   CV        w_j ∝ s_j / |mean_j| on the raw values, sample sd (n - 1);
//             meaningful only for ratio-scale indicators.
//   PCA       eigen-decomposition of the indicators' correlation matrix;
//             components with eigenvalue > min_eigenvalue (Kaiser: 1) are
//             retained (at least the first); w_j ∝ sum over retained k of
//             lambda_k * v_jk^2 (v_k unit eigenvectors), i.e. squared
//             loadings scaled to unity, weighted by the variance each
//             component explains (OECD/JRC Handbook 2008, section 6.1,
//             without the varimax rotation; see docs/methods.md).
//
// All need complete data (impute first) and at least two regions; an
// indicator without variance is an error naming it (it carries no
// information and would divide by zero). Directions (+1/-1 per column, empty
// for all +1) matter for entropy and CRITIC only.
//
//   ASSIGN_OR_RETURN(std::vector<double> w, EntropyWeights(data, directions));

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/index/data_matrix.h"

namespace innoscope::index {

// O(n m).
// `entropy`, when given, receives e_j per indicator (diagnostics).
absl::StatusOr<std::vector<double>> EntropyWeights(const DataMatrix& data,
                                                   absl::Span<const int> directions = {},
                                                   std::vector<double>* entropy = nullptr);

// O(n m^2) for the correlations.
// `information`, when given, receives C_j = sigma_j sum_k (1 - r_jk).
absl::StatusOr<std::vector<double>> CriticWeights(const DataMatrix& data,
                                                  absl::Span<const int> directions = {},
                                                  std::vector<double>* information = nullptr);

// O(n m). Errors also for an indicator with mean 0.
// `cv`, when given, receives s_j / |mean_j| per indicator.
absl::StatusOr<std::vector<double>> CoefficientOfVariationWeights(
    const DataMatrix& data, std::vector<double>* cv = nullptr);

struct PcaOptions {
  double min_eigenvalue = 1.0;  // retain components with eigenvalue above
};

struct PcaWeights {
  std::vector<double> weights;      // per indicator, sum 1
  std::vector<double> eigenvalues;  // of the correlation matrix, descending
  size_t retained = 0;              // number of leading components used
};

// O(n m^2 + m^3).
absl::StatusOr<PcaWeights> PcaWeightsOf(const DataMatrix& data, const PcaOptions& options = {});

}  // namespace innoscope::index
