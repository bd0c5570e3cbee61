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
//!    schedule, gradient clipping to ±4 and a linearly decaying learning rate; one epoch per
//!    [`UmapEngine::step`], so the app can show every epoch, and [`spawn_run`] drives it on
//!    a named thread that publishes `loupe-tsne`'s [`Snapshot`] type, so the app treats both
//!    methods alike.
//!
//! # Determinism
//!
//! A seed ([`UmapParams::seed`]) fixes every random choice: the kNN forest, the eigensolver's
//! start block, the initial noise (each a `ChaCha8` stream of the seed) and the negative
//! samples (a counter-based hash of seed, epoch, edge and sample number). Layouts are
//! **bit-identical on any number of threads**: every reduction over points is split into
//! fixed chunks added in order, and the SGD — unlike umap-learn's Hogwild parallel loop —
//! updates each point from a copy of the layout frozen at the start of the epoch, one task
//! per point walking that point's own edges in a fixed order (the symmetric graph holds
//! every edge from both ends; the owning end takes the two attraction steps umap-learn's
//! `move_other` would give it). A point's new position is therefore a function of the frozen
//! layout, its edges and the seed alone, whatever thread computes it and whenever.
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
