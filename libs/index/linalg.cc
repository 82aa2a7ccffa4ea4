#include "libs/index/linalg.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace innoscope::index {
namespace {

using Matrix = std::vector<std::vector<double>>;

double OffDiagonalNorm(const Matrix& a) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < a.size(); ++j) {
      if (i != j) sum += a[i][j] * a[i][j];
    }
  }
  return std::sqrt(sum);
}

double FrobeniusNorm(const Matrix& a) {
  double sum = 0;
  for (const auto& row : a) {
    for (double v : row) sum += v * v;
  }
  return std::sqrt(sum);
}

// Applies the Jacobi rotation that zeroes a[p][q] to a (both sides) and
// accumulates it into v (columns are eigenvectors).
void Rotate(Matrix& a, Matrix& v, size_t p, size_t q) {
  const double apq = a[p][q];
  const double theta = (a[q][q] - a[p][p]) / (2 * apq);
  const double t = std::copysign(1.0, theta) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
  const double c = 1 / std::sqrt(t * t + 1);
  const double s = t * c;
  const size_t n = a.size();
  for (size_t k = 0; k < n; ++k) {
    const double akp = a[k][p];
    const double akq = a[k][q];
    a[k][p] = c * akp - s * akq;
    a[k][q] = s * akp + c * akq;
  }
  for (size_t k = 0; k < n; ++k) {
    const double apk = a[p][k];
    const double aqk = a[q][k];
    a[p][k] = c * apk - s * aqk;
    a[q][k] = s * apk + c * aqk;
  }
  for (size_t k = 0; k < n; ++k) {
    const double vkp = v[k][p];
    const double vkq = v[k][q];
    v[k][p] = c * vkp - s * vkq;
    v[k][q] = s * vkp + c * vkq;
  }
}

}  // namespace

absl::StatusOr<SymmetricEigen> EigenSymmetric(const Matrix& input) {
  const size_t n = input.size();
  for (size_t i = 0; i < n; ++i) {
    if (input[i].size() != n) {
      return absl::InvalidArgumentError(absl::StrCat("matrix is not square: row ", i + 1, " has ",
                                                     input[i].size(), " entries, expected ", n));
    }
  }
  const double scale = FrobeniusNorm(input);
  if (!std::isfinite(scale)) return absl::InvalidArgumentError("matrix is not finite");
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (std::fabs(input[i][j] - input[j][i]) > 1e-9 * std::max(1.0, scale)) {
        return absl::InvalidArgumentError(
            absl::StrCat("matrix is not symmetric at (", i + 1, ",", j + 1, ")"));
      }
    }
  }
  Matrix a = input;
  Matrix v(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) v[i][i] = 1;
  const double eps = 1e-12 * scale;
  bool converged = false;
  for (int sweep = 0; sweep < 100 && !converged; ++sweep) {
    converged = OffDiagonalNorm(a) <= eps;
    for (size_t p = 0; p + 1 < n && !converged; ++p) {
      for (size_t q = p + 1; q < n; ++q) {
        if (a[p][q] != 0) Rotate(a, v, p, q);
      }
    }
  }
  if (!converged && OffDiagonalNorm(a) > eps) {
    return absl::InternalError("Jacobi eigenvalue iteration did not converge");
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&a](size_t x, size_t y) { return a[x][x] > a[y][y]; });
  SymmetricEigen out;
  for (size_t k : order) {
    out.values.push_back(a[k][k]);
    std::vector<double> vec(n);
    for (size_t i = 0; i < n; ++i) vec[i] = v[i][k];
    out.vectors.push_back(std::move(vec));
  }
  return out;
}

}  // namespace innoscope::index
