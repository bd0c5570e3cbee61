"""What the Python sides of the benchmarks share: the input `loupe-bench prepare` wrote, and
the process's peak memory."""

import json
import os
import resource
import sys

import numpy as np


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_prepared(data_dir):
    """The prepared N x 50 float32 matrix (`mnist_pca50.f32`, shape from `dataset.json`)."""
    with open(os.path.join(data_dir, "dataset.json")) as f:
        meta = json.load(f)
    n, dim = int(meta["n"]), int(meta["dim"])
    x = np.fromfile(os.path.join(data_dir, "mnist_pca50.f32"), dtype="<f4")
    if x.size != n * dim:
        sys.exit(f"mnist_pca50.f32 holds {x.size} values, expected {n} x {dim}")
    return x.reshape(n, dim)
