// Ranking charts of charts.h: composite and dimension bars, bump, slope,
// radar and scatter.

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/report/charts.h"

namespace innoscope::report {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string UnitLabel(const UnitScores& u) { return u.name.empty() ? u.code : u.name; }

// Horizontal bars of (label, value, colour), largest first as given.
struct Bar {
  std::string label;
  std::optional<double> value;
  std::string colour;
  std::string tooltip;
};

Chart BarChart(const std::vector<Bar>& bars, const std::string& axis_label, ChartMeta meta,
               const std::string& stem, std::string csv,
               const std::vector<std::pair<std::string, std::string>>& legend) {
  const double row = 18;
  const double height =
      90 + row * static_cast<double>(std::max<size_t>(bars.size(), 1)) + (legend.empty() ? 0 : 16);
  Canvas c(720, height, meta);
  const Plot plot = c.PlotArea(150, 60, 40 + (legend.empty() ? 0 : 16), 50);
  double lo = 0, hi = 0;
  for (const Bar& b : bars) {
    if (!b.value) continue;
    lo = std::min(lo, *b.value);
    hi = std::max(hi, *b.value);
  }
  PadDomain(lo, hi);
  LinearScale x(lo, hi, plot.left, plot.right());
  c.XAxis(plot, x, axis_label);
  if (!legend.empty()) {
    std::vector<std::string> labels, colours;
    for (const auto& [label, colour] : legend) {
      labels.push_back(label);
      colours.push_back(colour);
    }
    c.Legend(plot.left, 44, labels, colours);
  }
  pugi::xml_node g = c.Group(c.Root(), "bars");
  for (size_t i = 0; i < bars.size(); ++i) {
    const double y = plot.top + row * static_cast<double>(i) + 3;
    c.Text(plot.left - 6, y + 11, bars[i].label, 10.5, "end", g);
    if (!bars[i].value) continue;
    const double v = *bars[i].value;
    const double x0 = x(std::min(0.0, v)), x1 = x(std::max(0.0, v));
    Canvas::Tooltip(c.Rect(x0, y, x1 - x0, row - 5, bars[i].colour, g), bars[i].tooltip);
    c.Text(x1 + 4, y + 10, FormatNumber(v, 2), 9.5, "start", g);
  }
  return std::move(c).Finish(stem, std::move(csv));
}

// Ranks of every region by code in one period.
std::map<std::string, int> RanksByCode(const PeriodResult& p) {
  std::map<std::string, int> out;
  for (const UnitScores& u : p.regions) out[u.code] = u.rank;
  return out;
}

}  // namespace

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      line += f;
      continue;
    }
    line += '"';
    for (char ch : f) {
      if (ch == '"') line += '"';
      line += ch;
    }
    line += '"';
  }
  return line + "\n";
}

std::string OptionalNumber(const std::optional<double>& value, int decimals) {
  return value.has_value() ? FormatNumber(*value, decimals) : "";
}

std::string PeriodText(const PeriodResult& period) {
  return period.period > 0 ? absl::StrCat(period.period) : absl::StrCat("as in ", period.run);
}

std::string StemOf(const std::string& code) {
  std::string out;
  for (char ch : code) {
    const unsigned char u = static_cast<unsigned char>(ch);
    out += absl::ascii_isalnum(u) ? static_cast<char>(absl::ascii_tolower(u)) : '_';
  }
  return out.empty() ? "unnamed" : out;
}

Chart CompositeBars(const PeriodResult& period, const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title = absl::StrCat("Composite score by region, ", PeriodText(period));
  std::vector<Bar> bars;
  std::string csv = CsvLine({"rank", "region", "name", "score", "tier"});
  std::map<int, bool> tiers;
  for (const UnitScores& u : period.regions) {
    bars.push_back({UnitLabel(u), u.score, TierColour(u.tier),
                    absl::StrCat(UnitLabel(u), ": ", OptionalNumber(u.score, 2), ", rank ", u.rank,
                                 u.tier > 0 ? absl::StrCat(", tier ", u.tier) : "")});
    csv += CsvLine({absl::StrCat(u.rank), u.code, u.name, OptionalNumber(u.score, 6),
                    u.tier > 0 ? absl::StrCat(u.tier) : ""});
    tiers[u.tier] = true;
  }
  std::vector<std::pair<std::string, std::string>> legend;
  for (const auto& [tier, unused] : tiers) {
    legend.push_back({tier > 0 ? absl::StrCat("tier ", tier) : "no tier", TierColour(tier)});
  }
  return BarChart(bars, "composite score (points, as aggregated)", m, "composite_ranking",
                  std::move(csv), legend);
}

