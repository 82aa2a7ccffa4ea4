#pragma once

// Client side of the gRPC health checking protocol, for the CLI, for
// services that report their upstreams, and for tests.
//
//   absl::StatusOr<bool> serving = CheckServing(channel, "readiness",
//                                               absl::Seconds(2));

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace innoscope::server {

// True when the named health entry reports SERVING, false for NOT_SERVING;
// an error status when the server is unreachable or does not know the name.
absl::StatusOr<bool> CheckServing(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& service, absl::Duration timeout);

// A plaintext channel to HOST:PORT (the local stack without --tls, health
// ports); MakeChannel(address, ChannelSecurity) in channel_security.h makes
// TLS channels.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

}  // namespace innoscope::server
