// `innoscope report --format html` from files, the built binary run as a
// subprocess: the tables of index.html hold the pipeline's numbers (a hand
// calculation, and COINr's published ASEM scores), every chart is its own
// well-formed SVG with its numbers as CSV, the page asks nothing from
// another host, and synthetic input is marked on every chart.

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pugixml.hpp"
#include "tests/html_tables.h"
#include "tests/shared_data.h"

namespace innoscope::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ReportHtmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/innoscope_report_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // `innoscope report <args>`; returns the exit code, stderr in err_.
  int Report(const std::string& args) {
    const std::string err = dir_ + "/stderr";
    const int status = std::system(absl::StrCat("'", INNOSCOPE_CLI_PATH, "' report ", args,
                                                " >/dev/null 2>'", err, "' </dev/null")
                                       .c_str());
    err_ = ReadAll(err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }

  // index.html of `out` as XML (the doctype line dropped); every chart of
  // charts/ is well-formed and has its CSV in data/.
  void LoadPage(const std::string& out, pugi::xml_document& page) {
    ASSERT_TRUE(testing::LoadReportPage(ReadAll(out + "/index.html"), page));
    size_t charts = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out + "/charts")) {
      pugi::xml_document svg;
      ASSERT_TRUE(svg.load_file(entry.path().c_str())) << entry.path();
      EXPECT_STREQ(svg.document_element().name(), "svg");
      EXPECT_TRUE(std::filesystem::exists(out + "/data/" + entry.path().stem().string() + ".csv"))
          << entry.path();
      ++charts;
    }
    EXPECT_EQ(page.select_nodes("//figure").size(), charts);
  }

  std::string dir_;
  std::string err_;
};

// The hand calculation of offline_commands_test: min-max 0-100, d1 = 0.75 x
// + 0.25 y = (100, 0, 50), d2 = z = (50, 100, 0), root = (75, 50, 25).
constexpr char kFramework[] =
    "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n"
    "1,x,X,1,3,papers,NA,NA,d1,Indicator\n"
    "1,y,Y,-1,1,,NA,NA,d1,Indicator\n"
    "1,z,Z,1,1,,NA,NA,d2,Indicator\n"
    "2,d1,D1,1,1,,NA,NA,root,Aggregate\n"
    "2,d2,D2,1,1,,NA,NA,root,Aggregate\n"
    "3,root,Root,1,1,,NA,NA,NA,Aggregate\n";
constexpr char kData[] =
    "region,name,x,y,z,source\nA,<Alpha & co>,10,1,2,synthetic\nB,北京,0,3,4,synthetic\n"
    "C,Gamma,5,2,0,synthetic\n";

