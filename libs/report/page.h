#pragma once

// The HTML report: one self-contained page (index.html: inline SVG and CSS,
// no script, no request to any other host, UTF-8 with a CJK font stack)
// with every table and chart of the report's data, every chart also as its
// own SVG file and the numbers behind it as CSV.
//
//   ASSIGN_OR_RETURN(ReportFiles files, BuildReport(data));
//   RETURN_IF_ERROR(WriteReport(files, "results/demo/report"));
//   // results/demo/report/index.html, charts/composite_ranking.svg,
//   // data/composite_ranking.csv, ...
//
// Sections, each present where the data exist (docs/report.md): composite
// ranking (table, bars by tier, rank-by-year table, bump chart), dimension
// rankings (small multiples), clusters (the circle table with scores in
// parentheses, radar profiles with strengths and weaknesses), changes
// against the previous period (slope chart, top movers), uncertainty (rank
// intervals, Sobol indices), network (statistics by year, degree
// distribution with its power-law fit, CCDF, top nodes by degree,
// origin-destination heat map, category shares), the picture of the network
// and a scatter of two indicators. The page is XHTML built with pugixml,
// which escapes every text and attribute; the HTML5 doctype line is the only
// text written by hand.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/report/report_data.h"
#include "libs/report/svg.h"

namespace innoscope::report {

struct ReportFiles {
  std::string index_html;
  std::vector<Chart> charts;  // charts/<stem>.svg and data/<stem>.csv
  // Tables without a chart: data/<name>.csv.
  std::vector<std::pair<std::string, std::string>> tables;
};

// INVALID_ARGUMENT when there is nothing to report (no period and no
// network) or a period's rows do not match its dimensions.
absl::StatusOr<ReportFiles> BuildReport(const ReportData& data);

// Writes DIR/index.html, DIR/charts/*.svg and DIR/data/*.csv (creating the
// folders; each file written to a temporary name and renamed).
absl::Status WriteReport(const ReportFiles& files, const std::string& dir);

}  // namespace innoscope::report
