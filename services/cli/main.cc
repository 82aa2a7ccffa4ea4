// innoscope: the command-line client.
//
//   innoscope status                       health and version of every service
//   innoscope import <kind> FILE.csv       regions, indicators, framework,
//                                          observations, actors, relations
//   innoscope export <kind>                observations, relations
//   innoscope weights <method>             AHP, entropy, CRITIC, CV, PCA, equal
//                                          (offline from files, or the service)
//   innoscope score                        scores and ranks at every node
//   innoscope uncertainty                  Monte Carlo rank intervals
//   innoscope compare                      changes between two stored runs
//   innoscope demo generate                the demo's synthetic data as CSV files
//   innoscope ranking                      the ranking of a stored scoring run
//   innoscope report                       ranking and network summary files
//   innoscope recompute --config FILE      recompute indices whose data changed
//                                          (execs innoscope-recompute, the job)
//
// Service addresses come from --<service>_address flags, INNOSCOPE_*
// environment variables, or the local stack's address file
// (--stack_file, default .local/stack/addresses.env). Each command group
// lives in its own file (commands.h); shared helpers in cli_support.h.

#include <cstdio>
#include <string>
#include <vector>

#include "services/cli/commands.h"

namespace {

constexpr char kUsage[] =
    "Usage: innoscope <command> [flags]\n\n"
    "Commands:\n"
    "  status                    health, version and schema of every service\n"
    "  import <kind> FILE.csv    load regions, indicators, a framework, observations,\n"
    "                            actors or relations into the ingest service\n"
    "  export <kind>             write stored observations or relations as CSV or JSON\n"
    "  network <command>         network statistics and centralities (file or service)\n"
    "  weights <method>          indicator weights (ahp, entropy, critic, cv, pca, equal)\n"
    "                            from files, or through the weighting service\n"
    "  score                     score and rank every region at every node (from files,\n"
    "                            or a stored framework through the scoring service)\n"
    "  uncertainty               Monte Carlo rank intervals (from files, or the service)\n"
    "  compare                   rank, score and growth changes between two stored runs\n"
    "  ranking                   the ranking of a stored scoring run (newest of a period)\n"
    "  report                    ranking and network summary as CSV and JSON files\n"
    "  demo generate             the demo's synthetic actors, relations and observations\n"
    "  recompute --config FILE   recompute indices whose data changed: runs the recompute\n"
    "                            job innoscope-recompute (the CronJob's binary)\n\n"
    "Run 'innoscope <command> --help' for the flags of a command.\n";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string& command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "status") return innoscope::cli::RunStatus(rest);
  if (command == "import") return innoscope::cli::RunImport(rest);
  if (command == "export") return innoscope::cli::RunExport(rest);
  if (command == "network") return innoscope::cli::RunNetwork(rest);
  if (command == "weights") return innoscope::cli::RunWeights(rest);
  if (command == "score") return innoscope::cli::RunScore(rest);
  if (command == "uncertainty") return innoscope::cli::RunUncertainty(rest);
  if (command == "compare") return innoscope::cli::RunCompare(rest);
  if (command == "demo") return innoscope::cli::RunDemo(rest);
  if (command == "ranking") return innoscope::cli::RunRanking(rest);
  if (command == "report") return innoscope::cli::RunReport(rest);
  if (command == "recompute") return innoscope::cli::RunRecompute(rest);
  std::fprintf(stderr, "innoscope: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
  return 2;
}
