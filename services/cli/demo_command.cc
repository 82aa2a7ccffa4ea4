// innoscope demo generate --seed N --regions R.csv --framework F.csv --out DIR
//                         [--enterprises 2200] [--first_year 2014 --last_year 2022]
//
// Writes the synthetic data of the bundled demo (libs/synth): DIR/actors.csv,
// DIR/relations.csv and DIR/observations.csv in the layouts `innoscope
// import actors|relations|observations` read, and DIR/SYNTHETIC.txt saying
// what was generated and that none of it is real (demo_files.h). Nothing
// needs to run. The provinces are the regions of kind province in R.csv
// (the layout of `import regions`); the indicators the leaves of F.csv (the
// layout of `import framework`), minus those the network service derives
// from the relations (--derived). The same flags give the same bytes.

#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/index/csv_stream.h"
#include "libs/synth/synthetic_data.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/demo_files.h"
#include "services/cli/output_file.h"
#include "services/cli/record_csv.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::ingest::v1;

constexpr char kDemoUsage[] =
    "Usage: innoscope demo <command> [flags]\n\n"
    "Commands:\n"
    "  generate   write the demo's synthetic actors, relations and observations as the\n"
    "             CSV files 'innoscope import' reads (seeded; every file marked synthetic)\n\n"
    "Run 'innoscope demo generate --help' for its flags.\n";

template <typename T>
T OrExit(const std::string& program, absl::StatusOr<T> value) {
  if (!value.ok()) config::ExitInvalidConfig(program, std::string(value.status().message()));
  return *std::move(value);
}

absl::StatusOr<std::vector<synth::Province>> ReadProvinces(const std::string& path) {
  absl::StatusOr<std::string> text = index::ReadFileText(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<v1::Region>> regions = ParseRegionsCsv(*text);
  if (!regions.ok()) {
    return absl::Status(regions.status().code(),
                        absl::StrCat("--regions ", path, ": ", regions.status().message()));
  }
  std::vector<synth::Province> provinces;
  for (const v1::Region& r : *regions) {
    if (r.kind() != v1::REGION_KIND_PROVINCE) continue;
    provinces.push_back({r.code(), r.name_en().empty() ? r.name() : r.name_en()});
  }
  if (provinces.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--regions ", path,
                     " has no region of kind province; the demo generates data for "
                     "provinces (e.g. examples/ai_index/regions.csv)"));
  }
  return provinces;
}

// The framework's leaf codes in file order: the nodes no node names as its
// parent.
absl::StatusOr<std::vector<std::string>> ReadLeaves(const std::string& path) {
  absl::StatusOr<std::string> text = index::ReadFileText(path);
  if (!text.ok()) return text.status();
  FrameworkImport import;
  import.code = "framework";
  absl::StatusOr<v1::CreateFrameworkRequest> request = ParseFrameworkCsv(*text, import);
  if (!request.ok()) {
    return absl::Status(request.status().code(),
                        absl::StrCat("--framework ", path, ": ", request.status().message()));
  }
  std::set<std::string> parents;
  for (const v1::FrameworkNode& node : request->nodes()) parents.insert(node.parent_code());
  std::vector<std::string> leaves;
  for (const v1::FrameworkNode& node : request->nodes()) {
    if (parents.count(node.code()) == 0) leaves.push_back(node.code());
  }
  return leaves;
}

absl::Status WriteFile(const std::filesystem::path& path, std::string text) {
  absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open(path.string());
  if (!out.ok()) return out.status();
  *(*out)->buffer() = std::move(text);
  return (*out)->Commit();
}

