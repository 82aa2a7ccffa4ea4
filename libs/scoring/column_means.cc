#include "libs/scoring/column_means.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "libs/scoring/vector_math.h"

namespace innoscope::scoring {
namespace {

// out[r] = 0 + w[0] x[0][r] + w[1] x[1][r] + ... for every region r, in
// that order (AggregatePowerMean's), each sum kept in a register rather
// than stored and reloaded once per child; eight regions at a time in two
// vectors of four (GCC vector extensions; an AVX2 and a baseline build
// chosen at load time, without fused multiply-adds: the same bits as one
// region at a time). Returns false when a sum is NaN (a missing value).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
bool WeightedSums(const double* const* x, const double* w, size_t k, size_t regions,
                  double* out) {
  typedef double V __attribute__((vector_size(32)));
  typedef int64_t I __attribute__((vector_size(32)));
  I nan = {0, 0, 0, 0};
  size_t r = 0;
  for (; r + 8 <= regions; r += 8) {
    V a = {0, 0, 0, 0};
    V b = {0, 0, 0, 0};
    for (size_t i = 0; i < k; ++i) {
      const V wi = {w[i], w[i], w[i], w[i]};
      V xa;
      V xb;
      std::memcpy(&xa, x[i] + r, sizeof xa);
      std::memcpy(&xb, x[i] + r + 4, sizeof xb);
      a += wi * xa;
      b += wi * xb;
    }
    std::memcpy(out + r, &a, sizeof a);
    std::memcpy(out + r + 4, &b, sizeof b);
    nan |= (a != a) | (b != b);
  }
  // Four at a time; the last one to three regions as the vector of the
  // last four, which overlaps the one before: a region's sum is computed
  // alone, so the overlap is written again with the same bits (why: with 31
  // regions the one-at-a-time tail cost as much as the rest).
  for (; r < regions && regions >= 4; r += 4) {
    if (r + 4 > regions) r = regions - 4;
    V a = {0, 0, 0, 0};
    for (size_t i = 0; i < k; ++i) {
      const V wi = {w[i], w[i], w[i], w[i]};
      V xa;
      std::memcpy(&xa, x[i] + r, sizeof xa);
      a += wi * xa;
    }
    std::memcpy(out + r, &a, sizeof a);
    nan |= a != a;
  }
  bool any_nan = (nan[0] | nan[1] | nan[2] | nan[3]) != 0;
  for (; r < regions; ++r) {
    double acc = 0;
    for (size_t i = 0; i < k; ++i) acc += w[i] * x[i][r];
    out[r] = acc;
    any_nan |= std::isnan(acc);
  }
  return !any_nan;
}

}  // namespace

NodeMean MeanAt(const AggregationOptions& options, int level) {
  auto it = options.by_level.find(level);
  const AggregationSpec& spec = it == options.by_level.end() ? options.spec : it->second;
  NodeMean mean;
  mean.topsis = spec.method == AggregationMethod::kTopsis;
  mean.p = PowerOf(spec);
  mean.shift =
      mean.p != 1.0 && options.non_positive == NonPositivePolicy::kShift ? options.shift : 0.0;
  return mean;
}

ColumnTree ColumnTreeFrom(const AggregationTree& tree, const std::vector<int>& leaf_column) {
  ColumnTree out;
  const size_t n = tree.size();
  out.children.resize(n);
  out.input.assign(n, -1);
  out.inner_slot.assign(n, -1);
  for (size_t v = 0; v < n; ++v) {
    const int node = static_cast<int>(v);
    if (tree.IsLeaf(node)) {
      out.input[v] = leaf_column[v];
    } else {
      out.children[v] = tree.Children(node);
    }
  }
  out.bottom_up = tree.BottomUp();
  for (size_t slot = 0; slot < out.bottom_up.size(); ++slot) {
    out.inner_slot[out.bottom_up[slot]] = static_cast<int>(slot);
  }
  return out;
}

// Every value as AggregatePowerMean and WeightedPowerMean compute it: per
// region acc = 0 + w_1 f(x_1) + w_2 f(x_2) + ... over the children with a
// non-zero weight, in their order, w_j = weight_j / (sum of the children's
// weights), f = identity, Log(x + shift) or pow(x + shift, p) (for a
// geometric mean over a geometric child: the child's acc, as Aggregate
// takes it); then acc, Exp(acc) - shift or pow(acc, 1 / p) - shift.
bool ColumnMeans::Run(const ColumnTree& tree, absl::Span<const NodeMean> means,
                      absl::Span<const double> weights, const ColumnInputs& inputs, size_t regions,
                      Columns wanted) {
  regions_ = regions;
  const size_t inner = tree.bottom_up.size();
  computed_.resize(inner * regions);
  log_means_.resize(inner * regions);
  // Which inner nodes' scores are needed, not only their log-means: all
  // (kAll), else the root's (last bottom-up) and those of the children of
  // a node that is not a geometric mean over a geometric child (why: in a
  // replicate of a geometric aggregation only the root's Exp is left).
  auto geometric = [&](int v) { return !means[v].topsis && means[v].p == 0.0; };
  needed_.assign(inner, wanted == Columns::kAll ? 1 : 0);
  if (inner > 0) needed_[inner - 1] = 1;
  if (wanted != Columns::kAll) {
    for (int v : tree.bottom_up) {
      for (int c : tree.children[v]) {
        if (tree.input[c] < 0 && !(geometric(v) && geometric(c))) needed_[tree.inner_slot[c]] = 1;
      }
    }
  }
  for (int v : tree.bottom_up) {
    const NodeMean& mean = means[v];
    if (mean.topsis) return false;
    const double p = mean.p;
    const double shift = mean.shift;
    const std::vector<int>& children = tree.children[v];
    double weight_sum = 0;
    for (int c : children) weight_sum += weights[c];
    if (!(weight_sum > 0)) return false;
    // The children taking part, with their normalised weights; for a
    // geometric mean over an input with logarithms, those (which hold
    // this shift), and over a geometric child, its log-means. Written by
    // index into buffers grown once (why: with a dozen small nodes per
    // replicate, push_back's checks were a tenth of the Monte Carlo
    // replicate's instructions).
    if (xs_.size() < children.size()) {
      xs_.resize(children.size());
      ws_.resize(children.size());
      logged_.resize(children.size());
    }
    const bool have_logs = p == 0.0 && !inputs.logs.empty();
    size_t k = 0;
    for (int c : children) {
      const double weight = weights[c];
      if (weight == 0) continue;  // takes no part, as in AggregatePowerMean
      ws_[k] = weight / weight_sum;
      const int column = tree.input[c];
      const size_t slot = column >= 0 ? 0 : static_cast<size_t>(tree.inner_slot[c]) * regions;
      const bool use_logs = column >= 0 ? have_logs : p == 0.0 && geometric(c);
      logged_[k] = use_logs ? 1 : 0;
      if (column >= 0) {
        xs_[k] = use_logs ? inputs.logs[column] : inputs.values[column];
      } else {
        xs_[k] = (use_logs ? log_means_.data() : computed_.data()) + slot;
      }
      ++k;
    }
    const size_t own = static_cast<size_t>(tree.inner_slot[v]) * regions;
    double* out = computed_.data() + own;
    if (p == 1.0) {  // shift is 0 here
      // A missing (NaN) value makes its region's sum NaN: Aggregate's
      // policies decide.
      if (!WeightedSums(xs_.data(), ws_.data(), k, regions, out)) return false;
      continue;
    }
    // First each child's log (pow) column, for those not given as
    // logarithms; then the weighted sums over these columns, each region's
    // in AggregatePowerMean's order, as for p = 1 (why: region by region,
    // the per-child branches, loads and stores cost as much as log and exp).
    size_t transforms = 0;
    for (size_t i = 0; i < k; ++i) transforms += logged_[i] == 0 ? 1 : 0;
    transformed_.resize(transforms * regions);
    double* t = transformed_.data();
    for (size_t i = 0; i < k; ++i) {
      if (logged_[i] != 0) continue;
      const double* xi = xs_[i];
      if (shift == 0) {
        std::copy(xi, xi + regions, t);
      } else {
        for (size_t r = 0; r < regions; ++r) t[r] = xi[r] + shift;
      }
      xs_[i] = t;
      t += regions;
    }
    // All of them in one call: the vector loop's set-up and its last,
    // partial vector once per node, not per child. A missing (NaN) value
    // or one outside the domain: Aggregate's policies decide.
    const absl::Span<double> all = absl::MakeSpan(transformed_);
    if (p == 0.0) {
      if (!LogArray(all, all)) return false;  // some value not > 0
    } else {
      for (double& x : all) {
        if (std::isnan(x) || (p > 0 ? !(x >= 0) : !(x > 0))) return false;
        x = std::pow(x, p);
      }
    }
    if (p == 0.0) {
      double* log_mean = log_means_.data() + own;
      WeightedSums(xs_.data(), ws_.data(), k, regions, log_mean);
      // Exp(acc) - shift + shift > 0, the domain a geometric parent checks
      // on this node's score before taking acc as its logarithm, holds for
      // acc above the bound (Exp(acc) >= 2^-40 shift); below it, let
      // Aggregate decide. Once per node, so its scores need not be
      // computed for the check.
      const double bound = LogMeanBound(shift);
      for (size_t r = 0; r < regions; ++r) {
        if (!(log_mean[r] > bound)) return false;
      }
      if (needed_[tree.inner_slot[v]] == 0) continue;
      ExpArray(absl::MakeConstSpan(log_mean, regions), absl::MakeSpan(out, regions));
      if (shift != 0) {
        for (size_t r = 0; r < regions; ++r) out[r] -= shift;
      }
    } else {
      WeightedSums(xs_.data(), ws_.data(), k, regions, out);
      for (size_t r = 0; r < regions; ++r) out[r] = std::pow(out[r], 1.0 / p) - shift;
    }
  }
  return true;
}

double ColumnMeans::LogMeanBound(double shift) {
  if (shift != bound_shift_) {
    bound_shift_ = shift;
    // Exp(acc) >= 2^-40 shift >> ulp(shift), so Exp(acc) - shift > -shift
    // and the sum back > 0; without a shift, far from Exp's underflow.
    bound_ = shift > 0 ? std::log(shift) - 40 * std::log(2.0) : -700.0;
  }
  return bound_;
}

absl::Span<const double> ColumnMeans::Column(const ColumnTree& tree, int node) const {
  return absl::MakeConstSpan(
      computed_.data() + static_cast<size_t>(tree.inner_slot[node]) * regions_, regions_);
}

absl::Span<const double> ColumnMeans::LogMean(const ColumnTree& tree, int node) const {
  return absl::MakeConstSpan(
      log_means_.data() + static_cast<size_t>(tree.inner_slot[node]) * regions_, regions_);
}

}  // namespace innoscope::scoring
