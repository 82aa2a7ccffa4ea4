// The scoring store's result storage against a real PostgreSQL: results are
// stored by column (run_result_columns, one row per run, regions or
// clusters, and node; migration 0008) and the view run_results returns
// exactly the relational rows of before, with their NULLs; the reads by
// node, of every score and the paged export return the rows in their
// order; a run whose rows do not form a full grid stores nothing; and the
// migration moves rows stored in the old table into the new layout.
//
// Expected values are written by hand below: three regions whose codes sort
// differently as text than in insertion order (R1 < R10 < R2 bytewise, the
// test server's collation), one cluster whose code holds a quote, an inner
// node (index) and a leaf (x), and absent values in every column that has
// them.

#include <cmath>
#include <limits>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/storage/migrations.h"
#include "libs/storage/pool.h"
#include "services/scoring/scoring_store.h"
#include "tests/integration/harness.h"

std::vector<innoscope::storage::Migration> ScoringMigrations();

namespace innoscope::testing {
namespace {

using scoring::RunResultRow;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::UnorderedElementsAre;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

RunResultRow Row(const std::string& region, const std::string& node, int position, bool cluster,
                 double score, int rank, double raw, double normalised, bool imputed, int tier) {
  return RunResultRow{region, node, position, cluster, score, rank, raw, normalised, imputed, tier};
}

// The rows as BuildRunResults lays them out: regions by insertion, then the
// cluster; each by node.
std::vector<RunResultRow> Rows() {
  return {
      Row("R2", "index", 0, false, 50, 1, kNaN, kNaN, false, 1),
      Row("R2", "x", 1, false, 40, 2, 7.5, 40, true, 0),
      Row("R10", "index", 0, false, kNaN, 0, kNaN, kNaN, false, 0),
      Row("R10", "x", 1, false, 30, 3, kNaN, kNaN, false, 0),
      Row("R1", "index", 0, false, 25.25, 2, kNaN, kNaN, false, 2),
      Row("R1", "x", 1, false, 60, 1, 1e-300, 60, false, 0),
      Row("C\"1", "index", 0, true, 37.5, 1, kNaN, kNaN, false, 0),
      Row("C\"1", "x", 1, true, 35, 1, 3.75, 35, false, 0),
  };
}

// The view's rows as text (run_id|region|node|position|is_cluster|score|
// rank|raw|normalised|imputed|tier; booleans t or f, NULL spelt out), by the old table's
// primary key order of ExportRun: is_cluster, region, node position.
const std::vector<std::string>& ExpectedViewRows() {
  static const auto* rows = new std::vector<std::string>{
      "run-a|R1|index|0|f|25.25|2|NULL|NULL|f|2",       "run-a|R1|x|1|f|60|1|1e-300|60|f|NULL",
      "run-a|R10|index|0|f|NULL|NULL|NULL|NULL|f|NULL", "run-a|R10|x|1|f|30|3|NULL|NULL|f|NULL",
      "run-a|R2|index|0|f|50|1|NULL|NULL|f|1",          "run-a|R2|x|1|f|40|2|7.5|40|t|NULL",
      "run-a|C\"1|index|0|t|37.5|1|NULL|NULL|f|NULL",   "run-a|C\"1|x|1|t|35|1|3.75|35|f|NULL",
  };
  return *rows;
}

std::string Key(const RunResultRow& r) {
  auto value = [](double v) { return std::isnan(v) ? std::string("NaN") : absl::StrCat(v); };
  return absl::StrCat(r.region, "|", r.node, "|", r.node_position, "|", r.cluster, "|",
                      value(r.score), "|", r.rank, "|", value(r.raw), "|", value(r.normalised), "|",
                      r.imputed, "|", r.tier);
}

class ScoringStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("scoringstore");
    ASSERT_TRUE(url.ok()) << url.status();
    storage::PoolOptions options;
    options.url = RoleUrl(*url, "scoring");
    options.max_size = 2;
    options.search_path = "scoring, public";
    pool_ = std::make_unique<storage::ConnectionPool>(options);
  }

