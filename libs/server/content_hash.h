#pragma once

// Ids derived from content: the same message always hashes to the same id,
// so a request re-sent or re-computed on unchanged data is recognised as the
// same thing (batch ids, run ids). Serialisation is protobuf's deterministic
// mode (map entries sorted); the hash is 64-bit FNV-1a (Fowler, Noll, Vo).
// Not cryptographic: the ids guard against accidents, not adversaries.
//
//   std::string id = absl::StrCat("run-", ContentHashHex(request, "|v7"));

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace innoscope::server {

// The message's deterministic wire encoding.
std::string DeterministicBytes(const google::protobuf::Message& message);

// 64-bit FNV-1a of `bytes`.
uint64_t Fnv1a64(absl::string_view bytes);

// 16 lower-case hex digits of Fnv1a64(DeterministicBytes(message) + suffix).
std::string ContentHashHex(const google::protobuf::Message& message, absl::string_view suffix = "");

}  // namespace innoscope::server