Chart DimensionBars(const PeriodResult& period, size_t dimension, const ChartMeta& meta) {
  const Dimension& d = period.dimensions[dimension];
  ChartMeta m = meta;
  m.title =
      absl::StrCat(d.name.empty() ? d.code : d.name, ": score by region, ", PeriodText(period));
  std::vector<const UnitScores*> order;
  for (const UnitScores& u : period.regions) order.push_back(&u);
  std::stable_sort(order.begin(), order.end(), [&](const UnitScores* a, const UnitScores* b) {
    const int ra = a->dimension_ranks.size() > dimension ? a->dimension_ranks[dimension] : 0;
    const int rb = b->dimension_ranks.size() > dimension ? b->dimension_ranks[dimension] : 0;
    return (ra == 0 ? 1 << 30 : ra) < (rb == 0 ? 1 << 30 : rb);
  });
  std::vector<Bar> bars;
  std::string csv = CsvLine({"rank", "region", "name", d.code});
  for (const UnitScores* u : order) {
    const std::optional<double> v =
        u->dimensions.size() > dimension ? u->dimensions[dimension] : std::nullopt;
    const int rank = u->dimension_ranks.size() > dimension ? u->dimension_ranks[dimension] : 0;
    bars.push_back({UnitLabel(*u), v, CategoryColour(static_cast<int>(dimension)),
                    absl::StrCat(UnitLabel(*u), ": ", OptionalNumber(v, 2), ", rank ", rank)});
    csv += CsvLine({absl::StrCat(rank), u->code, u->name, OptionalNumber(v, 6)});
  }
  return BarChart(bars, absl::StrCat(d.code, " score (points, as aggregated)"), m,
                  absl::StrCat("dimension_", StemOf(d.code)), std::move(csv), {});
}

Chart BumpChart(const std::vector<PeriodResult>& periods, const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title = absl::StrCat("Composite rank over the years, ", periods.front().period, "-",
                         periods.back().period);
  int max_rank = 1;
  for (const PeriodResult& p : periods) {
    for (const UnitScores& u : p.regions) max_rank = std::max(max_rank, u.rank);
  }
  const double height = std::max(320.0, 100 + 16.0 * max_rank);
  Canvas c(760, height, m);
  const Plot plot = c.PlotArea(60, 150, 40, 60);
  LinearScale x(periods.front().period, periods.back().period, plot.left, plot.right());
  LinearScale y(1, max_rank, plot.top, plot.bottom());
  c.XAxis(plot, x, "year", static_cast<int>(std::min<size_t>(periods.size(), 10)));
  c.YAxis(plot, y, "composite rank (1 = highest)", 6);
  std::string csv = CsvLine({"period", "region", "name", "rank"});
  const PeriodResult& last = periods.back();
  pugi::xml_node g = c.Group(c.Root(), "lines");
  for (size_t i = 0; i < last.regions.size(); ++i) {
    const UnitScores& u = last.regions[i];
    std::vector<double> xs, ys;
    for (const PeriodResult& p : periods) {
      auto ranks = RanksByCode(p);
      auto it = ranks.find(u.code);
      if (it == ranks.end() || it->second == 0) continue;
      xs.push_back(x(p.period));
      ys.push_back(y(it->second));
      csv += CsvLine({absl::StrCat(p.period), u.code, u.name, absl::StrCat(it->second)});
    }
    if (xs.empty()) continue;
    const std::string colour = CategoryColour(static_cast<int>(i));
    Canvas::Tooltip(c.Path(Polyline(xs, ys), "none", colour, 2, g), UnitLabel(u));
    for (size_t k = 0; k < xs.size(); ++k) c.Circle(xs[k], ys[k], 3, colour, g);
    c.Text(xs.back() + 8, ys.back() + 3.5, absl::StrCat(u.rank, " ", UnitLabel(u)), 10, "start", g);
  }
  return std::move(c).Finish("rank_bump", std::move(csv));
}

