#include "libs/scoring/ranking.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/index/data_matrix.h"

namespace innoscope::scoring {
namespace {

// above[i] = the number of keys[0..padded) greater than keys[i], for i < n;
// padded a multiple of 4. Four comparisons per step (GCC vector
// extensions; an AVX2 and a baseline build chosen at load time): up to
// kCountingRankLimit scores this beats sorting.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void CountAbove(const double* keys, size_t padded, size_t n, int* above) {
  typedef double V __attribute__((vector_size(32)));
  typedef int64_t I __attribute__((vector_size(32)));
  for (size_t i = 0; i < n; ++i) {
    const double key = keys[i];
    const V k = {key, key, key, key};
    // Two counts, over alternate vectors: two independent chains of
    // subtractions, not one (why: the one chain's latency bound the loop).
    I count = {0, 0, 0, 0};
    I other = {0, 0, 0, 0};
    size_t j = 0;
    for (; j + 8 <= padded; j += 8) {
      V x;
      V y;
      std::memcpy(&x, keys + j, sizeof x);
      std::memcpy(&y, keys + j + 4, sizeof y);
      count -= x > k;  // a true comparison is -1
      other -= y > k;
    }
    if (j < padded) {
      V x;
      std::memcpy(&x, keys + j, sizeof x);
      count -= x > k;
    }
    count += other;
    above[i] = static_cast<int>(count[0] + count[1] + count[2] + count[3]);
  }
}

}  // namespace

absl::Status ValidateRankOptions(const RankOptions& options) {
  if (options.decimals < -1 || options.decimals > 15) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank decimals must be in -1..15, got ", options.decimals));
  }
  if (!std::isfinite(options.tolerance) || options.tolerance < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank tolerance must be finite and >= 0, got ", options.tolerance));
  }
  return absl::OkStatus();
}

absl::Status CompetitionRanker::Rank(absl::Span<const double> scores, const RankOptions& options,
                                     absl::Span<int> ranks) {
  RETURN_IF_ERROR(ValidateRankOptions(options));
  if (ranks.size() != scores.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ranks: ", ranks.size(), " slots for ", scores.size(), " scores"));
  }
  const size_t n = scores.size();
  keys_.assign(scores.begin(), scores.end());
  if (options.decimals >= 0) {
    const double scale = std::pow(10.0, options.decimals);
    for (double& key : keys_) key = std::round(key * scale) / scale;
  }
  if (options.tolerance == 0 && n <= kCountingRankLimit) {
    // NaN (missing) compares false both ways: never counted as above; it
    // also pads the keys to whole vectors.
    keys_.resize((n + 3) / 4 * 4, index::kMissing);
    CountAbove(keys_.data(), keys_.size(), n, ranks.data());
    for (size_t i = 0; i < n; ++i) {
      ranks[i] = index::IsMissingValue(keys_[i]) ? kUnranked : ranks[i] + 1;
    }
    return absl::OkStatus();
  }
  if (options.tolerance == 0 && RankByQuantisedSort(ranks)) return absl::OkStatus();
  order_.clear();
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (size_t i = 0; i < n; ++i) {
    if (!index::IsMissingValue(keys_[i])) {
      order_.push_back({~index::AscendingKey(keys_[i]), static_cast<uint32_t>(i)});
      lo = std::min(lo, keys_[i]);
      hi = std::max(hi, keys_[i]);
    }
  }
  // The bucket sort needs a finite scale: a finite range that is not so
  // narrow (subnormal) that (m - 1) / (hi - lo) overflows.
  const double scale = static_cast<double>(order_.size() - 1) / (hi - lo);
  if (hi > lo && std::isfinite(hi - lo) && std::isfinite(scale)) {
    SortDescending(hi, scale);
  } else {
    index::RadixSortByKey(order_, buffer_);
  }
  std::fill(ranks.begin(), ranks.end(), kUnranked);
  double group_top = 0;
  int group_rank = 0;
  for (size_t pos = 0; pos < order_.size(); ++pos) {
    const double key = keys_[order_[pos].row];
    if (pos == 0 || group_top - key > options.tolerance) {
      group_top = key;
      group_rank = static_cast<int>(pos) + 1;
    }
    ranks[order_[pos].row] = group_rank;
  }
  return absl::OkStatus();
}

