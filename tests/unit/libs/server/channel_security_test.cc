#include "libs/server/channel_security.h"

#include <map>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::server {
namespace {

using ::testing::HasSubstr;

// Any readable file will do for the checks before gRPC reads it.
const std::string kFile = std::string(INNOSCOPE_SOURCE_DIR) + "/README.md";

absl::StatusOr<ChannelSecurity> FromFlags(const std::vector<std::string>& args,
                                          const std::map<std::string, std::string>& stack,
                                          const std::map<std::string, std::string>& env = {}) {
  config::FlagSet flags("innoscope status", "test");
  AddChannelSecurityFlags(flags);
  auto lookup = [env](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  absl::StatusOr<config::ParsedFlags> parsed = flags.Parse(args, lookup);
  if (!parsed.ok()) return parsed.status();
  return ChannelSecurityFromFlags(*parsed, stack);
}

TEST(ChannelSecurityTest, NothingSetIsPlaintext) {
  absl::StatusOr<ChannelSecurity> s = FromFlags({}, {});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->tls());
}

TEST(ChannelSecurityTest, StackFileFillsWhatFlagsAndEnvironmentLeaveOpen) {
  const std::map<std::string, std::string> stack = {{"INNOSCOPE_TLS_CA_FILE", kFile},
                                                    {"INNOSCOPE_TLS_CERT_FILE", kFile},
                                                    {"INNOSCOPE_TLS_KEY_FILE", kFile}};
  absl::StatusOr<ChannelSecurity> s = FromFlags({"--tls_server_name=ingest"}, stack);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->tls());
  EXPECT_EQ(s->cert_file, kFile);
  EXPECT_EQ(s->server_name, "ingest");
  // An explicit empty flag wins over the stack file: plaintext on purpose.
  s = FromFlags({"--tls_ca_file=", "--tls_cert_file=", "--tls_key_file="}, stack);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->tls());
  // So does the environment.
  s = FromFlags({}, stack, {{"INNOSCOPE_TLS_CERT_FILE", ""}, {"INNOSCOPE_TLS_KEY_FILE", ""}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->cert_file.empty());
  EXPECT_EQ(s->ca_file, kFile);
}

TEST(ChannelSecurityTest, IncompleteOrUnreadableSettingsNameTheFlag) {
  EXPECT_THAT(std::string(FromFlags({"--tls_cert_file=" + kFile}, {}).status().message()),
              HasSubstr("--tls_cert_file and --tls_key_file go together"));
  EXPECT_THAT(std::string(FromFlags({"--auth_token_file=" + kFile}, {}).status().message()),
              HasSubstr("--auth_token_file needs TLS"));
  EXPECT_THAT(std::string(FromFlags({"--tls_ca_file=/no/ca.crt"}, {}).status().message()),
              HasSubstr("--tls_ca_file: cannot read \"/no/ca.crt\""));
}

}  // namespace
}  // namespace innoscope::server
