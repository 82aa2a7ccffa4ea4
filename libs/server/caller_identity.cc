#include "libs/server/caller_identity.h"

#include <openssl/sha.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/grpc_security_constants.h"

namespace innoscope::server {
namespace {

// The first value of an auth context property, or "" when it has none.
std::string FirstProperty(const grpc::AuthContext& auth_context, const char* name) {
  std::vector<grpc::string_ref> values = auth_context.FindPropertyValues(name);
  if (values.empty()) return "";
  return std::string(values.front().data(), values.front().size());
}

// The token of an `authorization: Bearer <token>` entry, or "" (the scheme
// is case-insensitive, RFC 6750 section 2.1 via RFC 7235).
std::string BearerToken(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  constexpr absl::string_view kScheme = "bearer ";
  auto range = metadata.equal_range("authorization");
  for (auto it = range.first; it != range.second; ++it) {
    absl::string_view value(it->second.data(), it->second.size());
    if (value.size() > kScheme.size() &&
        absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
      absl::string_view token = absl::StripAsciiWhitespace(value.substr(kScheme.size()));
      if (!token.empty()) return std::string(token);
    }
  }
  return "";
}

}  // namespace

std::string BearerTokenIdentity(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(digest), sizeof(digest))));
}

std::string CallerIdentityFrom(const grpc::AuthContext* auth_context,
                               const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  // A peer is authenticated only when the TLS handshake verified its
  // certificate against the client CA (the servers either require and
  // verify a client certificate or request none).
  if (auth_context != nullptr && auth_context->IsPeerAuthenticated()) {
    std::string uri = FirstProperty(*auth_context, GRPC_PEER_URI_PROPERTY_NAME);
    if (!uri.empty()) return absl::StrCat("san:", uri);
    std::string dns = FirstProperty(*auth_context, GRPC_PEER_DNS_PROPERTY_NAME);
    if (!dns.empty()) return absl::StrCat("san:", dns);
  }
  std::string token = BearerToken(metadata);
  if (!token.empty()) return BearerTokenIdentity(token);
  return kAnonymousIdentity;
}

std::string CallerIdentity(const grpc::ServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth_context = context.auth_context();
  return CallerIdentityFrom(auth_context.get(), context.client_metadata());
}

}  // namespace innoscope::server
