#include "libs/graph/readers.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "libs/graph/random.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/graph/graph_test_util.h"

namespace innoscope::graph {
namespace {

using ::innoscope::graph::testing::NetworksDir;
using ::innoscope::graph::testing::ReadFileToString;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

// ---------------------------------------------------------------------------
// CSV

TEST(CsvReaderTest, ReadsHeaderQuotingWeightsAndCrlf) {
  const std::string text =
      "\xEF\xBB\xBFSource,Target,Weight,Type\r\n"
      "\"Beijing, CN\",Shanghai,2.5,x\r\n"
      "\r\n"
      "Shanghai,\"Shen\"\"zhen\",1,y\r\n"
      "\"Beijing, CN\",Shanghai,0.5,z\r\n";
  ReadOptions options;
  options.directed = true;
  ASSERT_OK_AND_ASSIGN(GraphFile file, ParseCsvEdgeList(text, options));
  const Graph& g = file.graph;
  EXPECT_TRUE(g.directed());
  EXPECT_TRUE(g.weighted());
  EXPECT_EQ(g.NumNodes(), 3);
  ASSERT_EQ(g.NumEdges(), 2);  // the repeated edge is merged (Gephi default)
  EXPECT_EQ(g.NodeKey(0), "Beijing, CN");
  EXPECT_EQ(g.NodeKey(2), "Shen\"zhen");
  EXPECT_EQ(g.Edges()[0].weight, 3.0);
}

TEST(CsvReaderTest, EdgeListsAreUndirectedUnlessAsked) {
  ASSERT_OK_AND_ASSIGN(GraphFile file, ParseCsvEdgeList("target,source\na,b\n"));
  EXPECT_FALSE(file.graph.directed());
  EXPECT_FALSE(file.graph.weighted());
  // Columns are found by name: the first row's edge runs b -> a.
  EXPECT_EQ(file.graph.NodeKey(0), "b");
}

TEST(CsvReaderTest, ErrorsNameTheLine) {
  EXPECT_THAT(ParseCsvEdgeList("from,to\na,b\n"),
              StatusIs(kInvalid, HasSubstr("line 1: header must name")));
  EXPECT_THAT(ParseCsvEdgeList("source,target\na,b\n\na,b,c\n"),
              StatusIs(kInvalid, HasSubstr("line 4: expected 2 fields, found 3")));
  EXPECT_THAT(ParseCsvEdgeList("source,target,weight\na,b,1\nb,c,heavy\n"),
              StatusIs(kInvalid, HasSubstr("line 3: weight 'heavy'")));
  EXPECT_THAT(ParseCsvEdgeList("source,target\n\"a,b\n"),
              StatusIs(kInvalid, HasSubstr("line 2: unterminated quoted field")));
  EXPECT_THAT(ParseCsvEdgeList("source,target\na,\n"),
              StatusIs(kInvalid, HasSubstr("line 2: empty source or target")));
  EXPECT_THAT(ParseCsvEdgeList(""), StatusIs(kInvalid, HasSubstr("missing header")));
  EXPECT_THAT(ParseCsvEdgeList("source,target,weight\na,b,inf\n"),
              StatusIs(kInvalid, HasSubstr("line 2")));
}

// ---------------------------------------------------------------------------
// SNAP

TEST(SnapReaderTest, SkipsCommentsAndReadsOptionalWeights) {
  const std::string text =
      "# Directed graph: toy\n"
      "# FromNodeId\tToNodeId\n"
      "1\t2\n"
      "2 3 0.5  # trailing comment\n"
      "\n"
      "3\t3\n";
  ASSERT_OK_AND_ASSIGN(GraphFile file, ParseSnapEdgeList(text));
  EXPECT_EQ(file.graph.NumNodes(), 3);
  EXPECT_EQ(file.graph.NumEdges(), 3);
  EXPECT_EQ(file.graph.NumSelfLoops(), 1);
  EXPECT_TRUE(file.graph.weighted());
  EXPECT_EQ(file.graph.Edges()[0].weight, 1.0);  // lines without a weight: 1
}

TEST(SnapReaderTest, ErrorsNameTheLine) {
  EXPECT_THAT(ParseSnapEdgeList("1 2\n3\n"),
              StatusIs(kInvalid, HasSubstr("line 2: expected 'source target [weight]'")));
  EXPECT_THAT(ParseSnapEdgeList("1 2\n2 3 x\n"), StatusIs(kInvalid, HasSubstr("line 2")));
}

// ---------------------------------------------------------------------------
// GML

TEST(GmlReaderTest, ReadsNodesEdgesAttributesAndSkipsNestedLists) {
  const std::string text = R"(Creator "test"
graph
[
  directed 1
  node [ id 1 label "Alpha &amp; Co" value 3 graphics [ x 1.0 y [ 2 ] ] ]
  node
  [
    id 2
    value 7
  ]
  edge [ source 1 target 2 value 2.0 ]
  edge [ source 2 target 3 weight 4 value 9 ]
  node [ id 3 ]
]
)";
  ASSERT_OK_AND_ASSIGN(GraphFile file, ParseGml(text));
  const Graph& g = file.graph;
  EXPECT_TRUE(g.directed());
  EXPECT_EQ(g.NumNodes(), 3);
  EXPECT_EQ(g.NodeLabel(0), "Alpha & Co");
  // "weight" wins over "value".
  EXPECT_EQ(g.Edges()[1].weight, 4.0);
  // Node 3 is named by an edge before it is declared.
  EXPECT_EQ(g.FindNode("3"), 2);
  const std::vector<std::string>* value = file.node_attributes.Find("value");
  ASSERT_NE(value, nullptr);
  EXPECT_THAT(*value, ElementsAre("3", "7", ""));
}

TEST(GmlReaderTest, ErrorsNameTheLine) {
  EXPECT_THAT(ParseGml("graph [\n node [ id 1 ]\n edge [ source 1 ]\n]"),
              StatusIs(kInvalid, HasSubstr("line 3: edge without target")));
  EXPECT_THAT(ParseGml("graph [\n node [ label \"x\" ]\n]"),
              StatusIs(kInvalid, HasSubstr("line 2: node without id")));
  EXPECT_THAT(ParseGml("graph [\n node [ id 1 ]\n node [ id 1 ]\n]"),
              StatusIs(kInvalid, HasSubstr("line 3: duplicate node id '1'")));
  EXPECT_THAT(ParseGml("graph [\n node [ id 1 label \"x ]\n]"),
              StatusIs(kInvalid, HasSubstr("line 2: unterminated string")));
  EXPECT_THAT(ParseGml("graph [\n edge [ source 1 target 2 weight w ]\n]"),
              StatusIs(kInvalid, HasSubstr("line 2: weight 'w'")));
  EXPECT_THAT(ParseGml("graph [ node [ id 1 ]"), StatusIs(kInvalid, HasSubstr("unterminated")));
  EXPECT_THAT(ParseGml("nodes 3"), StatusIs(kInvalid, HasSubstr("no 'graph")));
  ReadOptions strict;
  strict.create_missing_nodes = false;
  EXPECT_THAT(ParseGml("graph [\n node [ id 1 ]\n edge [ source 1 target 9 ]\n]", strict),
              StatusIs(kInvalid, HasSubstr("line 3: edge refers to undeclared node '9'")));
}

// ---------------------------------------------------------------------------
// GEXF

TEST(GexfReaderTest, ReadsAttributesDefaultsWeightsAndDirection) {
  const std::string text = R"(<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3" xmlns:viz="http://gexf.net/1.3/viz">
  <!-- a comment <node id="x"/> -->
  <graph defaultedgetype="directed" mode="static">
    <attributes class="node" mode="static">
      <attribute id="province" title="Province" type="string">
        <default>unknown</default>
      </attribute>
    </attributes>
    <attributes class="edge"><attribute id="kind" title="Kind" type="string"/></attributes>
    <nodes>
      <node id="a" label="Firm &lt;A&gt;">
        <attvalues><attvalue for="province" value="Beijing"/></attvalues>
        <viz:size value="3.0"/>
      </node>
      <node id="b" label='Firm B'/>
    </nodes>
    <edges>
      <edge id="0" source="a" target="b" weight="2.5">
        <attvalues><attvalue for="kind" value="investment"/></attvalues>
      </edge>
      <edge id="1" source="b" target="a" type="directed"/>
    </edges>
  </graph>
</gexf>)";
  ASSERT_OK_AND_ASSIGN(GraphFile file, ParseGexf(text));
  const Graph& g = file.graph;
  EXPECT_TRUE(g.directed());
  EXPECT_EQ(g.NumEdges(), 2);
  EXPECT_EQ(g.NodeLabel(0), "Firm <A>");
  EXPECT_EQ(g.NodeLabel(1), "Firm B");
  EXPECT_EQ(g.Edges()[0].weight, 2.5);
  EXPECT_EQ(g.Edges()[1].weight, 1.0);
  const std::vector<std::string>* province = file.node_attributes.Find("province");
  ASSERT_NE(province, nullptr);
  EXPECT_THAT(*province, ElementsAre("Beijing", "unknown"));
  EXPECT_EQ(file.node_attributes.Find("kind"), nullptr);  // edge attribute
}

