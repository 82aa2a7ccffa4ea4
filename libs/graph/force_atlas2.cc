#include "libs/graph/force_atlas2.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/splitmix64.h"
#include "libs/graph/parallel.h"

namespace innoscope::graph {
namespace {

// A Barnes-Hut quadtree over the node positions: cells in one vector, each
// with its centre of mass, mass, side length, and either children or a
// range of `order` (a leaf: one node, or nodes at the depth limit).
class QuadTree {
 public:
  struct Cell {
    double cx = 0, cy = 0, mass = 0, size = 0;
    int32_t first_child = -1;  // children at first_child .. + child_count - 1
    int32_t child_count = 0;
    int32_t begin = 0, end = 0;  // leaf nodes: order[begin, end)
  };

  void Build(const std::vector<double>& x, const std::vector<double>& y,
             const std::vector<double>& mass) {
    const int32_t n = static_cast<int32_t>(x.size());
    order_.resize(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) order_[static_cast<size_t>(i)] = i;
    cells_.clear();
    if (n == 0) return;
    double x0 = x[0], x1 = x[0], y0 = y[0], y1 = y[0];
    for (int32_t i = 1; i < n; ++i) {
      x0 = std::min(x0, x[i]), x1 = std::max(x1, x[i]);
      y0 = std::min(y0, y[i]), y1 = std::max(y1, y[i]);
    }
    cells_.emplace_back();
    Split(0, 0, n, x0, y0, std::max({x1 - x0, y1 - y0, 1e-9}), 0, x, y, mass);
  }

  // The nodes in tree order (nearby nodes next to each other).
  const std::vector<int32_t>& Order() const { return order_; }

  // Adds the repulsion of every node (or far cell) on node v to (fx, fy).
  void Repel(int32_t v, double vx, double vy, double vmass, double kr, double theta,
             const std::vector<double>& x, const std::vector<double>& y,
             const std::vector<double>& mass, std::vector<int32_t>& stack, double& fx,
             double& fy) const {
    stack.clear();
    if (!cells_.empty()) stack.push_back(0);
    while (!stack.empty()) {
      const Cell& c = cells_[static_cast<size_t>(stack.back())];
      stack.pop_back();
      if (c.child_count == 0) {
        for (int32_t k = c.begin; k < c.end; ++k) {
          const int32_t u = order_[static_cast<size_t>(k)];
          if (u == v) continue;
          const double dx = vx - x[u], dy = vy - y[u];
          const double d2 = dx * dx + dy * dy;
          if (d2 <= 0) continue;
          const double f = kr * vmass * mass[u] / d2;
          fx += dx * f;
          fy += dy * f;
        }
        continue;
      }
      const double dx = vx - c.cx, dy = vy - c.cy;
      const double d2 = dx * dx + dy * dy;
      if (d2 > 0 && c.size * c.size < theta * theta * d2) {
        const double f = kr * vmass * c.mass / d2;
        fx += dx * f;
        fy += dy * f;
        continue;
      }
      for (int32_t k = 0; k < c.child_count; ++k) stack.push_back(c.first_child + k);
    }
  }

 private:
  static constexpr int kMaxDepth = 24;

