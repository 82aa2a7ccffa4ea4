// Writes the ingest benchmark's input: a long-form observation file and the
// regions and indicators it refers to, the same bytes for the same
// arguments on every machine (a fixed-seed std::mt19937_64, whose output
// sequence the C++ standard fixes; values built from its raw bits, not from
// library distributions, which may differ between standard libraries).
//
//   bench_ingest_generate OUT_DIR [REGIONS=2500] [INDICATORS=50] [PERIODS=8]
//   -> OUT_DIR/regions.csv, OUT_DIR/indicators.csv, OUT_DIR/observations.csv
//
// Values mix magnitudes (1e-6 .. 1e9), signs and full 17-digit precision
// (printed with %.17g, which round-trips), like real indicator tables.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace {

constexpr uint64_t kSeed = 20240501;
constexpr int kFirstPeriod = 2015;

int ArgOr(int argc, char** argv, int index, int fallback) {
  int value = fallback;
  if (argc > index && (!absl::SimpleAtoi(argv[index], &value) || value < 1)) {
    std::fprintf(stderr, "bench_ingest_generate: argument %d must be a positive integer\n", index);
    std::exit(2);
  }
  return value;
}

std::FILE* OpenOrDie(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "bench_ingest_generate: cannot write %s\n", path.c_str());
    std::exit(1);
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "Usage: bench_ingest_generate OUT_DIR [REGIONS] [INDICATORS] [PERIODS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int regions = ArgOr(argc, argv, 2, 2500);
  const int indicators = ArgOr(argc, argv, 3, 50);
  const int periods = ArgOr(argc, argv, 4, 8);

  std::FILE* f = OpenOrDie(dir + "/regions.csv");
  std::fputs("code,name,kind\n", f);
  for (int r = 0; r < regions; ++r) std::fprintf(f, "R%05d,Region %d,city\n", r, r);
  std::fclose(f);

  f = OpenOrDie(dir + "/indicators.csv");
  std::fputs("code,name,unit\n", f);
  for (int i = 0; i < indicators; ++i) std::fprintf(f, "ind_%03d,Indicator %d,unit\n", i, i);
  std::fclose(f);

  std::mt19937_64 rng(kSeed);
  f = OpenOrDie(dir + "/observations.csv");
  std::fputs("region,indicator,period,value,source\n", f);
  char value[40];
  for (int r = 0; r < regions; ++r) {
    for (int i = 0; i < indicators; ++i) {
      for (int p = 0; p < periods; ++p) {
        const uint64_t bits = rng();
        // 53 random mantissa bits in [0, 1), a decade from 1e-6 to 1e9, a sign.
        const double unit = static_cast<double>(bits >> 11) * 0x1.0p-53;
        const int decade = static_cast<int>(bits & 15) - 6;
        double v = unit;
        for (int d = 0; d < decade; ++d) v *= 10;
        for (int d = 0; d > decade; --d) v /= 10;
        if ((bits >> 4) & 1) v = -v;
        std::snprintf(value, sizeof(value), "%.17g", v);
        std::fprintf(f, "R%05d,ind_%03d,%d,%s,bench\n", r, i, kFirstPeriod + p, value);
      }
    }
  }
  std::fclose(f);
  std::printf("%lld observations, %d regions, %d indicators, %d periods in %s\n",
              static_cast<long long>(regions) * indicators * periods, regions, indicators, periods,
              dir.c_str());
  return 0;
}
