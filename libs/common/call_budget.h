#pragma once

// CallBudget: the time and the cancellation state of one incoming call, as
// plain absl types, so core code (services' *_service.cc, libs/) can honour
// the caller's deadline and cancellation without including gRPC. The gRPC
// adapters build one from the grpc::ServerContext
// (server::BudgetOf(context), libs/server/grpc_status.h); tests build one
// with a fake clock and a flag.
//
//   absl::Status Work(const common::CallBudget& budget) {
//     ASSIGN_OR_RETURN(Data d, upstream.Read(budget.UpstreamDeadline()));
//     RETURN_IF_ERROR(budget.Check("normalise"));   // between long steps
//     ...
//     RETURN_IF_ERROR(budget.Check("store the run"));  // last check before commit
//     return store.Insert(...);
//   }
//
// Deadline rules (docs/architecture.md "Deadlines and cancellation"):
// - an outbound call made on behalf of the call gets the caller's remaining
//   time less a margin (UpstreamMargin: a tenth of the remaining time, at
//   least kMinUpstreamMargin and at most kMaxUpstreamMargin), so the
//   upstream's answer - or its DEADLINE_EXCEEDED - comes back while our own
//   caller still waits for us and can be turned into our answer; and at most
//   the configured upstream budget (kDefaultUpstreamBudget unless a service
//   flag sets it) from now, so a caller without deadline cannot make us
//   wait forever;
// - long work calls Check() between steps and stops with DEADLINE_EXCEEDED
//   (deadline passed) or CANCELLED (the caller went away), before anything
//   is committed.

#include <atomic>
#include <functional>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace innoscope::common {

inline constexpr absl::Duration kDefaultUpstreamBudget = absl::Seconds(60);
inline constexpr absl::Duration kMinUpstreamMargin = absl::Milliseconds(20);
inline constexpr absl::Duration kMaxUpstreamMargin = absl::Seconds(1);
// A client cancels its call when its deadline passes, a little before the
// server's copy of the deadline expires (it travels as a timeout, counted
// from when the server received the call): a cancellation seen within this
// slack of the deadline is reported as the deadline.
inline constexpr absl::Duration kCancelAtDeadlineSlack = absl::Milliseconds(250);

// The margin kept back from an upstream call for a caller with `remaining`
// time: remaining / 10 clamped to [kMinUpstreamMargin, kMaxUpstreamMargin]
// (0 for an infinite or non-positive remaining time).
absl::Duration UpstreamMargin(absl::Duration remaining);

// The deadline of an outbound call made at `now` for a caller whose deadline
// is `incoming` (InfiniteFuture = none): min(incoming - margin, now + cap).
absl::Time UpstreamDeadline(absl::Time incoming, absl::Time now,
                            absl::Duration cap = kDefaultUpstreamBudget);

class CallBudget {
 public:
  // No deadline, never cancelled (internal work, tests).
  CallBudget() = default;
  // `is_cancelled` (optional) must be thread-safe and cheap: worker threads
  // poll it. `now` defaults to absl::Now.
  explicit CallBudget(absl::Time deadline, std::function<bool()> is_cancelled = nullptr,
                      std::function<absl::Time()> now = nullptr);
  // Cancelled when *flag is true (the flag must outlive the budget).
  static CallBudget WithFlag(const std::atomic<bool>* flag,
                             absl::Time deadline = absl::InfiniteFuture(),
                             std::function<absl::Time()> now = nullptr);

  absl::Time deadline() const { return deadline_; }
  absl::Time Now() const { return now_(); }
  // deadline - now (InfiniteDuration without deadline).
  absl::Duration Remaining() const;
  bool IsCancelled() const { return is_cancelled_ && is_cancelled_(); }
  // The probe, for code that polls it itself (RunControl, graph::Interrupt);
  // never empty.
  std::function<bool()> CancelProbe() const;
  std::function<absl::Time()> Clock() const { return now_; }

  // OK, DEADLINE_EXCEEDED once now >= deadline, or CANCELLED; the message
  // names the step that was not started ("deadline exceeded before <step>").
  // The deadline is checked first: gRPC also marks a call cancelled when its
  // deadline passes, and the deadline is the more precise cause (also for a
  // cancellation within kCancelAtDeadlineSlack of it).
  absl::Status Check(absl::string_view step) const;

  // The deadline to give an outbound call made now (UpstreamDeadline above).
  absl::Time UpstreamDeadline(absl::Duration cap = kDefaultUpstreamBudget) const;

 private:
  absl::Time deadline_ = absl::InfiniteFuture();
  std::function<bool()> is_cancelled_;
  std::function<absl::Time()> now_ = &absl::Now;
};

}  // namespace innoscope::common
