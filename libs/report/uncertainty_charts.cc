// Uncertainty charts of charts.h: rank intervals (the GII audit's chart) and
// Sobol first-order and total-effect indices.

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/report/charts.h"

namespace innoscope::report {

Chart RankIntervalChart(const UncertaintyResult& result, const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title = absl::StrCat("Median rank and 5-95% interval under uncertainty, ", result.period);
  const double row = 16;
  const double height = 110 + row * static_cast<double>(std::max<size_t>(result.regions.size(), 1));
  Canvas c(720, height, m);
  const Plot plot = c.PlotArea(150, 40, 56, 50);
  double hi = 1;
  for (const RankInterval& r : result.regions) {
    hi = std::max({hi, r.p95_rank, static_cast<double>(r.nominal_rank)});
  }
  LinearScale x(1, hi, plot.left, plot.right());
  c.XAxis(plot, x, "rank (1 = highest) across Monte Carlo replicates");
  c.Legend(plot.left, 44, {"5-95% interval", "median rank", "nominal rank"},
           {"#9ecae1", "#08306b", "#e15759"});
  std::string csv =
      CsvLine({"region", "name", "nominal_rank", "median_rank", "p05_rank", "p95_rank"});
  pugi::xml_node g = c.Group(c.Root(), "intervals");
  for (size_t i = 0; i < result.regions.size(); ++i) {
    const RankInterval& r = result.regions[i];
    const double y = plot.top + row * (static_cast<double>(i) + 0.5);
    c.Text(plot.left - 6, y + 3.5, r.name.empty() ? r.code : r.name, 10, "end", g);
    Canvas::Tooltip(
        c.Rect(x(r.p05_rank), y - 4, x(r.p95_rank) - x(r.p05_rank) + 1, 8, "#9ecae1", g),
        absl::StrCat(r.code, ": ", FormatTick(r.p05_rank), "-", FormatTick(r.p95_rank)));
    c.Circle(x(r.median_rank), y, 3.5, "#08306b", g);
    c.Path(absl::StrCat("M", x(r.nominal_rank) - 4, " ", y - 5, " L", x(r.nominal_rank) + 4, " ",
                        y + 5, " M", x(r.nominal_rank) - 4, " ", y + 5, " L", x(r.nominal_rank) + 4,
                        " ", y - 5),
           "none", "#e15759", 1.5, g);
    csv += CsvLine({r.code, r.name, absl::StrCat(r.nominal_rank), FormatNumber(r.median_rank, 2),
                    FormatNumber(r.p05_rank, 2), FormatNumber(r.p95_rank, 2)});
  }
  return std::move(c).Finish("rank_intervals", std::move(csv));
}

Chart SensitivityChart(const UncertaintyResult& result, const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title =
      absl::StrCat("Sensitivity of the ranks to each factor (Sobol indices), ", result.period);
  const double row = 30;
  const double height =
      110 + row * static_cast<double>(std::max<size_t>(result.sensitivity.size(), 1));
  Canvas c(720, height, m);
  const Plot plot = c.PlotArea(180, 50, 56, 50);
  double hi = 0.1;
  for (const FactorIndex& f : result.sensitivity) {
    hi = std::max({hi, f.first_order.value_or(0), f.total.value_or(0)});
  }
  LinearScale x(0, std::min(1.0, hi * 1.1), plot.left, plot.right());
  c.XAxis(plot, x, "share of the variance of the mean absolute rank shift (0-1)");
  c.Legend(plot.left, 44, {"first order S_i", "total effect S_Ti"}, {"#4e79a7", "#f28e2b"});
  std::string csv = CsvLine({"factor", "first_order", "total"});
  pugi::xml_node g = c.Group(c.Root(), "bars");
  for (size_t i = 0; i < result.sensitivity.size(); ++i) {
    const FactorIndex& f = result.sensitivity[i];
    const double y = plot.top + row * static_cast<double>(i) + 4;
    c.Text(plot.left - 6, y + 13, f.factor, 10, "end", g);
    const double s1 = std::max(0.0, f.first_order.value_or(0));
    const double st = std::max(0.0, f.total.value_or(0));
    Canvas::Tooltip(c.Rect(plot.left, y, x(s1) - plot.left, 10, "#4e79a7", g),
                    absl::StrCat(f.factor, " S_i = ", OptionalNumber(f.first_order, 3)));
    Canvas::Tooltip(c.Rect(plot.left, y + 11, x(st) - plot.left, 10, "#f28e2b", g),
                    absl::StrCat(f.factor, " S_Ti = ", OptionalNumber(f.total, 3)));
    csv += CsvLine({f.factor, OptionalNumber(f.first_order, 6), OptionalNumber(f.total, 6)});
  }
  return std::move(c).Finish("sensitivity", std::move(csv));
}

}  // namespace innoscope::report
