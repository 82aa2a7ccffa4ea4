#pragma once

// Where a command writes its table: standard output, or --out FILE written
// to a temporary file next to FILE and renamed into place by Commit(), so an
// interrupted command never leaves a partial file behind. A FILE that exists
// and is not a regular file (/dev/null, a FIFO, /dev/stdout) is written
// directly: renaming over it would replace the device or pipe. Rows are appended
// to buffer() and written out in chunks (Flush), so a large export streams
// without holding everything in memory.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out, OutputFile::Open(flags.Get("out")));
//   TableWriter writer(TableFormat::kCsv, columns, out->buffer());
//   ... writer.Row(...); RETURN_IF_ERROR(out->Flush(false));
//   RETURN_IF_ERROR(out->Commit());

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace innoscope::cli {

class OutputFile {
 public:
  // "" or "-" is standard output. PERMISSION_DENIED when the temporary file
  // cannot be created.
  static absl::StatusOr<std::unique_ptr<OutputFile>> Open(const std::string& path);
  // Removes the temporary file unless Commit() succeeded.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::string* buffer() { return &buffer_; }
  // Writes the buffer out when it holds at least 1 MiB (or always, with
  // `force`).
  absl::Status Flush(bool force);
  // Writes what is left and renames the temporary file into place.
  absl::Status Commit();

 private:
  explicit OutputFile(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::string temp_path_;   // empty: written directly (stdout, a device, a FIFO)
  bool owns_file_ = false;  // file_ is closed here (everything but stdout)
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

// Creates --out DIR (and its parents) for commands that write several files;
// PERMISSION_DENIED naming the folder when it cannot be created.
absl::Status CreateOutputFolder(const std::string& dir);

}  // namespace innoscope::cli
