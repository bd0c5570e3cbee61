//! A fitted k-means model.

use crate::Algorithm;
use crate::lloyd::Outcome;

/// The result of [`crate::KMeansParams::fit`]: a label per row, the centroids, and how the
/// fit went.
///
/// Labels always refer to the returned centroids (every row's nearest centroid, the lowest
/// index on ties), and [`KMeans::inertia`] is measured against them.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    labels: Vec<u32>,
    centroids: Vec<f32>,
    dim: usize,
    inertia: f64,
    history: Vec<f64>,
    iterations: usize,
    batches: usize,
    converged: bool,
    algorithm: Algorithm,
    exemplars: Vec<Option<u32>>,
    sizes: Vec<usize>,
}

impl KMeans {
    pub(crate) fn new(outcome: Outcome, dim: usize, batches: usize, algorithm: Algorithm) -> Self {
        let k = outcome.centroids.len() / dim;
        let mut sizes = vec![0; k];
        let mut exemplars: Vec<Option<(u32, f32)>> = vec![None; k];
        for (i, (&l, &d)) in outcome.labels.iter().zip(&outcome.dist).enumerate() {
            let l = l as usize;
            sizes[l] += 1;
            if exemplars[l].is_none_or(|(_, best)| d < best) {
                exemplars[l] = Some((i as u32, d));
            }
        }
        Self {
            labels: outcome.labels,
            centroids: outcome.centroids,
            dim,
            inertia: outcome.history.last().copied().unwrap_or(0.0),
            history: outcome.history,
            iterations: outcome.iterations,
            batches,
            converged: outcome.converged,
            algorithm,
            exemplars: exemplars.into_iter().map(|e| e.map(|(i, _)| i)).collect(),
            sizes,
        }
    }

    /// Cluster of each row, in `0..k`: what the app colours points by.
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }

    /// The centroids, `k × dim`, row-major, in the space of the input rows.
    pub fn centroids(&self) -> &[f32] {
        &self.centroids
    }

    /// Centroid `c`, or `None` past `k`.
    pub fn centroid(&self, c: usize) -> Option<&[f32]> {
        self.centroids.get(c * self.dim..(c + 1) * self.dim)
    }

    /// Number of clusters.
    pub fn k(&self) -> usize {
        self.centroids.len() / self.dim
    }

    /// Dimension of the rows and centroids.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Sum over rows of the squared distance to their centroid: the objective k-means
    /// minimises, and the y-axis of an elbow plot.
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// Inertia after the first full assignment and after each Lloyd iteration (for
    /// mini-batch, the refinement iterations): shows convergence, never increases.
    pub fn inertia_history(&self) -> &[f64] {
        &self.history
    }

    /// Lloyd iterations run (for mini-batch, refinement iterations).
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// Mini-batch steps run; 0 for Lloyd.
    pub fn batches(&self) -> usize {
        self.batches
    }

    /// Whether Lloyd stopped on its own criterion (stable labels or centroid movement within
    /// tolerance) rather than at the iteration limit.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The algorithm that ran ([`Algorithm::Auto`] resolved).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// For each cluster, the member row nearest its centroid (lowest index on ties): a real
    /// data point to show as the cluster's representative, since a centroid is usually not
    /// one. `None` only for a cluster that ended with no rows (possible when there are fewer
    /// distinct rows than clusters).
    pub fn exemplars(&self) -> &[Option<u32>] {
        &self.exemplars
    }

    /// Rows per cluster, for legends and for spotting tiny clusters.
    pub fn cluster_sizes(&self) -> &[usize] {
        &self.sizes
    }
}
