#pragma once

// Analytic hierarchy process (层次分析法; Saaty, "The Analytic Hierarchy
// Process", McGraw-Hill 1980): priorities from a pairwise judgement matrix
// on Saaty's 1-9 scale, the consistency check, group aggregation, and the
// local weights of a whole framework from one judgement matrix per parent.
//
// A judgement matrix A (n x n) says how much more important item i is than
// item j: a_ij > 0, a_ii = 1, a_ji = 1 / a_ij. Priorities w (sum 1) come from
//   kEigenvector     the principal right eigenvector (Saaty), by power
//                    iteration from the geometric-mean vector until the
//                    largest change of a component is below `tolerance`.
//                    Converges for every positive matrix (Perron-Frobenius),
//                    at rate |lambda_2 / lambda_max| per step, O(n^2) each.
//   kGeometricMean   normalised geometric means of the rows (Crawford &
//                    Williams 1985, the "row geometric mean method"). Equal
//                    to the eigenvector for n <= 3 and for consistent A.
// lambda_max = mean_i (A w)_i / w_i (for the eigenvector this is the
// eigenvalue), CI = (lambda_max - n) / (n - 1), CR = CI / RI(n), CR = 0 for
// n <= 2. RI comes from a selectable table (RandomIndexTable); an order the
// table does not cover is an error. A matrix is acceptably consistent when
// CR < 0.1 (Saaty).
//
// The inconsistency report ranks the judgements above the diagonal by how
// far they are from what the priorities imply: with e_ij = a_ij w_j / w_i,
// deviation = max(e_ij, 1 / e_ij) - 1 (0 when the judgement is consistent).
// Using max(e, 1/e) makes the cell (i, j) and its reciprocal (j, i) score
// the same; the largest e_ij is Saaty's rule for the judgement to revise
// first (Saaty 2003, EJOR 145:85-91), `implied` = w_i / w_j is the value that
// would make it consistent.
//
//   AhpOptions opt;
//   opt.random_index = RandomIndexTable::kChineseCommon;
//   ASSIGN_OR_RETURN(AhpResult r, Ahp({{1, 3, 5}, {1./3, 1, 3}, {1./5, 1./3, 1}},
//                                     {"cost", "safety", "style"}, opt));
//   if (r.cr >= 0.1) Revise(r.inconsistency.front());

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/common/enum_names.h"
#include "libs/index/framework.h"

