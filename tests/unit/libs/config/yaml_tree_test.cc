// The YAML reader of configuration files (libs/config/yaml_tree.h, on
// yaml-cpp): every construct the recompute config uses, read into the
// expected tree with line numbers; YAML errors name their line; anchors,
// aliases, tags, several documents and duplicate keys are refused with it.

#include "libs/config/yaml_tree.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::config {
namespace {

using ::testing::HasSubstr;
using Kind = YamlNode::Kind;

const YamlNode& Get(const YamlNode& node, const std::string& key) {
  const YamlEntry* e = node.Find(key);
  EXPECT_NE(e, nullptr) << "no key " << key;
  static const YamlNode* const kNone = new YamlNode();
  return e == nullptr ? *kNone : e->value;
}

std::string ErrorOf(const std::string& text) {
  absl::StatusOr<YamlNode> node = ParseYamlTree(text);
  EXPECT_FALSE(node.ok()) << "accepted:\n" << text;
  return node.ok() ? "" : std::string(node.status().message());
}

TEST(YamlTreeTest, ReadsTheRecomputeConfigShape) {
  const std::string text =
      "# comment line\n"
      "indices:\n"
      "  - framework: ai_2023   # trailing comment\n"
      "    version: 0\n"
      "    periods: {first: 2014, last: 2022}\n"
      "    clusters: [CN-JJJ, CN-YRD]\n"
      "\n"
      "    uncertainty:\n"
      "      monte_carlo_runs: 0\n"
      "    derived_indicators:\n"
      "      - indicator: tech\n"
      "        anchor: {sample: only, kinds: [enterprise, investor]}\n"
      "        partner: {}\n"
      "  - framework: other\n";
  absl::StatusOr<YamlNode> root = ParseYamlTree(text);
  ASSERT_TRUE(root.ok()) << root.status();
  ASSERT_EQ(root->kind, Kind::kMapping);
  const YamlEntry* indices = root->Find("indices");
  ASSERT_NE(indices, nullptr);
  EXPECT_EQ(indices->line, 2);
  ASSERT_EQ(indices->value.kind, Kind::kList);
  ASSERT_EQ(indices->value.list.size(), 2u);
  const YamlNode& first = indices->value.list[0];
  ASSERT_EQ(first.kind, Kind::kMapping);
  EXPECT_EQ(first.line, 3);
  EXPECT_EQ(Get(first, "framework").scalar, "ai_2023");
  EXPECT_EQ(first.Find("version")->line, 4);
  const YamlNode& periods = Get(first, "periods");
  ASSERT_EQ(periods.kind, Kind::kMapping);
  EXPECT_EQ(Get(periods, "first").scalar, "2014");
  EXPECT_EQ(Get(periods, "last").scalar, "2022");
  const YamlNode& clusters = Get(first, "clusters");
  ASSERT_EQ(clusters.kind, Kind::kList);
  ASSERT_EQ(clusters.list.size(), 2u);
  EXPECT_EQ(clusters.list[1].scalar, "CN-YRD");
  EXPECT_EQ(Get(Get(first, "uncertainty"), "monte_carlo_runs").scalar, "0");
  const YamlNode& rules = Get(first, "derived_indicators");
  ASSERT_EQ(rules.list.size(), 1u);
  EXPECT_EQ(rules.list[0].line, 11);
  const YamlNode& anchor = Get(rules.list[0], "anchor");
  EXPECT_EQ(Get(anchor, "sample").scalar, "only");
  ASSERT_EQ(Get(anchor, "kinds").list.size(), 2u);
  EXPECT_EQ(Get(anchor, "kinds").list[1].scalar, "investor");
  const YamlNode& partner = Get(rules.list[0], "partner");
  EXPECT_EQ(partner.kind, Kind::kMapping);
  EXPECT_TRUE(partner.mapping.empty());
  EXPECT_EQ(Get(indices->value.list[1], "framework").scalar, "other");
  EXPECT_EQ(indices->value.list[1].line, 14);
}

TEST(YamlTreeTest, ListUnderAKeyMayBeIndentedLikeTheKey) {
  absl::StatusOr<YamlNode> root = ParseYamlTree("a:\n- x\n- y: 1\n  z: 2\nb: 3\n");
  ASSERT_TRUE(root.ok()) << root.status();
  const YamlNode& a = Get(*root, "a");
  ASSERT_EQ(a.list.size(), 2u);
  EXPECT_EQ(a.list[0].scalar, "x");
  EXPECT_EQ(Get(a.list[1], "z").scalar, "2");
  EXPECT_EQ(Get(*root, "b").scalar, "3");
}

TEST(YamlTreeTest, QuotedScalarsKeepHashesColonsAndEscapes) {
  absl::StatusOr<YamlNode> root = ParseYamlTree(
      "a: 'it''s # not a comment'\n"
      "b: \"tab\\there: \\\"q\\\" \\\\\"\n"
      "c: Beijing's plan # a comment after an apostrophe\n"
      "d: http://host:9091/x\n"
      "e: {'k: 1': \"v, w\"}\n"
      "f:\n"
      "\"g h\": 1\n");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(Get(*root, "a").scalar, "it's # not a comment");
  EXPECT_TRUE(Get(*root, "a").quoted);
  EXPECT_EQ(Get(*root, "b").scalar, "tab\there: \"q\" \\");
  EXPECT_EQ(Get(*root, "c").scalar, "Beijing's plan");
  EXPECT_FALSE(Get(*root, "c").quoted);
  EXPECT_EQ(Get(*root, "d").scalar, "http://host:9091/x");
  EXPECT_EQ(Get(Get(*root, "e"), "k: 1").scalar, "v, w");
  EXPECT_EQ(Get(*root, "f").kind, Kind::kNull);
  EXPECT_EQ(Get(*root, "g h").scalar, "1");
}

TEST(YamlTreeTest, EmptyDocumentsAndTheDocumentMarker) {
  absl::StatusOr<YamlNode> empty = ParseYamlTree("# only a comment\n\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->kind, Kind::kNull);
  absl::StatusOr<YamlNode> marked = ParseYamlTree("---\na: 1\r\n");
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_EQ(Get(*marked, "a").scalar, "1");
}

TEST(YamlTreeTest, NullsAndWhatYamlReadsBeyondTheOldSubset) {
  absl::StatusOr<YamlNode> root = ParseYamlTree(
      "a: {b: 1,\n  c: 2}\n"  // a flow mapping over two lines
      "d: [x,\n  y]\n"
      "e: |\n  text\n"  // block scalars are text, never numbers
      "f: 'two\n  lines'\n"
      "g: null\n"
      "h: ~\n"
      "i: 'null'\n"
      "j: ''\n"
      "...\n");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(Get(Get(*root, "a"), "c").scalar, "2");
  EXPECT_EQ(Get(Get(*root, "a"), "c").line, 2);
  ASSERT_EQ(Get(*root, "d").list.size(), 2u);
  EXPECT_EQ(Get(*root, "d").list[1].line, 4);
  EXPECT_EQ(Get(*root, "e").scalar, "text\n");
  EXPECT_TRUE(Get(*root, "e").quoted);
  EXPECT_EQ(Get(*root, "f").scalar, "two lines");
  EXPECT_EQ(Get(*root, "g").kind, Kind::kNull);
  EXPECT_EQ(Get(*root, "g").line, 9);
  EXPECT_EQ(Get(*root, "h").kind, Kind::kNull);
  EXPECT_EQ(Get(*root, "i").scalar, "null");
  EXPECT_TRUE(Get(*root, "i").quoted);
  EXPECT_EQ(Get(*root, "j").kind, Kind::kScalar);
  EXPECT_EQ(Get(*root, "j").scalar, "");
  // A BOM is skipped and line numbers still count from the first line.
  absl::StatusOr<YamlNode> bom = ParseYamlTree("\xEF\xBB\xBFx: 'a'\ny: \"b\n");
  ASSERT_FALSE(bom.ok());
  EXPECT_EQ(bom.status().message(), "line 2: unterminated double-quoted string");
}

TEST(YamlTreeTest, ErrorsNameTheLine) {
  // Syntax errors are yaml-cpp's messages at its mark's line.
  EXPECT_EQ(ErrorOf("a: 1\n\tb: 2\n"),
            "line 2: not valid YAML (column 1): illegal tab when looking for indentation");
  EXPECT_EQ(ErrorOf("a:\n  b: 1\n   c: 2\n"),
            "line 3: not valid YAML (column 5): illegal map value");
  EXPECT_EQ(ErrorOf("a: 1\nb: 2\na: 3\n"), "line 3: duplicate key 'a' (first on line 1)");
  EXPECT_EQ(ErrorOf("a:\n  - b: 1\n    b: 2\n"), "line 3: duplicate key 'b' (first on line 2)");
  EXPECT_EQ(ErrorOf("a: {b: 1, b: 2}\n"), "line 1: duplicate key 'b' (first on line 1)");
  EXPECT_EQ(ErrorOf("a: 'open\n"), "line 1: unterminated single-quoted string");
  // yaml-cpp 0.7 would read an unclosed quote to the end of the file.
  EXPECT_EQ(ErrorOf("a: \"open\nb: 2\n"), "line 1: unterminated double-quoted string");
  EXPECT_EQ(ErrorOf("a: [1, 2\n"),
            "line 1: '[' is never closed (not valid YAML: end of sequence flow not found at line "
            "2)");
  EXPECT_EQ(ErrorOf("x: 1\na: {b: [1],\n  c: 2\n"),
            "line 2: '{' is never closed (not valid YAML: end of map flow not found at line 4)");
  EXPECT_EQ(ErrorOf("a: 1\nb: c: d\n"), "line 2: not valid YAML (column 5): illegal map value");
  EXPECT_EQ(ErrorOf("a:\n  - 1\n  b: 2\n"),
            "line 3: not valid YAML (column 3): end of map not found");
  EXPECT_EQ(ErrorOf("a: 1\n- b\n"), "line 2: not valid YAML (column 1): end of map not found");
  EXPECT_EQ(ErrorOf("a: \"\\q\"\n"),
            "line 1: not valid YAML (column 7): unknown escape character: q");
  EXPECT_EQ(ErrorOf("a: 1\n---\nb: 2\n"), "line 2: several documents ('---') are not supported");
  EXPECT_EQ(ErrorOf("a: {b: 1} extra\n"),
            "line 1: not valid YAML (column 11): end of map not found");
  EXPECT_EQ(ErrorOf("? [a, b]\n: 1\n"),
            "line 1: a mapping key must be a single value, not a list or a mapping");
}

TEST(YamlTreeTest, AnchorsAliasesAndTagsAreRefused) {
  EXPECT_THAT(ErrorOf("a: &x 1\n"), HasSubstr("line 1: anchors (&) are not supported"));
  EXPECT_THAT(ErrorOf("a: &x 1\nb: *x\n"), HasSubstr("line 1: anchors (&) are not supported"));
  EXPECT_THAT(ErrorOf("a: 1\nb: *x\n"), HasSubstr("line 2: aliases (*) are not supported"));
  EXPECT_THAT(ErrorOf("a: !!str 1\n"), HasSubstr("line 1: tags (!) are not supported"));
  EXPECT_THAT(ErrorOf("a: 1\nb: !!map {c: 1}\n"), HasSubstr("line 2: tags (!) are not supported"));
  EXPECT_THAT(ErrorOf("a: !local x\n"), HasSubstr("line 1: tags (!) are not supported"));
  EXPECT_THAT(ErrorOf("a: [*x]\n"), HasSubstr("line 1: aliases (*)"));
}

TEST(YamlTreeTest, DeepNestingIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseYamlTree("a: " + std::string(100000, '[')).ok());
  EXPECT_FALSE(ParseYamlTree("a: " + std::string(100000, '{')).ok());
  std::string deep = "a:\n";
  for (int i = 0; i < 3000; ++i) deep += std::string(i, ' ') + "- \n";
  ParseYamlTree(deep).IgnoreError();  // yaml-cpp's depth guard, or a tree
}

}  // namespace
}  // namespace innoscope::config
