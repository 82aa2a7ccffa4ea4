#include "services/network/progress_log.h"

#include <cstdint>
#include <utility>

#include "absl/time/clock.h"
#include "libs/common/log.h"

namespace innoscope::network {

ProgressLog::ProgressLog(std::string computation, const graph::Progress& progress,
                         absl::Duration interval)
    : computation_(std::move(computation)),
      progress_(progress),
      interval_(interval),
      started_(absl::Now()) {
  if (interval_ <= absl::ZeroDuration()) return;
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(interval_)) Report();
  });
}

ProgressLog::~ProgressLog() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void ProgressLog::Report() const {
  const int64_t total = progress_.total.load(std::memory_order_relaxed);
  const int64_t done = progress_.done.load(std::memory_order_relaxed);
  log::Info("network: progress",
            {{"computation", computation_},
             {"loop", progress_.loops.load(std::memory_order_relaxed)},
             {"done", done},
             {"total", total},
             {"percent", total > 0 ? 100.0 * static_cast<double>(done) / total : 0.0},
             {"seconds", absl::ToDoubleSeconds(absl::Now() - started_)}});
}

}  // namespace innoscope::network
