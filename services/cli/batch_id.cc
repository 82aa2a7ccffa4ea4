#include "services/cli/batch_id.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace innoscope::cli {
namespace {

// FNV-1a 128-bit parameters.
constexpr absl::uint128 kOffsetBasis =
    absl::MakeUint128(0x6c62272e07bb0142ULL, 0x62b821756295c58dULL);
constexpr absl::uint128 kPrime = absl::MakeUint128(0x0000000001000000ULL, 0x000000000000013BULL);

void AddFixed(BatchHasher& hasher, uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  hasher.AddBytes(absl::string_view(bytes, sizeof(bytes)));
}

}  // namespace

BatchHasher::BatchHasher() : state_(kOffsetBasis) {}

void BatchHasher::AddBytes(absl::string_view bytes) {
  for (unsigned char c : bytes) {
    state_ ^= c;
    state_ *= kPrime;
  }
}

void BatchHasher::AddString(absl::string_view text) {
  AddFixed(*this, text.size());
  AddBytes(text);
}

void BatchHasher::AddInt(int64_t value) { AddFixed(*this, static_cast<uint64_t>(value)); }

void BatchHasher::AddDouble(double value) {
  uint64_t bits = 0;
  static_assert(sizeof(bits) == sizeof(value));
  std::memcpy(&bits, &value, sizeof(bits));
  AddFixed(*this, bits);
}

void BatchHasher::AddOptionalDouble(bool present, double value) {
  AddBytes(present ? absl::string_view("\1", 1) : absl::string_view("\0", 1));
  if (present) AddDouble(value);
}

std::string BatchHasher::Hex() const {
  return absl::StrFormat("%016x%016x", absl::Uint128High64(state_), absl::Uint128Low64(state_));
}

std::string BatchHasher::BatchId(absl::string_view prefix) const {
  return absl::StrCat(prefix, "-", Hex());
}

}  // namespace innoscope::cli
