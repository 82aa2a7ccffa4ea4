#pragma once

// ParallelFor: runs a body over items 0..n-1 on std::threads with a static
// interleaved schedule (thread t takes items t, t + T, t + 2T, ...). The
// schedule depends only on the thread count, so floating-point sums reduced
// per thread are bit-identical between runs with the same thread count.
// Internal to libs/graph.
//
//   std::vector<Workspace> ws(threads);
//   RETURN_IF_ERROR(ParallelFor(n, threads, interrupt(),
//       [&](int t, int64_t source) { ws[t].Bfs(source); }));

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "libs/common/cpu_limit.h"
#include "libs/graph/algorithm.h"

namespace innoscope::graph {

// 0 means "every CPU the process may use": the cgroup CPU quota within the
// affinity mask (libs/common/cpu_limit.h), not the host's cores; the result
// is in [1, max(1, n_items)].
inline int ResolveThreads(int requested, int64_t n_items) {
  const int threads = std::max(common::ResolveThreadCount(requested), 1);
  return static_cast<int>(std::min<int64_t>(threads, std::max<int64_t>(n_items, 1)));
}

// Calls body(thread_index, item) for every item; `interrupt` is polled
// before each item. Returns the first non-OK interrupt status, after which
// all threads stop at their next item. The interrupt's Progress, when set,
// counts this loop (algorithm.h).
template <typename Body>
absl::Status ParallelFor(int64_t n_items, int num_threads, const Interrupt& interrupt,
                         const Body& body) {
  const int threads = ResolveThreads(num_threads, n_items);
  Progress* const progress = interrupt.progress();
  if (progress != nullptr) {
    progress->done.store(0, std::memory_order_relaxed);
    progress->total.store(n_items, std::memory_order_relaxed);
    progress->loops.fetch_add(1, std::memory_order_relaxed);
  }
  std::atomic<bool> stop{false};
  // One slot per thread: no lock, and the reported error is deterministic
  // (the lowest thread index that saw one).
  std::vector<absl::Status> errors(static_cast<size_t>(threads));
  auto worker = [&](int t) {
    for (int64_t item = t; item < n_items; item += threads) {
      if (stop.load(std::memory_order_relaxed)) return;
      absl::Status status = interrupt.Check();
      if (!status.ok()) {
        errors[t] = std::move(status);
        stop.store(true, std::memory_order_relaxed);
        return;
      }
      body(t, item);
      if (progress != nullptr) progress->done.fetch_add(1, std::memory_order_relaxed);
    }
  };
  if (threads == 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
    worker(0);
    for (std::thread& th : pool) th.join();
  }
  for (absl::Status& error : errors) {
    if (!error.ok()) return error;
  }
  return absl::OkStatus();
}

}  // namespace innoscope::graph
