// The recompute job's metrics (services/recompute/recompute_metrics.h): the
// Pushgateway URL taken apart, and the contract's series
// (docs/operations.md, "Recompute job metrics") from a job-run history, in
// the text format the Pushgateway receives.

#include "services/recompute/recompute_metrics.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace innoscope::recompute {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PushgatewayUrlTest, TheManifestsUrl) {
  absl::StatusOr<PushgatewayTarget> t = ParsePushgatewayUrl(
      "http://prometheus-pushgateway.monitoring.svc:9091/metrics/job/innoscope-recompute/"
      "namespace/innoscope-dev");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->host, "http://prometheus-pushgateway.monitoring.svc");
  EXPECT_EQ(t->port, "9091");
  EXPECT_EQ(t->job, "innoscope-recompute");
  EXPECT_EQ(t->labels, (std::map<std::string, std::string>{{"namespace", "innoscope-dev"}}));
}

TEST(PushgatewayUrlTest, DefaultPortsAndNoLabels) {
  absl::StatusOr<PushgatewayTarget> t =
      ParsePushgatewayUrl("https://gw.example.com/metrics/job/j/");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->host, "https://gw.example.com");
  EXPECT_EQ(t->port, "443");
  EXPECT_EQ(t->job, "j");
  EXPECT_TRUE(t->labels.empty());
  EXPECT_EQ(ParsePushgatewayUrl("http://gw/metrics/job/j")->port, "80");
}

TEST(PushgatewayUrlTest, MistakesAreNamed) {
  auto error = [](const std::string& url) {
    absl::StatusOr<PushgatewayTarget> t = ParsePushgatewayUrl(url);
    EXPECT_FALSE(t.ok()) << url;
    return t.ok() ? "" : std::string(t.status().message());
  };
  EXPECT_THAT(error("gw:9091/metrics/job/j"), HasSubstr("must start with http:// or https://"));
  EXPECT_THAT(error("http://gw:9091"), HasSubstr("no /metrics/job/<job> path"));
  EXPECT_THAT(error("http://gw:9091/metrics/j"),
              HasSubstr("the path must be /metrics/job/<job>[/<label>/<value>]..."));
  EXPECT_THAT(error("http://gw:99999/metrics/job/j"), HasSubstr("the port must be 1-65535"));
  EXPECT_THAT(error("http://gw:9091/metrics/job/j/namespace"),
              HasSubstr("a grouping label without a value"));
  EXPECT_THAT(error("http://gw:9091/metrics/job/j/name-space/x"),
              HasSubstr("'name-space' is not a label name"));
  EXPECT_THAT(error("http://gw:9091/metrics/job/j/namespace/a%20b"),
              HasSubstr("the value of label 'namespace' is empty or needs escaping"));
}

std::string Exposition(const JobRunTotals& totals) {
  auto registry = RecomputeMetricsRegistry(totals);
  return prometheus::TextSerializer().Serialize(registry->Collect());
}

TEST(RecomputeMetricsTest, SeriesFollowTheJobRunHistory) {
  JobRunTotals totals;
  totals.runs = {{"success", 3}, {"unchanged", 5}, {"locked", 1}, {"failed", 2}};
  totals.last_success = absl::FromUnixSeconds(1700000000) + absl::Milliseconds(250);
  totals.duration_seconds = 4.5;
  totals.step_seconds = {
      {"check", 0.1}, {"network", 1.5}, {"weights", 0.25}, {"scores", 2.5}, {"publish", 0.125}};
  const std::string text = Exposition(totals);
  EXPECT_THAT(text, HasSubstr("# TYPE innoscope_recompute_runs_total counter\n"));
  EXPECT_THAT(text, HasSubstr("innoscope_recompute_runs_total{outcome=\"success\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("innoscope_recompute_runs_total{outcome=\"unchanged\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("innoscope_recompute_runs_total{outcome=\"locked\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("innoscope_recompute_runs_total{outcome=\"failed\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE innoscope_recompute_last_success_timestamp_seconds gauge\n"
                        "innoscope_recompute_last_success_timestamp_seconds 1700000000.25\n"));
  EXPECT_THAT(text,
              HasSubstr("innoscope_recompute_last_run_duration_seconds{step=\"total\"} 4.5\n"));
  EXPECT_THAT(text,
              HasSubstr("innoscope_recompute_last_run_duration_seconds{step=\"network\"} 1.5\n"));
  EXPECT_THAT(text,
              HasSubstr("innoscope_recompute_last_run_duration_seconds{step=\"weights\"} 0.25\n"));
  EXPECT_THAT(text,
              HasSubstr("innoscope_recompute_last_run_duration_seconds{step=\"scores\"} 2.5\n"));
  EXPECT_THAT(text,
              HasSubstr("innoscope_recompute_last_run_duration_seconds{step=\"publish\"} 0.125\n"));
  // Steps the run did not reach are not pushed; "check" is not a contract step.
  EXPECT_THAT(text, Not(HasSubstr("step=\"uncertainty\"")));
  EXPECT_THAT(text, Not(HasSubstr("step=\"check\"")));
}

TEST(RecomputeMetricsTest, NoSuccessYetMeansNoTimestamp) {
  JobRunTotals totals;
  totals.runs = {{"success", 0}, {"unchanged", 0}, {"locked", 0}, {"failed", 1}};
  totals.duration_seconds = 0.5;
  const std::string text = Exposition(totals);
  EXPECT_THAT(text, Not(HasSubstr("innoscope_recompute_last_success_timestamp_seconds")));
  EXPECT_THAT(text, HasSubstr("innoscope_recompute_runs_total{outcome=\"failed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("innoscope_recompute_runs_total{outcome=\"success\"} 0\n"));
}

}  // namespace
}  // namespace innoscope::recompute
