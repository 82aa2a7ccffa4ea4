#!/usr/bin/python3
"""The numpy peer of bench/scoring: the same scoring on the same files.

    /usr/bin/python3 bench/scoring/peer_numpy.py pipeline DIR [BEST_OF]
    /usr/bin/python3 bench/scoring/peer_numpy.py mc DIR REPLICATES LEVELS [BEST_OF]

Reads DIR/framework.csv (COINr iMeta) and DIR/data.csv (wide, empty cells
missing), written by `bench_scoring generate`; reading is not timed. Then
does what bench_scoring does, with the benchmark's spec (see the top of
bench_scoring.cc; keep both in step):

  pipeline  column-mean imputation; COINr outlier treatment (|skew| >= 2 and
            excess kurtosis >= 3.5 fail: winsorise one step at a time on the
            side of the skew, up to 5 points, else log-transform the original
            values, mirrored for a left tail); min-max onto [1, 100] with the
            framework's directions; weighted arithmetic means up the tree
            with the framework's weights (relative to siblings); competition
            ranks ("1224") at every node.
  mc        the same preparation once (imputation and treatment are not
            varied), then REPLICATES Monte Carlo replicates: the weight of
            every node with siblings at LEVELS (e.g. "1,2,3") times its own
            U(0.75, 1.25); the normalisation one of min-max, rank ("1 + the
            number of values below") and percentile rank, the aggregation
            arithmetic or geometric at every level, equally likely; the
            replicate's composite ranks; per region the mean, median, 5th and
            95th percentile rank (type 7) and the nominal score and rank.

It is written the way a numpy user would write it: vectorised over regions
and indicators (the outlier treatment over every indicator at once, one
winsorisation step per pass), the three normalisations of the treated data
computed once, replicates in batches: the first aggregation (leaves into
groups, the bulk of the work) as one matrix product per group over a whole
batch of replicates, the levels above by broadcasting and np.add.reduceat,
ranks by one argsort per batch, percentiles by np.percentile. Its random
numbers come from numpy's generator, not from ours: the intervals agree in
distribution, not draw for draw.

Each case is timed as the best of BEST_OF runs (default 3) and printed as
"peer case=<case> seconds=<s> threads=1 cpu_seconds=<c>" (c: the least CPU
time of a run, for the CPU ratio; one thread: run.sh sets
OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS to 1). It then checks the results against
DIR/ours_pipeline.csv or DIR/ours_mc.csv, written by bench_scoring: the
composite scores must agree to 1e-9 and the ranks exactly (Monte Carlo: the
nominal ones, and the mean 5-95% interval width within a factor 1.5), else it
exits 1: a benchmark of two programs that compute different things would be
meaningless.
"""
import csv
import sys
import time

import numpy as np

SEED = 20261123
LOWER, UPPER = 1.0, 100.0
SKEW_THRESHOLD, KURTOSIS_THRESHOLD, MAX_WINSORISED = 2.0, 3.5, 5
FRACTION = 0.25
BATCH_CELLS = 1 << 23  # doubles in a batch's group-score array (64 MB)


class Tree:
    """The framework: nodes by level, and per level the parent blocks."""

    def __init__(self, path):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        self.codes = [r["iCode"] for r in rows]
        ids = {c: i for i, c in enumerate(self.codes)}
        level = [int(r["Level"]) for r in rows]
        self.top = max(level)
        weight = np.array([float(r["Weight"]) if r["Weight"] not in ("", "NA") else 1.0
                           for r in rows])
        parent = [ids[r["Parent"]] if r["Parent"] not in ("", "NA") else -1 for r in rows]
        children = [[] for _ in rows]
        for i, p in enumerate(parent):
            if p >= 0:
                children[p].append(i)
        # Nodes at each level in file order; a level's values are kept in
        # this order.
        self.at_level = {k: [i for i in range(len(rows)) if level[i] == k]
                         for k in range(1, self.top + 1)}
        self.position = {}
        for k, nodes in self.at_level.items():
            for pos, i in enumerate(nodes):
                self.position[i] = pos
        # For level k >= 2: the children of its nodes, parent by parent, as
        # positions in level k - 1, and where each parent's block starts.
        self.blocks = {}
        for k in range(2, self.top + 1):
            order, starts, sizes = [], [], []
            for p in self.at_level[k]:
                if any(level[c] != k - 1 for c in children[p]):
                    sys.exit("peer_numpy: the peer needs every child one level below its parent")
                starts.append(len(order))
                sizes.append(len(children[p]))
                order.extend(self.position[c] for c in children[p])
            self.blocks[k] = (np.array(order), np.array(starts), np.array(sizes))
        self.leaf_codes = [self.codes[i] for i in self.at_level[1]]
        self.direction = np.array([int(rows[i]["Direction"] or 1) for i in self.at_level[1]],
                                  dtype=float)
        self.weight = {k: weight[self.at_level[k]] for k in range(1, self.top + 1)}
        # Nodes whose weight can move a score: those with a sibling.
        self.has_sibling = {k: np.array([len(children[parent[i]]) > 1 if parent[i] >= 0
                                         else False for i in self.at_level[k]])
                            for k in range(1, self.top + 1)}


