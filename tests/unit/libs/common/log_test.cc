#include "libs/common/log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace innoscope::log {
namespace {

TEST(LogTest, FormatsOneJsonObjectWithTypedFields) {
  absl::Time t = absl::FromUnixMillis(1700000000123);  // 2023-11-14T22:13:20.123Z
  std::string line = FormatLine(t, Level::kWarning, "ingest", "batch \"x\"\n",
                                {{"rows", 3}, {"ok", false}, {"ratio", 0.5}, {"method", "/a.B/C"}});
  EXPECT_EQ(line,
            "{\"time\":\"2023-11-14T22:13:20.123Z\",\"level\":\"warning\","
            "\"service\":\"ingest\",\"message\":\"batch \\\"x\\\"\\n\","
            "\"rows\":3,\"ok\":false,\"ratio\":0.5,\"method\":\"/a.B/C\"}");
}

TEST(LogTest, EscapesControlCharactersAndWritesNonFiniteAsStrings) {
  EXPECT_EQ(JsonEscape(std::string("a\x01"
                                   "b",
                                   3)),
            "a\\u0001b");
  std::string line = FormatLine(absl::UnixEpoch(), Level::kInfo, "s", "m", {{"v", 1.0 / 0.0}});
  EXPECT_NE(line.find("\"v\":\"inf\""), std::string::npos) << line;
}

TEST(LogTest, DropsLinesBelowTheMinimumLevel) {
  std::vector<std::string> lines;
  SetSinkForTesting([&](std::string_view l) { lines.emplace_back(l); });
  Init("scoring", Level::kWarning);
  Info("hidden");
  Error("shown");
  SetSinkForTesting(nullptr);
  Init("innoscope", Level::kInfo);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"service\":\"scoring\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"message\":\"shown\""), std::string::npos);
}

TEST(LogTest, ParsesLevels) {
  Level level;
  ASSERT_TRUE(ParseLevel("debug", &level));
  EXPECT_EQ(level, Level::kDebug);
  EXPECT_FALSE(ParseLevel("verbose", &level));
}

}  // namespace
}  // namespace innoscope::log
