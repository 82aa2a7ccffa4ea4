#pragma once

// Prometheus metrics common to every service.
//
// Per-RPC series carry the names and labels of go-grpc-prometheus, which the
// standard Grafana gRPC dashboards query:
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method} histogram
// They are recorded by one server interceptor (MetricsInterceptorFactory), so
// no handler has to remember to count itself. The same interceptor writes one
// structured log line per RPC (method, code, duration).
//
// Process and pool series: process_start_time_seconds,
// process_resident_memory_bytes, innoscope_build_info{service,version,revision},
// innoscope_db_pool_{max,open,in_use,waiting}_connections,
// innoscope_db_pool_opened_total, innoscope_db_pool_failed_total,
// innoscope_database_ready.
//
// Authorisation (libs/server/authorization.h): innoscope_auth_enabled (0 when
// the server runs without --auth_file), innoscope_auth_denied_total{service,
// method,reason}.

#include <memory>
#include <string>

#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace innoscope::storage {
struct PoolStats;
}

namespace innoscope::server {

class ServerMetrics {
 public:
  ServerMetrics(prometheus::Registry& registry, const std::string& service,
                const std::string& version, const std::string& revision);

  // Called by the interceptor.
  void RpcStarted(const std::string& type, const std::string& service, const std::string& method);
  void RpcHandled(const std::string& type, const std::string& service, const std::string& method,
                  const std::string& code, double seconds);

  // Called periodically by the service host.
  void UpdatePool(const storage::PoolStats& stats);
  void UpdateProcess();
  void SetDatabaseReady(bool ready);

  // Called at start and by the authoriser.
  void SetAuthEnabled(bool enabled);
  void AuthDenied(const std::string& service, const std::string& method, const std::string& reason);

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;
  prometheus::Gauge& pool_max_;
  prometheus::Gauge& pool_open_;
  prometheus::Gauge& pool_in_use_;
  prometheus::Gauge& pool_waiting_;
  prometheus::Counter& pool_opened_;
  prometheus::Counter& pool_failed_;
  prometheus::Gauge& resident_memory_;
  prometheus::Gauge& database_ready_;
  prometheus::Gauge& auth_enabled_;
  prometheus::Family<prometheus::Counter>& auth_denied_;
  double pool_opened_seen_ = 0;
  double pool_failed_seen_ = 0;
};

// Creates one MetricsInterceptor per RPC.
class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(ServerMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  ServerMetrics& metrics_;
};

// "/innoscope.ingest.v1.IngestService/GetServiceInfo" ->
// {"innoscope.ingest.v1.IngestService", "GetServiceInfo"}.
std::pair<std::string, std::string> SplitFullMethod(const std::string& full);

// The go-grpc-prometheus name of a status code, e.g. "InvalidArgument".
std::string GrpcCodeName(int code);

}  // namespace innoscope::server
