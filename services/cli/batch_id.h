#pragma once

// Deterministic batch ids for streamed imports. The ingest service applies a
// batch id at most once and answers a re-sent one with replayed = true, so an
// id derived from the batch's content (and from everything else that decides
// what gets stored: kind, framework, default source) makes an interrupted
// import safe to re-run: committed batches are replayed, the rest written.
//
// The digest is 128-bit FNV-1a (Fowler, Noll, Vo; the parameters of
// http://www.isthe.com/chongo/tech/comp/fnv/) over an unambiguous encoding:
// every string is length-prefixed, numbers are fixed-width little-endian.
// A collision would make the service skip a batch as "already applied", so
// the digest is 128 bits wide: accidental collisions are out of reach
// (birthday bound ~2^64 batches). O(bytes) time, O(1) memory.
//
//   BatchHasher h;
//   h.AddString("observations");
//   h.AddString(framework_code);
//   for (const Row& r : batch) { h.AddString(r.region); h.AddDouble(r.value); }
//   std::string id = h.BatchId("obs");  // "obs-6c62272e07bb014262b821756295c58d"

#include <cstdint>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"

namespace innoscope::cli {

class BatchHasher {
 public:
  BatchHasher();

  void AddBytes(absl::string_view bytes);
  // Length-prefixed, so ("ab","c") and ("a","bc") differ.
  void AddString(absl::string_view text);
  void AddInt(int64_t value);
  // The IEEE-754 bit pattern: 0.0 and -0.0 differ, as they do in storage.
  void AddDouble(double value);
  void AddOptionalDouble(bool present, double value);

  absl::uint128 Digest() const { return state_; }
  // 32 lower-case hex digits of the digest.
  std::string Hex() const;
  // "<prefix>-<32 hex digits>" (at most 128 characters for prefixes under 95).
  std::string BatchId(absl::string_view prefix) const;

 private:
  absl::uint128 state_;
};

}  // namespace innoscope::cli
