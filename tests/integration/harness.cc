#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/clients/stack_file.h"
#include "libs/server/health_client.h"

namespace innoscope::testing {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : fallback;
}

std::atomic<int> database_counter{0};

}  // namespace

std::string SourceDir() { return EnvOr("INNOSCOPE_SOURCE_DIR", "."); }
std::string BuildDir() { return EnvOr("INNOSCOPE_BUILD_DIR", "build"); }

absl::Status WaitFor(const std::function<bool()>& cond, absl::Duration timeout,
                     absl::Duration poll) {
  absl::Time deadline = absl::Now() + timeout;
  while (!cond()) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("condition not met within ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(poll);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RunCommand(const std::string& command, int* exit_code) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen failed: " + command);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return output;
}

absl::StatusOr<std::string> HttpGet(const std::string& host_port,
                                    const std::string& path_and_query) {
  std::vector<std::string> parts = absl::StrSplit(host_port, ':');
  int port = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &port)) {
    return absl::InvalidArgumentError("bad address " + host_port);
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, parts[0] == "localhost" ? "127.0.0.1" : parts[0].c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return absl::UnavailableError("cannot connect to " + host_port);
  }
  std::string request =
      absl::StrCat("GET ", path_and_query, " HTTP/1.0\r\nHost: ", host_port, "\r\n\r\n");
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return absl::UnavailableError("write failed");
  }
  std::string response;
  char buffer[8192];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
  ::close(fd);
  size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return absl::UnavailableError("no HTTP response");
  if (!absl::StartsWith(response, "HTTP/1.1 200") && !absl::StartsWith(response, "HTTP/1.0 200")) {
    return absl::UnavailableError(response.substr(0, response.find('\r')));
  }
  return response.substr(body + 4);
}

