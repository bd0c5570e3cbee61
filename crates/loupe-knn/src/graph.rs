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
///
/// Only exact search exists today; approximate methods (for millions of points) will be added
/// as further variants, so callers that pass a `KnnMethod` keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KnnMethod {
    /// Blocked brute force ([`crate::exact_knn`]): exact, `O(N²·D)`.
    #[default]
    Exact,
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
