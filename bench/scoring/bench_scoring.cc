// The scoring benchmark's C++ side (bench/scoring/run.sh runs it next to
// peer_numpy.py on the same files):
//
//   bench_scoring generate DIR TAG REGIONS INDICATORS PILLARS GROUPS [PERIODS]
//       writes a synthetic case into DIR (fixed seed: the same files on
//       every machine):
//         framework.csv  COINr iMeta (Level,iCode,...,Parent,Type): INDICATORS
//                        leaves (level 1) in GROUPS level-2 groups of at least
//                        2, in PILLARS level-3 pillars of at least 2 groups,
//                        under one composite (level 4); random relative
//                        weights 0.5-1.5, a fifth of the leaves "less is
//                        better";
//         data.csv       wide form, REGIONS rows: every indicator mixes a
//                        common factor with its own noise; 40% normal, 30%
//                        log-normal (long right tail), 15% normal with rare
//                        extreme values, 15% with a long left tail; 3% of the
//                        cells empty (missing);
//         data_<k>.csv   with PERIODS > 1 (default 1), the same for the
//                        k-th period, k = 2..PERIODS: fresh draws of the same
//                        model (data.csv is the first period, the same file
//                        whatever PERIODS is);
//         regions.csv    code,name,kind for `innoscope import regions`.
//       Codes start with TAG, so several cases can share one database.
//   bench_scoring pipeline DIR [BEST_OF]
//       times scoring::RunPipeline (libs/scoring, its C++ API) on every
//       hardware thread (RunControl: outlier treatment and normalisation
//       column by column, ranks node by node) on the case with the
//       benchmark's spec (below); writes the composite score and rank of
//       every region to DIR/ours_pipeline.csv.
//   bench_scoring mc DIR REPLICATES LEVELS [BEST_OF]
//       times the Monte Carlo analysis: the uncertainty model
//       (libs/scoring/uncertainty_model.h, what the scoring service's
//       ComputeUncertainty and `innoscope uncertainty` run) and
//       scoring::RunMonteCarlo on every hardware thread, from the loaded data
//       to the rank intervals; weights perturbed at LEVELS (e.g. "1,2,3");
//       writes the intervals to DIR/ours_mc.csv.
//
// Each prints "ours case=<case> seconds=<s> threads=<t> cpu_seconds=<c>":
// the best of BEST_OF (default 3) runs (c: the least CPU seconds of a run,
// all threads). Reading the files is not timed.
//
// The spec (peer_numpy.py does the same; keep both in step):
//   imputation     column mean;
//   outliers       COINr Treat defaults: |skew| >= 2 and kurtosis >= 3.5
//                  fail; winsorise up to 5 points, else log (mirrored for a
//                  left tail);
//   normalisation  min-max onto [1, 100] (1, not 0, so that the geometric
//                  alternative is defined), directions from the framework;
//   weights        the framework's Weight column, relative to siblings;
//   aggregation    arithmetic at every level; competition ranks.
// Monte Carlo assumptions: weights at LEVELS times U(0.75, 1.25);
// normalisation: min-max (nominal), rank or percentile rank; aggregation:
// arithmetic (nominal) or geometric at every level; seed kSeed.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/common/splitmix64.h"
#include "libs/index/data_csv.h"
#include "libs/index/framework_csv.h"
#include "libs/index/weights.h"
#include "libs/scoring/pipeline.h"
#include "libs/scoring/uncertainty.h"
#include "libs/scoring/uncertainty_model.h"

namespace {

namespace index = innoscope::index;
namespace scoring = innoscope::scoring;

constexpr uint64_t kSeed = 20261123;
constexpr double kWeightFraction = 0.25;

// The project's SplitMix64 (libs/common/splitmix64.h): a small, fixed
// generator, so the files are identical everywhere.
class Random {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  double Uniform() { return rng_.UniformDouble(); }  // [0, 1)
  double Normal() {                                  // Box-Muller
    const double u = 1.0 - Uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * Uniform());
  }
  size_t Index(size_t n) { return static_cast<size_t>(Uniform() * static_cast<double>(n)); }

 private:
  innoscope::common::SplitMix64 rng_;
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_scoring: %s\n", message.c_str());
  std::exit(1);
}

