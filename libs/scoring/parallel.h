#pragma once

// RunControl and ParallelFor: how long scoring computations (Monte Carlo
// replicates, bootstrap resamples) use threads and honour cancellation and
// deadlines. The clock is injected: core code never reads the wall clock.
//
//   RunControl control;
//   control.num_threads = 2;
//   control.deadline = now + absl::Seconds(30);
//   control.now = [] { return absl::Now(); };   // wired in main/service code
//   control.is_cancelled = [&ctx] { return ctx.IsCancelled(); };
//   absl::Status s = ParallelFor(n, control, [&](size_t i) { return Run(i); });
//
// Work items are handed out in increasing index order from a shared counter
// (dynamic scheduling), in chunks of consecutive indices (about 64 per
// thread, at most 32 items each), and results must be written to per-index
// slots, so the outcome is the same for any thread count. Between two items
// each worker polls `is_cancelled` and the deadline.

#include <cstddef>
#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace innoscope::scoring {

inline constexpr int kMaxThreads = 256;

struct RunControl {
  // Threads to use, 1..kMaxThreads; the calling thread is one of them.
  int num_threads = 1;
  // Polled between work items; returning true stops the run with CANCELLED.
  // Called concurrently: must be thread-safe. Optional.
  std::function<bool()> is_cancelled;
  // The run stops with DEADLINE_EXCEEDED once now() >= deadline. `now` is
  // required when the deadline is finite, is called concurrently, and must
  // be thread-safe.
  absl::Time deadline = absl::InfiniteFuture();
  std::function<absl::Time()> now;
};

// INVALID_ARGUMENT for a thread count outside 1..kMaxThreads or a finite
// deadline without a clock.
absl::Status ValidateRunControl(const RunControl& control);

// CANCELLED or DEADLINE_EXCEEDED when the run should stop now, else OK.
absl::Status CheckStop(const RunControl& control);

// Calls body(i) for every i in [0, n) on min(num_threads, n) threads and
// returns OK when all succeed. On failure no new item is started and the
// error of the lowest failing index is returned (deterministic for any
// thread count, since lower indices were handed out earlier and always
// finish); otherwise CANCELLED / DEADLINE_EXCEEDED if the run was stopped. An
// exception escaping `body` becomes INTERNAL. `body` is called concurrently.
absl::Status ParallelFor(size_t n, const RunControl& control,
                         const std::function<absl::Status(size_t)>& body);

}  // namespace innoscope::scoring
