// Change detection of the recompute job (libs/recompute/changes.h): which
// versions differ from the last successful run, and which versions a run
// records so that a second run on unchanged data finds nothing to do while
// a change racing with a run is never missed.

#include "libs/recompute/changes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::recompute {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::Optional;

IndexEntry Entry() {
  IndexEntry e;
  e.framework = "ai";
  e.relation_set = "net";
  return e;
}

TEST(ChangesTest, FirstRunListsEveryScopeWithoutAPreviousVersion) {
  ChangeSet c = DetectChanges(std::nullopt, {"h1", {{"framework:ai", 3}, {"observations", 10}}});
  EXPECT_TRUE(c.first_run);
  EXPECT_FALSE(c.config_changed);
  EXPECT_TRUE(c.any());
  ASSERT_EQ(c.versions.size(), 2u);
  EXPECT_EQ(c.versions[0].scope, "framework:ai");
  EXPECT_EQ(c.versions[0].previous, std::nullopt);
  EXPECT_EQ(c.versions[0].current, 3);
  EXPECT_EQ(DescribeChanges(c), "first run");
}

TEST(ChangesTest, EqualStateIsNoChange) {
  EntryState s{"h1", {{"framework:ai", 3}, {"observations", 10}, {"regions", 0}}};
  ChangeSet c = DetectChanges(s, s);
  EXPECT_FALSE(c.any());
  EXPECT_TRUE(c.versions.empty());
  EXPECT_EQ(DescribeChanges(c), "no change");
}

TEST(ChangesTest, OnlyTheBumpedScopesAreListed) {
  EntryState before{"h1", {{"framework:ai", 3}, {"observations", 10}, {"regions", 2}}};
  EntryState now{"h1", {{"framework:ai", 4}, {"observations", 12}, {"regions", 2}}};
  ChangeSet c = DetectChanges(before, now);
  EXPECT_TRUE(c.any());
  EXPECT_FALSE(c.first_run);
  EXPECT_THAT(c.versions, ElementsAre(Field(&VersionChange::scope, "framework:ai"),
                                      Field(&VersionChange::scope, "observations")));
  EXPECT_THAT(c.versions[1].previous, Optional(10));
  EXPECT_EQ(c.versions[1].current, 12);
  EXPECT_EQ(DescribeChanges(c), "framework:ai 3 -> 4, observations 10 -> 12");
}

TEST(ChangesTest, AVersionThatWentBackIsAChange) {
  // A database restored from an older backup.
  ChangeSet c = DetectChanges(EntryState{"h", {{"observations", 12}}},
                              EntryState{"h", {{"observations", 9}}});
  ASSERT_EQ(c.versions.size(), 1u);
  EXPECT_EQ(DescribeChanges(c), "observations 12 -> 9");
}

TEST(ChangesTest, NewScopeAndChangedSettingsAreChanges) {
  ChangeSet c = DetectChanges(EntryState{"h1", {{"observations", 1}, {"relations:old", 7}}},
                              EntryState{"h2", {{"observations", 1}, {"relations:new", 0}}});
  EXPECT_TRUE(c.config_changed);
  EXPECT_EQ(c.previous_config_hash, "h1");
  // relations:old is no longer a scope of the entry and is ignored.
  EXPECT_THAT(c.versions, ElementsAre(Field(&VersionChange::scope, "relations:new")));
  EXPECT_EQ(DescribeChanges(c), "configuration changed, relations:new none -> 0");
}

TEST(ChangesTest, RecordedVersionsMakeTheSecondRunUnchanged) {
  const IndexEntry e = Entry();
  // Run 1 reads these, the network step writes derived indicators (ingest
  // bumps framework:ai and observations), and the versions are read again.
  DataVersions before = {
      {"framework:ai", 3}, {"observations", 10}, {"regions", 1}, {"relations:net", 5}};
  DataVersions after = {
      {"framework:ai", 4}, {"observations", 12}, {"regions", 1}, {"relations:net", 5}};
  DataVersions used = VersionsUsed(e, before, after);
  EXPECT_EQ(used, after);
  // Run 2: the network step replays its batches, so ingest's versions are
  // still `after`; comparing before the network step finds nothing.
  EXPECT_FALSE(DetectChanges(EntryState{"h", used}, EntryState{"h", after}).any());
  // Recording `before` instead would recompute forever:
  EXPECT_TRUE(DetectChanges(EntryState{"h", before}, EntryState{"h", after}).any());
}

TEST(ChangesTest, ARelationChangeDuringTheRunIsNotMissed) {
  const IndexEntry e = Entry();
  // Relations were written after the network step read them (version 5 ->
  // 6 between the two reads): the derived indicators rest on version 5.
  DataVersions before = {
      {"framework:ai", 3}, {"observations", 10}, {"regions", 1}, {"relations:net", 5}};
  DataVersions after = {
      {"framework:ai", 4}, {"observations", 12}, {"regions", 1}, {"relations:net", 6}};
  DataVersions used = VersionsUsed(e, before, after);
  EXPECT_EQ(used.at("relations:net"), 5);
  EXPECT_EQ(used.at("observations"), 12);
  ChangeSet next = DetectChanges(EntryState{"h", used}, EntryState{"h", after});
  EXPECT_THAT(next.versions, ElementsAre(Field(&VersionChange::scope, "relations:net")));
}

TEST(ChangesTest, VersionsUsedCoversTheEntryScopesOnly) {
  IndexEntry e;
  e.framework = "hdi";  // no relation set
  DataVersions before = {{"relations:x", 1}};
  DataVersions after = {
      {"framework:hdi", 2}, {"observations", 3}, {"regions", 4}, {"framework:other", 9}};
  EXPECT_EQ(VersionsUsed(e, before, after),
            (DataVersions{{"framework:hdi", 2}, {"observations", 3}, {"regions", 4}}));
}

}  // namespace
}  // namespace innoscope::recompute
