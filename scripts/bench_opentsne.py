#!/usr/bin/env python3
"""openTSNE 1.0.4's side of `scripts/bench-tsne`: one timed run of a preset.

Reads the input `loupe-bench prepare` wrote (the same PCA-50 matrix Loupe embeds), runs
openTSNE through its lower-level API so that affinities, initialisation and optimisation are
timed apart, and writes `{out}/opentsne-{preset}-{run}.json` (timings, KL, peak RSS), `.f32`
(the final layout, N x 2) and `.knn.u32` (the approximate kNN graph openTSNE used, N x k) for
`loupe-bench report` to score with the same code as Loupe's layout.

`standard` is exactly what `TSNE(n_jobs=..., random_state=0).fit(X)` does in openTSNE 1.0.4
(`tsne.py`: `prepare_initial` builds `MultiscaleMixture(X, perplexity, method="auto", ...)`
affinities and a PCA initialisation, then `optimize()` runs twice: early exaggeration, then
the embedding phase); the pieces are called one by one only to time them.
"""

import argparse
import json
import os
import time

import numpy as np
import openTSNE
from bench_input import load_prepared, peak_rss_mib
from openTSNE import TSNE, TSNEEmbedding, affinity, initialization

# The Clay notebook's multi-stage recipe (after Kobak & Berens 2019, and openTSNE's "Embedding
# large data sets" guide), cosine throughout: embed a seeded 10 % sample at perplexity 500 from
# a PCA start with TSNE()'s schedule; place every other point on its nearest sample point
# (prepare_partial, k = 1) and rescale to std 1e-4; then optimise all points with perplexity-50
# affinities through four optimize() calls of decreasing exaggeration (learning rate "auto" =
# N / exaggeration, momentum 0.8). The same plan as loupe-tsne's `Preset::ClayMultistage`.
CLAY = {
    "metric": "cosine",
    "sample_fraction": 0.1,
    "sample_perplexity": 500,
    "partial_k": 1,
    "full_perplexity": 50,
    # (n_iter, exaggeration, momentum) of each optimize() call on all points.
    "full_phases": [(500, 12, 0.8), (250, 10, 0.8), (250, 6, 0.8), (250, 4, 0.8)],
}


def load(data_dir):
    # openTSNE's Cython gradients work in float64; PCA output usually arrives as float64.
    return np.ascontiguousarray(load_prepared(data_dir), dtype=np.float64)


def knn_graph(aff):
    # openTSNE keeps the graph it built in a name-mangled private attribute (one per affinity
    # class); reading it avoids building the index a second time.
    for cls in type(aff).__mro__:
        graph = getattr(aff, f"_{cls.__name__}__neighbors", None)
        if graph is not None:
            return np.asarray(graph)
    raise AttributeError(f"no kNN graph on {type(aff).__name__}")


def standard(x, threads, seed):
    tsne = TSNE(n_jobs=threads, random_state=seed)  # every other parameter at its default
    t0 = time.perf_counter()
    aff = affinity.MultiscaleMixture(
        x,
        tsne.perplexity,
        method=tsne.neighbors,
        metric=tsne.metric,
        metric_params=tsne.metric_params,
        n_jobs=tsne.n_jobs,
        random_state=tsne.random_state,
        verbose=False,
        knn_kwargs=tsne.knn_kwargs,
    )
    t1 = time.perf_counter()
    init = initialization.pca(x, tsne.n_components, random_state=tsne.random_state)
    t2 = time.perf_counter()
    emb = tsne.prepare_initial(x, affinities=aff, initialization=init)
    emb.optimize(
        n_iter=tsne.early_exaggeration_iter,
        exaggeration=tsne.early_exaggeration,
        momentum=tsne.initial_momentum,
        inplace=True,
        propagate_exception=True,
    )
    emb.optimize(
        n_iter=tsne.n_iter,
        exaggeration=tsne.exaggeration,
        momentum=tsne.final_momentum,
        inplace=True,
        propagate_exception=True,
    )
    t3 = time.perf_counter()
    record = {
        "metric": tsne.metric,
        "affinities_s": t1 - t0,
        "init_s": t2 - t1,
        "optimisation_s": t3 - t2,
        "total_s": t3 - t0,
        "kl": float(emb.kl_divergence),
        "k": int(knn_graph(aff).shape[1]),
        "knn_method": type(aff.knn_index).__name__,
    }
    return np.asarray(emb), knn_graph(aff), record


