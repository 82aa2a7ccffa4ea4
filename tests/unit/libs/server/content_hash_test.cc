// Content-derived ids: FNV-1a against the published test vectors, and
// stability of the protobuf encoding they hash.

#include "libs/server/content_hash.h"

#include "gtest/gtest.h"
#include "innoscope/common/v1/common.pb.h"

namespace innoscope::server {
namespace {

TEST(ContentHashTest, Fnv1aMatchesThePublishedVectors) {
  // http://www.isthe.com/chongo/tech/comp/fnv/ : FNV-1a 64 of "" is the
  // offset basis, of "a" 0xaf63dc4c8601ec8c, of "foobar" 0x85944171f73967e8.
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(ContentHashTest, HashesTheDeterministicEncodingAndTheSuffix) {
  common::v1::DataVersion empty;
  EXPECT_EQ(DeterministicBytes(empty), "");
  EXPECT_EQ(ContentHashHex(empty), "cbf29ce484222325");
  EXPECT_EQ(ContentHashHex(empty, "a"), "af63dc4c8601ec8c");
  common::v1::DataVersion v;
  v.set_scope("relations:default");
  v.set_version(3);
  common::v1::DataVersion same = v;
  EXPECT_EQ(ContentHashHex(v), ContentHashHex(same));
  same.set_version(4);
  EXPECT_NE(ContentHashHex(v), ContentHashHex(same));
  EXPECT_EQ(ContentHashHex(v).size(), 16u);
}

}  // namespace
}  // namespace innoscope::server
