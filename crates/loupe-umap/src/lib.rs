//! Loupe's UMAP engine: live, every-epoch UMAP with umap-learn 0.5's definitions.
//!
//! UMAP (McInnes, Healy & Melville 2018, "UMAP: Uniform Manifold Approximation and
//! Projection for Dimension Reduction", arXiv:1802.03426) is built here from separate
//! pieces, as `loupe-tsne` builds t-SNE:
//!
//! 1. **Neighbours** from `loupe-knn` (exact below 20,000 points, random-projection forest +
//!    NN-descent above), `n_neighbors − 1` per point: umap-learn counts the point itself.
//! 2. **Fuzzy simplicial set** ([`smooth_knn_dist`], [`fuzzy_simplicial_set`]): per point
//!    ρ (distance to the nearest neighbour) and σ (bisection until
//!    `Σ_j exp(−max(0, d_ij − ρ_i)/σ_i) = log2(n_neighbors)`, umap-learn's tolerance, step
//!    count and `MIN_K_DIST_SCALE` floor), then the fuzzy union `P + Pᵀ − P∘Pᵀ`.
//! 3. **Initialisation** ([`InitMethod`]): the normalised Laplacian's two smallest
//!    non-trivial eigenvectors found by LOBPCG ([`spectral_layout`]), scaled to ±10 with
//!    noise like umap-learn; a disconnected graph or an eigensolver that does not converge
//!    falls back to PCA ([`InitOutcome`] says which start was used and why).
//! 4. **Curve** ([`find_ab_params`]): `a`, `b` of `1/(1 + a·d^(2b))` fitted to `min_dist`
//!    and `spread` by least squares (defaults give a ≈ 1.577, b ≈ 0.895).
//! 5. **SGD** over the edges with negative sampling, umap-learn's `epochs_per_sample`
//!    schedule, gradient clipping to ±4 and a linearly decaying learning rate, in `f32` with a
//!    branch-free kernel that advances 8 points side by side (SIMD; an AVX2 build of the same
//!    code where the CPU has it, which gives the same bits); one epoch per
//!    [`UmapEngine::step`], so the app can show every epoch, and [`spawn_run`] drives it on
//!    a named thread that publishes `loupe-tsne`'s [`Snapshot`] type, so the app treats both
//!    methods alike.
//!
//! # Determinism
//!
//! A seed ([`UmapParams::seed`]) fixes every random choice: the kNN forest, the eigensolver's
//! start block, the initial noise (each a `ChaCha8` stream of the seed) and the negative
//! samples (a counter-based hash of seed, epoch, edge and sample number, so a draw does not
//! depend on which thread makes it or when). Layouts are **bit-identical on any number of
//! threads**: every reduction over points is split into fixed chunks added in order, and the
//! SGD — unlike umap-learn's Hogwild parallel loop, whose threads race on the layout — runs
//! each epoch in two phases over fixed, interleaved blocks of points. In a phase every point
//! of the phase's blocks walks its own edges in a fixed order, moving only itself, against a
//! copy of the layout taken at the phase's start; the step umap-learn's `move_other` gives an
//! edge's other end is written to a slot of that end's and added by it, in its own edge
//! order, when the phase ends. Every value has one writer per pass, so a point's new position
//! is a function of the previous layout, the graph and the seed alone, whatever thread
//! computes it. (Details in the `sgd` module.)
//!
//! The crate's one `unsafe` block calls that AVX2 build after run-time detection
//! (`sgd/kernel.rs`); a test checks that it and the baseline build agree bit for bit.
//!
//! This crate must never depend on a GUI or GPU crate (egui, eframe, winit, wgpu) nor do IO:
//! it is pure computation that the app, the CLI and tests drive alike.

mod curve;
mod engine;
mod error;
mod fuzzy;
mod graph;
mod init;
mod params;
mod rng;
mod runner;
mod sgd;
mod spectral;

pub use curve::{curve, find_ab_params};
pub use engine::{EpochInfo, UmapEngine};
pub use error::{ParamError, UmapError};
pub use fuzzy::{
    LocalMetric, MIN_K_DIST_SCALE, SMOOTH_K_STEPS, SMOOTH_K_TOLERANCE, fuzzy_simplicial_set,
    smooth_knn_dist,
};
pub use graph::FuzzyGraph;
pub use init::{INIT_MAX_COORD, INIT_NOISE, InitOutcome};
pub use loupe_core::VectorBuffer;
pub use loupe_knn::{ApproxParams, KnnGraph, KnnMethod, Metric};
pub use loupe_tsne::{IterationObserver, PrepareStage, RunStatus, Snapshot};
pub use params::{InitMethod, UmapParams, ValidUmapParams, default_epochs};
pub use runner::{PHASE_NAME, UmapRun, spawn_run, spawn_run_from_knn};
pub use sgd::CLIP;
pub use spectral::{
    SPECTRAL_MAX_ITERATIONS, SPECTRAL_TOLERANCE, SpectralFailure, SpectralReport, spectral_layout,
};
