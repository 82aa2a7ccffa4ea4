#include "libs/server/service_host.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "libs/common/cpu_limit.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/server/audit.h"
#include "libs/server/authorization.h"
#include "libs/server/grpc_status.h"
#include "libs/server/health_client.h"
#include "libs/server/metrics.h"
#include "libs/server/shutdown.h"
#include "libs/storage/database_probe.h"
#include "prometheus/exposer.h"

namespace innoscope::server {
namespace {

// The health entry that follows database reachability; Kubernetes readiness
// probes ask for it, liveness probes ask for "" (docs/operations.md).
constexpr char kReadinessName[] = "readiness";

std::string UpstreamFlag(const std::string& name) { return absl::StrCat(name, "_address"); }

// Waits for PostgreSQL at start-up (a pod may start before the database is
// reachable), then applies migrations. Migration errors are not retried.
absl::StatusOr<int> ConnectAndMigrate(const ServiceDefinition& definition,
                                      const ServiceConfig& config, storage::ConnectionPool& pool) {
  absl::Time give_up = absl::Now() + config.database_wait;
  absl::Status ping;
  for (int attempt = 1;; ++attempt) {
    ping = pool.Ping();
    if (ping.ok() || absl::Now() >= give_up || ping.code() != absl::StatusCode::kUnavailable) {
      break;
    }
    log::Warn("waiting for the database",
              {{"attempt", attempt}, {"error", std::string(ping.message())}});
    absl::SleepFor(absl::Seconds(1));
  }
  if (!ping.ok()) return ping;
  return storage::ApplyMigrations(pool, definition.name, definition.migrations());
}

// Blocks SIGTERM and SIGINT in this thread and every thread created after,
// so that only sigwait() in the main thread receives them.
sigset_t BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Background loop: probes the database for the readiness entry and refreshes
// pool and process gauges. The probe has its own deadline
// (--db_probe_timeout_seconds), so a frozen database cannot stall the loop;
// its result also switches the pool between failing fast and serving.
class Monitor {
 public:
  Monitor(const ServiceConfig& config, grpc::HealthCheckServiceInterface& health,
          ServerMetrics& metrics, storage::ConnectionPool& pool, ServiceInfoProvider& info)
      : config_(config),
        health_(health),
        metrics_(metrics),
        pool_(pool),
        info_(info),
        // A dedicated connection, so a busy pool never makes the service
        // look unready and the probe never waits behind RPCs.
        probe_(pool.options()) {}

  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }
  void Stop() {
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (thread_.joinable()) thread_.join();
  }
  ~Monitor() { Stop(); }

 private:
  void Loop() {
    bool last_ready = true;  // migrations just succeeded
    do {
      absl::Status probe = probe_.Check(config_.db_probe_timeout);
      bool ready = probe.ok();
      if (ready) {
        pool_.MarkDatabaseUp();
      } else {
        pool_.MarkDatabaseDown(probe);
      }
      if (ready != last_ready) {
        if (ready) {
          log::Info("database reachable again; readiness SERVING");
        } else {
          log::Warn("database unreachable; readiness NOT_SERVING",
                    {{"error", std::string(probe.message())}});
        }
        last_ready = ready;
      }
      health_.SetServingStatus(kReadinessName, ready);
      info_.SetDatabaseReady(ready);
      metrics_.SetDatabaseReady(ready);
      metrics_.UpdatePool(pool_.Stats());
      metrics_.UpdateProcess();
    } while (!stop_.WaitForNotificationWithTimeout(config_.readiness_interval));
  }

  const ServiceConfig& config_;
  grpc::HealthCheckServiceInterface& health_;
  ServerMetrics& metrics_;
  storage::ConnectionPool& pool_;
  ServiceInfoProvider& info_;
  storage::DatabaseProbe probe_;
  absl::Notification stop_;
  std::thread thread_;
};

// Health status set on several servers at once (the main port and the
// plaintext health port answer the same).
class HealthFanout final : public grpc::HealthCheckServiceInterface {
 public:
  void Add(grpc::HealthCheckServiceInterface* target) { targets_.push_back(target); }
  void SetServingStatus(const std::string& name, bool serving) override {
    for (auto* t : targets_) t->SetServingStatus(name, serving);
  }
  void SetServingStatus(bool serving) override {
    for (auto* t : targets_) t->SetServingStatus(serving);
  }
  void Shutdown() override {
    for (auto* t : targets_) t->Shutdown();
  }

