#include "libs/clients/service_address.h"

#include <fstream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clients/calls.h"

namespace innoscope::clients {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

config::FlagSet Flags() {
  config::FlagSet flags("test", "help");
  flags.Add("stack_file", ".local/stack/addresses.env", "address file");
  for (const std::string& s : ServiceNames()) flags.Add(absl::StrCat(s, "_address"), "", "");
  return flags;
}

config::ParsedFlags Parse(const std::vector<std::string>& args) {
  absl::StatusOr<config::ParsedFlags> parsed =
      Flags().Parse(args, [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return *parsed;
}

TEST(ServiceNamesTest, TheFourServicesInStatusOrder) {
  EXPECT_THAT(ServiceNames(), ElementsAre("ingest", "weighting", "scoring", "network"));
}

TEST(ServiceAddressTest, FlagWinsOverTheStackFile) {
  absl::StatusOr<std::string> address =
      ServiceAddress(Parse({"--ingest_address=h:1", "--stack_file=/nonexistent"}), "ingest");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(*address, "h:1");
}

TEST(ServiceAddressTest, ReadsTheStackFile) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/addresses.env");
  std::ofstream(path) << "INNOSCOPE_SCORING_ADDRESS=127.0.0.1:7\n";
  absl::StatusOr<std::string> address =
      ServiceAddress(Parse({absl::StrCat("--stack_file=", path)}), "scoring");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(*address, "127.0.0.1:7");
  address = ServiceAddress(Parse({absl::StrCat("--stack_file=", path)}), "network");
  EXPECT_THAT(std::string(address.status().message()),
              HasSubstr("has no INNOSCOPE_NETWORK_ADDRESS"));
}

TEST(ServiceAddressTest, FallsBackToTheStackFileWithAHint) {
  absl::StatusOr<std::string> address =
      ServiceAddress(Parse({"--stack_file=/nonexistent/addresses.env"}), "ingest");
  EXPECT_THAT(std::string(address.status().message()), HasSubstr("stack.sh start"));
}

TEST(HintForTest, UnavailableSaysHowToStartTheStack) {
  EXPECT_THAT(HintFor(absl::UnavailableError("x")), HasSubstr("deploy/local/stack.sh start"));
  EXPECT_EQ(HintFor(absl::InternalError("x")), "");
}

}  // namespace
}  // namespace innoscope::clients
