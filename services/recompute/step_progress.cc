#include "services/recompute/step_progress.h"

#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace innoscope::recompute {

StepProgressOptions StepProgressOptions::For(std::FILE* out) {
  StepProgressOptions options;
  options.out = out;
  options.terminal = ::isatty(::fileno(out)) == 1;
  return options;
}

StepProgress::StepProgress(StepProgressOptions options) : options_(std::move(options)) {}

void StepProgress::Start(const std::string& step, int64_t total, const std::string& unit) {
  if (running_) Finish(true);
  running_ = true;
  step_ = step;
  unit_ = unit;
  total_ = total;
  done_ = 0;
  start_ = options_.now();
  if (options_.terminal) {
    std::fprintf(options_.out, "\r%s ...\033[K", Line("").c_str());
    std::fflush(options_.out);
  }
}

void StepProgress::Advance(int64_t n) {
  if (!running_) return;
  done_ += n;
  if (options_.terminal) {
    std::fprintf(options_.out, "\r%s ...\033[K", Line("").c_str());
    std::fflush(options_.out);
  }
}

void StepProgress::Finish(bool ok, const std::string& note) {
  if (!running_) return;
  running_ = false;
  const double seconds = absl::ToDoubleSeconds(options_.now() - start_);
  std::fprintf(options_.out, "%s%s ... %s %.1f s%s\n", options_.terminal ? "\r" : "",
               Line(note).c_str(), ok ? "done in" : "failed after", seconds,
               options_.terminal ? "\033[K" : "");
  std::fflush(options_.out);
}

std::string StepProgress::Line(const std::string& note) const {
  std::string line = absl::StrFormat("recompute: %-12s", step_);
  if (total_ > 0) absl::StrAppend(&line, done_, "/", total_, " ", unit_);
  if (!note.empty()) absl::StrAppend(&line, total_ > 0 ? " (" : "", note, total_ > 0 ? ")" : "");
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace innoscope::recompute