bool CompetitionRanker::RankByQuantisedSort(absl::Span<int> ranks) {
  size_t m = 0;
  if (!index::SortByQuantisedValue(keys_.data(), keys_.size(), quantised_, quantised_buffer_, m)) {
    return false;
  }
  std::fill(ranks.begin(), ranks.end(), kUnranked);
  // Descending: from the end of the ascending order.
  const double* keys = keys_.data();
  const index::QuantisedRow* a = quantised_.data();
  int group_rank = 0;
  double previous = 0;
  for (size_t d = 0; d < m; ++d) {
    const uint32_t row = a[m - 1 - d].row;
    const double key = keys[row];
    if (d == 0 || key < previous) group_rank = static_cast<int>(d) + 1;
    previous = key;
    ranks[row] = group_rank;
  }
  return true;
}

void CompetitionRanker::SortDescending(double hi, double scale) {
  // Bucket b holds the scores x with floor((hi - x) scale) = b: monotone in
  // x (a subtraction and a multiplication by a positive number round
  // monotonically), so the buckets are in descending order of score and
  // only a bucket's members need sorting by key among themselves. With m
  // buckets for m scores a bucket holds about one score unless the scores
  // cluster; a large bucket is sorted with std::sort, so the worst case is
  // O(m log m).
  const size_t m = order_.size();
  const double* keys = keys_.data();
  auto bucket = [&](uint32_t row) {
    return std::min(static_cast<size_t>((hi - keys[row]) * scale), m - 1);
  };
  bucket_start_.assign(m + 1, 0);
  for (const index::KeyedRow& r : order_) ++bucket_start_[bucket(r.row) + 1];
  for (size_t b = 0; b < m; ++b) bucket_start_[b + 1] += bucket_start_[b];
  buffer_.resize(m);
  // bucket_start_[b] runs to the end of bucket b while scattering.
  for (const index::KeyedRow& r : order_) buffer_[bucket_start_[bucket(r.row)]++] = r;
  auto by_key = [](const index::KeyedRow& a, const index::KeyedRow& b) { return a.key < b.key; };
  size_t begin = 0;
  for (size_t b = 0; b < m; ++b) {
    const size_t end = bucket_start_[b];
    if (end - begin > 16) {
      std::sort(buffer_.begin() + begin, buffer_.begin() + end, by_key);
    } else {
      for (size_t i = begin + 1; i < end; ++i) {  // insertion sort
        const index::KeyedRow r = buffer_[i];
        size_t j = i;
        for (; j > begin && r.key < buffer_[j - 1].key; --j) buffer_[j] = buffer_[j - 1];
        buffer_[j] = r;
      }
    }
    begin = end;
  }
  order_.swap(buffer_);
}

absl::StatusOr<std::vector<int>> CompetitionRanks(absl::Span<const double> scores,
                                                  const RankOptions& options) {
  std::vector<int> ranks(scores.size(), kUnranked);
  CompetitionRanker ranker;
  RETURN_IF_ERROR(ranker.Rank(scores, options, absl::MakeSpan(ranks)));
  return ranks;
}

absl::StatusOr<std::vector<int>> CompetitionRanksWithin(absl::Span<const double> scores,
                                                        absl::Span<const int> members,
                                                        const RankOptions& options) {
  std::vector<double> masked(scores.size(), index::kMissing);
  std::vector<bool> seen(scores.size(), false);
  for (int member : members) {
    if (member < 0 || static_cast<size_t>(member) >= scores.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "sub-universe member ", member, " is out of range (", scores.size(), " regions)"));
    }
    if (seen[member]) {
      return absl::InvalidArgumentError(
          absl::StrCat("sub-universe member ", member, " is listed twice"));
    }
    seen[member] = true;
    masked[member] = scores[member];
  }
  return CompetitionRanks(masked, options);
}

}  // namespace innoscope::scoring
