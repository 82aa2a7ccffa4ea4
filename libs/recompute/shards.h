#pragma once

// Work items of a sharded recompute run (innoscope-recompute --shard_index I
// --shard_count N, a Kubernetes Indexed Job) and which shard does each:
// deterministic, so every shard of a run computes the same list and takes
// its own share without talking to the others. Reference:
// docs/operations.md, "Sharding".
//
// Of the indices the run recomputes (`recompute[i]`, config order):
//
//   network      one item per (index, period) of every index with derived
//                indicators, periods ascending; item k of this list goes to
//                shard k mod N
//   scores       one item per (index, period) of every recomputed index:
//                the period's weights (data-driven methods) and its score
//                run; item k of this list goes to shard k mod N
//   uncertainty  B = min(N, R) Monte Carlo blocks per index with R =
//                monte_carlo_runs > 0, block b (0..B-1) the replicates
//                [floor(b R / B), floor((b + 1) R / B)) of the last period's
//                run (scoring ComputeUncertaintyRequest.block); item k of
//                this list (indices in config order, blocks ascending) goes
//                to shard k mod N. The shard that publishes then assembles
//                each index's analysis from its blocks (a call without a
//                block), which equals the unsharded analysis exactly
//
// Every network item is done before any scores item starts (the shards
// wait for each other there), because ingest's data versions, which every
// score run records and its id is derived from, move while derived
// indicators are written.
//
//   std::vector<WorkItem> items = WorkItems(config, recompute, /*shard_count=*/3);
//   for (const WorkItem& item : items) if (item.shard == my_index) { ... }
//
// Pure: no I/O.

#include <cstdint>
#include <string>
#include <vector>

#include "libs/recompute/config.h"

namespace innoscope::recompute {

// The steps of a sharded run that are split into work items, in run order.
enum class ItemStep { kNetwork, kScores, kUncertainty };

// "network", "scores", "uncertainty".
const char* ItemStepName(ItemStep step);

struct WorkItem {
  ItemStep step = ItemStep::kNetwork;
  size_t index = 0;         // in config.indices
  std::string entry_key;    // EntryKey of the index
  int period = 0;           // uncertainty: the last period
  int64_t block_first = 0;  // uncertainty: the block's first replicate
  int64_t block_count = 0;  // uncertainty: its replicates
  int ordinal = 0;          // k: position in the step's list
  int shard = 0;            // the shard that does it, 0..N-1
};

// Every work item of a run, network items first, then scores, then
// uncertainty; `recompute` has one flag per config index. shard_count >= 1.
std::vector<WorkItem> WorkItems(const RecomputeConfig& config, const std::vector<bool>& recompute,
                                int shard_count);

}  // namespace innoscope::recompute
