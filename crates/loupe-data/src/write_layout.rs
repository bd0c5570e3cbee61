//! A finished layout → Parquet: the metadata columns, `x` and `y`, and any columns the caller
//! adds (cluster labels, …), as GeoParquet 1.1 when there is geometry.
//!
//! The file is written beside its destination under a temporary name and renamed into place
//! only when complete (see [`PendingFile`]).

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoPandas, GeoArrow and PostGIS are names, not code identifiers"
)]

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema};
use loupe_core::Dataset;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::DataError;
use crate::write_geo::{GEO_KEY, find_geometry, geo_json};
use crate::write_pending::PendingFile;

/// Schema metadata keys not carried over: pandas' index description names columns that the
/// layout file no longer has, the Arrow schema is re-encoded by the writer, the skipped count
/// describes the source file, not this one, and the GeoParquet `geo` JSON is rebuilt from the
/// rows written (see [`crate::write_geo`]).
const STALE_METADATA_KEYS: [&str; 4] = [
    "pandas",
    "ARROW:schema",
    crate::SKIPPED_NULL_VECTORS_KEY,
    GEO_KEY,
];

/// Schema metadata key marking a file as a Loupe layout (value: the coordinate columns), so
/// that reading it back does not mistake `x` and `y` for a two-dimensional embedding.
pub(crate) const LAYOUT_KEY: &str = "loupe:layout_columns";

/// Saves a layout as Parquet: the dataset's metadata columns unchanged, then `x` and `y`, then
/// the `extra` columns in the order given.
///
/// `xy` holds the positions interleaved, `[x0, y0, x1, y1, …]`, two per row. `extra` holds
/// per-row results computed after the layout, e.g. `("cluster", UInt32Array)`, one value per
/// row; an extra column replaces a metadata column of the same name, and may not be named `x`
/// or `y`. The vectors are not written: the layout file is for analysis and maps, and the
/// source file still has them. Metadata columns already named `x` or `y` (from re-opening an
/// earlier layout) are replaced.
///
/// When a WKB geometry column is left — declared in the source's GeoParquet `geo` metadata,
/// or a binary column named `geometry` that decodes as WKB — the file is GeoParquet 1.1, so
/// GeoPandas and QGIS open it as a map. Its `geo` JSON is rebuilt from the rows written, never
/// copied stale: `geometry_types` and `bbox` from the WKB values; the CRS, `edges`,
/// `orientation` and `epoch` copied from the source's declaration; for an undeclared column
/// no `crs` (OGC:CRS84) when every coordinate is a plausible longitude/latitude, else `null`
/// (unknown). A declared WKB value that does not decode fails the export with
/// [`DataError::InvalidGeometry`]. Without geometry there is no `geo` key at all. Other schema
/// metadata is kept (less pandas' index description) and `loupe:layout_columns = x,y` is
/// added. Compression is zstd. The file appears atomically: written to a temporary file in
/// the same directory, then renamed over `path`.
pub fn write_layout_parquet(
    path: &Path,
    dataset: &Dataset,
    xy: &[f32],
    extra: &[(&str, ArrayRef)],
) -> Result<(), DataError> {
    check_layout_length(dataset, xy, path)?;
    write_table_parquet(path, dataset.metadata(), xy, extra)
}

/// [`write_layout_parquet`] from the columns alone: `metadata` is any table of one row per
/// position (a layout file read back with [`read_layout_table`](crate::read_layout_table),
/// some of its rows picked out), so tools that never had the vectors can still write layouts.
///
/// The rows are `xy.len() / 2`; `metadata` must have that many, or no columns at all. Its
/// schema metadata plays the part of the dataset's: a `geo` declaration there is what the new
/// `geo` JSON copies the CRS from. Everything else is as for [`write_layout_parquet`].
pub fn write_table_parquet(
    path: &Path,
    metadata: &RecordBatch,
    xy: &[f32],
    extra: &[(&str, ArrayRef)],
) -> Result<(), DataError> {
    let batch = layout_batch(metadata, xy, extra, path)?;
    write_parquet_with_geo(path, &batch, source_geo(metadata))
}

/// Saves a table as it is — every column, in order, no `x`/`y` added — as Parquet, with the
/// same GeoParquet handling as [`write_layout_parquet`]: rows picked out of a dataset with
/// columns of the caller's in front (`loupe similar`'s `rank`, `row`, `score`), where a
/// layout's coordinates would mean nothing. A `geo` declaration on `table`'s schema is what
/// the new `geo` JSON copies the CRS from; other schema metadata is kept, less the keys that
/// describe the source file rather than this one.
pub fn write_rows_parquet(path: &Path, table: &RecordBatch) -> Result<(), DataError> {
    write_parquet_with_geo(path, &rows_batch(table, path)?, source_geo(table))
}