 private:
  std::vector<grpc::HealthCheckServiceInterface*> targets_;
};

// The credentials of the main port: plaintext, TLS, or mutual TLS, with
// the authoriser when there is an auth file. Certificate files are watched
// by gRPC's provider and re-read when they change; connections already
// open keep their session.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const ServiceConfig& c, const RoleTable& roles, ServerMetrics& metrics) {
  if (c.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  const unsigned refresh = static_cast<unsigned>(c.tls_refresh_seconds);
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (c.tls_client_ca_file.empty()) {
    provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        c.tls_key_file, c.tls_cert_file, refresh);
  } else {
    provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        c.tls_key_file, c.tls_cert_file, c.tls_client_ca_file, refresh);
  }
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (c.tls_client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::TlsServerCredentials(options);
  if (!c.auth_file.empty()) {
    ASSIGN_OR_RETURN(std::shared_ptr<Authorizer> authorizer,
                     Authorizer::Create(roles, c.auth_file, c.auth_reload, &metrics));
    credentials->SetAuthMetadataProcessor(authorizer);
  }
  return credentials;
}

// The transport and authorisation part of the configuration.
absl::Status ReadSecurityConfig(const config::ParsedFlags& flags, ServiceConfig& c) {
  c.tls_cert_file = flags.Get("tls_cert_file");
  c.tls_key_file = flags.Get("tls_key_file");
  c.tls_client_ca_file = flags.Get("tls_client_ca_file");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together: set both or neither");
  }
  if (!c.tls_client_ca_file.empty() && c.tls_cert_file.empty()) {
    return absl::InvalidArgumentError("--tls_client_ca_file needs --tls_cert_file");
  }
  for (const char* flag : {"tls_cert_file", "tls_key_file", "tls_client_ca_file", "auth_file"}) {
    if (!flags.Get(flag).empty()) RETURN_IF_ERROR(CheckReadableFile(flag, flags.Get(flag)));
  }
  ASSIGN_OR_RETURN(int64_t refresh, flags.GetInt("tls_refresh_seconds", 1, 3600));
  c.tls_refresh_seconds = static_cast<int>(refresh);
  c.health_address = flags.Get("health_address");
  if (!c.health_address.empty()) {
    RETURN_IF_ERROR(config::ParseHostPort("health_address", c.health_address).status());
  }
  ASSIGN_OR_RETURN(c.reflection, flags.GetBool("reflection"));
  c.auth_file = flags.Get("auth_file");
  if (!c.auth_file.empty() && c.tls_cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--auth_file needs --tls_cert_file: identities (certificates, bearer tokens) are only "
        "trusted over TLS");
  }
  ASSIGN_OR_RETURN(c.auth_reload, flags.GetSeconds("auth_reload_seconds"));
  ChannelSecurity& u = c.upstream_security;
  u.ca_file = flags.Get("tls_ca_file");
  u.server_name = flags.Get("tls_server_name");
  u.auth_token_file = flags.Get("auth_token_file");
  u.refresh_seconds = c.tls_refresh_seconds;
  if (!u.ca_file.empty()) {
    // Towards upstreams the service presents its own certificate.
    u.cert_file = c.tls_cert_file;
    u.key_file = c.tls_key_file;
  }
  return ValidateChannelSecurity(u);
}

}  // namespace

