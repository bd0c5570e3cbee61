//! The initial layout: spectral (with its fallbacks), PCA or random, then scaled as
//! umap-learn's `simplicial_set_embedding` does before optimising.

use loupe_tsne::Pca;
use rand::Rng;

use crate::rng::{Stream, rng, standard_normal};
use crate::spectral::{SpectralFailure, spectral_layout};
use crate::{FuzzyGraph, InitMethod, UmapError};

/// Largest absolute coordinate after scaling a spectral or PCA start (umap-learn's
/// `noisy_scale_coords(max_coord=10)`).
pub const INIT_MAX_COORD: f32 = 10.0;
/// Standard deviation of the noise added to a spectral or PCA start (umap-learn's `noise`),
/// which keeps coincident points apart.
pub const INIT_NOISE: f64 = 1e-4;

/// Which initialisation the layout actually started from, and why when it is not the one
/// asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum InitOutcome {
    /// The spectral layout, as asked.
    Spectral {
        /// LOBPCG iterations (0 when the graph was small enough for a dense solve).
        iterations: usize,
        /// Largest residual norm of the two eigenvectors.
        residual: f64,
    },
    /// The spectral layout failed and the input's two leading principal components were used
    /// instead. umap-learn lays out each connected component separately and arranges them by
    /// their centroids; Loupe takes this simpler documented fallback, which keeps components
    /// where the input puts them.
    PcaFallback {
        /// Why the spectral layout failed.
        reason: SpectralFailure,
    },
    /// The spectral layout failed and no input vectors were at hand (an engine built from a
    /// neighbour graph alone), so the start is random, as umap-learn's own fallback is.
    RandomFallback {
        /// Why the spectral layout failed.
        reason: SpectralFailure,
    },
    /// PCA, as asked.
    Pca,
    /// Uniform random, as asked.
    Random,
}

/// The input rows an initialisation may use: `N × dim`, row-major.
pub(crate) type Rows<'a> = Option<(&'a [f32], usize)>;

/// Computes the starting layout (`N × 2`, interleaved, in `[0, 10]²`).
pub(crate) fn initial_layout(
    method: InitMethod,
    graph: &FuzzyGraph,
    rows: Rows<'_>,
    seed: u64,
) -> Result<(Vec<f32>, InitOutcome), UmapError> {
    let n = graph.n_points();
    let mut noise = rng(seed, Stream::InitNoise);
    let (mut layout, outcome) = match method {
        InitMethod::Spectral => match spectral_layout(graph, seed) {
            Ok((coords, report)) => {
                let coords: Vec<f32> = coords.iter().map(|&v| v as f32).collect();
                (
                    noisy_scale(coords, &mut noise),
                    InitOutcome::Spectral {
                        iterations: report.iterations,
                        residual: report.residual,
                    },
                )
            }
            Err(reason) => match rows {
                Some((data, dim)) => (
                    noisy_scale(pca_scores(data, dim, seed)?, &mut noise),
                    InitOutcome::PcaFallback { reason },
                ),
                None => (
                    uniform(n, &mut noise),
                    InitOutcome::RandomFallback { reason },
                ),
            },
        },
        InitMethod::Pca => {
            let Some((data, dim)) = rows else {
                return Err(UmapError::NoVectorsForPca);
            };
            (
                noisy_scale(pca_scores(data, dim, seed)?, &mut noise),
                InitOutcome::Pca,
            )
        }
        InitMethod::Random => (uniform(n, &mut noise), InitOutcome::Random),
    };
    to_unit_box(&mut layout);
    Ok((layout, outcome))
}

/// The two leading principal-component scores, `N × 2`.
fn pca_scores(data: &[f32], dim: usize, seed: u64) -> Result<Vec<f32>, UmapError> {
    let pca = fit_pca(data, dim, 2, seed, Stream::PcaInit)?;
    let c = pca.n_components();
    Ok(pca
        .transform(data)
        .chunks_exact(c.max(1))
        .flat_map(|row| [row[0], row.get(1).copied().unwrap_or(0.0)])
        .collect())
}

/// `loupe-tsne`'s seeded PCA with its seed drawn from `stream` of the run's seed, so the input
/// reduction and the PCA initialisation never share start vectors.
pub(crate) fn fit_pca(
    data: &[f32],
    dim: usize,
    components: usize,
    seed: u64,
    stream: Stream,
) -> Result<Pca, UmapError> {
    let stream_seed = rng(seed, stream).random::<u64>();
    Pca::fit(data, dim, components, stream_seed).map_err(UmapError::Pca)
}

/// umap-learn's `noisy_scale_coords`: scaled so the largest absolute coordinate is
/// [`INIT_MAX_COORD`], then `N(0, INIT_NOISE²)` noise added.
fn noisy_scale(mut coords: Vec<f32>, noise: &mut impl Rng) -> Vec<f32> {
    let largest = coords.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
    let expansion = if largest > 0.0 {
        INIT_MAX_COORD / largest
    } else {
        1.0
    };
    for v in &mut coords {
        *v = *v * expansion + (INIT_NOISE * standard_normal(noise)) as f32;
    }
    coords
}

/// Uniform on `[−10, 10]²` (umap-learn's `init="random"`).
fn uniform(n: usize, noise: &mut impl Rng) -> Vec<f32> {
    (0..2 * n)
        .map(|_| noise.random_range(-10.0_f32..10.0))
        .collect()
}

/// Each column mapped linearly onto `[0, 10]` (umap-learn does this to every start before
/// optimising); a column without spread is set to 0.
fn to_unit_box(layout: &mut [f32]) {
    for axis in 0..2 {
        let (lo, hi) = layout
            .iter()
            .skip(axis)
            .step_by(2)
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let range = hi - lo;
        for v in layout.iter_mut().skip(axis).step_by(2) {
            *v = if range > 0.0 {
                10.0 * (*v - lo) / range
            } else {
                0.0
            };
        }
    }
}
