#include "services/cli/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

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
  output->temp_path_ = absl::StrCat(path, ".tmp.", ::getpid());
  output->file_ = std::fopen(output->temp_path_.c_str(), "wb");
  if (output->file_ == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", output->temp_path_, ": ", std::strerror(errno)));
  }
  return output;
}

OutputFile::~OutputFile() {
  if (!temp_path_.empty() && file_ != nullptr) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
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
  if (temp_path_.empty()) {
    std::fflush(file_);
    return absl::OkStatus();
  }
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!closed || std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    return absl::DataLossError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace innoscope::cli
