#include "services/cli/output_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace innoscope::cli {
namespace {

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/output_file_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir_.c_str());
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
    return names;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string dir_;
};

TEST_F(OutputFileTest, RegularFileAppearsWholeOnlyAtCommit) {
  const std::string path = dir_ + "/out.csv";
  auto out = OutputFile::Open(path);
  ASSERT_TRUE(out.ok()) << out.status();
  (*out)->buffer()->append("a,b\n1,2\n");
  ASSERT_TRUE((*out)->Flush(true).ok());
  struct stat st;
  EXPECT_NE(::stat(path.c_str(), &st), 0) << "the file exists before Commit";
  ASSERT_TRUE((*out)->Commit().ok());
  out->reset();
  EXPECT_EQ(Read(path), "a,b\n1,2\n");
  EXPECT_EQ(Entries(), std::vector<std::string>{"out.csv"});  // no temporary left
}

TEST_F(OutputFileTest, AbandonedOutputLeavesNothing) {
  {
    auto out = OutputFile::Open(dir_ + "/out.csv");
    ASSERT_TRUE(out.ok()) << out.status();
    (*out)->buffer()->append("partial\n");
    ASSERT_TRUE((*out)->Flush(true).ok());
  }
  EXPECT_TRUE(Entries().empty());
}

// `--out /dev/null` once renamed its temporary file over the device. A FIFO
// stands in for the device here: it must still be a FIFO afterwards and its
// reader must get the rows.
TEST_F(OutputFileTest, FifoIsWrittenInPlaceNotReplaced) {
  const std::string path = dir_ + "/pipe";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(path);  // blocks until the writer opens
    std::stringstream text;
    text << in.rdbuf();
    received = text.str();
  });
  auto out = OutputFile::Open(path);
  ASSERT_TRUE(out.ok()) << out.status();
  (*out)->buffer()->append("x,y\n");
  ASSERT_TRUE((*out)->Commit().ok());
  out->reset();
  reader.join();
  EXPECT_EQ(received, "x,y\n");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(Entries(), std::vector<std::string>{"pipe"});
}

TEST_F(OutputFileTest, DevNullStaysACharacterDevice) {
  auto out = OutputFile::Open("/dev/null");
  ASSERT_TRUE(out.ok()) << out.status();
  (*out)->buffer()->append("discarded\n");
  ASSERT_TRUE((*out)->Commit().ok());
  struct stat st;
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(OutputFileTest, DirectoryIsRefusedWithAHint) {
  auto out = OutputFile::Open(dir_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace innoscope::cli
