#include "libs/server/metrics.h"

#include <unistd.h>

#include <fstream>

#include "absl/time/clock.h"
#include "libs/common/log.h"
#include "libs/storage/pool.h"

namespace innoscope::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

const prometheus::Histogram::BucketBoundaries& HandlingBuckets() {
  // go-grpc-prometheus defaults (prometheus.DefBuckets).
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

std::string RpcTypeName(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY:
      return "unary";
    case Type::CLIENT_STREAMING:
      return "client_stream";
    case Type::SERVER_STREAMING:
      return "server_stream";
    case Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

// Records one RPC: started when created, handled when the status is sent
// (or, for a call that ends without one, as Canceled when destroyed).
class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(grpc::experimental::ServerRpcInfo* info, ServerMetrics& metrics)
      : metrics_(metrics), type_(RpcTypeName(info->type())), start_(absl::Now()) {
    std::tie(service_, method_) = SplitFullMethod(info->method());
    metrics_.RpcStarted(type_, service_, method_);
  }

  ~MetricsInterceptor() override {
    if (!handled_) Record(static_cast<int>(grpc::StatusCode::CANCELLED), "");
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!handled_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      Record(static_cast<int>(status.error_code()), status.error_message());
    }
    methods->Proceed();
  }

 private:
  void Record(int code, const std::string& message) {
    handled_ = true;
    double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    std::string code_name = GrpcCodeName(code);
    metrics_.RpcHandled(type_, service_, method_, code_name, seconds);
    // Health probes arrive every few seconds from Kubernetes; keep them out
    // of the info log.
    log::Level level = service_ == "grpc.health.v1.Health" ? log::Level::kDebug
                       : code == 0                         ? log::Level::kInfo
                                                           : log::Level::kWarning;
    log::Fields fields = {{"method", service_ + "/" + method_},
                          {"code", code_name},
                          {"duration_ms", seconds * 1000.0}};
    if (code != 0) fields.push_back({"error", message});
    log::Write(level, "rpc", fields);
  }

  ServerMetrics& metrics_;
  std::string type_;
  std::string service_;
  std::string method_;
  absl::Time start_;
  bool handled_ = false;
};

}  // namespace

std::pair<std::string, std::string> SplitFullMethod(const std::string& full) {
  std::string trimmed = !full.empty() && full[0] == '/' ? full.substr(1) : full;
  size_t slash = trimmed.rfind('/');
  if (slash == std::string::npos) return {"unknown", trimmed};
  return {trimmed.substr(0, slash), trimmed.substr(slash + 1)};
}

std::string GrpcCodeName(int code) {
  static const char* const kNames[] = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  if (code < 0 || code > 16) return "Unknown";
  return kNames[code];
}

