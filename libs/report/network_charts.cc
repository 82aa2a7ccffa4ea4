// Network charts of charts.h: statistics over the years, degree
// distribution and CCDF with the power-law fit, the origin-destination heat
// map and the relation categories' shares.

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/graph/distributions.h"
#include "libs/report/charts.h"

namespace innoscope::report {
namespace {

// The canvas and plot area of both degree charts.
std::pair<Canvas, Plot> DegreeCanvas(const ChartMeta& meta, std::string title) {
  ChartMeta m = meta;
  m.title = std::move(title);
  Canvas c(680, 460, m);
  const Plot plot = c.PlotArea(80, 30, 60, 60);
  return {std::move(c), plot};
}

// The largest degree with a node (at least 1).
int64_t MaxDegree(const DegreeDistribution& d) {
  int64_t max_degree = 1;
  for (size_t k = 1; k < d.histogram.size(); ++k) {
    if (d.histogram[k] > 0) max_degree = static_cast<int64_t>(k);
  }
  return max_degree;
}

int64_t Nodes(const DegreeDistribution& d) {
  return std::accumulate(d.histogram.begin(), d.histogram.end(), int64_t{0});
}

std::string FitText(const DegreeDistribution& d) {
  if (!d.has_fit) return absl::StrCat("no power-law fit: ", d.note.empty() ? "no tail" : d.note);
  return absl::StrCat("power law over the tail: alpha = ", FormatNumber(d.alpha, 3),
                      ", x_min = ", d.xmin, ", KS distance = ", FormatNumber(d.ks_distance, 4),
                      ", tail = ", d.tail_size, " nodes");
}

}  // namespace

Chart NetworkSeriesChart(const std::vector<NetworkYear>& years, const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title = "Network statistics by year (cumulative relations)";
  struct Series {
    const char* name;
    const char* unit;
    std::function<std::optional<double>(const NetworkYear&)> value;
  };
  const std::vector<Series> series = {
      {"nodes", "count", [](const NetworkYear& y) { return std::optional<double>(y.nodes); }},
      {"edges", "count", [](const NetworkYear& y) { return std::optional<double>(y.edges); }},
      {"average degree", "edges per node",
       [](const NetworkYear& y) { return std::optional<double>(y.average_degree); }},
      {"density", "0-1", [](const NetworkYear& y) { return std::optional<double>(y.density); }},
      {"diameter", "steps", [](const NetworkYear& y) { return y.diameter; }},
      {"average path length", "steps", [](const NetworkYear& y) { return y.path_length; }},
      {"average clustering", "0-1",
       [](const NetworkYear& y) { return std::optional<double>(y.clustering); }},
      {"modularity", "Q", [](const NetworkYear& y) { return y.modularity; }},
  };
  Canvas c(960, 470, m);
  std::string csv = CsvLine({"year", "nodes", "edges", "average_degree", "density", "diameter",
                             "average_path_length", "average_clustering", "modularity"});
  for (const NetworkYear& y : years) {
    std::vector<std::string> row = {absl::StrCat(y.year)};
    for (const Series& s : series) row.push_back(OptionalNumber(s.value(y), 6));
    csv += CsvLine(row);
  }
  const int32_t first = years.empty() ? 0 : years.front().year;
  const int32_t last = years.empty() ? 1 : years.back().year;
  for (size_t k = 0; k < series.size(); ++k) {
    const double px = 60 + 235.0 * static_cast<double>(k % 4);
    const double py = 58 + 195.0 * static_cast<double>(k / 4);
    Plot plot{px, py, 160, 105};
    double lo = 0, hi = 0;
    std::vector<double> xs, ys;
    for (const NetworkYear& y : years) {
      if (auto v = series[k].value(y)) hi = std::max(hi, *v);
    }
    PadDomain(lo, hi);
    LinearScale x(first, std::max(last, first + 1), plot.left, plot.right());
    LinearScale yscale(lo, hi * 1.05, plot.bottom(), plot.top);
    c.XAxis(plot, x, "year", 4);
    c.YAxis(plot, yscale, series[k].unit, 4);
    pugi::xml_node title = c.Text(plot.left, plot.top - 8, series[k].name, 11.5);
    title.append_attribute("font-weight") = "bold";
    for (const NetworkYear& y : years) {
      if (auto v = series[k].value(y)) {
        xs.push_back(x(y.year));
        ys.push_back(yscale(*v));
      }
    }
    c.Path(Polyline(xs, ys), "none", CategoryColour(static_cast<int>(k)), 2);
    for (size_t i = 0; i < xs.size(); ++i) c.Circle(xs[i], ys[i], 2.5, CategoryColour(int(k)));
  }
  return std::move(c).Finish("network_statistics", std::move(csv));
}

Chart DegreeDistributionChart(const DegreeDistribution& d, const ChartMeta& meta) {
  auto [c, plot] = DegreeCanvas(meta, absl::StrCat("Degree distribution (", d.label, "), log-log"));
  const int64_t max_degree = MaxDegree(d);
  int64_t max_count = 1;
  std::string csv = CsvLine({"degree", "nodes", "fitted_nodes"});
  for (size_t k = 1; k < d.histogram.size(); ++k) max_count = std::max(max_count, d.histogram[k]);
  LogScale x(1, std::max<double>(10, max_degree * 1.5), plot.left, plot.right());
  LogScale y(0.5, std::max<double>(10, max_count * 2.0), plot.bottom(), plot.top);
  c.XLogAxis(plot, x, absl::StrCat(d.label, " k (relations per node)"));
  c.YLogAxis(plot, y, "nodes with degree k (count)");
  c.Text(plot.left, 46, FitText(d), 10.5);
  const double zeta = d.has_fit && d.alpha > 1 ? graph::HurwitzZeta(d.alpha, double(d.xmin)) : 0;
  auto fitted = [&](double k) { return d.tail_size * std::pow(k, -d.alpha) / zeta; };
  pugi::xml_node g = c.Group(c.Root(), "points");
  for (size_t k = 1; k < d.histogram.size(); ++k) {
    if (d.histogram[k] <= 0) continue;
    const bool tail = d.has_fit && static_cast<int64_t>(k) >= d.xmin;
    Canvas::Tooltip(
        c.Circle(x(double(k)), y(double(d.histogram[k])), 3, tail ? "#4e79a7" : "#9ecae1", g),
        absl::StrCat("degree ", k, ": ", d.histogram[k], " nodes"));
    csv += CsvLine({absl::StrCat(k), absl::StrCat(d.histogram[k]),
                    tail && zeta > 0 ? FormatNumber(fitted(double(k)), 6) : ""});
  }
  if (zeta > 0 && max_degree >= d.xmin) {
    std::vector<double> xs, ys;
    for (double k = double(d.xmin); k <= double(max_degree) * 1.0001; k *= 1.05) {
      if (fitted(k) < 0.5) break;
      xs.push_back(x(k));
      ys.push_back(y(fitted(k)));
    }
    c.Path(Polyline(xs, ys), "none", "#e15759", 2);
    c.Line(x(double(d.xmin)), plot.top, x(double(d.xmin)), plot.bottom(), "#e15759", 1)
        .append_attribute("stroke-dasharray") = "4 3";
    c.Text(x(double(d.xmin)) + 4, plot.top + 12, absl::StrCat("x_min = ", d.xmin), 10);
  }
  return std::move(c).Finish("degree_distribution", std::move(csv));
}

Chart DegreeCcdfChart(const DegreeDistribution& d, const ChartMeta& meta) {
  auto [c, plot] = DegreeCanvas(
      meta, absl::StrCat("Cumulative degree distribution P(K >= k) (", d.label, "), log-log"));
  const int64_t n = std::max<int64_t>(1, Nodes(d));
  const int64_t max_degree = MaxDegree(d);
  LogScale x(1, std::max<double>(10, max_degree * 1.5), plot.left, plot.right());
  LogScale y(std::min(0.5 / n, 0.1), 1, plot.bottom(), plot.top);
  c.XLogAxis(plot, x, absl::StrCat(d.label, " k (relations per node)"));
  c.YLogAxis(plot, y, "share of nodes with degree >= k");
  c.Text(plot.left, 46, FitText(d), 10.5);
  std::string csv = CsvLine({"degree", "ccdf"});
  int64_t at_least = n;  // nodes of degree >= k
  if (!d.histogram.empty()) at_least -= d.histogram[0];
  std::vector<double> xs, ys;
  for (size_t k = 1; k < d.histogram.size(); ++k) {
    if (d.histogram[k] > 0) {
      const double p = double(at_least) / double(n);
      xs.push_back(x(double(k)));
      ys.push_back(y(p));
      csv += CsvLine({absl::StrCat(k), FormatNumber(p, 8)});
    }
    at_least -= d.histogram[k];
  }
  pugi::xml_node g = c.Group(c.Root(), "ccdf");
  c.Path(Polyline(xs, ys), "none", "#4e79a7", 2, g);
  for (size_t i = 0; i < xs.size(); ++i) c.Circle(xs[i], ys[i], 2, "#4e79a7", g);
  if (d.has_fit && d.alpha > 1 && max_degree >= d.xmin) {
    const double zmin = graph::HurwitzZeta(d.alpha, double(d.xmin));
    const double tail_share = double(d.tail_size) / double(n);
    std::vector<double> fx, fy;
    for (double k = double(d.xmin); k <= double(max_degree) * 1.0001; k *= 1.15) {
      const double kk = std::floor(k);
      fx.push_back(x(kk));
      fy.push_back(y(std::max(tail_share * graph::HurwitzZeta(d.alpha, kk) / zmin, 0.5 / n)));
    }
    c.Path(Polyline(fx, fy), "none", "#e15759", 2);
  }
  return std::move(c).Finish("degree_ccdf", std::move(csv));
}

Chart FlowHeatMap(const FlowMatrix& flows, const ChartMeta& meta, size_t max_regions) {
  ChartMeta m = meta;
  m.title = "Relations between regions: origin-destination matrix";
  const size_t r = flows.regions.size();
  std::vector<int64_t> totals(r, 0);
  for (size_t i = 0; i < r; ++i) {
    for (size_t j = 0; j < r; ++j) {
      totals[i] += flows.counts[i * r + j];
      totals[j] += i == j ? 0 : flows.counts[i * r + j];
    }
  }
  std::vector<size_t> keep(r);
  std::iota(keep.begin(), keep.end(), 0);
  std::stable_sort(keep.begin(), keep.end(),
                   [&](size_t a, size_t b) { return totals[a] > totals[b]; });
  if (keep.size() > max_regions) keep.resize(max_regions);
  const double cell = keep.size() > 20 ? 16 : 24;
  const double size = cell * static_cast<double>(keep.size());
  Canvas c(std::max(560.0, 170 + size + 40), 190 + size + 60, m);
  const Plot plot{150, 150, size, size};
  int64_t max_count = 1;
  for (size_t a : keep) {
    for (size_t b : keep) max_count = std::max(max_count, flows.counts[a * r + b]);
  }
  c.Text(
      12, 44,
      absl::StrCat(flows.total, " relations; intra-regional ", FormatNumber(flows.intra_percent, 2),
                   "%, inter-regional ", FormatNumber(flows.inter_percent, 2), "%"),
      10.5);
  c.Text(12, 60,
         absl::StrCat("rows: origin region; columns: destination region; colour: relations "
                      "(count, log scale, darkest = ",
                      max_count, ")"),
         10);
  std::string csv = CsvLine({"origin", "destination", "relations"});
  pugi::xml_node g = c.Group(c.Root(), "cells");
  auto name = [&](size_t i) {
    return i < flows.names.size() && !flows.names[i].empty() ? flows.names[i] : flows.regions[i];
  };
  for (size_t a = 0; a < keep.size(); ++a) {
    const double y = plot.top + cell * static_cast<double>(a);
    c.Text(plot.left - 4, y + cell * 0.65, name(keep[a]), 9, "end", g);
    pugi::xml_node label = c.Text(0, 0, name(keep[a]), 9, "start", g);
    label.append_attribute("transform") =
        absl::StrCat("translate(", plot.left + cell * (static_cast<double>(a) + 0.65), ",",
                     plot.top - 4, ") rotate(-60)")
            .c_str();
    for (size_t b = 0; b < keep.size(); ++b) {
      const int64_t count = flows.counts[keep[a] * r + keep[b]];
      const double t = std::log1p(double(count)) / std::log1p(double(max_count));
      Canvas::Tooltip(c.Rect(plot.left + cell * static_cast<double>(b), y, cell - 1, cell - 1,
                             RampColour(t), g),
                      absl::StrCat(name(keep[a]), " -> ", name(keep[b]), ": ", count));
      if (count > 0) {
        csv += CsvLine({flows.regions[keep[a]], flows.regions[keep[b]], absl::StrCat(count)});
      }
    }
  }
  c.Text(plot.left + size / 2, plot.bottom() + 20, "destination region (columns)", 11, "middle");
  return std::move(c).Finish("od_matrix", std::move(csv));
}

Chart CategoryAreaChart(const CategoryShares& shares, const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title = "Shares of relation categories by year";
  const size_t ny = shares.years.size(), nc = shares.categories.size();
  Canvas c(760, 440, m);
  const Plot plot = c.PlotArea(70, 170, 40, 60);
  LinearScale x(ny ? shares.years.front() : 0, ny ? shares.years.back() : 1, plot.left,
                plot.right());
  LinearScale y(0, 100, plot.bottom(), plot.top);
  c.XAxis(plot, x, "year (relations of that year)", static_cast<int>(std::min<size_t>(ny, 10)));
  c.YAxis(plot, y, "share of the year's relations (%)");
  std::vector<double> totals(ny, 0);
  for (size_t k = 0; k < nc; ++k) {
    for (size_t i = 0; i < ny; ++i) totals[i] += shares.counts[k][i];
  }
  std::vector<std::string> header = {"year"};
  for (const std::string& cat : shares.categories) header.push_back(cat);
  std::string csv = CsvLine(header);
  for (size_t i = 0; i < ny; ++i) {
    std::vector<std::string> row = {absl::StrCat(shares.years[i])};
    for (size_t k = 0; k < nc; ++k) {
      row.push_back(totals[i] > 0 ? FormatNumber(100 * shares.counts[k][i] / totals[i], 2) : "");
    }
    csv += CsvLine(row);
  }
  std::vector<double> below(ny, 0);
  pugi::xml_node g = c.Group(c.Root(), "areas");
  for (size_t k = 0; k < nc; ++k) {
    std::vector<double> xs, top, bottom;
    for (size_t i = 0; i < ny; ++i) {
      const double share = totals[i] > 0 ? 100 * shares.counts[k][i] / totals[i] : 0;
      xs.push_back(x(shares.years[i]));
      bottom.push_back(y(below[i]));
      below[i] += share;
      top.push_back(y(below[i]));
    }
    std::vector<double> rx(xs.rbegin(), xs.rend()), rb(bottom.rbegin(), bottom.rend());
    std::string d = Polyline(xs, top);
    for (size_t i = 0; i < rx.size(); ++i) absl::StrAppend(&d, " L", rx[i], " ", rb[i]);
    Canvas::Tooltip(c.Path(d + " Z", CategoryColour(static_cast<int>(k)), "#ffffff", 0.5, g),
                    shares.categories[k]);
    c.Rect(plot.right() + 12, plot.top + 16.0 * static_cast<double>(k), 10, 10,
           CategoryColour(static_cast<int>(k)));
    c.Text(plot.right() + 26, plot.top + 16.0 * static_cast<double>(k) + 9, shares.categories[k],
           10);
  }
  return std::move(c).Finish("category_shares", std::move(csv));
}

}  // namespace innoscope::report
