// storage::CopyWriter against a real PostgreSQL: every field kind and every
// character the text COPY format escapes reads back as written, across
// many chunks; a refused row surfaces as libpqxx's exception and nothing of
// the COPY stays.

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/storage/copy_writer.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

class CopyWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    auto url = pg_->CreateDatabase("copy");
    ASSERT_TRUE(url.ok()) << url.status();
    connection_ = std::make_unique<pqxx::connection>(*url);
    pqxx::work tx(*connection_);
    tx.exec(
        "CREATE TABLE t (id integer PRIMARY KEY, label text NOT NULL, big bigint, "
        "flag boolean, x double precision, maybe text)");
    tx.commit();
  }

  std::unique_ptr<PostgresServer> pg_;
  std::unique_ptr<pqxx::connection> connection_;
};

// Text with each escaped byte (backslash, tab, newline, carriage return)
// alone, doubled and at either end, PostgreSQL's own NULL marker as text,
// multi-byte UTF-8 and the empty string; 3,000 rows in chunks of 64 bytes,
// so rows are split across chunks. Expected: the input itself.
TEST_F(CopyWriterTest, EveryFieldReadsBackAsWrittenAcrossChunks) {
  const std::vector<std::string> labels = {
      "plain",       "back\\slash", "\\",     "\\\\N", "\\N",   "tab\there",    "\t\t",
      "line\nbreak", "\r\n",        "长三角", "",      "end\\", "x\ty\nz\rw\\v"};
  const double values[] = {0.1, -0.0, 1e-300, 123456789.12345678, -2.5e17};
  constexpr int kRows = 3000;
  {
    pqxx::work tx(*connection_);
    storage::CopyWriter copy(tx, "t", {"id", "label", "big", "flag", "x", "maybe"}, 64);
    for (int i = 0; i < kRows; ++i) {
      const std::string& label = labels[i % labels.size()];
      const std::optional<std::string> maybe =
          i % 3 == 0 ? std::nullopt : std::optional<std::string>(label + "?");
      if (i % 2 == 0) {
        copy.Int(i).Text(label).Int(int64_t{1} << 40 | i).Bool(i % 4 == 0).Double(values[i % 5]);
        copy.Optional(maybe).EndRow();
      } else {
        copy.Row(std::make_tuple(i, label, int64_t{1} << 40 | i, i % 4 == 0,
                                 std::to_string(values[i % 5]), maybe));
      }
    }
    copy.Complete();
    tx.commit();
  }
  pqxx::work tx(*connection_);
  const pqxx::result rows =
      tx.exec("SELECT id, label, big, flag, float8send(x), maybe FROM t ORDER BY id");
  ASSERT_EQ(rows.size(), static_cast<size_t>(kRows));
  for (int i = 0; i < kRows; ++i) {
    const pqxx::row row = rows[i];
    const std::string& label = labels[i % labels.size()];
    EXPECT_EQ(row[0].as<int>(), i);
    EXPECT_EQ(row[1].as<std::string>(), label) << i;
    EXPECT_EQ(row[2].as<int64_t>(), int64_t{1} << 40 | i);
    EXPECT_EQ(row[3].as<bool>(), i % 4 == 0);
    // Even rows: the double's exact bits; odd rows wrote std::to_string's text.
    const double expected = i % 2 == 0 ? values[i % 5] : std::stod(std::to_string(values[i % 5]));
    const pqxx::binarystring bits(row[4]);
    uint64_t stored = 0;
    for (size_t b = 0; b < bits.size(); ++b) stored = stored << 8 | bits[b];
    uint64_t want = 0;
    std::memcpy(&want, &expected, sizeof(want));
    EXPECT_EQ(stored, want) << i;
    if (i % 3 == 0) {
      EXPECT_TRUE(row[5].is_null()) << i;
    } else {
      EXPECT_EQ(row[5].as<std::string>(), label + "?") << i;
    }
  }
}

// A row the table refuses (a repeated primary key, 2,000 rows after the
// first) fails the COPY with pqxx::unique_violation; the transaction keeps
// nothing of it.
TEST_F(CopyWriterTest, ARefusedRowFailsTheWholeCopy) {
  {
    pqxx::work tx(*connection_);
    EXPECT_THROW(
        {
          storage::CopyWriter copy(tx, "t", {"id", "label"}, 256);
          for (int i = 0; i < 2000; ++i) copy.Int(i).Text("a").EndRow();
          copy.Int(7).Text("again").EndRow();
          copy.Complete();
        },
        pqxx::unique_violation);
  }
  pqxx::work tx(*connection_);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM t")[0].as<int>(), 0);
}

}  // namespace
}  // namespace innoscope::testing
