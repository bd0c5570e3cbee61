//! `FastICA` and the ICA → RGB colouring.
//!
//! Hyvärinen & Oja, "Independent component analysis: algorithms and applications", Neural
//! Networks 13 (2000): on whitened data `z`, the fixed-point update for each unmixing row is
//! `w⁺ = E{z g(wᵀz)} − E{g′(wᵀz)} w` with the log-cosh contrast `G(u) = log cosh u`,
//! `g = tanh`, `g′ = 1 − tanh²` (their eq. 40 with a₁ = 1), and all rows are updated together
//! then symmetrically decorrelated, `W ← (W Wᵀ)^(−1/2) W` (their eq. 45), so no component is
//! favoured. Converged when every row's direction moves less than the tolerance
//! (`max |1 − |⟨w⁺, w⟩|| < tol`, as scikit-learn does).

use std::ops::ControlFlow;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::eigen::symmetric_eigen;
use crate::input::check_vectors;
use crate::pca_colours::{pca_scores, rgb_from_scores};
use crate::progress::Reporter;
use crate::stats::{CHUNK_ROWS, FLAT, column_moments};
use crate::{ColourError, Rgba};

/// Settings of [`fast_ica`] and [`ica_rgb`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IcaParams {
    /// Principal components kept and whitened before `FastICA` (the `k` of "PCA to k, then ICA"):
    /// enough to hold the structure, few enough that noise directions don't dominate.
    pub pca_components: usize,
    /// Cap on fixed-point iterations; `FastICA` usually converges in tens.
    pub max_iter: usize,
    /// Convergence tolerance on the change of the unmixing directions.
    pub tol: f64,
    /// Seed of the PCA and of the random initial unmixing matrix.
    pub seed: u64,
}

impl Default for IcaParams {
    /// PCA to 10, at most 200 iterations, tolerance 10⁻⁴ (scikit-learn's defaults), seed 0.
    fn default() -> Self {
        Self {
            pca_components: 10,
            max_iter: 200,
            tol: 1e-4,
            seed: 0,
        }
    }
}

impl IcaParams {
    /// Checks the settings for `sources` independent components.
    pub fn validate(&self, sources: usize) -> Result<(), ColourError> {
        if self.pca_components == 0 {
            return Err(ColourError::ZeroComponents);
        }
        if sources == 0 || sources > self.pca_components {
            return Err(ColourError::InvalidSources {
                sources,
                pca_components: self.pca_components,
            });
        }
        if self.max_iter == 0 {
            return Err(ColourError::ZeroIterations);
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(ColourError::InvalidTolerance { tol: self.tol });
        }
        Ok(())
    }
}

/// Independent components of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Ica {
    /// Source estimates, `N × n_sources` row-major, each with unit variance and positive
    /// skewness (the sign `FastICA` cannot fix itself). Sources that the data's rank cannot
    /// support (fewer informative principal components than sources) are all zero.
    pub sources: Vec<f32>,
    /// Columns of `sources`.
    pub n_sources: usize,
    /// Fixed-point iterations run.
    pub iterations: usize,
    /// Whether the tolerance was met before `max_iter`.
    pub converged: bool,
}

/// Estimates `n_sources` statistically independent, non-Gaussian directions in the leading
/// principal subspace of `vectors` (`N × dim`) by symmetric `FastICA`, and each row's
/// coordinates along them. Deterministic for `params.seed`.
pub fn fast_ica(
    vectors: &[f32],
    dim: usize,
    n_sources: usize,
    params: &IcaParams,
    mut progress: impl FnMut(f64) -> ControlFlow<()>,
) -> Result<Ica, ColourError> {
    check_vectors(vectors, dim)?;
    params.validate(n_sources)?;
    fit(
        vectors,
        dim,
        n_sources,
        params,
        &mut Reporter::new(&mut progress),
    )
}

