use crate::ApproxParams;

/// How dissimilarity between two vectors is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    /// Straight-line distance `‖x − y‖`; the reported distance is the (unsquared) norm.
    #[default]
    Euclidean,
    /// Cosine distance `1 − cos(x, y)`, as openTSNE's exact (scikit-learn) path reports it.
    ///
    /// Neighbours are found as euclidean neighbours of the L2-normalised vectors, since
    /// `‖x̂ − ŷ‖² = 2 − 2·cos(x, y)`; the reported distance is `‖x̂ − ŷ‖² / 2`, which equals
    /// `1 − cos` for non-zero vectors. A zero vector has no direction: it is kept as the zero
    /// vector, so it sits at distance ½ from every other vector and 0 from other zero vectors
    /// (openTSNE would produce NaN there).
    Cosine,
}

/// Which search algorithm builds the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KnnMethod {
    /// Blocked brute force ([`crate::exact_knn`]): exact, `O(N²·D)`.
    Exact,
    /// Random-projection forest + NN-descent ([`crate::approximate_knn`]): recall ≈ 0.99 at
    /// roughly `O(N·k·D·log N)`.
    Approximate(ApproxParams),
    /// Exact below [`KnnMethod::AUTO_EXACT_BELOW`] points, where brute force is both exact
    /// and no slower; approximate (default parameters, this seed) from there on. openTSNE
    /// makes the same switch, at 1,000 points.
    Auto {
        /// Seed of the approximate search.
        seed: u64,
    },
}

impl Default for KnnMethod {
    fn default() -> Self {
        Self::Auto { seed: 0 }
    }
}

impl KnnMethod {
    /// Point count from which [`KnnMethod::Auto`] searches approximately. Measured on MNIST
    /// PCA-50 with k = 90 on two cores: exact/approximate 0.37/0.48 s at 10,000 points,
    /// 1.16/1.11 s at 20,000, 5.8/2.5 s at 70,000 (the SGEMM-based exact search stays
    /// competitive far longer than openTSNE's 1,000-point switch suggests).
    pub const AUTO_EXACT_BELOW: usize = 20_000;

    /// The same method with its random choices driven by `seed` (a no-op for
    /// [`KnnMethod::Exact`]); lets a caller such as a t-SNE run apply its own seed.
    #[must_use]
    pub fn with_seed(self, seed: u64) -> Self {
        match self {
            Self::Exact => Self::Exact,
            Self::Approximate(params) => Self::Approximate(ApproxParams { seed, ..params }),
            Self::Auto { .. } => Self::Auto { seed },
        }
    }

    /// The concrete method [`crate::knn`] runs for `k` neighbours of `n_points` points
    /// (an approximate search gets [`ApproxParams::for_k`]).
    #[must_use]
    pub fn resolve(self, n_points: usize, k: usize) -> Self {
        match self {
            Self::Auto { seed } if n_points >= Self::AUTO_EXACT_BELOW => {
                Self::Approximate(ApproxParams {
                    seed,
                    ..ApproxParams::for_k(k)
                })
            }
            Self::Auto { .. } => Self::Exact,
            other => other,
        }
    }
}

/// The `k` nearest neighbours of every point, excluding the point itself.
///
/// Row-major `N × k` arrays: row `i` holds point `i`'s neighbours sorted by increasing
/// distance, ties broken by increasing index.
#[derive(Debug, Clone, PartialEq)]
pub struct KnnGraph {
    /// Neighbours per point.
    pub k: usize,
    /// Neighbour indices, `N × k`.
    pub indices: Vec<u32>,
    /// Distances in the metric's reported unit (see [`Metric`]), `N × k`.
    pub distances: Vec<f32>,
}

impl KnnGraph {
    /// Number of points, N.
    pub fn n_points(&self) -> usize {
        self.indices.len().checked_div(self.k).unwrap_or(0)
    }

    /// Point `i`'s neighbours, nearest first.
    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.indices[i * self.k..(i + 1) * self.k]
    }

    /// Distances to point `i`'s neighbours, in the order of [`Self::neighbors`].
    pub fn neighbor_distances(&self, i: usize) -> &[f32] {
        &self.distances[i * self.k..(i + 1) * self.k]
    }
}