config::FlagSet ServiceFlags(const ServiceDefinition& d, const std::string& program) {
  config::FlagSet flags(program, d.description);
  flags
      .Add("grpc_address", absl::StrCat("0.0.0.0:", d.default_grpc_port),
           "HOST:PORT to serve gRPC on; port 0 picks a free port, printed on "
           "stdout as grpc_address=HOST:PORT")
      .Add("metrics_address", absl::StrCat("0.0.0.0:", d.default_metrics_port),
           "HOST:PORT to serve Prometheus /metrics on; port 0 picks a free "
           "port, printed as metrics_address=HOST:PORT")
      .AddWithFallbackEnv("database_url", "DATABASE_URL", "",
                          "PostgreSQL connection URL, e.g. "
                          "postgresql://user@host:5432/innoscope")
      .Add("db_pool_size", "8", "maximum database connections (1-256)")
      .Add("log_level", "info", "debug, info, warning or error")
      .Add("drain_seconds", "5",
           "after SIGTERM, seconds to report NOT_SERVING before refusing new "
           "RPCs (lets load balancers stop routing here)")
      .Add("shutdown_grace_seconds", "20", "after draining, seconds in-flight RPCs get to finish")
      .Add("max_connection_age_seconds", "300",
           "clients reconnect after this long, so Kubernetes Services "
           "rebalance across replicas")
      .Add("max_connection_age_grace_seconds", "0",
           "how long a call may still run once its connection reached the max age; 0: no "
           "limit, a running call is never cut")
      .Add("stream_write_timeout_seconds", "30",
           "a server stream whose client reads nothing for this long is ended "
           "(RESOURCE_EXHAUSTED in the log, CANCELLED at the client)")
      .Add("stream_page_rows", "5000",
           "rows per page of a server stream read from the database (one short transaction "
           "per page, no connection held while writing)")
      .Add("readiness_interval_seconds", "2",
           "seconds between database probes for the readiness health entry")
      .Add("database_wait_seconds", "60",
           "at start-up, how long to wait for PostgreSQL before giving up")
      .Add("db_probe_timeout_seconds", "",
           "deadline of each readiness probe (connect + SELECT 1), at most (and by default) "
           "--readiness_interval_seconds; a probe that misses it marks the database down: "
           "readiness NOT_SERVING, calls fail fast with UNAVAILABLE until a probe succeeds")
      .Add("db_connect_timeout_seconds", "5", "libpq connect_timeout of pooled connections (2-60)")
      .Add("db_statement_timeout_seconds", "300",
           "statement_timeout of every database session; 0: none")
      .Add("db_lock_timeout_seconds", "60", "lock_timeout of every database session; 0: none")
      .Add("db_tcp_user_timeout_seconds", "30",
           "libpq tcp_user_timeout (unacknowledged data closes the connection); keepalives "
           "after 10 s idle are always on; 0: system default")
      .Add("max_message_bytes", "16777216",
           "largest gRPC message accepted; larger ones get RESOURCE_EXHAUSTED")
      .Add("tls_cert_file", "",
           "PEM certificate to serve TLS with (also presented to upstreams); needs "
           "--tls_key_file")
      .Add("tls_key_file", "", "PEM private key of --tls_cert_file")
      .Add("tls_client_ca_file", "",
           "PEM CA that signs client certificates; set, every client must present one (mTLS)")
      .Add("tls_refresh_seconds", "10",
           "how often certificate files are checked for rotation (no restart needed)")
      .Add("health_address", "",
           "HOST:PORT of a plaintext listener serving only grpc.health.v1 (for kubelet "
           "probes, which speak no TLS); empty: none")
      .AddBool("reflection", false, "serve gRPC server reflection (v1alpha)")
      .Add("auth_file", "",
           "CSV identity,role (docs/security.md); set, every RPC needs the role its contract "
           "declares; empty: the server runs open");
  flags.Add("auth_reload_seconds", "2", "how often --auth_file is checked for changes");
  AddChannelSecurityFlags(flags, /*with_identity=*/false);
  for (const auto& [name, address] : d.upstream_defaults) {
    flags.Add(UpstreamFlag(name), address, absl::StrCat("HOST:PORT of the ", name, " service"));
  }
  flags.Add("threads", "0",
            "threads for compute work; 0: the container's CPU quota (cgroup cpu.max or "
            "cpu.cfs_quota_us) within the CPU affinity mask");
  if (d.add_flags) d.add_flags(flags);
  return flags;
}

