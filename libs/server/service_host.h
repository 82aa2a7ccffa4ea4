#pragma once

// The one service bootstrap used by all four Innoscope services.
//
// ServiceMain turns flags into a validated configuration, connects to
// PostgreSQL and applies the service's migrations, builds the gRPC server
// (health, reflection, keepalive, max connection age, metrics interceptor),
// exposes /metrics, reports readiness from a database probe, and on SIGTERM
// or SIGINT drains and shuts down. A service supplies only its definition
// and a factory for its gRPC service:
//
//   int main(int argc, char** argv) {
//     return innoscope::server::ServiceMain(kIngestDefinition, argc, argv,
//         [](innoscope::server::ServiceContext& ctx) { ... });
//   }
//
// Standard flags (each also INNOSCOPE_<FLAG>): grpc_address, metrics_address,
// database_url (or DATABASE_URL), db_pool_size, log_level, drain_seconds,
// shutdown_grace_seconds, max_connection_age_seconds,
// max_connection_age_grace_seconds, stream_write_timeout_seconds,
// stream_page_rows, readiness_interval_seconds, database_wait_seconds,
// max_message_bytes and <upstream>_address for each upstream service.
// Database faults (docs/operations.md, "Database faults"):
// db_probe_timeout_seconds, db_connect_timeout_seconds,
// db_statement_timeout_seconds, db_lock_timeout_seconds,
// db_tcp_user_timeout_seconds. Security (docs/security.md):
// tls_cert_file, tls_key_file, tls_client_ca_file, tls_refresh_seconds,
// health_address, reflection, auth_file, auth_reload_seconds, and for the
// upstream channels tls_ca_file, tls_server_name, auth_token_file (the
// server certificate is the client certificate towards upstreams).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "grpcpp/support/status.h"
#include "innoscope/common/v1/common.pb.h"
#include "libs/config/flags.h"
#include "libs/server/channel_security.h"
#include "libs/storage/migrations.h"
#include "libs/storage/pool.h"
#include "prometheus/registry.h"

namespace innoscope::server {

struct ServiceDefinition {
  std::string name;          // "ingest"; also the PostgreSQL schema
  std::string grpc_service;  // "innoscope.ingest.v1.IngestService"
  std::string description;   // first line of --help
  int default_grpc_port = 0;
  int default_metrics_port = 0;
  std::function<std::vector<storage::Migration>()> migrations;
  // Upstream services this one calls, by name ("ingest"): each gets an
  // --<name>_address flag with the given default.
  std::map<std::string, std::string> upstream_defaults;
  // Flags of this service alone (e.g. ingest's input limits), added after
  // the standard ones, and their check: an error exits 2 like any invalid
  // flag. The factory reads their values from ServiceConfig::flags.
  std::function<void(config::FlagSet&)> add_flags;
  std::function<absl::Status(const config::ParsedFlags&)> check_flags;
};

// Immutable configuration parsed from flags.
struct ServiceConfig {
  config::HostPort grpc_address;
  config::HostPort metrics_address;
  std::string database_url;
  int db_pool_size = 8;
  absl::Duration drain = absl::Seconds(5);
  absl::Duration shutdown_grace = absl::Seconds(20);
  absl::Duration max_connection_age = absl::Minutes(5);
  // How long a call may run on past its connection's max age; infinite
  // (the default): never cut.
  absl::Duration max_connection_age_grace = absl::InfiniteDuration();
  // A server stream whose client has read nothing for this long is cut
  // (libs/server/stream_watchdog.h).
  absl::Duration stream_write_timeout = absl::Seconds(30);
  // Rows per page (and per message) of a server stream read from the
  // database, each page in its own short transaction.
  int stream_page_rows = 5000;
  absl::Duration readiness_interval = absl::Seconds(2);
  absl::Duration database_wait = absl::Seconds(60);
  // The readiness probe's own deadline (<= readiness_interval, so a frozen
  // database flips readiness within two intervals).
  absl::Duration db_probe_timeout = absl::Seconds(2);
  int db_connect_timeout_seconds = 5;
  absl::Duration db_statement_timeout = absl::Minutes(5);
  absl::Duration db_lock_timeout = absl::Seconds(60);
  absl::Duration db_tcp_user_timeout = absl::Seconds(30);
  int max_message_bytes = 16 * 1024 * 1024;
  std::string log_level = "info";
  std::map<std::string, std::string> upstreams;  // name -> HOST:PORT
  // Transport security of the server (empty = plaintext).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;  // set: client certificates required (mTLS)
  int tls_refresh_seconds = 10;
  std::string health_address;  // plaintext listener serving only grpc.health.v1
  bool reflection = false;
  std::string auth_file;  // empty: every caller may call everything
  absl::Duration auth_reload = absl::Seconds(2);
  ChannelSecurity upstream_security;
  // Threads for compute work (--threads; 0 = the cgroup CPU quota within
  // the affinity mask, libs/common/cpu_limit.h), resolved: >= 1.
  int threads = 1;
  config::ParsedFlags flags;  // every flag as parsed (ServiceDefinition::add_flags)
};

// The standard flags for a service.
config::FlagSet ServiceFlags(const ServiceDefinition& definition, const std::string& program);

// Validates parsed flags into a configuration (INVALID_ARGUMENT naming the
// flag on error).
absl::StatusOr<ServiceConfig> ServiceConfigFromFlags(const ServiceDefinition& definition,
                                                     const config::ParsedFlags& flags);

// Serves GetServiceInfo for every service: version, schema, readiness and
// the health of its upstreams.
class ServiceInfoProvider {
 public:
  ServiceInfoProvider(const ServiceDefinition& definition, storage::ConnectionPool& pool,
                      std::map<std::string, std::string> upstream_addresses,
                      std::map<std::string, std::shared_ptr<grpc::Channel>> channels);
  absl::StatusOr<common::v1::ServiceInfo> Get() const;
  void SetDatabaseReady(bool ready) { database_ready_ = ready; }
  bool database_ready() const { return database_ready_; }

 private:
  const ServiceDefinition& definition_;
  storage::ConnectionPool& pool_;
  std::map<std::string, std::string> upstream_addresses_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  absl::Time started_at_;
  std::atomic<bool> database_ready_{false};
};

// The body of every service's GetServiceInfo handler.
grpc::Status FillServiceInfo(const ServiceInfoProvider& info, common::v1::ServiceInfo* out);

// What a service factory receives.
struct ServiceContext {
  const ServiceConfig& config;
  storage::ConnectionPool& pool;
  prometheus::Registry& registry;
  const ServiceInfoProvider& info;
  // Channels to upstream services, by name.
  std::map<std::string, std::shared_ptr<grpc::Channel>> upstreams;

  // Keeps an object (a store, a core service) alive until the server has
  // shut down, and returns it.
  template <typename T>
  T& Keep(std::unique_ptr<T> object) {
    T& ref = *object;
    owned.push_back(std::shared_ptr<T>(std::move(object)));
    return ref;
  }
  std::vector<std::shared_ptr<void>> owned;
};

// The gRPC service to register. The returned object must outlive the
// server; ServiceMain keeps it until shutdown.
using ServiceFactory =
    std::function<absl::StatusOr<std::unique_ptr<grpc::Service>>(ServiceContext& context)>;

// Runs a service process to completion and returns its exit code: 0 after a
// clean shutdown, 1 when start-up fails, 2 (via exit) for invalid flags.
int ServiceMain(const ServiceDefinition& definition, int argc, char** argv,
                const ServiceFactory& factory);

// Release version and git revision baked in at build time.
const char* BuildVersion();
const char* BuildRevision();

}  // namespace innoscope::server
