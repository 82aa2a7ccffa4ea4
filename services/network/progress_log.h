#pragma once

// ProgressLog: while a long graph computation runs, writes how far it has
// got (graph::Progress, filled by libs/graph's parallel loops) as one JSON
// log line "network: progress" every `interval`: the computation's name,
// the loop it is in, items done of the loop's total, the percentage and the
// seconds since it started. Nothing is written for a computation shorter
// than one interval; a zero interval turns the reporter off
// (--progress_interval_seconds, docs/network.md "Progress").
//
//   graph::Progress progress;
//   ProgressLog log("statistics", progress, absl::Seconds(10));
//   graph::Interrupt interrupt = call.interrupt;
//   interrupt.set_progress(&progress);
//   ... run the computation with `interrupt` ...

#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/graph/algorithm.h"

namespace innoscope::network {

class ProgressLog {
 public:
  ProgressLog(std::string computation, const graph::Progress& progress, absl::Duration interval);
  // Stops the reporter at once (it waits on a notification, not a sleep).
  ~ProgressLog();
  ProgressLog(const ProgressLog&) = delete;
  ProgressLog& operator=(const ProgressLog&) = delete;

 private:
  void Report() const;

  const std::string computation_;
  const graph::Progress& progress_;
  const absl::Duration interval_;
  const absl::Time started_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace innoscope::network
