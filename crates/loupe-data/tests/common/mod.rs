//! Helpers shared by the integration tests: small fixtures of every format written on the spot.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{ArrayRef, Int64Array, ListArray, RecordBatch, StringArray};
use arrow_ipc::writer::{FileWriter, IpcWriteOptions, StreamWriter};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// A checked-in fixture under the workspace's `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// One batch of named columns, all nullable, with optional schema metadata.
pub fn batch_with_metadata(
    columns: Vec<(&str, ArrayRef)>,
    metadata: &[(&str, &str)],
) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
        .collect();
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    let metadata: std::collections::HashMap<String, String> = metadata
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let schema = Schema::new_with_metadata(fields, metadata);
    RecordBatch::try_new(Arc::new(schema), arrays).expect("batch")
}

/// One batch of named columns, all nullable.
pub fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    batch_with_metadata(columns, &[])
}

/// Writes `columns` as one Parquet file, in row groups of at most `row_group_rows` rows.
pub fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>, row_group_rows: usize) {
    write_parquet_batch(path, &batch(columns), row_group_rows);
}

/// Writes one batch as Parquet, in row groups of at most `row_group_rows` rows.
pub fn write_parquet_batch(path: &Path, batch: &RecordBatch, row_group_rows: usize) {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(row_group_rows))
        .build();
    let file = File::create(path).expect("create");
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).expect("writer");
    writer.write(batch).expect("write");
    writer.close().expect("close");
}

/// Writes batches as an Arrow IPC file (Feather v2), optionally lz4-compressed as pyarrow
/// does by default.
pub fn write_ipc_file(path: &Path, batches: &[RecordBatch], lz4: bool) {
    let schema = batches[0].schema();
    let mut options = IpcWriteOptions::default();
    if lz4 {
        options = options
            .try_with_compression(Some(arrow_ipc::CompressionType::LZ4_FRAME))
            .expect("lz4");
    }
    let file = File::create(path).expect("create");
    let mut writer = FileWriter::try_new_with_options(file, &schema, options).expect("writer");
    for batch in batches {
        writer.write(batch).expect("write");
    }
    writer.finish().expect("finish");
}

/// Writes batches as an Arrow IPC stream.
pub fn write_ipc_stream(path: &Path, batches: &[RecordBatch]) {
    let schema = batches[0].schema();
    let file = File::create(path).expect("create");
    let mut writer = StreamWriter::try_new(file, &schema).expect("writer");
    for batch in batches {
        writer.write(batch).expect("write");
    }
    writer.finish().expect("finish");
}

/// The bytes of a `.npy` file: header version `version` (1, 2 or 3), the dict padded to a
/// multiple of 64 bytes as numpy pads it, then `data`.
pub fn npy(descr: &str, fortran: bool, shape: &[usize], data: &[u8], version: u8) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
    let comma = if dims.len() == 1 { "," } else { "" };
    let order = if fortran { "True" } else { "False" };
    let mut dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {order}, 'shape': ({}{comma}), }}",
        dims.join(", ")
    );
    let prefix = if version == 1 { 10 } else { 12 };
    while (prefix + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut bytes = b"\x93NUMPY".to_vec();
    bytes.extend_from_slice(&[version, 0]);
    if version == 1 {
        bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    } else {
        bytes.extend_from_slice(&(dict.len() as u32).to_le_bytes());
    }
    bytes.extend_from_slice(dict.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

/// Little-endian `f32` bytes of row-major `rows`.
pub fn f32_le(rows: &[Vec<f32>]) -> Vec<u8> {
    rows.iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect()
}

/// Writes an `.npz`: each `(name, npy bytes)` as `name.npy`, deflated or stored.
pub fn write_npz(path: &Path, members: &[(&str, Vec<u8>)], deflate: bool) {
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    let mut zip = zip::ZipWriter::new(File::create(path).expect("create"));
    for (name, bytes) in members {
        zip.start_file(format!("{name}.npy"), options)
            .expect("member");
        zip.write_all(bytes).expect("write member");
    }
    zip.finish().expect("finish");
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

/// Row-major values, flattened.
pub fn flat(rows: &[Vec<f32>]) -> Vec<f32> {
    rows.iter().flatten().copied().collect()
}

/// Bit patterns, so that `-0.0` and `0.0` differ in comparisons.
pub fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}
