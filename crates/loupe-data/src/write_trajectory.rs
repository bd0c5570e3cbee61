//! A run's layout at every iteration → one Parquet file, streamed as the run goes, for
//! animating how the layout formed (the animated-UMAP notebook's long format).

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoPandas, GeoArrow and PostGIS are names, not code identifiers"
)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, UInt32Array, new_null_array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::DataError;
use crate::write_layout::LAYOUT_KEY;
use crate::write_pending::PendingFile;

/// Rows buffered before a row group is closed. Snapshots are never split between row groups
/// unless one is larger than this, so a reader can pick out one `epoch` by its row-group
/// statistics, and a long run holds at most about this many rows (compressed) in memory.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// Streams layout snapshots into a Parquet file with one row per point per snapshot:
/// `index` (`u32`, the point's row in the dataset), `x`, `y` (`f32`), `label` (nullable: the
/// values the caller passes, e.g. the colour column, in their own Arrow type; all null when
/// none are given) and `epoch` (`u32`, the iteration the snapshot was taken at).
///
/// Snapshots are written as they are appended, so a run of thousands of iterations never
/// holds them all in memory. The file appears at its path only when [`finish`] succeeds;
/// dropping the writer before that (a cancelled run, an error) removes the partial file.
///
/// [`finish`]: TrajectoryWriter::finish
pub struct TrajectoryWriter {
    writer: ArrowWriter<File>,
    pending: PendingFile,
    path: PathBuf,
    schema: SchemaRef,
    index: ArrayRef,
    label: ArrayRef,
    snapshots: usize,
}

impl TrajectoryWriter {
    /// Starts a trajectory of `rows` points; `labels`, when given, holds one value per row.
    ///
    /// Fails when the temporary file cannot be created beside `path`, when `labels` has
    /// another length, or when `rows` does not fit the `u32` index.
    pub fn create(path: &Path, rows: usize, labels: Option<ArrayRef>) -> Result<Self, DataError> {
        let Ok(last) = u32::try_from(rows) else {
            return Err(DataError::TooManyRows {
                rows,
                path: path.to_path_buf(),
            });
        };
        let label = match labels {
            Some(labels) if labels.len() != rows => {
                return Err(DataError::LayoutColumnLength {
                    column: "label".to_owned(),
                    len: labels.len(),
                    rows,
                    path: path.to_path_buf(),
                });
            }
            Some(labels) => labels,
            None => new_null_array(&DataType::Utf8, rows),
        };
        let mut metadata = std::collections::HashMap::new();
        metadata.insert(LAYOUT_KEY.to_owned(), "x,y".to_owned());
        let schema = Arc::new(Schema::new_with_metadata(
            vec![
                Field::new("index", DataType::UInt32, false),
                Field::new("x", DataType::Float32, false),
                Field::new("y", DataType::Float32, false),
                Field::new("label", label.data_type().clone(), true),
                Field::new("epoch", DataType::UInt32, false),
            ],
            metadata,
        ));
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS.max(rows)))
            .set_key_value_metadata(Some(vec![KeyValue::new(
                LAYOUT_KEY.to_owned(),
                "x,y".to_owned(),
            )]))
            .build();
        let pending = PendingFile::create_beside(path)?;
        let writer =
            ArrowWriter::try_new(pending.handle(path)?, Arc::clone(&schema), Some(properties))
                .map_err(|e| DataError::parquet_write(e, path))?;
        Ok(Self {
            writer,
            pending,
            path: path.to_path_buf(),
            schema,
            index: Arc::new(UInt32Array::from_iter_values(0..last)),
            label,
            snapshots: 0,
        })
    }

    /// Appends the layout at iteration `epoch`; `xy` is interleaved, `[x0, y0, x1, y1, …]`.
    pub fn append(&mut self, epoch: u32, xy: &[f32]) -> Result<(), DataError> {
        let rows = self.index.len();
        if xy.len() != 2 * rows {
            return Err(DataError::LayoutLength {
                rows,
                xy_len: xy.len(),
                path: self.path.clone(),
            });
        }
        let x: Float32Array = xy.iter().step_by(2).copied().collect::<Vec<_>>().into();
        let y: Float32Array = xy
            .iter()
            .skip(1)
            .step_by(2)
            .copied()
            .collect::<Vec<_>>()
            .into();
        let epochs = UInt32Array::from(vec![epoch; rows]);
        let batch = RecordBatch::try_new(
            Arc::clone(&self.schema),
            vec![
                Arc::clone(&self.index),
                Arc::new(x),
                Arc::new(y),
                Arc::clone(&self.label),
                Arc::new(epochs),
            ],
        )
        .map_err(|e| DataError::arrow(e, &self.path))?;
        let failed = |e| DataError::parquet_write(e, &self.path);
        self.writer.write(&batch).map_err(failed)?;
        if self.writer.in_progress_rows() + rows > ROW_GROUP_ROWS {
            self.writer.flush().map_err(failed)?;
        }
        self.snapshots += 1;
        Ok(())
    }

    /// How many snapshots have been appended.
    pub fn snapshots(&self) -> usize {
        self.snapshots
    }

    /// Writes the footer and moves the file into place.
    pub fn finish(self) -> Result<(), DataError> {
        let Self {
            writer,
            pending,
            path,
            ..
        } = self;
        writer
            .close()
            .map_err(|e| DataError::parquet_write(e, &path))?;
        pending.persist(&path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_sizes_are_named_errors_and_leave_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("trajectory.parquet");
        let labels: ArrayRef = Arc::new(UInt32Array::from(vec![1, 2]));
        let err = TrajectoryWriter::create(&path, 3, Some(labels)).err();
        assert!(
            matches!(err, Some(DataError::LayoutColumnLength { .. })),
            "{err:?}"
        );
        let mut writer = TrajectoryWriter::create(&path, 2, None).expect("create");
        let err = writer.append(0, &[0.0; 3]).expect_err("odd length");
        assert!(matches!(err, DataError::LayoutLength { .. }), "{err}");
        writer.append(1, &[0.0; 4]).expect("append");
        assert_eq!(writer.snapshots(), 1);
        drop(writer);
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn writers_cross_threads() {
        fn is_send<T: Send>() {}
        is_send::<TrajectoryWriter>();
    }
}
