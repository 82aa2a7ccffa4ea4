#include "libs/scoring/clusters.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace innoscope::scoring {
namespace {

absl::Status ValidateClusters(size_t regions, const std::vector<Cluster>& clusters,
                              ClusterAggregate aggregate, absl::Span<const double> member_weights) {
  if (aggregate == ClusterAggregate::kWeightedMean) {
    if (member_weights.size() != regions) {
      return absl::InvalidArgumentError(
          absl::StrCat("weighted cluster mean needs one member weight per region (", regions,
                       "), got ", member_weights.size()));
    }
    for (size_t region = 0; region < regions; ++region) {
      const double w = member_weights[region];
      if (!std::isfinite(w) || w < 0) {
        return absl::InvalidArgumentError(absl::StrCat("member weight of region ", region, " is ",
                                                       w, " (must be finite and >= 0)"));
      }
    }
  }
  std::vector<bool> seen(regions, false);
  for (const Cluster& cluster : clusters) {
    if (cluster.members.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cluster '", cluster.code, "' has no members"));
    }
    double weight_total = 0;
    for (int member : cluster.members) {
      if (member < 0 || static_cast<size_t>(member) >= regions) {
        return absl::InvalidArgumentError(absl::StrCat("cluster '", cluster.code, "' has member ",
                                                       member, " out of range (", regions,
                                                       " regions)"));
      }
      if (seen[member]) {
        return absl::InvalidArgumentError(
            absl::StrCat("cluster '", cluster.code, "' lists member ", member, " twice"));
      }
      seen[member] = true;
      if (aggregate == ClusterAggregate::kWeightedMean) {
        weight_total += member_weights[member];
      }
    }
    for (int member : cluster.members) seen[member] = false;
    if (aggregate == ClusterAggregate::kWeightedMean && !(weight_total > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("cluster '", cluster.code, "' has zero total member weight"));
    }
  }
  return absl::OkStatus();
}

// Assumes validated input.
double ClusterValue(absl::Span<const double> region_values, const Cluster& cluster,
                    ClusterAggregate aggregate, absl::Span<const double> member_weights) {
  double sum = 0;
  double weight_total = 0;
  for (int member : cluster.members) {
    const double x = region_values[member];
    if (index::IsMissingValue(x)) return index::kMissing;
    const double w = aggregate == ClusterAggregate::kWeightedMean ? member_weights[member] : 1.0;
    sum += w * x;
    weight_total += w;
  }
  return aggregate == ClusterAggregate::kSum ? sum : sum / weight_total;
}

}  // namespace

absl::StatusOr<std::vector<double>> ClusterValues(absl::Span<const double> region_values,
                                                  const std::vector<Cluster>& clusters,
                                                  ClusterAggregate aggregate,
                                                  absl::Span<const double> member_weights) {
  RETURN_IF_ERROR(ValidateClusters(region_values.size(), clusters, aggregate, member_weights));
  std::vector<double> values;
  values.reserve(clusters.size());
  for (const Cluster& cluster : clusters) {
    values.push_back(ClusterValue(region_values, cluster, aggregate, member_weights));
  }
  return values;
}

absl::StatusOr<index::DataMatrix> ClusterMatrix(const index::DataMatrix& region_values,
                                                const std::vector<Cluster>& clusters,
                                                ClusterAggregate aggregate,
                                                absl::Span<const double> member_weights) {
  RETURN_IF_ERROR(ValidateClusters(region_values.rows(), clusters, aggregate, member_weights));
  std::vector<std::string> codes;
  codes.reserve(clusters.size());
  for (const Cluster& cluster : clusters) codes.push_back(cluster.code);
  index::DataMatrix result(std::move(codes), region_values.indicators());
  for (size_t col = 0; col < region_values.cols(); ++col) {
    for (size_t c = 0; c < clusters.size(); ++c) {
      result.Set(c, col,
                 ClusterValue(region_values.Column(col), clusters[c], aggregate, member_weights));
    }
  }
  return result;
}

}  // namespace innoscope::scoring
