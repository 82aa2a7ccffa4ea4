#include "services/cli/progress.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Captures what Progress writes, with a clock the test advances.
class ProgressTest : public ::testing::Test {
 protected:
  ProgressOptions Options(bool terminal) {
    ProgressOptions options;
    options.out = std::tmpfile();
    options.terminal = terminal;
    options.now = [this] { return now_; };
    file_ = options.out;
    return options;
  }
  std::string Written() {
    std::fflush(file_);
    std::rewind(file_);
    std::string text;
    char buffer[512];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), file_)) > 0) text.append(buffer, n);
    return text;
  }
  void TearDown() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  absl::Time now_ = absl::FromUnixSeconds(1000);
  std::FILE* file_ = nullptr;
};

TEST_F(ProgressTest, PlainOutputIsOneLinePerIntervalWithRate) {
  Progress progress("import observations", 100000, Options(false));
  progress.Advance(5000);  // no time passed: nothing printed yet
  now_ += absl::Seconds(5);
  progress.Advance(5000);  // 10,000 rows in 5 s
  now_ += absl::Seconds(1);
  progress.Advance(5000);  // within the interval: silent
  progress.Finish();
  EXPECT_EQ(Written(),
            "import observations: 10,000/100,000 rows (10%), 2,000 rows/s\n"
            "import observations: 15,000/100,000 rows (15%), 2,500 rows/s, done\n");
}

TEST_F(ProgressTest, TerminalOutputRedrawsOneLine) {
  Progress progress("import", 10, Options(true));
  now_ += absl::Seconds(1);
  progress.Advance(5);
  progress.Finish();
  const std::string text = Written();
  EXPECT_THAT(text, HasSubstr("\rimport [###############               ]  50% 5/10 rows"));
  EXPECT_THAT(text, HasSubstr("ETA"));
  EXPECT_EQ(text.back(), '\n');
  EXPECT_THAT(text.substr(0, text.size() - 1), Not(HasSubstr("\n")));
}

TEST(WithSeparatorsTest, GroupsThousands) {
  EXPECT_EQ(WithSeparators(0), "0");
  EXPECT_EQ(WithSeparators(999), "999");
  EXPECT_EQ(WithSeparators(1000000), "1,000,000");
  EXPECT_EQ(WithSeparators(-12345), "-12,345");
}

}  // namespace
}  // namespace innoscope::cli
