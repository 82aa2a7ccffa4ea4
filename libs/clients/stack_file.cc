#include "libs/clients/stack_file.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace innoscope::clients {

absl::StatusOr<std::map<std::string, std::string>> ParseStackFile(const std::string& text) {
  std::map<std::string, std::string> values;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_number, ": expected KEY=VALUE"));
    }
    values[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return values;
}

absl::StatusOr<std::map<std::string, std::string>> ReadStackFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("no stack file at ", path,
                     "; start the local stack with deploy/local/stack.sh start, or pass "
                     "--ingest_address and the other service addresses"));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<std::map<std::string, std::string>> parsed = ParseStackFile(buffer.str());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", parsed.status().message()));
  }
  return parsed;
}

}  // namespace innoscope::clients
