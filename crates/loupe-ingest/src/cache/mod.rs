//! The dataset cache: one Arrow IPC file per opened path under the cache directory, named by
//! a [`CacheKey`] so that any change to the files or the read options misses.
//!
//! Reopening from the cache skips Parquet decoding, geometry conversion and stacking; what is
//! left is mapping one file of the final layout ([`mmap`]) and checking it. A damaged entry is
//! detected when read ([`read_entry`]), deleted and rebuilt; a cache that cannot be written
//! only costs a warning.

mod key;
mod mmap;
mod read;
mod write;

use std::io;
use std::path::{Path, PathBuf};

use arrow_schema::ArrowError;
use serde::{Deserialize, Serialize};

pub(crate) use key::{CacheKey, FORMAT_VERSION};
pub(crate) use read::read_entry;
pub(crate) use write::{remove_stale, write_entry};

use crate::report::LoadReport;

/// Schema metadata key holding the [`Header`] as JSON.
pub(crate) const HEADER_KEY: &str = "loupe:cache";

/// Name of the vector column in the cache file (always the last column); not a name any
/// real column is likely to have, and the header check would catch it anyway.
pub(crate) const VECTOR_FIELD: &str = "loupe:vectors";

/// What the cache file says about itself besides its columns.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Header {
    /// [`key::FORMAT_VERSION`] when written.
    pub(crate) format: u32,
    /// The content key the entry was written for; checked against the file name's promise.
    pub(crate) key: String,
    /// The dataset's name.
    pub(crate) name: String,
    /// The dataset's vector column name.
    pub(crate) vector_column: String,
    /// Values per vector.
    pub(crate) dim: usize,
    /// Rows.
    pub(crate) rows: usize,
    /// The dataset's image shape.
    pub(crate) image_shape: Option<[usize; 2]>,
    /// The report of the build that wrote the entry.
    pub(crate) report: LoadReport,
}

/// Why a cache entry could not be read or written; only ever shown as a warning.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CacheError {
    /// The file system refused.
    #[error("{}: {source}", path.display())]
    Io {
        /// The operating system's error.
        source: io::Error,
        /// The cache file or directory.
        path: PathBuf,
    },
    /// The IPC reader or writer failed (a truncated file has no footer).
    #[error("{}: {source}", path.display())]
    Arrow {
        /// Arrow's error.
        source: ArrowError,
        /// The cache file.
        path: PathBuf,
    },
    /// The file is readable but not what was written for this key.
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// What differs.
        reason: String,
        /// The cache file.
        path: PathBuf,
    },
}

impl CacheError {
    pub(crate) fn io(source: io::Error, path: &Path) -> Self {
        Self::Io {
            source,
            path: path.to_path_buf(),
        }
    }

    pub(crate) fn arrow(source: ArrowError, path: &Path) -> Self {
        Self::Arrow {
            source,
            path: path.to_path_buf(),
        }
    }

    pub(crate) fn invalid(reason: String, path: &Path) -> Self {
        Self::Invalid {
            reason,
            path: path.to_path_buf(),
        }
    }
}
