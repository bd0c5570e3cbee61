//! Principal component analysis by randomized subspace iteration.
//!
//! Serves both the PCA initialisation (2 components, openTSNE's default `initialization="pca"`)
//! and the optional reduction of wide input (`pca_dims`). It never forms the `D × D`
//! covariance: the covariance is only ever applied to a `D × q` block (`q` = components plus
//! oversampling) as `Xcᵀ·(Xc·V)`, streaming over blocks of rows that are centred on the fly,
//! so memory stays `O(D·q)` beyond the input for any N (Halko, Martinsson & Tropp 2011,
//! "Finding structure with randomness", Algorithm 4.4 with a Rayleigh–Ritz finish).

use loupe_knn::{MatRef, gemm};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::TsneError;
use crate::eigen::symmetric_eigen;
use crate::rng::{Stream, rng, standard_normal};

/// Rows centred and multiplied at once.
const BLOCK_ROWS: usize = 1024;
/// Fixed number of partial sums: results never depend on the thread count.
const GROUPS: usize = 16;
/// Subspace iterations (scikit-learn's randomized solver also uses 7 for few components).
const POWER_ITERATIONS: usize = 7;

/// A fitted PCA: the mean and the leading principal axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    dim: usize,
    mean: Vec<f64>,
    /// `n_components × D`, row-major, orthonormal rows.
    components: Vec<f64>,
    explained_variance: Vec<f64>,
}

impl Pca {
    /// Fits the `n_components` (at most D) leading principal axes of `vectors` (`N × dim`).
    ///
    /// Deterministic for a seed. Sign convention: each axis's entry of largest magnitude is
    /// positive (ties: the first), so the same data always gives the same picture.
    pub fn fit(
        vectors: &[f32],
        dim: usize,
        n_components: usize,
        seed: u64,
    ) -> Result<Self, TsneError> {
        Self::fit_stream(
            vectors,
            dim,
            n_components,
            &mut rng(seed, Stream::PcaReduce),
        )
    }

    pub(crate) fn fit_stream(
        vectors: &[f32],
        dim: usize,
        n_components: usize,
        rng: &mut ChaCha8Rng,
    ) -> Result<Self, TsneError> {
        if dim == 0 || !vectors.len().is_multiple_of(dim) || vectors.is_empty() {
            return Err(TsneError::InputShape {
                len: vectors.len(),
                n_points: vectors.len().checked_div(dim).unwrap_or(0),
                dim,
            });
        }
        let data = Data::new(vectors, dim);
        let c = n_components.min(dim);
        let q = (c + (c / 2).max(10)).min(dim);
        let mut basis = Basis::random(dim, q, rng);
        let iterations = if q == dim { 0 } else { POWER_ITERATIONS };
        for _ in 0..iterations {
            basis.cols = data.covariance_times(&basis).0;
            basis.orthonormalise(rng);
        }
        let (_, mut small) = data.covariance_times(&basis);
        let (values, vectors_small) = symmetric_eigen(&mut small, q);
        let mut order: Vec<usize> = (0..q).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
        let mut components = vec![0.0; c * dim];
        for (axis, &j) in components.chunks_exact_mut(dim).zip(&order) {
            for (col, basis_col) in basis.cols.chunks_exact(dim).enumerate() {
                let w = vectors_small[col * q + j];
                for (a, &b) in axis.iter_mut().zip(basis_col) {
                    *a += w * b;
                }
            }
            let pivot = axis
                .iter()
                .enumerate()
                .fold((0, 0.0_f64), |best, (i, &v)| {
                    if v.abs() > best.1 { (i, v.abs()) } else { best }
                })
                .0;
            if axis[pivot] < 0.0 {
                for v in axis.iter_mut() {
                    *v = -*v;
                }
            }
        }
        let explained_variance = order[..c].iter().map(|&j| values[j].max(0.0)).collect();
        Ok(Self {
            dim,
            mean: data.mean,
            components,
            explained_variance,
        })
    }

    /// Number of components.
    pub fn n_components(&self) -> usize {
        self.explained_variance.len()
    }

    /// Variance along each axis, largest first.
    pub fn explained_variance(&self) -> &[f64] {
        &self.explained_variance
    }

    /// Axis `i` (unit length, D values).
    pub fn component(&self, i: usize) -> &[f64] {
        &self.components[i * self.dim..(i + 1) * self.dim]
    }