  void Split(int32_t cell, int32_t begin, int32_t end, double x0, double y0, double size, int depth,
             const std::vector<double>& x, const std::vector<double>& y,
             const std::vector<double>& mass) {
    double m = 0, sx = 0, sy = 0;
    for (int32_t k = begin; k < end; ++k) {
      const int32_t v = order_[static_cast<size_t>(k)];
      m += mass[v];
      sx += mass[v] * x[v];
      sy += mass[v] * y[v];
    }
    {
      Cell& c = cells_[static_cast<size_t>(cell)];
      c.mass = m;
      c.cx = sx / m;
      c.cy = sy / m;
      c.size = size;
      c.begin = begin;
      c.end = end;
    }
    if (end - begin <= 1 || depth >= kMaxDepth) return;
    const double h = size / 2, mx = x0 + h, my = y0 + h;
    auto first = order_.begin() + begin, last = order_.begin() + end;
    auto mid = std::partition(first, last, [&](int32_t v) { return x[v] < mx; });
    auto low_left = std::partition(first, mid, [&](int32_t v) { return y[v] < my; });
    auto low_right = std::partition(mid, last, [&](int32_t v) { return y[v] < my; });
    const int32_t bounds[5] = {begin, static_cast<int32_t>(low_left - order_.begin()),
                               static_cast<int32_t>(mid - order_.begin()),
                               static_cast<int32_t>(low_right - order_.begin()), end};
    const double corners[4][2] = {{x0, y0}, {x0, my}, {mx, y0}, {mx, my}};
    int32_t children = 0;
    for (int q = 0; q < 4; ++q) children += bounds[q + 1] > bounds[q] ? 1 : 0;
    const int32_t first_child = static_cast<int32_t>(cells_.size());
    cells_.resize(cells_.size() + static_cast<size_t>(children));
    cells_[static_cast<size_t>(cell)].first_child = first_child;
    cells_[static_cast<size_t>(cell)].child_count = children;
    int32_t next = first_child;
    for (int q = 0; q < 4; ++q) {
      if (bounds[q + 1] == bounds[q]) continue;
      Split(next++, bounds[q], bounds[q + 1], corners[q][0], corners[q][1], h, depth + 1, x, y,
            mass);
    }
  }

  std::vector<Cell> cells_;
  std::vector<int32_t> order_;
};

}  // namespace

ForceAtlas2::ForceAtlas2(const Graph& graph, Options options)
    : graph_(graph), options_(std::move(options)) {}

absl::Status ForceAtlas2::RunImpl() {
  const Options& o = options_;
  auto check = [](const char* name, double v) {
    return std::isfinite(v) && v >= 0
               ? absl::OkStatus()
               : absl::InvalidArgumentError(
                     absl::StrCat("force_atlas2.", name, ": must be finite and >= 0, got ", v));
  };
  if (o.iterations < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("force_atlas2.iterations: must be >= 0, got ", o.iterations));
  }
  for (const auto& [name, value] :
       {std::pair<const char*, double>{"scaling_ratio", o.scaling_ratio},
        {"gravity", o.gravity},
        {"edge_weight_influence", o.edge_weight_influence},
        {"jitter_tolerance", o.jitter_tolerance},
        {"theta", o.theta}}) {
    if (absl::Status s = check(name, value); !s.ok()) return s;
  }
  const int32_t n = graph_.NumNodes();
  x_.assign(static_cast<size_t>(n), 0);
  y_.assign(static_cast<size_t>(n), 0);
  speed_ = 1.0;
  common::SplitMix64 rng(o.seed);
  const double side = 20 * std::sqrt(static_cast<double>(std::max(n, 1)));
  for (int32_t v = 0; v < n; ++v) {
    x_[v] = (rng.UniformDouble() - 0.5) * side;
    y_[v] = (rng.UniformDouble() - 0.5) * side;
  }
  if (n < 2) return absl::OkStatus();

  std::vector<double> mass(static_cast<size_t>(n));
  double mean_mass = 0;
  for (int32_t v = 0; v < n; ++v) {
    mass[v] = 1.0 + static_cast<double>(graph_.Degree(v));
    mean_mass += mass[v] / n;
  }
  // Each edge once (undirected graphs store both directions), self-loops out.
  struct Spring {
    int32_t a, b;
    double weight;
  };
  std::vector<Spring> springs;
  for (const Edge& e : graph_.Edges()) {
    if (e.source == e.target) continue;
    double w = 1.0;
    if (graph_.weighted() && o.edge_weight_influence != 0) {
      w = o.edge_weight_influence == 1 ? e.weight : std::pow(e.weight, o.edge_weight_influence);
    }
    springs.push_back({static_cast<int32_t>(e.source), static_cast<int32_t>(e.target), w});
  }
  const double kr = o.scaling_ratio > 0 ? o.scaling_ratio : (n < 100 ? 10.0 : 2.0);
  const int threads = ResolveThreads(o.num_threads, n);
  std::vector<double> fx(static_cast<size_t>(n), 0), fy(static_cast<size_t>(n), 0);
  std::vector<double> old_fx(fx), old_fy(fy);
  std::vector<std::vector<int32_t>> stacks(static_cast<size_t>(threads));
  QuadTree tree;
  double speed_efficiency = 1.0;

