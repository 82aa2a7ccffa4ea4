// The weights benchmark's C++ side (bench/weights/run.sh runs it next to
// peer_numpy.py on the same files):
//
//   bench_weights generate DIR [REGIONS INDICATORS MATRICES ORDER]
//       writes DIR/data.csv (regions x indicators, wide form, region in the
//       first column; default 3,000 x 300) and DIR/matrices.csv (MATRICES
//       reciprocal judgement matrices of order ORDER on Saaty's scale, one
//       matrix row per line, rows of consecutive matrices one after the
//       other; default 200 of order 9). Fixed seed: the same files on every
//       machine.
//   bench_weights run DIR [REPEAT BEST_OF]
//       reads both files (not timed), then times libs/index's EntropyWeights,
//       CriticWeights, CoefficientOfVariationWeights on the whole table and
//       Ahp (eigenvector, Saaty RI) on every matrix: each sample runs the
//       computation REPEAT times, the time is the best of BEST_OF samples
//       divided by REPEAT. Prints "ours method=<m> seconds=<s>" per method
//       and writes the weights to DIR/ours_<m>.txt (one value per line,
//       17 significant digits) so the peer can check it computes the same.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/common/splitmix64.h"
#include "libs/index/ahp.h"
#include "libs/index/data_csv.h"
#include "libs/index/objective_weights.h"

namespace {

using innoscope::index::JudgementMatrix;

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

 private:
  innoscope::common::SplitMix64 rng_;
};

int Generate(const std::string& dir, int regions, int indicators, int matrices, int order) {
  Random random(20261122);
  std::string data = "region";
  for (int j = 0; j < indicators; ++j) absl::StrAppendFormat(&data, ",ind%03d", j);
  data += "\n";
  // Indicator j mixes a common factor (so indicators correlate, as real
  // ones do) with its own noise, on a log-normal scale of its own.
  std::vector<double> loading(indicators), scale(indicators), spread(indicators);
  for (int j = 0; j < indicators; ++j) {
    loading[j] = random.Uniform() * 0.9;
    scale[j] = std::exp(random.Normal() * 2.0);
    spread[j] = 0.2 + random.Uniform();
  }
  for (int i = 0; i < regions; ++i) {
    absl::StrAppendFormat(&data, "R%05d", i);
    const double common = random.Normal();
    for (int j = 0; j < indicators; ++j) {
      const double z =
          loading[j] * common + std::sqrt(1 - loading[j] * loading[j]) * random.Normal();
      absl::StrAppendFormat(&data, ",%.17g", scale[j] * std::exp(spread[j] * z));
    }
    data += "\n";
  }
  // Judgements: the ratio of hidden priorities, perturbed and rounded to
  // Saaty's 1-9 scale (or its reciprocals), so matrices are nearly, not
  // exactly, consistent -- as experts' are.
  std::string text;
  for (int m = 0; m < matrices; ++m) {
    std::vector<double> hidden(order);
    for (double& h : hidden) h = std::exp(random.Normal());
    std::vector<std::vector<double>> a(order, std::vector<double>(order, 1.0));
    for (int i = 0; i < order; ++i) {
      for (int j = i + 1; j < order; ++j) {
        double ratio = hidden[i] / hidden[j] * std::exp(0.3 * random.Normal());
        double judged = std::min(9.0, std::max(1.0, std::round(ratio >= 1 ? ratio : 1 / ratio)));
        a[i][j] = ratio >= 1 ? judged : 1 / judged;
        a[j][i] = 1 / a[i][j];
      }
    }
    for (int i = 0; i < order; ++i) {
      for (int j = 0; j < order; ++j)
        absl::StrAppendFormat(&text, "%s%.17g", j ? "," : "", a[i][j]);
      text += "\n";
    }
  }
  std::ofstream(dir + "/data.csv") << data;
  std::ofstream(dir + "/matrices.csv") << text;
  std::fprintf(stderr,
               "bench_weights: wrote %s/data.csv (%d x %d) and %s/matrices.csv (%d x %d^2)\n",
               dir.c_str(), regions, indicators, dir.c_str(), matrices, order);
  return 0;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Best of `best_of` samples of `repeat` calls, per call, in seconds.
double Time(int repeat, int best_of, const std::function<void()>& body) {
  double best = std::numeric_limits<double>::infinity();
  for (int k = 0; k < best_of; ++k) {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeat; ++r) body();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count() / repeat);
  }
  return best;
}