    /// Coordinates of `vectors` (`N × D`) on the axes: `N × n_components`, row-major.
    pub fn transform(&self, vectors: &[f32]) -> Vec<f32> {
        let (dim, c) = (self.dim, self.n_components());
        let n = vectors.len() / dim;
        let mut out = vec![0.0_f32; n * c];
        if c == 0 {
            return out;
        }
        let axes: Vec<f32> = self.components.iter().map(|&v| v as f32).collect();
        let axes = MatRef::row_major(&axes, c, dim).expect("axes fit").t();
        out.par_chunks_mut(BLOCK_ROWS * c)
            .enumerate()
            .for_each(|(block, out)| {
                let start = block * BLOCK_ROWS;
                let rows = out.len() / c;
                let centred = centre(&vectors[start * dim..(start + rows) * dim], &self.mean);
                let a = MatRef::row_major(&centred, rows, dim).expect("block fits");
                gemm(1.0, a, axes, 0.0, out, c);
            });
        out
    }
}

/// The input with its column means.
struct Data<'a> {
    x: &'a [f32],
    dim: usize,
    n: usize,
    mean: Vec<f64>,
}

impl<'a> Data<'a> {
    fn new(x: &'a [f32], dim: usize) -> Self {
        let n = x.len() / dim;
        let partial: Vec<Vec<f64>> = (0..GROUPS)
            .into_par_iter()
            .map(|g| {
                let mut sum = vec![0.0; dim];
                for row in x[group(g, n).start * dim..group(g, n).end * dim].chunks_exact(dim) {
                    for (s, &v) in sum.iter_mut().zip(row) {
                        *s += f64::from(v);
                    }
                }
                sum
            })
            .collect();
        let mut mean = vec![0.0; dim];
        for p in &partial {
            for (m, s) in mean.iter_mut().zip(p) {
                *m += s;
            }
        }
        for m in &mut mean {
            *m /= n as f64;
        }
        Self { x, dim, n, mean }
    }

    /// `(C·V, Vᵀ·C·V)` for the sample covariance `C = Xcᵀ·Xc / (N − 1)`: `D × q` (column-major)
    /// and `q × q`.
    fn covariance_times(&self, basis: &Basis) -> (Vec<f64>, Vec<f64>) {
        let (dim, q) = (self.dim, basis.q);
        let v32: Vec<f32> = basis.cols.iter().map(|&v| v as f32).collect();
        // Column-major D × q seen as a matrix: row stride 1, column stride D.
        let v = MatRef::new(&v32, dim, q, 1, dim).expect("basis fits");
        let partial: Vec<(Vec<f64>, Vec<f64>)> = (0..GROUPS)
            .into_par_iter()
            .map(|g| {
                let mut cv = vec![0.0; dim * q];
                let mut vcv = vec![0.0; q * q];
                let mut t = vec![0.0_f32; BLOCK_ROWS * q];
                let mut prod = vec![0.0_f32; dim * q];
                let mut small = vec![0.0_f32; q * q];
                let rows = group(g, self.n);
                for start in rows.clone().step_by(BLOCK_ROWS) {
                    let end = (start + BLOCK_ROWS).min(rows.end);
                    let m = end - start;
                    let centred = centre(&self.x[start * dim..end * dim], &self.mean);
                    let a = MatRef::row_major(&centred, m, dim).expect("block fits");
                    let t = &mut t[..m * q];
                    gemm(1.0, a, v, 0.0, t, q);
                    let tm = MatRef::row_major(t, m, q).expect("t fits");
                    gemm(1.0, a.t(), tm, 0.0, &mut prod, q);
                    gemm(1.0, tm.t(), tm, 0.0, &mut small, q);
                    for d in 0..dim {
                        for j in 0..q {
                            cv[j * dim + d] += f64::from(prod[d * q + j]);
                        }
                    }
                    for (acc, &s) in vcv.iter_mut().zip(small.iter()) {
                        *acc += f64::from(s);
                    }
                }
                (cv, vcv)
            })
            .collect();
        let scale = 1.0 / (self.n.max(2) - 1) as f64;
        let mut cv = vec![0.0; dim * q];
        let mut vcv = vec![0.0; q * q];
        for (p_cv, p_vcv) in &partial {
            cv.iter_mut().zip(p_cv).for_each(|(a, b)| *a += b * scale);
            vcv.iter_mut().zip(p_vcv).for_each(|(a, b)| *a += b * scale);
        }
        (cv, vcv)
    }
}

