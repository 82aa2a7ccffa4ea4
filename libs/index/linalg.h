#pragma once

// Eigen-decomposition of a small dense symmetric matrix (a correlation
// matrix of indicators) for PCA weights, by the cyclic Jacobi method
// (Golub & Van Loan, "Matrix Computations", 4th ed., section 8.5). Jacobi is
// chosen over QR for its simplicity and its accurate small eigenvalues; it
// costs O(m^3) per sweep and converges quadratically, in well under 20
// sweeps for the m <= a few hundred indicators an index has.
//
//   ASSIGN_OR_RETURN(SymmetricEigen e, EigenSymmetric(correlation));
//   double first = e.values[0];                 // largest
//   double loading = e.vectors[0][j];           // component 0, indicator j

#include <vector>

#include "absl/status/statusor.h"

namespace innoscope::index {

struct SymmetricEigen {
  std::vector<double> values;                // descending
  std::vector<std::vector<double>> vectors;  // vectors[k] pairs with values[k], unit length
};

// INVALID_ARGUMENT for a non-square, non-symmetric (beyond 1e-9 relative) or
// non-finite matrix; INTERNAL if Jacobi does not converge in 100 sweeps.
// Eigenvectors have an arbitrary sign; ties keep the input order.
absl::StatusOr<SymmetricEigen> EigenSymmetric(const std::vector<std::vector<double>>& a);

}  // namespace innoscope::index
