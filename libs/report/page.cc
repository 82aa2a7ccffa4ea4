#include "libs/report/page.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/report/charts.h"
#include "libs/report/page_builder.h"

namespace innoscope::report {
namespace internal {
namespace {

constexpr char kStyle[] = R"css(
body { font-family: 'Noto Sans', 'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC',
       'Microsoft YaHei', 'PingFang SC', sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { font-size: 24px; } h2 { font-size: 19px; border-bottom: 1px solid #ccc; margin-top: 36px; }
.synthetic { background: #c0392b; color: #fff; padding: 8px 12px; font-weight: bold; }
.meta { color: #555; font-size: 13px; }
figure { margin: 12px 0; display: inline-block; vertical-align: top; }
figcaption { font-size: 13px; color: #333; margin-top: 4px; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
.profile { display: flex; gap: 12px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 12.5px; margin: 8px 0 16px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; }
th { background: #f3f3f3; } td.text, th.text { text-align: left; }
)css";

std::string Label(const UnitScores& u) { return u.name.empty() ? u.code : u.name; }

std::string RankScore(int rank, const std::optional<double>& score) {
  if (rank == 0) return "";
  return score ? absl::StrCat(rank, " (", FormatNumber(*score, 2), ")") : absl::StrCat(rank);
}

}  // namespace

PageBuilder::PageBuilder(const ReportData& data) : data_(data) {
  pugi::xml_node html = doc_.append_child("html");
  html.append_attribute("xmlns") = "http://www.w3.org/1999/xhtml";
  html.append_attribute("lang") = "en";
  pugi::xml_node head = html.append_child("head");
  head.append_child("meta").append_attribute("charset") = "utf-8";
  pugi::xml_node viewport = head.append_child("meta");
  viewport.append_attribute("name") = "viewport";
  viewport.append_attribute("content") = "width=device-width, initial-scale=1";
  head.append_child("title").text() = data.title.c_str();
  head.append_child("style").text() = kStyle;
  body_ = html.append_child("body");
  body_.append_child("h1").text() = data.title.c_str();
  if (data.provenance.synthetic) {
    Paragraph(body_,
              data.provenance.notice.empty()
                  ? "SYNTHETIC DATA: some inputs of this report are generated; they describe no "
                    "real region or enterprise."
                  : data.provenance.notice,
              "synthetic");
  } else if (!data.provenance.notice.empty()) {
    Paragraph(body_, data.provenance.notice, "meta");
  }
  Paragraph(body_,
            absl::StrCat("Framework: ", data.framework, ". Source: ", data.provenance.source, "."),
            "meta");
}

pugi::xml_node PageBuilder::Section(const std::string& id, const std::string& heading) {
  pugi::xml_node s = body_.append_child("section");
  s.append_attribute("id") = id.c_str();
  s.append_child("h2").text() = heading.c_str();
  return s;
}

pugi::xml_node PageBuilder::Paragraph(pugi::xml_node parent, const std::string& text,
                                      const std::string& css_class) {
  pugi::xml_node p = parent.append_child("p");
  if (!css_class.empty()) p.append_attribute("class") = css_class.c_str();
  p.text() = text.c_str();
  return p;
}

pugi::xml_node PageBuilder::Figure(pugi::xml_node parent, Chart chart) {
  pugi::xml_node figure = parent.append_child("figure");
  figure.append_attribute("id") = absl::StrCat("figure-", chart.stem).c_str();
  figure.append_attribute("data-chart") = chart.stem.c_str();
  figure.append_copy(chart.svg->document_element());
  figure.append_child("figcaption").text() =
      absl::StrCat("Figure ", ++figures_, ". ", chart.title, " (charts/", chart.stem,
                   ".svg; numbers: data/", chart.stem, ".csv)")
          .c_str();
  files_.charts.push_back(std::move(chart));
  return figure;
}

pugi::xml_node PageBuilder::Table(pugi::xml_node parent, const std::string& name,
                                  const std::string& caption,
                                  const std::vector<std::string>& header) {
  pugi::xml_node table = parent.append_child("table");
  table.append_attribute("data-table") = name.c_str();
  table.append_child("caption").text() = absl::StrCat("Table ", ++tables_, ". ", caption).c_str();
  pugi::xml_node tr = table.append_child("thead").append_child("tr");
  for (const std::string& h : header) tr.append_child("th").text() = h.c_str();
  table.append_child("tbody");
  return table;
}

void PageBuilder::Row(pugi::xml_node table, const std::vector<std::string>& cells) {
  pugi::xml_node tr = table.child("tbody").append_child("tr");
  for (const std::string& cell : cells) {
    pugi::xml_node td = tr.append_child("td");
    const bool number =
        !cell.empty() && cell.find_first_not_of("0123456789.-+ ()%") == std::string::npos;
    if (!number) td.append_attribute("class") = "text";
    td.text() = cell.c_str();
  }
}

void PageBuilder::TableCsv(const std::string& name, std::string csv) {
  files_.tables.push_back({name, std::move(csv)});
}

ChartMeta PageBuilder::Meta(const std::string& period) const {
  return {"", data_.provenance.source, period, data_.provenance.synthetic};
}

ReportFiles PageBuilder::Finish() && {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n";
  doc_.save(out, "",
            pugi::format_raw | pugi::format_no_declaration | pugi::format_no_empty_element_tags,
            pugi::encoding_utf8);
  files_.index_html = out.str();
  return std::move(files_);
}

namespace {

void AddRankingSection(PageBuilder& page) {
  const ReportData& data = page.data();
  const PeriodResult& p = data.periods.back();
  const std::string period = PeriodText(p);
  pugi::xml_node s = page.Section("ranking", absl::StrCat("Composite ranking ", period));
  const bool tiers = std::any_of(p.regions.begin(), p.regions.end(),
                                 [](const UnitScores& u) { return u.tier > 0; });
  std::vector<std::string> header = {"rank", "code", "region", "score"};
  if (tiers) header.push_back("tier");
  for (const Dimension& d : p.dimensions) header.push_back(d.name.empty() ? d.code : d.name);
  pugi::xml_node table = page.Table(
      s, "ranking",
      absl::StrCat("Composite score and rank by region (unit: region), ", period, "; run ", p.run),
      header);
  for (const UnitScores& u : p.regions) {
    std::vector<std::string> row = {u.rank > 0 ? absl::StrCat(u.rank) : "", u.code, u.name,
                                    OptionalNumber(u.score, 2)};
    if (tiers) row.push_back(u.tier > 0 ? absl::StrCat(u.tier) : "");
    for (const auto& v : u.dimensions) row.push_back(OptionalNumber(v, 2));
    PageBuilder::Row(table, row);
  }
  page.Figure(s, CompositeBars(p, page.Meta(period)));
  if (data.periods.size() < 2) return;
  const std::string range = absl::StrCat(data.periods.front().period, "-", p.period);
  std::vector<std::string> years = {"code", "region"};
  for (const PeriodResult& q : data.periods) years.push_back(absl::StrCat(q.period));
  pugi::xml_node by_year =
      page.Table(s, "rank_by_year", absl::StrCat("Composite rank (score) by year, ", range), years);
  std::string csv = CsvLine(years);
  for (const UnitScores& u : p.regions) {
    std::vector<std::string> row = {u.code, u.name};
    for (const PeriodResult& q : data.periods) {
      auto it = std::find_if(q.regions.begin(), q.regions.end(),
                             [&](const UnitScores& v) { return v.code == u.code; });
      row.push_back(it == q.regions.end() ? "" : RankScore(it->rank, it->score));
    }
    PageBuilder::Row(by_year, row);
    csv += CsvLine(row);
  }
  page.TableCsv("rank_by_year", std::move(csv));
  page.Figure(s, BumpChart(data.periods, page.Meta(range)));
}

void AddDimensionSection(PageBuilder& page) {
  const PeriodResult& p = page.data().periods.back();
  if (p.dimensions.empty()) return;
  pugi::xml_node s = page.Section("dimensions", absl::StrCat("Dimension rankings ", PeriodText(p)));
  pugi::xml_node grid = s.append_child("div");
  grid.append_attribute("class") = "grid";
  for (size_t d = 0; d < p.dimensions.size(); ++d) {
    page.Figure(grid, DimensionBars(p, d, page.Meta(PeriodText(p))));
  }
}

void AddProfile(PageBuilder& page, pugi::xml_node parent, const PeriodResult& p,
                const UnitScores& unit, bool cluster) {
  pugi::xml_node box = parent.append_child("div");
  box.append_attribute("class") = "profile";
  page.Figure(box, RadarChart(p, unit, cluster, page.Meta(PeriodText(p))));
  const Profile profile =
      StrengthsAndWeaknesses(unit, cluster ? p.clusters.size() : p.regions.size());
  pugi::xml_node list = box.append_child("div");
  list.append_child("h3").text() = Label(unit).c_str();
  page.Paragraph(list, absl::StrCat("Composite rank ", RankScore(unit.rank, unit.score), " of ",
                                    cluster ? p.clusters.size() : p.regions.size()));
  for (bool strong : {true, false}) {
    list.append_child("h4").text() = strong ? "Strengths" : "Weaknesses";
    pugi::xml_node ul = list.append_child("ul");
    const std::vector<size_t>& dims = strong ? profile.strengths : profile.weaknesses;
    if (dims.empty()) ul.append_child("li").text() = "none beyond the threshold";
    for (size_t d : dims) {
      const Dimension& dim = p.dimensions[d];
      ul.append_child("li").text() =
          absl::StrCat(dim.name.empty() ? dim.code : dim.name, ": rank ", unit.dimension_ranks[d],
                       " (composite ", unit.rank, ")")
              .c_str();
    }
  }
}

void AddClusterSection(PageBuilder& page) {
  const ReportData& data = page.data();
  const PeriodResult& p = data.periods.back();
  std::vector<const UnitScores*> regions;
  for (const std::string& code : data.profile_regions) {
    for (const UnitScores& u : p.regions) {
      if (u.code == code) regions.push_back(&u);
    }
  }
  if (p.clusters.empty() && regions.empty()) return;
  pugi::xml_node s =
      page.Section("clusters", absl::StrCat("Clusters and profiles ", PeriodText(p)));
  if (!p.clusters.empty()) {
    std::vector<std::string> header = {"cluster", "members", "composite"};
    for (const Dimension& d : p.dimensions) header.push_back(d.name.empty() ? d.code : d.name);
    pugi::xml_node table = page.Table(
        s, "clusters",
        absl::StrCat("Rank of each cluster (unit: economic circle, the sum of its member "
                     "regions), score in parentheses, ",
                     PeriodText(p)),
        header);
    std::string csv = CsvLine({"cluster", "name", "members", "rank", "score"});
    for (const UnitScores& u : p.clusters) {
      std::vector<std::string> row = {Label(u), absl::StrJoin(u.members, " "),
                                      RankScore(u.rank, u.score)};
      for (size_t d = 0; d < p.dimensions.size(); ++d) {
        row.push_back(RankScore(d < u.dimension_ranks.size() ? u.dimension_ranks[d] : 0,
                                d < u.dimensions.size() ? u.dimensions[d] : std::nullopt));
      }
      PageBuilder::Row(table, row);
      csv += CsvLine({u.code, u.name, absl::StrJoin(u.members, " "), absl::StrCat(u.rank),
                      OptionalNumber(u.score, 6)});
    }
    page.TableCsv("clusters", std::move(csv));
  }
  page.Paragraph(s,
                 "Radar axes run from 0 to the highest score among the cluster's (region's) "
                 "peers at each dimension. A strength (weakness) is a dimension ranked at "
                 "least max(1, units / 6) places better (worse) than the composite rank.",
                 "meta");
  for (const UnitScores& u : p.clusters) AddProfile(page, s, p, u, true);
  for (const UnitScores* u : regions) AddProfile(page, s, p, *u, false);
}

void AddChangesSection(PageBuilder& page) {
  const ReportData& data = page.data();
  if (data.periods.size() < 2) return;
  const PeriodResult& prev = data.periods[data.periods.size() - 2];
  const PeriodResult& cur = data.periods.back();
  pugi::xml_node s =
      page.Section("changes", absl::StrCat("Changes from ", prev.period, " to ", cur.period));
  page.Figure(s, SlopeChart(prev, cur, page.Meta(absl::StrCat(prev.period, "-", cur.period))));
  struct Move {
    const UnitScores* unit;
    int before;
  };
  std::vector<Move> moves;
  for (const UnitScores& u : cur.regions) {
    for (const UnitScores& v : prev.regions) {
      if (v.code == u.code && v.rank > 0 && u.rank > 0) moves.push_back({&u, v.rank});
    }
  }
  std::stable_sort(moves.begin(), moves.end(), [](const Move& a, const Move& b) {
    return a.before - a.unit->rank > b.before - b.unit->rank;
  });
  pugi::xml_node table = page.Table(
      s, "movers",
      absl::StrCat("Largest rises and falls in composite rank, ", prev.period, " to ", cur.period),
      {"direction", "code", "region", absl::StrCat("rank ", prev.period),
       absl::StrCat("rank ", cur.period), "change"});
  const size_t n = std::min<size_t>(5, moves.size() / 2);
  for (size_t k = 0; k < n; ++k) {
    const Move& m = moves[k];
    if (m.before - m.unit->rank <= 0) break;
    PageBuilder::Row(table, {"up", m.unit->code, m.unit->name, absl::StrCat(m.before),
                             absl::StrCat(m.unit->rank), absl::StrCat(m.before - m.unit->rank)});
  }
  for (size_t k = 0; k < n; ++k) {
    const Move& m = moves[moves.size() - 1 - k];
    if (m.before - m.unit->rank >= 0) break;
    PageBuilder::Row(table, {"down", m.unit->code, m.unit->name, absl::StrCat(m.before),
                             absl::StrCat(m.unit->rank), absl::StrCat(m.before - m.unit->rank)});
  }
}

void AddScatterSection(PageBuilder& page) {
  const std::optional<ScatterData>& scatter = page.data().scatter;
  if (!scatter.has_value()) return;
  pugi::xml_node s = page.Section("scatter", "Two indicators by region");
  ChartMeta meta =
      page.Meta(scatter->period > 0 ? absl::StrCat(scatter->period) : "as in the data file");
  if (!scatter->source.empty()) meta.source = scatter->source;
  page.Figure(s, ScatterChart(*scatter, meta));
}

}  // namespace
}  // namespace internal

absl::StatusOr<ReportFiles> BuildReport(const ReportData& data) {
  if (data.periods.empty() && !data.network.has_value()) {
    return absl::InvalidArgumentError("report: no period and no network to report");
  }
  for (const PeriodResult& p : data.periods) {
    for (const auto* units : {&p.regions, &p.clusters}) {
      for (const UnitScores& u : *units) {
        if (u.dimensions.size() != p.dimensions.size() ||
            u.dimension_ranks.size() != p.dimensions.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("report: period ", p.period, " unit ", u.code, " has ",
                           u.dimensions.size(), " dimension scores and ", u.dimension_ranks.size(),
                           " ranks for ", p.dimensions.size(), " dimensions"));
        }
      }
    }
  }
  internal::PageBuilder page(data);
  if (!data.periods.empty()) {
    internal::AddRankingSection(page);
    internal::AddDimensionSection(page);
    internal::AddClusterSection(page);
    internal::AddChangesSection(page);
  }
  internal::AddUncertaintySection(page);
  internal::AddNetworkSection(page);
  internal::AddScatterSection(page);
  return std::move(page).Finish();
}

absl::Status WriteReport(const ReportFiles& files, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  for (const char* sub : {"", "charts", "data"}) {
    fs::create_directories(fs::path(dir) / sub, error);
    if (error) {
      return absl::PermissionDeniedError(absl::StrCat(
          "report: cannot create ", (fs::path(dir) / sub).string(), ": ", error.message()));
    }
  }
  auto write = [&](const fs::path& path, const std::string& text) -> absl::Status {
    const fs::path temporary = path.string() + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out.flush()) {
        return absl::PermissionDeniedError(absl::StrCat("report: cannot write ", path.string()));
      }
    }
    fs::rename(temporary, path, error);
    if (error) {
      return absl::PermissionDeniedError(
          absl::StrCat("report: cannot write ", path.string(), ": ", error.message()));
    }
    return absl::OkStatus();
  };
  for (const Chart& chart : files.charts) {
    absl::Status s = write(fs::path(dir) / "charts" / (chart.stem + ".svg"), chart.SvgText());
    if (s.ok()) s = write(fs::path(dir) / "data" / (chart.stem + ".csv"), chart.csv);
    if (!s.ok()) return s;
  }
  for (const auto& [name, csv] : files.tables) {
    if (absl::Status s = write(fs::path(dir) / "data" / (name + ".csv"), csv); !s.ok()) return s;
  }
  return write(fs::path(dir) / "index.html", files.index_html);
}

}  // namespace innoscope::report