// Sizes of `parts` blocks of at least `minimum` that add up to `total`.
std::vector<int> Partition(Random& random, int total, int parts, int minimum) {
  std::vector<int> sizes(parts, minimum);
  for (int extra = total - parts * minimum; extra > 0; --extra) ++sizes[random.Index(parts)];
  return sizes;
}

int Generate(const std::string& dir, const std::string& tag, int regions, int indicators,
             int pillars, int groups, int periods) {
  if (groups < 2 * pillars || indicators < 2 * groups) {
    Die("need GROUPS >= 2 PILLARS and INDICATORS >= 2 GROUPS");
  }
  Random random(kSeed);
  const std::vector<int> leaves_per_group = Partition(random, indicators, groups, 2);
  const std::vector<int> groups_per_pillar = Partition(random, groups, pillars, 2);
  auto weight = [&random] { return std::round((0.5 + random.Uniform()) * 100) / 100; };

  // Leaves first (level 1), then groups, pillars and the composite.
  std::string framework =
      "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n";
  std::vector<int> direction(indicators);
  int leaf = 0;
  for (int g = 0; g < groups; ++g) {
    for (int k = 0; k < leaves_per_group[g]; ++k, ++leaf) {
      direction[leaf] = random.Uniform() < 0.2 ? -1 : 1;
      absl::StrAppendFormat(&framework, "1,%si%03d,Indicator %d,%d,%.2f,,,,%sg%02d,Indicator\n",
                            tag, leaf + 1, leaf + 1, direction[leaf], weight(), tag, g + 1);
    }
  }
  int group = 0;
  for (int p = 0; p < pillars; ++p) {
    for (int k = 0; k < groups_per_pillar[p]; ++k, ++group) {
      absl::StrAppendFormat(&framework, "2,%sg%02d,Group %d,1,%.2f,,,,%sp%d,Aggregate\n", tag,
                            group + 1, group + 1, weight(), tag, p + 1);
    }
  }
  for (int p = 0; p < pillars; ++p) {
    absl::StrAppendFormat(&framework, "3,%sp%d,Pillar %d,1,%.2f,,,,%sindex,Aggregate\n", tag, p + 1,
                          p + 1, weight(), tag);
  }
  absl::StrAppendFormat(&framework, "4,%sindex,Composite,1,1,,,,,Aggregate\n", tag);

  // Indicator j: a common factor (so indicators correlate, as real ones
  // do) plus its own noise, shaped by its kind.
  enum Kind { kNormal, kLogNormal, kRareExtremes, kLeftTail };
  std::vector<Kind> kind(indicators);
  std::vector<double> loading(indicators), sigma(indicators), mu(indicators);
  for (int j = 0; j < indicators; ++j) {
    const double u = random.Uniform();
    kind[j] = u < 0.4 ? kNormal : u < 0.7 ? kLogNormal : u < 0.85 ? kRareExtremes : kLeftTail;
    loading[j] = 0.3 + 0.6 * random.Uniform();
    sigma[j] = 0.6 + random.Uniform();
    mu[j] = 5 * random.Uniform();
  }
  std::string header = "region";
  for (int j = 0; j < indicators; ++j) absl::StrAppendFormat(&header, ",%si%03d", tag, j + 1);
  header += "\n";
  std::string region_file = "code,name,kind\n";
  std::string upper_tag = tag;
  for (char& c : upper_tag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::string> codes;
  for (int i = 0; i < regions; ++i) {
    codes.push_back(absl::StrFormat("%sR%05d", upper_tag, i + 1));
    absl::StrAppendFormat(&region_file, "%s,Region %d,custom\n", codes.back(), i + 1);
  }
  // One period's values: the draws continue from the period before, so the
  // first period is the same file whatever PERIODS is.
  auto period_data = [&] {
    std::string data = header;
    for (int i = 0; i < regions; ++i) {
      data += codes[i];
      const double common = random.Normal();
      for (int j = 0; j < indicators; ++j) {
        double z = loading[j] * common + std::sqrt(1 - loading[j] * loading[j]) * random.Normal();
        z *= direction[j];  // "less is better" indicators fall as the region does better
        double v = 0;
        switch (kind[j]) {
          case kNormal:
            v = 50 + 10 * z;
            break;
          case kLogNormal:
            v = std::exp(mu[j] + sigma[j] * z);
            break;
          case kRareExtremes:
            v = 100 + 15 * z;
            if (random.Uniform() < 0.004) v += 15 * (8 + 22 * random.Uniform());
            break;
          case kLeftTail:
            v = 1000 - std::exp(mu[j] * 0.8 + sigma[j] * z);
            break;
        }
        if (random.Uniform() < 0.03) {
          data += ",";
        } else {
          absl::StrAppendFormat(&data, ",%.17g", v);
        }
      }
      data += "\n";
    }
    return data;
  };
  std::ofstream(dir + "/framework.csv") << framework;
  std::ofstream(dir + "/data.csv") << period_data();
  for (int period = 2; period <= periods; ++period) {
    std::ofstream(absl::StrCat(dir, "/data_", period, ".csv")) << period_data();
  }
  std::ofstream(dir + "/regions.csv") << region_file;
  std::fprintf(stderr,
               "bench_scoring: wrote %s/{framework,data,regions}.csv (%d regions x %d indicators "
               "in %d groups, %d pillars), %d period(s)\n",
               dir.c_str(), regions, indicators, groups, pillars, periods);
  return 0;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die(absl::StrCat("cannot read ", path, "; run `bench_scoring generate` first"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Case {
  index::Framework framework;
  index::DataMatrix data;
};

Case Load(const std::string& dir) {
  absl::StatusOr<index::CoinrMeta> meta = index::ParseCoinrMetaCsv(ReadAll(dir + "/framework.csv"));
  if (!meta.ok()) Die(absl::StrCat(dir, "/framework.csv: ", meta.status().message()));
  absl::StatusOr<index::WideCsvData> data = index::ParseWideCsv(ReadAll(dir + "/data.csv"));
  if (!data.ok()) Die(absl::StrCat(dir, "/data.csv: ", data.status().message()));
  return Case{std::move(meta->framework), std::move(data->matrix)};
}

// The benchmark's nominal spec (see the top of this file).
scoring::PipelineSpec NominalSpec(const index::Framework& framework) {
  scoring::PipelineSpec spec;
  spec.impute = index::ImputeMethod::kColumnMean;
  spec.treat_outliers = true;  // index::OutlierOptions defaults are COINr's
  spec.normalise.method = index::NormaliseMethod::kMinMax;
  spec.normalise.lower = 1;
  spec.normalise.upper = 100;
  absl::StatusOr<std::vector<double>> weights = index::FixedWeights(framework);
  if (!weights.ok()) Die(absl::StrCat("weights: ", weights.status().message()));
  spec.weights = *std::move(weights);
  return spec;
}

// CPU seconds of the whole process (every thread) so far.
double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Best of `best_of` runs of `body`: the least wall-clock seconds and, read
// alongside, the least CPU seconds of a run (all threads; for the CPU ratio,
// which depends less than the wall clock on what else the machine runs).
struct Timing {
  double seconds = std::numeric_limits<double>::infinity();
  double cpu_seconds = std::numeric_limits<double>::infinity();
};
Timing Time(int best_of, const std::function<void()>& body) {
  Timing best;
  for (int k = 0; k < best_of; ++k) {
    const auto start = std::chrono::steady_clock::now();
    const double start_cpu = ProcessCpuSeconds();
    body();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best.seconds = std::min(best.seconds, elapsed.count());
    best.cpu_seconds = std::min(best.cpu_seconds, ProcessCpuSeconds() - start_cpu);
  }
  return best;
}

int Pipeline(const std::string& dir, int best_of) {
  const Case c = Load(dir);
  const scoring::PipelineSpec spec = NominalSpec(c.framework);
  const scoring::PipelineInputs inputs{c.framework, c.data};
  scoring::RunControl control;
  control.num_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  absl::StatusOr<scoring::PipelineResult> result;
  const Timing timing = Time(best_of, [&] {
    result = scoring::RunPipeline(inputs, spec, control);
    if (!result.ok()) Die(absl::StrCat("RunPipeline: ", result.status().message()));
  });
  const int root = c.framework.Root();
  std::string out = "region,score,rank\n";
  for (size_t r = 0; r < result->scores.rows(); ++r) {
    absl::StrAppendFormat(&out, "%s,%.17g,%d\n", result->scores.regions()[r],
                          result->scores.Get(r, root), result->ranks[root][r]);
  }
  std::ofstream(dir + "/ours_pipeline.csv") << out;
  std::printf("ours case=pipeline seconds=%.6g threads=%d cpu_seconds=%.6g\n", timing.seconds,
              control.num_threads, timing.cpu_seconds);
  std::fflush(stdout);
  return 0;
}

int MonteCarlo(const std::string& dir, int replicates, const std::string& levels, int best_of) {
  const Case c = Load(dir);
  scoring::UncertaintyAssumptions assumptions;
  for (absl::string_view level : absl::StrSplit(levels, ',', absl::SkipEmpty())) {
    int l = 0;
    if (!absl::SimpleAtoi(level, &l)) Die(absl::StrCat("bad level '", level, "' in ", levels));
    assumptions.weights.push_back({l, kWeightFraction});
  }
  assumptions.normalisations = {index::NormaliseMethod::kRank,
                                index::NormaliseMethod::kPercentileRank};
  scoring::AggregationSpec geometric;
  geometric.method = scoring::AggregationMethod::kGeometric;
  assumptions.aggregations = {geometric};

  // What ComputeUncertainty hands the model (not timed: the service has it
  // from reading ingest, the CLI from reading the files).
  auto inputs = std::make_shared<scoring::UncertaintyInputs>();
  inputs->framework = c.framework;
  inputs->data = c.data;
  inputs->nominal = NominalSpec(c.framework);

  scoring::RunControl control;
  control.num_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  scoring::MonteCarloOptions options;
  options.replicates = replicates;
  options.seed = kSeed;
  absl::StatusOr<scoring::MonteCarloResult> mc;
  std::vector<std::string> regions;
  size_t factors = 0;
  const Timing timing = Time(best_of, [&] {
    absl::StatusOr<scoring::UncertaintyModel> model =
        scoring::BuildUncertaintyModel(inputs, assumptions, control);
    if (!model.ok()) Die(absl::StrCat("BuildUncertaintyModel: ", model.status().message()));
    mc = scoring::RunMonteCarlo(model->factors, model->model, options, control);
    if (!mc.ok()) Die(absl::StrCat("RunMonteCarlo: ", mc.status().message()));
    regions = model->regions;
    factors = model->factors.size();
  });
  std::string out = "region,nominal_score,nominal_rank,mean_rank,median_rank,p05_rank,p95_rank\n";
  for (size_t r = 0; r < regions.size(); ++r) {
    const scoring::RegionUncertainty& u = mc->regions[r];
    absl::StrAppendFormat(&out, "%s,%.17g,%d,%.17g,%.17g,%.17g,%.17g\n", regions[r],
                          u.nominal_score, u.nominal_rank, u.mean_rank, u.median_rank, u.p05_rank,
                          u.p95_rank);
  }
  std::ofstream(dir + "/ours_mc.csv") << out;
  std::printf("ours case=mc seconds=%.6g threads=%d factors=%zu cpu_seconds=%.6g\n", timing.seconds,
              control.num_threads, factors, timing.cpu_seconds);
  std::fflush(stdout);
  return 0;
}

int IntArg(int argc, char** argv, int i, int fallback) {
  int v = fallback;
  if (i < argc && (!absl::SimpleAtoi(argv[i], &v) || v < 1)) {
    Die(absl::StrCat("bad number ", argv[i]));
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage =
      "usage: bench_scoring generate DIR TAG REGIONS INDICATORS PILLARS GROUPS [PERIODS] | "
      "bench_scoring pipeline DIR [BEST_OF] | "
      "bench_scoring mc DIR REPLICATES LEVELS [BEST_OF]";
  if (argc < 3) Die(usage);
  const std::string mode = argv[1];
  const std::string dir = argv[2];
  if (mode == "generate" && (argc == 8 || argc == 9)) {
    return Generate(dir, argv[3], IntArg(argc, argv, 4, 0), IntArg(argc, argv, 5, 0),
                    IntArg(argc, argv, 6, 0), IntArg(argc, argv, 7, 0), IntArg(argc, argv, 8, 1));
  }
  if (mode == "pipeline") return Pipeline(dir, IntArg(argc, argv, 3, 3));
  if (mode == "mc" && argc >= 5) {
    return MonteCarlo(dir, IntArg(argc, argv, 3, 1), argv[4], IntArg(argc, argv, 5, 3));
  }
  Die(usage);
}
