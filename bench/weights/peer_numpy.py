#!/usr/bin/python3
"""The numpy peer of bench/weights: the same weights on the same files.

    /usr/bin/python3 bench/weights/peer_numpy.py DIR [REPEAT BEST_OF]

Reads DIR/data.csv and DIR/matrices.csv (written by `bench_weights
generate`; reading is not timed), times entropy, CRITIC and CV weights of the
whole table and AHP (principal eigenvector, lambda_max, CI, CR with Saaty's
RI) of every matrix, written the way a numpy user would: vectorised over the
table, one batched np.linalg.eig over the stack of matrices. Each sample runs
a computation REPEAT times; the time is the best of BEST_OF samples divided
by REPEAT (as the C++ side). Prints "peer method=<m> seconds=<s>".

It then compares its results with DIR/ours_<m>.txt, written by the C++ side,
and exits 1 if they differ by more than 1e-9 (relative to the largest
weight): a benchmark of two programs that compute different things would be
meaningless.
"""
import sys
import time

import numpy as np

SAATY_RI = [0, 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]


def unit_columns(x):
    lo = x.min(axis=0)
    hi = x.max(axis=0)
    return (x - lo) / (hi - lo)


def entropy(x):
    n = x.shape[0]
    u = unit_columns(x)
    p = u / u.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    d = 1.0 - e
    return d / d.sum()


def critic(x):
    u = unit_columns(x)
    sd = u.std(axis=0, ddof=1)
    r = np.corrcoef(u, rowvar=False)
    info = sd * (1.0 - r).sum(axis=0)
    return info / info.sum()


def cv(x):
    c = x.std(axis=0, ddof=1) / np.abs(x.mean(axis=0))
    return c / c.sum()


def ahp(stack):
    n = stack.shape[1]
    values, vectors = np.linalg.eig(stack)
    k = np.argmax(values.real, axis=1)
    idx = np.arange(stack.shape[0])
    lam = values.real[idx, k]
    w = np.abs(vectors.real[idx, :, k])
    w = w / w.sum(axis=1, keepdims=True)
    ci = (lam - n) / (n - 1)
    cr = ci / SAATY_RI[n]
    return w, lam, ci, cr


def best_time(repeat, best_of, body):
    best = float("inf")
    for _ in range(best_of):
        start = time.perf_counter()
        for _ in range(repeat):
            body()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best_of = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    with open(d + "/data.csv") as f:
        m = len(f.readline().split(",")) - 1
    x = np.loadtxt(d + "/data.csv", delimiter=",", skiprows=1, usecols=range(1, m + 1))
    rows = np.loadtxt(d + "/matrices.csv", delimiter=",")
    order = rows.shape[1]
    stack = rows.reshape(-1, order, order)

    ok = True
    for name, fn in (("entropy", entropy), ("critic", critic), ("cv", cv)):
        w = fn(x)
        ours = np.loadtxt(d + "/ours_" + name + ".txt")
        diff = np.max(np.abs(ours - w)) / np.max(np.abs(w))
        if not diff <= 1e-9:
            print("peer_numpy: %s weights differ from ours by %.3g" % (name, diff), file=sys.stderr)
            ok = False
        print("peer method=%s seconds=%.6g" % (name, best_time(repeat, best_of, lambda: fn(x))),
              flush=True)

    w, _, _, cr = ahp(stack)
    ours = np.loadtxt(d + "/ours_ahp.txt").reshape(stack.shape[0], order + 1)
    diff = max(np.max(np.abs(ours[:, :order] - w)), np.max(np.abs(ours[:, order] - cr)))
    if not diff <= 1e-9:
        print("peer_numpy: ahp weights or CR differ from ours by %.3g" % diff, file=sys.stderr)
        ok = False
    print("peer method=ahp seconds=%.6g" % best_time(repeat, best_of, lambda: ahp(stack)),
          flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
