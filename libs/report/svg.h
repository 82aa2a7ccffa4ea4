#pragma once

// SVG building blocks of the report's charts: a canvas that owns one
// pugixml document (pugixml escapes every attribute and text, and
// serialises), the frame every chart shares (title, source and period line,
// a SYNTHETIC mark), linear and log scales with tick marks, axes with
// labels and units, colours, and the Chart result (the SVG document, the
// numbers behind it as CSV, its file name).
//
//   Canvas c(640, 400, {"Composite score by region", "scoring run r-1", "2022", false});
//   Plot plot = c.PlotArea(140, 20, 30, 50);
//   LinearScale x(0, 100, plot.left, plot.right());
//   c.XAxis(plot, x, "score (0-100)");
//   c.Rect(plot.left, y, x(81.5) - plot.left, 12, "#4e79a7");
//   Chart chart = std::move(c).Finish("composite_ranking", csv_text);
//
// Coordinates are SVG user units (pixels at 100%); text is UTF-8.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "pugixml.hpp"

namespace innoscope::report {

// What every chart states.
struct ChartMeta {
  std::string title;
  std::string source;  // where the numbers come from
  std::string period;  // "2022", "2014-2022"
  bool synthetic = false;
};

// One chart: its SVG (a standalone document whose root is <svg>), the
// numbers it draws as CSV, and the file stem (charts/<stem>.svg,
// data/<stem>.csv).
struct Chart {
  std::string stem;
  std::string title;
  std::shared_ptr<pugi::xml_document> svg;
  std::string csv;
  std::string SvgText() const;  // with an XML declaration
};

// The inner rectangle of a chart where data are drawn.
struct Plot {
  double left = 0, top = 0, width = 0, height = 0;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

// domain [d0, d1] -> range [r0, r1]; a zero-width domain maps to the middle.
class LinearScale {
 public:
  LinearScale(double d0, double d1, double r0, double r1);
  double operator()(double v) const;
  // About `count` round ticks ("nice" steps 1, 2, 5 x 10^k) inside the domain.
  std::vector<double> Ticks(int count) const;
  double d0() const { return d0_; }
  double d1() const { return d1_; }

 private:
  double d0_, d1_, r0_, r1_;
};

// log10 scale; the domain must be positive.
class LogScale {
 public:
  LogScale(double d0, double d1, double r0, double r1);
  double operator()(double v) const;
  std::vector<double> Ticks() const;  // the powers of ten inside the domain

 private:
  LinearScale linear_;
  double lo_, hi_;
};

// A domain that includes 0 and [lo, hi], widened by a tenth when flat.
void PadDomain(double& lo, double& hi);

// "81.57" (decimals), "1,234" style thousands not used: plain C locale.
std::string FormatNumber(double value, int decimals);
// A tick label: integers without decimals, else up to 3 significant places.
std::string FormatTick(double value);

// Categorical colours (Tableau 10), cycling.
std::string CategoryColour(int index);
// Tier colours: 1 dark blue ... 5 light; 0 (no tier) grey.
std::string TierColour(int tier);
// A sequential blue ramp for t in [0, 1] (heat maps).
std::string RampColour(double t);

class Canvas {
 public:
  // Draws the white background, the title, the source and period line at
  // the bottom and, when meta.synthetic, a red SYNTHETIC mark at the top
  // right.
  Canvas(double width, double height, const ChartMeta& meta);

  double width() const { return width_; }
  double height() const { return height_; }
  // The area inside the given margins (the title and source line are
  // inside the top and bottom margins).
  Plot PlotArea(double left, double right, double top, double bottom) const;

  pugi::xml_node Root() { return root_; }
  pugi::xml_node Group(pugi::xml_node parent, const std::string& css_class);
  pugi::xml_node Rect(double x, double y, double w, double h, const std::string& fill,
                      pugi::xml_node parent = {});
  pugi::xml_node Line(double x1, double y1, double x2, double y2, const std::string& stroke,
                      double stroke_width = 1, pugi::xml_node parent = {});
  pugi::xml_node Circle(double cx, double cy, double r, const std::string& fill,
                        pugi::xml_node parent = {});
  pugi::xml_node Path(const std::string& d, const std::string& fill, const std::string& stroke,
                      double stroke_width = 1, pugi::xml_node parent = {});
  // anchor: "start", "middle" or "end".
  pugi::xml_node Text(double x, double y, absl::string_view text, double size = 11,
                      const std::string& anchor = "start", pugi::xml_node parent = {});
  // A <title> child: the browser's tooltip for a mark.
  static void Tooltip(pugi::xml_node node, absl::string_view text);

  // Axes along the plot's bottom and left edges with ticks, grid lines and
  // the label (which names the unit).
  void XAxis(const Plot& plot, const LinearScale& scale, absl::string_view label, int ticks = 6);
  void YAxis(const Plot& plot, const LinearScale& scale, absl::string_view label, int ticks = 5);
  void XLogAxis(const Plot& plot, const LogScale& scale, absl::string_view label);
  void YLogAxis(const Plot& plot, const LogScale& scale, absl::string_view label);
  // A legend row of coloured squares from (x, y) rightwards.
  void Legend(double x, double y, const std::vector<std::string>& labels,
              const std::vector<std::string>& colours);

  Chart Finish(const std::string& stem, std::string csv) &&;

 private:
  pugi::xml_node Parent(pugi::xml_node parent) { return parent ? parent : root_; }
  // Axes with ticks at (position, value) pairs.
  void XAxisAt(const Plot& plot, const std::vector<std::pair<double, double>>& ticks,
               absl::string_view label);
  void YAxisAt(const Plot& plot, const std::vector<std::pair<double, double>>& ticks,
               absl::string_view label, double label_offset);

  double width_, height_;
  std::string title_;
  std::shared_ptr<pugi::xml_document> doc_;
  pugi::xml_node root_;
};

// A path "M x y L x y ..." through the points.
std::string Polyline(const std::vector<double>& xs, const std::vector<double>& ys);

}  // namespace innoscope::report
