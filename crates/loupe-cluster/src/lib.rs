//! Clustering for Loupe: k-means on the layout or on the original vectors.
//!
//! The app colours, names and summarises groups of points; k-means gives those groups from
//! any `N × D` row-major `f32` buffer: the 2-D layout (`D = 2`, millions of rows) or the
//! high-dimensional vectors (`loupe_core::Dataset`'s buffer).
//!
//! - Seeding: greedy k-means++ (Arthur & Vassilvitskii 2007).
//! - [`Algorithm::Lloyd`]: Lloyd's iterations (Lloyd 1982) to convergence.
//! - [`Algorithm::MiniBatch`]: Sculley's mini-batch k-means (2010) with a short Lloyd polish,
//!   for large N; [`Algorithm::Auto`] chooses by N.
//! - [`elbow`]: inertia over a list of k, with progress and cancellation.
//!
//! Parameters are checked up front ([`KMeansParams::validate`], [`ParamError`]). Every fit is
//! seeded and bit-identical for a seed whatever the number of threads: parallel work is cut
//! into fixed-size blocks and floating-point sums are added in block order. Distances for
//! `D ≥ 16` go through `loupe_knn::gemm` (blocked SGEMM).
//!
//! This crate must never depend on a GUI, GPU or IO crate (egui, eframe, winit, wgpu, file
//! readers): it is pure computation on slices, for the engine thread, the CLI and tests.

mod assign;
mod elbow;
mod error;
mod init;
mod lloyd;
mod minibatch;
mod model;
mod params;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use elbow::{ElbowPoint, elbow};
pub use error::ParamError;
pub use model::KMeans;
pub use params::{Algorithm, KMeansParams, MiniBatchParams};

impl KMeansParams {
    /// Clusters `data` (`N × dim`, row-major) after [`Self::validate`].
    ///
    /// Cost: seeding `O(k · log k · n₀ · D)` with `n₀ = N` for Lloyd and a subset of a few
    /// thousand rows for mini-batch; then `O(N · k · D)` per Lloyd iteration, or
    /// `O(batch · k · D)` per mini-batch step plus a few full passes.
    pub fn fit(&self, data: &[f32], dim: usize) -> Result<KMeans, ParamError> {
        let n_points = self.validate(data, dim)?;
        Ok(fit_checked(self, data, dim, n_points))
    }
}

/// [`KMeansParams::fit`] once the parameters are known to be valid for `data`.
fn fit_checked(params: &KMeansParams, data: &[f32], dim: usize, n_points: usize) -> KMeans {
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let tol_abs = params.tol * lloyd::mean_variance(data, dim);
    let algorithm = params.algorithm.resolve(n_points);
    let (start, batches, lloyd_iters) = match algorithm {
        Algorithm::MiniBatch(mb) => {
            let (start, batches) =
                minibatch::run(data, dim, params.k, params.max_iter, mb, &mut rng);
            (start, batches, mb.refine_iter)
        }
        Algorithm::Lloyd | Algorithm::Auto => (
            init::kmeans_plus_plus(data, dim, params.k, &mut rng),
            0,
            params.max_iter,
        ),
    };
    let outcome = lloyd::run(data, dim, start, lloyd_iters, tol_abs);
    KMeans::new(outcome, dim, batches, algorithm)
}
