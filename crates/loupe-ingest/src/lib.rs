//! Opening what the user points Loupe at: a file or a folder of (Geo)Parquet files becomes one
//! [`Dataset`] plus a [`LoadReport`] saying what happened, fast and safely.
//!
//! The seed workflow this replaces walks a folder of Clay files, reads each with geopandas,
//! adds columns parsed from the file names, concatenates everything and pickles it because
//! reloading is slow. [`open`] does all of that in one call:
//!
//! * **Folders**: every `.gpq`, `.parquet` and `.geoparquet` file directly inside (sub-folders
//!   are not searched), in file-name order, read in parallel (rayon), one
//!   [`loupe_data::read_file`] per file, with [`Progress`] reported through a callback so the
//!   GUI and the CLI can draw a bar.
//! * **Fault isolation**: a file that cannot be read, has no rows or has vectors of another
//!   length is listed in the report with the reason, and the others still load.
//! * **Columns from outside the table**: the Clay file-name pattern
//!   `{MGRS}_{YYYYMMDD}_{YYYYMMDD}_v{version}` ([`ClayName`]), the file's key/value metadata
//!   (see [`metadata_columns`] for the rule), and the file name for folders.
//! * **Geometry** is converted to longitude/latitude WKB with `loupe-geo`, so the dataset's
//!   geometry is always OGC:CRS84, and a GeoParquet 1.1 `geo` entry describing it is put on
//!   the metadata schema so exports stay valid GeoParquet.
//! * **Cache**: the assembled dataset is stored as an Arrow IPC file keyed by the files' paths,
//!   sizes and modification times and the read options; opening the same unchanged data again
//!   reads that file instead (see [`CachePolicy`]).
//!
//! # How fast it is
//!
//! `loupe-bench load` (run by `scripts/bench-load`, see docs/benchmarks.md) opens 100
//! Clay-like files of 10,000 rows × 768 values (3 GB of vectors). On a 2-core development VM:
//! a first open takes about 5.5 s (pyarrow alone takes 13 s for the same files), a cached
//! reopen about 0.15 s. The reopen is fast because nothing is copied: the cache file is
//! memory-mapped, its metadata columns and its vectors are views of the mapping
//! ([`loupe_core::Dataset::from_buffer`]), and the one pass left is the finite check. A first
//! open copies the vectors once per file (out of Parquet's pages) and once more into the
//! combined buffer, which the dataset then owns without another copy.
//!
//! This crate does file IO and uses the rayon pool, nothing else: it must never depend on a
//! GUI or GPU crate (egui, eframe, winit, wgpu), so the CLI and the tests can use it headless.

// Format names (GeoParquet, GeoArrow) are proper nouns, not code; as in loupe-geo.
#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet/GeoArrow are names, not code identifiers"
)]

mod assemble;
mod cache;
mod clay_name;
mod describe;
mod discover;
mod error;
mod geometry;
mod metadata_columns;
mod open;
mod options;
mod progress;
mod read_one;
mod report;
mod report_display;
mod serde_remote;

pub use clay_name::ClayName;
pub use describe::describe;
pub use error::IngestError;
pub use metadata_columns::{FILE_PREFIX, MAX_VALUE_CHARS, SKIPPED_KEYS, metadata_columns};
pub use open::{Opened, open};
pub use options::{CACHE_DIR_ENV, CachePolicy, CacheWrite, OpenOptions};
pub use progress::{Progress, Stage};
pub use report::{
    CacheOutcome, FailedFile, FailureKind, GeometryReport, LoadReport, LoadedFile, Timings,
};

#[doc(no_inline)]
pub use loupe_core::Dataset;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_cross_threads() {
        fn is_send_sync<T: Send + Sync>() {}
        is_send_sync::<Opened>();
        is_send_sync::<LoadReport>();
        is_send_sync::<IngestError>();
        is_send_sync::<OpenOptions>();
        is_send_sync::<Progress>();
    }
}
