#include "libs/common/call_budget.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace innoscope::common {

absl::Duration UpstreamMargin(absl::Duration remaining) {
  if (remaining == absl::InfiniteDuration() || remaining <= absl::ZeroDuration()) {
    return absl::ZeroDuration();
  }
  return std::clamp(remaining / 10, kMinUpstreamMargin, kMaxUpstreamMargin);
}

absl::Time UpstreamDeadline(absl::Time incoming, absl::Time now, absl::Duration cap) {
  const absl::Time capped = now + cap;
  if (incoming == absl::InfiniteFuture()) return capped;
  return std::min(incoming - UpstreamMargin(incoming - now), capped);
}

CallBudget::CallBudget(absl::Time deadline, std::function<bool()> is_cancelled,
                       std::function<absl::Time()> now)
    : deadline_(deadline), is_cancelled_(std::move(is_cancelled)) {
  if (now) now_ = std::move(now);
}

CallBudget CallBudget::WithFlag(const std::atomic<bool>* flag, absl::Time deadline,
                                std::function<absl::Time()> now) {
  return CallBudget(
      deadline, [flag] { return flag->load(std::memory_order_relaxed); }, std::move(now));
}

absl::Duration CallBudget::Remaining() const {
  if (deadline_ == absl::InfiniteFuture()) return absl::InfiniteDuration();
  return deadline_ - now_();
}

std::function<bool()> CallBudget::CancelProbe() const {
  if (is_cancelled_) return is_cancelled_;
  return [] { return false; };
}

absl::Status CallBudget::Check(absl::string_view step) const {
  const bool finite = deadline_ != absl::InfiniteFuture();
  const bool cancelled = IsCancelled();
  if (finite &&
      (now_() >= deadline_ || (cancelled && now_() >= deadline_ - kCancelAtDeadlineSlack))) {
    return absl::DeadlineExceededError(
        absl::StrCat("deadline exceeded before ", step, "; nothing of it was written"));
  }
  if (cancelled) {
    return absl::CancelledError(
        absl::StrCat("call cancelled by the client before ", step, "; nothing of it was written"));
  }
  return absl::OkStatus();
}

absl::Time CallBudget::UpstreamDeadline(absl::Duration cap) const {
  return common::UpstreamDeadline(deadline_, now_(), cap);
}

}  // namespace innoscope::common
