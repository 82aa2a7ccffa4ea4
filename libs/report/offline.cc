#include "libs/report/offline.h"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/graph/algorithm.h"
#include "libs/index/csv.h"

namespace innoscope::report {
namespace {

std::optional<double> Present(double v) {
  return index::IsMissingValue(v) ? std::nullopt : std::optional<double>(v);
}

std::string NameOf(const std::map<std::string, std::string>& names, const std::string& code) {
  auto it = names.find(code);
  return it == names.end() ? "" : it->second;
}

}  // namespace

PeriodResult PeriodFromPipeline(const index::Framework& framework,
                                const scoring::PipelineResult& result, int32_t period,
                                const std::string& run,
                                const std::map<std::string, std::string>& names) {
  PeriodResult out;
  out.period = period;
  out.run = run;
  const int root = framework.Root();
  const std::vector<int>& children = framework.Children(root);
  for (int c : children) {
    const index::FrameworkNode& node = framework.Node(c);
    out.dimensions.push_back({node.code, node.name_en.empty() ? node.name : node.name_en});
  }
  const index::DataMatrix& scores = result.scores;
  for (size_t r = 0; r < scores.rows(); ++r) {
    UnitScores u;
    u.code = scores.regions()[r];
    u.name = NameOf(names, u.code);
    u.score = Present(scores.Get(r, static_cast<size_t>(root)));
    u.rank = result.ranks[static_cast<size_t>(root)][r];
    for (int c : children) {
      u.dimensions.push_back(Present(scores.Get(r, static_cast<size_t>(c))));
      u.dimension_ranks.push_back(result.ranks[static_cast<size_t>(c)][r]);
    }
    out.regions.push_back(std::move(u));
  }
  std::stable_sort(out.regions.begin(), out.regions.end(),
                   [](const UnitScores& a, const UnitScores& b) {
                     return (a.rank == 0 ? 1 << 30 : a.rank) < (b.rank == 0 ? 1 << 30 : b.rank);
                   });
  return out;
}

absl::StatusOr<ScatterData> ScatterFromPipeline(const index::Framework& framework,
                                                const scoring::PipelineResult& result,
                                                const std::string& x, const std::string& y,
                                                int32_t period,
                                                const std::map<std::string, std::string>& names) {
  ScatterData out;
  out.period = period;
  int columns[2];
  for (int k = 0; k < 2; ++k) {
    const std::string& code = k == 0 ? x : y;
    const int node = framework.Find(code);
    columns[k] = result.raw.IndicatorIndex(code);
    if (node < 0 || !framework.IsLeaf(node) || columns[k] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--scatter: ", code, " is not an indicator (leaf) of the framework"));
    }
    const index::FrameworkNode& n = framework.Node(node);
    (k == 0 ? out.x_code : out.y_code) = code;
    (k == 0 ? out.x_name : out.y_name) = n.name_en.empty() ? n.name : n.name_en;
    (k == 0 ? out.x_unit : out.y_unit) = n.unit;
  }
  for (size_t r = 0; r < result.raw.rows(); ++r) {
    const double vx = result.raw.Get(r, static_cast<size_t>(columns[0]));
    const double vy = result.raw.Get(r, static_cast<size_t>(columns[1]));
    if (index::IsMissingValue(vx) || index::IsMissingValue(vy)) continue;
    const std::string& code = result.raw.regions()[r];
    out.points.push_back({code, NameOf(names, code), vx, vy});
  }
  return out;
}

absl::StatusOr<DataFileFacts> ReadDataFileFacts(const std::string& path,
                                                const std::string& region_column) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<index::CsvTable> table = index::ParseCsvTable(text.str());
  if (!table.ok()) return table.status();
  DataFileFacts out;
  for (const index::CsvRow& row : table->rows) {
    for (const std::string& cell : row.fields) out.synthetic |= cell == "synthetic";
  }
  auto column = [&](std::initializer_list<const char*> candidates) -> int {
    for (const char* c : candidates) {
      if (int i = table->Column(c); i >= 0) return i;
    }
    return -1;
  };
  int code = -1;
  if (!region_column.empty()) {
    code = table->Column(region_column);
  } else {
    code = column({"region_code", "uCode", "iso3", "code", "region"});
    if (code < 0 && !table->header.empty()) code = 0;
  }
  const int name = column({"name_en", "uName", "name", "region_name"});
  if (code < 0 || name < 0) return out;
  for (const index::CsvRow& row : table->rows) {
    out.names[row.fields[static_cast<size_t>(code)]] = row.fields[static_cast<size_t>(name)];
  }
  return out;
}

absl::StatusOr<NetworkSection> NetworkFromGraph(const graph::Graph& g, const std::string& label,
                                                int32_t period, const LayoutOptions& layout) {
  NetworkSection out;
  out.relation_set = label;
  out.up_to = period;
  out.source = absl::StrCat("edge list ", label, " (computed with libs/graph)");
  graph::StatsOptions options;
  options.convention = graph::Convention::kGephi;
  options.approximation.enabled = g.NumNodes() > 5000;
  absl::StatusOr<graph::NetworkStatistics> stats =
      graph::ComputeNetworkStatistics(g, options, graph::Interrupt());
  if (!stats.ok()) return stats.status();
  out.years.push_back(YearOf(*stats, period));
  out.degrees = DegreesOf(g);
  out.top = TopByDegree(g, 20);
  absl::StatusOr<NetworkLayout> picture = LayoutNetwork(g, layout);
  if (!picture.ok()) return picture.status();
  out.layout = *std::move(picture);
  return out;
}

}  // namespace innoscope::report
