#pragma once

// Progress of a long import on stderr: on a terminal a bar redrawn in place
// with rows/s and an ETA; otherwise (CI logs, pipes, files) one plain line
// at most every `plain_interval`, so logs stay readable. The clock is
// injected so tests can drive time.
//
//   Progress progress("import observations", total_rows, ProgressOptions::For(stderr));
//   progress.Advance(5000);  // after each acknowledged batch
//   progress.Finish();       // final line with the overall rate

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace innoscope::cli {

struct ProgressOptions {
  std::FILE* out = stderr;
  bool terminal = false;
  absl::Duration redraw_interval = absl::Milliseconds(100);
  absl::Duration plain_interval = absl::Seconds(5);
  std::function<absl::Time()> now = [] { return absl::Now(); };
  // What is counted: "rows" for imports, "runs" for Monte Carlo replicates.
  std::string unit = "rows";

  // Terminal or plain, depending on whether `out` is a terminal.
  static ProgressOptions For(std::FILE* out);
};

class Progress {
 public:
  Progress(std::string label, int64_t total, ProgressOptions options);

  // Adds `rows` to the rows done and reports when it is time to.
  void Advance(int64_t rows);
  // Reports the final state once (also when nothing was done).
  void Finish();

  int64_t done() const { return done_; }
  // Rows per second since construction.
  double Rate() const;

 private:
  void Report(bool final);

  std::string label_;
  int64_t total_;
  ProgressOptions options_;
  absl::Time start_;
  absl::Time last_report_;
  int64_t done_ = 0;
  bool finished_ = false;
};

// "1,234,567": thousands separators for counts in human-readable output.
std::string WithSeparators(int64_t value);

}  // namespace innoscope::cli
