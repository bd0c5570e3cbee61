//! A file that appears at its path only once it is complete.

use std::fs::{File, OpenOptions};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::VideoError;

/// A temporary file beside the destination (same folder, so the final rename is atomic),
/// removed if dropped before [`Pending::persist`].
///
/// Creating it up front also means an unwritable destination (a missing folder, a path under
/// a file, no permission) fails before any frame is rendered, and a failed or cancelled export
/// never leaves half a video where the user expects one. Created with the default permissions
/// (the umask applies), unlike a private temporary file, because it becomes the user's file.
pub(crate) struct Pending {
    file: File,
    temporary: PathBuf,
    path: PathBuf,
    persisted: bool,
}

impl Pending {
    pub(crate) fn create(path: &Path) -> Result<Self, VideoError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        if path.is_dir() {
            return Err(VideoError::io(
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a folder"),
                path,
            ));
        }
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let stem = path
            .file_name()
            .map_or_else(|| "video".into(), |n| n.to_string_lossy());
        for _ in 0..1000 {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let temporary = folder.join(format!(".{stem}.{}-{n}.partial", std::process::id()));
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&temporary)
            {
                Ok(file) => {
                    return Ok(Self {
                        file,
                        temporary,
                        path: path.to_path_buf(),
                        persisted: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(VideoError::io(e, path)),
            }
        }
        Err(VideoError::io(
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "no free temporary name beside it",
            ),
            path,
        ))
    }

    /// A buffered writer on a second handle of the temporary file.
    pub(crate) fn writer(&self) -> Result<BufWriter<File>, VideoError> {
        let handle = self.file.try_clone().map_err(|e| self.failed(e))?;
        Ok(BufWriter::with_capacity(1 << 20, handle))
    }

    /// The destination.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// An IO error about the destination.
    pub(crate) fn failed(&self, source: std::io::Error) -> VideoError {
        VideoError::io(source, &self.path)
    }

    /// Moves the finished file to its destination, replacing what was there.
    pub(crate) fn persist(mut self) -> Result<(), VideoError> {
        self.file.sync_all().map_err(|e| self.failed(e))?;
        std::fs::rename(&self.temporary, &self.path).map_err(|e| self.failed(e))?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the file is ours and incomplete; nothing to report if it is gone.
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}
