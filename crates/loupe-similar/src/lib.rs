//! "Find more like this" for Loupe.
//!
//! A user clicks a point (a *pool* of one positive), is shown more candidates ranked over the
//! full-dimensional vectors, confirms or rejects them, and iterates. This crate is the pure
//! engine behind that loop:
//!
//! * [`NormalisedVectors`] keeps one L2-normalised copy of the `N × D` row-major `f32`
//!   vectors and remembers rows whose cosine is undefined (zero or non-finite norm);
//! * [`NormalisedVectors::top_k`] is exact cosine top-k over every row (blocked, parallel,
//!   deterministic, ties broken by the smaller row index);
//! * [`Strategy`] turns positive/negative [`Label`]s into a score per row
//!   ([`NormalisedVectors::scores`], for heat-map colouring) and into the top unlabelled
//!   candidates ([`NormalisedVectors::rank`]);
//! * [`simulate`] replays the loop with a simulated user to compare strategies by recall,
//!   and [`run_experiment`] does so for many users and strategies at once, with a summary
//!   ([`Experiment::summary`]); both rank incrementally, keeping per-row state between
//!   iterations (`ranker.rs`), with the same results as ranking from scratch.
//!
//! This crate must never depend on a GUI, GPU or IO crate (egui, eframe, winit, wgpu, arrow
//! readers): it is pure computation on slices, usable from the engine thread, the CLI and
//! tests. Every parallel reduction runs over fixed-size chunks merged in order, so results do
//! not depend on the number of threads.
//!
//! The only `unsafe` is calling the AVX2 + FMA build of the dot-product kernel after run-time
//! feature detection (see `dot.rs`); everything else is safe, portable Rust.

mod dot;
mod error;
mod experiment;
mod names;
mod probe;
mod ranker;
mod select;
mod session;
mod simulate;
mod strategy;
mod vectors;

pub use dot::dot;
pub use error::SimilarError;
pub use experiment::{Curve, Experiment, ExperimentParams, StrategySummary, run_experiment};
pub use names::DEFAULT_PER_POSITIVE;
pub use probe::ProbeParams;
pub use simulate::{SimulateParams, simulate};
pub use strategy::{Label, Strategy};
pub use vectors::NormalisedVectors;