  for (int iteration = 0; iteration < o.iterations; ++iteration) {
    if (absl::Status s = interrupt().Check(); !s.ok()) return s;
    std::swap(fx, old_fx);
    std::swap(fy, old_fy);
    if (o.barnes_hut) tree.Build(x_, y_, mass);
    absl::Status status = ParallelFor(n, threads, Interrupt(), [&](int t, int64_t item) {
      // In tree order, so consecutive nodes of a thread walk the same cells.
      const int32_t v =
          o.barnes_hut ? tree.Order()[static_cast<size_t>(item)] : static_cast<int32_t>(item);
      double rx = 0, ry = 0;
      if (o.barnes_hut) {
        tree.Repel(v, x_[v], y_[v], mass[v], kr, o.theta, x_, y_, mass,
                   stacks[static_cast<size_t>(t)], rx, ry);
      } else {
        for (int32_t u = 0; u < n; ++u) {
          const double dx = x_[v] - x_[u], dy = y_[v] - y_[u];
          const double d2 = dx * dx + dy * dy;
          if (u == v || d2 <= 0) continue;
          const double f = kr * mass[v] * mass[u] / d2;
          rx += dx * f;
          ry += dy * f;
        }
      }
      // Gravity towards the origin.
      const double d = std::sqrt(x_[v] * x_[v] + y_[v] * y_[v]);
      if (d > 0) {
        const double g = o.strong_gravity ? kr * o.gravity * mass[v] : o.gravity * mass[v] / d;
        rx -= x_[v] * g;
        ry -= y_[v] * g;
      }
      fx[v] = rx;
      fy[v] = ry;
    });
    if (!status.ok()) return status;
    for (const Spring& s : springs) {
      const double dx = x_[s.a] - x_[s.b], dy = y_[s.a] - y_[s.b];
      double f = -s.weight;
      if (o.outbound_attraction_distribution) f *= mean_mass / mass[s.a];
      if (o.lin_log) {
        const double d = std::sqrt(dx * dx + dy * dy);
        if (d <= 0) continue;
        f *= std::log1p(d) / d;
      }
      fx[s.a] += dx * f;
      fy[s.a] += dy * f;
      fx[s.b] -= dx * f;
      fy[s.b] -= dy * f;
    }
    // Adaptive speed (Gephi's ForceAtlas2.goAlgo).
    double swinging = 0, traction = 0;
    for (int32_t v = 0; v < n; ++v) {
      swinging += mass[v] * std::hypot(old_fx[v] - fx[v], old_fy[v] - fy[v]);
      traction += 0.5 * mass[v] * std::hypot(old_fx[v] + fx[v], old_fy[v] + fy[v]);
    }
    const double optimal_jitter = 0.05 * std::sqrt(static_cast<double>(n));
    double jitter =
        o.jitter_tolerance *
        std::max(std::sqrt(optimal_jitter),
                 std::min(10.0, optimal_jitter * traction / (static_cast<double>(n) * n)));
    if (swinging > 0 && traction > 0) {
      if (swinging / traction > 2.0) {
        if (speed_efficiency > 0.05) speed_efficiency *= 0.5;
        jitter = std::max(jitter, o.jitter_tolerance);
      }
      const double target = jitter * speed_efficiency * traction / swinging;
      if (swinging > jitter * traction) {
        if (speed_efficiency > 0.05) speed_efficiency *= 0.7;
      } else if (speed_ < 1000) {
        speed_efficiency *= 1.3;
      }
      speed_ += std::min(target - speed_, 0.5 * speed_);
    }
    for (int32_t v = 0; v < n; ++v) {
      const double swing = mass[v] * std::hypot(old_fx[v] - fx[v], old_fy[v] - fy[v]);
      const double factor = speed_ / (1.0 + std::sqrt(speed_ * swing));
      x_[v] += fx[v] * factor;
      y_[v] += fy[v] * factor;
    }
  }
  return absl::OkStatus();
}

}  // namespace innoscope::graph