  // Applies the scoring migrations up to `version` (all when 0).
  void Migrate(int version = 0) {
    std::vector<storage::Migration> migrations;
    for (storage::Migration& m : ScoringMigrations()) {
      if (version == 0 || m.version <= version) migrations.push_back(std::move(m));
    }
    auto applied = storage::ApplyMigrations(*pool_, "scoring", migrations);
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  std::vector<std::string> Query(const std::string& sql) {
    std::vector<std::string> out;
    absl::Status s = pool_->WithConnection([&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      for (const auto& row : tx.exec(sql)) out.push_back(row[0].as<std::string>());
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::vector<std::string> ViewRows() {
    return Query(
        "SELECT concat_ws('|', run_id, region, node, node_position, is_cluster, "
        "coalesce(score::text, 'NULL'), coalesce(rank::text, 'NULL'), "
        "coalesce(raw::text, 'NULL'), coalesce(normalised::text, 'NULL'), imputed, "
        "coalesce(tier::text, 'NULL')) "
        "FROM run_results ORDER BY is_cluster, region, node_position");
  }

  // The rows of the store's export in pages of `page_rows`, and each
  // page's size.
  std::vector<std::string> Export(int page_rows, std::vector<size_t>* pages) {
    scoring::ScoringStore store(*pool_, page_rows);
    std::vector<std::string> rows;
    absl::Status s = store.ExportResults("run-a", [&](std::vector<RunResultRow>& page) {
      pages->push_back(page.size());
      for (const RunResultRow& r : page) rows.push_back(Key(r));
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  }

  static scoring::v1::Run MakeRun(const std::string& id) {
    scoring::v1::Run run;
    run.set_id(id);
    run.mutable_spec()->mutable_framework()->set_code("f");
    run.mutable_spec()->set_period(2023);
    return run;
  }

  std::unique_ptr<storage::ConnectionPool> pool_;
};

// The export's rows, hand-ordered as the old table's key did.
std::vector<std::string> ExpectedExport() {
  std::vector<std::string> keys;
  for (const RunResultRow& r : {Row("R1", "index", 0, false, 25.25, 2, kNaN, kNaN, false, 2),
                                Row("R1", "x", 1, false, 60, 1, 1e-300, 60, false, 0),
                                Row("R10", "index", 0, false, kNaN, 0, kNaN, kNaN, false, 0),
                                Row("R10", "x", 1, false, 30, 3, kNaN, kNaN, false, 0),
                                Row("R2", "index", 0, false, 50, 1, kNaN, kNaN, false, 1),
                                Row("R2", "x", 1, false, 40, 2, 7.5, 40, true, 0),
                                Row("C\"1", "index", 0, true, 37.5, 1, kNaN, kNaN, false, 0),
                                Row("C\"1", "x", 1, true, 35, 1, 3.75, 35, false, 0)}) {
    keys.push_back(Key(r));
  }
  return keys;
}

TEST_F(ScoringStoreTest, ViewReturnsTheStoredRowsAndReadsKeepTheirOrder) {
  ASSERT_NO_FATAL_FAILURE(Migrate());
  scoring::ScoringStore store(*pool_);
  auto created = store.InsertRun(MakeRun("run-a"), Rows(), /*draft=*/false);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(*created);
  // One row per regions-or-clusters and node, one region list each.
  EXPECT_THAT(Query("SELECT count(*)::text FROM run_result_columns"), ElementsAre("4"));
  EXPECT_THAT(Query("SELECT regions::text FROM run_result_regions ORDER BY is_cluster"),
              ElementsAre("{R1,R10,R2}", "{\"C\\\"1\"}"));
  EXPECT_THAT(ViewRows(), ElementsAreArray(ExpectedViewRows()));

  // Idempotent: the same id again stores nothing more.
  created = store.InsertRun(MakeRun("run-a"), Rows(), /*draft=*/false);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(*created);
  EXPECT_THAT(ViewRows(), ElementsAreArray(ExpectedViewRows()));

  auto node = store.NodeResults("run-a", "x", /*cluster=*/false);
  ASSERT_TRUE(node.ok()) << node.status();
  std::vector<std::string> keys;
  for (const RunResultRow& r : *node) keys.push_back(Key(r));
  EXPECT_THAT(keys, ElementsAre(Key(Row("R1", "x", 1, false, 60, 1, 1e-300, 60, false, 0)),
                                Key(Row("R10", "x", 1, false, 30, 3, kNaN, kNaN, false, 0)),
                                Key(Row("R2", "x", 1, false, 40, 2, 7.5, 40, true, 0))));

  auto scores = store.Scores("run-a", /*cluster=*/true);
  ASSERT_TRUE(scores.ok()) << scores.status();
  keys.clear();
  for (const RunResultRow& r : *scores) {
    keys.push_back(absl::StrCat(r.region, "|", r.node_position, "|", r.score, "|", r.rank));
  }
  EXPECT_THAT(keys, UnorderedElementsAre("C\"1|0|37.5|1", "C\"1|1|35|1"));

  // Pages of 3 rows cross regions and the step to the clusters, as keyset
  // pages of the relational rows did; one page of everything; pages of 1.
  for (int page_rows : {3, 100, 1}) {
    std::vector<size_t> pages;
    EXPECT_THAT(Export(page_rows, &pages), ElementsAreArray(ExpectedExport())) << page_rows;
    if (page_rows == 3) {
      EXPECT_THAT(pages, ElementsAre(3, 3, 2));
    } else if (page_rows == 100) {
      EXPECT_THAT(pages, ElementsAre(8));
    } else {
      EXPECT_EQ(pages.size(), 8u);
    }
  }
}

TEST_F(ScoringStoreTest, RowsWithoutAFullGridStoreNothing) {
  ASSERT_NO_FATAL_FAILURE(Migrate());
  scoring::ScoringStore store(*pool_);
  std::vector<RunResultRow> rows = Rows();
  rows.erase(rows.begin() + 3);  // R10's leaf
  auto created = store.InsertRun(MakeRun("run-b"), rows, /*draft=*/false);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInternal) << created.status();
  auto run = store.FindRun("run-b");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_FALSE(run->has_value());
  EXPECT_THAT(Query("SELECT count(*)::text FROM run_results"), ElementsAre("0"));
  EXPECT_THAT(Query("SELECT count(*)::text FROM run_result_regions"), ElementsAre("0"));
}

TEST_F(ScoringStoreTest, MigrationMovesRowsOfTheOldTable) {
  ASSERT_NO_FATAL_FAILURE(Migrate(7));
  // The rows as the store wrote them before migration 0008 (one row each).
  absl::Status s = pool_->WithConnection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec(
        "INSERT INTO run_results (run_id, region, node, node_position, is_cluster, score, rank, "
        "raw, normalised, imputed, tier) VALUES "
        "('run-a', 'R2', 'index', 0, false, 50, 1, NULL, NULL, false, 1), "
        "('run-a', 'R2', 'x', 1, false, 40, 2, 7.5, 40, true, NULL), "
        "('run-a', 'R10', 'index', 0, false, NULL, NULL, NULL, NULL, false, NULL), "
        "('run-a', 'R10', 'x', 1, false, 30, 3, NULL, NULL, false, NULL), "
        "('run-a', 'R1', 'index', 0, false, 25.25, 2, NULL, NULL, false, 2), "
        "('run-a', 'R1', 'x', 1, false, 60, 1, 1e-300, 60, false, NULL), "
        "('run-a', 'C\"1', 'index', 0, true, 37.5, 1, NULL, NULL, false, NULL), "
        "('run-a', 'C\"1', 'x', 1, true, 35, 1, 3.75, 35, false, NULL)");
    tx.commit();
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_NO_FATAL_FAILURE(Migrate());
  EXPECT_THAT(Query("SELECT table_type FROM information_schema.tables "
                    "WHERE table_schema = 'scoring' AND table_name = 'run_results'"),
              ElementsAre("VIEW"));
  EXPECT_THAT(ViewRows(), ElementsAreArray(ExpectedViewRows()));
  std::vector<size_t> pages;
  EXPECT_THAT(Export(3, &pages), ElementsAreArray(ExpectedExport()));
}

}  // namespace
}  // namespace innoscope::testing
