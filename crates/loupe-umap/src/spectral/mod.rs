//! Spectral initialisation: the layout starts from the eigenvectors of the fuzzy graph's
//! normalised Laplacian `L = I − D^(−1/2)·W·D^(−1/2)` with the smallest non-trivial
//! eigenvalues (McInnes et al. 2018, §4 "Implementation"; umap-learn's `spectral_layout`).
//!
//! They are the eigenvectors of `M = D^(−1/2)·W·D^(−1/2)` with the largest eigenvalues below
//! the trivial one (1, eigenvector `√d`). umap-learn asks ARPACK for them; here LOBPCG
//! (Knyazev 2001) finds them in the complement of `√d`, iterating a block of 6 vectors: the
//! two wanted and four guards (the cluster structure of real data puts several eigenvalues
//! just below 1; on MNIST-70k 2, 3, 4 and 6 guards took 90, 68, 59 and 57 iterations). Each
//! iteration costs one sparse product with the block and three passes over it (see
//! `lobpcg.rs`); every reduction has a fixed order, so the result is the same on any number
//! of threads. Graphs up to 256 points are solved densely.

mod block;
mod lobpcg;

use loupe_tsne::symmetric_eigen;
use rayon::prelude::*;

use crate::FuzzyGraph;
use block::Block;
use lobpcg::{MAX_BLOCK, lobpcg};

/// Residual norm `‖M·x − θ·x‖` (unit `x`) below which the two wanted eigenvectors count as
/// converged; umap-learn passes `tol=1e-4` to its eigensolver.
pub const SPECTRAL_TOLERANCE: f64 = 1e-4;
/// LOBPCG iterations at most; failing to converge by then falls back (see
/// [`crate::InitOutcome`]).
pub const SPECTRAL_MAX_ITERATIONS: usize = 300;
/// Guard vectors iterated beside the two wanted ones: they speed up convergence when
/// eigenvalues cluster just below the wanted ones (measured above).
const GUARD: usize = 4;
/// Eigenvectors wanted: the layout is 2-D.
const WANT: usize = 2;
/// Graphs up to this many points are solved with a dense eigendecomposition.
const DENSE_BELOW: usize = 256;

/// Why the spectral layout could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum SpectralFailure {
    /// The graph falls apart into several components; its spectrum has a zero Laplacian
    /// eigenvalue per component, so the leading eigenvectors only say which component a
    /// point is in.
    Disconnected {
        /// Number of connected components.
        components: usize,
    },
    /// LOBPCG did not reach [`SPECTRAL_TOLERANCE`] within [`SPECTRAL_MAX_ITERATIONS`].
    NotConverged {
        /// Iterations run.
        iterations: usize,
        /// The largest residual norm of the wanted eigenvectors at the end.
        residual: f64,
    },
}

impl std::fmt::Display for SpectralFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Disconnected { components } => {
                write!(f, "the fuzzy graph has {components} connected components")
            }
            Self::NotConverged {
                iterations,
                residual,
            } => write!(
                f,
                "the eigensolver did not converge in {iterations} iterations (residual {residual:.2e})"
            ),
        }
    }
}

/// How the spectral solve went.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectralReport {
    /// LOBPCG iterations (0 for the dense solver).
    pub iterations: usize,
    /// Largest residual norm of the two eigenvectors.
    pub residual: f64,
}

/// The two eigenvectors of `M` with the largest eigenvalues after the trivial one, as an
/// `N × 2` interleaved layout (each column of unit length; sign fixed so that its largest
/// entry is positive).
pub fn spectral_layout(
    graph: &FuzzyGraph,
    seed: u64,
) -> Result<(Vec<f64>, SpectralReport), SpectralFailure> {
    let n = graph.n_points();
    let (components, _) = graph.components();
    if components > 1 {
        return Err(SpectralFailure::Disconnected { components });
    }
    let op = Normalised::new(graph);
    let (mut vectors, report) = if n <= DENSE_BELOW {
        (
            op.dense_eigenvectors(),
            SpectralReport {
                iterations: 0,
                residual: 0.0,
            },
        )
    } else {
        lobpcg(&op, (WANT + GUARD).min(MAX_BLOCK), WANT, seed)?
    };
    fix_signs(&mut vectors);
    Ok((vectors.data, report))
}

