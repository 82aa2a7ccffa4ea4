#include "services/cli/observation_csv.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "services/cli/number_text.h"

namespace innoscope::cli {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// "region indicator period value source" of every record, for comparison.
std::vector<std::string> Describe(const ObservationFile& f) {
  std::vector<std::string> out;
  for (const ObservationRecord& r : f.records) {
    out.push_back(absl::StrCat(f.Text(r.region), " ", f.Text(r.indicator), " ", r.period, " ",
                               FormatDouble(r.value), " ", f.Text(r.source)));
  }
  return out;
}

TEST(ObservationCsvTest, ReadsLongFormInAnyColumnOrder) {
  absl::StatusOr<ObservationFile> f = ParseObservationCsv(
      "value,region,period,indicator,source\n0.1,AUT,2018,LPI,wb\n1e-300, BEL ,2019,LPI,\n"
      "NA,CHE,2018,LPI,\n",
      {});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->layout, ObservationLayout::kLong);
  EXPECT_THAT(Describe(*f), ElementsAre("AUT LPI 2018 0.1 wb", "BEL LPI 2019 1e-300 "));
  EXPECT_EQ(f->missing, 1);
  EXPECT_EQ(f->records[1].line, 3);
}

// Batches by indicator, then region, then period, byte order ("Z" < "a"),
// the first record a part of its own (the framework's rows); each batch
// (of at most 3) then in file order.
TEST(ObservationCsvTest, OrdersBatchesByTheKeyIndexAndRowsByLine) {
  absl::StatusOr<ObservationFile> f = ParseObservationCsv(
      "region,indicator,period,value\nR2,gdp,2020,1\nR2,gdp,2019,2\nR1,gdp,2020,3\n"
      "R1,Zeta,2021,4\nR10,gdp,2019,5\nR9,gdp,2019,6\nR1,area,2018,7\n",
      {});
  ASSERT_TRUE(f.ok()) << f.status();
  // Sorted: [R2 gdp 2020] | R1 Zeta, R1 area, R1 gdp 2020 | R10 gdp, R2 gdp 2019, R9 gdp.
  const std::vector<common::BatchRange> batches = common::PlanBatches(1, f->records.size(), 3);
  OrderForKeyIndex(*f, 1, batches);
  EXPECT_THAT(Describe(*f),
              ElementsAre("R2 gdp 2020 1 ", "R1 gdp 2020 3 ", "R1 Zeta 2021 4 ", "R1 area 2018 7 ",
                          "R2 gdp 2019 2 ", "R10 gdp 2019 5 ", "R9 gdp 2019 6 "));
  EXPECT_EQ(f->records[1].line, 4);  // lines stay with their records
}

