#include "libs/server/authorization.h"

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "libs/common/log.h"
#include "libs/server/caller_identity.h"

namespace innoscope::server {
namespace {

constexpr char kHealthPrefix[] = "/grpc.health.v1.Health/";
constexpr char kReflectionPrefix[] = "/grpc.reflection.";

// What identifies a version of the file: a rename (Kubernetes swaps a
// Secret's symlink) changes the inode, an edit the time or size.
std::string FileSignature(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return absl::StrCat(st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec);
}

bool IsHex(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return true;
}

}  // namespace

std::string RoleName(Role role) {
  switch (role) {
    case auth::v1::ROLE_READER:
      return "reader";
    case auth::v1::ROLE_WRITER:
      return "writer";
    case auth::v1::ROLE_OPERATOR:
      return "operator";
    case auth::v1::ROLE_ADMIN:
      return "admin";
    case auth::v1::ROLE_UNSPECIFIED:
    case auth::v1::Role_INT_MIN_SENTINEL_DO_NOT_USE_:
    case auth::v1::Role_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;
  }
  return "unspecified";
}

absl::StatusOr<Role> ParseRole(const std::string& word) {
  for (Role role : {auth::v1::ROLE_READER, auth::v1::ROLE_WRITER, auth::v1::ROLE_OPERATOR,
                    auth::v1::ROLE_ADMIN}) {
    if (word == RoleName(role)) return role;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("role \"", word, "\" is not reader, writer, operator or admin"));
}

absl::StatusOr<RoleTable> RoleTable::ForServices(const std::vector<std::string>& services) {
  RoleTable table;
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) {
      return absl::NotFoundError(absl::StrCat("service ", name, " is not linked in"));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      table.roles_[absl::StrCat("/", name, "/", method->name())] =
          method->options().GetExtension(auth::v1::required_role);
    }
  }
  return table;
}

Role RoleTable::Required(const std::string& full_method) const {
  auto it = roles_.find(full_method);
  return it == roles_.end() ? auth::v1::ROLE_UNSPECIFIED : it->second;
}

absl::StatusOr<std::map<std::string, Role>> ParseAuthFile(const std::string& text) {
  std::map<std::string, Role> grants;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#' || line == "identity,role") continue;
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": expected identity,role"));
    }
    std::string identity(absl::StripAsciiWhitespace(fields[0]));
    std::string role_word(absl::StripAsciiWhitespace(fields[1]));
    if (absl::StartsWith(identity, "sha256:")) {
      absl::string_view hex = absl::string_view(identity).substr(7);
      if (hex.size() != 64 || !IsHex(hex)) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_number,
                         ": sha256: needs 64 lowercase hex digits (sha256sum of the token)"));
      }
    } else if (!absl::StartsWith(identity, "san:") || identity.size() == 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, ": identity must be sha256:<hex> or san:<certificate SAN>"));
    }
    absl::StatusOr<Role> role = ParseRole(role_word);
    if (!role.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", role.status().message()));
    }
    if (!grants.emplace(identity, *role).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": identity listed twice"));
    }
  }
  return grants;
}

Authorizer::Authorizer(RoleTable table, std::string auth_file, absl::Duration reload_interval,
                       ServerMetrics* metrics)
    : table_(std::move(table)),
      auth_file_(std::move(auth_file)),
      reload_interval_(reload_interval),
      metrics_(metrics) {}

absl::StatusOr<std::shared_ptr<Authorizer>> Authorizer::Create(RoleTable table,
                                                               std::string auth_file,
                                                               absl::Duration reload_interval,
                                                               ServerMetrics* metrics) {
  std::shared_ptr<Authorizer> authorizer(
      new Authorizer(std::move(table), std::move(auth_file), reload_interval, metrics));
  absl::MutexLock lock(&authorizer->mu_);
  absl::Status loaded = authorizer->Load();
  if (!loaded.ok()) return loaded;
  authorizer->last_check_ = absl::Now();
  return authorizer;
}

