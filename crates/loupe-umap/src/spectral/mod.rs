//! Spectral initialisation: the layout starts from the eigenvectors of the fuzzy graph's
//! normalised Laplacian `L = I − D^(−1/2)·W·D^(−1/2)` with the smallest non-trivial
//! eigenvalues (McInnes et al. 2018, §4 "Implementation"; umap-learn's `spectral_layout`).
//!
//! They are the eigenvectors of `M = D^(−1/2)·W·D^(−1/2)` with the largest eigenvalues below
//! the trivial one (1, eigenvector `√d`). umap-learn asks ARPACK for them; here LOBPCG
//! (Knyazev 2001) finds them in the complement of `√d`, with a block of a few guard vectors
//! (the cluster structure of real data puts several eigenvalues just below 1), SVQB
//! orthonormalisation and a Jacobi Rayleigh–Ritz step. Each iteration costs one sparse
//! product with `2·block` vectors; every reduction has a fixed order, so the result is the
//! same on any number of threads. Small graphs are solved densely.

mod block;

use loupe_tsne::symmetric_eigen;
use rayon::prelude::*;

use crate::FuzzyGraph;
use crate::rng::{Stream, rng, standard_normal};
use block::Block;

/// Residual norm `‖M·x − θ·x‖` (unit `x`) below which the two wanted eigenvectors count as
/// converged; umap-learn passes `tol=1e-4` to its eigensolver.
pub const SPECTRAL_TOLERANCE: f64 = 1e-4;
/// LOBPCG iterations at most; failing to converge by then falls back (see
/// [`crate::InitOutcome`]).
pub const SPECTRAL_MAX_ITERATIONS: usize = 300;
/// Guard vectors iterated beside the two wanted ones: they speed up convergence when
/// eigenvalues cluster just below the wanted ones.
const GUARD: usize = 6;
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
        op.lobpcg(seed)?
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

    /// `M·x` for every column of `x`.
    fn apply(&self, x: &Block) -> Block {
        let c = x.cols;
        let mut out = Block::zeros(x.rows(), c);
        if c == 0 {
            return out;
        }
        let (ptr, cols) = (self.graph.row_ptr(), self.graph.cols());
        out.data.par_chunks_mut(c).enumerate().for_each(|(i, y)| {
            for e in ptr[i]..ptr[i + 1] {
                let w = self.weights[e];
                for (acc, &v) in y.iter_mut().zip(x.row(cols[e] as usize)) {
                    *acc += w * v;
                }
            }
        });
        out
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

    /// LOBPCG for the largest eigenpairs of `M` orthogonal to the trivial eigenvector.
    fn lobpcg(&self, seed: u64) -> Result<(Block, SpectralReport), SpectralFailure> {
        let n = self.graph.n_points();
        let want = 2;
        let m = (want + GUARD).min(n - 2);
        let mut r = rng(seed, Stream::Spectral);
        let mut x = Block {
            data: (0..n * m).map(|_| standard_normal(&mut r)).collect(),
            cols: m,
        };
        x.project_out(&self.trivial);
        x.orthonormalise();
        let ax = self.apply(&x);
        let (mut x, mut ax, mut theta) = rayleigh_ritz(&x, &ax, x.cols);
        let mut p = Block::zeros(n, 0);
        let mut residual = f64::INFINITY;
        for iteration in 1..=SPECTRAL_MAX_ITERATIONS {
            let mut res = ax.clone();
            for (row, x_row) in res
                .data
                .chunks_exact_mut(x.cols)
                .zip(x.data.chunks_exact(x.cols))
            {
                for ((v, &xv), &t) in row.iter_mut().zip(x_row).zip(&theta) {
                    *v -= t * xv;
                }
            }
            let norms = res.column_norms();
            residual = norms.iter().take(want).copied().fold(0.0, f64::max);
            if residual < SPECTRAL_TOLERANCE {
                let wanted = x.times(&identity_columns(x.cols, want), want);
                return Ok((
                    wanted,
                    SpectralReport {
                        iterations: iteration - 1,
                        residual,
                    },
                ));
            }
            let mut v = res.beside(&p);
            v.project_out(&self.trivial);
            v.project_out(&x);
            v.orthonormalise();
            if v.cols == 0 {
                break;
            }
            let av = self.apply(&v);
            let s = x.beside(&v);
            let a_s = ax.beside(&av);
            let keep = x.cols;
            let (coef, values) = ritz_coefficients(&s, &a_s, keep);
            x = s.times(&coef, keep);
            ax = a_s.times(&coef, keep);
            // The new search direction: the part of the update outside the old X.
            p = v.times(&coef[(s.cols - v.cols) * keep..], keep);
            theta = values;
        }
        Err(SpectralFailure::NotConverged {
            iterations: SPECTRAL_MAX_ITERATIONS,
            residual,
        })
    }
}

/// Rayleigh–Ritz on the orthonormal basis `s` (with `a_s = M·s`): the coefficients
/// (`s.cols × keep`, row-major) of the `keep` Ritz vectors with the largest Ritz values, and
/// those values.
fn ritz_coefficients(s: &Block, a_s: &Block, keep: usize) -> (Vec<f64>, Vec<f64>) {
    let c = s.cols;
    let mut h = s.gram(a_s);
    for i in 0..c {
        for j in 0..i {
            let avg = 0.5 * (h[i * c + j] + h[j * c + i]);
            h[i * c + j] = avg;
            h[j * c + i] = avg;
        }
    }
    let (values, vectors) = symmetric_eigen(&mut h, c);
    let mut order: Vec<usize> = (0..c).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let mut coef = vec![0.0; c * keep];
    for (out, &j) in order.iter().take(keep).enumerate() {
        for i in 0..c {
            coef[i * keep + out] = vectors[i * c + j];
        }
    }
    (coef, order.iter().take(keep).map(|&j| values[j]).collect())
}

/// Ritz vectors of the basis `x` itself: `(x·C, M·x·C, values)`.
fn rayleigh_ritz(x: &Block, ax: &Block, keep: usize) -> (Block, Block, Vec<f64>) {
    let (coef, values) = ritz_coefficients(x, ax, keep);
    (x.times(&coef, keep), ax.times(&coef, keep), values)
}

/// The first `want` columns of the `cols × cols` identity, as a `cols × want` matrix.
fn identity_columns(cols: usize, want: usize) -> Vec<f64> {
    let mut c = vec![0.0; cols * want];
    for j in 0..want.min(cols) {
        c[j * want + j] = 1.0;
    }
    c
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
