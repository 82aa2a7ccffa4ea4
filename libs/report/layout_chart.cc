// The picture of the network (charts.h NetworkLayoutChart): nodes at the
// positions of a layout (ForceAtlas2, libs/graph/force_atlas2.h), sized by
// degree, coloured by group, edges beneath, the top nodes labelled.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/report/charts.h"

namespace innoscope::report {

Chart NetworkLayoutChart(const NetworkLayout& layout, const ChartMeta& meta) {
  ChartMeta m = meta;
  m.title = "The network, laid out with ForceAtlas2";
  Canvas c(900, 780, m);
  const Plot plot = c.PlotArea(20, 20, 80, 40);
  // The frame holds the central 99% of the nodes on each axis; the few
  // nodes beyond (isolated ones drift far out) are drawn on its border, so
  // they do not shrink the picture to a dot.
  double max_degree = 1;
  std::vector<double> xs, ys;
  for (const LayoutNode& n : layout.nodes) {
    xs.push_back(n.x);
    ys.push_back(n.y);
    max_degree = std::max(max_degree, n.degree);
  }
  auto quantile = [](std::vector<double> v, double q) {
    if (v.empty()) return 0.0;
    const size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  };
  const double x0 = quantile(xs, 0.005), x1 = quantile(xs, 0.995);
  const double y0 = quantile(ys, 0.005), y1 = quantile(ys, 0.995);
  // One scale for both axes keeps the layout's proportions.
  const double span = std::max({x1 - x0, y1 - y0, 1e-9});
  const double unit = std::min(plot.width, plot.height) / span;
  const double ox = plot.left + (plot.width - (x1 - x0) * unit) / 2;
  const double oy = plot.top + (plot.height - (y1 - y0) * unit) / 2;
  auto px = [&](double x) { return ox + (std::clamp(x, x0, x1) - x0) * unit; };
  auto py = [&](double y) { return oy + (y1 - std::clamp(y, y0, y1)) * unit; };
  auto radius = [&](double degree) { return 1.5 + 9 * std::sqrt(degree / max_degree); };
  c.Text(12, 44,
         absl::StrCat(layout.method, ". ", layout.nodes.size(), " nodes drawn",
                      layout.note.empty() ? "" : absl::StrCat(" (", layout.note, ")"), ", ",
                      layout.edges.size(), " edges."),
         10.5);
  c.Text(
      12, 58,
      absl::StrCat("Node area: degree (relations per node, largest ", FormatTick(max_degree),
                   "); colour: ", layout.group_kind, "; axes: layout coordinates (no unit); the ",
                   layout.labelled, " nodes of highest degree are labelled."),
      10);
  std::vector<std::string> labels, colours;
  for (size_t k = 0; k < layout.group_names.size() && k < 10; ++k) {
    labels.push_back(layout.group_names[k]);
    colours.push_back(CategoryColour(static_cast<int>(k)));
  }
  if (layout.group_names.size() > 10) {
    labels.push_back("other");
    colours.push_back("#bab0ac");
  }
  c.Legend(12, 74, labels, colours);
  auto colour = [&](int group) {
    return group >= 0 && group < 10 ? CategoryColour(group) : std::string("#bab0ac");
  };
  pugi::xml_node edges = c.Group(c.Root(), "edges");
  edges.append_attribute("stroke") = "#888888";
  edges.append_attribute("stroke-opacity") = "0.25";
  edges.append_attribute("stroke-width") = "0.6";
  std::string d;
  for (const auto& [a, b] : layout.edges) {
    const LayoutNode& s = layout.nodes[static_cast<size_t>(a)];
    const LayoutNode& t = layout.nodes[static_cast<size_t>(b)];
    absl::StrAppend(&d, "M", FormatNumber(px(s.x), 1), " ", FormatNumber(py(s.y), 1), "L",
                    FormatNumber(px(t.x), 1), " ", FormatNumber(py(t.y), 1));
  }
  if (!d.empty()) c.Path(d, "none", "#888888", 0.6, edges);
  std::vector<size_t> order(layout.nodes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return layout.nodes[a].degree < layout.nodes[b].degree;  // large nodes on top
  });
  std::string csv = CsvLine({"node", "label", "x", "y", "degree", "group"});
  pugi::xml_node nodes = c.Group(c.Root(), "nodes");
  for (size_t i : order) {
    const LayoutNode& n = layout.nodes[i];
    pugi::xml_node circle = c.Circle(px(n.x), py(n.y), radius(n.degree), colour(n.group), nodes);
    circle.append_attribute("stroke") = "#ffffff";
    circle.append_attribute("stroke-width") = "0.4";
    Canvas::Tooltip(circle, absl::StrCat(n.label.empty() ? n.code : n.label, ", degree ",
                                         FormatTick(n.degree)));
  }
  for (const LayoutNode& n : layout.nodes) {
    const std::string group =
        n.group >= 0 && static_cast<size_t>(n.group) < layout.group_names.size()
            ? layout.group_names[static_cast<size_t>(n.group)]
            : "";
    csv += CsvLine(
        {n.code, n.label, FormatNumber(n.x, 4), FormatNumber(n.y, 4), FormatTick(n.degree), group});
  }
  pugi::xml_node names = c.Group(c.Root(), "labels");
  const size_t labelled = std::min(order.size(), static_cast<size_t>(std::max(0, layout.labelled)));
  for (size_t k = 0; k < labelled; ++k) {
    const LayoutNode& n = layout.nodes[order[order.size() - 1 - k]];
    pugi::xml_node text = c.Text(px(n.x) + radius(n.degree) + 2, py(n.y) + 3,
                                 n.label.empty() ? n.code : n.label, 10, "start", names);
    text.append_attribute("font-weight") = "bold";
  }
  return std::move(c).Finish("network_layout", std::move(csv));
}

}  // namespace innoscope::report
