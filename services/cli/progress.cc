#include "services/cli/progress.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/cli/cli_support.h"

namespace innoscope::cli {

ProgressOptions ProgressOptions::For(std::FILE* out) {
  ProgressOptions options;
  options.out = out;
  options.terminal = IsTerminal(out);
  return options;
}

Progress::Progress(std::string label, int64_t total, ProgressOptions options)
    : label_(std::move(label)), total_(total), options_(std::move(options)) {
  start_ = options_.now();
  last_report_ = start_;
}

void Progress::Advance(int64_t rows) {
  done_ += rows;
  const absl::Time now = options_.now();
  const absl::Duration interval =
      options_.terminal ? options_.redraw_interval : options_.plain_interval;
  if (now - last_report_ >= interval) {
    last_report_ = now;
    Report(false);
  }
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  Report(true);
}

double Progress::Rate() const {
  const double seconds = absl::ToDoubleSeconds(options_.now() - start_);
  return seconds > 0 ? static_cast<double>(done_) / seconds : 0.0;
}

void Progress::Report(bool final) {
  const double rate = Rate();
  const double fraction =
      total_ > 0 ? std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)) : 1.0;
  std::string counts =
      absl::StrCat(WithSeparators(done_), "/", WithSeparators(total_), " ", options_.unit);
  std::string speed =
      absl::StrFormat("%s %s/s", WithSeparators(static_cast<int64_t>(rate)), options_.unit);
  if (options_.terminal) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string eta;
    if (!final && rate > 0 && total_ > done_) {
      eta = absl::StrFormat(" ETA %ds", static_cast<int>((total_ - done_) / rate + 0.5));
    }
    std::fprintf(options_.out, "\r%s [%s%s] %3d%% %s %s%s\033[K%s", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(),
                 static_cast<int>(fraction * 100), counts.c_str(), speed.c_str(), eta.c_str(),
                 final ? "\n" : "");
  } else {
    std::fprintf(options_.out, "%s: %s (%d%%), %s%s\n", label_.c_str(), counts.c_str(),
                 static_cast<int>(fraction * 100), speed.c_str(), final ? ", done" : "");
  }
  std::fflush(options_.out);
}

std::string WithSeparators(int64_t value) {
  std::string digits = absl::StrCat(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace innoscope::cli