def read_data(path, leaf_codes):
    with open(path) as f:
        header = f.readline().strip().split(",")
    columns = [header.index(c) for c in leaf_codes]
    x = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=columns, dtype=float,
                      missing_values="", filling_values=np.nan)
    regions = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=[0], dtype=str)
    return regions, x.reshape(len(regions), len(leaf_codes))


# ------------------------------------------------------------ preparation

def skew_kurtosis(x):
    """Excel SKEW and KURT of every column (no missing values)."""
    n = x.shape[0]
    d = x - x.mean(axis=0)
    d2 = d * d
    m2 = d2.sum(axis=0)
    m3 = (d2 * d).sum(axis=0)
    m4 = (d2 * d2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = m2 / (n - 1)
        s = np.sqrt(s2)
        skew = n / ((n - 1) * (n - 2)) * (m3 / (s * s * s))
        kurt = (n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * (m4 / (s2 * s2))
                - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    undefined = ~(m2 > 0)
    skew[undefined] = np.nan
    kurt[undefined] = np.nan
    return skew, kurt


def fails(skew, kurt):
    return (np.abs(skew) >= SKEW_THRESHOLD) & (kurt >= KURTOSIS_THRESHOLD)  # NaN: passes


def treat_outliers(x):
    """COINr Treat() on every column at once (one winsorisation step per pass)."""
    out = x.copy()
    skew0, kurt0 = skew_kurtosis(x)
    failing = fails(skew0, kurt0)
    skew = skew0.copy()
    moved_high = np.zeros(x.shape[1], dtype=int)
    moved_low = np.zeros(x.shape[1], dtype=int)
    active = failing.copy()
    while True:
        cols = np.nonzero(active & (moved_high + moved_low < MAX_WINSORISED))[0]
        if cols.size == 0:
            break
        sub = out[:, cols]
        high = skew[cols] >= 0
        extreme = np.where(high, sub.max(axis=0), sub.min(axis=0))
        at = sub == extreme
        others = np.where(at, np.where(high, -np.inf, np.inf), sub)
        nxt = np.where(high, others.max(axis=0), others.min(axis=0))
        can = ~at.all(axis=0)
        sub = np.where(at & can, nxt, sub)
        out[:, cols] = sub
        moved = at.sum(axis=0)
        moved_high[cols] = np.where(high & can, moved, moved_high[cols])
        moved_low[cols] = np.where(~high & can, moved, moved_low[cols])
        s, k = skew_kurtosis(sub)
        skew[cols] = np.where(can, s, skew[cols])
        failing[cols] = np.where(can, fails(s, k), failing[cols])
        active[cols] = can & failing[cols]
    logged = np.nonzero(failing)[0]
    if logged.size:
        orig = x[:, logged]
        lo, hi = orig.min(axis=0), orig.max(axis=0)
        a = 0.01 * (hi - lo)
        mirror = ~(skew0[logged] > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, logged] = np.where(mirror, -np.log(hi + a - orig), np.log(orig - lo + a))
    return out


def prepare(x, tree):
    """Imputed and treated leaves, oriented ("more is better")."""
    mean = np.nanmean(x, axis=0)
    x = np.where(np.isnan(x), mean, x)
    return treat_outliers(x) * tree.direction


def count_below(v):
    """Per column, the number of values strictly below each value."""
    order = np.argsort(v, axis=0, kind="stable")
    s = np.take_along_axis(v, order, axis=0)
    pos = np.broadcast_to(np.arange(v.shape[0])[:, None], v.shape)
    new = np.ones(v.shape, dtype=bool)
    new[1:] = s[1:] != s[:-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=0)
    below = np.empty_like(order)
    np.put_along_axis(below, order, first, axis=0)
    return below


def competition_ranks(scores):
    """Ranks along axis 0, 1 = highest, ties share the best rank ("1224")."""
    return 1 + count_below(-scores)


def normalise(v, method):
    lo, hi = v.min(axis=0), v.max(axis=0)
    span = UPPER - LOWER
    if method == "minmax":
        return LOWER + (v - lo) / (hi - lo) * span
    below = count_below(v).astype(float)
    if method == "rank":
        return 1.0 + below
    return LOWER + span * below / (v.shape[0] - 1)  # percentile rank


# ------------------------------------------------------------ aggregation

def local_weights(w, k, tree):
    """Weights of level k - 1 (last axis) in block order, over their sums."""
    order, starts, sizes = tree.blocks[k]
    wo = w[..., order]
    return wo / np.repeat(np.add.reduceat(wo, starts, axis=-1), sizes, axis=-1)


def aggregate_up(v, w, k, tree, geometric):
    """Level k from level k - 1 values v (..., n) with weights w (..., n)."""
    order, starts, _ = tree.blocks[k]
    wn = local_weights(w, k, tree)
    if geometric:
        return np.exp(np.add.reduceat(np.log(v[..., order]) * wn, starts, axis=-1))
    return np.add.reduceat(v[..., order] * wn, starts, axis=-1)


def all_node_scores(leaves, tree):
    """Nominal scores of every level: {level: (R, nodes at level)}."""
    scores = {1: leaves}
    for k in range(2, tree.top + 1):
        scores[k] = aggregate_up(scores[k - 1], tree.weight[k - 1], k, tree, False)
    return scores


class LeafBlocks:
    """Leaves of one normalisation in group order, with their logarithms."""

    def __init__(self, normalised, tree):
        order, starts, sizes = tree.blocks[2]
        self.values = np.ascontiguousarray(normalised[:, order])
        self.logs = np.log(self.values)
        self.slices = [slice(s, s + n) for s, n in zip(starts, sizes)]


def group_scores(leaves, leaf_weights, tree, geometric):
    """Scores (groups, R, B) of the leaves' parents: leaf_weights (B, leaves)."""
    r = leaves.values.shape[0]
    b = leaf_weights.shape[0]
    wn = local_weights(leaf_weights, 2, tree)  # (B, leaves) in group order
    x = leaves.logs if geometric else leaves.values
    v = np.empty((len(leaves.slices), r, b))
    for g, sl in enumerate(leaves.slices):
        np.matmul(x[:, sl], wn[:, sl].T, out=v[g])
    if geometric:
        np.exp(v, out=v)
    return v


def composite_batch(leaves, weights, tree, geometric, groups=None):
    """Composite scores (R, B) of B replicates: weights {level: (B, nodes)}.

    Node scores are kept as (nodes, R, B) so that every level above the
    groups works on whole contiguous (R, B) slabs. `groups`: the group
    scores (groups, R, 1) when the leaf weights are the same in every
    replicate (computed once, broadcast over the batch)."""
    v = groups if groups is not None else group_scores(leaves, weights[1], tree, geometric)
    for k in range(3, tree.top + 1):
        order, starts, _ = tree.blocks[k]
        wk = local_weights(weights[k - 1], k, tree).T[:, None, :]  # (children, 1, B)
        x = np.log(v) if geometric else v
        v = np.add.reduceat(x[order] * wk, starts, axis=0)
        if geometric:
            np.exp(v, out=v)
    return v[0]


# ------------------------------------------------------------ the cases

def run_pipeline(x, tree):
    leaves = normalise(prepare(x, tree), "minmax")
    scores = all_node_scores(leaves, tree)
    stacked = np.concatenate([scores[k] for k in range(1, tree.top + 1)], axis=1)
    ranks = competition_ranks(stacked)
    return scores[tree.top][:, 0], ranks[:, -1]


def run_mc(x, tree, replicates, levels):
    oriented = prepare(x, tree)
    methods = ("minmax", "rank", "percentile")
    blocks = [LeafBlocks(normalise(oriented, m), tree) for m in methods]
    nominal_weights = {k: tree.weight[k][None, :] for k in range(1, tree.top)}
    nominal = composite_batch(blocks[0], nominal_weights, tree, False)[:, 0]
    nominal_rank = competition_ranks(nominal[:, None])[:, 0]

    # Draws: one U(0, 1) per perturbed node, then the two choices.
    perturbed = {k: np.nonzero(tree.has_sibling[k])[0] if k in levels else np.array([], int)
                 for k in range(1, tree.top)}
    k_factors = sum(p.size for p in perturbed.values()) + 2
    u = np.random.default_rng(SEED).random((replicates, k_factors))
    weights, col = {}, 0
    for k in range(1, tree.top):
        w = np.repeat(tree.weight[k][None, :], replicates, axis=0)
        p = perturbed[k]
        w[:, p] *= (1 - FRACTION) + 2 * FRACTION * u[:, col:col + p.size]
        col += p.size
        weights[k] = w
    normalisation = np.floor(u[:, col] * len(methods)).astype(int)
    geometric = np.floor(u[:, col + 1] * 2).astype(int) == 1

    r = x.shape[0]
    batch = max(1, BATCH_CELLS // (r * len(blocks[0].slices)))
    ranks = np.empty((r, replicates), dtype=np.int64)
    # Leaf weights not perturbed: the group scores of each normalisation and
    # aggregation are the same in every replicate, so they are computed once
    # (ours does the same; docs in bench/README.md).
    fixed_leaves = perturbed[1].size == 0
    for m in range(len(methods)):
        for geo in (False, True):
            chosen = np.nonzero((normalisation == m) & (geometric == geo))[0]
            groups = (group_scores(blocks[m], tree.weight[1][None, :], tree, geo)
                      if fixed_leaves and chosen.size else None)
            for start in range(0, chosen.size, batch):
                idx = chosen[start:start + batch]
                w = {k: weights[k][idx] for k in weights}
                ranks[:, idx] = competition_ranks(
                    composite_batch(blocks[m], w, tree, geo, groups))
    q05, median, q95 = np.percentile(ranks, [5, 50, 95], axis=1)
    return nominal, nominal_rank, ranks.mean(axis=1), median, q05, q95, k_factors


# ------------------------------------------------------------ checks

def read_ours(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {key: np.array([float(r[key]) for r in rows]) for key in rows[0] if key != "region"}


def best_time(best_of, body):
    """Best wall-clock seconds of best_of runs, the result, and the least CPU
    seconds (time.process_time) of a run, read alongside, for the CPU ratio."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(best_of):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = body()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, result, best_cpu


def compare(what, ours_scores, ours_ranks, scores, ranks):
    diff = np.max(np.abs(ours_scores - scores))
    mismatched = int(np.sum(ours_ranks != ranks))
    print("peer %s: composite scores differ from ours by at most %.3g, %d rank(s) differ"
          % (what, diff, mismatched), file=sys.stderr)
    return diff < 1e-9 and mismatched == 0


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("pipeline", "mc"):
        sys.exit(__doc__)
    mode, d = sys.argv[1], sys.argv[2]
    tree = Tree(d + "/framework.csv")
    _, x = read_data(d + "/data.csv", tree.leaf_codes)
    if mode == "pipeline":
        best_of = int(sys.argv[3]) if len(sys.argv) > 3 else 3
        seconds, (scores, ranks), cpu = best_time(best_of, lambda: run_pipeline(x, tree))
        print("peer case=pipeline seconds=%.6g threads=1 cpu_seconds=%.6g" % (seconds, cpu),
              flush=True)
        ours = read_ours(d + "/ours_pipeline.csv")
        sys.exit(0 if compare("pipeline", ours["score"], ours["rank"], scores, ranks) else 1)

    replicates = int(sys.argv[3])
    levels = {int(v) for v in sys.argv[4].split(",") if v}
    best_of = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    seconds, result, cpu = best_time(best_of, lambda: run_mc(x, tree, replicates, levels))
    nominal, nominal_rank, mean, median, q05, q95, k_factors = result
    print("peer case=mc seconds=%.6g threads=1 factors=%d cpu_seconds=%.6g"
          % (seconds, k_factors, cpu), flush=True)
    ours = read_ours(d + "/ours_mc.csv")
    ok = compare("mc nominal", ours["nominal_score"], ours["nominal_rank"], nominal, nominal_rank)
    width_ours = np.mean(ours["p95_rank"] - ours["p05_rank"])
    width_peer = np.mean(q95 - q05)
    shift = np.mean(np.abs(ours["median_rank"] - median))
    print("peer mc: mean 5-95%% interval width %.3f ours, %.3f peer; median ranks differ by "
          "%.3f on average (independent random streams)" % (width_ours, width_peer, shift),
          file=sys.stderr)
    if not (width_ours / 1.5 <= width_peer <= width_ours * 1.5):
        print("peer mc: the interval widths are not of the same size", file=sys.stderr)
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
