#pragma once

// Sends numbered batches through one of ingest's bidirectional write RPCs
// (WriteObservations, UpsertActors, WriteRelations: one request per batch,
// one response per committed batch, in order) and survives interruptions:
//
// - up to `window` batches are in flight, so the client builds and
//   serialises the next batches while the service commits the current one;
// - on UNAVAILABLE or ABORTED (service restarted, connection lost,
//   transaction conflict) the stream is reopened after a backoff and every
//   unacknowledged batch is sent again. Batch ids are deterministic and the
//   service applies an id at most once, so a batch that was committed but
//   whose answer was lost comes back as replayed: nothing is duplicated;
// - any other error stops at the first unacknowledged batch, which is the
//   one the service rejected (batches are applied in order), and reports it.
//
// Templated on the request and response types; the stream is opened by a
// caller-supplied function so tests can use a fake.
//
//   BatchStreamer<v1::WriteObservationsRequest, v1::WriteObservationsResponse> s(
//       [&](grpc::ClientContext* c) { return stub->WriteObservations(c); },
//       [&](size_t i) { return BuildBatch(i); },
//       [&](size_t i, const v1::WriteObservationsResponse& r) { Tally(i, r); });
//   absl::Status status = s.Run(batch_count);
//   if (!status.ok()) Report(s.failed_batch(), status);

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"
#include "libs/server/grpc_status.h"

namespace innoscope::clients {

struct BatchStreamOptions {
  size_t window = 4;    // batches in flight
  int max_retries = 8;  // reopenings after retryable errors, in a row
  absl::Duration first_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(8);
  // Called before each retry with the error and the delay (for a message).
  std::function<void(const absl::Status&, absl::Duration)> on_retry;
  std::function<void(absl::Duration)> sleep = [](absl::Duration d) { absl::SleepFor(d); };
  // Polled before each write and retry: true stops the run with CANCELLED
  // (another stream of a parallel run failed).
  std::function<bool()> stop;
};

template <typename Request, typename Response>
class BatchStreamer {
 public:
  using Stream = grpc::ClientReaderWriterInterface<Request, Response>;
  using OpenFn = std::function<std::unique_ptr<Stream>(grpc::ClientContext*)>;
  using BuildFn = std::function<Request(size_t batch)>;
  using AckFn = std::function<void(size_t batch, const Response&)>;

  BatchStreamer(OpenFn open, BuildFn build, AckFn ack, BatchStreamOptions options = {})
      : open_(std::move(open)),
        build_(std::move(build)),
        ack_(std::move(ack)),
        options_(std::move(options)) {}

  // Sends batches 0..count-1; OK when every one was acknowledged.
  absl::Status Run(size_t count) {
    if (count == 0) return absl::OkStatus();
    size_t acked = 0;
    int retries = 0;
    while (true) {
      const size_t acked_before = acked;
      absl::Status status = RunStream(count, &acked);
      if (status.ok()) return status;
      if (acked > acked_before) retries = 0;  // progress resets the budget
      const bool retryable = status.code() == absl::StatusCode::kUnavailable ||
                             status.code() == absl::StatusCode::kAborted;
      if (!retryable || retries >= options_.max_retries || Stopped()) {
        failed_batch_ = acked;
        return status;
      }
      absl::Duration delay = options_.first_backoff;
      for (int i = 0; i < retries && delay < options_.max_backoff; ++i) delay *= 2;
      delay = std::min(delay, options_.max_backoff);
      ++retries;
      if (options_.on_retry) options_.on_retry(status, delay);
      options_.sleep(delay);
    }
  }

  // The batch that failed, after Run returned an error.
  size_t failed_batch() const { return failed_batch_; }

