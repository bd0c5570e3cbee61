//! The one error type of this crate: the cases where nothing could be opened at all. A folder
//! in which only some files fail is not an error; those files are listed in the
//! [`LoadReport`](crate::LoadReport).

use std::io;
use std::path::PathBuf;

use loupe_core::DatasetError;
use loupe_data::DataError;

use crate::report::FailedFile;

/// Why [`open`](crate::open) produced no dataset. Every message names the path and the
/// problem, because the app and the CLI show it as it is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The path does not exist.
    #[error("{}: no such file or folder", path.display())]
    NotFound {
        /// The path given.
        path: PathBuf,
    },
    /// The folder (or the path's metadata) could not be read: permissions, a broken link.
    #[error("{}: could not read the folder: {source}", path.display())]
    ReadDir {
        /// The operating system's error.
        source: io::Error,
        /// The path given.
        path: PathBuf,
    },
    /// The folder holds no file Loupe reads as part of a folder.
    #[error(
        "{}: the folder holds no .gpq, .parquet or .geoparquet files (sub-folders are not \
         searched)",
        path.display()
    )]
    NoFiles {
        /// The folder.
        path: PathBuf,
    },
    /// The single file given could not be read; the reader's error says why.
    #[error(transparent)]
    File {
        /// What went wrong, naming the file.
        #[from]
        source: DataError,
    },
    /// Every file of the folder failed; each reason is listed, one per line.
    #[error("{}: none of the {} files could be loaded:{}", path.display(), failures.len(), list(failures))]
    NothingLoaded {
        /// Each file and why it failed, in file-name order.
        failures: Vec<FailedFile>,
        /// The folder.
        path: PathBuf,
    },
    /// The files' rows could not be stacked into one dataset.
    #[error("{}: could not combine the files: {source}", path.display())]
    Combine {
        /// The data model's complaint.
        source: DatasetError,
        /// The path given.
        path: PathBuf,
    },
}

fn list(failures: &[FailedFile]) -> String {
    let mut out = String::new();
    for f in failures {
        out.push_str("\n  ");
        out.push_str(&f.to_string());
    }
    out
}
