#include "libs/scoring/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/status_macros.h"

namespace innoscope::scoring {
namespace {

// What the workers of one ParallelFor share.
class SharedRun {
 public:
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  // The first of `count` consecutive indices.
  size_t TakeIndices(size_t count) { return next_.fetch_add(count, std::memory_order_relaxed); }
  // Whether item `index` of a chunk already handed out still runs after a
  // stop: only below the lowest failing index (a cancellation or deadline
  // stops every item), so the items below the first failure all run, as
  // with one thread.
  bool RunsAfterStop(size_t index) const {
    return index < error_index_hint_.load(std::memory_order_acquire);
  }

  void RecordError(size_t index, absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (index < error_index_) {
      error_index_ = index;
      error_ = std::move(status);
      error_index_hint_.store(index, std::memory_order_release);
    }
    stopped_.store(true, std::memory_order_release);
  }

  void RecordStop(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (stop_status_.ok()) stop_status_ = std::move(status);
    error_index_hint_.store(0, std::memory_order_release);
    stopped_.store(true, std::memory_order_release);
  }

  absl::Status Result() {
    absl::MutexLock lock(&mu_);
    return error_.ok() ? stop_status_ : error_;
  }

 private:
  std::atomic<size_t> next_{0};
  std::atomic<bool> stopped_{false};
  // error_index_, readable without the lock; 0 (nothing runs) after a
  // cancellation or deadline.
  std::atomic<size_t> error_index_hint_{std::numeric_limits<size_t>::max()};
  absl::Mutex mu_;
  size_t error_index_ ABSL_GUARDED_BY(mu_) = std::numeric_limits<size_t>::max();
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  absl::Status stop_status_ ABSL_GUARDED_BY(mu_);
};

absl::Status CallBody(const std::function<absl::Status(size_t)>& body, size_t index) {
  try {
    return body(index);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("work item ", index, " threw: ", e.what()));
  } catch (...) {
    return absl::InternalError(
        absl::StrCat("work item ", index, " threw a non-standard exception"));
  }
}

// Items are taken `grain` consecutive indices at a time: one trip to the
// shared counter per chunk, not per item (two threads taking 2-microsecond
// Monte Carlo replicates one by one kept its cache line moving between the
// cores). The stop conditions are still checked before every item.
void Work(size_t n, size_t grain, const RunControl& control,
          const std::function<absl::Status(size_t)>& body, SharedRun& run) {
  while (!run.stopped()) {
    const size_t first = run.TakeIndices(grain);
    if (first >= n) return;
    const size_t last = std::min(n, first + grain);
    for (size_t index = first; index < last; ++index) {
      if (run.stopped() && !run.RunsAfterStop(index)) return;
      if (absl::Status stop = CheckStop(control); !stop.ok()) {
        run.RecordStop(std::move(stop));
        return;
      }
      if (absl::Status status = CallBody(body, index); !status.ok()) {
        run.RecordError(index, std::move(status));
      }
    }
  }
}

}  // namespace

absl::Status ValidateRunControl(const RunControl& control) {
  if (control.num_threads < 1 || control.num_threads > kMaxThreads) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_threads must be in 1..", kMaxThreads, ", got ", control.num_threads));
  }
  if (control.deadline != absl::InfiniteFuture() && !control.now) {
    return absl::InvalidArgumentError("a finite deadline needs a clock (RunControl::now)");
  }
  return absl::OkStatus();
}

absl::Status CheckStop(const RunControl& control) {
  if (control.is_cancelled && control.is_cancelled()) {
    return absl::CancelledError("computation cancelled");
  }
  if (control.deadline != absl::InfiniteFuture() && control.now &&
      control.now() >= control.deadline) {
    return absl::DeadlineExceededError("computation deadline exceeded");
  }
  return absl::OkStatus();
}

absl::Status ParallelFor(size_t n, const RunControl& control,
                         const std::function<absl::Status(size_t)>& body) {
  RETURN_IF_ERROR(ValidateRunControl(control));
  SharedRun run;
  const size_t helpers =
      std::min(static_cast<size_t>(control.num_threads), std::max<size_t>(n, 1)) - 1;
  // About 64 chunks per thread, at most 32 items each: few enough trips to
  // the counter, small enough that no thread is left with much more work
  // at the end. One thread takes one item at a time (nothing to share).
  const size_t grain = helpers == 0 ? 1 : std::clamp<size_t>(n / ((helpers + 1) * 64), 1, 32);
  std::vector<std::thread> threads;
  threads.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) {
    try {
      threads.emplace_back(
          [n, grain, &control, &body, &run] { Work(n, grain, control, body, run); });
    } catch (const std::system_error&) {
      break;  // the system refused a thread: carry on with fewer
    }
  }
  Work(n, grain, control, body, run);
  for (std::thread& thread : threads) thread.join();
  return run.Result();
}

}  // namespace innoscope::scoring