absl::StatusOr<ServiceConfig> ServiceConfigFromFlags(const ServiceDefinition& d,
                                                     const config::ParsedFlags& flags) {
  ServiceConfig c;
  ASSIGN_OR_RETURN(c.grpc_address,
                   config::ParseHostPort("grpc_address", flags.Get("grpc_address")));
  ASSIGN_OR_RETURN(c.metrics_address,
                   config::ParseHostPort("metrics_address", flags.Get("metrics_address")));
  c.database_url = flags.Get("database_url");
  if (c.database_url.empty()) {
    return absl::InvalidArgumentError("--database_url is required (or set DATABASE_URL)");
  }
  ASSIGN_OR_RETURN(int64_t pool_size, flags.GetInt("db_pool_size", 1, 256));
  c.db_pool_size = static_cast<int>(pool_size);
  ASSIGN_OR_RETURN(int64_t threads, flags.GetInt("threads", 0, 1024));
  c.threads = common::ResolveThreadCount(static_cast<int>(threads));
  c.flags = flags;
  c.log_level = flags.Get("log_level");
  log::Level level;
  if (!log::ParseLevel(c.log_level, &level)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_level: \"", c.log_level, "\" is not debug, info, warning or error"));
  }
  ASSIGN_OR_RETURN(c.drain, flags.GetSeconds("drain_seconds"));
  ASSIGN_OR_RETURN(c.shutdown_grace, flags.GetSeconds("shutdown_grace_seconds"));
  ASSIGN_OR_RETURN(c.max_connection_age, flags.GetSeconds("max_connection_age_seconds"));
  ASSIGN_OR_RETURN(c.max_connection_age_grace,
                   flags.GetSeconds("max_connection_age_grace_seconds"));
  if (c.max_connection_age_grace == absl::ZeroDuration()) {
    c.max_connection_age_grace = absl::InfiniteDuration();
  }
  ASSIGN_OR_RETURN(c.stream_write_timeout, flags.GetSeconds("stream_write_timeout_seconds"));
  if (c.stream_write_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--stream_write_timeout_seconds must be positive");
  }
  ASSIGN_OR_RETURN(int64_t page_rows, flags.GetInt("stream_page_rows", 1, 1000000));
  c.stream_page_rows = static_cast<int>(page_rows);
  ASSIGN_OR_RETURN(c.readiness_interval, flags.GetSeconds("readiness_interval_seconds"));
  if (c.readiness_interval < absl::Milliseconds(100) || c.readiness_interval > absl::Seconds(5)) {
    // Readiness must follow the database within 10 s: probe interval plus
    // the probe's deadline (at most one interval).
    return absl::InvalidArgumentError("--readiness_interval_seconds must be between 0.1 and 5");
  }
  ASSIGN_OR_RETURN(c.database_wait, flags.GetSeconds("database_wait_seconds"));
  c.db_probe_timeout = c.readiness_interval;
  if (!flags.Get("db_probe_timeout_seconds").empty()) {
    ASSIGN_OR_RETURN(c.db_probe_timeout, flags.GetSeconds("db_probe_timeout_seconds"));
  }
  if (c.db_probe_timeout < absl::Milliseconds(100) || c.db_probe_timeout > c.readiness_interval) {
    return absl::InvalidArgumentError(
        "--db_probe_timeout_seconds must be between 0.1 and --readiness_interval_seconds "
        "(readiness follows the database within two intervals)");
  }
  ASSIGN_OR_RETURN(int64_t connect_timeout, flags.GetInt("db_connect_timeout_seconds", 2, 60));
  c.db_connect_timeout_seconds = static_cast<int>(connect_timeout);
  ASSIGN_OR_RETURN(c.db_statement_timeout, flags.GetSeconds("db_statement_timeout_seconds"));
  ASSIGN_OR_RETURN(c.db_lock_timeout, flags.GetSeconds("db_lock_timeout_seconds"));
  ASSIGN_OR_RETURN(c.db_tcp_user_timeout, flags.GetSeconds("db_tcp_user_timeout_seconds"));
  ASSIGN_OR_RETURN(int64_t max_bytes, flags.GetInt("max_message_bytes", 1024, 1 << 30));
  c.max_message_bytes = static_cast<int>(max_bytes);
  for (const auto& [name, unused] : d.upstream_defaults) {
    const std::string flag = UpstreamFlag(name);
    ASSIGN_OR_RETURN(config::HostPort hp, config::ParseHostPort(flag, flags.Get(flag)));
    if (hp.port == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": an upstream address needs a real port"));
    }
    c.upstreams[name] = flags.Get(flag);
  }
  RETURN_IF_ERROR(ReadSecurityConfig(flags, c));
  if (d.check_flags) RETURN_IF_ERROR(d.check_flags(flags));
  c.flags = flags;
  return c;
}

ServiceInfoProvider::ServiceInfoProvider(
    const ServiceDefinition& definition, storage::ConnectionPool& pool,
    std::map<std::string, std::string> upstream_addresses,
    std::map<std::string, std::shared_ptr<grpc::Channel>> channels)
    : definition_(definition),
      pool_(pool),
      upstream_addresses_(std::move(upstream_addresses)),
      channels_(std::move(channels)),
      started_at_(absl::Now()) {}

