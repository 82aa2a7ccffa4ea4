// The uncertainty and network sections of the report page (page_builder.h).

#include <string>

#include "absl/strings/str_cat.h"
#include "libs/report/charts.h"
#include "libs/report/page_builder.h"

namespace innoscope::report::internal {

void AddUncertaintySection(PageBuilder& page) {
  for (const UncertaintyResult& u : page.data().uncertainty) {
    const std::string period = absl::StrCat(u.period);
    pugi::xml_node s = page.Section(absl::StrCat("uncertainty-", u.period),
                                    absl::StrCat("Uncertainty of the ranks ", period));
    page.Paragraph(s,
                   absl::StrCat("Analysis ", u.id, ": ", u.model_runs,
                                " model runs (Monte Carlo replicates and Saltelli samples)."),
                   "meta");
    if (!u.regions.empty()) page.Figure(s, RankIntervalChart(u, page.Meta(period)));
    if (!u.sensitivity.empty()) page.Figure(s, SensitivityChart(u, page.Meta(period)));
  }
}

void AddNetworkSection(PageBuilder& page) {
  if (!page.data().network.has_value()) return;
  const NetworkSection& net = *page.data().network;
  ChartMeta meta = page.Meta("");
  meta.source = net.source.empty() ? meta.source : net.source;
  auto with_period = [&](const std::string& period) {
    ChartMeta m = meta;
    m.period = period;
    return m;
  };
  const std::string up_to =
      net.up_to > 0 ? absl::StrCat("up to ", net.up_to) : std::string("as in the file");
  pugi::xml_node s = page.Section(
      "network", absl::StrCat("The network: relation set ", net.relation_set, ", ", up_to));
  if (!net.years.empty()) {
    const std::string range = net.years.size() > 1
                                  ? absl::StrCat(net.years.front().year, "-", net.years.back().year)
                                  : up_to;
    pugi::xml_node table =
        page.Table(s, "network_statistics",
                   absl::StrCat("Network statistics by year (relations up to each year), ", range),
                   {"year", "nodes", "edges", "average degree", "density", "diameter",
                    "average path length", "average clustering", "modularity"});
    for (const NetworkYear& y : net.years) {
      PageBuilder::Row(table, {y.year > 0 ? absl::StrCat(y.year) : "all", absl::StrCat(y.nodes),
                               absl::StrCat(y.edges), FormatNumber(y.average_degree, 3),
                               FormatNumber(y.density, 6), OptionalNumber(y.diameter, 0),
                               OptionalNumber(y.path_length, 3), FormatNumber(y.clustering, 3),
                               OptionalNumber(y.modularity, 3)});
    }
    if (net.years.size() > 1) page.Figure(s, NetworkSeriesChart(net.years, with_period(range)));
  }
  if (net.degrees.has_value()) {
    page.Figure(s, DegreeDistributionChart(*net.degrees, with_period(up_to)));
    page.Figure(s, DegreeCcdfChart(*net.degrees, with_period(up_to)));
  }
  if (!net.top.empty()) {
    pugi::xml_node table =
        page.Table(s, "top_degree", absl::StrCat("Top nodes by degree (unit: actor), ", up_to),
                   {"rank", "code", "name", "group", "degree", "in-degree", "out-degree"});
    std::string csv =
        CsvLine({"rank", "code", "name", "group", "degree", "in_degree", "out_degree"});
    for (size_t i = 0; i < net.top.size(); ++i) {
      const TopNode& n = net.top[i];
      std::vector<std::string> row = {absl::StrCat(i + 1),
                                      n.code,
                                      n.name,
                                      n.group,
                                      FormatTick(n.degree),
                                      FormatTick(n.in_degree),
                                      FormatTick(n.out_degree)};
      PageBuilder::Row(table, row);
      csv += CsvLine(row);
    }
    page.TableCsv("top_degree", std::move(csv));
  }
  if (net.flows.has_value() && !net.flows->regions.empty()) {
    page.Paragraph(
        s, absl::StrCat("Of ", net.flows->total, " relations with both ends located, ",
                        FormatNumber(net.flows->intra_percent, 2), "% stay inside one region and ",
                        FormatNumber(net.flows->inter_percent, 2), "% cross regions."));
    page.Figure(s, FlowHeatMap(*net.flows, with_period(up_to)));
  }
  if (net.categories.has_value() && !net.categories->years.empty()) {
    const CategoryShares& c = *net.categories;
    page.Figure(
        s, CategoryAreaChart(c, with_period(absl::StrCat(c.years.front(), "-", c.years.back()))));
  }
  if (net.layout.has_value() && !net.layout->nodes.empty()) {
    pugi::xml_node picture = page.Section("network-picture", "A picture of the network");
    page.Figure(picture, NetworkLayoutChart(*net.layout, with_period(up_to)));
  }
}

}  // namespace innoscope::report::internal
