//! Helpers shared by the integration tests: small Parquet fixtures written on the spot.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{ArrayRef, Int64Array, ListArray, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// A checked-in fixture under the workspace's `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// Writes `columns` as one Parquet file, in row groups of at most `row_group_rows` rows.
pub fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>, row_group_rows: usize) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
        .collect();
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("batch");
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(row_group_rows))
        .build();
    let file = File::create(path).expect("create");
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
}

/// A `list<float32>` column from rows that may be null or hold nulls.
pub fn f32_lists(rows: &[Option<Vec<Option<f32>>>]) -> ArrayRef {
    Arc::new(ListArray::from_iter_primitive::<Float32Type, _, _>(
        rows.iter().cloned(),
    ))
}

/// A `list<float32>` column from plain rows.
pub fn f32_rows(rows: &[Vec<f32>]) -> ArrayRef {
    f32_lists(
        &rows
            .iter()
            .map(|r| Some(r.iter().copied().map(Some).collect()))
            .collect::<Vec<_>>(),
    )
}

/// A `list<float64>` column from plain rows.
pub fn f64_rows(rows: &[Vec<f64>]) -> ArrayRef {
    Arc::new(ListArray::from_iter_primitive::<Float64Type, _, _>(
        rows.iter().map(|r| Some(r.iter().copied().map(Some))),
    ))
}

/// Two metadata columns of the usual kinds, one with a null.
pub fn id_and_name(n: usize) -> (ArrayRef, ArrayRef) {
    let ids: Vec<i64> = (0..n as i64).map(|i| i * 10).collect();
    let names: Vec<Option<String>> = (0..n)
        .map(|i| (i != 1).then(|| format!("row {i}")))
        .collect();
    (
        Arc::new(Int64Array::from(ids)),
        Arc::new(StringArray::from(names)),
    )
}