/// Colours each row by three independent components as red, green and blue, scaled like
/// [`crate::pca_rgb`] (1st–99th percentile to `0..=255`, clipped; a zero source gives 128).
///
/// Where PCA finds the directions of largest variance, ICA finds directions along which the
/// data are most non-Gaussian (clusters, heavy tails), which often line up with individual
/// groups: a cluster lights up in one channel. Needs `params.pca_components ≥ 3`.
pub fn ica_rgb(
    vectors: &[f32],
    dim: usize,
    params: &IcaParams,
    mut progress: impl FnMut(f64) -> ControlFlow<()>,
) -> Result<Vec<Rgba>, ColourError> {
    check_vectors(vectors, dim)?;
    params.validate(3)?;
    let mut report = Reporter::new(&mut progress);
    let ica = fit(vectors, dim, 3, params, &mut report)?;
    let colours = rgb_from_scores(&ica.sources, 3);
    report.report(1.0)?;
    Ok(colours)
}

fn fit(
    vectors: &[f32],
    dim: usize,
    n_sources: usize,
    params: &IcaParams,
    report: &mut Reporter,
) -> Result<Ica, ColourError> {
    report.report(0.0)?;
    let (scores, width) = pca_scores(vectors, dim, params.pca_components, params.seed)?;
    report.report(0.3)?;
    let z = Whitened::new(&scores, width);
    let m = n_sources.min(z.k);
    let n = z.n;
    let mut sources = vec![0.0_f32; n * n_sources];
    if m == 0 {
        return Ok(Ica {
            sources,
            n_sources,
            iterations: 0,
            converged: true,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed ^ 0x1CA0_5EED);
    let init: Vec<f64> = (0..m * z.k).map(|_| standard_normal(&mut rng)).collect();
    let mut w = decorrelate(&init, m, z.k);
    let (mut iterations, mut converged) = (0, false);
    while iterations < params.max_iter {
        let next = decorrelate(&z.update(&w, m), m, z.k);
        let change = (0..m)
            .map(|i| {
                let d: f64 = (0..z.k).map(|c| next[i * z.k + c] * w[i * z.k + c]).sum();
                (1.0 - d.abs()).abs()
            })
            .fold(0.0, f64::max);
        w = next;
        iterations += 1;
        report.stage(0.3, 0.95, iterations as f64 / params.max_iter as f64)?;
        if change < params.tol {
            converged = true;
            break;
        }
    }
    z.project(&w, m, &mut sources, n_sources);
    Ok(Ica {
        sources,
        n_sources,
        iterations,
        converged,
    })
}

/// PCA scores with zero mean and unit variance per column; flat columns dropped.
struct Whitened {
    /// `n × k` row-major.
    z: Vec<f64>,
    n: usize,
    k: usize,
}

impl Whitened {
    fn new(scores: &[f32], width: usize) -> Self {
        let n = scores.len() / width;
        let (mean, std) = column_moments(scores, width);
        let widest = std.iter().copied().fold(0.0, f64::max);
        let kept: Vec<usize> = (0..width).filter(|&j| std[j] > FLAT * widest).collect();
        let z = scores
            .par_chunks(width)
            .flat_map_iter(|row| kept.iter().map(|&j| (f64::from(row[j]) - mean[j]) / std[j]))
            .collect();
        Self {
            z,
            n,
            k: kept.len(),
        }
    }

    /// The fixed-point step for every row of `w` (`m × k`): `E{z tanh(wᵀz)} − E{1 − tanh²} w`.
    fn update(&self, w: &[f64], m: usize) -> Vec<f64> {
        let k = self.k;
        let partials: Vec<Vec<f64>> = self
            .z
            .par_chunks(CHUNK_ROWS * k)
            .map(|chunk| {
                // m × k sums of z·g, then m sums of g′.
                let mut acc = vec![0.0; m * k + m];
                for row in chunk.chunks_exact(k) {
                    for i in 0..m {
                        let y: f64 = w[i * k..(i + 1) * k]
                            .iter()
                            .zip(row)
                            .map(|(a, b)| a * b)
                            .sum();
                        let g = y.tanh();
                        for (a, &zc) in acc[i * k..(i + 1) * k].iter_mut().zip(row) {
                            *a += zc * g;
                        }
                        acc[m * k + i] += 1.0 - g * g;
                    }
                }
                acc
            })
            .collect();
        let mut total = vec![0.0; m * k + m];
        for p in &partials {
            total.iter_mut().zip(p).for_each(|(t, v)| *t += v);
        }
        let n = self.n as f64;
        let mut next = vec![0.0; m * k];
        for i in 0..m {
            let gp = total[m * k + i] / n;
            for c in 0..k {
                next[i * k + c] = total[i * k + c] / n - gp * w[i * k + c];
            }
        }
        next
    }

    /// Writes `z wᵀ` into the first `m` of `width` columns of `out`, each column's sign set
    /// so its third moment is non-negative.
    fn project(&self, w: &[f64], m: usize, out: &mut [f32], width: usize) {
        let k = self.k;
        out.par_chunks_mut(CHUNK_ROWS * width)
            .zip(self.z.par_chunks(CHUNK_ROWS * k))
            .for_each(|(o, zc)| {
                for (orow, zrow) in o.chunks_exact_mut(width).zip(zc.chunks_exact(k)) {
                    for i in 0..m {
                        let y: f64 = w[i * k..(i + 1) * k]
                            .iter()
                            .zip(zrow)
                            .map(|(a, b)| a * b)
                            .sum();
                        orow[i] = y as f32;
                    }
                }
            });
        let partials: Vec<Vec<f64>> = out
            .par_chunks(CHUNK_ROWS * width)
            .map(|o| {
                let mut s = vec![0.0; m];
                for row in o.chunks_exact(width) {
                    for (acc, &v) in s.iter_mut().zip(row) {
                        *acc += f64::from(v).powi(3);
                    }
                }
                s
            })
            .collect();
        let mut skew = vec![0.0; m];
        for p in &partials {
            skew.iter_mut().zip(p).for_each(|(t, v)| *t += v);
        }
        let flip: Vec<bool> = skew.iter().map(|&s| s < 0.0).collect();
        if flip.iter().any(|&f| f) {
            out.par_chunks_mut(width).for_each(|row| {
                for (v, &f) in row.iter_mut().zip(&flip) {
                    if f {
                        *v = -*v;
                    }
                }
            });
        }
    }
}

/// Symmetric decorrelation `(W Wᵀ)^(−1/2) W` of the `m × k` row-major `w`: the orthonormal
/// rows nearest to `w`, treating every row alike.
fn decorrelate(w: &[f64], m: usize, k: usize) -> Vec<f64> {
    let mut gram = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            gram[i * m + j] = (0..k).map(|c| w[i * k + c] * w[j * k + c]).sum();
        }
    }
    let (values, vectors) = symmetric_eigen(&gram, m);
    let largest = values.iter().copied().fold(0.0, f64::max);
    let inv_sqrt: Vec<f64> = values
        .iter()
        .map(|&v| 1.0 / v.max(1e-12 * largest).max(f64::MIN_POSITIVE).sqrt())
        .collect();
    // (W Wᵀ)^(−1/2) = E diag(λ^(−1/2)) Eᵀ.
    let mut root = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            root[i * m + j] = (0..m)
                .map(|e| vectors[i * m + e] * inv_sqrt[e] * vectors[j * m + e])
                .sum();
        }
    }
    let mut out = vec![0.0; m * k];
    for i in 0..m {
        for j in 0..m {
            let r = root[i * m + j];
            for c in 0..k {
                out[i * k + c] += r * w[j * k + c];
            }
        }
    }
    out
}

/// A standard normal deviate (Box–Muller; rand 0.9 has no normal distribution without
/// `rand_distr`).
fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
