#!/usr/bin/env python3
"""The CSV benchmark's Python peer (bench/csv/run.sh): reads the same file with
Python's csv module (its C reader, _csv) into lists of field strings.

    peer_python.py FILE [REPEAT=3] [BEST_OF=3]
    -> python seconds=S rows=N fields=F bytes=B

The file is read and decoded once, untimed; seconds is the best of BEST_OF
timings of REPEAT whole reads, divided by REPEAT. The counts (rows after the
header, fields, field bytes in UTF-8) are taken in an untimed pass.
"""

import csv
import io
import sys
import time


def read(text):
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(rows)  # the header
    n = 0
    for _ in rows:
        n += 1
    return n


def main():
    path = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best_of = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    best = float("inf")
    for _ in range(best_of):
        start = time.perf_counter()
        for _ in range(repeat):
            read(text)
        best = min(best, (time.perf_counter() - start) / repeat)
    rows = fields = size = 0
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    for row in reader:
        rows += 1
        fields += len(row)
        size += sum(len(field.encode("utf-8")) for field in row)
    print("python seconds=%.6f rows=%d fields=%d bytes=%d" % (best, rows, fields, size))


if __name__ == "__main__":
    main()
