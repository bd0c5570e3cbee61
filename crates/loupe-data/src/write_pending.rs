//! The one way this crate creates output files: beside the destination under a temporary
//! name, renamed into place only when complete.
//!
//! A crash, a full disk or an encoder error therefore never leaves a half-written file where
//! the user expects their results, and an existing file is replaced only by a complete one.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::DataError;

/// A temporary file beside the destination, removed on drop unless persisted.
pub(crate) struct PendingFile {
    file: File,
    path: PathBuf,
    persisted: bool,
}

impl PendingFile {
    /// Creates `.<name>.<pid>-<n>.tmp` in the destination's directory, so the final rename
    /// stays on one filesystem and is atomic.
    pub(crate) fn create_beside(destination: &Path) -> Result<Self, DataError> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = destination
            .file_name()
            .map_or_else(|| "layout".into(), |n| n.to_string_lossy());
        let directory = match destination.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = directory.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(Self {
                        file,
                        path,
                        persisted: false,
                    });
                }
                // A leftover from a crashed run: try the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < u32::MAX => {}
                // Not `DataError::io`: a missing directory is not a missing input file.
                Err(source) => {
                    return Err(DataError::Io {
                        source,
                        path: destination.to_path_buf(),
                    });
                }
            }
        }
    }

    /// The open temporary file, for writers that borrow it.
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// A second handle on the temporary file, for writers that must own theirs (a streaming
    /// writer kept in a struct cannot borrow from its neighbour field).
    pub(crate) fn handle(&self, destination: &Path) -> Result<File, DataError> {
        self.file.try_clone().map_err(|source| DataError::Io {
            source,
            path: destination.to_path_buf(),
        })
    }

    /// Flushes the data to disk and renames the file over `destination`.
    pub(crate) fn persist(mut self, destination: &Path) -> Result<(), DataError> {
        let failed = |source| DataError::Io {
            source,
            path: destination.to_path_buf(),
        };
        self.file.sync_all().map_err(failed)?;
        fs::rename(&self.path, destination).map_err(failed)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the write already failed and that error is what the caller sees.
            let _ = fs::remove_file(&self.path);
        }
    }
}
