//! Loupe's readers and writers: files in, [`Dataset`]s out, layouts back to files.
//!
//! [`read_path`] recognises a file by its first bytes rather than its extension — (Geo)Parquet
//! by the `PAR1` magic, MNIST IDX raw or gzip-compressed — and turns it into a [`Dataset`]: the
//! vectors in one `f32` buffer and every other column untouched as Arrow. Every problem with a
//! user's file comes back as a [`DataError`] naming the file and the problem; nothing here
//! panics on input. [`write_layout_parquet`] saves a finished layout next to its metadata.
//!
//! This crate does IO only. It must never depend on a GUI or GPU crate (egui, eframe, winit,
//! wgpu) so that the CLI, the tests and the engines can read data without a display.

mod error;
mod read_idx;
mod read_parquet;
mod vectors;
mod write_layout;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use loupe_core::Dataset;

pub use error::DataError;
pub use read_idx::read_idx_bytes;
pub use read_parquet::{SKIPPED_NULL_VECTORS_KEY, skipped_null_vectors};
pub use write_layout::write_layout_parquet;

/// What to read from a file; the default reads every row and picks the vector column itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The column holding the vectors, for files with several float-list columns; `None`
    /// picks one (see [`read_path`]). Ignored for IDX files, which have no columns.
    pub column: Option<String>,
    /// Read only the first `n` rows, for a quick look at a large file; reading stops early.
    pub limit: Option<usize>,
}

/// Reads a (Geo)Parquet or MNIST IDX file into a [`Dataset`] named after the file.
///
/// The format comes from the file's first bytes, so any extension works (`.parquet`, `.gpq`,
/// `.geoparquet`, `.gz`, `-ubyte`).
///
/// * **Parquet**: the vectors come from a `list`, `large_list` or `fixed_size_list` column of
///   `float16`, `float32` or `float64` — [`ReadOptions::column`] when given, otherwise the
///   only such column, or among several the first named `embeddings`, `embedding`, `vector`,
///   `vectors`, `features` or `emb`, or else the first. All other columns (including a WKB
///   `geometry`) become the dataset's metadata unchanged. Rows whose whole vector is null are
///   skipped and counted (see [`skipped_null_vectors`]); a null or non-finite value inside a
///   vector, or vectors of different lengths, are errors naming the row.
/// * **IDX** (raw or gzip): an images file gives one vector per image, pixels scaled to
///   `[0, 1]`; a sibling labels file (`…-images.idx3…` → `…-labels.idx1…`, with or without
///   `.gz`) becomes a `label` column when present. A labels file on its own is an error.
pub fn read_path(path: &Path, options: &ReadOptions) -> Result<Dataset, DataError> {
    match sniff(path)? {
        Format::Parquet => read_parquet::read_parquet(path, options),
        Format::Idx => read_idx::read_idx_path(path, options.limit),
    }
}

/// The formats [`read_path`] tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Parquet,
    /// Raw IDX or gzip (which we only expect to hold IDX).
    Idx,
}

/// Recognises a file by its magic bytes, so that renamed files still open.
fn sniff(path: &Path) -> Result<Format, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(e, path))?;
    let mut magic = Vec::with_capacity(4);
    file.take(4)
        .read_to_end(&mut magic)
        .map_err(|e| DataError::io(e, path))?;
    format_of(&magic).ok_or_else(|| DataError::UnknownFormat {
        magic: if magic.is_empty() {
            "(none: the file is empty)".to_owned()
        } else {
            magic
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        },
        path: path.to_path_buf(),
    })
}

fn format_of(magic: &[u8]) -> Option<Format> {
    match magic {
        b"PAR1" => Some(Format::Parquet),
        [0x1f, 0x8b, ..] => Some(Format::Idx),
        [0, 0, kind, dims] if read_idx::is_idx_magic(*kind, *dims) => Some(Format::Idx),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_magic_bytes() {
        assert_eq!(format_of(b"PAR1"), Some(Format::Parquet));
        assert_eq!(format_of(&[0x1f, 0x8b, 8, 0]), Some(Format::Idx));
        assert_eq!(format_of(&[0, 0, 8, 3]), Some(Format::Idx));
        assert_eq!(format_of(&[0, 0, 8, 0]), None);
        assert_eq!(format_of(b"id,x"), None);
        assert_eq!(format_of(b""), None);
    }

    #[test]
    fn unknown_and_empty_files_are_named_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notes.csv");
        std::fs::write(&path, b"a,b\n1,2\n").expect("write");
        let err = read_path(&path, &ReadOptions::default()).expect_err("csv is not read");
        assert!(matches!(err, DataError::UnknownFormat { .. }));
        assert!(err.to_string().contains("notes.csv"), "{err}");
        std::fs::write(&path, b"").expect("write");
        let err = read_path(&path, &ReadOptions::default()).expect_err("empty");
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
