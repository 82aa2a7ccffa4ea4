#pragma once

// The report's charts, one function each, from the plain types of
// report_data.h to a Chart (svg.h): SVG plus the numbers it draws as CSV.
// Every chart has a title, axes labelled with their units, the source and
// period line, and the SYNTHETIC mark when `meta.synthetic` (the caller
// fills `meta`'s source, period and synthetic flag; each function sets the
// title).
//
//   ChartMeta meta{"", "scoring run r-1 (GetRanking)", "2022", false};
//   Chart bars = CompositeBars(period_2022, meta);          // composite_ranking.svg
//   Chart radar = RadarChart(period_2022, unit, true, meta);  // radar_<code>.svg
//
// ranking_charts.cc: rankings, dimensions, bump, slope, radar, scatter;
// uncertainty_charts.cc: rank intervals and Sobol indices;
// network_charts.cc: statistics over the years, degree distribution, CCDF,
// origin-destination heat map, category shares; layout_chart.cc: the
// picture of the network.

#include <string>
#include <vector>

#include "libs/report/report_data.h"
#include "libs/report/svg.h"

namespace innoscope::report {

// One CSV line (RFC 4180 quoting when a field holds a comma, quote or line
// break), with "\n".
std::string CsvLine(const std::vector<std::string>& fields);
// "" for an absent value, else FormatNumber(v, decimals).
std::string OptionalNumber(const std::optional<double>& value, int decimals);
// "2022", or "as in D.csv" for a period without a year (a data file).
std::string PeriodText(const PeriodResult& period);
// A file stem from a code: lower case ASCII letters, digits and '_'; other
// bytes become '_' (so "GDP/cap" -> "gdp_cap").
std::string StemOf(const std::string& code);

// Composite score per region, horizontal bars coloured by tier
// (composite_ranking).
Chart CompositeBars(const PeriodResult& period, const ChartMeta& meta);
// One dimension's score per region, in its own rank order (dimension_<code>).
Chart DimensionBars(const PeriodResult& period, size_t dimension, const ChartMeta& meta);
// Composite rank per region over the periods (rank_bump); needs >= 2 periods.
Chart BumpChart(const std::vector<PeriodResult>& periods, const ChartMeta& meta);
// Rank in the previous and the current period, one line per region
// (rank_slope).
Chart SlopeChart(const PeriodResult& previous, const PeriodResult& current, const ChartMeta& meta);
// A unit's dimension scores on axes running from 0 to the highest score of
// its peers (regions or clusters) at each dimension (radar_<code>).
Chart RadarChart(const PeriodResult& period, const UnitScores& unit, bool cluster,
                 const ChartMeta& meta);
// Two indicators per region (scatter_<x>_<y>), the 20 largest by x + y
// labelled.
Chart ScatterChart(const ScatterData& data, const ChartMeta& meta);

// Median rank with the 5-95% interval per region, nominal rank marked
// (rank_intervals).
Chart RankIntervalChart(const UncertaintyResult& result, const ChartMeta& meta);
// First-order and total Sobol indices per factor (sensitivity).
Chart SensitivityChart(const UncertaintyResult& result, const ChartMeta& meta);

// Small line charts of nodes, edges, average degree, density, diameter,
// path length, clustering and modularity over the years
// (network_statistics).
Chart NetworkSeriesChart(const std::vector<NetworkYear>& years, const ChartMeta& meta);
// Nodes per degree on log-log axes with the fitted power law over the tail
// (degree_distribution).
Chart DegreeDistributionChart(const DegreeDistribution& degrees, const ChartMeta& meta);
// P(K >= k) on log-log axes (degree_ccdf).
Chart DegreeCcdfChart(const DegreeDistribution& degrees, const ChartMeta& meta);
// Relations from origin (rows) to destination (columns) as a heat map
// (od_matrix); at most `max_regions` regions with the most relations.
Chart FlowHeatMap(const FlowMatrix& flows, const ChartMeta& meta, size_t max_regions = 31);
// Percentage of each category's relations per year, stacked (category_shares).
Chart CategoryAreaChart(const CategoryShares& shares, const ChartMeta& meta);
// Nodes at their layout positions sized by degree and coloured by group,
// edges beneath, the top nodes labelled (network_layout).
Chart NetworkLayoutChart(const NetworkLayout& layout, const ChartMeta& meta);

// The strengths and weaknesses listed beside a radar: dimensions ranked at
// least `threshold` places better (worse) than the unit's composite rank,
// largest gap first, at most three each; threshold = max(1, units / 6)
// (5 of 31 provinces, 1 of 3 circles).
struct Profile {
  std::vector<size_t> strengths;
  std::vector<size_t> weaknesses;
};
Profile StrengthsAndWeaknesses(const UnitScores& unit, size_t units);

}  // namespace innoscope::report
