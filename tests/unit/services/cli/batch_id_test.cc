#include "services/cli/batch_id.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::cli {
namespace {

// Reference values of FNV-1a 128 from the FNV authors' test suite
// (http://www.isthe.com/chongo/src/fnv/test_fnv.c, fnv1a_128 vectors).
TEST(BatchHasherTest, MatchesPublishedFnv1a128Vectors) {
  BatchHasher empty;
  EXPECT_EQ(empty.Hex(), "6c62272e07bb014262b821756295c58d");
  BatchHasher a;
  a.AddBytes("a");
  EXPECT_EQ(a.Hex(), "d228cb696f1a8caf78912b704e4a8964");
  BatchHasher foobar;
  foobar.AddBytes("foobar");
  EXPECT_EQ(foobar.Hex(), "343e1662793c64bf6f0d3597ba446f18");
}

TEST(BatchHasherTest, StringsAreLengthPrefixed) {
  BatchHasher x, y;
  x.AddString("ab");
  x.AddString("c");
  y.AddString("a");
  y.AddString("bc");
  EXPECT_NE(x.Hex(), y.Hex());
}

TEST(BatchHasherTest, DoublesHashTheirBitPattern) {
  BatchHasher zero, negative_zero, same;
  zero.AddDouble(0.0);
  negative_zero.AddDouble(-0.0);
  same.AddDouble(0.0);
  EXPECT_NE(zero.Hex(), negative_zero.Hex());
  EXPECT_EQ(zero.Hex(), same.Hex());
  BatchHasher absent, present;
  absent.AddOptionalDouble(false, 0);
  present.AddOptionalDouble(true, 0);
  EXPECT_NE(absent.Hex(), present.Hex());
}

TEST(BatchHasherTest, BatchIdIsPrefixAndDigest) {
  BatchHasher h;
  h.AddString("observations");
  const std::string id = h.BatchId("obs");
  EXPECT_EQ(id, "obs-" + h.Hex());
  EXPECT_EQ(id.size(), 36u);
}

}  // namespace
}  // namespace innoscope::cli
