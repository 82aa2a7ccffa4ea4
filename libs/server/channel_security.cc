#include "libs/server/channel_security.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "libs/common/status_macros.h"

namespace innoscope::server {
namespace {

// Sends `authorization: Bearer <token>` on every call. The token file is
// re-read when its modification time or size changes, so a rotated token
// is used without a restart; the token itself is never logged.
class TokenFilePlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit TokenFilePlugin(std::string path) : path_(std::move(path)) {}

  grpc::Status GetMetadata(grpc::string_ref /*service_url*/, grpc::string_ref /*method_name*/,
                           const grpc::AuthContext& /*channel_auth_context*/,
                           std::multimap<grpc::string, grpc::string>* metadata) override {
    absl::MutexLock lock(&mu_);
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("cannot read the token file ", path_));
    }
    if (st.st_mtim.tv_sec != mtime_.tv_sec || st.st_mtim.tv_nsec != mtime_.tv_nsec ||
        st.st_size != size_ || token_.empty()) {
      std::ifstream in(path_);
      std::string line;
      std::getline(in, line);
      token_ = std::string(absl::StripAsciiWhitespace(line));
      mtime_ = st.st_mtim;
      size_ = st.st_size;
    }
    if (token_.empty()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          absl::StrCat("the token file ", path_, " is empty"));
    }
    metadata->insert({"authorization", absl::StrCat("Bearer ", token_)});
    return grpc::Status::OK;
  }

 private:
  const std::string path_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  timespec mtime_ ABSL_GUARDED_BY(mu_) = {};
  off_t size_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

absl::Status CheckReadableFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path);
  struct stat st {};
  if (!in || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read \"", path, "\""));
  }
  return absl::OkStatus();
}

void AddChannelSecurityFlags(config::FlagSet& flags, bool with_identity) {
  flags.Add("tls_ca_file", "",
            "PEM CA certificate(s) that sign the servers' certificates; set it to call "
            "the services over TLS");
  if (with_identity) {
    flags.Add("tls_cert_file", "", "PEM client certificate presented to the services (mTLS)")
        .Add("tls_key_file", "", "PEM private key of --tls_cert_file");
  }
  flags
      .Add("tls_server_name", "",
           "name to verify in the servers' certificates instead of the address's host")
      .Add("auth_token_file", "",
           "file whose first line is a bearer token sent on every call (needs TLS)");
}

absl::StatusOr<ChannelSecurity> ChannelSecurityFromFlags(
    const config::ParsedFlags& flags, const std::map<std::string, std::string>& fallback) {
  auto value = [&](const std::string& name) -> std::string {
    const std::string& given = flags.Get(name);
    if (!given.empty() || flags.Origin(name) != "default") return given;
    auto it = fallback.find(config::FlagSet::EnvName(name));
    return it == fallback.end() ? given : it->second;
  };
  ChannelSecurity s;
  s.ca_file = value("tls_ca_file");
  s.cert_file = value("tls_cert_file");
  s.key_file = value("tls_key_file");
  s.server_name = value("tls_server_name");
  s.auth_token_file = value("auth_token_file");
  RETURN_IF_ERROR(ValidateChannelSecurity(s));
  return s;
}

absl::Status ValidateChannelSecurity(const ChannelSecurity& s) {
  if (s.cert_file.empty() != s.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together: set both or neither");
  }
  if (!s.auth_token_file.empty() && !s.tls()) {
    return absl::InvalidArgumentError(
        "--auth_token_file needs TLS (--tls_ca_file): a bearer token must not travel in "
        "cleartext");
  }
  if (!s.ca_file.empty()) RETURN_IF_ERROR(CheckReadableFile("tls_ca_file", s.ca_file));
  if (!s.cert_file.empty()) RETURN_IF_ERROR(CheckReadableFile("tls_cert_file", s.cert_file));
  if (!s.key_file.empty()) RETURN_IF_ERROR(CheckReadableFile("tls_key_file", s.key_file));
  if (!s.auth_token_file.empty()) {
    RETURN_IF_ERROR(CheckReadableFile("auth_token_file", s.auth_token_file));
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const ChannelSecurity& s) {
  if (!s.tls()) return grpc::InsecureChannelCredentials();
  const unsigned refresh = static_cast<unsigned>(s.refresh_seconds);
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (!s.cert_file.empty()) {
    provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        s.key_file, s.cert_file, s.ca_file, refresh);
  } else {
    provider =
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(s.ca_file, refresh);
  }
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  // Without a CA file the system's roots verify the server.
  if (!s.ca_file.empty()) options.watch_root_certs();
  if (!s.cert_file.empty()) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  std::shared_ptr<grpc::ChannelCredentials> tls = grpc::experimental::TlsCredentials(options);
  if (s.auth_token_file.empty()) return tls;
  return grpc::CompositeChannelCredentials(
      tls,
      grpc::MetadataCredentialsFromPlugin(std::make_unique<TokenFilePlugin>(s.auth_token_file)));
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, const ChannelSecurity& s) {
  grpc::ChannelArguments args;
  // Match the servers' keepalive policy (service_host.cc).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  // An upstream that was down is tried again at most kMaxReconnectBackoffMs
  // apart (gRPC's default grows to 120 s), so calls succeed again within
  // that time of its return; until then they fail fast with UNAVAILABLE.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  if (!s.server_name.empty()) args.SetSslTargetNameOverride(s.server_name);
  return grpc::CreateCustomChannel(address, ChannelCredentials(s), args);
}

}  // namespace innoscope::server
