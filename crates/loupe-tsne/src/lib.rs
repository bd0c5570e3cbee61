//! Loupe's t-SNE engine: live, every-iteration t-SNE that matches openTSNE 1.0.4.
//!
//! t-SNE (van der Maaten & Hinton 2008) is built here from separate pieces, as openTSNE builds
//! it: [`pca`](Pca) (optional input reduction and the initial layout), nearest neighbours
//! (`loupe-knn`), [`affinities`](perplexity_affinities) calibrated to a perplexity, gradients
//! (an attractive term over the sparse P and a repulsive term: exact, Barnes–Hut (van der
//! Maaten 2014) or FFT-accelerated interpolation (Linderman et al. 2019), chosen by openTSNE's
//! `"auto"` rule), openTSNE's gradient descent with gains and momentum, and the KL divergence.
//! A [`TsneEngine`] advances one iteration per [`TsneEngine::step`] through a schedule of
//! [`Phase`]s (early exaggeration, then the embedding phase), so the app can show every
//! iteration; [`spawn_run`] drives it on a named background thread that publishes a
//! [`Snapshot`] after each iteration into a latest-wins slot.
//!
//! Beyond openTSNE's `TSNE()`: a [`Recipe`] is a multi-stage run as data (e.g.
//! [`Preset::ClayMultistage`]: a high-perplexity subsample first, then every point placed by
//! `prepare_partial` and optimised with decreasing exaggeration, after Kobak & Berens 2019),
//! stepped by a [`RecipeEngine`] and run live by [`spawn_recipe_run`];
//! [`PartialEmbedding`] / [`TsneEngine::transform`] add new points to a frozen layout
//! (openTSNE's `prepare_partial` and `transform`, Poličar et al. 2019); and
//! [`TsneEngine::continue_with`] refines a finished layout with more phases.
//!
//! Definitions and defaults follow openTSNE 1.0.4 (`TsneParams::default()` is its `TSNE()`);
//! the documented differences are robustness fixes (no underflow in the bandwidth search, no
//! mass lost in the quad tree). Results are deterministic for a seed, whatever the number of
//! threads.
//!
//! This crate must never depend on a GUI or GPU crate (egui, eframe, winit, wgpu) nor do IO:
//! it is pure computation that the app, the CLI and tests drive alike.

mod affinity;
mod attraction;
mod bh_tree;
mod eigen;
mod engine;
mod error;
mod fft_gradient;
mod fft_grid;
mod gradient;
mod init;
mod input_space;
mod interpolation;
mod kl;
mod optimizer;
mod params;
mod partial;
mod pca;
mod recipe;
mod recipe_engine;
mod rng;
mod runner;
mod schedule;

pub use affinity::{
    Affinities, ENTROPY_TOLERANCE, MAX_SEARCH_STEPS, conditional_probabilities,
    joint_probabilities, perplexity_affinities,
};
pub use eigen::symmetric_eigen;
pub use engine::{PrepareStage, StepInfo, TsneEngine};
pub use error::{ParamError, TsneError};
pub use fft_gradient::FftTimings;
pub use init::{INIT_STD, JITTER_STD, initial_layout, rescale};
pub use input_space::InputSpace;
pub use kl::{correct_for_exaggeration, kl_divergence_exact};
pub use loupe_core::VectorBuffer;
pub use loupe_knn::{ApproxParams, KnnMethod, Metric};
pub use optimizer::MIN_GAIN;
pub use params::{LearningRate, NegativeGradientMethod, TsneParams, ValidTsneParams};
pub use partial::{
    EXACT_PAIR_LIMIT, PartialEmbedding, TransformParams, median_placement, query_knn,
};
pub use pca::Pca;
pub use recipe::{
    AffinitySpec, PhaseSpec, Preset, Recipe, Stage, StageInit, StagePoints, ValidRecipe,
};
pub use recipe_engine::{RecipeEngine, RecipeStep};
pub use runner::{
    FinishedLayout, IterationObserver, PositionPool, RunControl, RunStatus, Snapshot, TsneRun,
    spawn_recipe_run, spawn_refine, spawn_run, spawn_transform,
};
pub use schedule::Phase;