TEST(GexfReaderTest, ErrorsNameTheLine) {
  EXPECT_THAT(ParseGexf("<gexf>\n<graph>\n<nodes>\n<node "
                        "label=\"x\"/>\n</nodes></graph></gexf>"),
              StatusIs(kInvalid, HasSubstr("line 4: <node> without id")));
  EXPECT_THAT(ParseGexf("<gexf><graph defaultedgetype=\"undirected\">\n"
                        "<edges><edge source=\"a\" target=\"b\" type=\"directed\"/>"
                        "</edges></graph></gexf>"),
              StatusIs(kInvalid, HasSubstr("line 2: mixed")));
  EXPECT_THAT(ParseGexf("<gexf><graph>\n<nodes>\n</graph></gexf>"),
              StatusIs(kInvalid, HasSubstr("line 3: unexpected </graph>")));
  EXPECT_THAT(ParseGexf("<gexf><graph>\n<edges><edge source=\"a\" target=\"b\" weight=\"x\"/>"
                        "</edges></graph></gexf>"),
              StatusIs(kInvalid, HasSubstr("line 2: weight 'x'")));
  EXPECT_THAT(ParseGexf("<gexf>\n<graph><nodes><node id=\"a\"></nodes>"),
              StatusIs(kInvalid, HasSubstr("line 2")));
  EXPECT_THAT(ParseGexf("<gexf></gexf>"), StatusIs(kInvalid, HasSubstr("no <graph>")));
}

