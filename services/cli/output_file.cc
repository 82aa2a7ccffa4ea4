#include "services/cli/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace innoscope::cli {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

}  // namespace

absl::StatusOr<std::unique_ptr<OutputFile>> OutputFile::Open(const std::string& path) {
  auto output = std::unique_ptr<OutputFile>(new OutputFile(path));
  if (path.empty() || path == "-") {
    output->file_ = stdout;
    return output;
  }
  struct stat existing;
  const bool special = ::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode);
  if (special && S_ISDIR(existing.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write ", path, ": it is a directory; name a file in it"));
  }
  if (!special) output->temp_path_ = absl::StrCat(path, ".tmp.", ::getpid());
  const std::string& target = special ? path : output->temp_path_;
  output->file_ = std::fopen(target.c_str(), "wb");
  if (output->file_ == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", target, ": ", std::strerror(errno)));
  }
  output->owns_file_ = true;
  return output;
}

OutputFile::~OutputFile() {
  if (owns_file_ && file_ != nullptr) {
    std::fclose(file_);
    if (!temp_path_.empty()) std::remove(temp_path_.c_str());
  }
}

absl::Status OutputFile::Flush(bool force) {
  if (buffer_.empty() || (!force && buffer_.size() < kFlushBytes)) return absl::OkStatus();
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    return absl::DataLossError(absl::StrCat("write failed: ", std::strerror(errno)));
  }
  buffer_.clear();
  return absl::OkStatus();
}

absl::Status OutputFile::Commit() {
  if (absl::Status s = Flush(true); !s.ok()) return s;
  if (!owns_file_) {
    std::fflush(file_);
    return absl::OkStatus();
  }
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (temp_path_.empty()) {
    if (closed) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
  }
  if (!closed || std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    return absl::DataLossError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status CreateOutputFolder(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::PermissionDeniedError(absl::StrCat("--out ", dir, ": ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace innoscope::cli
