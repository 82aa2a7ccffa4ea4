#pragma once

// Human progress of the recompute job (--progress), one line per step on
// stdout, for people watching it run (deploy/demo.sh) while the JSON log
// lines go to stderr:
//
//   recompute: check        2/2 indices (2 to recompute) ... done in 0.1 s
//   recompute: network      9/9 periods ... done in 1.2 s
//   recompute: scores       2/3 periods ... failed after 0.4 s
//
// On a terminal the line is redrawn in place as work items finish ("3/9
// periods ..."); elsewhere (a pipe, a file, CI logs) only the finished line
// is written, so logs stay one line per step. The clock is injected for
// tests.
//
//   StepProgress progress(StepProgressOptions::For(stdout));
//   progress.Start("network", 9, "periods");
//   progress.Advance();          // after each work item
//   progress.Finish(/*ok=*/true);

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace innoscope::recompute {

struct StepProgressOptions {
  std::FILE* out = stdout;
  bool terminal = false;
  std::function<absl::Time()> now = [] { return absl::Now(); };

  // Terminal or plain, depending on whether `out` is a terminal.
  static StepProgressOptions For(std::FILE* out);
};

class StepProgress {
 public:
  explicit StepProgress(StepProgressOptions options);

  // A new step with `total` work items counted in `unit` ("periods"); total
  // 0 shows no count. A step still running is finished (as done) first.
  void Start(const std::string& step, int64_t total, const std::string& unit);
  // `n` more work items done; on a terminal the line is redrawn.
  void Advance(int64_t n = 1);
  // Writes the step's final line with its duration; `note` is added after
  // the count, e.g. "2 to recompute". Nothing when no step is running.
  void Finish(bool ok, const std::string& note = "");

 private:
  std::string Line(const std::string& note) const;

  StepProgressOptions options_;
  bool running_ = false;
  std::string step_;
  std::string unit_;
  int64_t total_ = 0;
  int64_t done_ = 0;
  absl::Time start_;
};

}  // namespace innoscope::recompute
