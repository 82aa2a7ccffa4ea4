#include "libs/clients/batch_stream.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/common/status_matchers.h"

namespace innoscope::clients {
namespace {

namespace v1 = ::innoscope::ingest::v1;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A fake ingest service shared by the streams a test opens: applies batch
// ids at most once (answering repeats as replayed), can drop the connection
// after a number of answers, and rejects one batch id.
struct FakeService {
  absl::Mutex mu;  // parallel runs share the service
  std::set<std::string> applied;
  int answers_before_drop = -1;  // -1: never drop
  std::string reject_id;
  int streams_opened = 0;
};

class FakeStream : public grpc::ClientReaderWriterInterface<v1::WriteObservationsRequest,
                                                            v1::WriteObservationsResponse> {
 public:
  explicit FakeStream(FakeService& service) : service_(service) {
    absl::MutexLock lock(&service_.mu);
    ++service_.streams_opened;
  }

  bool Write(const v1::WriteObservationsRequest& request, grpc::WriteOptions) override {
    if (!status_.ok()) return false;
    if (request.batch_id() == service_.reject_id) {
      status_ = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                             "batch: 1 invalid rows (nothing was written): row 0 value: bad");
      return false;
    }
    pending_.push_back(request.batch_id());
    return true;
  }
  // Batches written before a rejection are still answered, as a real
  // service commits them before it reaches the bad one.
  bool Read(v1::WriteObservationsResponse* response) override {
    absl::MutexLock lock(&service_.mu);
    if (pending_.empty()) return false;
    if (service_.answers_before_drop == 0) {
      // The connection drops after the batch was committed, before the answer.
      service_.applied.insert(pending_.front());
      service_.answers_before_drop = -1;
      status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset");
      pending_.clear();
      return false;
    }
    if (service_.answers_before_drop > 0) --service_.answers_before_drop;
    const std::string id = pending_.front();
    pending_.erase(pending_.begin());
    response->set_batch_id(id);
    response->set_replayed(!service_.applied.insert(id).second);
    response->mutable_summary()->set_inserted(response->replayed() ? 7 : 1);
    return true;
  }
  bool WritesDone() override { return true; }
  grpc::Status Finish() override { return status_; }
  void WaitForInitialMetadata() override {}
  bool NextMessageSize(uint32_t* size) override {
    *size = 0;
    return true;
  }

 private:
  FakeService& service_;
  std::vector<std::string> pending_;
  grpc::Status status_;
};

using Streamer = BatchStreamer<v1::WriteObservationsRequest, v1::WriteObservationsResponse>;

struct StreamRun {
  std::vector<std::string> acks;  // "index:replayed"
  absl::Status status;
  size_t failed_batch = 0;
};

StreamRun Stream(FakeService& service, size_t batches, int max_retries = 3) {
  StreamRun run;
  BatchStreamOptions options;
  options.window = 2;
  options.max_retries = max_retries;
  options.sleep = [](absl::Duration) {};
  Streamer streamer([&](grpc::ClientContext*) { return std::make_unique<FakeStream>(service); },
                    [](size_t i) {
                      v1::WriteObservationsRequest request;
                      request.set_batch_id(absl::StrCat("b", i));
                      return request;
                    },
                    [&](size_t i, const v1::WriteObservationsResponse& r) {
                      run.acks.push_back(absl::StrCat(i, r.replayed() ? ":replayed" : ":new"));
                    },
                    options);
  run.status = streamer.Run(batches);
  run.failed_batch = streamer.failed_batch();
  return run;
}

TEST(BatchStreamerTest, SendsEveryBatchInOrder) {
  FakeService service;
  StreamRun run = Stream(service, 5);
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_THAT(run.acks, ElementsAre("0:new", "1:new", "2:new", "3:new", "4:new"));
  EXPECT_EQ(service.streams_opened, 1);
}

TEST(BatchStreamerTest, ReconnectsAndResendsAfterALostAnswer) {
  FakeService service;
  service.answers_before_drop = 2;  // batch 2 commits, its answer is lost
  StreamRun run = Stream(service, 4);
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_THAT(run.acks, ElementsAre("0:new", "1:new", "2:replayed", "3:new"));
  EXPECT_EQ(service.streams_opened, 2);
}

TEST(BatchStreamerTest, RerunOfACompletedImportReplaysEverything) {
  FakeService service;
  ASSERT_TRUE(Stream(service, 3).status.ok());
  StreamRun again = Stream(service, 3);
  EXPECT_THAT(again.acks, ElementsAre("0:replayed", "1:replayed", "2:replayed"));
}

TEST(BatchStreamerTest, StopsAtARejectedBatchAndNamesIt) {
  FakeService service;
  service.reject_id = "b2";
  StreamRun run = Stream(service, 5);
  EXPECT_THAT(run.status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("row 0")));
  EXPECT_EQ(run.failed_batch, 2u);
  EXPECT_THAT(run.acks, ElementsAre("0:new", "1:new"));
}

