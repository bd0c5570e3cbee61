//! `FastICA` and the ICA → RGB colouring.
//!
//! Hyvärinen & Oja, "Independent component analysis: algorithms and applications", Neural
//! Networks 13 (2000): on whitened data `z`, the fixed-point update for each unmixing row is
//! `w⁺ = E{z g(wᵀz)} − E{g′(wᵀz)} w` with the log-cosh contrast `G(u) = log cosh u`,
//! `g = tanh`, `g′ = 1 − tanh²` (a₁ = 1), and all rows are updated together then symmetrically
//! decorrelated, `W ← (W Wᵀ)^(−1/2) W`, so no component is favoured (the paper's section 6,
//! one unit and several units). Converged when every row's direction moves less than the
//! tolerance (`max |1 − |⟨w⁺, w⟩|| < tol`, as scikit-learn does).

use std::ops::ControlFlow;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::fastica::{Whitened, decorrelate, standard_normal};
use crate::input::check_vectors;
use crate::pca_colours::{pca_scores, rgb_from_scores};
use crate::progress::Reporter;
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