ServerMetrics::ServerMetrics(prometheus::Registry& registry, const std::string& service,
                             const std::string& version, const std::string& revision)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("Total number of RPCs started on the server.")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, "
                         "regardless of success or failure.")
                   .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("Histogram of response latency (seconds) of "
                                  "gRPC that had been application-level "
                                  "handled by the server.")
                            .Register(registry)),
      pool_max_(prometheus::BuildGauge()
                    .Name("innoscope_db_pool_max_connections")
                    .Help("Upper bound of the database connection pool.")
                    .Register(registry)
                    .Add({})),
      pool_open_(prometheus::BuildGauge()
                     .Name("innoscope_db_pool_open_connections")
                     .Help("Database connections currently open.")
                     .Register(registry)
                     .Add({})),
      pool_in_use_(prometheus::BuildGauge()
                       .Name("innoscope_db_pool_in_use_connections")
                       .Help("Database connections currently lent to RPCs.")
                       .Register(registry)
                       .Add({})),
      pool_waiting_(prometheus::BuildGauge()
                        .Name("innoscope_db_pool_waiting_requests")
                        .Help("Callers waiting for a free database connection.")
                        .Register(registry)
                        .Add({})),
      pool_opened_(prometheus::BuildCounter()
                       .Name("innoscope_db_pool_opened_total")
                       .Help("Database connections opened since start.")
                       .Register(registry)
                       .Add({})),
      pool_failed_(prometheus::BuildCounter()
                       .Name("innoscope_db_pool_failed_total")
                       .Help("Failed attempts to open a database connection.")
                       .Register(registry)
                       .Add({})),
      resident_memory_(prometheus::BuildGauge()
                           .Name("process_resident_memory_bytes")
                           .Help("Resident memory size in bytes.")
                           .Register(registry)
                           .Add({})),
      database_ready_(prometheus::BuildGauge()
                          .Name("innoscope_database_ready")
                          .Help("1 when the last database probe succeeded.")
                          .Register(registry)
                          .Add({})),
      auth_enabled_(prometheus::BuildGauge()
                        .Name("innoscope_auth_enabled")
                        .Help("1 when every RPC is checked against --auth_file, 0 when the "
                              "server runs open.")
                        .Register(registry)
                        .Add({})),
      auth_denied_(prometheus::BuildCounter()
                       .Name("innoscope_auth_denied_total")
                       .Help("RPCs refused before reaching the service, by reason.")
                       .Register(registry)) {
  prometheus::BuildGauge()
      .Name("process_start_time_seconds")
      .Help("Start time of the process since unix epoch in seconds.")
      .Register(registry)
      .Add({})
      .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  prometheus::BuildGauge()
      .Name("innoscope_build_info")
      .Help("Always 1; labels name the service, release and git revision.")
      .Register(registry)
      .Add({{"service", service}, {"version", version}, {"revision", revision}})
      .Set(1);
  UpdateProcess();
}

void ServerMetrics::RpcStarted(const std::string& type, const std::string& service,
                               const std::string& method) {
  started_.Add({{"grpc_type", type}, {"grpc_service", service}, {"grpc_method", method}})
      .Increment();
}

void ServerMetrics::RpcHandled(const std::string& type, const std::string& service,
                               const std::string& method, const std::string& code, double seconds) {
  handled_
      .Add({{"grpc_type", type},
            {"grpc_service", service},
            {"grpc_method", method},
            {"grpc_code", code}})
      .Increment();
  handling_seconds_
      .Add({{"grpc_type", type}, {"grpc_service", service}, {"grpc_method", method}},
           HandlingBuckets())
      .Observe(seconds);
}

void ServerMetrics::UpdatePool(const storage::PoolStats& stats) {
  pool_max_.Set(static_cast<double>(stats.max_size));
  pool_open_.Set(static_cast<double>(stats.open));
  pool_in_use_.Set(static_cast<double>(stats.in_use));
  pool_waiting_.Set(static_cast<double>(stats.waiting));
  // Counters only move forward: add what happened since the last update.
  double opened = static_cast<double>(stats.opened_total);
  double failed = static_cast<double>(stats.failed_total);
  if (opened > pool_opened_seen_) pool_opened_.Increment(opened - pool_opened_seen_);
  if (failed > pool_failed_seen_) pool_failed_.Increment(failed - pool_failed_seen_);
  pool_opened_seen_ = std::max(pool_opened_seen_, opened);
  pool_failed_seen_ = std::max(pool_failed_seen_, failed);
}

void ServerMetrics::UpdateProcess() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (statm >> pages_total >> pages_resident) {
    resident_memory_.Set(static_cast<double>(pages_resident) *
                         static_cast<double>(::sysconf(_SC_PAGESIZE)));
  }
}

void ServerMetrics::SetDatabaseReady(bool ready) { database_ready_.Set(ready ? 1 : 0); }

void ServerMetrics::SetAuthEnabled(bool enabled) { auth_enabled_.Set(enabled ? 1 : 0); }

void ServerMetrics::AuthDenied(const std::string& service, const std::string& method,
                               const std::string& reason) {
  auth_denied_.Add({{"service", service}, {"method", method}, {"reason", reason}}).Increment();
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(info, metrics_);
}

}  // namespace innoscope::server