TEST(BatchStreamerTest, GivesUpAfterTheRetryBudget) {
  FakeService service;
  int drops = 0;
  BatchStreamOptions options;
  options.max_retries = 2;
  options.sleep = [](absl::Duration) {};
  options.on_retry = [&](const absl::Status&, absl::Duration) { ++drops; };
  Streamer streamer(
      [&](grpc::ClientContext*) {
        service.answers_before_drop = 0;  // every stream drops at once
        return std::make_unique<FakeStream>(service);
      },
      [](size_t i) {
        v1::WriteObservationsRequest request;
        request.set_batch_id(absl::StrCat("b", i));
        return request;
      },
      [](size_t, const v1::WriteObservationsResponse&) {}, options);
  // Every stream drops before its first answer: no progress, so after two
  // reconnections the streamer gives up and names the batch.
  absl::Status status = streamer.Run(1);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("reset")));
  EXPECT_EQ(drops, 2);
  EXPECT_EQ(streamer.failed_batch(), 0u);
}

v1::WriteObservationsRequest NumberedBatch(size_t i) {
  v1::WriteObservationsRequest request;
  request.set_batch_id(absl::StrCat("b", i));
  return request;
}

TEST(RunBatchStreamsTest, EveryBatchIsAcknowledgedOnceAcrossStreams) {
  FakeService service;
  std::vector<int> acks(7, 0);
  BatchStreamOptions options;
  options.window = 2;
  ParallelRunResult run =
      RunBatchStreams<v1::WriteObservationsRequest, v1::WriteObservationsResponse>(
          7, 3, [&](grpc::ClientContext*) { return std::make_unique<FakeStream>(service); },
          NumberedBatch,
          [&](size_t i, const v1::WriteObservationsResponse& r) {
            EXPECT_EQ(r.batch_id(), absl::StrCat("b", i));
            ++acks[i];
          },
          options);
  ASSERT_TRUE(run.status.ok()) << run.status;
  EXPECT_THAT(acks, ::testing::Each(1));
  EXPECT_EQ(service.streams_opened, 3);
}

TEST(RunBatchStreamsTest, ARejectedBatchStopsEveryStreamAndIsNamed) {
  FakeService service;
  service.reject_id = "b4";
  BatchStreamOptions options;
  options.window = 1;
  ParallelRunResult run =
      RunBatchStreams<v1::WriteObservationsRequest, v1::WriteObservationsResponse>(
          40, 2, [&](grpc::ClientContext*) { return std::make_unique<FakeStream>(service); },
          NumberedBatch, [](size_t, const v1::WriteObservationsResponse&) {}, options);
  EXPECT_THAT(run.status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("row 0")));
  EXPECT_EQ(run.failed_batch, 4u);
  absl::MutexLock lock(&service.mu);
  EXPECT_LT(service.applied.size(), 40u);
}

}  // namespace
}  // namespace innoscope::clients
