// The files of `innoscope demo generate` (services/cli/demo_files.h): the
// same seed gives the same bytes and another seed other bytes; every file
// says it is synthetic on every row; and the importers' own readers
// (record_csv.h, observation_csv.h) accept the files and read back exactly
// what was generated.

#include "services/cli/demo_files.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/cli/observation_csv.h"
#include "services/cli/record_csv.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::ingest::v1;
using ::testing::HasSubstr;

std::vector<synth::Province> Provinces() {
  return {{"CN-BJ", "Beijing"},
          {"CN-GD", "Guangdong"},
          {"CN-SH", "Shanghai"},
          {"CN-XZ", "Tibet"},
          {"P-NEW", "Unknown to the model"}};
}

std::vector<std::string> Leaves() {
  return {"number_of_ai_enterprises", "number_of_technology_empowerment_relations",
          "number_of_conferences", "financing_amount", "custom_leaf"};
}

DemoFiles Render(uint64_t seed, synth::SyntheticData* data_out = nullptr) {
  synth::SyntheticOptions options;
  options.seed = seed;
  options.enterprises = 60;
  options.first_year = 2019;
  options.last_year = 2022;
  absl::StatusOr<synth::SyntheticData> data =
      synth::GenerateSyntheticData(Provinces(), Leaves(), options);
  EXPECT_TRUE(data.ok()) << data.status();
  if (!data.ok()) return {};
  if (data_out != nullptr) *data_out = *data;
  return RenderDemoFiles(*data, options);
}

// Data lines (header and the final empty line left out).
std::vector<std::string> Lines(const std::string& csv) {
  std::vector<std::string> lines = absl::StrSplit(csv, '\n');
  lines.erase(lines.begin());
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

TEST(DemoFilesTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const DemoFiles a = Render(7), b = Render(7), c = Render(8);
  EXPECT_EQ(a.actors, b.actors);
  EXPECT_EQ(a.relations, b.relations);
  EXPECT_EQ(a.observations, b.observations);
  EXPECT_EQ(a.notice, b.notice);
  EXPECT_NE(a.actors, c.actors);
  EXPECT_NE(a.relations, c.relations);
  EXPECT_NE(a.observations, c.observations);
}

TEST(DemoFilesTest, EveryFileAndRowIsMarkedSynthetic) {
  const DemoFiles files = Render(7);
  EXPECT_THAT(files.notice, HasSubstr("SYNTHETIC DATA -- NOT REAL"));
  EXPECT_THAT(files.notice, HasSubstr("seed 7"));
  EXPECT_TRUE(absl::StartsWith(
      files.actors,
      "code,name,kind,province,sample,platform,foreign,layer,first_year,provenance\n"));
  EXPECT_TRUE(absl::StartsWith(
      files.relations, "source,target,type,year,amount,qualifier,international,provenance\n"));
  EXPECT_TRUE(absl::StartsWith(files.observations, "region,indicator,period,value,source\n"));
  for (const std::string* csv : {&files.actors, &files.relations, &files.observations}) {
    const std::vector<std::string> lines = Lines(*csv);
    ASSERT_FALSE(lines.empty());
    for (const std::string& line : lines) {
      EXPECT_TRUE(absl::EndsWith(line, ",synthetic")) << line;
    }
  }
  for (const std::string& line : Lines(files.actors)) {
    EXPECT_THAT(line, HasSubstr(",Synthetic ")) << line;
  }
}

TEST(DemoFilesTest, TheImportersReadBackWhatWasGenerated) {
  synth::SyntheticData data;
  const DemoFiles files = Render(7, &data);

  absl::StatusOr<LinedMessages<v1::Actor>> actors = ParseActorsCsv(files.actors);
  ASSERT_TRUE(actors.ok()) << actors.status();
  ASSERT_EQ(actors->messages.size(), data.actors.size());
  for (size_t i = 0; i < data.actors.size(); ++i) {
    const v1::Actor& read = actors->messages[i];
    const synth::Actor& made = data.actors[i];
    EXPECT_EQ(read.code(), made.code);
    EXPECT_EQ(read.province_code(), made.province);
    EXPECT_EQ(read.sample(), made.sample);
    EXPECT_EQ(read.platform(), made.platform);
    EXPECT_EQ(read.foreign(), made.foreign);
    EXPECT_EQ(read.attributes().at("provenance"), "synthetic");
    EXPECT_EQ(read.attributes().at("first_year"), std::to_string(made.first_year));
  }

  absl::StatusOr<LinedMessages<v1::Relation>> relations = ParseRelationsCsv(files.relations);
  ASSERT_TRUE(relations.ok()) << relations.status();
  ASSERT_EQ(relations->messages.size(), data.relations.size());
  size_t international = 0;
  for (size_t i = 0; i < data.relations.size(); ++i) {
    const v1::Relation& read = relations->messages[i];
    const synth::Relation& made = data.relations[i];
    EXPECT_EQ(read.source_code(), data.actors[made.source].code);
    EXPECT_EQ(read.target_code(), data.actors[made.target].code);
    EXPECT_EQ(read.type(), made.type);
    EXPECT_EQ(read.period(), made.year);
    EXPECT_EQ(read.has_amount(), made.amount.has_value());
    if (made.amount.has_value()) {
      EXPECT_EQ(read.amount(), *made.amount);  // bit for bit
    }
    EXPECT_EQ(read.tags().at("provenance"), "synthetic");
    EXPECT_EQ(read.tags().count("international"), made.international ? 1u : 0u);
    international += made.international;
  }
  EXPECT_GT(international, 0u);

  absl::StatusOr<ObservationFile> observations =
      ParseObservationCsv(files.observations, ObservationCsvOptions());
  ASSERT_TRUE(observations.ok()) << observations.status();
  EXPECT_EQ(observations->layout, ObservationLayout::kLong);
  ASSERT_EQ(observations->records.size(), data.observations.size());
  // 5 provinces x 3 generated leaves (2 of the 5 are derived) x 4 years.
  EXPECT_EQ(data.observations.size(), 5u * 3u * 4u);
  for (size_t i = 0; i < data.observations.size(); ++i) {
    const ObservationRecord& read = observations->records[i];
    EXPECT_EQ(observations->Text(read.region), data.observations[i].region);
    EXPECT_EQ(observations->Text(read.indicator), data.observations[i].indicator);
    EXPECT_EQ(read.value, data.observations[i].value);  // bit for bit
    EXPECT_EQ(observations->Text(read.source), "synthetic");
  }
}

}  // namespace
}  // namespace innoscope::cli
