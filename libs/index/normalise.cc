#include "libs/index/normalise.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/radix_sort.h"
#include "libs/index/stats.h"

namespace innoscope::index {
namespace {

absl::Status SpecError(absl::string_view what) {
  return absl::InvalidArgumentError(std::string(what));
}

absl::Status ValidateSpec(const NormaliseSpec& spec) {
  if (spec.direction != 1 && spec.direction != -1) {
    return SpecError(absl::StrCat("direction must be +1 or -1, got ", spec.direction));
  }
  if (!(std::isfinite(spec.lower) && std::isfinite(spec.upper) && spec.lower < spec.upper)) {
    return SpecError("the output scale needs finite lower < upper");
  }
  if (spec.method == NormaliseMethod::kGoalposts) {
    if (!spec.goal_min.has_value() || !spec.goal_max.has_value() ||
        !(std::isfinite(*spec.goal_min) && std::isfinite(*spec.goal_max) &&
          *spec.goal_min < *spec.goal_max)) {
      return SpecError("goalposts need finite goal_min < goal_max");
    }
    if (spec.log_scale && *spec.goal_min <= 0) {
      return SpecError("log-scale goalposts must be positive");
    }
  }
  if (spec.method == NormaliseMethod::kDistanceToTarget) {
    if (!spec.target.has_value() || !std::isfinite(*spec.target)) {
      return SpecError("distance to target needs a finite target");
    }
    if (spec.log_scale && *spec.target <= 0) {
      return SpecError("a log-scale target must be positive");
    }
  }
  if (spec.method == NormaliseMethod::kProportionOfMax && spec.log_scale) {
    return SpecError("proportion of maximum does not take log_scale");
  }
  return absl::OkStatus();
}

std::string RowName(absl::Span<const std::string> row_names, size_t r) {
  return r < row_names.size() ? absl::StrCat("region '", row_names[r], "'")
                              : absl::StrCat("the value at index ", r);
}

// The value the methods compare: ln(x) under log_scale, times the direction,
// so that "larger is better" holds for every method below.
double Oriented(double x, const NormaliseSpec& spec) {
  return spec.direction * (spec.log_scale ? std::log(x) : x);
}

// Applies f to every present value of v (in place).
template <typename F>
void ForPresent(std::vector<double>& v, F f) {
  for (double& x : v) {
    if (!IsMissingValue(x)) x = f(x);
  }
}

// For a degenerate column: the neutral value, or missing.
void FillDegenerate(std::vector<double>& v, const NormaliseSpec& spec, double neutral) {
  const double fill = spec.degenerate == DegeneratePolicy::kMidpoint ? neutral : kMissing;
  ForPresent(v, [fill](double) { return fill; });
}

// Number of present values strictly below each value: the rows sorted by
// value in O(n) (radix_sort.h: SortByQuantisedValue, RadixSortByKey when
// the values have no finite range), then a scan in which equal values share the
// position of the first of them. A binary search per value after a
// comparison sort, as before, dominated the rank normalisations of a Monte
// Carlo analysis.
std::vector<size_t> CountBelow(const std::vector<double>& v) {
  std::vector<size_t> below(v.size(), 0);
  {
    std::vector<QuantisedRow> sorted, buffer;
    size_t m = 0;
    if (SortByQuantisedValue(v.data(), v.size(), sorted, buffer, m)) {
      size_t first = 0;
      for (size_t pos = 0; pos < m; ++pos) {
        if (pos > 0 && v[sorted[pos].row] != v[sorted[pos - 1].row]) first = pos;
        below[sorted[pos].row] = first;
      }
      return below;
    }
  }
  std::vector<KeyedRow> sorted, buffer;
  sorted.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (!IsMissingValue(v[i])) sorted.push_back({AscendingKey(v[i]), static_cast<uint32_t>(i)});
  }
  RadixSortByKey(sorted, buffer);
  size_t first = 0;
  for (size_t pos = 0; pos < sorted.size(); ++pos) {
    if (pos > 0 && sorted[pos].key != sorted[pos - 1].key) first = pos;
    below[sorted[pos].row] = first;
  }
  return below;
}

absl::StatusOr<std::vector<double>> ProportionOfMax(absl::Span<const double> x,
                                                    const NormaliseSpec& spec,
                                                    absl::Span<const std::string> names) {
  std::vector<double> v(x.begin(), x.end());
  for (size_t r = 0; r < v.size(); ++r) {
    const bool bad = spec.direction > 0 ? v[r] < 0 : v[r] <= 0;
    if (!IsMissingValue(v[r]) && bad) {
      return SpecError(absl::StrCat("proportion of maximum needs ",
                                    spec.direction > 0 ? "non-negative" : "positive", " values; ",
                                    RowName(names, r), " has ", v[r]));
    }
  }
  const ValueRange e = RangeOf(v);
  if (e.count == 0) return v;
  if (spec.direction > 0 && e.max == 0) {
    FillDegenerate(v, spec, (spec.lower + spec.upper) / 2);
    return v;
  }
  const double span = spec.upper - spec.lower;
  ForPresent(v, [&](double a) {
    return spec.lower + span * (spec.direction > 0 ? a / e.max : e.min / a);
  });
  return v;
}

// NormaliseColumn with region names for error messages.
absl::StatusOr<std::vector<double>> NormaliseColumnNamed(absl::Span<const double> x,
                                                         const NormaliseSpec& spec,
                                                         absl::Span<const std::string> names) {
  if (absl::Status s = ValidateSpec(spec); !s.ok()) return s;
  if (spec.method == NormaliseMethod::kProportionOfMax) {
    return ProportionOfMax(x, spec, names);
  }
  std::vector<double> v(x.begin(), x.end());
  if (spec.log_scale) {
    for (size_t r = 0; r < v.size(); ++r) {
      if (!IsMissingValue(v[r]) && v[r] <= 0) {
        return SpecError(
            absl::StrCat("log scale needs positive values; ", RowName(names, r), " has ", v[r]));
      }
    }
  }
  ForPresent(v, [&spec](double a) { return Oriented(a, spec); });
  const ValueRange e = RangeOf(v);
  if (e.count == 0) return v;
  const double span = spec.upper - spec.lower;
  const double midpoint = (spec.lower + spec.upper) / 2;

  switch (spec.method) {
    case NormaliseMethod::kMinMax:
      if (e.max == e.min) {
        FillDegenerate(v, spec, midpoint);
      } else {
        ForPresent(v, [&](double a) { return spec.lower + (a - e.min) / (e.max - e.min) * span; });
      }
      break;
    case NormaliseMethod::kGoalposts: {
      double lo = Oriented(*spec.goal_min, spec);
      double hi = Oriented(*spec.goal_max, spec);
      if (lo > hi) std::swap(lo, hi);
      ForPresent(v, [&](double a) {
        return spec.lower + (std::clamp(a, lo, hi) - lo) / (hi - lo) * span;
      });
      break;
    }
    case NormaliseMethod::kZScore: {
      const double mean = Mean(v);
      const double sd = SampleStdDev(v);
      if (e.count < 2 || !(sd > 0)) {
        FillDegenerate(v, spec, 0.0);
      } else {
        ForPresent(v, [&](double a) { return (a - mean) / sd; });
      }
      break;
    }
    case NormaliseMethod::kRank: {
      const std::vector<size_t> below = CountBelow(v);
      for (size_t i = 0; i < v.size(); ++i) {
        if (!IsMissingValue(v[i])) v[i] = 1.0 + static_cast<double>(below[i]);
      }
      break;
    }
    case NormaliseMethod::kPercentileRank: {
      if (e.max == e.min) {
        FillDegenerate(v, spec, midpoint);
        break;
      }
      const std::vector<size_t> below = CountBelow(v);
      for (size_t i = 0; i < v.size(); ++i) {
        if (IsMissingValue(v[i])) continue;
        v[i] = spec.lower + span * static_cast<double>(below[i]) / static_cast<double>(e.count - 1);
      }
      break;
    }
    case NormaliseMethod::kDistanceToTarget: {
      const double target = Oriented(*spec.target, spec);
      if (!(target > e.min)) {
        return SpecError("the target must be better than the worst value of the indicator");
      }
      ForPresent(v, [&](double a) {
        return spec.lower + span * std::min(1.0, (a - e.min) / (target - e.min));
      });
      break;
    }
    case NormaliseMethod::kDistanceToBest: {
      if (e.max == 0) {
        return SpecError("distance to the best performer is undefined when the best is 0");
      }
      ForPresent(v, [&](double a) { return span * (a - e.max) / std::fabs(e.max); });
      break;
    }
    case NormaliseMethod::kProportionOfMax:
      break;  // handled above
  }
  return v;
}

}  // namespace

