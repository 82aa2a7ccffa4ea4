#pragma once

// How many threads a process should run compute work on: the CPUs it may
// use, which in a container is its cgroup CPU quota (Kubernetes'
// resources.limits.cpu), not the host's core count that
// std::thread::hardware_concurrency() reports. Pure apart from reading the
// cgroup files and sched_getaffinity; the parsing takes file contents and
// the file reading takes a root folder, so both are tested on fake trees.
//
//   int threads = common::ResolveThreadCount(flag_value);  // 0 = detect
//   // cpu.max "150000 100000" on an 8-core host -> 1; "max 100000" -> 8
//
// Convention (as Uber's automaxprocs for Go): the quota in CPUs
// (quota / period) rounded down, at least 1, at most the CPUs of the
// affinity mask. Rounding down keeps a 1.5-CPU container from being
// throttled by a second busy thread.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace innoscope::common {

// cgroup v2 "cpu.max" ("$MAX $PERIOD", e.g. "150000 100000"): the quota in
// CPUs (1.5), or nullopt for "max" (no limit) and text that is not of that
// form.
std::optional<double> ParseCgroupV2CpuMax(absl::string_view text);

// cgroup v1 "cpu.cfs_quota_us" and "cpu.cfs_period_us": quota / period in
// CPUs, or nullopt for a quota of -1 (no limit) and malformed text.
std::optional<double> ParseCgroupV1Quota(absl::string_view quota_us, absl::string_view period_us);

// The CPU quota of the cgroup mounted at `cgroup_root` (normally
// /sys/fs/cgroup): v2's <root>/cpu.max, else v1's cpu.cfs_quota_us and
// cpu.cfs_period_us under <root>/cpu, <root>/cpu,cpuacct or <root> itself.
// nullopt when no file states a limit.
std::optional<double> CgroupCpuLimit(const std::string& cgroup_root);

// floor(quota) clamped to [1, affinity_cpus]; affinity_cpus (>= 1) without
// a quota.
int ThreadsForLimits(int affinity_cpus, std::optional<double> quota_cpus);

// CPUs in this process's sched_getaffinity mask (hardware_concurrency, at
// least 1, where that fails).
int AffinityCpus();

// ThreadsForLimits(AffinityCpus(), CgroupCpuLimit("/sys/fs/cgroup")),
// computed once per process.
int AvailableCpus();

// `requested` when > 0 (a --threads flag), else AvailableCpus().
int ResolveThreadCount(int requested);

}  // namespace innoscope::common