/// Rows `[start, end)` handled by partial sum `g` of [`GROUPS`].
fn group(g: usize, n: usize) -> std::ops::Range<usize> {
    g * n / GROUPS..(g + 1) * n / GROUPS
}

/// A copy of `rows` (row-major, `mean.len()` wide) minus the mean, centred in f64.
fn centre(rows: &[f32], mean: &[f64]) -> Vec<f32> {
    rows.chunks_exact(mean.len())
        .flat_map(|row| {
            row.iter()
                .zip(mean)
                .map(|(&x, &m)| (f64::from(x) - m) as f32)
        })
        .collect()
}

/// `q` orthonormal columns of length `D`, stored column after column.
struct Basis {
    dim: usize,
    q: usize,
    cols: Vec<f64>,
}

impl Basis {
    fn random(dim: usize, q: usize, rng: &mut ChaCha8Rng) -> Self {
        let cols = (0..dim * q).map(|_| standard_normal(rng)).collect();
        let mut basis = Self { dim, q, cols };
        basis.orthonormalise(rng);
        basis
    }

    /// Modified Gram–Schmidt, applied twice ("twice is enough", Giraud et al. 2005). A column
    /// that vanishes (rank-deficient data) is replaced by a fresh random direction, so the
    /// basis stays orthonormal.
    fn orthonormalise(&mut self, rng: &mut impl Rng) {
        let dim = self.dim;
        for j in 0..self.q {
            let (done, rest) = self.cols.split_at_mut(j * dim);
            let col = &mut rest[..dim];
            for attempt in 0..4 {
                let before = norm(col);
                for _ in 0..2 {
                    for prev in done.chunks_exact(dim) {
                        let d = dot(prev, col);
                        col.iter_mut().zip(prev).for_each(|(c, p)| *c -= d * p);
                    }
                }
                let after = norm(col);
                if after > 1e-10 * before && after > 0.0 {
                    for c in col.iter_mut() {
                        *c /= after;
                    }
                    break;
                }
                if attempt == 3 {
                    col.fill(0.0);
                } else {
                    for c in col.iter_mut() {
                        *c = standard_normal(rng);
                    }
                }
            }
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Data with known axes: variance 9 along (1,1,0,…)/√2, 4 along e₃, tiny elsewhere.
    fn anisotropic(n: usize, dim: usize) -> Vec<f32> {
        let mut r = rng(7, Stream::Jitter);
        let mut x = Vec::with_capacity(n * dim);
        for _ in 0..n {
            let (a, b) = (3.0 * standard_normal(&mut r), 2.0 * standard_normal(&mut r));
            for d in 0..dim {
                let noise = 0.01 * standard_normal(&mut r);
                let v = match d {
                    0 | 1 => a / 2f64.sqrt(),
                    2 => b,
                    _ => 0.0,
                };
                x.push((v + noise + 5.0) as f32);
            }
        }
        x
    }

    #[test]
    fn recovers_known_axes_in_high_dimension() {
        let (n, dim) = (3_000, 300);
        let x = anisotropic(n, dim);
        let pca = Pca::fit(&x, dim, 2, 0).unwrap();
        let h = 1.0 / 2f64.sqrt();
        assert!((pca.component(0)[0] - h).abs() < 1e-3 && (pca.component(0)[1] - h).abs() < 1e-3);
        assert!((pca.component(1)[2] - 1.0).abs() < 1e-3);
        let ev = pca.explained_variance();
        assert!(
            (ev[0] / 9.0 - 1.0).abs() < 0.1 && (ev[1] / 4.0 - 1.0).abs() < 0.1,
            "{ev:?}"
        );
        let y = pca.transform(&x);
        assert_eq!(y.len(), n * 2);
        let mean0: f64 = y.iter().step_by(2).map(|&v| f64::from(v)).sum::<f64>() / n as f64;
        assert!(mean0.abs() < 1e-3);
    }

    #[test]
    fn small_dimension_and_rank_deficiency() {
        // Four points on a line in 3-D: one real axis, the rest zero variance.
        let x = [
            0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 1.0, 3.0, 3.0, 1.0_f32,
        ];
        let pca = Pca::fit(&x, 3, 3, 1).unwrap();
        assert!((pca.explained_variance()[0] - 10.0 / 3.0).abs() < 1e-5);
        assert!(
            pca.explained_variance()[1].abs() < 1e-6,
            "{:?}",
            pca.explained_variance()
        );
        let y = pca.transform(&x);
        assert!(y[0] < 0.0 && y[9] > 0.0);
    }
}
