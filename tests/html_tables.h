#pragma once

// The tables of an HTML report page (libs/report) for tests: the page is
// XHTML after its doctype line, so pugixml reads it, and every table is
// named by its data-table attribute.
//
//   pugi::xml_document page;
//   ASSERT_TRUE(LoadReportPage(html, page));
//   auto rows = HtmlTable(page, "ranking");   // header first

#include <string>
#include <utility>
#include <vector>

#include "pugixml.hpp"

namespace innoscope::testing {

// False when the page does not start with the HTML5 doctype line or is not
// well-formed XML after it.
inline bool LoadReportPage(const std::string& html, pugi::xml_document& page) {
  const std::string doctype = "<!DOCTYPE html>\n";
  if (html.rfind(doctype, 0) != 0) return false;
  return static_cast<bool>(page.load_string(html.c_str() + doctype.size()));
}

// The rows of <table data-table="name"> as cell texts, header first.
inline std::vector<std::vector<std::string>> HtmlTable(const pugi::xml_document& page,
                                                       const std::string& name) {
  std::vector<std::vector<std::string>> rows;
  const std::string query = "//table[@data-table='" + name + "']";
  const pugi::xpath_node table = page.select_node(query.c_str());
  for (const pugi::xpath_node& tr : table.node().select_nodes(".//tr")) {
    std::vector<std::string> cells;
    for (pugi::xml_node cell : tr.node().children()) cells.push_back(cell.text().get());
    rows.push_back(std::move(cells));
  }
  return rows;
}

}  // namespace innoscope::testing
