#include "libs/graph/clustering.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "libs/common/status_macros.h"

namespace innoscope::graph {
namespace {

constexpr int32_t kPollInterval = 1024;

// Per-node sums over the triangles through a node, for a triangle {v, a, b}
// with pair multiplicities s(x, y) = [x->y] + [y->x] (1 for undirected):
struct TriangleSums {
  std::vector<int64_t> count;     // triangles
  std::vector<int64_t> opposite;  // sum of s(a, b): Gephi's directed e(v)
  std::vector<int64_t> product;   // sum of s(v,a) s(v,b) s(a,b): Fagiolo
};

// Forward triangle listing (Schank & Wagner 2005; Latapy 2008): orient each
// edge from lower to higher (degree, id) rank so every triangle is found
// once, from its lowest-ranked node.
absl::Status ListTriangles(const SimpleNeighborhoods& nbhd, const Interrupt& interrupt,
                           TriangleSums& sums) {
  const NodeId n = nbhd.NumNodes();
  std::vector<NodeId> rank(static_cast<size_t>(n));
  {
    std::vector<NodeId> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](NodeId a, NodeId b) {
      return nbhd.Degree(a) != nbhd.Degree(b) ? nbhd.Degree(a) < nbhd.Degree(b) : a < b;
    });
    for (NodeId i = 0; i < n; ++i) rank[order[i]] = i;
  }
  // Higher-ranked neighbours with multiplicities, as a CSR.
  std::vector<int64_t> offsets(static_cast<size_t>(n) + 1, 0);
  std::vector<NodeId> higher;
  std::vector<uint8_t> higher_mult;
  for (NodeId v = 0; v < n; ++v) {
    absl::Span<const NodeId> nbrs = nbhd.Neighbors(v);
    absl::Span<const uint8_t> mult = nbhd.Multiplicity(v);
    for (size_t i = 0; i < nbrs.size(); ++i) {
      if (rank[nbrs[i]] > rank[v]) {
        higher.push_back(nbrs[i]);
        higher_mult.push_back(mult[i]);
      }
    }
    offsets[v + 1] = static_cast<int64_t>(higher.size());
  }
  sums.count.assign(static_cast<size_t>(n), 0);
  sums.opposite.assign(static_cast<size_t>(n), 0);
  sums.product.assign(static_cast<size_t>(n), 0);
  std::vector<uint8_t> mark(static_cast<size_t>(n), 0);  // s(u, w) or 0
  for (NodeId u = 0; u < n; ++u) {
    if (u % kPollInterval == 0) {
      RETURN_IF_ERROR(interrupt.Check());
    }
    const int64_t begin = offsets[u], end = offsets[u + 1];
    for (int64_t i = begin; i < end; ++i) mark[higher[i]] = higher_mult[i];
    for (int64_t i = begin; i < end; ++i) {
      const NodeId v = higher[i];
      const int64_t s_uv = higher_mult[i];
      for (int64_t j = offsets[v]; j < offsets[v + 1]; ++j) {
        const NodeId w = higher[j];
        const int64_t s_uw = mark[w];
        if (s_uw == 0) continue;
        const int64_t s_vw = higher_mult[j];
        const int64_t product = s_uv * s_uw * s_vw;
        for (NodeId x : {u, v, w}) {
          ++sums.count[x];
          sums.product[x] += product;
        }
        sums.opposite[u] += s_vw;
        sums.opposite[v] += s_uw;
        sums.opposite[w] += s_uv;
      }
    }
    for (int64_t i = begin; i < end; ++i) mark[higher[i]] = 0;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ClusteringCoefficient::RunImpl() {
  const NodeId n = graph_.NumNodes();
  SimpleNeighborhoods nbhd(graph_);
  TriangleSums sums;
  RETURN_IF_ERROR(ListTriangles(nbhd, interrupt(), sums));

  local_.assign(static_cast<size_t>(n), 0.0);
  node_triangles_ = sums.count;
  int64_t triangle_credits = 0;
  double triples = 0;
  double local_sum = 0;
  nodes_averaged_ = 0;
  const bool directed = graph_.directed();
  for (NodeId v = 0; v < n; ++v) {
    const double k = static_cast<double>(nbhd.Degree(v));
    triangle_credits += sums.count[v];
    triples += k * (k - 1) / 2;
    double c = 0;
    if (k > 1) {
      if (!directed || convention_ == Convention::kIgraph) {
        c = sums.count[v] / (k * (k - 1) / 2);
      } else if (convention_ == Convention::kGephi) {
        c = sums.opposite[v] / (k * (k - 1));
      } else {  // kNetworkx, Fagiolo 2007
        double total = 0, reciprocated = 0;
        for (uint8_t s : nbhd.Multiplicity(v)) {
          total += s;
          reciprocated += s == 2;
        }
        const double denominator = total * (total - 1) - 2 * reciprocated;
        c = sums.product[v] == 0 ? 0.0 : sums.product[v] / denominator;
      }
    } else if (convention_ == Convention::kIgraph) {
      c = std::numeric_limits<double>::quiet_NaN();
    }
    local_[v] = c;
    // Which nodes enter the average.
    const bool counted = convention_ == Convention::kNetworkx ||
                         (convention_ == Convention::kGephi && directed) || k > 1;
    if (counted) {
      ++nodes_averaged_;
      if (k > 1) local_sum += c;
    }
  }
  average_ = nodes_averaged_ == 0 ? 0.0 : local_sum / nodes_averaged_;
  triangles_ = triangle_credits / 3;
  transitivity_ = triples == 0 ? 0.0 : triangle_credits / triples;
  return absl::OkStatus();
}

}  // namespace innoscope::graph
