#pragma once

// The recompute job's metrics (docs/operations.md, "Recompute job metrics
// (contract)"): the job is too short-lived to be scraped, so at the end of
// every run it replaces (HTTP PUT) its group at the Pushgateway with
//
//   innoscope_recompute_runs_total{outcome}                 counter, all time
//   innoscope_recompute_last_success_timestamp_seconds      gauge (absent before any)
//   innoscope_recompute_last_run_duration_seconds{step}     gauge: total and each step run
//
// all derived from recompute.job_runs (JobRunTotals), so a restarted
// Pushgateway gets correct values from the next run.
//
//   ASSIGN_OR_RETURN(PushgatewayTarget target, ParsePushgatewayUrl(flag));
//   absl::Status pushed = PushRecomputeMetrics(target, totals);  // logged, never fatal

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "prometheus/registry.h"
#include "services/recompute/recompute_store.h"

namespace innoscope::recompute {

// The steps whose durations are pushed, besides "total".
inline constexpr const char* kRecomputeMetricSteps[] = {"network", "weights", "scores",
                                                        "uncertainty", "publish"};

// A Pushgateway grouping URL taken apart the way prometheus::Gateway wants it:
// http[s]://HOST[:PORT]/metrics/job/<job>[/<label>/<value>]...
struct PushgatewayTarget {
  std::string host;  // with the scheme: "http://prometheus-pushgateway.monitoring.svc"
  std::string port;  // "9091"; 80 or 443 when the URL has none
  std::string job;
  std::map<std::string, std::string> labels;  // the rest of the grouping key
};

// INVALID_ARGUMENT naming what is wrong, with an example of a valid URL.
absl::StatusOr<PushgatewayTarget> ParsePushgatewayUrl(const std::string& url);

// The contract's series, from the job-run history.
std::shared_ptr<prometheus::Registry> RecomputeMetricsRegistry(const JobRunTotals& totals);

// PUTs the series to the target's group; UNAVAILABLE with the HTTP status or
// the transport error when the Pushgateway does not accept them.
absl::Status PushRecomputeMetrics(const PushgatewayTarget& target, const JobRunTotals& totals);

}  // namespace innoscope::recompute