// ---------------------------------------------------------------------------
// GraphML

TEST(GraphmlReaderTest, ReadsKeysDataDefaultsAndWeights) {
  const std::string text = R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="partition" attr.type="int"><default>-1</default></key>
  <key id="d1" for="edge" attr.name="weight" attr.type="double"><default>1.5</default></key>
  <key id="g" for="graph" attr.name="dl" attr.type="float"/>
  <graph id="G" edgedefault="undirected">
    <data key="g">3.0</data>
    <node id="n0"><data key="d0">4</data></node>
    <node id="n1"/>
    <node id="n2"><data key="d0"><![CDATA[7]]></data></node>
    <edge source="n0" target="n1"><data key="d1">3</data></edge>
    <edge source="n1" target="n2"/>
  </graph>
</graphml>)";
  ASSERT_OK_AND_ASSIGN(GraphFile file, ParseGraphml(text));
  const Graph& g = file.graph;
  EXPECT_FALSE(g.directed());
  ASSERT_EQ(g.NumEdges(), 2);
  EXPECT_EQ(g.Edges()[0].weight, 3.0);
  EXPECT_EQ(g.Edges()[1].weight, 1.5);  // the key's default
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> partition,
                       file.node_attributes.AsIntegers("partition"));
  EXPECT_THAT(partition, ElementsAre(4, -1, 7));
}

TEST(GraphmlReaderTest, ErrorsNameTheLine) {
  EXPECT_THAT(ParseGraphml("<graphml>\n<graph edgedefault=\"directed\">\n"
                           "<edge source=\"a\" target=\"b\" directed=\"false\"/>\n"
                           "</graph></graphml>"),
              StatusIs(kInvalid, HasSubstr("line 3: mixed")));
  EXPECT_THAT(ParseGraphml("<graphml>\n<graph>\n<node/>\n</graph></graphml>"),
              StatusIs(kInvalid, HasSubstr("line 3: <node> without id")));
  EXPECT_THAT(ParseGraphml("<graphml><graph>\n<node id=\"a\" x=1/></graph></graphml>"),
              StatusIs(kInvalid, HasSubstr("GraphML line 2: not valid XML: error parsing "
                                           "element attribute (column 16)")));
}

