#include "libs/storage/migrations.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::storage {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

TEST(MigrationsTest, ParsesVersionAndNameFromFileName) {
  auto m = MigrationFromFile("0012_add_revision_index.sql", "CREATE INDEX x ON t (a);");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->version, 12);
  EXPECT_EQ(m->name, "add_revision_index");
  EXPECT_THAT(MigrationFromFile("init.sql", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NNNN_description")));
  EXPECT_FALSE(MigrationFromFile("0001_init.txt", "x").ok());
}

TEST(MigrationsTest, OrdersByVersionNotByInputOrder) {
  auto ordered = OrderMigrations({{10, "ten", "a"}, {2, "two", "b"}, {1, "one", "c"}});
  ASSERT_TRUE(ordered.ok());
  ASSERT_EQ(ordered->size(), 3u);
  EXPECT_EQ((*ordered)[0].version, 1);
  EXPECT_EQ((*ordered)[1].version, 2);
  EXPECT_EQ((*ordered)[2].version, 10);  // numeric, not "10" < "2"
}

TEST(MigrationsTest, RejectsDuplicateVersionsAndEmptySql) {
  EXPECT_THAT(OrderMigrations({{1, "a", "x"}, {1, "b", "y"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("share version 1")));
  EXPECT_THAT(OrderMigrations({{1, "a", "  \n"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_FALSE(OrderMigrations({{0, "zero", "x"}}).ok());
}

TEST(MigrationsTest, PendingAreTheUnappliedOnesInOrder) {
  std::vector<Migration> all = {{1, "a", "A"}, {2, "b", "B"}, {3, "c", "C"}};
  auto pending = PendingMigrations(all, {{1, MigrationChecksum("A")}});
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].version, 2);
  EXPECT_EQ((*pending)[1].version, 3);
}

TEST(MigrationsTest, RefusesADatabaseAheadOfTheBinaryOrAChangedMigration) {
  std::vector<Migration> all = {{1, "a", "A"}};
  EXPECT_THAT(PendingMigrations(all, {{1, MigrationChecksum("A")}, {2, "x"}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("migration 2")));
  EXPECT_THAT(PendingMigrations(all, {{1, MigrationChecksum("A changed")}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("was changed")));
}

TEST(MigrationsTest, ChecksumIsFnv1a64) {
  // FNV-1a 64 reference values (Fowler/Noll/Vo test vectors): "" and "a".
  EXPECT_EQ(MigrationChecksum(""), "cbf29ce484222325");
  EXPECT_EQ(MigrationChecksum("a"), "af63dc4c8601ec8c");
}

}  // namespace
}  // namespace innoscope::storage