void WriteWeights(const std::string& path, const std::vector<double>& w) {
  std::string text;
  for (double v : w) absl::StrAppendFormat(&text, "%.17g\n", v);
  std::ofstream(path) << text;
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_weights: %s\n", message.c_str());
  std::exit(1);
}

int Run(const std::string& dir, int repeat, int best_of) {
  absl::StatusOr<innoscope::index::WideCsvData> data =
      innoscope::index::ParseWideCsv(ReadAll(dir + "/data.csv"));
  if (!data.ok()) Die(absl::StrCat(dir, "/data.csv: ", data.status().message()));
  const innoscope::index::DataMatrix& matrix = data->matrix;

  std::vector<JudgementMatrix> matrices;
  {
    std::vector<std::vector<double>> rows;
    for (absl::string_view line :
         absl::StrSplit(ReadAll(dir + "/matrices.csv"), '\n', absl::SkipEmpty())) {
      std::vector<double> row;
      for (absl::string_view cell : absl::StrSplit(line, ',')) {
        double v = 0;
        if (!absl::SimpleAtod(cell, &v)) Die("matrices.csv: bad number");
        row.push_back(v);
      }
      rows.push_back(std::move(row));
    }
    if (rows.empty()) Die("matrices.csv is empty");
    const size_t order = rows[0].size();
    for (size_t i = 0; i + order <= rows.size(); i += order) {
      matrices.emplace_back(rows.begin() + static_cast<std::ptrdiff_t>(i),
                            rows.begin() + static_cast<std::ptrdiff_t>(i + order));
    }
  }

  using Method = std::function<absl::StatusOr<std::vector<double>>()>;
  const std::vector<std::pair<std::string, Method>> methods = {
      {"entropy", [&] { return innoscope::index::EntropyWeights(matrix); }},
      {"critic", [&] { return innoscope::index::CriticWeights(matrix); }},
      {"cv", [&] { return innoscope::index::CoefficientOfVariationWeights(matrix); }},
  };
  for (const auto& [name, method] : methods) {
    absl::StatusOr<std::vector<double>> w = method();
    if (!w.ok()) Die(absl::StrCat(name, ": ", w.status().message()));
    WriteWeights(absl::StrCat(dir, "/ours_", name, ".txt"), *w);
    const double seconds = Time(repeat, best_of, [&] {
      if (!method().ok()) Die(name);
    });
    std::printf("ours method=%s seconds=%.6g\n", name.c_str(), seconds);
  }

  // AHP: every matrix once per call; weights and CR of all, in order.
  std::vector<double> ahp_out;
  for (const JudgementMatrix& m : matrices) {
    absl::StatusOr<innoscope::index::AhpResult> r = innoscope::index::Ahp(m);
    if (!r.ok()) Die(absl::StrCat("ahp: ", r.status().message()));
    ahp_out.insert(ahp_out.end(), r->weights.begin(), r->weights.end());
    ahp_out.push_back(r->cr);
  }
  WriteWeights(dir + "/ours_ahp.txt", ahp_out);
  const double seconds = Time(repeat, best_of, [&] {
    for (const JudgementMatrix& m : matrices) {
      if (!innoscope::index::Ahp(m).ok()) Die("ahp");
    }
  });
  std::printf("ours method=ahp seconds=%.6g\n", seconds);
  std::fflush(stdout);
  return 0;
}

int IntArg(int argc, char** argv, int i, int fallback) {
  int v = fallback;
  if (i < argc && (!absl::SimpleAtoi(argv[i], &v) || v < 1))
    Die(absl::StrCat("bad number ", argv[i]));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage =
      "usage: bench_weights generate DIR [REGIONS INDICATORS MATRICES ORDER] | "
      "bench_weights run DIR [REPEAT BEST_OF]";
  if (argc < 3) Die(usage);
  const std::string mode = argv[1];
  const std::string dir = argv[2];
  if (mode == "generate") {
    return Generate(dir, IntArg(argc, argv, 3, 3000), IntArg(argc, argv, 4, 300),
                    IntArg(argc, argv, 5, 200), IntArg(argc, argv, 6, 9));
  }
  if (mode == "run") return Run(dir, IntArg(argc, argv, 3, 5), IntArg(argc, argv, 4, 5));
  Die(usage);
}