Chart SlopeChart(const PeriodResult& previous, const PeriodResult& current, const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title = absl::StrCat("Rank change ", previous.period, " to ", current.period);
  int max_rank = 1;
  for (const PeriodResult* p : {&previous, &current}) {
    for (const UnitScores& u : p->regions) max_rank = std::max(max_rank, u.rank);
  }
  const double height = std::max(320.0, 100 + 16.0 * max_rank);
  Canvas c(640, height, m);
  const Plot plot = c.PlotArea(200, 200, 50, 60);
  LinearScale y(1, max_rank, plot.top, plot.bottom());
  c.YAxis(plot, y, "composite rank (1 = highest)", 6);
  c.Text(plot.left, plot.top - 12, absl::StrCat(previous.period), 11, "middle");
  c.Text(plot.right(), plot.top - 12, absl::StrCat(current.period), 11, "middle");
  c.Text(plot.left + plot.width / 2, plot.bottom() + 32, "year (left: previous, right: current)",
         11, "middle");
  std::string csv = CsvLine({"region", "name", "previous_rank", "current_rank", "rank_change"});
  const auto before = RanksByCode(previous);
  pugi::xml_node g = c.Group(c.Root(), "slopes");
  for (const UnitScores& u : current.regions) {
    auto it = before.find(u.code);
    if (it == before.end() || it->second == 0 || u.rank == 0) continue;
    const int change = it->second - u.rank;
    const std::string colour = change > 0 ? "#2e7d32" : change < 0 ? "#c62828" : "#888888";
    const double y0 = y(it->second), y1 = y(u.rank);
    Canvas::Tooltip(c.Line(plot.left, y0, plot.right(), y1, colour, change == 0 ? 1 : 2, g),
                    absl::StrCat(UnitLabel(u), ": ", it->second, " -> ", u.rank));
    c.Text(plot.left - 8, y0 + 3.5, absl::StrCat(UnitLabel(u), " ", it->second), 9.5, "end", g);
    c.Text(plot.right() + 8, y1 + 3.5, absl::StrCat(u.rank, " ", UnitLabel(u)), 9.5, "start", g);
    csv += CsvLine(
        {u.code, u.name, absl::StrCat(it->second), absl::StrCat(u.rank), absl::StrCat(change)});
  }
  return std::move(c).Finish("rank_slope", std::move(csv));
}

Chart RadarChart(const PeriodResult& period, const UnitScores& unit, bool cluster,
                 const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title = absl::StrCat(UnitLabel(unit), ": dimension profile, ", PeriodText(period));
  const std::vector<UnitScores>& peers = cluster ? period.clusters : period.regions;
  const size_t n = period.dimensions.size();
  Canvas c(460, 430, m);
  const double cx = 230, cy = 225, radius = 140;
  std::string csv = CsvLine({"unit", "dimension", "score", "axis_maximum", "rank"});
  std::vector<double> maxima(n, 0);
  for (const UnitScores& p : peers) {
    for (size_t d = 0; d < n && d < p.dimensions.size(); ++d) {
      if (p.dimensions[d]) maxima[d] = std::max(maxima[d], *p.dimensions[d]);
    }
  }
  pugi::xml_node grid = c.Group(c.Root(), "grid");
  for (int ring = 1; ring <= 4; ++ring) {
    std::vector<double> xs, ys;
    for (size_t d = 0; d <= n; ++d) {
      const double a = 2 * kPi * static_cast<double>(d % std::max<size_t>(n, 1)) /
                           static_cast<double>(std::max<size_t>(n, 1)) -
                       kPi / 2;
      xs.push_back(cx + radius * ring / 4.0 * std::cos(a));
      ys.push_back(cy + radius * ring / 4.0 * std::sin(a));
    }
    c.Path(Polyline(xs, ys), "none", "#dddddd", 1, grid);
  }
  std::vector<double> xs, ys;
  for (size_t d = 0; d < n; ++d) {
    const double a = 2 * kPi * static_cast<double>(d) / static_cast<double>(n) - kPi / 2;
    c.Line(cx, cy, cx + radius * std::cos(a), cy + radius * std::sin(a), "#bbbbbb", 1, grid);
    const Dimension& dim = period.dimensions[d];
    c.Text(cx + (radius + 14) * std::cos(a), cy + (radius + 14) * std::sin(a) + 4,
           dim.name.empty() ? dim.code : dim.name, 10,
           std::abs(std::cos(a)) < 0.2 ? "middle"
           : std::cos(a) > 0           ? "start"
                                       : "end",
           grid);
    const std::optional<double> v = d < unit.dimensions.size() ? unit.dimensions[d] : std::nullopt;
    const double share = v && maxima[d] > 0 ? std::max(0.0, *v) / maxima[d] : 0;
    xs.push_back(cx + radius * share * std::cos(a));
    ys.push_back(cy + radius * share * std::sin(a));
    const int rank = d < unit.dimension_ranks.size() ? unit.dimension_ranks[d] : 0;
    csv += CsvLine({unit.code, dim.code, OptionalNumber(v, 6), FormatNumber(maxima[d], 6),
                    absl::StrCat(rank)});
  }
  if (!xs.empty()) {
    xs.push_back(xs.front());
    ys.push_back(ys.front());
    pugi::xml_node shape = c.Path(Polyline(xs, ys) + " Z", "#4e79a7", "#2b5d8a", 2);
    shape.append_attribute("fill-opacity") = "0.35";
    for (size_t d = 0; d + 1 < xs.size(); ++d) c.Circle(xs[d], ys[d], 3, "#2b5d8a");
  }
  c.Text(12, 44,
         absl::StrCat("axes: dimension score (points), 0 at the centre to the highest ",
                      cluster ? "cluster" : "region", " score at the rim"),
         10);
  return std::move(c).Finish(absl::StrCat("radar_", StemOf(unit.code)), std::move(csv));
}

