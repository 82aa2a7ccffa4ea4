// innoscope recompute [flags]: a thin front for the recompute job, which is
// the binary innoscope-recompute (services/recompute). It replaces this
// process with innoscope-recompute and the same arguments, so existing
// scripts and docs that say `innoscope recompute` keep working; the CLI
// itself owns no schema and opens no database connection.
//
// Where innoscope-recompute is looked for, first found wins:
//   1. next to this binary (/usr/local/bin in the image, any install prefix);
//   2. ../recompute/ from this binary (the build tree: build/services/cli/
//      innoscope and build/services/recompute/innoscope-recompute).
// Not found: one line naming both places, exit 1. PATH is not searched, so
// the front never runs a job binary of another build.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "services/cli/commands.h"

namespace innoscope::cli {
namespace {

constexpr char kJobBinary[] = "innoscope-recompute";

// The folder of the running binary, "" when /proc/self/exe is unreadable.
std::string SelfDir() {
  std::vector<char> buffer(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0) return "";
  const std::string path(buffer.data(), static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

int RunRecompute(const std::vector<std::string>& args) {
  const std::string dir = SelfDir();
  const std::vector<std::string> candidates = {dir + "/" + kJobBinary,
                                               dir + "/../recompute/" + kJobBinary};
  for (const std::string& path : candidates) {
    if (dir.empty() || ::access(path.c_str(), X_OK) != 0) continue;
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::fflush(stdout);
    ::execv(path.c_str(), argv.data());
    std::fprintf(stderr, "innoscope recompute: cannot run %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return 1;
  }
  std::fprintf(stderr,
               "innoscope recompute: the recompute job is the binary %s, found neither at %s "
               "nor at %s; build it (cmake --build build --target %s) or run it directly\n",
               kJobBinary, candidates[0].c_str(), candidates[1].c_str(), kJobBinary);
  return 1;
}

}  // namespace innoscope::cli
