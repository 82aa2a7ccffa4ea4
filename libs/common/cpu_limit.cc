#include "libs/common/cpu_limit.h"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace innoscope::common {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<double> Ratio(int64_t quota, int64_t period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<double>(quota) / static_cast<double>(period);
}

}  // namespace

std::optional<double> ParseCgroupV2CpuMax(absl::string_view text) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(text), ' ', absl::SkipEmpty());
  if (parts.size() != 2 || parts[0] == "max") return std::nullopt;
  int64_t quota = 0, period = 0;
  if (!absl::SimpleAtoi(parts[0], &quota) || !absl::SimpleAtoi(parts[1], &period)) {
    return std::nullopt;
  }
  return Ratio(quota, period);
}

std::optional<double> ParseCgroupV1Quota(absl::string_view quota_us, absl::string_view period_us) {
  int64_t quota = 0, period = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(quota_us), &quota) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(period_us), &period)) {
    return std::nullopt;
  }
  return Ratio(quota, period);  // -1 = unlimited
}

std::optional<double> CgroupCpuLimit(const std::string& cgroup_root) {
  if (std::optional<std::string> v2 = ReadFile(cgroup_root + "/cpu.max")) {
    return ParseCgroupV2CpuMax(*v2);
  }
  for (const char* dir : {"/cpu", "/cpu,cpuacct", ""}) {
    const std::string base = cgroup_root + dir;
    std::optional<std::string> quota = ReadFile(base + "/cpu.cfs_quota_us");
    std::optional<std::string> period = ReadFile(base + "/cpu.cfs_period_us");
    if (quota && period) return ParseCgroupV1Quota(*quota, *period);
  }
  return std::nullopt;
}

int ThreadsForLimits(int affinity_cpus, std::optional<double> quota_cpus) {
  const int cpus = std::max(affinity_cpus, 1);
  if (!quota_cpus) return cpus;
  const double whole = std::floor(*quota_cpus);
  return whole >= cpus ? cpus : std::max(1, static_cast<int>(whole));
}

int AffinityCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int AvailableCpus() {
  static const int cpus = ThreadsForLimits(AffinityCpus(), CgroupCpuLimit("/sys/fs/cgroup"));
  return cpus;
}

int ResolveThreadCount(int requested) { return requested > 0 ? requested : AvailableCpus(); }

}  // namespace innoscope::common