/// `table` with the schema metadata that describes its source file removed
/// ([`STALE_METADATA_KEYS`]), for the `write_rows_*` writers.
pub(crate) fn rows_batch(table: &RecordBatch, path: &Path) -> Result<RecordBatch, DataError> {
    let schema = table.schema();
    let mut kept = schema.metadata().clone();
    kept.retain(|key, _| !STALE_METADATA_KEYS.contains(&key.as_str()));
    let schema = Schema::new_with_metadata(schema.fields().clone(), kept);
    let options = RecordBatchOptions::new().with_row_count(Some(table.num_rows()));
    RecordBatch::try_new_with_options(Arc::new(schema), table.columns().to_vec(), &options)
        .map_err(|e| DataError::arrow(e, path))
}

/// Writes `batch` as Parquet, as GeoParquet when it holds geometry (`source_geo` is the
/// source's declaration, if any).
fn write_parquet_with_geo(
    path: &Path,
    batch: &RecordBatch,
    source_geo: Option<&str>,
) -> Result<(), DataError> {
    let found = find_geometry(batch, source_geo);
    let batch = match geo_json(batch, &found, path)? {
        Some(geo) => {
            let schema = batch.schema();
            let mut kept = schema.metadata().clone();
            kept.insert(GEO_KEY.to_owned(), geo);
            let schema = Schema::new_with_metadata(schema.fields().clone(), kept);
            batch
                .clone()
                .with_schema(Arc::new(schema))
                .map_err(|e| DataError::arrow(e, path))?
        }
        None => batch.clone(),
    };
    write_parquet(path, &batch)
}

/// The dataset-based writers' own check: one position per row of the dataset, which a
/// metadata batch without columns cannot tell.
pub(crate) fn check_layout_length(
    dataset: &Dataset,
    xy: &[f32],
    path: &Path,
) -> Result<(), DataError> {
    if xy.len() == 2 * dataset.n_rows() {
        Ok(())
    } else {
        Err(DataError::LayoutLength {
            rows: dataset.n_rows(),
            xy_len: xy.len(),
            path: path.to_path_buf(),
        })
    }
}

/// The source's GeoParquet `geo` JSON, kept on the metadata schema by the readers.
pub(crate) fn source_geo(metadata: &RecordBatch) -> Option<&str> {
    metadata
        .schema_ref()
        .metadata()
        .get(GEO_KEY)
        .map(String::as_str)
}

/// Writes one batch as a zstd-compressed Parquet file, its schema metadata as the file's
/// key/value metadata (where GeoPandas and QGIS look for `geo`), atomically.
fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<(), DataError> {
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
    let failed = |e| DataError::parquet_write(e, path);
    let mut writer =
        ArrowWriter::try_new(pending.file(), batch.schema(), Some(properties)).map_err(failed)?;
    writer.write(batch).map_err(failed)?;
    writer.close().map_err(failed)?;
    pending.persist(path)
}

