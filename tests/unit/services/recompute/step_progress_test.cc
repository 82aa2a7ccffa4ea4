// The recompute job's human progress lines (services/recompute/step_progress.h).

#include "services/recompute/step_progress.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::recompute {
namespace {

// A StepProgress writing to a memory buffer, on a clock the test moves.
class StepProgressTest : public ::testing::Test {
 protected:
  ~StepProgressTest() override {
    if (out_ != nullptr) std::fclose(out_);
    std::free(buffer_);
  }

  StepProgress Make(bool terminal) {
    out_ = open_memstream(&buffer_, &size_);
    StepProgressOptions options;
    options.out = out_;
    options.terminal = terminal;
    options.now = [this] { return now_; };
    return StepProgress(options);
  }

  std::string Text() {
    std::fflush(out_);
    return std::string(buffer_, size_);
  }

  std::FILE* out_ = nullptr;
  char* buffer_ = nullptr;
  size_t size_ = 0;
  absl::Time now_ = absl::FromUnixSeconds(1000);
};

TEST_F(StepProgressTest, PlainOutputIsOneLinePerStep) {
  StepProgress p = Make(/*terminal=*/false);
  p.Start("check", 2, "indices");
  p.Advance(2);
  now_ += absl::Milliseconds(120);
  p.Finish(true, "1 to recompute");
  p.Start("network", 9, "periods");
  for (int i = 0; i < 9; ++i) p.Advance();
  now_ += absl::Milliseconds(1240);
  p.Finish(true);
  p.Start("publish", 0, "");
  p.Finish(true, "9 score runs");
  p.Start("scores", 3, "periods");
  p.Advance();
  now_ += absl::Seconds(2);
  p.Finish(false);
  EXPECT_EQ(Text(),
            "recompute: check       2/2 indices (1 to recompute) ... done in 0.1 s\n"
            "recompute: network     9/9 periods ... done in 1.2 s\n"
            "recompute: publish     9 score runs ... done in 0.0 s\n"
            "recompute: scores      1/3 periods ... failed after 2.0 s\n");
}

TEST_F(StepProgressTest, TerminalRedrawsTheLineInPlace) {
  StepProgress p = Make(/*terminal=*/true);
  p.Start("network", 2, "periods");
  p.Advance();
  now_ += absl::Seconds(1);
  p.Finish(true);
  EXPECT_EQ(Text(),
            "\rrecompute: network     0/2 periods ...\033[K"
            "\rrecompute: network     1/2 periods ...\033[K"
            "\rrecompute: network     1/2 periods ... done in 1.0 s\033[K\n");
}

TEST_F(StepProgressTest, StartingAStepFinishesTheRunningOne) {
  StepProgress p = Make(/*terminal=*/false);
  p.Start("weights", 1, "periods");
  p.Advance();
  p.Start("scores", 1, "periods");
  p.Finish(true);
  p.Finish(true);  // nothing running: no line
  EXPECT_EQ(Text(),
            "recompute: weights     1/1 periods ... done in 0.0 s\n"
            "recompute: scores      0/1 periods ... done in 0.0 s\n");
}

}  // namespace
}  // namespace innoscope::recompute