Chart ScatterChart(const ScatterData& data, const ChartMeta& meta) {
  ChartMeta m = meta;
  const std::string xn = data.x_name.empty() ? data.x_code : data.x_name;
  const std::string yn = data.y_name.empty() ? data.y_code : data.y_name;
  m.title = absl::StrCat(yn, " against ", xn, " by region, ",
                         data.period > 0 ? absl::StrCat(data.period) : "the data file");
  Canvas c(720, 520, m);
  const Plot plot = c.PlotArea(80, 40, 40, 60);
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  for (const ScatterPoint& p : data.points) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  PadDomain(x0, x1);
  PadDomain(y0, y1);
  LinearScale x(x0, x1 * 1.05, plot.left, plot.right());
  LinearScale y(y0, y1 * 1.05, plot.bottom(), plot.top);
  auto unit = [](const std::string& u) { return u.empty() ? std::string("raw value") : u; };
  c.XAxis(plot, x, absl::StrCat(xn, " (", unit(data.x_unit), ")"));
  c.YAxis(plot, y, absl::StrCat(yn, " (", unit(data.y_unit), ")"));
  std::vector<size_t> order(data.points.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return data.points[a].x + data.points[a].y > data.points[b].x + data.points[b].y;
  });
  std::string csv = CsvLine({"region", "name", data.x_code, data.y_code});
  pugi::xml_node g = c.Group(c.Root(), "points");
  for (size_t k = 0; k < order.size(); ++k) {
    const ScatterPoint& p = data.points[order[k]];
    const std::string label = p.name.empty() ? p.code : p.name;
    Canvas::Tooltip(c.Circle(x(p.x), y(p.y), 4, "#4e79a7", g),
                    absl::StrCat(label, ": ", FormatTick(p.x), ", ", FormatTick(p.y)));
    if (k < 20) c.Text(x(p.x) + 6, y(p.y) - 4, label, 9.5, "start", g);
    csv += CsvLine({p.code, p.name, FormatNumber(p.x, 6), FormatNumber(p.y, 6)});
  }
  return std::move(c).Finish(
      absl::StrCat("scatter_", StemOf(data.x_code), "_", StemOf(data.y_code)), std::move(csv));
}

Profile StrengthsAndWeaknesses(const UnitScores& unit, size_t units) {
  Profile out;
  if (unit.rank == 0) return out;
  const int threshold = std::max(1, static_cast<int>(units / 6));
  std::vector<std::pair<int, size_t>> gaps;  // composite rank - dimension rank
  for (size_t d = 0; d < unit.dimension_ranks.size(); ++d) {
    if (unit.dimension_ranks[d] == 0) continue;
    gaps.push_back({unit.rank - unit.dimension_ranks[d], d});
  }
  std::stable_sort(gaps.begin(), gaps.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [gap, d] : gaps) {
    if (gap >= threshold && out.strengths.size() < 3) out.strengths.push_back(d);
  }
  for (auto it = gaps.rbegin(); it != gaps.rend(); ++it) {
    if (-it->first >= threshold && out.weaknesses.size() < 3) out.weaknesses.push_back(it->second);
  }
  return out;
}

}  // namespace innoscope::report
