#!/usr/bin/env python3
"""umap-learn's side of `scripts/bench-umap`: one timed run, cold or warm.

Reads the input `loupe-bench prepare` wrote (the same PCA-50 matrix Loupe embeds) and runs
`umap.UMAP()` with every parameter at its default, as a user would (no random_state, so
umap-learn keeps its parallel SGD; `NUMBA_NUM_THREADS` sets its threads). Writes
`{out}/umap-learn-{mode}-umap-{run}.json` (time, peak RSS) and `.f32` (the layout, N x 2) for
`loupe-bench umap-report` to score with the same code as Loupe's layout.

* `--mode cold`: the timer starts before `import umap`, so it includes importing umap-learn,
  pynndescent and numba and compiling their jitted functions; run it in a fresh process with
  an empty `NUMBA_CACHE_DIR` (the shell script does) so nothing comes from numba's disk
  cache.
* `--mode warm`: one untimed `fit_transform` on the same data first (compiles everything),
  then the timed one. Peak RSS then covers both fits.
"""

import argparse
import json
import os
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
from bench_input import load_prepared, peak_rss_mib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["cold", "warm"], required=True)
    ap.add_argument("--data", default="bench-out/data")
    ap.add_argument("--out", default="bench-out/umap-runs")
    ap.add_argument("--run", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    x = load_prepared(args.data)
    if args.mode == "cold":
        start = T0
        import umap  # noqa: F401  (timed: importing compiles part of umap-learn)
    else:
        import umap
        umap.UMAP().fit_transform(x)
        start = time.perf_counter()
    layout = umap.UMAP().fit_transform(x)
    total = time.perf_counter() - start

    tool = f"umap-learn-{args.mode}"
    record = {
        "tool": tool,
        "version": umap.__version__ if hasattr(umap, "__version__") else "0.5",
        "preset": "umap",
        "run": args.run,
        "n": int(x.shape[0]),
        "threads": args.threads,
        "status": "ok",
        "total_s": total,
        "peak_rss_mib": peak_rss_mib(),
    }
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, f"{tool}-umap-{args.run}")
    np.ascontiguousarray(layout, dtype="<f4").tofile(stem + ".f32")
    with open(stem + ".json", "w") as f:
        json.dump(record, f, indent=2)
    print(f"{tool}: total {total:.1f} s, peak RSS {record['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
