//! Nearest-neighbour search for Loupe.
//!
//! t-SNE's input affinities need each point's `k ≈ 3·perplexity` nearest neighbours, and the
//! app's "find more like this" needs top-k similarity over every row. This crate answers both
//! from a plain row-major `N × D` `f32` buffer (the layout of `loupe_core::Dataset`).
//!
//! Two methods sit behind [`KnnMethod`] and [`knn`]: exact, blocked brute force
//! ([`exact_knn`]), and a random-projection forest refined by NN-descent
//! ([`approximate_knn`]), which reaches recall ≈ 0.99 several times faster from ~10⁴ points.
//! [`KnnMethod::Auto`] picks between them by size. Both are deterministic and independent of
//! the thread count.
//!
//! This crate must never depend on a GUI, GPU or IO crate (egui, eframe, winit, wgpu, arrow
//! readers): it is pure computation on slices, usable from the engine thread, the CLI and tests.

mod approx;
mod dense;
mod distance;
mod error;
mod exact;
mod forest;
mod graph;
mod nndescent;
mod topk;

pub use approx::{ApproxParams, approximate_knn};
pub use dense::{MatRef, gemm};
pub use distance::normalise_rows;
pub use error::KnnError;
pub use exact::{exact_knn, exact_query_knn};
pub use graph::{KnnGraph, KnnMethod, Metric};

/// The `k` nearest neighbours of every row, by the chosen method.
///
/// [`KnnMethod::Auto`] is resolved against the point count first ([`KnnMethod::resolve`]).
pub fn knn(
    vectors: &[f32],
    dim: usize,
    k: usize,
    metric: Metric,
    method: KnnMethod,
) -> Result<KnnGraph, KnnError> {
    let n_points = vectors.len().checked_div(dim).unwrap_or(0);
    match method.resolve(n_points, k) {
        KnnMethod::Approximate(params) => approximate_knn(vectors, dim, k, metric, params),
        KnnMethod::Exact | KnnMethod::Auto { .. } => exact_knn(vectors, dim, k, metric),
    }
}
