#include "libs/common/cpu_limit.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace innoscope::common {
namespace {

namespace fs = std::filesystem;

// A fresh folder standing in for /sys/fs/cgroup.
class FakeCgroup {
 public:
  explicit FakeCgroup(const std::string& name)
      : root_(fs::path(::testing::TempDir()) / ("cgroup_" + name)) {
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~FakeCgroup() { fs::remove_all(root_); }
  void Write(const std::string& relative, const std::string& text) {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST(CpuLimitTest, ParsesCgroupV2CpuMax) {
  EXPECT_EQ(ParseCgroupV2CpuMax("150000 100000\n"), 1.5);
  EXPECT_EQ(ParseCgroupV2CpuMax("200000 100000"), 2.0);
  EXPECT_EQ(ParseCgroupV2CpuMax("max 100000\n"), std::nullopt);
  EXPECT_EQ(ParseCgroupV2CpuMax(""), std::nullopt);
  EXPECT_EQ(ParseCgroupV2CpuMax("abc 100000"), std::nullopt);
  EXPECT_EQ(ParseCgroupV2CpuMax("100000 0"), std::nullopt);
}

TEST(CpuLimitTest, ParsesCgroupV1Quota) {
  EXPECT_EQ(ParseCgroupV1Quota("50000\n", "100000\n"), 0.5);
  EXPECT_EQ(ParseCgroupV1Quota("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(ParseCgroupV1Quota("x", "100000"), std::nullopt);
}

TEST(CpuLimitTest, ReadsCgroupV2FileUnderRoot) {
  FakeCgroup cgroup("v2");
  cgroup.Write("cpu.max", "300000 100000\n");
  EXPECT_EQ(CgroupCpuLimit(cgroup.root()), 3.0);
}

TEST(CpuLimitTest, UnlimitedCgroupV2IsNoLimitEvenWithV1FilesAround) {
  FakeCgroup cgroup("v2max");
  cgroup.Write("cpu.max", "max 100000\n");
  cgroup.Write("cpu/cpu.cfs_quota_us", "100000\n");
  cgroup.Write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuLimit(cgroup.root()), std::nullopt);
}

TEST(CpuLimitTest, ReadsCgroupV1ControllerFolders) {
  FakeCgroup cpu("v1cpu");
  cpu.Write("cpu/cpu.cfs_quota_us", "250000\n");
  cpu.Write("cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuLimit(cpu.root()), 2.5);

  FakeCgroup joint("v1joint");
  joint.Write("cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  joint.Write("cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(CgroupCpuLimit(joint.root()), std::nullopt);
}

TEST(CpuLimitTest, NoFilesIsNoLimit) {
  FakeCgroup empty("none");
  EXPECT_EQ(CgroupCpuLimit(empty.root()), std::nullopt);
  EXPECT_EQ(CgroupCpuLimit(empty.root() + "/missing"), std::nullopt);
}

TEST(CpuLimitTest, ThreadsAreTheQuotaRoundedDownWithinTheAffinityMask) {
  EXPECT_EQ(ThreadsForLimits(8, std::nullopt), 8);  // no quota: every CPU of the mask
  EXPECT_EQ(ThreadsForLimits(8, 1.5), 1);           // floor(1.5)
  EXPECT_EQ(ThreadsForLimits(8, 2.0), 2);
  EXPECT_EQ(ThreadsForLimits(8, 0.25), 1);  // at least one
  EXPECT_EQ(ThreadsForLimits(2, 16.0), 2);  // never above the mask
  EXPECT_EQ(ThreadsForLimits(0, std::nullopt), 1);
}

TEST(CpuLimitTest, AnExplicitRequestWins) {
  EXPECT_EQ(ResolveThreadCount(3), 3);
  EXPECT_EQ(ResolveThreadCount(0), AvailableCpus());
  EXPECT_GE(AvailableCpus(), 1);
  EXPECT_LE(AvailableCpus(), AffinityCpus());
}

}  // namespace
}  // namespace innoscope::common