absl::StatusOr<std::vector<double>> NormaliseColumn(absl::Span<const double> x,
                                                    const NormaliseSpec& spec) {
  return NormaliseColumnNamed(x, spec, {});
}

absl::StatusOr<DataMatrix> Normalise(const DataMatrix& data,
                                     absl::Span<const NormaliseSpec> specs) {
  if (specs.size() != data.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "got ", specs.size(), " normalisation specs for ", data.cols(), " indicators"));
  }
  DataMatrix out = data;
  for (size_t c = 0; c < data.cols(); ++c) {
    if (absl::Status s = NormaliseColumnInto(data, specs[c], c, out); !s.ok()) return s;
  }
  return out;
}

absl::Status NormaliseColumnInto(const DataMatrix& data, const NormaliseSpec& spec, size_t c,
                                 DataMatrix& out) {
  absl::StatusOr<std::vector<double>> col =
      NormaliseColumnNamed(data.Column(c), spec, data.regions());
  if (!col.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("indicator '", data.indicators()[c], "': ", col.status().message()));
  }
  std::copy(col->begin(), col->end(), out.MutableColumn(c).begin());
  return absl::OkStatus();
}

absl::StatusOr<DataMatrix> Normalise(const DataMatrix& data, const NormaliseSpec& spec,
                                     absl::Span<const int> directions) {
  if (!directions.empty() && directions.size() != data.cols()) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", directions.size(), " directions for ", data.cols(), " indicators"));
  }
  std::vector<NormaliseSpec> specs(data.cols(), spec);
  for (size_t c = 0; c < directions.size(); ++c) specs[c].direction = directions[c];
  return Normalise(data, specs);
}

absl::StatusOr<std::vector<NormaliseSpec>> SpecsFromFramework(const DataMatrix& data,
                                                              const Framework& framework,
                                                              const NormaliseSpec& base) {
  std::vector<NormaliseSpec> specs;
  specs.reserve(data.cols());
  for (const std::string& code : data.indicators()) {
    const int id = framework.Find(code);
    if (id < 0 || !framework.IsLeaf(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("indicator '", code, "' is not a leaf of the framework"));
    }
    const FrameworkNode& node = framework.Node(id);
    NormaliseSpec spec = base;
    spec.direction = node.direction;
    if (node.goal_min.has_value()) spec.goal_min = node.goal_min;
    if (node.goal_max.has_value()) spec.goal_max = node.goal_max;
    if (node.target.has_value()) spec.target = node.target;
    specs.push_back(spec);
  }
  return specs;
}

}  // namespace innoscope::index
