#include "libs/server/metrics.h"

#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace innoscope::server {
namespace {

TEST(MetricsTest, SplitsFullMethodNames) {
  auto [service, method] = SplitFullMethod("/innoscope.ingest.v1.IngestService/GetServiceInfo");
  EXPECT_EQ(service, "innoscope.ingest.v1.IngestService");
  EXPECT_EQ(method, "GetServiceInfo");
}

TEST(MetricsTest, CodeNamesFollowGoGrpcPrometheus) {
  EXPECT_EQ(GrpcCodeName(0), "OK");
  EXPECT_EQ(GrpcCodeName(1), "Canceled");
  EXPECT_EQ(GrpcCodeName(3), "InvalidArgument");
  EXPECT_EQ(GrpcCodeName(14), "Unavailable");
  EXPECT_EQ(GrpcCodeName(99), "Unknown");
}

TEST(MetricsTest, HandledRpcsAppearWithStandardLabels) {
  prometheus::Registry registry;
  ServerMetrics metrics(registry, "ingest", "1.2.3", "abc");
  metrics.RpcStarted("unary", "pkg.S", "M");
  metrics.RpcHandled("unary", "pkg.S", "M", "OK", 0.003);
  metrics.RpcHandled("unary", "pkg.S", "M", "OK", 0.2);
  std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(text.find("grpc_server_started_total{grpc_method=\"M\",grpc_service=\"pkg.S\","
                      "grpc_type=\"unary\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"M\","
                      "grpc_service=\"pkg.S\",grpc_type=\"unary\"} 2"),
            std::string::npos)
      << text;
  // 0.003 falls in the first bucket (le=0.005); both fall under le=0.25.
  EXPECT_NE(text.find("le=\"0.005\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("le=\"0.25\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("innoscope_build_info{revision=\"abc\",service=\"ingest\","
                      "version=\"1.2.3\"} 1"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace innoscope::server
