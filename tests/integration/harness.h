#pragma once

// Integration-test harness: real PostgreSQL servers (started through
// deploy/local/stack.sh, the same script operators use), real service
// processes on ephemeral ports, and small HTTP and process helpers.
//
//   auto pg = PostgresServer::Shared();                 // ctest fixture "pg"
//   std::string url = *(*pg)->CreateDatabase("ingest");   // administrator URL
//   auto ingest = ServiceProcess::Start("ingest", {}, {{"DATABASE_URL", url}});
//                                       // runs as role innoscope_ingest
//   auto stub = innoscope::ingest::v1::IngestService::NewStub((*ingest)->Channel());
//
// ctest provides INNOSCOPE_SOURCE_DIR, INNOSCOPE_BUILD_DIR and
// INNOSCOPE_TEST_STACK_DIR (tests/integration/CMakeLists.txt).

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace innoscope::testing {

std::string SourceDir();
std::string BuildDir();

// Polls cond every `poll` until it holds or timeout passes.
absl::Status WaitFor(const std::function<bool()>& cond, absl::Duration timeout,
                     absl::Duration poll = absl::Milliseconds(100));

// Runs a shell command; returns its combined stdout and sets *exit_code.
absl::StatusOr<std::string> RunCommand(const std::string& command, int* exit_code);

// HTTP/1.0 GET on loopback; returns the body of a 200 response.
absl::StatusOr<std::string> HttpGet(const std::string& host_port,
                                    const std::string& path_and_query);

class PostgresServer {
 public:
  // The server of the ctest fixture "pg" (already running).
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Shared();
  // A private server in its own stack folder, stopped when destroyed;
  // `server_options` are appended to the server's command line
  // (INNOSCOPE_PG_OPTIONS of stack.sh), e.g. "-c ssl=on ...".
  static absl::StatusOr<std::unique_ptr<PostgresServer>> StartPrivate(
      const std::string& stack_dir, const std::string& server_options = "");
  ~PostgresServer();

  absl::Status Stop();
  absl::Status Start();
  // A fresh database with the deployables' roles and (empty) schemas of
  // deploy/sql/database_roles.sql; returns its administrator URL
  // (postgresql://innoscope@...): tests inspect with it, services get
  // RoleUrl of it.
  absl::StatusOr<std::string> CreateDatabase(const std::string& prefix);
  std::string Url(const std::string& database) const;
  int port() const { return port_; }

 private:
  PostgresServer(std::string stack_dir, bool owned, std::string server_options = "")
      : stack_dir_(std::move(stack_dir)),
        owned_(owned),
        server_options_(std::move(server_options)) {}
  absl::Status Stack(const std::string& command);
  absl::Status ReadPort();

  std::string stack_dir_;
  bool owned_;
  std::string server_options_;
  int port_ = 0;
};

// The URL of `deployable`'s own role (innoscope_<deployable>, owning only
// its schema) for an administrator URL of CreateDatabase; other URLs as
// they are.
std::string RoleUrl(const std::string& url, const std::string& deployable);

class ServiceProcess {
 public:
  // Starts build/services/<name>/innoscope-<name> with --grpc_address and
  // --metrics_address on 127.0.0.1:0 plus `args`, and waits until it prints
  // both addresses (start-up and migrations done). A DATABASE_URL of `env`
  // that is an administrator URL becomes RoleUrl(url, name), so every
  // service runs with the privileges it has in production.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(
      const std::string& name, const std::vector<std::string>& args,
      const std::map<std::string, std::string>& env);
  ~ServiceProcess();

  const std::string& grpc_address() const { return grpc_address_; }
  const std::string& metrics_address() const { return metrics_address_; }
  // The plaintext health listener's HOST:PORT ("" without --health_address).
  const std::string& health_address() const { return health_address_; }
  std::shared_ptr<grpc::Channel> Channel() const;
  pid_t pid() const { return pid_; }

  void Signal(int signal_number);
  // The exit code, or DEADLINE_EXCEEDED if still running after timeout.
  absl::StatusOr<int> WaitExit(absl::Duration timeout);
  // Everything the service wrote on stderr (its JSON log) so far.
  std::string Log() const;

 private:
  ServiceProcess() = default;
  void ReadStdout(int fd);

  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string log_path_;
  std::string grpc_address_;
  std::string metrics_address_;
  std::string health_address_;
  std::thread reader_;
  mutable absl::Mutex mu_;
  std::string stdout_ ABSL_GUARDED_BY(mu_);
};

// A test's services, started and wired as deploy/local/stack.sh wires them:
// weighting and network call ingest; scoring calls ingest and weighting.
struct ServiceSet {
  std::unique_ptr<ServiceProcess> ingest, weighting, network, scoring;
};
// Starts ingest, then those of "weighting", "network" and "scoring" named in
// `others` (scoring needs weighting), on the database of `env`.
absl::StatusOr<ServiceSet> StartServices(const std::map<std::string, std::string>& env,
                                         const std::vector<std::string>& others);

// Health of one entry: "SERVING", "NOT_SERVING" or the error text.
std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service);

// The google.rpc.BadRequest field violations of a failed call as
// "<field>: <description>", decoded from grpc-status-details-bin with the
// generated google.rpc classes, as any gRPC client would; empty when the
// status carries none.
std::vector<std::string> BadRequestFields(const grpc::Status& status);

// Starts the built CLI (build/services/cli/innoscope) with `args`, its
// stdout and stderr into the file `log`; returns its pid, for tests that
// signal it mid-run. ReapExit waits for it.
pid_t SpawnCli(const std::vector<std::string>& args, const std::string& log);

// Waits for a child process; its exit code, or 128 + signal when killed.
int ReapExit(pid_t pid);

}  // namespace innoscope::testing
