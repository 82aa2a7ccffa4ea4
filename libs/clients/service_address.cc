#include "libs/clients/service_address.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/clients/stack_file.h"

namespace innoscope::clients {

const std::vector<std::string>& ServiceNames() {
  static const auto* names =
      new std::vector<std::string>{"ingest", "weighting", "scoring", "network"};
  return *names;
}

absl::StatusOr<std::string> ServiceAddress(const config::ParsedFlags& flags,
                                           const std::string& service) {
  const std::string& explicit_address = flags.Get(absl::StrCat(service, "_address"));
  if (!explicit_address.empty()) return explicit_address;
  absl::StatusOr<std::map<std::string, std::string>> stack = ReadStackFile(flags.Get("stack_file"));
  if (!stack.ok()) return stack.status();
  const std::string key = absl::StrCat("INNOSCOPE_", absl::AsciiStrToUpper(service), "_ADDRESS");
  auto it = stack->find(key);
  if (it == stack->end()) {
    return absl::NotFoundError(absl::StrCat(
        flags.Get("stack_file"), " has no ", key,
        "; restart the stack (deploy/local/stack.sh restart) or pass --", service, "_address"));
  }
  return it->second;
}

absl::StatusOr<server::ChannelSecurity> ClientSecurity(const config::ParsedFlags& flags) {
  std::map<std::string, std::string> stack;
  absl::StatusOr<std::map<std::string, std::string>> read = ReadStackFile(flags.Get("stack_file"));
  if (read.ok()) stack = *std::move(read);
  return server::ChannelSecurityFromFlags(flags, stack);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ServiceChannel(const config::ParsedFlags& flags,
                                                              const std::string& service) {
  absl::StatusOr<std::string> address = ServiceAddress(flags, service);
  if (!address.ok()) return address.status();
  absl::StatusOr<server::ChannelSecurity> security = ClientSecurity(flags);
  if (!security.ok()) return security.status();
  return server::MakeChannel(*address, *security);
}

}  // namespace innoscope::clients