// ---------------------------------------------------------------- Postgres

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Shared() {
  std::unique_ptr<PostgresServer> pg(
      new PostgresServer(EnvOr("INNOSCOPE_TEST_STACK_DIR", BuildDir() + "/test-stack"), false));
  absl::Status s = pg->ReadPort();
  if (!s.ok()) return s;
  return pg;
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::StartPrivate(
    const std::string& stack_dir, const std::string& server_options) {
  std::unique_ptr<PostgresServer> pg(new PostgresServer(stack_dir, true, server_options));
  absl::Status s = pg->Start();
  if (!s.ok()) return s;
  return pg;
}

PostgresServer::~PostgresServer() {
  if (owned_) Stop().IgnoreError();
}

absl::Status PostgresServer::Stack(const std::string& command) {
  int code = 0;
  absl::StatusOr<std::string> out = RunCommand(
      absl::StrCat("INNOSCOPE_STACK_DIR='", stack_dir_, "' INNOSCOPE_PG_OPTIONS='", server_options_,
                   "' '", SourceDir(), "/deploy/local/stack.sh' ", command),
      &code);
  if (!out.ok()) return out.status();
  if (code != 0) {
    return absl::InternalError(absl::StrCat("stack.sh ", command, " failed: ", *out));
  }
  return absl::OkStatus();
}

absl::Status PostgresServer::ReadPort() {
  absl::StatusOr<std::map<std::string, std::string>> env =
      clients::ReadStackFile(stack_dir_ + "/pg.env");
  if (!env.ok()) return env.status();
  if (!absl::SimpleAtoi((*env)["INNOSCOPE_PG_PORT"], &port_)) {
    return absl::InternalError("no INNOSCOPE_PG_PORT in " + stack_dir_ + "/pg.env");
  }
  return absl::OkStatus();
}

absl::Status PostgresServer::Start() {
  absl::Status s = Stack("pg-start");
  if (!s.ok()) return s;
  return ReadPort();
}

absl::Status PostgresServer::Stop() { return Stack("pg-stop"); }

std::string PostgresServer::Url(const std::string& database) const {
  return absl::StrCat("postgresql://innoscope@127.0.0.1:", port_, "/", database);
}

absl::StatusOr<std::string> PostgresServer::CreateDatabase(const std::string& prefix) {
  std::string name =
      absl::StrCat("t_", prefix, "_", ::getpid(), "_", database_counter.fetch_add(1));
  int code = 0;
  absl::StatusOr<std::string> out =
      RunCommand(absl::StrCat("/usr/lib/postgresql/15/bin/createdb -h 127.0.0.1 -p ", port_,
                              " -U innoscope ", name),
                 &code);
  if (!out.ok()) return out.status();
  if (code != 0) return absl::InternalError("createdb failed: " + *out);
  // The deployables' roles and schemas, as on the local stack and in
  // production (docs/operations.md, "Database roles").
  out =
      RunCommand(absl::StrCat("/usr/lib/postgresql/15/bin/psql -qtA -v ON_ERROR_STOP=1 '",
                              Url(name), "' -f '", SourceDir(), "/deploy/sql/database_roles.sql'"),
                 &code);
  if (!out.ok()) return out.status();
  if (code != 0) return absl::InternalError("deploy/sql/database_roles.sql failed: " + *out);
  return Url(name);
}

std::string RoleUrl(const std::string& url, const std::string& deployable) {
  constexpr absl::string_view kAdmin = "postgresql://innoscope@";
  if (!absl::StartsWith(url, kAdmin)) return url;
  return absl::StrCat("postgresql://innoscope_", deployable, "@", url.substr(kAdmin.size()));
}

// ------------------------------------------------------------- Services

absl::StatusOr<ServiceSet> StartServices(const std::map<std::string, std::string>& env,
                                         const std::vector<std::string>& others) {
  auto named = [&others](const char* name) {
    return std::find(others.begin(), others.end(), name) != others.end();
  };
  for (const std::string& name : others) {
    if (name != "weighting" && name != "network" && name != "scoring") {
      return absl::InvalidArgumentError(absl::StrCat("unknown service ", name));
    }
  }
  if (named("scoring") && !named("weighting")) {
    return absl::InvalidArgumentError("scoring calls weighting: start weighting too");
  }
  ServiceSet set;
  absl::StatusOr<std::unique_ptr<ServiceProcess>> started =
      ServiceProcess::Start("ingest", {}, env);
  if (!started.ok()) return started.status();
  set.ingest = *std::move(started);
  const std::string ingest_flag = absl::StrCat("--ingest_address=", set.ingest->grpc_address());
  for (auto [name, slot] :
       {std::make_pair("weighting", &set.weighting), std::make_pair("network", &set.network)}) {
    if (!named(name)) continue;
    started = ServiceProcess::Start(name, {ingest_flag}, env);
    if (!started.ok()) return started.status();
    *slot = *std::move(started);
  }
  if (named("scoring")) {
    started = ServiceProcess::Start(
        "scoring",
        {ingest_flag, absl::StrCat("--weighting_address=", set.weighting->grpc_address())}, env);
    if (!started.ok()) return started.status();
    set.scoring = *std::move(started);
  }
  return set;
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(
    const std::string& name, const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env) {
  std::unique_ptr<ServiceProcess> p(new ServiceProcess());
  std::string binary = absl::StrCat(BuildDir(), "/services/", name, "/innoscope-", name);
  static std::atomic<int> counter{0};
  p->log_path_ = absl::StrCat(BuildDir(), "/test-logs/", name, "-", ::getpid(), "-",
                              counter.fetch_add(1), ".log");
  int mk = 0;
  RunCommand(absl::StrCat("mkdir -p '", BuildDir(), "/test-logs'"), &mk).IgnoreError();

  std::vector<std::string> argv_strings = {binary, "--grpc_address=127.0.0.1:0",
                                           "--metrics_address=127.0.0.1:0"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  int out_pipe[2];
  // Close-on-exec: a service started at the same time from another thread
  // must not inherit this pipe (its reader would never see end of file).
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    int log_fd = ::open(p->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log_fd >= 0) ::dup2(log_fd, STDERR_FILENO);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    // A fresh signal mask: gtest threads must not leak blocked signals.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const auto& [k, v] : env) {
      // Every service connects as its own role, never as the administrator.
      ::setenv(k.c_str(), (k == "DATABASE_URL" ? RoleUrl(v, name) : v).c_str(), 1);
    }
    std::vector<char*> argv;
    for (std::string& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    std::fprintf(stderr, "exec %s failed\n", binary.c_str());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  p->pid_ = pid;
  int fd = out_pipe[0];
  ServiceProcess* raw = p.get();
  p->reader_ = std::thread([raw, fd] { raw->ReadStdout(fd); });

  absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (true) {
    {
      absl::MutexLock lock(&p->mu_);
      for (absl::string_view line : absl::StrSplit(p->stdout_, '\n')) {
        if (absl::ConsumePrefix(&line, "grpc_address=")) p->grpc_address_ = std::string(line);
        if (absl::ConsumePrefix(&line, "metrics_address=")) p->metrics_address_ = std::string(line);
        if (absl::ConsumePrefix(&line, "health_address=")) p->health_address_ = std::string(line);
      }
    }
    if (!p->grpc_address_.empty() && !p->metrics_address_.empty()) return p;
    absl::StatusOr<int> exited = p->WaitExit(absl::ZeroDuration());
    if (exited.ok()) {
      return absl::InternalError(
          absl::StrCat(name, " exited with ", *exited, " during start-up:\n", p->Log()));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(name, " did not start within 60 s:\n", p->Log()));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
}

void ServiceProcess::ReadStdout(int fd) {
  char buffer[1024];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) {
    absl::MutexLock lock(&mu_);
    stdout_.append(buffer, n);
  }
  ::close(fd);
}

ServiceProcess::~ServiceProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitExit(absl::Seconds(10)).IgnoreError();
  }
  if (reader_.joinable()) reader_.join();
}

std::shared_ptr<grpc::Channel> ServiceProcess::Channel() const {
  return server::MakeChannel(grpc_address_);
}

void ServiceProcess::Signal(int signal_number) {
  if (!exited_) ::kill(pid_, signal_number);
}

absl::StatusOr<int> ServiceProcess::WaitExit(absl::Duration timeout) {
  if (exited_) return exit_code_;
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (absl::Now() >= deadline) return absl::DeadlineExceededError("still running");
    absl::SleepFor(absl::Milliseconds(20));
  }
}

std::string ServiceProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  absl::StatusOr<bool> serving = server::CheckServing(channel, service, absl::Seconds(2));
  if (!serving.ok()) return serving.status().ToString();
  return *serving ? "SERVING" : "NOT_SERVING";
}

std::vector<std::string> BadRequestFields(const grpc::Status& status) {
  std::vector<std::string> out;
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) {
    return out;
  }
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const google::rpc::BadRequest::FieldViolation& v : bad.field_violations()) {
      out.push_back(absl::StrCat(v.field(), ": ", v.description()));
    }
  }
  return out;
}

pid_t SpawnCli(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv_strings = {BuildDir() + "/services/cli/innoscope"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> argv;
    for (std::string& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int ReapExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace innoscope::testing
