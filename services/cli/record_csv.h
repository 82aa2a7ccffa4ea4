#pragma once

// The CSV files of `innoscope import regions|indicators|framework|actors|
// relations`, read into the ingest API's messages. Every problem is reported
// with its line before anything is sent (up to kMaxReportedErrors).
//
//   regions     code,name,kind[,parent][,name_en][,<attribute>...]
//               kind: country|province|city|cluster|custom
//   indicators  code,name[,name_en][,unit][,description][,is_count]
//   actors      code,name,kind[,province][,city][,sample][,platform]
//               [,foreign][,layer][,<attribute>...]
//               kind: enterprise|investor|university|research_institute|
//               government|alliance|other; layer: foundation|technology|
//               application; flags: true/false, yes/no, 1/0 (empty = false)
//   cluster_members  cluster,member[,first_year][,last_year]; years
//               bound the membership (empty = unbounded); every cluster in
//               the file gets its whole membership replaced
//   relations   source,target,type,year[,weight][,amount][,qualifier]
//               [,<tag>...]; each (source, target, type, year, qualifier)
//               at most once
//   framework   COINr metadata (Level,iCode,iName,Direction,Weight,Unit,
//               Target,Denominator,Parent,Type) or the level1_/level2_/...
//               layout of the Chinese reports (libs/index/framework_csv.h)
// Extra columns become attributes (regions, actors) or tags (relations);
// an empty cell is absent. Numbers are parsed correctly rounded.
//
//   ASSIGN_OR_RETURN(std::vector<v1::Region> regions, ParseRegionsCsv(text));
//   ASSIGN_OR_RETURN(v1::CreateFrameworkRequest request,
//                    ParseFrameworkCsv(text, {"asem", 0, "ASEM index"}));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "innoscope/ingest/v1/ingest.pb.h"

namespace innoscope::cli {

absl::StatusOr<std::vector<ingest::v1::Region>> ParseRegionsCsv(absl::string_view text);
absl::StatusOr<std::vector<ingest::v1::Indicator>> ParseIndicatorsCsv(absl::string_view text);
// One SetClusterMembers request per cluster, clusters in order of first
// appearance, members in file order.
absl::StatusOr<std::vector<ingest::v1::SetClusterMembersRequest>> ParseClusterMembersCsv(
    absl::string_view text);

// Actors and relations also keep the CSV line of each message (same index),
// to point at the file when the service rejects a row.
template <typename Message>
struct LinedMessages {
  std::vector<Message> messages;
  std::vector<int> lines;
};
absl::StatusOr<LinedMessages<ingest::v1::Actor>> ParseActorsCsv(absl::string_view text);
absl::StatusOr<LinedMessages<ingest::v1::Relation>> ParseRelationsCsv(absl::string_view text);

// Orders regions so that every parent listed in the file comes before its
// children (stable otherwise), so chunked upserts never name a parent the
// service has not seen yet. Parents outside the file are left to the service.
void OrderParentsFirst(std::vector<ingest::v1::Region>* regions);

struct FrameworkImport {
  std::string code;             // --framework
  int version = 0;              // --version; 0 = next
  std::string name;             // --name; default: the root's name
  double weight_tolerance = 0;  // 0 = the service default
};

enum class FrameworkLayout { kCoinrMeta, kLeveled };

// Detects the layout from the header: iCode + Level + Parent is COINr's
// metadata; level1_zh or level1_en starts the leveled layout.
absl::StatusOr<FrameworkLayout> DetectFrameworkLayout(absl::string_view text);

// The CreateFramework request: every tree node, and as indicators the
// leaves plus (COINr) the Denominator rows, which are data columns the
// leaves divide by. COINr Group rows are labels, not indicators.
absl::StatusOr<ingest::v1::CreateFrameworkRequest> ParseFrameworkCsv(absl::string_view text,
                                                                     const FrameworkImport& import);

// Deterministic content ids of actor and relation batches (batch_id.h).
std::string ActorBatchId(absl::Span<const ingest::v1::Actor> actors, absl::string_view relation_set,
                         absl::string_view salt);
std::string RelationBatchId(absl::Span<const ingest::v1::Relation> relations,
                            absl::string_view relation_set, absl::string_view salt);

}  // namespace innoscope::cli
