#include "services/recompute/recompute_metrics.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "prometheus/counter.h"
#include "prometheus/gateway.h"
#include "prometheus/gauge.h"

namespace innoscope::recompute {
namespace {

constexpr char kExample[] =
    "http://prometheus-pushgateway.monitoring.svc:9091/metrics/job/innoscope-recompute/"
    "namespace/NAMESPACE";

absl::Status BadUrl(const std::string& url, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--pushgateway_url '", url, "': ", why,
                                                 "; expected a grouping URL such as ", kExample));
}

// Label names and the job: [A-Za-z_][A-Za-z0-9_]*; values: no '/' (a path
// segment) and nothing that would need escaping in a URL.
bool IsLabelName(absl::string_view s) {
  if (s.empty() || !(absl::ascii_isalpha(s[0]) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(c) || c == '_')) return false;
  }
  return true;
}

bool IsSegment(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<PushgatewayTarget> ParsePushgatewayUrl(const std::string& url) {
  PushgatewayTarget target;
  std::string scheme;
  absl::string_view rest = url;
  for (const char* s : {"http://", "https://"}) {
    if (absl::StartsWith(rest, s)) {
      scheme = s;
      rest.remove_prefix(scheme.size());
    }
  }
  if (scheme.empty()) return BadUrl(url, "it must start with http:// or https://");
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) return BadUrl(url, "no /metrics/job/<job> path");
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path = rest.substr(slash + 1);
  const size_t colon = authority.rfind(':');
  const bool bracketed = !authority.empty() && authority.back() == ']';
  if (colon != absl::string_view::npos && !bracketed) {
    int port = 0;
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return BadUrl(url, "the port must be 1-65535");
    }
    target.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
  } else {
    target.port = scheme == "https://" ? "443" : "80";
  }
  if (authority.empty()) return BadUrl(url, "no host");
  target.host = absl::StrCat(scheme, authority);
  std::vector<std::string> segments = absl::StrSplit(path, '/');
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // trailing '/'
  if (segments.size() < 3 || segments[0] != "metrics" || segments[1] != "job") {
    return BadUrl(url, "the path must be /metrics/job/<job>[/<label>/<value>]...");
  }
  if (!IsSegment(segments[2])) return BadUrl(url, "the job name is empty or needs escaping");
  target.job = segments[2];
  if (segments.size() % 2 != 1) return BadUrl(url, "a grouping label without a value");
  for (size_t i = 3; i + 1 < segments.size(); i += 2) {
    if (!IsLabelName(segments[i]) || segments[i] == "job") {
      return BadUrl(url, absl::StrCat("'", segments[i], "' is not a label name"));
    }
    if (!IsSegment(segments[i + 1])) {
      return BadUrl(
          url, absl::StrCat("the value of label '", segments[i], "' is empty or needs escaping"));
    }
    if (!target.labels.emplace(segments[i], segments[i + 1]).second) {
      return BadUrl(url, absl::StrCat("label '", segments[i], "' appears twice"));
    }
  }
  return target;
}

std::shared_ptr<prometheus::Registry> RecomputeMetricsRegistry(const JobRunTotals& totals) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto& runs = prometheus::BuildCounter()
                   .Name("innoscope_recompute_runs_total")
                   .Help("Recompute job runs recorded with this outcome, all time.")
                   .Register(*registry);
  for (const auto& [outcome, count] : totals.runs) {
    runs.Add({{"outcome", outcome}}).Increment(static_cast<double>(count));
  }
  if (totals.last_success) {
    prometheus::BuildGauge()
        .Name("innoscope_recompute_last_success_timestamp_seconds")
        .Help("End of the last recompute run with outcome success or unchanged, Unix seconds.")
        .Register(*registry)
        .Add({})
        .Set(absl::ToDoubleSeconds(*totals.last_success - absl::UnixEpoch()));
  }
  auto& duration = prometheus::BuildGauge()
                       .Name("innoscope_recompute_last_run_duration_seconds")
                       .Help("Duration of this recompute run (total) and of each step it ran.")
                       .Register(*registry);
  duration.Add({{"step", "total"}}).Set(totals.duration_seconds);
  for (const char* step : kRecomputeMetricSteps) {
    auto it = totals.step_seconds.find(step);
    if (it != totals.step_seconds.end()) duration.Add({{"step", step}}).Set(it->second);
  }
  return registry;
}

absl::Status PushRecomputeMetrics(const PushgatewayTarget& target, const JobRunTotals& totals) {
  std::shared_ptr<prometheus::Registry> registry = RecomputeMetricsRegistry(totals);
  prometheus::Gateway gateway(target.host, target.port, target.job,
                              prometheus::Labels(target.labels.begin(), target.labels.end()));
  gateway.RegisterCollectable(registry);
  // Push() replaces the whole group (HTTP PUT), so steps this run did not
  // reach do not linger from an earlier run.
  const int code = gateway.Push();
  if (code >= 200 && code < 300) return absl::OkStatus();
  if (code < 0) {
    return absl::UnavailableError(absl::StrCat("Pushgateway ", target.host, ":", target.port,
                                               " unreachable (curl error ", -code, ")"));
  }
  return absl::UnavailableError(
      absl::StrCat("Pushgateway ", target.host, ":", target.port, " answered HTTP ", code));
}

}  // namespace innoscope::recompute
