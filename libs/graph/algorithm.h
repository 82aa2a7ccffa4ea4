#pragma once

// Algorithm: the NetworKit-style base of every graph algorithm in
// libs/graph. An algorithm object is constructed with the graph and its
// parameters, Run() does the work and returns absl::Status, and getters read
// the results. Long computations poll an Interrupt inside their outer loops
// and stop with CANCELLED or DEADLINE_EXCEEDED.
//
//   std::atomic<bool> cancelled{false};
//   Betweenness betweenness(graph);
//   betweenness.set_interrupt(
//       Interrupt(&cancelled, absl::Now() + absl::Seconds(5)));
//   RETURN_IF_ERROR(betweenness.Run());
//   const std::vector<double>& scores = betweenness.Scores();
//
// Calling a getter before a successful Run() is a programming error (checked
// with assert in debug builds); after a failed Run() getters return whatever
// partial state the algorithm documents (by default: empty results).

#include <atomic>
#include <cassert>
#include <cstdint>
#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace innoscope::graph {

// How far the loop an algorithm is in has got, for a caller that reports
// progress from another thread (the network service logs it). Each parallel
// loop (parallel.h: one search per source, one per sample, one per batch of
// sources) sets `total` to its item count when it starts, counts `loops`,
// and adds to `done` after each item; an algorithm may run several loops in
// turn, so done/total is the fraction of the current loop.
struct Progress {
  std::atomic<int64_t> loops{0};
  std::atomic<int64_t> total{0};
  std::atomic<int64_t> done{0};
};

// A cancellation hook: an optional caller-owned flag and an optional
// deadline. The clock is injectable so that tests need no wall clock; it
// defaults to absl::Now when a finite deadline is given. Copyable; the flag
// must outlive every copy.
class Interrupt {
 public:
  // Never fires.
  Interrupt() = default;
  explicit Interrupt(const std::atomic<bool>* cancelled,
                     absl::Time deadline = absl::InfiniteFuture(),
                     std::function<absl::Time()> now = nullptr)
      : cancelled_(cancelled), deadline_(deadline), now_(std::move(now)) {
    if (!now_ && deadline_ != absl::InfiniteFuture()) now_ = &absl::Now;
  }
  static Interrupt WithDeadline(absl::Time deadline, std::function<absl::Time()> now = nullptr) {
    return Interrupt(nullptr, deadline, std::move(now));
  }
  // Cancelled when `probe` returns true, e.g. a gRPC server's
  // [ctx] { return ctx->IsCancelled(); } (thread-safe): a caller that owns no
  // flag it could set. Worker threads call the probe, so it must be
  // thread-safe and cheap.
  static Interrupt WithProbe(std::function<bool()> probe,
                             absl::Time deadline = absl::InfiniteFuture(),
                             std::function<absl::Time()> now = nullptr) {
    Interrupt interrupt(nullptr, deadline, std::move(now));
    interrupt.probe_ = std::move(probe);
    return interrupt;
  }

  // Progress of the loops polling this interrupt goes to `progress` (caller
  // owned, must outlive every copy; nullptr: none).
  void set_progress(Progress* progress) { progress_ = progress; }
  Progress* progress() const { return progress_; }

  // OK, DEADLINE_EXCEEDED (now >= deadline) or CANCELLED (flag set or probe
  // true). The deadline is checked first: a gRPC server also marks a call
  // cancelled when its deadline passes, and the deadline is the more precise
  // cause. Cheap: one relaxed atomic load plus, with a deadline, one clock
  // read (and the probe, when given).
  absl::Status Check() const {
    if (now_ && now_() >= deadline_) {
      return absl::DeadlineExceededError("graph computation deadline exceeded");
    }
    if ((cancelled_ != nullptr && cancelled_->load(std::memory_order_relaxed)) ||
        (probe_ && probe_())) {
      return absl::CancelledError("graph computation cancelled");
    }
    return absl::OkStatus();
  }

 private:
  const std::atomic<bool>* cancelled_ = nullptr;
  std::function<bool()> probe_;
  absl::Time deadline_ = absl::InfiniteFuture();
  std::function<absl::Time()> now_;
  Progress* progress_ = nullptr;
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;

  // Runs (or re-runs) the computation. On error the results are cleared.
  absl::Status Run() {
    has_run_ = false;
    absl::Status status = RunImpl();
    has_run_ = status.ok();
    return status;
  }
  bool has_run() const { return has_run_; }

  void set_interrupt(Interrupt interrupt) { interrupt_ = std::move(interrupt); }
  const Interrupt& interrupt() const { return interrupt_; }

 protected:
  Algorithm() = default;
  Algorithm(const Algorithm&) = default;
  Algorithm& operator=(const Algorithm&) = default;

  virtual absl::Status RunImpl() = 0;
  void AssertHasRun() const { assert(has_run_ && "call Run() first"); }

 private:
  bool has_run_ = false;
  Interrupt interrupt_;
};

}  // namespace innoscope::graph