// The XML is pugixml's: entities a DOCTYPE declares are never expanded (no
// "billion laughs"), and any nesting is read without recursion.
TEST(XmlReadersTest, DoctypeEntitiesStayVerbatimAndDeepNestingIsSafe) {
  ASSERT_OK_AND_ASSIGN(GraphFile file,
                       ParseGexf("<?xml version=\"1.0\"?>\n<!DOCTYPE gexf [\n"
                                 "<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;\">\n]>\n"
                                 "<gexf><graph><nodes><node id=\"n\" label=\"&b; &amp; &#x4e2d;\"/>"
                                 "</nodes></graph></gexf>"));
  EXPECT_EQ(file.graph.NodeLabel(0), "&b; & \xe4\xb8\xad");
  const int depth = 200000;
  std::string deep = "<gexf>";
  for (int i = 0; i < depth; ++i) deep += "<x>";
  for (int i = 0; i < depth; ++i) deep += "</x>";
  deep += "</gexf>";
  EXPECT_THAT(ParseGexf(deep), StatusIs(kInvalid, HasSubstr("no <graph>")));
  EXPECT_THAT(ParseGraphml(deep.substr(0, deep.size() / 2)),
              StatusIs(kInvalid, HasSubstr("GraphML line 1: not valid XML")));
}