def clay_multistage(x, threads, seed):
    c = CLAY
    n = x.shape[0]
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    size = max(2, min(n, int(round(c["sample_fraction"] * n))))
    sample, rest = order[:size], order[size:]
    stages = []
    t = time.perf_counter()

    def mark(name):
        nonlocal t
        now = time.perf_counter()
        stages.append((name, now - t))
        t = now

    sample_aff = affinity.PerplexityBasedNN(
        x[sample], perplexity=c["sample_perplexity"], metric=c["metric"],
        n_jobs=threads, random_state=seed, verbose=False,
    )
    mark("affinities:sample")
    sample_init = initialization.pca(x[sample], random_state=seed)
    mark("init:sample")
    sample_emb = TSNE(metric=c["metric"], n_jobs=threads, random_state=seed).fit(
        affinities=sample_aff, initialization=sample_init
    )
    mark("optimisation:sample")
    full_init = np.empty((n, 2))
    full_init[sample] = sample_emb
    if rest.size:
        # With k = 1 the "median" of one neighbour is that neighbour's position; perplexity 1/3
        # makes openTSNE query only that one neighbour (3 x perplexity) instead of 1,500.
        partial = sample_emb.prepare_partial(
            x[rest], k=c["partial_k"], perplexity=c["partial_k"] / 3
        )
        full_init[rest] = partial
    full_init = initialization.rescale(full_init)
    mark("init:place-rest")
    full_aff = affinity.PerplexityBasedNN(
        x, perplexity=c["full_perplexity"], metric=c["metric"],
        n_jobs=threads, random_state=seed, verbose=False,
    )
    mark("affinities:full")
    emb = TSNEEmbedding(full_init, full_aff, n_jobs=threads, random_state=seed)
    for n_iter, exaggeration, momentum in c["full_phases"]:
        emb.optimize(
            n_iter=n_iter, exaggeration=exaggeration, momentum=momentum,
            inplace=True, propagate_exception=True,
        )
    mark("optimisation:full")
    total = sum(s for _, s in stages)

    def part(prefix):
        return sum(s for name, s in stages if name.startswith(prefix))

    record = {
        "metric": c["metric"],
        "affinities_s": part("affinities"),
        "init_s": part("init"),
        "optimisation_s": part("optimisation"),
        "total_s": total,
        "kl": float(emb.kl_divergence),
        "k": int(knn_graph(full_aff).shape[1]),
        "knn_method": type(full_aff.knn_index).__name__,
        "stages": "; ".join(f"{name} {s:.1f} s" for name, s in stages),
    }
    return np.asarray(emb), knn_graph(full_aff), record


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=["standard", "clay-multistage"], default="standard")
    ap.add_argument("--data", default="bench-out/data")
    ap.add_argument("--out", default="bench-out/runs")
    ap.add_argument("--run", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    x = load(args.data)
    runner = standard if args.preset == "standard" else clay_multistage
    layout, graph, record = runner(x, args.threads, args.seed)
    record.update(
        tool="opentsne",
        version=openTSNE.__version__,
        preset=args.preset,
        run=args.run,
        n=int(x.shape[0]),
        threads=args.threads,
        status="ok",
        peak_rss_mib=peak_rss_mib(),
    )
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, f"opentsne-{args.preset}-{args.run}")
    np.ascontiguousarray(layout, dtype="<f4").tofile(stem + ".f32")
    np.ascontiguousarray(graph, dtype="<u4").tofile(stem + ".knn.u32")
    with open(stem + ".json", "w") as f:
        json.dump({k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                   for k, v in record.items()}, f, indent=2)
    print(
        f"opentsne {args.preset}: affinities {record['affinities_s']:.1f} s, "
        f"init {record['init_s']:.2f} s, optimisation {record['optimisation_s']:.1f} s, "
        f"total {record['total_s']:.1f} s, KL {record['kl']:.4f}, "
        f"peak RSS {record['peak_rss_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
