#!/usr/bin/env python3
"""NumPy side of scripts/bench-similar: exact top-k for one query by cosine.

  bench_similar.py generate --rows N --dim D --seed S --out FILE
  bench_similar.py bench --file FILE --dim D [--k K] [--repeats R] [--query-row I]
  bench_similar.py table NUMPY.json LOUPE.json

generate writes N x D seeded standard-normal float32 values (raw little-endian, row-major) in
chunks, so the file never has to fit in memory twice. bench normalises the rows once (timed
apart), then times `s = v @ q`, `np.argpartition(-s, k)` and a sort of the k best (ties by
index), median of R runs, and prints one JSON object. table prints the markdown comparison.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np


def generate(args):
    rng = np.random.default_rng(args.seed)
    chunk = 50_000
    with open(args.out, "wb") as f:
        for start in range(0, args.rows, chunk):
            n = min(chunk, args.rows - start)
            rng.standard_normal((n, args.dim), dtype=np.float32).tofile(f)


def bench(args):
    t = time.perf_counter()
    v = np.fromfile(args.file, dtype="<f4").reshape(-1, args.dim)
    load_s = time.perf_counter() - t
    query = v[args.query_row].copy()

    t = time.perf_counter()
    norms = np.linalg.norm(v, axis=1)
    ok = (norms > 0) & np.isfinite(norms)
    v /= np.where(ok, norms, 1.0)[:, None]
    v[~ok] = 0.0
    normalise_s = time.perf_counter() - t

    k = args.k
    times = []
    top = None
    for _ in range(args.repeats):
        t = time.perf_counter()
        q = query / np.linalg.norm(query)
        s = v @ q
        idx = np.argpartition(-s, k)[:k]
        top = idx[np.lexsort((idx, -s[idx]))]
        times.append(time.perf_counter() - t)
    print(json.dumps({
        "tool": "numpy", "numpy": np.__version__, "rows": v.shape[0], "dim": args.dim, "k": k,
        "load_s": load_s, "normalise_s": normalise_s,
        "topk_median_s": statistics.median(times), "topk_times_s": times,
        "top10": [int(i) for i in top[:10]],
    }))


def table(args):
    with open(args.numpy) as f:
        npy = json.load(f)
    with open(args.loupe) as f:
        lp = json.load(f)
    same = npy["top10"] == lp["top10"]
    print(f"{npy['rows']:,} x {npy['dim']} float32, top-{npy['k']} for one query "
          f"(median of runs); Loupe on {lp['threads']} rayon threads\n")
    print("| step | NumPy | Loupe | Loupe / NumPy |")
    print("|---|---:|---:|---:|")
    for key, name in (("normalise_s", "normalise once"), ("topk_median_s", "top-k, one query")):
        a, b = npy[key], lp[key]
        print(f"| {name} | {a * 1e3:.1f} ms | {b * 1e3:.1f} ms | {b / a:.2f} |")
    print(f"\nSame top-10 rows: {'yes' if same else 'NO'}")
    if not same:
        print(f"NumPy {npy['top10']}\nLoupe {lp['top10']}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--rows", type=int, required=True)
    g.add_argument("--dim", type=int, required=True)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--out", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--file", required=True)
    b.add_argument("--dim", type=int, required=True)
    b.add_argument("--k", type=int, default=100)
    b.add_argument("--repeats", type=int, default=5)
    b.add_argument("--query-row", type=int, default=0)
    t = sub.add_parser("table")
    t.add_argument("numpy")
    t.add_argument("loupe")
    args = p.parse_args()
    {"generate": generate, "bench": bench, "table": table}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