/// `M = D^(−1/2)·W·D^(−1/2)` as CSR with the scaled weights, and `√d / ‖√d‖`.
struct Normalised<'a> {
    graph: &'a FuzzyGraph,
    weights: Vec<f64>,
    trivial: Block,
}

impl<'a> Normalised<'a> {
    fn new(graph: &'a FuzzyGraph) -> Self {
        let n = graph.n_points();
        let degrees: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| graph.row(i).map(|(_, w)| f64::from(w)).sum())
            .collect();
        let inv_sqrt: Vec<f64> = degrees.iter().map(|d| d.sqrt().recip()).collect();
        let ptr = graph.row_ptr();
        let mut weights = vec![0.0; graph.n_entries()];
        weights
            .par_chunks_mut(1024)
            .enumerate()
            .for_each(|(chunk, out)| {
                let start = chunk * 1024;
                // Row of the first entry of this chunk, then walk forward.
                let mut i = ptr.partition_point(|&p| p <= start) - 1;
                for (e, w) in out.iter_mut().enumerate() {
                    let entry = start + e;
                    while ptr[i + 1] <= entry {
                        i += 1;
                    }
                    let j = graph.cols()[entry] as usize;
                    *w = f64::from(graph.weights()[entry]) * inv_sqrt[i] * inv_sqrt[j];
                }
            });
        let norm = degrees.iter().sum::<f64>().sqrt();
        let trivial = Block {
            data: degrees.iter().map(|d| d.sqrt() / norm).collect(),
            cols: 1,
        };
        Self {
            graph,
            weights,
            trivial,
        }
    }

    /// `out ← M·x` for every column of `x` (`out` has the same shape).
    fn apply_into(&self, x: &Block, out: &mut Block) {
        let c = x.cols;
        debug_assert_eq!(out.cols, c);
        let (ptr, cols) = (self.graph.row_ptr(), self.graph.cols());
        out.data
            .par_chunks_mut(c.max(1))
            .enumerate()
            .for_each(|(i, y)| {
                y.fill(0.0);
                let range = ptr[i]..ptr[i + 1];
                for (&w, &j) in self.weights[range.clone()].iter().zip(&cols[range]) {
                    for (acc, &v) in y.iter_mut().zip(x.row(j as usize)) {
                        *acc += w * v;
                    }
                }
            });
    }

    /// Small graphs: the full eigendecomposition of `M` (Jacobi), the 2nd and 3rd largest.
    fn dense_eigenvectors(&self) -> Block {
        let n = self.graph.n_points();
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            for (e, (j, _)) in (self.graph.row_ptr()[i]..).zip(self.graph.row(i)) {
                m[i * n + j as usize] = self.weights[e];
            }
        }
        let (values, vectors) = symmetric_eigen(&mut m, n);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
        let mut out = Block::zeros(n, 2);
        for (col, &j) in order.iter().skip(1).take(2).enumerate() {
            for i in 0..n {
                out.data[i * 2 + col] = vectors[i * n + j];
            }
        }
        out
    }
}

/// Flips each column so that its entry of largest magnitude is positive (eigenvectors have no
/// sign of their own; this makes the picture reproducible).
fn fix_signs(block: &mut Block) {
    let c = block.cols;
    for j in 0..c {
        let pivot = (0..block.rows())
            .map(|i| block.data[i * c + j])
            .fold(
                0.0_f64,
                |best, v| if v.abs() > best.abs() { v } else { best },
            );
        if pivot < 0.0 {
            for i in 0..block.rows() {
                block.data[i * c + j] = -block.data[i * c + j];
            }
        }
    }
}