absl::Status Authorizer::Load() {
  file_signature_ = FileSignature(auth_file_);
  std::ifstream in(auth_file_);
  if (!in) {
    file_valid_ = false;
    return absl::InvalidArgumentError(absl::StrCat("--auth_file: cannot read ", auth_file_));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<std::map<std::string, Role>> parsed = ParseAuthFile(buffer.str());
  if (!parsed.ok()) {
    file_valid_ = false;
    grants_.clear();
    return absl::InvalidArgumentError(
        absl::StrCat("--auth_file ", auth_file_, ": ", parsed.status().message()));
  }
  grants_ = *std::move(parsed);
  file_valid_ = true;
  return absl::OkStatus();
}

void Authorizer::MaybeReload() {
  absl::Time now = absl::Now();
  if (now - last_check_ < reload_interval_) return;
  last_check_ = now;
  if (FileSignature(auth_file_) == file_signature_) return;
  absl::Status loaded = Load();
  if (loaded.ok()) {
    log::Info("auth file reloaded",
              {{"auth_file", auth_file_}, {"identities", static_cast<int64_t>(grants_.size())}});
  } else {
    log::Error("auth file invalid; refusing every call until it is fixed",
               {{"error", std::string(loaded.message())}});
  }
}

grpc::Status Authorizer::Deny(grpc::StatusCode code, const std::string& full_method,
                              const std::string& identity, const std::string& reason,
                              const std::string& message) {
  auto [service, method] = SplitFullMethod(full_method);
  if (metrics_ != nullptr) metrics_->AuthDenied(service, method, reason);
  log::Warn("audit", {{"audit", true},
                      {"identity", identity},
                      {"method", service + "/" + method},
                      {"code", GrpcCodeName(static_cast<int>(code))},
                      {"reason", reason}});
  return grpc::Status(code, message);
}

grpc::Status Authorizer::Decide(const std::string& full_method, const std::string& identity) {
  if (absl::StartsWith(full_method, kHealthPrefix)) return grpc::Status::OK;
  Role needed = absl::StartsWith(full_method, kReflectionPrefix) ? auth::v1::ROLE_READER
                                                                 : table_.Required(full_method);
  auto [service, method] = SplitFullMethod(full_method);
  const std::string name = service + "/" + method;
  if (needed == auth::v1::ROLE_UNSPECIFIED) {
    return Deny(grpc::StatusCode::PERMISSION_DENIED, full_method, identity, "undeclared",
                absl::StrCat(name, " declares no required role; refused (deny by default)"));
  }
  if (identity == kAnonymousIdentity) {
    return Deny(grpc::StatusCode::UNAUTHENTICATED, full_method, identity, "unauthenticated",
                absl::StrCat(name, " needs role ", RoleName(needed),
                             "; present a client certificate or a bearer token"));
  }
  Role granted = auth::v1::ROLE_UNSPECIFIED;
  {
    absl::MutexLock lock(&mu_);
    MaybeReload();
    if (!file_valid_) {
      return Deny(grpc::StatusCode::PERMISSION_DENIED, full_method, identity, "auth_file_invalid",
                  absl::StrCat(name, ": the server's auth file is invalid; every call is refused"));
    }
    auto it = grants_.find(identity);
    if (it != grants_.end()) granted = it->second;
  }
  if (granted == auth::v1::ROLE_UNSPECIFIED) {
    if (absl::StartsWith(identity, "sha256:")) {
      return Deny(grpc::StatusCode::UNAUTHENTICATED, full_method, identity, "unknown_token",
                  absl::StrCat(name, " needs role ", RoleName(needed),
                               "; the bearer token is not known (revoked?)"));
    }
    return Deny(
        grpc::StatusCode::PERMISSION_DENIED, full_method, identity, "no_role",
        absl::StrCat(name, " needs role ", RoleName(needed), "; ", identity, " has no role"));
  }
  if (granted < needed) {
    return Deny(grpc::StatusCode::PERMISSION_DENIED, full_method, identity, "insufficient_role",
                absl::StrCat(name, " needs role ", RoleName(needed), "; the caller has role ",
                             RoleName(granted)));
  }
  return grpc::Status::OK;
}

grpc::Status Authorizer::Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                                 OutputMetadata* /*consumed_auth_metadata*/,
                                 OutputMetadata* /*response_metadata*/) {
  auto path = auth_metadata.find(":path");
  if (path == auth_metadata.end()) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no method path; refused");
  }
  return Decide(std::string(path->second.data(), path->second.size()),
                CallerIdentityFrom(context, auth_metadata));
}

}  // namespace innoscope::server
