#include "libs/server/stream_watchdog.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/log.h"

namespace innoscope::server {

StreamWatchdog::StreamWatchdog(absl::Duration write_timeout) : write_timeout_(write_timeout) {
  thread_ = std::thread([this] { Loop(); });
}

StreamWatchdog::~StreamWatchdog() {
  stop_.Notify();
  thread_.join();
}

int64_t StreamWatchdog::streams_cut() const {
  absl::MutexLock lock(&mu_);
  return cut_count_;
}

int64_t StreamWatchdog::Begin(grpc::ServerContext* context) {
  absl::MutexLock lock(&mu_);
  const int64_t id = next_id_++;
  pending_[id] = Pending{context, absl::Now() + write_timeout_};
  return id;
}

bool StreamWatchdog::End(int64_t id) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(id);
  const bool cut = it->second.cut;
  pending_.erase(it);
  return cut;
}

void StreamWatchdog::Loop() {
  const absl::Duration tick =
      std::clamp(write_timeout_ / 10, absl::Milliseconds(10), absl::Seconds(1));
  while (!stop_.WaitForNotificationWithTimeout(tick)) {
    const absl::Time now = absl::Now();
    absl::MutexLock lock(&mu_);
    for (auto& [id, pending] : pending_) {
      if (pending.cut || now < pending.deadline) continue;
      // TryCancel is safe from any thread while the call is alive; the
      // call stays alive until its handler returns, which waits for End().
      pending.cut = true;
      ++cut_count_;
      pending.context->TryCancel();
      log::Warn("stream cut: the client read nothing",
                {{"write_timeout_seconds", absl::ToDoubleSeconds(write_timeout_)},
                 {"peer", pending.context->peer()}});
    }
  }
}

bool StreamWatchdog::Stream::Write(const std::function<bool()>& write) {
  if (cut_ || context_->IsCancelled()) return false;
  const int64_t id = watchdog_.Begin(context_);
  const bool ok = write();
  cut_ = watchdog_.End(id);
  return ok && !cut_;
}

grpc::Status StreamWatchdog::Stream::EndStatus(const grpc::Status& status) const {
  if (!cut_) return status;
  return grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED,
      absl::StrCat("stream cut: the client read nothing for ",
                   absl::FormatDuration(watchdog_.write_timeout_), " (", kFlag, ")"));
}

}  // namespace innoscope::server