int RunGenerate(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "demo generate",
      "Writes the demo's synthetic data: DIR/actors.csv, DIR/relations.csv and "
      "DIR/observations.csv (the layouts 'innoscope import' reads) and DIR/SYNTHETIC.txt. "
      "A seeded model of a value network shaped like the published AI-enterprise network "
      "and of the framework's other indicators per province and year (docs/demo.md). "
      "Every file is marked synthetic. Nothing needs to run.",
      {});
  flags.Add("seed", "1", "random seed; the same flags give the same files");
  flags.Add("regions", "", "regions CSV (the layout of 'import regions'); its provinces are used");
  flags.Add("framework", "",
            "framework CSV (the layout of 'import framework'); its leaves are "
            "the indicators");
  flags.Add("out", "", "output folder (created when missing)");
  flags.Add("enterprises", "2200", "sample enterprises (at least one per province)");
  flags.Add("first_year", "2014", "first year of relations and observations");
  flags.Add("last_year", "2022", "last year of relations and observations");
  flags.Add("relations_per_enterprise", "12", "relations per sample enterprise by the last year");
  flags.Add("derived", absl::StrJoin(synth::DefaultDerivedIndicators(), ","),
            "comma-separated leaves the network service derives from the relations; no "
            "observations are generated for them");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  const config::ParsedFlags& f = cmd.flags;
  for (const char* required : {"regions", "framework", "out"}) {
    if (f.Get(required).empty()) {
      config::ExitInvalidConfig(cmd.program, absl::StrCat("--", required, " is required"));
    }
  }
  synth::SyntheticOptions options;
  options.seed = static_cast<uint64_t>(
      OrExit(cmd.program, f.GetInt("seed", 0, std::numeric_limits<int64_t>::max())));
  options.enterprises =
      static_cast<int32_t>(OrExit(cmd.program, f.GetInt("enterprises", 1, 1000000)));
  options.first_year =
      static_cast<int32_t>(OrExit(cmd.program, f.GetInt("first_year", 1900, 2100)));
  options.last_year = static_cast<int32_t>(OrExit(cmd.program, f.GetInt("last_year", 1900, 2100)));
  options.relations_per_enterprise = OrExit(cmd.program, f.GetDouble("relations_per_enterprise"));
  options.derived_indicators = absl::StrSplit(f.Get("derived"), ',', absl::SkipWhitespace());

  absl::StatusOr<std::vector<synth::Province>> provinces = ReadProvinces(f.Get("regions"));
  if (!provinces.ok()) return Fail(cmd.program, provinces.status());
  absl::StatusOr<std::vector<std::string>> leaves = ReadLeaves(f.Get("framework"));
  if (!leaves.ok()) return Fail(cmd.program, leaves.status());
  absl::StatusOr<synth::SyntheticData> data =
      synth::GenerateSyntheticData(*provinces, *leaves, options);
  if (!data.ok()) {
    return Fail(cmd.program, data.status(), "fix the flag or file named above");
  }
  DemoFiles files = RenderDemoFiles(*data, options);

  const std::filesystem::path dir(f.Get("out"));
  if (absl::Status created = CreateOutputFolder(dir.string()); !created.ok()) {
    return Fail(cmd.program, created, "choose a folder you can write to");
  }
  // The notice first: a folder with any generated file always says what it is.
  for (auto& [name, text] : std::vector<std::pair<const char*, std::string*>>{
           {"SYNTHETIC.txt", &files.notice},
           {"actors.csv", &files.actors},
           {"relations.csv", &files.relations},
           {"observations.csv", &files.observations}}) {
    if (absl::Status s = WriteFile(dir / name, std::move(*text)); !s.ok()) {
      return Fail(cmd.program, s, "choose a folder you can write to");
    }
  }
  size_t platforms = 0;
  for (const synth::Actor& a : data->actors) platforms += a.platform ? 1 : 0;
  std::printf(
      "synthetic=true seed=%llu actors=%zu platforms=%zu relations=%zu observations=%zu "
      "indicators=%zu derived=%zu out=%s\n",
      static_cast<unsigned long long>(options.seed), data->actors.size(), platforms,
      data->relations.size(), data->observations.size(), data->generated_indicators.size(),
      data->derived_indicators.size(), dir.string().c_str());
  if (data->derived_indicators.empty()) {
    std::fprintf(stderr,
                 "%s: note: no framework leaf is among --derived; every leaf got generated "
                 "observations\n",
                 cmd.program.c_str());
  }
  return 0;
}

}  // namespace

int RunDemo(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kDemoUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "generate") return RunGenerate(rest);
  std::fprintf(stderr, "innoscope demo: unknown command \"%s\"\n\n%s", args[0].c_str(), kDemoUsage);
  return 2;
}

}  // namespace innoscope::cli
