#include "services/cli/cli_support.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NormalizeFlagSpellingTest, RewritesDashesInNamesOnly) {
  EXPECT_THAT(NormalizeFlagSpelling({"--batch-size=5", "--relation-set", "my-set", "-h",
                                     "file-name.csv", "--source=a-b", "--", "--not-a-flag"}),
              ElementsAre("--batch_size=5", "--relation_set", "my-set", "-h", "file-name.csv",
                          "--source=a-b", "--", "--not-a-flag"));
}

TEST(CommandFlagsTest, ParsesPositionalFileAndBothSpellings) {
  config::FlagSet flags = CommandFlags("import observations", "help", {"ingest"});
  flags.Add("batch_size", "5000", "rows per batch");
  absl::StatusOr<config::ParsedFlags> parsed = flags.Parse(
      NormalizeFlagSpelling({"data.csv", "--batch-size", "10", "--ingest-address=h:1"}),
      [](const std::string&) { return std::optional<std::string>(); }, true);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Get("batch_size"), "10");
  EXPECT_EQ(parsed->Get("ingest_address"), "h:1");
  EXPECT_THAT(parsed->positional(), ElementsAre("data.csv"));
  absl::StatusOr<std::string> address = clients::ServiceAddress(*parsed, "ingest");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(*address, "h:1");
}

TEST(AnnotateRowIndexesTest, AddsFilePositionsToRowNumbers) {
  auto where = [](size_t row) { return row < 10 ? absl::StrCat("line ", row + 2) : ""; };
  EXPECT_EQ(AnnotateRowIndexes("batch obs-1: 2 invalid rows (nothing was written): row 0 "
                               "value: not finite; row 12 region_code: unknown; arrow 3",
                               where),
            "batch obs-1: 2 invalid rows (nothing was written): row 0 (line 2) value: not "
            "finite; row 12 region_code: unknown; arrow 3");
  EXPECT_EQ(AnnotateRowIndexes("no rows here", where), "no rows here");
  EXPECT_EQ(AnnotateRowIndexes("row 3", where), "row 3 (line 5)");
}

TEST(ParseFrameworkArgTest, CodeWithOptionalVersion) {
  absl::StatusOr<FrameworkArg> latest = ParseFrameworkArg("asem");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->code, "asem");
  EXPECT_EQ(latest->version, 0);
  absl::StatusOr<FrameworkArg> pinned = ParseFrameworkArg("ai2023@2");
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(pinned->code, "ai2023");
  EXPECT_EQ(pinned->version, 2);
  EXPECT_THAT(ParseFrameworkArg("@2").status().message(), HasSubstr("give a framework code"));
  EXPECT_THAT(ParseFrameworkArg("x@0").status().message(), HasSubstr("whole number >= 1"));
  EXPECT_THAT(ParseFrameworkArg("x@v2").status().message(), HasSubstr("whole number >= 1"));
}

}  // namespace
}  // namespace innoscope::cli