namespace innoscope::index {

// Row-major: matrix[i][j] = a_ij.
using JudgementMatrix = std::vector<std::vector<double>>;

enum class AhpPriorityMethod { kEigenvector, kGeometricMean };

enum class RandomIndexTable {
  // Saaty (1980), n = 1..10: 0 0 0.58 0.90 1.12 1.24 1.32 1.41 1.45 1.49.
  kSaaty,
  // The table common in Chinese AHP software and textbooks, n = 1..10:
  // 0 0 0.52 0.89 1.12 1.26 1.36 1.41 1.46 1.49. The AI competitiveness
  // report's published CRs are consistent with it (DOMAIN.md section 1).
  kChineseCommon,
};

// RI(n); INVALID_ARGUMENT for n outside 1..10.
absl::StatusOr<double> RandomIndex(size_t n, RandomIndexTable table);

struct AhpOptions {
  AhpPriorityMethod method = AhpPriorityMethod::kEigenvector;
  RandomIndexTable random_index = RandomIndexTable::kSaaty;
  double tolerance = 1e-10;  // power iteration: max |w_new - w_old|
  int max_iterations = 10000;
  // Accepted |a_ij * a_ji - 1| and |a_ii - 1|; judgements typed as 0.333
  // for 1/3 need about 1e-3.
  double reciprocal_tolerance = 1e-6;
};

struct JudgementDeviation {
  size_t i = 0;
  size_t j = 0;
  double judgement = 0;  // a_ij
  double implied = 0;    // w_i / w_j
  double deviation = 0;  // max(e, 1/e) - 1, e = a_ij w_j / w_i
};

struct AhpResult {
  std::vector<double> weights;  // sum 1
  double lambda_max = 0;
  double ci = 0;
  double ri = 0;
  double cr = 0;
  int iterations = 0;  // power iterations (0 for the geometric mean)
  // Every cell above the diagonal, largest deviation first (ties: by i, j).
  std::vector<JudgementDeviation> inconsistency;
};

// Square, finite and positive, unit diagonal, reciprocal within `tolerance`.
// INVALID_ARGUMENT names the offending cell as (i,j), 1-based, with the item
// names when `items` is given (one per row).
absl::Status ValidateJudgementMatrix(const JudgementMatrix& a,
                                     absl::Span<const std::string> items = {},
                                     double tolerance = 1e-6);

// Priorities and consistency of one judgement matrix. `items` (optional) name
// the rows in error messages. Errors: an invalid matrix, n outside the RI
// table, invalid options.
absl::StatusOr<AhpResult> Ahp(const JudgementMatrix& a, absl::Span<const std::string> items = {},
                              const AhpOptions& options = {});

// Group AHP, aggregation of individual judgements (AIJ; Aczel & Saaty 1983,
// Forman & Peniwati 1998): the element-wise weighted geometric mean of the
// experts' matrices, which is again reciprocal. `expert_weights` (optional,
// one per matrix, >= 0, rescaled to sum 1) default to equal. Errors name the
// expert (1-based) whose matrix is invalid or of another size.
absl::StatusOr<JudgementMatrix> AggregateJudgements(const std::vector<JudgementMatrix>& matrices,
                                                    absl::Span<const double> expert_weights = {},
                                                    double tolerance = 1e-6);

enum class PriorityMean {
  kGeometric,   // w_i ∝ prod_k w_ik^lambda_k (Forman & Peniwati 1998)
  kArithmetic,  // w_i = sum_k lambda_k w_ik
};

// Group AHP, aggregation of individual priorities (AIP): combines the
// experts' priority vectors (each of the same length, positive) into one
// vector summing to 1.
absl::StatusOr<std::vector<double>> AggregatePriorities(
    const std::vector<std::vector<double>>& priorities,
    absl::Span<const double> expert_weights = {}, PriorityMean mean = PriorityMean::kGeometric);

struct AhpTreeResult {
  std::vector<double> local;                   // per node id; root 1
  std::vector<double> global;                  // per node id; product of local on the path
  std::map<std::string, AhpResult> by_parent;  // keyed by parent code
};

// AHP over a whole framework: `judgements` maps each inner node's code to
// the judgement matrix over its children, in Children() order. A parent with
// a single child needs no matrix. Errors name the parent whose matrix is
// missing, of the wrong size or invalid.
absl::StatusOr<AhpTreeResult> AhpTree(const Framework& framework,
                                      const std::map<std::string, JudgementMatrix>& judgements,
                                      const AhpOptions& options = {});

}  // namespace innoscope::index

namespace innoscope {

// The names of the CLI (innoscope weights ahp --method, --ri) and of logs.
template <>
struct EnumNames<index::AhpPriorityMethod> {
  static constexpr absl::string_view kWhat = "priority method";
  static constexpr EnumName<index::AhpPriorityMethod> kRows[] = {
      {index::AhpPriorityMethod::kEigenvector, "eigenvector"},
      {index::AhpPriorityMethod::kGeometricMean, "geometric"},
  };
};

template <>
struct EnumNames<index::RandomIndexTable> {
  static constexpr absl::string_view kWhat = "random index table";
  static constexpr EnumName<index::RandomIndexTable> kRows[] = {
      {index::RandomIndexTable::kSaaty, "saaty"},
      {index::RandomIndexTable::kChineseCommon, "cn"},
  };
};

}  // namespace innoscope