TEST(NodeAttributesTest, AsIntegersNamesTheOffendingNode) {
  ASSERT_OK_AND_ASSIGN(GraphFile file,
                       ParseGraphml("<graphml><key id=\"k\" for=\"node\" attr.name=\"c\"/>"
                                    "<graph><node id=\"a\"><data key=\"k\">2.0</data></node>"
                                    "<node id=\"b\"><data key=\"k\">x</data></node>"
                                    "</graph></graphml>"));
  EXPECT_THAT(file.node_attributes.AsIntegers("c"),
              StatusIs(kInvalid, HasSubstr("node 1: attribute 'c' value 'x'")));
  EXPECT_THAT(file.node_attributes.AsIntegers("missing"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
}

TEST(ReadGraphFileTest, DispatchesOnExtensionAndReportsMissingFiles) {
  EXPECT_EQ(FormatFromPath("x/net.GEXF"), GraphFormat::kGexf);
  EXPECT_EQ(FormatFromPath("ca-GrQc.txt"), GraphFormat::kSnapEdgeList);
  EXPECT_EQ(FormatFromPath("flows.csv"), GraphFormat::kCsvEdgeList);
  EXPECT_EQ(FormatFromPath("a.graphml"), GraphFormat::kGraphml);
  EXPECT_EQ(FormatFromPath("a.gml"), GraphFormat::kGml);
  EXPECT_EQ(FormatFromPath("a.json"), std::nullopt);
  EXPECT_THAT(ReadGraphFile("/nonexistent/net.gml"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/net.gml")));
  EXPECT_THAT(ReadGraphFile("net.xlsx"), StatusIs(kInvalid, HasSubstr("extension")));
}

// ---------------------------------------------------------------------------
// Robustness: truncated and corrupted input never crashes.

void ParseMutations(const std::string& text, GraphFormat format, int truncations, int flips) {
  SplitMix64 rng(42);
  for (int i = 0; i <= truncations; ++i) {
    const size_t length = text.size() * static_cast<size_t>(i) / static_cast<size_t>(truncations);
    (void)ParseGraph(text.substr(0, length), format);
  }
  static constexpr char kNasty[] = {'<', '>',  '"', '\'', '[', ']',  '&',    ';',
                                    ',', '\n', '#', '/',  '=', '\0', '\xff', ' '};
  for (int i = 0; i < flips; ++i) {
    std::string mutated = text;
    for (int j = 0; j < 4 && !mutated.empty(); ++j) {
      mutated[rng.Uniform(mutated.size())] = kNasty[rng.Uniform(sizeof(kNasty))];
    }
    (void)ParseGraph(mutated, format);
  }
}

TEST(ReaderRobustnessTest, InlineSamplesSurviveTruncationAndCorruption) {
  ParseMutations("source,target,weight\n\"a\",b,1\nb,c,2\n", GraphFormat::kCsvEdgeList, 40, 300);
  ParseMutations("# c\n1 2 3\n2 3\n", GraphFormat::kSnapEdgeList, 20, 300);
  ParseMutations(
      "graph [ directed 1 node [ id 1 label \"a\" graphics [ x 1 ] ] "
      "edge [ source 1 target 2 value 3 ] ]",
      GraphFormat::kGml, 60, 300);
  ParseMutations(
      "<gexf><graph defaultedgetype=\"directed\"><attributes class=\"node\">"
      "<attribute id=\"p\"><default>x</default></attribute></attributes><nodes>"
      "<node id=\"a\" label=\"A\"><attvalues><attvalue for=\"p\" value=\"1\"/>"
      "</attvalues></node></nodes><edges><edge source=\"a\" target=\"b\" "
      "weight=\"2\"/></edges></graph></gexf>",
      GraphFormat::kGexf, 120, 500);
  ParseMutations(
      "<graphml><key id=\"w\" for=\"edge\" attr.name=\"weight\"><default>1"
      "</default></key><graph edgedefault=\"undirected\"><node id=\"a\"><data "
      "key=\"w\">2</data></node><edge source=\"a\" target=\"b\"><data "
      "key=\"w\">"
      "<![CDATA[3]]></data></edge></graph></graphml>",
      GraphFormat::kGraphml, 120, 500);
}

TEST(ReaderRobustnessTest, SharedDatasetsSurviveTruncationAndCorruption) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  for (const char* name : {"karate.gml", "les_miserables.gexf", "football.graphml",
                           "java_dependencies.gexf", "ca-GrQc-lcc.txt"}) {
    const std::string text = ReadFileToString(NetworksDir(shared) + name);
    ASSERT_FALSE(text.empty()) << name;
    ParseMutations(text, *FormatFromPath(name), 25, 10);
  }
}

// ---------------------------------------------------------------------------
// The shared reference networks, with the default (Gephi import) options.

TEST(SharedDatasetsTest, ReadWithTheDocumentedSizesAndAttributes) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  struct Expected {
    const char* name;
    NodeId nodes;
    int64_t edges;
    bool directed;
  };
  // Sizes from datasets/README.md; ca-GrQc keeps its 6 self-loops here.
  for (const Expected& e :
       {Expected{"karate.gml", 34, 78, false}, Expected{"les_miserables.gexf", 77, 254, false},
        Expected{"football.graphml", 115, 613, false},
        Expected{"power_grid.gml", 4941, 6594, false},
        Expected{"us_airports.gexf", 235, 1297, false},
        Expected{"java_dependencies.gexf", 1538, 8032, true},
        Expected{"ca-GrQc-lcc.txt", 4158, 13428, false}}) {
    ASSERT_OK_AND_ASSIGN(GraphFile file, ReadGraphFile(NetworksDir(shared) + e.name));
    EXPECT_EQ(file.graph.NumNodes(), e.nodes) << e.name;
    EXPECT_EQ(file.graph.NumEdges(), e.edges) << e.name;
    EXPECT_EQ(file.graph.directed(), e.directed) << e.name;
  }
  ASSERT_OK_AND_ASSIGN(GraphFile karate, ReadGraphFile(NetworksDir(shared) + "karate.gml"));
  EXPECT_EQ(karate.graph.NodeLabel(*karate.graph.FindNode("34")), "34");

  ASSERT_OK_AND_ASSIGN(GraphFile les, ReadGraphFile(NetworksDir(shared) + "les_miserables.gexf"));
  EXPECT_EQ(les.graph.NodeLabel(0), "Myriel");
  EXPECT_TRUE(les.graph.weighted());
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> classes,
                       les.node_attributes.AsIntegers("modularity_class"));
  EXPECT_EQ(*std::max_element(classes.begin(), classes.end()), 8);  // 9 classes

  ASSERT_OK_AND_ASSIGN(GraphFile football, ReadGraphFile(NetworksDir(shared) + "football.graphml"));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> conference,
                       football.node_attributes.AsIntegers("partition"));
  std::sort(conference.begin(), conference.end());
  conference.erase(std::unique(conference.begin(), conference.end()), conference.end());
  EXPECT_EQ(conference.size(), 12u);

  ASSERT_OK_AND_ASSIGN(GraphFile airports, ReadGraphFile(NetworksDir(shared) + "us_airports.gexf"));
  const std::vector<std::string>* city = airports.node_attributes.Find("city");
  ASSERT_NE(city, nullptr);
  EXPECT_EQ((*city)[0], "Little Rock, AR");

  ASSERT_OK_AND_ASSIGN(GraphFile java,
                       ReadGraphFile(NetworksDir(shared) + "java_dependencies.gexf"));
  EXPECT_EQ(java.graph.NodeLabel(0), "java.applet.AppletContext");
}

}  // namespace
}  // namespace innoscope::graph
