//! A finished layout → Parquet: the metadata columns plus `x` and `y`.
//!
//! The file is written beside its destination under a temporary name and renamed into place
//! only when complete, so a crash or a full disk never leaves a half-written file where the
//! user expects their results.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use arrow_array::{ArrayRef, Float32Array, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema};
use loupe_core::Dataset;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::DataError;

/// Schema metadata keys not carried over: pandas' index description names columns that the
/// layout file no longer has, the Arrow schema is re-encoded by the writer, and the skipped
/// count describes the source file, not this one.
const STALE_METADATA_KEYS: [&str; 3] = ["pandas", "ARROW:schema", crate::SKIPPED_NULL_VECTORS_KEY];

/// Schema metadata key marking a file as a Loupe layout (value: the coordinate columns), so
/// that reading it back does not mistake `x` and `y` for a two-dimensional embedding.
pub(crate) const LAYOUT_KEY: &str = "loupe:layout_columns";

/// Saves a layout as Parquet: the dataset's metadata columns unchanged, then `x` and `y`.
///
/// `xy` holds the positions interleaved, `[x0, y0, x1, y1, …]`, two per row. The vectors are
/// not written: the layout file is for analysis and maps, and the source file still has them.
/// Metadata columns already named `x` or `y` (from re-opening an earlier layout) are replaced.
/// Schema metadata such as the `geo` key of (Geo)Parquet is kept, so GIS tools still map it,
/// and `loupe:layout_columns = x,y` is added.
/// Compression is zstd. The file appears atomically: written to a temporary file in the same
/// directory, then renamed over `path`.
pub fn write_layout_parquet(path: &Path, dataset: &Dataset, xy: &[f32]) -> Result<(), DataError> {
    let rows = dataset.n_rows();
    if xy.len() != 2 * rows {
        return Err(DataError::LayoutLength {
            rows,
            xy_len: xy.len(),
            path: path.to_path_buf(),
        });
    }
    let batch = layout_batch(dataset.metadata(), xy).map_err(|e| DataError::arrow(e, path))?;
    let key_values: Vec<KeyValue> = batch
        .schema()
        .metadata()
        .iter()
        .map(|(key, value)| KeyValue::new(key.clone(), value.clone()))
        .collect();
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata((!key_values.is_empty()).then_some(key_values))
        .build();

    let pending = PendingFile::create_beside(path)?;
    let mut writer = ArrowWriter::try_new(pending.file(), batch.schema(), Some(properties))
        .map_err(|e| DataError::parquet(e, path))?;
    writer
        .write(&batch)
        .map_err(|e| DataError::parquet(e, path))?;
    writer.close().map_err(|e| DataError::parquet(e, path))?;
    pending.persist(path)
}

/// The metadata columns (less any old `x`/`y`) followed by fresh `x` and `y`.
fn layout_batch(
    metadata: &RecordBatch,
    xy: &[f32],
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let schema = metadata.schema();
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (field, column) in schema.fields().iter().zip(metadata.columns()) {
        if field.name() != "x" && field.name() != "y" {
            fields.push(Arc::clone(field));
            columns.push(Arc::clone(column));
        }
    }
    let x: Float32Array = xy.iter().step_by(2).copied().collect::<Vec<_>>().into();
    let y: Float32Array = xy
        .iter()
        .skip(1)
        .step_by(2)
        .copied()
        .collect::<Vec<_>>()
        .into();
    fields.push(Arc::new(Field::new("x", DataType::Float32, false)));
    fields.push(Arc::new(Field::new("y", DataType::Float32, false)));
    columns.push(Arc::new(x));
    columns.push(Arc::new(y));
    let mut kept_metadata = schema.metadata().clone();
    kept_metadata.retain(|key, _| !STALE_METADATA_KEYS.contains(&key.as_str()));
    kept_metadata.insert(LAYOUT_KEY, "x,y");
    let schema = Schema::new_with_metadata(fields, kept_metadata);
    let options = RecordBatchOptions::new().with_row_count(Some(xy.len() / 2));
    RecordBatch::try_new_with_options(Arc::new(schema), columns, &options)
}

/// A temporary file beside the destination, removed on drop unless persisted.
struct PendingFile {
    file: File,
    path: PathBuf,
    persisted: bool,
}

impl PendingFile {
    /// Creates `.<name>.<pid>-<n>.tmp` in the destination's directory, so the final rename
    /// stays on one filesystem and is atomic.
    fn create_beside(destination: &Path) -> Result<Self, DataError> {
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

    fn file(&self) -> &File {
        &self.file
    }

    /// Flushes the data to disk and renames the file over `destination`.
    fn persist(mut self, destination: &Path) -> Result<(), DataError> {
        self.file
            .sync_all()
            .map_err(|e| DataError::io(e, destination))?;
        fs::rename(&self.path, destination).map_err(|e| DataError::io(e, destination))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_writes_leave_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = Dataset::new(
            "t",
            "v",
            vec![0.0; 4],
            2,
            RecordBatch::new_empty(Arc::new(Schema::empty())),
        )
        .expect("dataset");
        let path = dir.path().join("out.parquet");
        let err = write_layout_parquet(&path, &ds, &[1.0, 2.0]).expect_err("wrong length");
        assert!(err.to_string().contains("out.parquet"), "{err}");
        let missing_dir = dir.path().join("nope").join("out.parquet");
        let err = write_layout_parquet(&missing_dir, &ds, &[0.0; 4]).expect_err("no directory");
        assert!(matches!(err, DataError::Io { .. }), "{err}");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn old_coordinates_are_replaced() {
        let old = Schema::new(vec![
            Field::new("x", DataType::Float32, false),
            Field::new("id", DataType::Int32, false),
        ]);
        let metadata = RecordBatch::try_new(
            Arc::new(old),
            vec![
                Arc::new(Float32Array::from(vec![9.0])),
                Arc::new(arrow_array::Int32Array::from(vec![5])),
            ],
        )
        .expect("batch");
        let batch = layout_batch(&metadata, &[1.0, 2.0]).expect("layout");
        let names: Vec<_> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["id", "x", "y"]);
    }
}
