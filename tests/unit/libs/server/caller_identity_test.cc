#include "libs/server/caller_identity.h"

#include <map>

#include "gtest/gtest.h"

namespace innoscope::server {
namespace {

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// Expected digests from coreutils: `printf %s 'reader-token' | sha256sum`
// and `printf '' | sha256sum` (FIPS 180-4 test value for the empty string).
constexpr char kReaderTokenSha256[] =
    "sha256:ba5005a40cf5212e4ac0190104cc127edab013294bb71279a975b27a80982d45";
constexpr char kEmptySha256[] =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(CallerIdentityTest, BearerTokenIsItsSha256) {
  EXPECT_EQ(BearerTokenIdentity(""), kEmptySha256);
  Metadata metadata{{"authorization", "Bearer reader-token"}};
  EXPECT_EQ(CallerIdentityFrom(nullptr, metadata), kReaderTokenSha256);
}

TEST(CallerIdentityTest, SchemeIsCaseInsensitiveAndWhitespaceIsTrimmed) {
  Metadata metadata{{"authorization", "bearer   reader-token  "}};
  EXPECT_EQ(CallerIdentityFrom(nullptr, metadata), kReaderTokenSha256);
}

TEST(CallerIdentityTest, NoCredentialsIsAnonymous) {
  EXPECT_EQ(CallerIdentityFrom(nullptr, Metadata{}), "anonymous");
  Metadata other{{"x-user", "someone"}};
  EXPECT_EQ(CallerIdentityFrom(nullptr, other), "anonymous");
}

TEST(CallerIdentityTest, OtherSchemesAndEmptyTokensAreAnonymous) {
  EXPECT_EQ(CallerIdentityFrom(nullptr, Metadata{{"authorization", "Basic dXNlcjpwdw=="}}),
            "anonymous");
  EXPECT_EQ(CallerIdentityFrom(nullptr, Metadata{{"authorization", "Bearer "}}), "anonymous");
  EXPECT_EQ(CallerIdentityFrom(nullptr, Metadata{{"authorization", "Bearer"}}), "anonymous");
}

TEST(CallerIdentityTest, ServerContextWithoutCallIsAnonymous) {
  grpc::ServerContext context;
  EXPECT_EQ(CallerIdentity(context), "anonymous");
}

}  // namespace
}  // namespace innoscope::server