TEST(ObservationCsvTest, LongFormRejectsUnknownColumnsAndPeriodFlag) {
  EXPECT_THAT(ParseObservationCsv("region,indicator,period,value,notes\n", {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'notes'")));
  ObservationCsvOptions options;
  options.period = 2020;
  EXPECT_THAT(ParseObservationCsv("region,indicator,period,value\n", options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("wide form only")));
}

TEST(ObservationCsvTest, ReportsEveryBadLineBeforeAnythingIsSent) {
  absl::StatusOr<ObservationFile> f = ParseObservationCsv(
      "region,indicator,period,value\nAUT,LPI,2018,abc\n,LPI,2018,1\nAUT,LPI,20x8,1\n"
      "AUT,LPI,2019,inf\n",
      {});
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr("4 problem(s)"));
  EXPECT_THAT(f.status().message(), HasSubstr("line 2, column 'value': 'abc' is not a finite"));
  EXPECT_THAT(f.status().message(), HasSubstr("line 3: empty region"));
  EXPECT_THAT(f.status().message(), HasSubstr("line 4, column 'period'"));
  EXPECT_THAT(f.status().message(), HasSubstr("line 5, column 'value': 'inf'"));
  EXPECT_THAT(f.status().message(), HasSubstr("nothing was sent"));
}

TEST(ObservationCsvTest, ExactRepeatsAreDroppedConflictsNameBothLines) {
  absl::StatusOr<ObservationFile> f = ParseObservationCsv(
      "region,indicator,period,value\nAUT,LPI,2018,1\nAUT,LPI,2018,1.0\nBEL,LPI,2018,2\n", {});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_THAT(Describe(*f), ElementsAre("AUT LPI 2018 1 ", "BEL LPI 2018 2 "));
  EXPECT_EQ(f->duplicates, 1);
  EXPECT_THAT(
      ParseObservationCsv("region,indicator,period,value\nAUT,LPI,2018,1\nAUT,LPI,2018,2\n", {}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("line 3: (AUT, LPI, 2018) has a different value or source "
                         "than at line 2")));
}

// The layout of COINr's ASEM_iData.csv: names, a code, group labels, Time.
constexpr char kWide[] =
    "uName,uCode,GDP_group,Time,LPI,Flights,Unknown\n"
    "Austria,AUT,L,2018,4.097985,29.01725,x\n"
    "Belgium,BEL,L,2018,NA,31.88546,y\n";

TEST(ObservationCsvTest, WideFormReadsKnownIndicatorColumnsOnly) {
  ObservationCsvOptions options;
  options.known_indicators = {"LPI", "Flights", "Other"};
  absl::StatusOr<ObservationFile> f = ParseObservationCsv(kWide, options);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->layout, ObservationLayout::kWide);
  EXPECT_THAT(Describe(*f), ElementsAre("AUT LPI 2018 4.097985 ", "AUT Flights 2018 29.01725 ",
                                        "BEL Flights 2018 31.88546 "));
  EXPECT_THAT(f->skipped_columns, ElementsAre("uName", "GDP_group", "Unknown"));
  EXPECT_EQ(f->missing, 1);
  EXPECT_EQ(f->Where(f->records[2]), "line 3, column 'Flights'");
}

TEST(ObservationCsvTest, WidePeriodFlagOverridesAndYearSuffixGivesPeriod) {
  ObservationCsvOptions options;
  options.known_indicators = {"LPI"};
  options.period = 2020;
  absl::StatusOr<ObservationFile> f = ParseObservationCsv(kWide, options);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->records[0].period, 2020);

  // UNDP's extract: iso3 is the region; hdi_2022 is indicator hdi, 2022.
  ObservationCsvOptions hdi;
  hdi.known_indicators = {"hdi", "le"};
  f = ParseObservationCsv(
      "iso3,country,region,hdi_2022,le_2022,hdi_2021\nAFG,Afghanistan,SA,0.462,62.879,0.473\n",
      hdi);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_THAT(Describe(*f),
              ElementsAre("AFG hdi 2022 0.462 ", "AFG le 2022 62.879 ", "AFG hdi 2021 0.473 "));
}

TEST(ObservationCsvTest, WideFormErrorsSayWhatToDo) {
  ObservationCsvOptions options;
  EXPECT_THAT(
      ParseObservationCsv(kWide, options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("register the indicators first")));
  options.known_indicators = {"LPI"};
  EXPECT_THAT(ParseObservationCsv("uCode,LPI\nAUT,1\n", options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--period YEAR")));
  EXPECT_THAT(ParseObservationCsv("name,LPI\nAUT,1\n", options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--region_column")));
  options.region_column = "nope";
  EXPECT_THAT(ParseObservationCsv(kWide, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'nope'")));
}

TEST(ObservationBatchIdTest, DependsOnContentAndScopeOnly) {
  const char* text = "region,indicator,period,value\nAUT,LPI,2018,0.1\nBEL,LPI,2018,0.2\n";
  absl::StatusOr<ObservationFile> a = ParseObservationCsv(text, {});
  absl::StatusOr<ObservationFile> b = ParseObservationCsv(text, {});
  ASSERT_TRUE(a.ok() && b.ok());
  ObservationBatchScope scope;
  const std::string id = ObservationBatchId(*a, 0, 2, scope);
  EXPECT_EQ(id, ObservationBatchId(*b, 0, 2, scope));
  EXPECT_THAT(id, ::testing::StartsWith("obs-"));
  EXPECT_NE(id, ObservationBatchId(*a, 0, 1, scope));
  ObservationBatchScope other = scope;
  other.framework = "asem";
  EXPECT_NE(id, ObservationBatchId(*a, 0, 2, other));
  other = scope;
  other.salt = "rerun";
  EXPECT_NE(id, ObservationBatchId(*a, 0, 2, other));
  // One ulp changes the id.
  absl::StatusOr<ObservationFile> c = ParseObservationCsv(
      "region,indicator,period,value\nAUT,LPI,2018,0.10000000000000002\nBEL,LPI,2018,0.2\n", {});
  ASSERT_TRUE(c.ok());
  EXPECT_NE(id, ObservationBatchId(*c, 0, 2, scope));
}

}  // namespace
}  // namespace innoscope::cli
