#pragma once

// City clusters and economic circles (城市群, 经济圈) scored from their member
// regions. The 2023 AI competitiveness index scores a circle as the sum of its
// members' scores (长三角 = 上海 36.09 + 浙江 29.20 + 江苏 28.45 + 安徽 13.19
// = 106.93) and ranks its sub-indicators on summed raw indicator values;
// means and population-weighted means are the usual alternatives.
//
//   std::vector<Cluster> circles = {{"YRD", {sh, zj, js, ah}}};
//   absl::StatusOr<std::vector<double>> scores =
//       ClusterValues(composite, circles, ClusterAggregate::kSum);
//   absl::StatusOr<index::DataMatrix> raw =
//       ClusterMatrix(raw_indicators, circles, ClusterAggregate::kSum);
//
// A cluster with any member value missing is missing (a sum over part of a
// cluster would silently rank it lower). Clusters may overlap.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/common/enum_names.h"
#include "libs/index/data_matrix.h"

namespace innoscope::scoring {

enum class ClusterAggregate {
  kSum,           // sum_m x_m
  kMean,          // sum_m x_m / |members|
  kWeightedMean,  // sum_m p_m x_m / sum_m p_m, p = member weights (population)
};

struct Cluster {
  std::string code;
  std::vector<int> members;  // region indices
};

// One value per cluster from per-region values. `member_weights` (one per
// region, finite and >= 0) is required for kWeightedMean and ignored
// otherwise. INVALID_ARGUMENT for an empty cluster, a member out of range or
// listed twice, missing or bad weights, or a zero weight total. O(total
// members).
absl::StatusOr<std::vector<double>> ClusterValues(absl::Span<const double> region_values,
                                                  const std::vector<Cluster>& clusters,
                                                  ClusterAggregate aggregate,
                                                  absl::Span<const double> member_weights = {});

// ClusterValues for every column: a clusters x indicators matrix (rows named
// by cluster code), e.g. summed raw indicators or aggregated node scores.
absl::StatusOr<index::DataMatrix> ClusterMatrix(const index::DataMatrix& region_values,
                                                const std::vector<Cluster>& clusters,
                                                ClusterAggregate aggregate,
                                                absl::Span<const double> member_weights = {});

}  // namespace innoscope::scoring

namespace innoscope {

// The names of the CLI (--cluster_aggregate sum, mean or weighted:INDICATOR)
// and of the recompute configuration (sum | mean).
template <>
struct EnumNames<scoring::ClusterAggregate> {
  static constexpr absl::string_view kWhat = "cluster aggregate";
  static constexpr EnumName<scoring::ClusterAggregate> kRows[] = {
      {scoring::ClusterAggregate::kSum, "sum"},
      {scoring::ClusterAggregate::kMean, "mean"},
      {scoring::ClusterAggregate::kWeightedMean, "weighted_mean"},
  };
  static constexpr EnumName<scoring::ClusterAggregate> kAliases[] = {
      {scoring::ClusterAggregate::kWeightedMean, "weighted"},
  };
};

}  // namespace innoscope