absl::StatusOr<common::v1::ServiceInfo> ServiceInfoProvider::Get() const {
  common::v1::ServiceInfo info;
  info.set_service(definition_.name);
  info.set_version(BuildVersion());
  info.set_revision(BuildRevision());
  info.set_schema(definition_.name);
  *info.mutable_started_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(started_at_));
  info.set_database_ready(database_ready_);
  absl::StatusOr<int> version = storage::CurrentSchemaVersion(pool_, definition_.name);
  if (version.ok()) info.set_schema_version(*version);
  for (const auto& [name, channel] : channels_) {
    common::v1::UpstreamStatus* upstream = info.add_upstreams();
    upstream->set_name(name);
    upstream->set_address(upstream_addresses_.at(name));
    absl::StatusOr<bool> serving = CheckServing(channel, kReadinessName, absl::Seconds(1));
    upstream->set_serving(serving.ok() && *serving);
    if (!serving.ok()) {
      upstream->set_detail(std::string(serving.status().message()));
    } else if (!*serving) {
      upstream->set_detail("not ready");
    }
  }
  return info;
}

grpc::Status FillServiceInfo(const ServiceInfoProvider& info, common::v1::ServiceInfo* out) {
  absl::StatusOr<common::v1::ServiceInfo> got = info.Get();
  if (!got.ok()) return ToGrpcStatus(got.status());
  *out = *std::move(got);
  return grpc::Status::OK;
}

