//! Loupe's readers and writers: files in, [`Dataset`]s out, layouts back to files.
//!
//! [`read_file`] recognises a file by its first bytes — (Geo)Parquet, Arrow IPC / Feather v2,
//! numpy `.npy`/`.npz`, MNIST IDX raw or gzip-compressed — or, for CSV/TSV, which has no magic
//! number, by its extension, and turns it into a [`Dataset`]: the vectors in one `f32` buffer
//! and every other column untouched as Arrow. What the read found on the way (rows left out,
//! warnings, the file's key/value metadata) comes back as a [`FileReport`]. Every problem with
//! a user's file comes back as a [`DataError`] naming the file and the problem; nothing here
//! panics on input. [`write_layout_parquet`] saves a finished layout next to its metadata (as
//! GeoParquet when there is geometry), [`write_layout_csv`] as CSV with WKT, and
//! [`write_layout_geojson`] as an RFC 7946 feature collection; their `write_table_*` forms take the metadata columns
//! alone, and [`read_layout_table`] reads such a file back, so rows of a finished layout can be
//! picked and written out again without the vectors. The `write_rows_*` forms write any table
//! as it is (no coordinates added), e.g. search results with their rows' columns.
//! [`TrajectoryWriter`] streams a run's
//! layout at every recorded iteration to Parquet and [`Trajectory`] reads such a file back
//! one epoch at a time (for animations).
//!
//! Tables (Parquet, Arrow IPC, CSV) share one path from record batches to a dataset, so the
//! vector columns are chosen by one rule whatever the format (see [`read_file`]).
//!
//! This crate does IO only. It must never depend on a GUI or GPU crate (egui, eframe, winit,
//! wgpu) so that the CLI, the tests and the engines can read data without a display.

mod assemble;
mod describe;
mod error;
mod geojson_props;
mod geojson_text;
mod npy;
mod options;
mod read_csv;
mod read_idx;
mod read_ipc;
mod read_layout;
mod read_parquet;
mod read_trajectory;
mod report;
mod sink;
mod sniff;
mod table;
mod write_csv;
mod write_geo;
mod write_geojson;
#[cfg(test)]
mod write_geojson_tests;
mod write_layout;
mod write_pending;
mod write_trajectory;
mod write_wkt;

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use loupe_core::Dataset;

pub use describe::type_name;
pub use error::DataError;
pub use options::{BadRows, ReadOptions, VectorColumns};
pub use read_idx::read_idx_bytes;
pub use read_layout::read_layout_table;
pub use read_trajectory::{Trajectory, TrajectorySnapshots};
pub use report::{
    DropReason, DroppedRow, FileFormat, FileReport, SKIPPED_NULL_VECTORS_KEY, Warning,
    skipped_null_vectors,
};
pub use write_csv::{write_layout_csv, write_rows_csv, write_table_csv};
pub use write_geojson::{write_layout_geojson, write_rows_geojson, write_table_geojson};
pub use write_layout::{write_layout_parquet, write_rows_parquet, write_table_parquet};
pub use write_trajectory::TrajectoryWriter;

use sniff::Format;

/// Reads a file into a [`Dataset`] named after the file; [`read_file`] says how.
///
/// For callers that need only the data. The rows left out are still counted in the dataset
/// (see [`skipped_null_vectors`]), but the full account is in [`read_file`]'s report.
pub fn read_path(path: &Path, options: &ReadOptions) -> Result<Dataset, DataError> {
    read_file(path, options).map(|(dataset, _)| dataset)
}

/// Reads a file into a [`Dataset`] named after the file, with a [`FileReport`] of what was
/// found on the way.
///
/// The format comes from the file's first bytes, so any extension works, except CSV/TSV,
/// which must be named `.csv` or `.tsv`.
///
/// * **Tables** — Parquet, Arrow IPC file or stream, CSV with a header line. The vectors are
///   [`ReadOptions::column`] or [`ReadOptions::vector_columns`] when given; otherwise the first
///   of: a list-of-floats column (`list`, `large_list`, `fixed_size_list` of float16/32/64;
///   among several, the first named `embeddings`, `embedding`, `vector`, `vectors`, `features`
///   or `emb`); a text column of JSON arrays (`"[0.1, 0.2]"`); the longest run of numeric
///   columns named one stem plus a number (`pixel1 … pixel784`); every float column when there
///   are two or more. All other columns (a WKB `geometry`, a `label`) become metadata
///   unchanged, and the file's key/value metadata stays on the metadata schema and is copied
///   into [`FileReport::key_values`].
/// * **numpy** — a `.npy` array of two or more dimensions, or the vectors array of a `.npz`
///   (whose 1-D arrays of one value per row become metadata columns).
/// * **IDX** (raw or gzip) — an images file gives one vector per image, pixels scaled to
///   `[0, 1]`; a sibling labels file (`…-images.idx3…` → `…-labels.idx1…`, with or without
///   `.gz`) becomes a `label` column when present. A labels file on its own is an error.
///
/// Every format honours [`ReadOptions::limit`], [`ReadOptions::bad_rows`] and
/// [`ReadOptions::mean_pool_to`]. Rows whose vector is wholly missing are left out and
/// reported; NaN or infinity, nulls inside a vector and vectors of another length stop the
/// read with [`DataError::BadRows`], which lists them, unless [`BadRows::Drop`] is asked for.
/// A file without rows is [`DataError::NoRows`] whatever its format.
///
/// Should a decoding library panic on a damaged file despite all checks, the panic is caught
/// and returned as [`DataError::DecoderPanic`]: a bad file must not take the app down.
pub fn read_file(path: &Path, options: &ReadOptions) -> Result<(Dataset, FileReport), DataError> {
    panic::catch_unwind(AssertUnwindSafe(|| dispatch(path, options))).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unknown error".to_owned());
        Err(DataError::DecoderPanic {
            message,
            path: path.to_path_buf(),
        })
    })
}

fn dispatch(path: &Path, options: &ReadOptions) -> Result<(Dataset, FileReport), DataError> {
    if options.column.is_some() && options.vector_columns.is_some() {
        return Err(DataError::ConflictingOptions {
            path: path.to_path_buf(),
        });
    }
    match sniff::sniff(path)? {
        Format::Parquet => read_parquet::read_parquet(path, options),
        Format::ArrowFile => read_ipc::read_ipc_file(path, options),
        Format::ArrowStream => read_ipc::read_ipc_stream(path, options),
        Format::Csv { tab } => read_csv::read_csv(path, options, tab),
        Format::Npy => npy::read_npy(path, options),
        Format::Npz => npy::read_npz(path, options),
        Format::Idx => read_idx::read_idx_path(path, options),
        Format::Empty => Err(DataError::no_rows(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_empty_files_are_named_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, b"a,b\n1,2\n").expect("write");
        let err = read_path(&path, &ReadOptions::default()).expect_err("txt is not read");
        assert!(matches!(err, DataError::UnknownFormat { .. }), "{err}");
        assert!(err.to_string().contains("notes.txt"), "{err}");
        assert!(err.to_string().contains("61 2c 62"), "{err}");
        std::fs::write(&path, b"").expect("write");
        let err = read_path(&path, &ReadOptions::default()).expect_err("empty");
        assert!(matches!(err, DataError::NoRows { .. }), "{err}");
    }

    #[test]
    fn results_cross_threads() {
        fn is_send_sync<T: Send + Sync>() {}
        is_send_sync::<DataError>();
        is_send_sync::<FileReport>();
        is_send_sync::<ReadOptions>();
    }
}
