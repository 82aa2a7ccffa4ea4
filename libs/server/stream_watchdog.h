#pragma once

// Bounds how long a server-streaming handler may stay blocked writing to a
// client that does not read.
//
// A synchronous grpc::ServerWriter::Write blocks while the client's HTTP/2
// flow-control window is full, i.e. for as long as the client stops reading,
// holding a server thread (and, before this class, a pooled database
// connection with its transaction). StreamWatchdog runs each Write under a
// timer: when one Write has not completed after `write_timeout`, it cancels
// the call (grpc::ServerContext::TryCancel, an HTTP/2 RST_STREAM), the Write
// returns false, and WriteStatus() names the timeout and its flag. The client
// sees CANCELLED once it reads again (the reset stream carries no message);
// the server's log line per RPC carries the message. One thread per
// watchdog checks the pending writes every `write_timeout / 10` (at least
// 10 ms, at most 1 s).
//
//   StreamWatchdog watchdog(absl::Seconds(30));
//   StreamWatchdog::Stream stream(watchdog, context);
//   while (...) if (!stream.Write([&] { return writer->Write(message); })) break;
//   return stream.EndStatus(grpc::Status::OK);

#include <cstdint>
#include <functional>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "libs/server/grpc_status.h"

namespace innoscope::server {

class StreamWatchdog {
 public:
  // The flag that sets the timeout, named in the status of a cut stream.
  static constexpr char kFlag[] = "--stream_write_timeout_seconds";

  explicit StreamWatchdog(absl::Duration write_timeout);
  ~StreamWatchdog();
  StreamWatchdog(const StreamWatchdog&) = delete;
  StreamWatchdog& operator=(const StreamWatchdog&) = delete;

  absl::Duration write_timeout() const { return write_timeout_; }
  // Streams cut so far (for tests and logs).
  int64_t streams_cut() const;

  // One server stream under the watchdog.
  class Stream {
   public:
    Stream(StreamWatchdog& watchdog, grpc::ServerContext* context)
        : watchdog_(watchdog), context_(context) {}
    // Runs `write` (a blocking ServerWriter::Write); false when it failed,
    // the call was cancelled, or the watchdog cut it.
    bool Write(const std::function<bool()>& write);
    // `status`, unless the watchdog cut the stream: then RESOURCE_EXHAUSTED
    // naming the timeout and its flag.
    grpc::Status EndStatus(const grpc::Status& status) const;
    bool cut() const { return cut_; }

   private:
    StreamWatchdog& watchdog_;
    grpc::ServerContext* context_;
    bool cut_ = false;
  };

 private:
  struct Pending {
    grpc::ServerContext* context;
    absl::Time deadline;
    bool cut = false;
  };
  int64_t Begin(grpc::ServerContext* context);
  bool End(int64_t id);  // true when the watchdog cut this write
  void Loop();

  const absl::Duration write_timeout_;
  mutable absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t cut_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  absl::Notification stop_;
  std::thread thread_;
};

// A gRPC adapter's server stream under `watchdog`: `run` gets a function
// sending one message (false: stop, the client is gone or was cut) and
// returns the core's status.
//
//   return WatchedStream(watchdog_, context, writer, [&](auto send) {
//     return core_.ReadThings(*request, send);
//   });
template <typename Message, typename Writer, typename Run>
grpc::Status WatchedStream(StreamWatchdog& watchdog, grpc::ServerContext* context, Writer* writer,
                           Run run) {
  StreamWatchdog::Stream stream(watchdog, context);
  const absl::Status status = run(
      [&](const Message& message) { return stream.Write([&] { return writer->Write(message); }); });
  return stream.EndStatus(ToGrpcStatus(status));
}

}  // namespace innoscope::server