 private:
  // One stream: sends from *acked on, advances *acked per response. After
  // a failed write (the service ended the stream) the answers to batches
  // already sent are still read, so the failing batch is identified exactly.
  absl::Status RunStream(size_t count, size_t* acked) {
    grpc::ClientContext context;
    std::unique_ptr<Stream> stream = open_(&context);
    std::deque<std::string> in_flight;  // batch ids sent, not yet answered
    size_t next = *acked;
    bool broken = false;
    bool writes_done = false;
    while (*acked < count) {
      while (!broken && next < count && next - *acked < options_.window) {
        if (Stopped()) {
          context.TryCancel();
          stream->Finish();
          return absl::CancelledError("stopped because another stream failed");
        }
        Request request = build_(next);
        if (!stream->Write(request)) {
          broken = true;
          break;
        }
        in_flight.push_back(request.batch_id());
        ++next;
      }
      if (!broken && next == count && !writes_done) {
        stream->WritesDone();
        writes_done = true;
      }
      if (in_flight.empty()) break;
      Response response;
      if (!stream->Read(&response)) break;
      if (response.batch_id() != in_flight.front()) {
        context.TryCancel();
        stream->Finish();
        return absl::InternalError(absl::StrCat("answer for batch ", response.batch_id(),
                                                " while expecting ", in_flight.front()));
      }
      in_flight.pop_front();
      ack_(*acked, response);
      ++*acked;
    }
    if (!writes_done && !broken) stream->WritesDone();
    const grpc::Status finish = stream->Finish();
    if (*acked == count) return absl::OkStatus();
    if (!finish.ok()) return server::FromGrpcStatus(finish);
    return absl::UnavailableError(absl::StrCat("the stream ended after ", *acked, " of ", count,
                                               " batches without an error"));
  }

  bool Stopped() const { return options_.stop && options_.stop(); }

  OpenFn open_;
  BuildFn build_;
  AckFn ack_;
  BatchStreamOptions options_;
  size_t failed_batch_ = 0;
};

// Runs batches 0..count-1 over `streams` concurrent streams (batch i on
// stream i % streams), so the service commits several batches at once on
// separate database connections. Safe for imports whose batches hold
// disjoint keys (the importers drop repeated keys first): the result does
// not depend on the order in which batches commit. `ack` is called under a
// lock. On failure every stream stops; the error and batch reported are
// those of the lowest failed batch.
struct ParallelRunResult {
  absl::Status status;
  size_t failed_batch = 0;
};

template <typename Request, typename Response>
ParallelRunResult RunBatchStreams(size_t count, size_t streams,
                                  typename BatchStreamer<Request, Response>::OpenFn open,
                                  typename BatchStreamer<Request, Response>::BuildFn build,
                                  typename BatchStreamer<Request, Response>::AckFn ack,
                                  const BatchStreamOptions& options) {
  streams = std::max<size_t>(1, std::min(streams, count));
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  std::vector<ParallelRunResult> results(streams);
  auto worker = [&](size_t k) {
    // Local batch j of stream k is global batch k + j * streams.
    const size_t local_count = count > k ? (count - k + streams - 1) / streams : 0;
    BatchStreamOptions local = options;
    local.stop = [&] { return failed.load() || (options.stop && options.stop()); };
    BatchStreamer<Request, Response> streamer(
        open, [&, k](size_t j) { return build(k + j * streams); },
        [&, k](size_t j, const Response& response) {
          absl::MutexLock lock(&mu);
          ack(k + j * streams, response);
        },
        local);
    results[k].status = streamer.Run(local_count);
    results[k].failed_batch = k + streamer.failed_batch() * streams;
    if (!results[k].status.ok()) failed.store(true);
  };
  std::vector<std::thread> threads;
  for (size_t k = 1; k < streams; ++k) threads.emplace_back(worker, k);
  worker(0);
  for (std::thread& t : threads) t.join();
  // The lowest failed batch; streams stopped by another's failure only when
  // nothing else failed.
  const ParallelRunResult* first = nullptr;
  for (const ParallelRunResult& r : results) {
    if (r.status.ok()) continue;
    const bool cancelled = r.status.code() == absl::StatusCode::kCancelled;
    const bool first_cancelled =
        first != nullptr && first->status.code() == absl::StatusCode::kCancelled;
    if (first == nullptr || (first_cancelled && !cancelled) ||
        (cancelled == first_cancelled && r.failed_batch < first->failed_batch)) {
      first = &r;
    }
  }
  return first != nullptr ? *first : ParallelRunResult{};
}

}  // namespace innoscope::clients
