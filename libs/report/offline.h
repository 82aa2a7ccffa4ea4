#pragma once

// The report's data from files (`innoscope report --framework F.csv --data
// D.csv [--edges E.csv] --format html`): a period's results from a
// libs/scoring pipeline run, a scatter of two indicators from its raw
// values, region names from the data file, and the network section of a
// graph file. The same RunPipeline the scoring service runs computes the
// numbers, so the offline report shows what `innoscope score` prints.
//
//   ASSIGN_OR_RETURN(scoring::PipelineResult r, scoring::RunPipeline(inputs, spec));
//   PeriodResult p = PeriodFromPipeline(framework, r, 2022, "D.csv", names);
//   ASSIGN_OR_RETURN(ScatterData s, ScatterFromPipeline(framework, r, "papers", "patents",
//                                                       2022, names));

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/graph/graph.h"
#include "libs/index/framework.h"
#include "libs/report/network_builder.h"
#include "libs/report/report_data.h"
#include "libs/scoring/pipeline.h"

namespace innoscope::report {

// The composite (the framework's root) and its children as dimensions, every
// region in composite rank order (unranked last, in data order), scores as
// aggregated and the pipeline's competition ranks.
PeriodResult PeriodFromPipeline(const index::Framework& framework,
                                const scoring::PipelineResult& result, int32_t period,
                                const std::string& run,
                                const std::map<std::string, std::string>& names);

// Raw (after denomination) values of leaves x and y per region.
// INVALID_ARGUMENT naming the code that is not a leaf of the framework.
absl::StatusOr<ScatterData> ScatterFromPipeline(const index::Framework& framework,
                                                const scoring::PipelineResult& result,
                                                const std::string& x, const std::string& y,
                                                int32_t period,
                                                const std::map<std::string, std::string>& names);

// What the report takes from the data file beside the values: region code
// -> name, from the code column `region_column` (empty: the first of
// region_code, uCode, iso3, code, region, else the first column) and the
// first of name_en, uName, name, region_name present (none: no names); and
// whether the file says it is synthetic (any cell "synthetic", the mark of
// `innoscope demo generate`). NOT_FOUND for a file that cannot be read,
// INVALID_ARGUMENT for a malformed CSV.
struct DataFileFacts {
  std::map<std::string, std::string> names;
  bool synthetic = false;
};
absl::StatusOr<DataFileFacts> ReadDataFileFacts(const std::string& path,
                                                const std::string& region_column);

// Statistics (Gephi's convention, exact distances up to 5,000 nodes, else
// sampled), degree distribution, top 20 by degree and the layout of a graph
// file's graph, as of `period` (0: not known). `label` names it (the file)
// in the source line.
absl::StatusOr<NetworkSection> NetworkFromGraph(const graph::Graph& graph, const std::string& label,
                                                int32_t period, const LayoutOptions& layout);

}  // namespace innoscope::report
