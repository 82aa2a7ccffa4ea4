#include "libs/config/flags.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::config {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

FlagSet TestFlags() {
  FlagSet flags("innoscope-test", "A test program.");
  flags.Add("grpc_address", "0.0.0.0:50051", "gRPC address")
      .AddWithFallbackEnv("database_url", "DATABASE_URL", "", "database")
      .AddBool("force", false, "force it");
  return flags;
}

TEST(FlagSetTest, FlagBeatsInnoscopeVariableBeatsFallbackBeatsDefault) {
  FlagSet flags = TestFlags();
  auto env = FakeEnv({{"DATABASE_URL", "postgresql://fallback"},
                      {"INNOSCOPE_DATABASE_URL", "postgresql://specific"},
                      {"INNOSCOPE_GRPC_ADDRESS", "127.0.0.1:1"}});
  auto parsed = flags.Parse({"--grpc_address=127.0.0.1:2"}, env);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Get("grpc_address"), "127.0.0.1:2");
  EXPECT_EQ(parsed->Origin("grpc_address"), "flag");
  EXPECT_EQ(parsed->Get("database_url"), "postgresql://specific");
  EXPECT_EQ(parsed->Origin("database_url"), "env");

  auto fallback = flags.Parse({}, FakeEnv({{"DATABASE_URL", "postgresql://fb"}}));
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->Get("database_url"), "postgresql://fb");
  EXPECT_EQ(fallback->Get("grpc_address"), "0.0.0.0:50051");
  EXPECT_EQ(fallback->Origin("grpc_address"), "default");
}

TEST(FlagSetTest, AcceptsSpaceSeparatedValuesAndBareBooleans) {
  auto parsed = TestFlags().Parse({"--grpc_address", "h:3", "--force"}, FakeEnv({}));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Get("grpc_address"), "h:3");
  EXPECT_EQ(*parsed->GetBool("force"), true);
}

TEST(FlagSetTest, RejectsUnknownFlagsMissingValuesAndBadBooleans) {
  FlagSet flags = TestFlags();
  EXPECT_THAT(
      flags.Parse({"--grpc_adress=x:1"}, FakeEnv({})),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown flag --grpc_adress")));
  EXPECT_THAT(flags.Parse({"--grpc_address"}, FakeEnv({})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a value")));
  EXPECT_THAT(flags.Parse({"--force=maybe"}, FakeEnv({})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--force")));
  EXPECT_THAT(flags.Parse({"stray"}, FakeEnv({})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stray")));
}

TEST(FlagSetTest, CollectsPositionalArgumentsWhenAllowed) {
  auto parsed = TestFlags().Parse({"import", "--force", "file.csv"}, FakeEnv({}), true);
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT(parsed->positional(), ::testing::ElementsAre("import", "file.csv"));
}

TEST(FlagSetTest, HelpIsRequestedAndUsageNamesEveryVariable) {
  FlagSet flags = TestFlags();
  auto parsed = flags.Parse({"--help"}, FakeEnv({}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->help_requested());
  std::string usage = flags.Usage();
  EXPECT_THAT(usage, HasSubstr("--grpc_address (INNOSCOPE_GRPC_ADDRESS"));
  EXPECT_THAT(usage, HasSubstr("INNOSCOPE_DATABASE_URL or DATABASE_URL"));
  // One usage line, naming the positional arguments when there are any.
  EXPECT_EQ(usage.find("Usage:"), usage.rfind("Usage:"));
  const std::string with_file = flags.Usage("FILE.csv");
  EXPECT_EQ(with_file.rfind("Usage: ", 0), 0u);
  EXPECT_THAT(with_file, HasSubstr(" FILE.csv [flags]\n"));
  EXPECT_EQ(with_file.find("Usage:"), with_file.rfind("Usage:"));
}

TEST(FlagSetTest, TypedAccessorsNameTheFlagOnError) {
  FlagSet flags("p", "d");
  flags.Add("size", "300", "").Add("wait", "-1", "");
  auto parsed = flags.Parse({}, FakeEnv({}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT(
      parsed->GetInt("size", 1, 256),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--size: 300 is outside [1, 256]")));
  EXPECT_THAT(parsed->GetSeconds("wait"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--wait")));
}

TEST(HostPortTest, ParsesHostsPortsAndBracketedIpv6) {
  auto hp = ParseHostPort("a", "127.0.0.1:0");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 0);
  auto v6 = ParseHostPort("a", "[::1]:50051");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->ToString(), "[::1]:50051");
  EXPECT_THAT(ParseHostPort("grpc_address", "localhost"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--grpc_address")));
  EXPECT_FALSE(ParseHostPort("a", "h:70000").ok());
  EXPECT_FALSE(ParseHostPort("a", "h:").ok());
  EXPECT_FALSE(ParseHostPort("a", "::1:80").ok());
}

}  // namespace
}  // namespace innoscope::config
