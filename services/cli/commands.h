#pragma once

// The command groups of `innoscope`, one file each; main.cc dispatches.
// Each takes the arguments after its group word and returns the exit code:
// 0 done, 1 failed (message and what to do next on stderr), 2 bad usage.
//
//   innoscope status
//   innoscope import regions|indicators|framework|observations|actors|relations FILE
//   innoscope export observations|relations
//   innoscope weights ahp|entropy|critic|cv|pca|equal
//   innoscope score --framework F.csv --data D.csv
//   innoscope uncertainty --framework F.csv --data D.csv
//   innoscope compare --run RUN_ID [--previous RUN_ID]
//   innoscope demo generate --regions R.csv --framework F.csv --out DIR
//   innoscope ranking --framework CODE[@V] --period P
//   innoscope report --framework CODE[@V] --period P --out DIR
//   innoscope recompute --config FILE [--force]   (execs innoscope-recompute)

#include <string>
#include <vector>

namespace innoscope::cli {

int RunStatus(const std::vector<std::string>& args);       // status_command.cc
int RunImport(const std::vector<std::string>& args);       // import_command.cc
int RunExport(const std::vector<std::string>& args);       // export_command.cc
int RunNetwork(const std::vector<std::string>& args);      // network_command.cc
int RunWeights(const std::vector<std::string>& args);      // weights_command.cc
int RunScore(const std::vector<std::string>& args);        // score_command.cc
int RunUncertainty(const std::vector<std::string>& args);  // uncertainty_command.cc
int RunCompare(const std::vector<std::string>& args);      // compare_command.cc
int RunDemo(const std::vector<std::string>& args);         // demo_command.cc
int RunRanking(const std::vector<std::string>& args);      // ranking_command.cc
int RunReport(const std::vector<std::string>& args);       // report_command.cc
int RunRecompute(const std::vector<std::string>& args);    // recompute_front.cc

}  // namespace innoscope::cli
