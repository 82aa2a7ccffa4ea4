#pragma once

// How a client (a service calling its upstreams, the `innoscope` CLI, the
// recompute job, tests) secures its channels: TLS with a CA to verify the
// server, optionally a client certificate (mTLS), and optionally a bearer
// token sent on every call. Certificate files are re-read when they change
// (gRPC's FileWatcherCertificateProvider), the token file on every call
// whose file changed, so rotation needs no restart.
//
//   config::FlagSet flags(...);
//   AddChannelSecurityFlags(flags);            // --tls_ca_file ... --auth_token_file
//   ASSIGN_OR_RETURN(ChannelSecurity security, ChannelSecurityFromFlags(parsed));
//   std::shared_ptr<grpc::Channel> channel = MakeChannel("ingest:50051", security);
//
// Without any of the files the channel is plaintext (the local stack's
// default, docs/security.md).

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "libs/config/flags.h"

namespace innoscope::server {

struct ChannelSecurity {
  std::string ca_file;          // PEM CA bundle that signs the servers' certificates
  std::string cert_file;        // PEM client certificate (mTLS), with key_file
  std::string key_file;         // PEM private key of cert_file
  std::string server_name;      // name checked against the server's certificate
  std::string auth_token_file;  // file holding a bearer token (first line)
  int refresh_seconds = 10;     // how often certificate files are checked

  bool tls() const { return !ca_file.empty() || !cert_file.empty(); }
};

// Adds --tls_ca_file, --tls_cert_file, --tls_key_file, --tls_server_name and
// --auth_token_file (each also INNOSCOPE_<FLAG>). A service, whose server
// takes --tls_cert_file/--tls_key_file already, adds only the others
// (with_identity = false) and presents its server certificate to upstreams.
void AddChannelSecurityFlags(config::FlagSet& flags, bool with_identity = true);

// Reads the flags AddChannelSecurityFlags defined; a flag left at its
// default takes INNOSCOPE_<FLAG> of `fallback` (the local stack's address
// file) when present. INVALID_ARGUMENT naming the flag when a file cannot
// be read or the combination is incomplete.
absl::StatusOr<ChannelSecurity> ChannelSecurityFromFlags(
    const config::ParsedFlags& flags, const std::map<std::string, std::string>& fallback = {});

// Checks the files of a configuration (readable, cert and key together, a
// token only over TLS).
absl::Status ValidateChannelSecurity(const ChannelSecurity& security);

// The channel credentials of a configuration (insecure without TLS).
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const ChannelSecurity& security);

// The longest wait between two attempts to reach a server that was down.
inline constexpr int kMaxReconnectBackoffMs = 2000;

// A channel to HOST:PORT with the security of `security`; keepalive as the
// servers expect it, and reconnect attempts at most kMaxReconnectBackoffMs
// apart.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const ChannelSecurity& security);

// Whether `path` names a readable regular file (INVALID_ARGUMENT naming
// `flag` otherwise); shared with the server's flags.
absl::Status CheckReadableFile(const std::string& flag, const std::string& path);

}  // namespace innoscope::server
