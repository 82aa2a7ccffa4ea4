#pragma once

// Where the four services are, for the programs that call them from outside
// the cluster's wiring (the `innoscope` CLI and `innoscope-recompute`):
// --<service>_address / INNOSCOPE_<SERVICE>_ADDRESS, else the local stack's
// address file (--stack_file, libs/clients/stack_file.h).
//
//   config::FlagSet flags("innoscope-recompute", "...");
//   flags.Add("stack_file", ".local/stack/addresses.env", "...");
//   server::AddChannelSecurityFlags(flags);
//   for (const std::string& s : ServiceNames()) flags.Add(s + "_address", "", "...");
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> ingest, ServiceChannel(parsed, "ingest"));

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "libs/config/flags.h"
#include "libs/server/channel_security.h"

namespace innoscope::clients {

// The four services, in the order `innoscope status` lists them:
// ingest, weighting, scoring, network.
const std::vector<std::string>& ServiceNames();

// HOST:PORT of a service: the flag <service>_address (or its
// INNOSCOPE_<SERVICE>_ADDRESS), else INNOSCOPE_<SERVICE>_ADDRESS of the file
// the flag stack_file names. `flags` must define both flags. NOT_FOUND with
// what to do when neither has it.
absl::StatusOr<std::string> ServiceAddress(const config::ParsedFlags& flags,
                                           const std::string& service);

// How to secure the channels: the flags of server::AddChannelSecurityFlags
// (--tls_ca_file, --tls_cert_file, --tls_key_file, --tls_server_name,
// --auth_token_file, or their INNOSCOPE_* variables), else the same
// INNOSCOPE_* keys of the stack file (deploy/local/stack.sh --tls writes
// them), else plaintext.
absl::StatusOr<server::ChannelSecurity> ClientSecurity(const config::ParsedFlags& flags);

// A channel to the service, after resolving its address and security.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ServiceChannel(const config::ParsedFlags& flags,
                                                              const std::string& service);

}  // namespace innoscope::clients
