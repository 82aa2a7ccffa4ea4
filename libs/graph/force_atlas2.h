#pragma once

// ForceAtlas2 (Jacomy, Venturini, Heymann & Bastian 2014, "ForceAtlas2, a
// continuous graph layout algorithm for handy network visualization
// designed for the Gephi software", PLoS ONE 9(6): e98679): the layout
// Gephi users know, with its Barnes-Hut approximation of the repulsion.
// The report draws the value network with it (libs/report).
//
//   ForceAtlas2::Options options;
//   options.iterations = 300;
//   options.seed = 1;
//   ForceAtlas2 layout(graph, options);
//   RETURN_IF_ERROR(layout.Run());
//   double x0 = layout.X()[0], y0 = layout.Y()[0];
//
// The model, as Gephi 0.9 implements it (ForceAtlas2.java, ForceFactory.java):
//   mass m(v) = 1 + deg(v) (in + out for a directed graph);
//   repulsion between every pair, F = k_r m(u) m(v) / d along u - v
//     (Barnes-Hut: a quadtree cell of size s at distance d from v acts as one
//     body at its centre of mass when s / d < theta);
//   gravity towards the origin, F = k_g m(v) (strong gravity) or
//     k_g m(v) / d (default) along the direction to the origin;
//   attraction along every edge, F = w^delta d (lin-log: w^delta log(1 + d)),
//     divided by m(u) and scaled by the mean mass with "outbound attraction
//     distribution" (dissuade hubs); edges are undirected for the layout;
//   adaptive speed: the global swinging sum_v m(v) |F_t(v) - F_{t-1}(v)| and
//     traction sum_v m(v) |F_t(v) + F_{t-1}(v)| / 2 set a global speed
//     (jitter tolerance, speed efficiency as Gephi adapts them, rises capped
//     at 50% per iteration), and each node moves by
//     F(v) speed / (1 + sqrt(speed swing(v))).
// Initial positions are uniform in a square of side 20 sqrt(n) drawn from
// SplitMix64(seed), so a seed gives the same coordinates on every platform,
// whatever the thread count (each node's forces are summed in a fixed order
// and the global sums are taken on one thread).
//
// Cost per iteration: O(n log n) for the repulsion with Barnes-Hut (O(n^2)
// without), O(m) for the attraction, O(n) for the rest; memory O(n + m).
// The repulsion runs on `num_threads` threads. Self-loops are ignored;
// parallel edges attract once per copy.

#include <cstdint>
#include <vector>

#include "libs/graph/algorithm.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

class ForceAtlas2 final : public Algorithm {
 public:
  struct Options {
    int iterations = 300;
    // k_r; 0 = Gephi's default (10 below 100 nodes, else 2).
    double scaling_ratio = 0;
    double gravity = 1.0;  // k_g
    bool strong_gravity = false;
    bool lin_log = false;
    bool outbound_attraction_distribution = false;
    // delta: edge weights count as w^delta (0: every edge as 1).
    double edge_weight_influence = 1.0;
    double jitter_tolerance = 1.0;
    bool barnes_hut = true;
    double theta = 1.2;
    uint64_t seed = 1;
    int num_threads = 0;  // 0: every core
  };

  // INVALID_ARGUMENT from Run() for iterations < 0, a scaling ratio,
  // gravity, jitter tolerance or theta that is negative or not finite.
  ForceAtlas2(const Graph& graph, Options options);

  const std::vector<double>& X() const { return x_; }
  const std::vector<double>& Y() const { return y_; }
  // The global speed after the last iteration (converges when the layout
  // settles).
  double speed() const { return speed_; }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  std::vector<double> x_, y_;
  double speed_ = 1.0;
};

}  // namespace innoscope::graph
