// The CSV benchmark's C++ side (bench/csv/run.sh): reads one observation CSV
// (already in memory) into rows of field strings, the way `innoscope import`
// does, with the project's reader and with Debian's libcsv, and checks that
// both see the same rows and field bytes.
//
//   bench_csv_read FILE [REPEAT=3] [BEST_OF=3]
//   -> ours seconds=S rows=N fields=F bytes=B
//      libcsv seconds=S rows=N fields=F bytes=B
//
// seconds is the best of BEST_OF timings of REPEAT whole reads, divided by
// REPEAT; the two readers take turns. Both sides produce std::string fields in chunks of 65,536
// records and check every row against the header's width:
//   ours    services/cli/csv_stream.h (libs/index/csv.cc's strict RFC 4180
//           reader, the ingest import path);
//   libcsv  libcsv 3.0 (libcsv-dev) with CSV_STRICT | CSV_STRICT_FINI.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "libs/index/csv.h"
#include "libs/index/csv_stream.h"

extern "C" {
#include <csv.h>
}

namespace {

constexpr size_t kChunk = 65536;

struct Counts {
  int64_t rows = 0;
  int64_t fields = 0;
  int64_t bytes = 0;
  bool operator==(const Counts& o) const {
    return rows == o.rows && fields == o.fields && bytes == o.bytes;
  }
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_csv_read: %s\n", message.c_str());
  std::exit(1);
}

Counts ReadOurs(const std::string& text) {
  absl::StatusOr<innoscope::index::CsvStream> csv = innoscope::index::CsvStream::Open(text, kChunk);
  if (!csv.ok()) Die(std::string(csv.status().message()));
  Counts counts;
  std::vector<innoscope::index::CsvRow> rows;
  while (true) {
    absl::StatusOr<bool> more = csv->Next(&rows);
    if (!more.ok()) Die(std::string(more.status().message()));
    if (!*more) break;
    for (const innoscope::index::CsvRow& row : rows) {
      ++counts.rows;
      counts.fields += static_cast<int64_t>(row.fields.size());
      for (const std::string& f : row.fields) counts.bytes += static_cast<int64_t>(f.size());
    }
  }
  return counts;
}

// libcsv calls back per field and per record; records are gathered into
// chunks of kChunk rows of std::string fields, as index::CsvStream returns them.
struct LibcsvState {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  size_t width = 0;  // the header's; 0 until the header is read
  bool header_done = false;
  bool bad_width = false;
  Counts counts;

  void Flush() {
    for (const std::vector<std::string>& r : rows) {
      ++counts.rows;
      counts.fields += static_cast<int64_t>(r.size());
      for (const std::string& f : r) counts.bytes += static_cast<int64_t>(f.size());
    }
    rows.clear();
  }
};

void OnField(void* data, size_t size, void* state) {
  static_cast<LibcsvState*>(state)->row.emplace_back(static_cast<const char*>(data), size);
}

void OnRecord(int /*terminator*/, void* state) {
  auto* s = static_cast<LibcsvState*>(state);
  if (!s->header_done) {
    s->width = s->row.size();
    s->header_done = true;
    s->row.clear();
    return;
  }
  if (s->row.size() != s->width) s->bad_width = true;
  s->rows.push_back(std::move(s->row));
  s->row.clear();
  if (s->rows.size() >= kChunk) s->Flush();
}

Counts ReadLibcsv(const std::string& text) {
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) Die("csv_init failed");
  LibcsvState state;
  if (csv_parse(&parser, text.data(), text.size(), OnField, OnRecord, &state) != text.size() ||
      csv_fini(&parser, OnField, OnRecord, &state) != 0) {
    Die(std::string("libcsv: ") + csv_strerror(csv_error(&parser)));
  }
  csv_free(&parser);
  if (state.bad_width) Die("libcsv: a row's width differs from the header's");
  state.Flush();
  return state.counts;
}

template <typename Read>
double Seconds(const std::string& text, int repeat, Read read, Counts* counts) {
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < repeat; ++r) *counts = read(text);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return took.count() / repeat;
}

int ArgOr(int argc, char** argv, int index, int fallback) {
  int value = fallback;
  if (argc > index && (!absl::SimpleAtoi(argv[index], &value) || value < 1)) {
    Die("REPEAT and BEST_OF must be positive integers");
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "Usage: bench_csv_read FILE [REPEAT=3] [BEST_OF=3]\n");
    return 2;
  }
  absl::StatusOr<std::string> text = innoscope::index::ReadFileText(argv[1]);
  if (!text.ok()) Die(std::string(text.status().message()));
  const int repeat = ArgOr(argc, argv, 2, 3);
  const int best_of = ArgOr(argc, argv, 3, 3);
  // The two readers take turns, so a busy moment of the machine slows both.
  Counts ours, peer;
  double ours_s = 1e300, peer_s = 1e300;
  for (int b = 0; b < best_of; ++b) {
    ours_s = std::min(ours_s, Seconds(*text, repeat, ReadOurs, &ours));
    peer_s = std::min(peer_s, Seconds(*text, repeat, ReadLibcsv, &peer));
  }
  if (!(ours == peer)) Die("the two readers saw different rows");
  for (const auto& [name, s, c] :
       {std::make_tuple("ours", ours_s, ours), std::make_tuple("libcsv", peer_s, peer)}) {
    std::printf("%s seconds=%.6f rows=%lld fields=%lld bytes=%lld\n", name, s,
                static_cast<long long>(c.rows), static_cast<long long>(c.fields),
                static_cast<long long>(c.bytes));
  }
  return 0;
}
