//! Nearest-neighbour search for Loupe.
//!
//! t-SNE's input affinities need each point's `k ≈ 3·perplexity` nearest neighbours, and the
//! app's "find more like this" needs top-k similarity over every row. This crate answers both
//! from a plain row-major `N × D` `f32` buffer (the layout of `loupe_core::Dataset`).
//!
//! Today the only method is exact, blocked brute force ([`exact_knn`]), fast enough for
//! N ≈ 10⁴–10⁵; approximate methods for millions of points will arrive behind [`KnnMethod`] and
//! [`knn`] without changing callers.
//!
//! This crate must never depend on a GUI, GPU or IO crate (egui, eframe, winit, wgpu, arrow
//! readers): it is pure computation on slices, usable from the engine thread, the CLI and tests.

mod dense;
mod error;
mod exact;
mod graph;
mod topk;

pub use dense::{MatRef, gemm};
pub use error::KnnError;
pub use exact::exact_knn;
pub use graph::{KnnGraph, KnnMethod, Metric};

/// The `k` nearest neighbours of every row, by the chosen method.
///
/// The seam through which approximate methods will be offered; with [`KnnMethod::Exact`] this
/// is [`exact_knn`].
pub fn knn(
    vectors: &[f32],
    dim: usize,
    k: usize,
    metric: Metric,
    method: KnnMethod,
) -> Result<KnnGraph, KnnError> {
    match method {
        KnnMethod::Exact => exact_knn(vectors, dim, k, metric),
    }
}
