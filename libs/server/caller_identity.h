#pragma once

// Who is calling: the identity a server authorises and audits a call by.
//
//   - `san:<URI SAN>` of a verified client certificate (mTLS; SPIFFE form,
//     e.g. `san:spiffe://innoscope/scoring`), else `san:<first DNS SAN>`;
//   - else `sha256:<lowercase hex SHA-256 of the token>` of an
//     `authorization: Bearer <token>` metadata entry (the token itself is
//     never logged or compared: the auth file stores its hash too);
//   - else `anonymous`.
//
// These are the identities of the `--auth_file` CSV (docs/security.md).
//
//   std::string who = server::CallerIdentity(*context);  // in a handler

#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/string_ref.h"

namespace innoscope::server {

// The identity of an unauthenticated caller.
inline constexpr char kAnonymousIdentity[] = "anonymous";

// The caller of the call `context` serves.
std::string CallerIdentity(const grpc::ServerContext& context);

// The same from its parts: the peer's authentication context (nullptr on a
// plaintext connection) and the client's metadata. The auth metadata
// processor uses this form: it runs before a ServerContext exists.
std::string CallerIdentityFrom(const grpc::AuthContext* auth_context,
                               const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// `sha256:<hex>` of a bearer token: its identity in the auth file.
std::string BearerTokenIdentity(absl::string_view token);

}  // namespace innoscope::server
