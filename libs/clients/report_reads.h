#pragma once

// What `innoscope report --format html` reads from the services, as the
// plain types of libs/report (report_data.h): a period's results from a
// scoring run (GetRun, GetRanking, ExportRun), an uncertainty analysis
// (GetUncertainty), the network section of a relation set (network
// ComputeStatsTimeSeries, FitDegreeDistribution, ComputeCentralities,
// ComputeRegionFlows; ingest ReadActors and ReadRelations for the relation
// categories by year and the picture of the network, laid out here by
// libs/report), and two indicators' values per region (ingest
// ReadObservations through ReadIndicators).
//
//   report::PeriodResult p = PeriodFromRun(run, regions, clusters, rows, names);
//   NetworkReadOptions options{"default", 2014, 2022};
//   ASSIGN_OR_RETURN(report::NetworkSection net,
//                    ReadNetworkSection(*network_stub, ingest, options, names));
//
// docs/report.md lists which RPC each table and chart comes from.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/clients/ingest_client.h"
#include "libs/report/network_builder.h"
#include "libs/report/report_data.h"

namespace innoscope::clients {

// The composite (the node without parent) and its children as dimensions:
// regions and clusters in the order of their rankings (GetRanking), scores,
// dimension scores and ranks from the run's rows (ExportRun), tiers from the
// ranking, cluster members from the run's cluster definitions.
report::PeriodResult PeriodFromRun(const scoring::v1::Run& run,
                                   const std::vector<scoring::v1::RankingEntry>& regions,
                                   const std::vector<scoring::v1::RankingEntry>& clusters,
                                   const std::vector<scoring::v1::ResultRow>& rows,
                                   const std::map<std::string, std::string>& names);

// Rank intervals and Sobol indices of an analysis of a run of `period`.
report::UncertaintyResult UncertaintyFromProto(const scoring::v1::Uncertainty& uncertainty,
                                               int32_t period,
                                               const std::map<std::string, std::string>& names);

// The top n nodes by total degree (ComputeCentralities, degree, in- and
// out-degree) of a selection.
absl::StatusOr<std::vector<report::TopNode>> ReadTopByDegree(
    network::v1::NetworkService::Stub& stub, const network::v1::GraphSelection& selection,
    int32_t n, absl::Duration timeout);

struct NetworkReadOptions {
  std::string relation_set = "default";
  int32_t first_year = 0;
  int32_t last_year = 0;
  int32_t top = 20;
  report::LayoutOptions layout;
  absl::Duration timeout = absl::Seconds(600);
};

// Every part of the network section; names: region code -> name (for the
// origin-destination matrix).
absl::StatusOr<report::NetworkSection> ReadNetworkSection(
    network::v1::NetworkService::Stub& network, IngestClient& ingest,
    const NetworkReadOptions& options, const std::map<std::string, std::string>& names);

// Indicators x and y of every region with both in `period`.
absl::StatusOr<report::ScatterData> ReadScatter(IngestClient& ingest, const std::string& x,
                                                const std::string& y, int32_t period,
                                                const std::map<std::string, std::string>& names,
                                                absl::Duration timeout);

}  // namespace innoscope::clients