/// The metadata columns (less any old `x`/`y` and any column an extra replaces), fresh `x`
/// and `y`, then the extra columns; schema metadata less [`STALE_METADATA_KEYS`].
pub(crate) fn layout_batch(
    metadata: &RecordBatch,
    xy: &[f32],
    extra: &[(&str, ArrayRef)],
    path: &Path,
) -> Result<RecordBatch, DataError> {
    let rows = xy.len() / 2;
    let has_columns = metadata.num_columns() > 0;
    if !xy.len().is_multiple_of(2) || (has_columns && metadata.num_rows() != rows) {
        return Err(DataError::LayoutLength {
            rows: if has_columns {
                metadata.num_rows()
            } else {
                rows
            },
            xy_len: xy.len(),
            path: path.to_path_buf(),
        });
    }
    check_extra(extra, rows, path)?;
    let schema = metadata.schema();
    let replaced = |name: &str| name == "x" || name == "y" || extra.iter().any(|(n, _)| *n == name);
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (field, column) in schema.fields().iter().zip(metadata.columns()) {
        if !replaced(field.name()) {
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
    for (name, values) in extra {
        fields.push(Arc::new(Field::new(
            *name,
            values.data_type().clone(),
            true,
        )));
        columns.push(Arc::clone(values));
    }
    let mut kept_metadata = schema.metadata().clone();
    kept_metadata.retain(|key, _| !STALE_METADATA_KEYS.contains(&key.as_str()));
    kept_metadata.insert(LAYOUT_KEY.to_owned(), "x,y".to_owned());
    let schema = Schema::new_with_metadata(fields, kept_metadata);
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::new(schema), columns, &options)
        .map_err(|e| DataError::arrow(e, path))
}

/// Extra columns need one value per row and a name of their own.
fn check_extra(extra: &[(&str, ArrayRef)], rows: usize, path: &Path) -> Result<(), DataError> {
    for (i, (name, values)) in extra.iter().enumerate() {
        if *name == "x" || *name == "y" || extra[..i].iter().any(|(n, _)| n == name) {
            return Err(DataError::LayoutColumnName {
                column: (*name).to_owned(),
                path: path.to_path_buf(),
            });
        }
        if values.len() != rows {
            return Err(DataError::LayoutColumnLength {
                column: (*name).to_owned(),
                len: values.len(),
                rows,
                path: path.to_path_buf(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use arrow_array::{Int32Array, UInt32Array};

    use super::*;

    fn dataset(metadata: RecordBatch, rows: usize) -> Dataset {
        Dataset::new("t", "v", vec![0.0; 2 * rows], 2, metadata).expect("dataset")
    }

    #[test]
    fn failed_writes_leave_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = dataset(RecordBatch::new_empty(Arc::new(Schema::empty())), 2);
        let path = dir.path().join("out.parquet");
        let err = write_layout_parquet(&path, &ds, &[1.0, 2.0], &[]).expect_err("wrong length");
        assert!(err.to_string().contains("out.parquet"), "{err}");
        let missing_dir = dir.path().join("nope").join("out.parquet");
        let err = write_layout_parquet(&missing_dir, &ds, &[0.0; 4], &[]).expect_err("no dir");
        assert!(matches!(err, DataError::Io { .. }), "{err}");
        let short: ArrayRef = Arc::new(UInt32Array::from(vec![1]));
        let err = write_layout_parquet(&path, &ds, &[0.0; 4], &[("cluster", short)])
            .expect_err("short extra column");
        assert!(matches!(err, DataError::LayoutColumnLength { .. }), "{err}");
        assert!(err.to_string().contains("`cluster`"), "{err}");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn old_coordinates_are_replaced_and_extras_appended() {
        let old = Schema::new(vec![
            Field::new("x", DataType::Float32, false),
            Field::new("id", DataType::Int32, false),
            Field::new("cluster", DataType::Int32, false),
        ]);
        let metadata = RecordBatch::try_new(
            Arc::new(old),
            vec![
                Arc::new(Float32Array::from(vec![9.0])),
                Arc::new(Int32Array::from(vec![5])),
                Arc::new(Int32Array::from(vec![7])),
            ],
        )
        .expect("batch");
        let ds = dataset(metadata, 1);
        let cluster: ArrayRef = Arc::new(UInt32Array::from(vec![3]));
        let path = Path::new("out.parquet");
        let batch =
            layout_batch(ds.metadata(), &[1.0, 2.0], &[("cluster", cluster)], path).expect("ok");
        let names: Vec<_> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["id", "x", "y", "cluster"]);
        assert_eq!(batch.column(3).data_type(), &DataType::UInt32);

        for name in ["x", "y"] {
            let column: ArrayRef = Arc::new(UInt32Array::from(vec![3]));
            let err =
                layout_batch(ds.metadata(), &[1.0, 2.0], &[(name, column)], path).expect_err("x/y");
            assert!(matches!(err, DataError::LayoutColumnName { .. }), "{err}");
        }
        let column: ArrayRef = Arc::new(UInt32Array::from(vec![3]));
        let twice = [("c", Arc::clone(&column)), ("c", column)];
        let err = layout_batch(ds.metadata(), &[1.0, 2.0], &twice, path).expect_err("twice");
        assert!(matches!(err, DataError::LayoutColumnName { .. }), "{err}");
    }

    #[test]
    fn rows_are_written_as_they_are_without_coordinates() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut meta = std::collections::HashMap::new();
        meta.insert("pandas".to_owned(), "{}".to_owned());
        meta.insert("origin".to_owned(), "kept".to_owned());
        let schema = Schema::new_with_metadata(
            vec![
                Field::new("rank", DataType::UInt32, false),
                Field::new("id", DataType::Int32, false),
            ],
            meta,
        );
        let table = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(UInt32Array::from(vec![1, 2])),
                Arc::new(Int32Array::from(vec![7, 9])),
            ],
        )
        .expect("batch");
        let path = dir.path().join("rows.parquet");
        write_rows_parquet(&path, &table).expect("written");
        let file = fs::File::open(&path).expect("exists");
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet");
        let schema = reader.schema().clone();
        let names: Vec<_> = schema.fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, ["rank", "id"], "no x or y");
        let keys = schema.metadata();
        assert_eq!(keys.get("origin").map(String::as_str), Some("kept"));
        assert!(!keys.contains_key("pandas"), "stale keys are dropped");
        assert!(!keys.contains_key(LAYOUT_KEY), "not a layout");
        assert!(!keys.contains_key(GEO_KEY), "no geometry, no geo");
        let csv = dir.path().join("rows.csv");
        crate::write_rows_csv(&csv, &table).expect("written");
        assert_eq!(
            fs::read_to_string(&csv).expect("text"),
            "rank,id\n1,7\n2,9\n"
        );
    }
}
