//! Loupe's data model, shared by every other crate.
//!
//! A [`Dataset`] holds N vectors of dimension D in one contiguous `f32` buffer (row-major), so
//! the engines can stream over it without pointer chasing, plus the rows' other columns as an
//! Arrow [`RecordBatch`] so that metadata of any type survives untouched from reader to export.
//!
//! This crate must never do IO, spawn threads or depend on a GUI or GPU crate: it is the common
//! vocabulary of the engine crates and the app.

mod categories;
mod concat;
mod dataset;
mod latest;
mod rows;
mod selection;
mod timeline;

pub use categories::{Categories, MAX_CATEGORIES};
pub use dataset::{Dataset, DatasetError, VectorBuffer};
pub use latest::LatestSlot;
pub use selection::{
    Lasso, NamedSelectionError, NamedSelections, Selection, SelectionError, SelectionIter,
    SelectionMode, select_box,
};
pub use timeline::{Timeline, TimelineError, TimelineMark, bounds_2d};

pub use arrow_array::RecordBatch;
