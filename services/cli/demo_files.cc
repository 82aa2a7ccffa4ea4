#include "services/cli/demo_files.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/cli/number_text.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

Cell Flag(bool value) { return Cell::Text(value ? "true" : "false"); }
Cell Whole(int64_t value) { return Cell::Number(absl::StrCat(value)); }

std::string ActorsCsv(const synth::SyntheticData& data) {
  std::string out;
  TableWriter writer(TableFormat::kCsv,
                     {"code", "name", "kind", "province", "sample", "platform", "foreign", "layer",
                      "first_year", "provenance"},
                     &out);
  for (const synth::Actor& a : data.actors) {
    writer.Row({Cell::Text(a.code), Cell::Text(a.name),
                Cell::Text(std::string(synth::ActorKindName(a.kind))), Cell::Text(a.province),
                Flag(a.sample), Flag(a.platform), Flag(a.foreign),
                Cell::Text(std::string(synth::LayerName(a.layer))), Whole(a.first_year),
                Cell::Text(kSyntheticSource)});
  }
  writer.Finish();
  return out;
}

std::string RelationsCsv(const synth::SyntheticData& data) {
  std::string out;
  TableWriter writer(
      TableFormat::kCsv,
      {"source", "target", "type", "year", "amount", "qualifier", "international", "provenance"},
      &out);
  for (const synth::Relation& r : data.relations) {
    writer.Row({Cell::Text(data.actors[r.source].code), Cell::Text(data.actors[r.target].code),
                Cell::Text(r.type), Whole(r.year),
                r.amount.has_value() ? Cell::Number(FormatDouble(*r.amount)) : Cell::Absent(),
                Cell::Text(r.qualifier), r.international ? Cell::Text("true") : Cell::Absent(),
                Cell::Text(kSyntheticSource)});
  }
  writer.Finish();
  return out;
}

std::string ObservationsCsv(const synth::SyntheticData& data) {
  std::string out;
  TableWriter writer(TableFormat::kCsv, {"region", "indicator", "period", "value", "source"}, &out);
  for (const synth::Observation& o : data.observations) {
    writer.Row({Cell::Text(o.region), Cell::Text(o.indicator), Whole(o.period),
                Cell::Number(FormatDouble(o.value)), Cell::Text(kSyntheticSource)});
  }
  writer.Finish();
  return out;
}

std::string Notice(const synth::SyntheticData& data, const synth::SyntheticOptions& options) {
  int64_t sample = 0, platforms = 0, foreign = 0, international = 0;
  for (const synth::Actor& a : data.actors) {
    sample += a.sample ? 1 : 0;
    platforms += a.platform ? 1 : 0;
    foreign += a.foreign ? 1 : 0;
  }
  std::map<std::string, int64_t> by_type;
  std::map<int32_t, int64_t> by_year;
  for (const synth::Relation& r : data.relations) {
    ++by_type[r.type];
    ++by_year[r.year];
    international += r.international ? 1 : 0;
  }
  std::vector<std::string> types, years;
  for (const auto& [type, n] : by_type) types.push_back(absl::StrCat(type, " ", n));
  for (const auto& [year, n] : by_year) years.push_back(absl::StrCat(year, " ", n));
  std::set<std::string> regions;
  for (const synth::Observation& o : data.observations) regions.insert(o.region);
  return absl::StrCat(
      "SYNTHETIC DATA -- NOT REAL\n\n"
      "Every actor, relation and indicator value in this folder was made up by\n"
      "`innoscope demo generate`, a seeded random model shaped like the published\n"
      "AI-enterprise value network (docs/demo.md). It is demo data: it is not the\n"
      "data of any report, and no figure computed from it describes a real region\n"
      "or enterprise. Every file says so: actor names start with \"Synthetic\" and\n"
      "every actor and relation has provenance=synthetic; every observation has\n"
      "the source \"synthetic\".\n\n"
      "Parameters: seed ",
      options.seed, ", enterprises ", options.enterprises, ", years ", options.first_year, "-",
      options.last_year, ", relations per enterprise ",
      FormatDouble(options.relations_per_enterprise), ", platform share ",
      FormatDouble(options.platform_share), ", annual growth ", FormatDouble(options.annual_growth),
      ".\n\n", "actors.csv        ", data.actors.size(), " actors: ", sample,
      " sample enterprises (", platforms, " platforms), ",
      data.actors.size() - static_cast<size_t>(sample), " relation nodes (", foreign, " foreign)\n",
      "relations.csv     ", data.relations.size(), " relations (", international,
      " international)\n", "                  by type: ", absl::StrJoin(types, ", "), "\n",
      "                  by year: ", absl::StrJoin(years, ", "), "\n", "observations.csv  ",
      data.observations.size(), " observations: ", regions.size(), " provinces x ",
      data.generated_indicators.size(), " indicators x ",
      options.last_year - options.first_year + 1, " periods\n",
      "                  left to the network service (derived from relations.csv):\n",
      "                  ",
      data.derived_indicators.empty() ? "none" : absl::StrJoin(data.derived_indicators, ", "),
      "\n");
}

}  // namespace

DemoFiles RenderDemoFiles(const synth::SyntheticData& data,
                          const synth::SyntheticOptions& options) {
  DemoFiles files;
  files.actors = ActorsCsv(data);
  files.relations = RelationsCsv(data);
  files.observations = ObservationsCsv(data);
  files.notice = Notice(data, options);
  return files;
}

}  // namespace innoscope::cli
