//! What an [`open`](crate::open) did besides producing the data: which files loaded and what
//! their readers found, which failed and why, how geometry was placed, timings, and whether
//! the result came from the cache.
//!
//! Everything here is plain data that serialises (it travels inside the cache file), so a
//! dataset reopened from the cache comes with the same report as when it was first built.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use loupe_data::DroppedRow;
use loupe_geo::{Crs, Interpretation};
use serde::{Deserialize, Serialize};

use crate::clay_name::ClayName;
use crate::serde_remote::{CrsDef, InterpretationDef};

/// The account of one [`open`](crate::open), shown by the GUI and by `loupe info`
/// (its [`Display`](fmt::Display) is a few human lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoadReport {
    /// The path that was opened.
    pub path: PathBuf,
    /// Whether it was a folder (then every row also has a `source_file` column).
    pub folder: bool,
    /// The files whose rows are in the dataset, in row order (file-name order).
    pub files: Vec<LoadedFile>,
    /// The files left out, in file-name order, with the reason.
    pub failed: Vec<FailedFile>,
    /// Rows in the dataset.
    pub rows: usize,
    /// Values per vector.
    pub dim: usize,
    /// Whether this result was read from the cache, written to it, or neither.
    pub cache: CacheOutcome,
    /// Things about the cache the user may want to know (a corrupt entry rebuilt, a cache
    /// directory that cannot be written); never fatal.
    pub cache_warnings: Vec<String>,
    /// Where the time went.
    pub timings: Timings,
}

/// One file whose rows were loaded: the essentials of its
/// [`FileReport`](loupe_data::FileReport) plus what this crate added.
///
/// The reader's report is copied field by field rather than kept, so that it can be stored in
/// the cache and read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoadedFile {
    /// The file.
    pub path: PathBuf,
    /// Rows it contributed to the dataset.
    pub rows: usize,
    /// How the file was recognised, e.g. `Parquet`.
    pub format: String,
    /// The column(s) the vectors came from.
    pub vector_columns: Vec<String>,
    /// Values per vector in the file, before any mean pooling.
    pub source_dim: usize,
    /// Rows the reader looked at, including the ones left out.
    pub rows_read: usize,
    /// Rows left out and why (e.g. no vector), in file order.
    #[serde(with = "crate::serde_remote::dropped_rows")]
    pub dropped: Vec<DroppedRow>,
    /// The reader's warnings and this crate's (metadata entries not made into columns).
    pub warnings: Vec<String>,
    /// The file's key/value metadata, as the reader found it.
    pub key_values: std::collections::BTreeMap<String, String>,
    /// The constant columns made from that metadata, by final column name.
    pub metadata_columns: Vec<String>,
    /// What the Clay file-name pattern said, when the name matched it.
    pub clay: Option<ClayName>,
    /// How the primary geometry column was placed on the globe, when there is one.
    pub geometry: Option<GeometryReport>,
    /// Wall time spent reading and converting this file.
    pub read_time: Duration,
}

impl LoadedFile {
    /// `"2 rows left out without a vector"`-style summary naming the first few unusable rows
    /// (`"…: row 2 holds NaN or infinity"`), or `None` when no row was dropped.
    pub fn dropped_summary(&self) -> Option<String> {
        /// Unusable rows named in the summary; the rest are counted.
        const NAMED: usize = 5;
        let n = self.dropped.len();
        (n > 0).then(|| {
            let unusable: Vec<&loupe_data::DroppedRow> = self
                .dropped
                .iter()
                .filter(|d| d.reason != loupe_data::DropReason::NullVector)
                .collect();
            let nulls = n - unusable.len();
            let rows = if n == 1 { "row" } else { "rows" };
            if unusable.is_empty() {
                return format!("{n} {rows} left out without a vector");
            }
            let mut named: Vec<String> = unusable
                .iter()
                .take(NAMED)
                .map(ToString::to_string)
                .collect();
            if unusable.len() > NAMED {
                named.push(format!("and {} more", unusable.len() - NAMED));
            }
            format!(
                "{n} {rows} left out ({nulls} without a vector, {} unusable: {})",
                unusable.len(),
                named.join(", ")
            )
        })
    }
}

/// How one file's primary geometry column was read and placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GeometryReport {
    /// The column (its values are now longitude/latitude WKB).
    pub column: String,
    /// The encoding it was stored in, e.g. `WKB` or `polygon` (GeoArrow).
    pub encoding: String,
    /// The CRS the file declares.
    #[serde(with = "CrsDef")]
    pub declared_crs: Crs,
    /// The CRS the coordinates were read in; `None` when they could not be placed.
    #[serde(with = "crate::serde_remote::option_crs")]
    pub used_crs: Option<Crs>,
    /// How the declaration was treated.
    #[serde(with = "InterpretationDef")]
    pub interpretation: Interpretation,
    /// Everything the user should be told: a mislabelled CRS, rows that could not be placed.
    pub warnings: Vec<String>,
    /// The geometry types found, GeoParquet spelling (`Polygon`, `MultiPolygon`, …).
    pub geometry_types: Vec<String>,
    /// The longitude/latitude extent `[west, south, east, north]` of the placed geometries.
    pub bbox: Option<[f64; 4]>,
    /// Rows with a placed geometry; the others are null.
    pub placed: usize,
}

/// One file left out of the dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedFile {
    /// The file.
    pub path: PathBuf,
    /// What kind of failure, for callers that treat some differently.
    pub kind: FailureKind,
    /// Why, in words (the reader's message without the path, which [`Display`](fmt::Display)
    /// puts first).
    pub reason: String,
}

/// What kind of failure left a file out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FailureKind {
    /// The reader refused it: damaged, not a table, no vector column, bad rows, …
    Unreadable,
    /// It holds no rows.
    NoRows,
    /// Its vectors are of another length than most files'.
    Dimension {
        /// This file's vector length.
        dim: usize,
        /// The length the dataset uses.
        expected: usize,
    },
    /// A bug in Loupe stopped this file (a caught panic); the other files are unaffected.
    Internal,
}

/// Whether the cache was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheOutcome {
    /// Read from this cache file: nothing was re-read from the sources.
    Hit {
        /// The cache file.
        file: PathBuf,
    },
    /// Built from the sources and saved to this cache file for next time.
    Written {
        /// The cache file.
        file: PathBuf,
    },
    /// Built from the sources; being saved to this cache file in the background (see
    /// [`CacheWrite::Background`](crate::CacheWrite::Background)).
    Writing {
        /// The cache file.
        file: PathBuf,
    },
    /// Built from the sources; saving failed (see [`LoadReport::cache_warnings`]).
    NotWritten,
    /// No cache: switched off, or no cache directory on this system.
    Disabled,
}

/// Where the time of an open went. On a cache hit, `files` and `combine` are those of the
/// original build (read from the cache), and `total` is this open's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    /// The whole call, wall time.
    pub total: Duration,
    /// Reading all files (in parallel), wall time.
    pub files: Duration,
    /// Stacking them into one dataset.
    pub combine: Duration,
    /// Reading the cache file (zero on a miss).
    pub cache_read: Duration,
    /// Writing the cache file (zero on a hit).
    pub cache_write: Duration,
}

impl LoadReport {
    /// Whether this dataset came from the cache.
    pub fn from_cache(&self) -> bool {
        matches!(self.cache, CacheOutcome::Hit { .. })
    }
}

/// A path's file name, or the whole path when it has none.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

impl fmt::Display for FailedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", file_name(&self.path), self.reason)
    }
}