TEST_F(ReportHtmlTest, TablesHoldTheHandCalculationAndEveryChartIsMarkedSynthetic) {
  const std::string f = Write("f.csv", kFramework);
  const std::string d = Write("d.csv", kData);
  const std::string e = Write("e.csv", "source,target\nA,B\nB,C\nC,A\nA,D\n");
  const std::string out = dir_ + "/report";
  ASSERT_EQ(Report(absl::StrCat("--format html --framework ", f, " --data ", d, " --edges ", e,
                                " --regions A,B --scatter x,z --period 2022 --out ", out)),
            0)
      << err_;
  pugi::xml_document page;
  ASSERT_NO_FATAL_FAILURE(LoadPage(out, page));
  const auto ranking = testing::HtmlTable(page, "ranking");
  ASSERT_EQ(ranking.size(), 4u);
  EXPECT_EQ(ranking[0], (std::vector<std::string>{"rank", "code", "region", "score", "D1", "D2"}));
  EXPECT_EQ(ranking[1],
            (std::vector<std::string>{"1", "A", "<Alpha & co>", "75.00", "100.00", "50.00"}));
  EXPECT_EQ(ranking[2], (std::vector<std::string>{"2", "B", "北京", "50.00", "0.00", "100.00"}));
  EXPECT_EQ(ranking[3], (std::vector<std::string>{"3", "C", "Gamma", "25.00", "50.00", "0.00"}));
  // Top nodes by degree of the edge list: A has 3 edges, B and C 2, D 1.
  const auto top = testing::HtmlTable(page, "top_degree");
  ASSERT_EQ(top.size(), 5u);
  EXPECT_EQ(top[1][1], "A");
  EXPECT_EQ(top[1][4], "3");
  // Scatter numbers: raw x against raw z.
  EXPECT_EQ(ReadAll(out + "/data/scatter_x_z.csv"),
            "region,name,x,z\nA,<Alpha & co>,10.000000,2.000000\n"
            "C,Gamma,5.000000,0.000000\nB,北京,0.000000,4.000000\n");
  // Escaped by the serialiser, not by hand; no other host, no script.
  const std::string html = ReadAll(out + "/index.html");
  EXPECT_THAT(html, HasSubstr("&lt;Alpha &amp; co&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  // Every chart: a title, axis or legend text, the source line and the mark.
  for (const pugi::xpath_node& svg : page.select_nodes("//figure/svg")) {
    std::string text;
    for (const pugi::xpath_node& t : svg.node().select_nodes(".//text")) {
      absl::StrAppend(&text, t.node().text().get(), "\n");
    }
    EXPECT_THAT(text, HasSubstr("SYNTHETIC"));
    EXPECT_THAT(text,
                HasSubstr(absl::StrContains(text, "degree") || absl::StrContains(text, "network")
                              ? "Source: edge list e.csv"
                              : "Source: files f.csv and d.csv"));
    EXPECT_FALSE(std::string(svg.node().child("title").text().get()).empty());
  }
  EXPECT_EQ(page.select_nodes("//figure").size(), 9u);  // the list below
  for (const char* stem :
       {"composite_ranking", "dimension_d1", "dimension_d2", "radar_a", "radar_b", "scatter_x_z",
        "degree_distribution", "degree_ccdf", "network_layout"}) {
    EXPECT_TRUE(std::filesystem::exists(absl::StrCat(out, "/charts/", stem, ".svg"))) << stem;
  }
}

TEST_F(ReportHtmlTest, RefusesBadFlagsWithTheFlagNamed) {
  const std::string f = Write("f.csv", kFramework);
  const std::string d = Write("d.csv", kData);
  const std::string base = absl::StrCat("--framework ", f, " --data ", d, " --out ", dir_, "/r");
  EXPECT_EQ(Report("--format pdf " + base), 2);
  EXPECT_THAT(err_, HasSubstr("--format"));
  EXPECT_EQ(Report("--format html --scatter x " + base), 2);
  EXPECT_THAT(err_, HasSubstr("--scatter"));
  EXPECT_EQ(Report("--format html --scatter x,d1 " + base), 2);
  EXPECT_THAT(err_, HasSubstr("d1 is not an indicator"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/r/index.html"));
}

// COINr's published ASEM results (asem_published_results.csv: index and
// sub-indices to 2 decimals, ranks) in the offline report's ranking table,
// with the pipeline of examples/asem/run.sh.
TEST_F(ReportHtmlTest, AsemReportShowsCoinrPublishedScores) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  const std::string asem = shared + "/datasets/composite/coinr_asem";
  const std::string out = dir_ + "/asem";
  ASSERT_EQ(Report(absl::StrCat("--format html --framework ", asem, "/ASEM_iMeta.csv --data ", asem,
                                "/ASEM_iData.csv --denominate --impute group_mean ",
                                "--group_column EurAsia_group --screen_regions 0.9 ",
                                "--treat_outliers --normalise minmax --out ", out)),
            0)
      << err_;
  pugi::xml_document page;
  ASSERT_NO_FATAL_FAILURE(LoadPage(out, page));
  std::map<std::string, std::vector<std::string>> shown;  // code -> row
  const auto ranking = testing::HtmlTable(page, "ranking");
  ASSERT_GT(ranking.size(), 1u);
  for (const auto& row : ranking) shown[row[1]] = row;
  ASSERT_EQ(ranking[0], (std::vector<std::string>{"rank", "code", "region", "score", "Connectivity",
                                                  "Sustainability"}));
  std::ifstream published(asem + "/asem_published_results.csv");
  std::string line;
  std::vector<std::string> header;
  int compared = 0;
  while (std::getline(published, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (header.empty()) {
      header = cells;
      continue;
    }
    ASSERT_TRUE(shown.count(cells[0])) << cells[0];
    const std::vector<std::string>& row = shown[cells[0]];
    for (size_t c = 1; c < header.size(); ++c) {
      // rank -> column 0, Index -> 3, Conn -> 4, Sust -> 5 (pillars are
      // not dimensions of the composite's children).
      const int column = header[c] == "Rank"    ? 0
                         : header[c] == "Index" ? 3
                         : header[c] == "Conn"  ? 4
                         : header[c] == "Sust"  ? 5
                                                : -1;
      if (column < 0) continue;
      double ours = 0, theirs = 0;
      ASSERT_TRUE(absl::SimpleAtod(row[static_cast<size_t>(column)], &ours));
      ASSERT_TRUE(absl::SimpleAtod(cells[c], &theirs));
      EXPECT_NEAR(ours, theirs, 0.0051) << cells[0] << " " << header[c];
      ++compared;
    }
  }
  EXPECT_EQ(compared, 7 * 4);
}

}  // namespace
}  // namespace innoscope::cli
