// The `innoscope` CLI against a real ingest service and PostgreSQL: the
// built binary runs as a subprocess, as users run it.
//
// - import -> export round-trips awkward doubles bit for bit;
// - re-running an import writes nothing;
// - importing A, then B, then A again (same keys, other values) leaves A's
//   values, and A-B-A-B leaves B's: the last file imported wins;
// - an import whose CLI or service is SIGKILLed mid-way, re-run, leaves the
//   table exactly equal to the file (no duplicates, no extra revisions);
// - a bad row exits non-zero naming the file line;
// - UNDP's HDI components and COINr's ASEM data and metadata (../shared)
//   load, and their counts and values round-trip.
//
// Files are written with printf("%.17g"), an encoding independent of the
// CLI's shortest-round-trip formatting, and read back with strtod.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/index/csv.h"
#include "tests/integration/harness.h"
#include "tests/shared_data.h"

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

// (region, indicator, period) -> the value's bit pattern.
using Key = std::tuple<std::string, std::string, int>;
using Table = std::map<Key, uint64_t>;

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

double Strtod(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  EXPECT_EQ(*end, '\0') << "not a number: " << text;
  return v;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string Quoted(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

// A long-form CSV of `table`, values as %.17g.
std::string LongCsv(const Table& table) {
  std::string out = "region,indicator,period,value\n";
  for (const auto& [key, bits] : table) {
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    char number[40];
    std::snprintf(number, sizeof(number), "%.17g", v);
    absl::StrAppend(&out, std::get<0>(key), ",", std::get<1>(key), ",", std::get<2>(key), ",",
                    number, "\n");
  }
  return out;
}

// Reads an exported long-form CSV back into a Table (strtod, exact).
Table ParseExport(const std::string& text) {
  Table table;
  absl::StatusOr<index::CsvTable> csv = index::ParseCsvTable(text);
  EXPECT_TRUE(csv.ok()) << csv.status();
  if (!csv.ok()) return table;
  EXPECT_EQ(absl::StrJoin(csv->header, ","), "region,indicator,period,value,source");
  for (const index::CsvRow& row : csv->rows) {
    int period = 0;
    EXPECT_TRUE(absl::SimpleAtoi(row.fields[2], &period));
    Key key{row.fields[0], row.fields[1], period};
    EXPECT_EQ(table.count(key), 0u) << "exported twice: " << row.fields[0];
    table[key] = Bits(Strtod(row.fields[3]));
  }
  return table;
}

// Awkward values first, then random finite bit patterns (fixed seed).
Table GenerateTable(int regions, int indicators, int periods, uint64_t seed) {
  const double awkward[] = {
      0.1,       1e-300,          123456789.123456789,     -2.5,
      -0.0,      5e-324,          1.7976931348623157e308,  0.30000000000000004,
      1.0 / 3.0, -1234.5678e-200, 2.2250738585072014e-308, 9007199254740993.0};
  std::mt19937_64 rng(seed);
  Table table;
  size_t n = 0;
  for (int r = 0; r < regions; ++r) {
    for (int i = 0; i < indicators; ++i) {
      for (int p = 0; p < periods; ++p) {
        double v;
        if (n < sizeof(awkward) / sizeof(awkward[0])) {
          v = awkward[n];
        } else {
          do {
            uint64_t bits = rng();
            std::memcpy(&v, &bits, sizeof(v));
          } while (!std::isfinite(v));
        }
        ++n;
        table[Key{absl::StrCat("R", r), absl::StrCat("ind_", i), 2000 + p}] = Bits(v);
      }
    }
  }
  return table;
}

class CliImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    auto url = pg_->CreateDatabase("cli");
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    StartIngest();
    dir_ = absl::StrCat(BuildDir(), "/test-logs/cli-", ::getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    int code = 0;
    ASSERT_TRUE(RunCommand("mkdir -p '" + dir_ + "'", &code).ok());
  }

  void StartIngest() {
    auto ingest = ServiceProcess::Start("ingest", {}, {{"DATABASE_URL", url_}});
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_ = std::move(*ingest);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Runs the CLI to completion; returns its combined output.
  std::string Cli(const std::string& args, int* exit_code) {
    absl::StatusOr<std::string> out =
        RunCommand(absl::StrCat("'", BuildDir(), "/services/cli/innoscope' ", args,
                                " --ingest_address=", ingest_->grpc_address()),
                   exit_code);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : "";
  }
  std::string CliOk(const std::string& args) {
    int code = -1;
    std::string out = Cli(args, &code);
    EXPECT_EQ(code, 0) << "innoscope " << args << "\n" << out;
    return out;
  }

  std::string Psql(const std::string& sql) {
    int code = 0;
    auto out = RunCommand(absl::StrCat("psql '", url_, "' -qtAc \"", sql, "\""), &code);
    EXPECT_EQ(code, 0) << (out.ok() ? *out : "");
    return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "";
  }
  int64_t StoredRows() {
    int64_t n = -1;
    EXPECT_TRUE(absl::SimpleAtoi(Psql("SELECT count(*) FROM ingest.observations"), &n));
    return n;
  }

  Table Export(const std::string& flags = "") {
    CliOk(absl::StrCat("export observations --out '", Path("export.csv"), "' ", flags));
    return ParseExport(ReadText(Path("export.csv")));
  }

  // Registers the regions and indicators `table` uses.
  void RegisterCodes(const Table& table) {
    std::set<std::string> regions, indicators;
    for (const auto& [key, bits] : table) {
      regions.insert(std::get<0>(key));
      indicators.insert(std::get<1>(key));
    }
    std::string r = "code,name,kind\n", i = "code,name\n";
    for (const std::string& code : regions) absl::StrAppend(&r, code, ",Region ", code, ",city\n");
    for (const std::string& code : indicators) absl::StrAppend(&i, code, ",", code, "\n");
    WriteText(Path("regions.csv"), r);
    WriteText(Path("indicators.csv"), i);
    CliOk("import regions '" + Path("regions.csv") + "'");
    CliOk("import indicators '" + Path("indicators.csv") + "'");
  }

  // Writes `table` as a file, starts an import of it, and SIGKILLs the CLI
  // (or the service) once some but not all batches are committed.
  void ImportKilledMidway(const Table& table, bool kill_service) {
    WriteText(Path("big.csv"), LongCsv(table));
    const pid_t cli = SpawnCli({"import", "observations", Path("big.csv"), "--batch_size=500",
                                "--retries=0", "--ingest_address=" + ingest_->grpc_address()},
                               Path("killed.log"));
    const int64_t total = static_cast<int64_t>(table.size());
    int64_t at_kill = 0;
    ASSERT_TRUE(WaitFor([&] { return (at_kill = StoredRows()) > 0; }, absl::Seconds(60),
                        absl::Milliseconds(20))
                    .ok())
        << ReadText(Path("killed.log"));
    if (kill_service) {
      ingest_->Signal(SIGKILL);
      ASSERT_TRUE(ingest_->WaitExit(absl::Seconds(10)).ok());
      EXPECT_NE(ReapExit(cli), 0) << "the CLI must fail when the service dies";
      EXPECT_THAT(ReadText(Path("killed.log")), HasSubstr("run the same command again"));
      StartIngest();  // same database, new port
    } else {
      ::kill(cli, SIGKILL);
      EXPECT_EQ(ReapExit(cli), 128 + SIGKILL);
    }
    at_kill = StoredRows();
    EXPECT_GT(at_kill, 0);
    EXPECT_LT(at_kill, total) << "the import finished before it could be interrupted";
    const std::string out = CliOk("import observations '" + Path("big.csv") + "' --batch_size=500");
    EXPECT_THAT(out, HasSubstr("replayed_batches="));
    EXPECT_THAT(out, HasSubstr("revised=0"));
    EXPECT_EQ(StoredRows(), total);  // one revision per key: nothing duplicated
    EXPECT_EQ(Psql("SELECT count(*) FROM ingest.observations WHERE revision > 1"), "0");
    EXPECT_TRUE(Export() == table) << "the table differs from the file";
  }

  std::unique_ptr<PostgresServer> pg_;
  std::string url_;
  std::unique_ptr<ServiceProcess> ingest_;
  std::string dir_;
};

TEST_F(CliImportTest, ImportThenExportRoundTripsAwkwardDoublesBitForBit) {
  const Table table = GenerateTable(40, 10, 6, 1);  // 2,400 observations
  RegisterCodes(table);
  WriteText(Path("obs.csv"), LongCsv(table));
  const std::string out = CliOk("import observations '" + Path("obs.csv") + "' --batch-size 700");
  EXPECT_THAT(out, HasSubstr("inserted=2400 revised=0 unchanged=0 replayed_batches=0 rejected=0"));
  EXPECT_THAT(out, HasSubstr("batches=4"));
  EXPECT_TRUE(Export() == table);

  // The exported file imports again as identical values: nothing changes.
  CliOk("export observations --out '" + Path("again.csv") + "'");
  EXPECT_THAT(CliOk("import observations '" + Path("again.csv") + "'"),
              HasSubstr("inserted=0 revised=0 unchanged=2400"));
  // Filters and JSON.
  const Table some = Export("--regions R1,R2 --periods 2001-2002 --indicators ind_3");
  EXPECT_EQ(some.size(), 4u);
  for (const auto& [key, bits] : some) EXPECT_EQ(bits, table.at(key));
  CliOk("export observations --format json --regions R0 --out '" + Path("r0.json") + "'");
  EXPECT_THAT(ReadText(Path("r0.json")),
              HasSubstr("{\"region\":\"R0\",\"indicator\":\"ind_0\",\"period\":2000,"
                        "\"value\":0.1,\"source\":\"\"}"));
}

// examples/ai_index: the three economic circles of the AI index get their
// members from the CLI, a re-run changes nothing, and a member the service
// does not know fails naming the cluster (the service validates members).
TEST_F(CliImportTest, ClusterMembersAreSetPerClusterAndRerunsChangeNothing) {
  const std::string examples = absl::StrCat(SourceDir(), "/examples/ai_index/");
  CliOk("import regions '" + examples + "regions.csv'");
  EXPECT_THAT(CliOk("import cluster_members '" + examples + "cluster_members.csv'"),
              HasSubstr("clusters=3 changed=3 members=9"));
  // 长三角 = Shanghai + Jiangsu + Zhejiang + Anhui, as the 2023 report sums it.
  EXPECT_EQ(Psql("SELECT string_agg(member_code, ',' ORDER BY member_code) FROM "
                 "ingest.cluster_members WHERE cluster_code = 'CN-YRD'"),
            "CN-AH,CN-JS,CN-SH,CN-ZJ");
  const std::string regions_version =
      Psql("SELECT version FROM ingest.data_versions WHERE scope = 'regions'");
  EXPECT_THAT(CliOk("import cluster_members '" + examples + "cluster_members.csv'"),
              HasSubstr("clusters=3 changed=0 members=9"));
  EXPECT_EQ(Psql("SELECT version FROM ingest.data_versions WHERE scope = 'regions'"),
            regions_version);

  WriteText(Path("bad_members.csv"), "cluster,member\nCN-CY,CN-CQ\nCN-CY,XX-NOWHERE\n");
  int code = 0;
  const std::string out = Cli("import cluster_members '" + Path("bad_members.csv") + "'", &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("cluster CN-CY"));
  EXPECT_THAT(out, HasSubstr("XX-NOWHERE"));
  EXPECT_EQ(Psql("SELECT count(*) FROM ingest.cluster_members WHERE cluster_code = 'CN-CY'"),
            "2");  // unchanged: Chongqing and Sichuan
}

TEST_F(CliImportTest, RerunningTheSameImportWritesNothing) {
  const Table table = GenerateTable(20, 5, 5, 2);
  RegisterCodes(table);
  WriteText(Path("obs.csv"), LongCsv(table));
  CliOk("import observations '" + Path("obs.csv") + "' --batch_size 100");
  const std::string versions = Psql("SELECT version FROM ingest.data_versions ORDER BY scope");
  const std::string again = CliOk("import observations '" + Path("obs.csv") + "' --batch_size 100");
  EXPECT_THAT(again, HasSubstr("inserted=0 revised=0 unchanged=0 replayed_batches=5 rejected=0"));
  EXPECT_EQ(StoredRows(), 500);
  EXPECT_EQ(Psql("SELECT version FROM ingest.data_versions ORDER BY scope"), versions);
}

// Files A and B over the same keys: B changes every value but the first
// four keys' (same keys, other values), so an import sequence's stored
// revisions are known by hand: a key whose values differ gets one revision
// per import that changes it, a key equal in both files one in all.
struct AbFiles {
  Table a, b;
  int64_t differing = 0;
};
AbFiles MakeAb() {
  AbFiles f;
  f.a = GenerateTable(10, 4, 5, 21);  // 200 keys
  f.b = f.a;
  int n = 0;
  for (auto& [key, bits] : f.b) {
    if (n++ < 4) continue;
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    bits = Bits(std::isfinite(v * 0.5) && v * 0.5 != v ? v * 0.5 : 7.25);
  }
  for (const auto& [key, bits] : f.a) f.differing += f.b.at(key) != bits ? 1 : 0;
  return f;
}

TEST_F(CliImportTest, ImportAThenBThenAAgainLeavesAsValues) {
  const AbFiles f = MakeAb();
  ASSERT_EQ(f.differing, 196);
  RegisterCodes(f.a);
  WriteText(Path("a.csv"), LongCsv(f.a));
  WriteText(Path("b.csv"), LongCsv(f.b));
  CliOk("import observations '" + Path("a.csv") + "' --batch_size 50");
  CliOk("import observations '" + Path("b.csv") + "' --batch_size 50");
  ASSERT_TRUE(Export() == f.b);
  // The third import is no replay of the first: A's values come back.
  const std::string third = CliOk("import observations '" + Path("a.csv") + "' --batch_size 50");
  EXPECT_THAT(third, HasSubstr("inserted=0 revised=196 unchanged=4 replayed_batches=0"));
  EXPECT_THAT(third, ::testing::Not(HasSubstr("--import_id")));
  EXPECT_TRUE(Export() == f.a) << "the last file imported (A) is not what is stored";
  // 4 keys x 1 revision + 196 keys x 3 revisions (A, B, A).
  EXPECT_EQ(StoredRows(), 4 + 196 * 3);
  // Once more: now a true replay, nothing written.
  const std::string fourth = CliOk("import observations '" + Path("a.csv") + "' --batch_size 50");
  EXPECT_THAT(fourth, HasSubstr("inserted=0 revised=0 unchanged=0 replayed_batches=4"));
  EXPECT_EQ(StoredRows(), 4 + 196 * 3);
}

TEST_F(CliImportTest, ImportABABLeavesBsValues) {
  const AbFiles f = MakeAb();
  RegisterCodes(f.a);
  WriteText(Path("a.csv"), LongCsv(f.a));
  WriteText(Path("b.csv"), LongCsv(f.b));
  for (const char* file : {"a.csv", "b.csv", "a.csv", "b.csv"}) {
    CliOk("import observations '" + Path(file) + "' --batch_size 70");
  }
  EXPECT_TRUE(Export() == f.b) << "the last file imported (B) is not what is stored";
  EXPECT_EQ(StoredRows(), 4 + 196 * 4);
  EXPECT_EQ(Psql("SELECT max(revision) FROM ingest.observations"), "4");
}

TEST_F(CliImportTest, ImportWithTheCliKilledMidwayThenRerunEqualsTheFile) {
  const Table table = GenerateTable(200, 50, 10, 3);  // 100,000 observations, 200 batches
  RegisterCodes(table);
  ImportKilledMidway(table, /*kill_service=*/false);
}

TEST_F(CliImportTest, ImportWithTheServiceKilledMidwayThenRerunEqualsTheFile) {
  const Table table = GenerateTable(200, 50, 10, 4);
  RegisterCodes(table);
  ImportKilledMidway(table, /*kill_service=*/true);
}

TEST_F(CliImportTest, BadRowsExitNonZeroNamingTheLine) {
  Table table = GenerateTable(3, 2, 2, 5);
  RegisterCodes(table);
  // Caught by the CLI before anything is sent.
  WriteText(Path("bad.csv"), "region,indicator,period,value\nR0,ind_0,2000,1\nR1,ind_0,2000,x1\n");
  int code = 0;
  std::string out = Cli("import observations '" + Path("bad.csv") + "'", &code);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(out, HasSubstr("line 3, column 'value': 'x1' is not a finite number"));
  EXPECT_THAT(out, HasSubstr("nothing was sent"));
  EXPECT_EQ(StoredRows(), 0);
  // Rejected by the service (unknown region): the message names the line.
  WriteText(Path("bad.csv"),
            "region,indicator,period,value\nR0,ind_0,2000,1\nR0,ind_1,2000,2\nNOPE,ind_0,2000,3\n");
  out = Cli("import observations '" + Path("bad.csv") + "'", &code);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(out, HasSubstr("row 2 (line 4) region_code: unknown region \"NOPE\""));
  EXPECT_THAT(out, HasSubstr("rejected=3"));
  EXPECT_EQ(StoredRows(), 0);
  // A missing file, and bad usage.
  out = Cli("import observations '" + Path("absent.csv") + "'", &code);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(out, HasSubstr("absent.csv"));
  out = Cli("import observations", &code);
  EXPECT_EQ(code, 2);
}

TEST_F(CliImportTest, RelationsAndActorsRoundTrip) {
  WriteText(Path("actors.csv"),
            "code,name,kind,sample,layer,founded\n"
            "e1,Firm one,enterprise,true,technology,2015\ni1,Fund,investor,,,\n"
            "u1,\"University, Beijing\",university,,,\n");
  EXPECT_THAT(CliOk("import actors '" + Path("actors.csv") + "' --relation-set ai"),
              HasSubstr("inserted=3"));
  const std::string relations =
      "source,target,type,year,weight,amount,qualifier,domain\n"
      "i1,e1,investment,2022,,123456789.12345679,round-1,finance\n"
      "u1,e1,cooperation,2021,0.1,,,\n";
  WriteText(Path("relations.csv"), relations);
  EXPECT_THAT(CliOk("import relations '" + Path("relations.csv") + "' --relation-set ai"),
              HasSubstr("inserted=2"));
  EXPECT_THAT(CliOk("import relations '" + Path("relations.csv") + "' --relation-set ai"),
              HasSubstr("replayed_batches=1"));
  CliOk("export relations --relation-set ai --out '" + Path("relations_out.csv") + "'");
  // Same rows, in the service's order.
  std::vector<std::string> got = absl::StrSplit(ReadText(Path("relations_out.csv")), '\n');
  std::vector<std::string> want = absl::StrSplit(relations, '\n');
  std::sort(got.begin() + 1, got.end());
  std::sort(want.begin() + 1, want.end());
  EXPECT_EQ(got, want);
}

// ---------------------------------------------------------- shared data

// Non-missing cells of `columns` in a wide CSV: (region, column) -> bits.
std::map<std::pair<std::string, std::string>, uint64_t> WideCells(
    const index::CsvTable& csv, const std::string& region_column,
    const std::set<std::string>& columns) {
  std::map<std::pair<std::string, std::string>, uint64_t> cells;
  const int rc = csv.Column(region_column);
  for (const index::CsvRow& row : csv.rows) {
    for (size_t c = 0; c < csv.header.size(); ++c) {
      if (columns.count(csv.header[c]) == 0) continue;
      const std::string cell(absl::StripAsciiWhitespace(row.fields[c]));
      if (cell.empty() || cell == "NA") continue;
      cells[{row.fields[rc], csv.header[c]}] = Bits(Strtod(cell));
    }
  }
  return cells;
}

TEST_F(CliImportTest, LoadsHdiComponentsAndTheyRoundTrip) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  const std::string path = shared + "/datasets/composite/hdr/hdi_2022_components_extract.csv";
  absl::StatusOr<index::CsvTable> csv = index::ParseCsvTable(ReadText(path));
  ASSERT_TRUE(csv.ok()) << csv.status();
  // Countries, plus UNDP's aggregates (ZZA.VHHD ... ZZK.WORLD) as custom regions.
  std::string regions = "code,name,kind\n";
  for (const index::CsvRow& row : csv->rows) {
    const bool aggregate = row.fields[0].rfind("ZZ", 0) == 0;
    absl::StrAppend(&regions, row.fields[0], ",", Quoted(row.fields[1]), ",",
                    aggregate ? "custom" : "country", "\n");
  }
  WriteText(Path("hdr_regions.csv"), regions);
  WriteText(Path("hdr_indicators.csv"),
            "code,name,unit\nle,Life expectancy at birth,years\neys,Expected years of "
            "schooling,years\nmys,Mean years of schooling,years\ngnipc,GNI per capita,2017 PPP "
            "$\nhdi,Human Development Index,index\nhdi_rank,HDI rank,rank\n");
  CliOk("import regions '" + Path("hdr_regions.csv") + "'");
  CliOk("import indicators '" + Path("hdr_indicators.csv") + "'");
  // Wide form; le_2022 is indicator le in 2022 (no --period needed).
  const std::string out = CliOk("import observations '" + path + "' --source HDR23-24");
  EXPECT_THAT(out, HasSubstr("skipped 3 column(s)"));  // country, hdicode, region

  std::set<std::string> columns;
  for (const std::string& name : csv->header) {
    if (name.size() > 5 && name[name.size() - 5] == '_' && name.rfind("iso3", 0) != 0) {
      columns.insert(name);
    }
  }
  const auto expected = WideCells(*csv, "iso3", columns);
  const Table stored = Export();
  ASSERT_EQ(stored.size(), expected.size());
  for (const auto& [cell, bits] : expected) {
    const std::string& column = cell.second;
    const Key key{cell.first, column.substr(0, column.size() - 5),
                  std::stoi(column.substr(column.size() - 4))};
    ASSERT_EQ(stored.count(key), 1u) << cell.first << " " << column;
    EXPECT_EQ(stored.at(key), bits) << cell.first << " " << column;
  }
  // Spot checks against the published file: CHN's HDI 2022 is 0.788.
  EXPECT_EQ(stored.at(Key{"CHN", "hdi", 2022}), Bits(0.788));
  EXPECT_THAT(ReadText(Path("export.csv")), HasSubstr("CHN,hdi,2022,0.788,HDR23-24\n"));
}

TEST_F(CliImportTest, LoadsAsemMetadataAndDataAndTheyRoundTrip) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  const std::string dir = shared + "/datasets/composite/coinr_asem/";
  const std::string framework =
      CliOk("import framework '" + dir + "ASEM_iMeta.csv' --framework asem");
  EXPECT_THAT(framework, HasSubstr("framework=asem version=1 created=true nodes=60"));
  EXPECT_THAT(framework, HasSubstr("indicators_registered=53"));
  // Re-importing the same metadata creates no new version.
  EXPECT_THAT(CliOk("import framework '" + dir + "ASEM_iMeta.csv' --framework asem"),
              HasSubstr("created=false"));

  absl::StatusOr<index::CsvTable> data = index::ParseCsvTable(ReadText(dir + "ASEM_iData.csv"));
  ASSERT_TRUE(data.ok()) << data.status();
  std::string regions = "code,name,kind,EurAsia_group\n";
  const int name = data->Column("uName"), code = data->Column("uCode"),
            group = data->Column("EurAsia_group");
  for (const index::CsvRow& row : data->rows) {
    absl::StrAppend(&regions, row.fields[code], ",", Quoted(row.fields[name]), ",country,",
                    row.fields[group], "\n");
  }
  WriteText(Path("asem_regions.csv"), regions);
  EXPECT_THAT(CliOk("import regions '" + Path("asem_regions.csv") + "'"), HasSubstr("inserted=51"));
  const std::string out = CliOk("import observations '" + dir + "ASEM_iData.csv' --framework asem");
  EXPECT_THAT(out, HasSubstr("rejected=0"));

  // Every leaf (49 indicators) and denominator (4) column; Time gives 2018.
  std::set<std::string> columns;
  for (size_t c = data->Column("Time") + 1; c < data->header.size(); ++c) {
    columns.insert(data->header[c]);
  }
  ASSERT_EQ(columns.size(), 53u);
  const auto expected = WideCells(*data, "uCode", columns);
  const Table stored = Export();
  ASSERT_EQ(stored.size(), expected.size());
  for (const auto& [cell, bits] : expected) {
    const Key key{cell.first, cell.second, 2018};
    ASSERT_EQ(stored.count(key), 1u) << cell.first << " " << cell.second;
    EXPECT_EQ(stored.at(key), bits) << cell.first << " " << cell.second;
  }
  // The framework filter exports the 49 leaves only.
  const Table leaves = Export("--framework asem");
  size_t denominators = 0;
  for (const auto& [key, bits] : stored) {
    const std::string& indicator = std::get<1>(key);
    if (indicator == "Area" || indicator == "Energy" || indicator == "GDP" ||
        indicator == "Population") {
      ++denominators;
    }
  }
  EXPECT_EQ(leaves.size(), stored.size() - denominators);
}

}  // namespace
}  // namespace innoscope::testing
