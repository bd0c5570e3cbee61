#!/usr/bin/env python3
"""scikit-learn's side of `scripts/bench-kmeans`, and the comparison table.

Loads MNIST (train + test, 70,000 digits) from the IDX files, scales to [0, 1], reduces to 50
dimensions with scikit-learn's PCA (seeded), and writes that float32 matrix once; then, run
after run, times scikit-learn's MiniBatchKMeans and KMeans (n_init=1, random_state=0) and
Loupe's `kmeans_bench` example on exactly that matrix, and prints a markdown table of median times and inertias.

Every timed fit runs in a fresh process (this script re-invoked with `--time`), so that no
tool inherits another's warm or spinning thread pools (OpenBLAS threads left spinning by the
PCA slow scikit-learn's OpenMP loops down many times over); each timing covers the fit only.
"""

import argparse
import gzip
import os
import re
import statistics
import struct
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA


def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 2051:
            raise SystemExit(f"{path}: not an IDX image file (magic {magic})")
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows * cols)


def find(mnist, stem):
    # Both spellings occur: train-images-idx3-ubyte.gz and train-images.idx3-ubyte.gz.
    for name in (f"{stem}-idx3-ubyte.gz", f"{stem}.idx3-ubyte.gz"):
        if os.path.exists(os.path.join(mnist, name)):
            return os.path.join(mnist, name)
    raise SystemExit(f"no {stem} IDX file in {mnist}")


def prepare(mnist, out, dim):
    images = np.vstack([read_idx_images(find(mnist, s)) for s in ("train-images", "t10k-images")])
    x = images.astype(np.float32) / 255.0
    y = PCA(n_components=dim, random_state=0).fit_transform(x).astype(np.float32)
    path = os.path.join(out, f"mnist_pca{dim}.f32")
    np.ascontiguousarray(y).astype("<f4").tofile(path)
    return y, path


def time_sklearn(path, dim, k, method):
    """Runs one scikit-learn fit in a fresh interpreter; returns (seconds, inertia, note)."""
    line = subprocess.run(
        [sys.executable, __file__, "--time", method, "--data", path, "--dim", str(dim),
         "--k", str(k)],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    return float(fields["seconds"]), float(fields["inertia"]), f"{fields['n_iter']} iterations"


def timed_fit(method, path, dim, k):
    x = np.fromfile(path, dtype="<f4").reshape(-1, dim)
    make = {
        "minibatch": lambda: MiniBatchKMeans(n_clusters=k, random_state=0, n_init=1),
        "kmeans": lambda: KMeans(n_clusters=k, random_state=0, n_init=1),
    }[method]
    start = time.perf_counter()
    model = make().fit(x)
    seconds = time.perf_counter() - start
    print(f"seconds={seconds:.4f} inertia={model.inertia_:.6e} n_iter={model.n_iter_}")


def time_loupe(binary, path, dim, k, algorithm):
    line = subprocess.run(
        [binary, path, str(dim), str(k), algorithm, "0", "1"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    return float(fields["seconds"]), float(fields["inertia"]), f"{fields['algorithm']}, " \
        f"{fields['batches']} batches + {fields['iterations']} Lloyd it."


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mnist")
    p.add_argument("--out")
    p.add_argument("--loupe", help="path of the kmeans_bench example binary")
    p.add_argument("--time", choices=["minibatch", "kmeans"], help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--k", type=int, default=100)
    p.add_argument("--dim", type=int, default=50)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    if args.time:
        timed_fit(args.time, args.data, args.dim, args.k)
        return
    os.makedirs(args.out, exist_ok=True)
    x, path = prepare(args.mnist, args.out, args.dim)
    print(f"input: {x.shape[0]} x {x.shape[1]} float32 (MNIST, PCA-{args.dim}) -> {path}")

    k = args.k
    methods = {
        "Loupe auto": lambda: time_loupe(args.loupe, path, args.dim, k, "auto"),
        "Loupe Lloyd": lambda: time_loupe(args.loupe, path, args.dim, k, "lloyd"),
        "sklearn MiniBatchKMeans": lambda: time_sklearn(path, args.dim, k, "minibatch"),
        "sklearn KMeans": lambda: time_sklearn(path, args.dim, k, "kmeans"),
    }
    results = {name: [] for name in methods}
    for r in range(args.runs):
        load = os.getloadavg()[0]
        for name, run in methods.items():
            seconds, inertia, note = run()
            results[name].append((seconds, inertia, note))
            print(f"run {r + 1}/{args.runs} (load {load:.2f}): {name}: {seconds:.3f} s, "
                  f"inertia {inertia:.6e} ({note})", flush=True)

    base_t = statistics.median(t for t, _, _ in results["Loupe auto"])
    base_i = results["Loupe auto"][0][1]
    print()
    print(f"k-means, k = {k}, MNIST-70k PCA-{args.dim}, scikit-learn {sklearn.__version__}, "
          f"threads {os.environ.get('OMP_NUM_THREADS', '?')}, median of {args.runs} runs")
    print()
    print("| method | time (s) | inertia | time / Loupe auto | inertia / Loupe auto |")
    print("|---|---:|---:|---:|---:|")
    for name, rows in results.items():
        t = statistics.median(s for s, _, _ in rows)
        inertia = rows[0][1]
        print(f"| {name} | {t:.3f} | {inertia:.5e} | {t / base_t:.2f} | {inertia / base_i:.4f} |")


if __name__ == "__main__":
    main()
