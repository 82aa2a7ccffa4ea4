#include "libs/graph/multi_source_bfs.h"

#include <algorithm>

namespace innoscope::graph {
namespace {

constexpr int kWords = MultiSourceBfs::kWords;
static_assert(kWords == 4, "RunBatch's expansion loop is written out for four words");

// Popcount of the four words.
inline int64_t Count(const uint64_t* w) {
  int64_t c = 0;
  for (int i = 0; i < kWords; ++i) c += __builtin_popcountll(w[i]);
  return c;
}

// The search itself, on raw arrays of kWords words per node. Compiled twice
// (target_clones, dispatched once per call by the loader's ifunc): for
// x86-64-v3 (AVX2 words, the POPCNT instruction) and the baseline, so the
// Debian build runs anywhere and uses the wide instructions where present.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
MultiSourceBfs::Totals
RunBatch(const int64_t* offsets, const NodeId* targets, NodeId n, const NodeId* sources, int k,
         uint64_t* seen, uint64_t* frontier, uint64_t* next, std::vector<NodeId>& active,
         int32_t* eccentricity) {
  const size_t words = static_cast<size_t>(n) * kWords;
  std::fill(seen, seen + words, 0);
  std::fill(frontier, frontier + words, 0);
  std::fill(next, next + words, 0);
  active.clear();
  for (int i = 0; i < k; ++i) {
    const uint64_t bit = uint64_t{1} << (i & 63);
    const size_t at = static_cast<size_t>(sources[i]) * kWords + (i >> 6);
    seen[at] |= bit;
    frontier[at] |= bit;
    active.push_back(sources[i]);
    eccentricity[i] = 0;
  }
  MultiSourceBfs::Totals totals;
  for (int64_t level = 1; !active.empty(); ++level) {
    // Expand: every edge out of an active node ORs its frontier bits into
    // the head's next bits.
    for (NodeId u : active) {
      const uint64_t* f = frontier + static_cast<size_t>(u) * kWords;
      uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3];
      for (int64_t e = offsets[u]; e < offsets[u + 1]; ++e) {
        uint64_t* x = next + static_cast<size_t>(targets[e]) * kWords;
        x[0] |= f0;
        x[1] |= f1;
        x[2] |= f2;
        x[3] |= f3;
      }
    }
    // Settle: the new bits of each node become its frontier.
    active.clear();
    uint64_t any[kWords] = {0, 0, 0, 0};
    int64_t found = 0;
    for (NodeId v = 0; v < n; ++v) {
      uint64_t* x = next + static_cast<size_t>(v) * kWords;
      uint64_t* s = seen + static_cast<size_t>(v) * kWords;
      uint64_t* f = frontier + static_cast<size_t>(v) * kWords;
      uint64_t fresh[kWords];
      uint64_t nonzero = 0;
      for (int w = 0; w < kWords; ++w) {
        fresh[w] = x[w] & ~s[w];
        x[w] = 0;
        s[w] |= fresh[w];
        f[w] = fresh[w];
        any[w] |= fresh[w];
        nonzero |= fresh[w];
      }
      if (nonzero != 0) {
        active.push_back(v);
        found += Count(fresh);
      }
    }
    totals.distance_sum += level * found;
    totals.reached += found;
    for (int w = 0; w < kWords; ++w) {
      for (uint64_t bits = any[w]; bits != 0; bits &= bits - 1) {
        eccentricity[w * 64 + __builtin_ctzll(bits)] = static_cast<int32_t>(level);
      }
    }
  }
  return totals;
}

}  // namespace

MultiSourceBfs::MultiSourceBfs(NodeId num_nodes)
    : seen_(static_cast<size_t>(num_nodes) * kWords),
      frontier_(static_cast<size_t>(num_nodes) * kWords),
      next_(static_cast<size_t>(num_nodes) * kWords) {}

MultiSourceBfs::Totals MultiSourceBfs::Run(const CompactAdjacency& adjacency,
                                           absl::Span<const NodeId> sources,
                                           int32_t* eccentricity) {
  const NodeId n = static_cast<NodeId>(seen_.size() / kWords);
  const int k = static_cast<int>(std::min<size_t>(sources.size(), kBatch));
  active_.reserve(static_cast<size_t>(n));
  return RunBatch(adjacency.offsets.data(), adjacency.targets.data(), n, sources.data(), k,
                  seen_.data(), frontier_.data(), next_.data(), active_, eccentricity);
}

}  // namespace innoscope::graph
