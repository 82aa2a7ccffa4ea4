#pragma once

// Test helpers for libs/index: small builders for frameworks and matrices,
// and readers for the third-party data sets in ../shared (never copied into
// the repo) that use the library's own parsers.
//
//   Framework::Create({MakeNode("index", "", 2), MakeNode("x", "index", 1)});
//   DataMatrix m = MatrixFromRows({"A", "B"}, {"x"}, {{1}, {2}});
//   INNOSCOPE_REQUIRE_SHARED(dir);
//   ASSERT_OK_AND_ASSIGN(WideCsvData asem, ReadAsemData(dir));

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "libs/index/data_csv.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"
#include "libs/index/framework_csv.h"

namespace innoscope::index {

inline FrameworkNode MakeNode(std::string code, std::string parent, int level,
                              std::optional<double> weight = std::nullopt) {
  FrameworkNode n;
  n.code = std::move(code);
  n.parent = std::move(parent);
  n.level = level;
  n.weight = weight;
  return n;
}

// A matrix from row-major values (one inner vector per region).
inline DataMatrix MatrixFromRows(std::vector<std::string> regions,
                                 std::vector<std::string> indicators,
                                 const std::vector<std::vector<double>>& rows) {
  DataMatrix m(std::move(regions), std::move(indicators));
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) m.Set(r, c, rows[r][c]);
  }
  return m;
}

inline absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string AsemPath(const std::string& shared_dir, const std::string& file) {
  return absl::StrCat(shared_dir, "/datasets/composite/coinr_asem/", file);
}

// COINr's ASEM_iData.csv: regions by uCode; names and the four group
// columns as labels; Time dropped; the denominators (Area, Energy, GDP,
// Population) and the 49 indicators as columns.
inline absl::StatusOr<WideCsvData> ReadAsemData(const std::string& shared_dir) {
  absl::StatusOr<std::string> text = ReadTextFile(AsemPath(shared_dir, "ASEM_iData.csv"));
  if (!text.ok()) return text.status();
  WideCsvOptions opt;
  opt.region_column = "uCode";
  opt.label_columns = {"uName", "GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"};
  opt.ignore_columns = {"Time"};
  return ParseWideCsv(*text, opt);
}

inline absl::StatusOr<CoinrMeta> ReadAsemMeta(const std::string& shared_dir) {
  absl::StatusOr<std::string> text = ReadTextFile(AsemPath(shared_dir, "ASEM_iMeta.csv"));
  if (!text.ok()) return text.status();
  return ParseCoinrMetaCsv(*text);
}

inline absl::StatusOr<Framework> ReadAiFramework(const std::string& shared_dir) {
  absl::StatusOr<std::string> text =
      ReadTextFile(absl::StrCat(shared_dir, "/reference/frameworks/ai_competitiveness_2023.csv"));
  if (!text.ok()) return text.status();
  return ParseLeveledFrameworkCsv(*text);
}

}  // namespace innoscope::index