int ServiceMain(const ServiceDefinition& definition, int argc, char** argv,
                const ServiceFactory& factory) {
  const std::string program = absl::StrCat("innoscope-", definition.name);
  config::FlagSet flags = ServiceFlags(definition, program);
  config::ParsedFlags parsed = config::ParseOrExit(flags, argc, argv);
  absl::StatusOr<ServiceConfig> config_or = ServiceConfigFromFlags(definition, parsed);
  if (!config_or.ok()) {
    config::ExitInvalidConfig(program, std::string(config_or.status().message()));
  }
  const ServiceConfig config = *std::move(config_or);
  log::Level level = log::Level::kInfo;
  log::ParseLevel(config.log_level, &level);
  log::Init(definition.name, level);
  sigset_t termination = BlockTerminationSignals();

  storage::PoolOptions pool_options;
  pool_options.url = config.database_url;
  pool_options.max_size = static_cast<size_t>(config.db_pool_size);
  pool_options.search_path = definition.name + ", public";
  pool_options.connect_timeout_seconds = config.db_connect_timeout_seconds;
  pool_options.statement_timeout = config.db_statement_timeout;
  pool_options.lock_timeout = config.db_lock_timeout;
  pool_options.tcp_user_timeout = config.db_tcp_user_timeout;
  storage::ConnectionPool pool(pool_options);
  absl::StatusOr<int> migrated = ConnectAndMigrate(definition, config, pool);
  if (!migrated.ok()) {
    log::Error("start-up failed: database", {{"error", migrated.status().ToString()}});
    std::fprintf(stderr, "%s: cannot use the database: %s\n", program.c_str(),
                 migrated.status().ToString().c_str());
    return 1;
  }

  auto registry = std::make_shared<prometheus::Registry>();
  ServerMetrics metrics(*registry, definition.name, BuildVersion(), BuildRevision());
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(config.metrics_address.ToString());
    exposer->RegisterCollectable(registry);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: cannot serve metrics on %s: %s\n", program.c_str(),
                 config.metrics_address.ToString().c_str(), e.what());
    return 1;
  }

  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const auto& [name, address] : config.upstreams) {
    channels[name] = MakeChannel(address, config.upstream_security);
  }
  ServiceInfoProvider info(definition, pool, config.upstreams, channels);
  info.SetDatabaseReady(true);
  ServiceContext context{config, pool, *registry, info, channels, {}};
  absl::StatusOr<std::unique_ptr<grpc::Service>> service = factory(context);
  if (!service.ok()) {
    std::fprintf(stderr, "%s: cannot start: %s\n", program.c_str(),
                 service.status().ToString().c_str());
    return 1;
  }

  absl::StatusOr<RoleTable> roles = RoleTable::ForServices({definition.grpc_service});
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      roles.ok() ? ServerCredentialsFor(config, *roles, metrics) : roles.status();
  if (!credentials.ok()) {
    std::fprintf(stderr, "%s: cannot start: %s\n", program.c_str(),
                 std::string(credentials.status().message()).c_str());
    return 1;
  }
  metrics.SetAuthEnabled(!config.auth_file.empty());
  if (config.auth_file.empty()) {
    log::Warn("no --auth_file: every caller may call every RPC (innoscope_auth_enabled 0)");
  }

  grpc::EnableDefaultHealthCheckService(true);
  // The health listener is built before the reflection plugin is
  // registered (it applies to builders created afterwards), so it serves
  // grpc.health.v1 and nothing else.
  std::unique_ptr<grpc::Server> health_server;
  int health_port = 0;
  if (!config.health_address.empty()) {
    grpc::ServerBuilder health_builder;
    health_builder.AddListeningPort(config.health_address, grpc::InsecureServerCredentials(),
                                    &health_port);
    health_server = health_builder.BuildAndStart();
    if (health_server == nullptr || health_port == 0) {
      std::fprintf(stderr, "%s: cannot serve health on %s (address in use?)\n", program.c_str(),
                   config.health_address.c_str());
      return 1;
    }
  }
  if (config.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(config.grpc_address.ToString(), *credentials, &selected_port);
  builder.RegisterService(service->get());
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_AGE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(config.max_connection_age)));
  // INT_MAX is gRPC's "no grace limit": a call running at the max age
  // completes; only new calls go to a new connection.
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
      static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(config.max_connection_age_grace),
                                         std::numeric_limits<int>::max())));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  InFlightCalls in_flight;
  interceptors.push_back(std::make_unique<InFlightInterceptorFactory>(in_flight));
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics));
  interceptors.push_back(std::make_unique<AuditInterceptorFactory>(*roles));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || selected_port == 0) {
    std::fprintf(stderr, "%s: cannot serve gRPC on %s (address in use?)\n", program.c_str(),
                 config.grpc_address.ToString().c_str());
    return 1;
  }

  HealthFanout health_fanout;
  health_fanout.Add(server->GetHealthCheckService());
  if (health_server != nullptr) health_fanout.Add(health_server->GetHealthCheckService());
  grpc::HealthCheckServiceInterface* health = &health_fanout;
  health->SetServingStatus("", true);
  health->SetServingStatus(definition.grpc_service, true);
  health->SetServingStatus(kReadinessName, true);

  config::HostPort grpc_bound = config.grpc_address;
  grpc_bound.port = selected_port;
  config::HostPort metrics_bound = config.metrics_address;
  std::vector<int> metric_ports = exposer->GetListeningPorts();
  if (!metric_ports.empty()) metrics_bound.port = metric_ports.front();
  // Scripts and tests read these two lines to find ephemeral ports.
  std::printf("grpc_address=%s\nmetrics_address=%s\n", grpc_bound.ToString().c_str(),
              metrics_bound.ToString().c_str());
  if (health_server != nullptr) {
    absl::StatusOr<config::HostPort> health_bound =
        config::ParseHostPort("health_address", config.health_address);
    health_bound->port = health_port;
    std::printf("health_address=%s\n", health_bound->ToString().c_str());
  }
  std::fflush(stdout);
  log::Info("serving", {{"grpc_address", grpc_bound.ToString()},
                        {"metrics_address", metrics_bound.ToString()},
                        {"migrations_applied", *migrated},
                        {"threads", config.threads},
                        {"tls", config.tls_cert_file.empty()        ? "off"
                                : config.tls_client_ca_file.empty() ? "server"
                                                                    : "mutual"},
                        {"auth", !config.auth_file.empty()},
                        {"version", BuildVersion()},
                        {"revision", BuildRevision()}});

  Monitor monitor(config, *health, metrics, pool, info);
  monitor.Start();

  int signal_number = 0;
  sigwait(&termination, &signal_number);
  log::Info("shutting down", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
                              {"drain_seconds", absl::ToDoubleSeconds(config.drain)}});
  monitor.Stop();
  // Every health entry goes NOT_SERVING; load balancers stop routing here
  // while in-flight and newly routed RPCs are still served.
  health->Shutdown();
  absl::SleepFor(config.drain);
  // Calls in flight get the grace; idle connections and health watches do
  // not hold the exit (libs/server/shutdown.h).
  ShutdownServer(*server, in_flight, config.shutdown_grace);
  server->Wait();
  if (health_server != nullptr) {
    health_server->Shutdown(absl::ToChronoTime(absl::Now()));
    health_server->Wait();
  }
  log::Info("stopped");
  // civetweb's shutdown waits about 2 s for its worker threads; the process
  // is about to exit and the kernel closes the socket, so skip it: the
  // exposer stays alive, reachable from this static (not a leak to
  // LeakSanitizer), until the process ends.
  [[maybe_unused]] static prometheus::Exposer* kept_until_exit = nullptr;
  kept_until_exit = exposer.release();
  return 0;
}

}  // namespace innoscope::server
