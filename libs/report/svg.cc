#include "libs/report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace innoscope::report {
namespace {

// Latin first, then the CJK faces of Debian's fonts-noto-cjk, so Chinese
// names render wherever the report is opened.
constexpr char kFontStack[] =
    "'Noto Sans', 'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'Microsoft YaHei', 'PingFang SC', sans-serif";

std::string Num(double v) {
  if (!std::isfinite(v)) v = 0;
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f", v);
  std::string s = buffer;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

// Width of UTF-8 text in ems, roughly: 0.58 per ASCII character, 1 per
// CJK character (3 bytes of UTF-8).
double Ems(absl::string_view text) {
  double ems = 0;
  for (unsigned char ch : text) ems += ch < 0x80 ? 0.58 : 0.34;
  return ems;
}

// The largest font size up to `size` (down to `smallest`) at which `text`
// fits in `width`: long titles and source lines shrink instead of running
// out of the chart.
double FittingSize(absl::string_view text, double width, double size, double smallest) {
  const double ems = Ems(text);
  return ems <= 0 ? size : std::max(smallest, std::min(size, width / ems));
}

double NiceStep(double span, int count) {
  if (span <= 0 || count < 1) return 1;
  const double raw = span / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / power;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power;
}

}  // namespace

std::string Chart::SvgText() const {
  std::ostringstream out;
  svg->save(out, "  ", pugi::format_indent | pugi::format_no_empty_element_tags,
            pugi::encoding_utf8);
  return out.str();
}

LinearScale::LinearScale(double d0, double d1, double r0, double r1)
    : d0_(d0), d1_(d1), r0_(r0), r1_(r1) {}

double LinearScale::operator()(double v) const {
  if (d1_ == d0_) return (r0_ + r1_) / 2;
  return r0_ + (v - d0_) / (d1_ - d0_) * (r1_ - r0_);
}

std::vector<double> LinearScale::Ticks(int count) const {
  const double lo = std::min(d0_, d1_), hi = std::max(d0_, d1_);
  std::vector<double> ticks;
  if (!(hi > lo)) return {lo};
  const double step = NiceStep(hi - lo, count);
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

LogScale::LogScale(double d0, double d1, double r0, double r1)
    : linear_(std::log10(d0), std::log10(d1), r0, r1), lo_(d0), hi_(d1) {}

double LogScale::operator()(double v) const { return linear_(std::log10(v)); }

std::vector<double> LogScale::Ticks() const {
  std::vector<double> ticks;
  for (double t = std::pow(10.0, std::floor(std::log10(lo_))); t <= hi_ * (1 + 1e-9); t *= 10) {
    if (t >= lo_ * (1 - 1e-9)) ticks.push_back(t);
  }
  return ticks;
}

void PadDomain(double& lo, double& hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (hi == lo) hi = lo + 1;
}

std::string FormatNumber(double value, int decimals) {
  if (!std::isfinite(value)) return "";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  std::string s = buffer;
  if (s.rfind("-0", 0) == 0 && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string FormatTick(double value) {
  if (std::abs(value - std::round(value)) < 1e-9) return FormatNumber(value, 0);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3g", value);
  return buffer;
}

std::string CategoryColour(int index) {
  static const char* const kColours[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                         "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  const int n = static_cast<int>(sizeof(kColours) / sizeof(kColours[0]));
  return kColours[((index % n) + n) % n];
}

std::string TierColour(int tier) {
  static const char* const kTiers[] = {"#08306b", "#2171b5", "#6baed6", "#9ecae1", "#c6dbef"};
  if (tier <= 0) return "#999999";
  return kTiers[std::min(tier, 5) - 1];
}

std::string RampColour(double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  // White (247, 251, 255) to dark blue (8, 48, 107).
  const int r = static_cast<int>(std::lround(247 + (8 - 247) * t));
  const int g = static_cast<int>(std::lround(251 + (48 - 251) * t));
  const int b = static_cast<int>(std::lround(255 + (107 - 255) * t));
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "#%02x%02x%02x", r, g, b);
  return buffer;
}

Canvas::Canvas(double width, double height, const ChartMeta& meta)
    : width_(width), height_(height), title_(meta.title) {
  doc_ = std::make_shared<pugi::xml_document>();
  root_ = doc_->append_child("svg");
  root_.append_attribute("xmlns") = "http://www.w3.org/2000/svg";
  root_.append_attribute("width") = Num(width).c_str();
  root_.append_attribute("height") = Num(height).c_str();
  root_.append_attribute("viewBox") = absl::StrCat("0 0 ", Num(width), " ", Num(height)).c_str();
  root_.append_attribute("font-family") = kFontStack;
  root_.append_attribute("role") = "img";
  root_.append_child("title").text() = meta.title.c_str();
  Rect(0, 0, width, height, "#ffffff");
  const double title_room = width - 24 - (meta.synthetic ? 110 : 0);
  pugi::xml_node title = Text(12, 22, meta.title, FittingSize(meta.title, title_room, 15, 9));
  title.append_attribute("font-weight") = "bold";
  const std::string source_line =
      absl::StrCat("Source: ", meta.source, ". Period: ", meta.period, ".");
  pugi::xml_node source =
      Text(12, height - 8, source_line, FittingSize(source_line, width - 24, 10, 6));
  source.append_attribute("fill") = "#555555";
  if (meta.synthetic) {
    pugi::xml_node mark = Group(root_, "synthetic-mark");
    Rect(width - 104, 6, 96, 22, "#c0392b", mark);
    pugi::xml_node text = Text(width - 56, 22, "SYNTHETIC", 12, "middle", mark);
    text.append_attribute("fill") = "#ffffff";
    text.append_attribute("font-weight") = "bold";
  }
}

Plot Canvas::PlotArea(double left, double right, double top, double bottom) const {
  Plot p;
  p.left = left;
  p.top = top;
  p.width = std::max(1.0, width_ - left - right);
  p.height = std::max(1.0, height_ - top - bottom);
  return p;
}

pugi::xml_node Canvas::Group(pugi::xml_node parent, const std::string& css_class) {
  pugi::xml_node g = Parent(parent).append_child("g");
  if (!css_class.empty()) g.append_attribute("class") = css_class.c_str();
  return g;
}

pugi::xml_node Canvas::Rect(double x, double y, double w, double h, const std::string& fill,
                            pugi::xml_node parent) {
  pugi::xml_node r = Parent(parent).append_child("rect");
  r.append_attribute("x") = Num(x).c_str();
  r.append_attribute("y") = Num(y).c_str();
  r.append_attribute("width") = Num(std::max(0.0, w)).c_str();
  r.append_attribute("height") = Num(std::max(0.0, h)).c_str();
  r.append_attribute("fill") = fill.c_str();
  return r;
}

pugi::xml_node Canvas::Line(double x1, double y1, double x2, double y2, const std::string& stroke,
                            double stroke_width, pugi::xml_node parent) {
  pugi::xml_node l = Parent(parent).append_child("line");
  l.append_attribute("x1") = Num(x1).c_str();
  l.append_attribute("y1") = Num(y1).c_str();
  l.append_attribute("x2") = Num(x2).c_str();
  l.append_attribute("y2") = Num(y2).c_str();
  l.append_attribute("stroke") = stroke.c_str();
  l.append_attribute("stroke-width") = Num(stroke_width).c_str();
  return l;
}

pugi::xml_node Canvas::Circle(double cx, double cy, double r, const std::string& fill,
                              pugi::xml_node parent) {
  pugi::xml_node c = Parent(parent).append_child("circle");
  c.append_attribute("cx") = Num(cx).c_str();
  c.append_attribute("cy") = Num(cy).c_str();
  c.append_attribute("r") = Num(r).c_str();
  c.append_attribute("fill") = fill.c_str();
  return c;
}

pugi::xml_node Canvas::Path(const std::string& d, const std::string& fill,
                            const std::string& stroke, double stroke_width, pugi::xml_node parent) {
  pugi::xml_node p = Parent(parent).append_child("path");
  p.append_attribute("d") = d.c_str();
  p.append_attribute("fill") = fill.c_str();
  p.append_attribute("stroke") = stroke.c_str();
  p.append_attribute("stroke-width") = Num(stroke_width).c_str();
  return p;
}

pugi::xml_node Canvas::Text(double x, double y, absl::string_view text, double size,
                            const std::string& anchor, pugi::xml_node parent) {
  pugi::xml_node t = Parent(parent).append_child("text");
  t.append_attribute("x") = Num(x).c_str();
  t.append_attribute("y") = Num(y).c_str();
  t.append_attribute("font-size") = Num(size).c_str();
  if (anchor != "start") t.append_attribute("text-anchor") = anchor.c_str();
  t.text() = std::string(text).c_str();
  return t;
}

void Canvas::Tooltip(pugi::xml_node node, absl::string_view text) {
  node.append_child("title").text() = std::string(text).c_str();
}

void Canvas::XAxisAt(const Plot& plot, const std::vector<std::pair<double, double>>& ticks,
                     absl::string_view label) {
  pugi::xml_node g = Group(root_, "axis x");
  for (const auto& [x, value] : ticks) {
    Line(x, plot.top, x, plot.bottom(), "#e5e5e5", 1, g);
    Line(x, plot.bottom(), x, plot.bottom() + 4, "#333333", 1, g);
    Text(x, plot.bottom() + 16, FormatTick(value), 10, "middle", g);
  }
  Line(plot.left, plot.bottom(), plot.right(), plot.bottom(), "#333333", 1, g);
  Text(plot.left + plot.width / 2, plot.bottom() + 32, label, 11, "middle", g);
}

void Canvas::YAxisAt(const Plot& plot, const std::vector<std::pair<double, double>>& ticks,
                     absl::string_view label, double label_offset) {
  pugi::xml_node g = Group(root_, "axis y");
  for (const auto& [y, value] : ticks) {
    Line(plot.left, y, plot.right(), y, "#e5e5e5", 1, g);
    Line(plot.left - 4, y, plot.left, y, "#333333", 1, g);
    Text(plot.left - 6, y + 3.5, FormatTick(value), 10, "end", g);
  }
  Line(plot.left, plot.top, plot.left, plot.bottom(), "#333333", 1, g);
  pugi::xml_node text = Text(0, 0, label, 11, "middle", g);
  text.append_attribute("transform") =
      absl::StrCat("translate(", Num(plot.left - label_offset), ",",
                   Num(plot.top + plot.height / 2), ") rotate(-90)")
          .c_str();
}

namespace {
template <typename Scale>
std::vector<std::pair<double, double>> Placed(const Scale& scale, const std::vector<double>& at) {
  std::vector<std::pair<double, double>> out;
  for (double t : at) out.push_back({scale(t), t});
  return out;
}
}  // namespace

void Canvas::XAxis(const Plot& plot, const LinearScale& scale, absl::string_view label, int ticks) {
  XAxisAt(plot, Placed(scale, scale.Ticks(ticks)), label);
}

void Canvas::YAxis(const Plot& plot, const LinearScale& scale, absl::string_view label, int ticks) {
  YAxisAt(plot, Placed(scale, scale.Ticks(ticks)), label, 40);
}

void Canvas::XLogAxis(const Plot& plot, const LogScale& scale, absl::string_view label) {
  XAxisAt(plot, Placed(scale, scale.Ticks()), label);
}

void Canvas::YLogAxis(const Plot& plot, const LogScale& scale, absl::string_view label) {
  YAxisAt(plot, Placed(scale, scale.Ticks()), label, 44);
}

void Canvas::Legend(double x, double y, const std::vector<std::string>& labels,
                    const std::vector<std::string>& colours) {
  pugi::xml_node g = Group(root_, "legend");
  for (size_t i = 0; i < labels.size() && i < colours.size(); ++i) {
    Rect(x, y - 9, 10, 10, colours[i], g);
    Text(x + 14, y, labels[i], 10, "start", g);
    x += 24 + 6.5 * static_cast<double>(labels[i].size());
    if (x > width_ - 80) {
      x = 12;
      y += 14;
    }
  }
}

Chart Canvas::Finish(const std::string& stem, std::string csv) && {
  Chart chart;
  chart.stem = stem;
  chart.title = title_;
  chart.svg = std::move(doc_);
  chart.csv = std::move(csv);
  return chart;
}

std::string Polyline(const std::vector<double>& xs, const std::vector<double>& ys) {
  std::string d;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    absl::StrAppend(&d, i == 0 ? "M" : " L", Num(xs[i]), " ", Num(ys[i]));
  }
  return d;
}

}  // namespace innoscope::report
