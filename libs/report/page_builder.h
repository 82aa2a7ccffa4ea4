#pragma once

// Internal to libs/report: the XHTML page under construction (page.cc
// assembles it, page_sections.cc adds the network and uncertainty sections),
// numbered figures and tables, and the report's files.

#include <string>
#include <vector>

#include "libs/report/page.h"
#include "libs/report/report_data.h"
#include "libs/report/svg.h"
#include "pugixml.hpp"

namespace innoscope::report::internal {

class PageBuilder {
 public:
  explicit PageBuilder(const ReportData& data);

  // A <section> with an id and a heading; content goes into it.
  pugi::xml_node Section(const std::string& id, const std::string& heading);
  pugi::xml_node Paragraph(pugi::xml_node parent, const std::string& text,
                           const std::string& css_class = "");
  // "Figure n. <title>" around the chart's inline SVG; the chart is kept
  // for charts/<stem>.svg. Returns the <figure>.
  pugi::xml_node Figure(pugi::xml_node parent, Chart chart);
  // A table numbered "Table n. <caption>" with a header row; data-table
  // names it for tests and scripts. Returns the <table>; add rows with Row.
  pugi::xml_node Table(pugi::xml_node parent, const std::string& name, const std::string& caption,
                       const std::vector<std::string>& header);
  static void Row(pugi::xml_node table, const std::vector<std::string>& cells);
  // A table also written as data/<name>.csv.
  void TableCsv(const std::string& name, std::string csv);
  // ChartMeta with the report's source and synthetic flag.
  ChartMeta Meta(const std::string& period) const;

  const ReportData& data() const { return data_; }
  ReportFiles Finish() &&;

 private:
  const ReportData& data_;
  pugi::xml_document doc_;
  pugi::xml_node body_;
  int figures_ = 0;
  int tables_ = 0;
  ReportFiles files_;
};

// page_sections.cc
void AddUncertaintySection(PageBuilder& page);
void AddNetworkSection(PageBuilder& page);

}  // namespace innoscope::report::internal
