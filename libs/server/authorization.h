#pragma once

// Who may call what: deny-by-default role checks for every RPC, done before
// the handler runs.
//
// Each rpc declares the least role it needs in the contract
// (`option (innoscope.auth.v1.required_role) = ROLE_WRITER;`,
// proto/innoscope/auth/v1/options.proto). RoleTable reads those
// declarations from the generated descriptors at start; an rpc without one
// is refused. The auth file (`--auth_file`) grants roles to identities
// (libs/server/caller_identity.h), one `identity,role` per line:
//
//   # identity,role
//   san:spiffe://innoscope/scoring,reader
//   sha256:ba5005a4...,writer
//
// Roles are ordered reader < writer < operator < admin; a role includes
// every lower one. The file is checked for changes (modification time, size,
// inode) at most once per reload interval, so a revoked token is refused
// within seconds; a file that no longer parses refuses every call until it
// is fixed (fail closed). Health checks are always allowed; reflection needs
// reader.
//
// Authorizer is a grpc::AuthMetadataProcessor: gRPC runs it on every call
// of a TLS port before the call reaches the service, so a refused call runs
// no handler and writes nothing:
//
//   auto authorizer = std::make_shared<Authorizer>(table, "auth.csv", absl::Seconds(2), metrics);
//   credentials->SetAuthMetadataProcessor(authorizer);
//
// Refusals: no identity -> UNAUTHENTICATED; an unknown bearer token ->
// UNAUTHENTICATED; a certificate identity without a role, or too low a role
// -> PERMISSION_DENIED naming the method and the role it needs. Messages
// never contain a token. Each refusal counts in
// innoscope_auth_denied_total{service,method,reason} and writes one audit
// line.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "innoscope/auth/v1/options.pb.h"
#include "libs/server/metrics.h"

namespace innoscope::server {

using Role = auth::v1::Role;

// "reader", "writer", "operator", "admin" ("unspecified" for no role).
std::string RoleName(Role role);
// The inverse of RoleName for the four roles; INVALID_ARGUMENT otherwise.
absl::StatusOr<Role> ParseRole(const std::string& word);

// The declared role of every method of some services, by full method path
// ("/innoscope.ingest.v1.IngestService/WriteObservations").
class RoleTable {
 public:
  // The declarations of the named services (full names,
  // "innoscope.ingest.v1.IngestService") from the generated descriptor pool.
  // NOT_FOUND when a service is not linked into the binary.
  static absl::StatusOr<RoleTable> ForServices(const std::vector<std::string>& services);

  // ROLE_UNSPECIFIED for an unknown method or one without a declaration.
  Role Required(const std::string& full_method) const;
  const std::map<std::string, Role>& roles() const { return roles_; }

 private:
  std::map<std::string, Role> roles_;
};

// Parses the auth file's text into identity -> role. Blank lines and lines
// starting with '#' are skipped, as is a header line `identity,role`.
// INVALID_ARGUMENT naming the line for anything else that is not
// `sha256:<64 hex>,role` or `san:<value>,role`, and for an identity listed
// twice.
absl::StatusOr<std::map<std::string, Role>> ParseAuthFile(const std::string& text);

class Authorizer final : public grpc::AuthMetadataProcessor {
 public:
  // Reads `auth_file` once; its errors are returned by Create.
  static absl::StatusOr<std::shared_ptr<Authorizer>> Create(RoleTable table, std::string auth_file,
                                                            absl::Duration reload_interval,
                                                            ServerMetrics* metrics);

  // The decision for one call (OK, UNAUTHENTICATED or PERMISSION_DENIED).
  grpc::Status Decide(const std::string& full_method, const std::string& identity);

  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  Authorizer(RoleTable table, std::string auth_file, absl::Duration reload_interval,
             ServerMetrics* metrics);
  // Re-reads the file when it changed and the interval has passed.
  void MaybeReload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  grpc::Status Deny(grpc::StatusCode code, const std::string& full_method,
                    const std::string& identity, const std::string& reason,
                    const std::string& message);

  const RoleTable table_;
  const std::string auth_file_;
  const absl::Duration reload_interval_;
  ServerMetrics* metrics_;  // may be null (tests)
  absl::Mutex mu_;
  std::map<std::string, Role> grants_ ABSL_GUARDED_BY(mu_);
  bool file_valid_ ABSL_GUARDED_BY(mu_) = false;
  std::string file_signature_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace innoscope::server
