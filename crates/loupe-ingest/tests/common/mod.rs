//! Helpers shared by the integration tests: the real fixtures, folders built from copies of
//! them, small Parquet files written on the spot, and options that cache into a tempdir.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{Array, ArrayRef, Int64Array, ListArray, RecordBatch};
use arrow_schema::{Field, Schema};
use loupe_ingest::{CachePolicy, OpenOptions, Opened, Progress, open};
use parquet::arrow::ArrowWriter;

pub const CLAY: &str = "03WVN_20220610_20220610_v001.gpq";
pub const PLANET: &str = "sample_embeddings.parquet";
pub const EMPTY: &str = "21MNT.parquet";

/// A checked-in fixture under the workspace's `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures")).join(name)
}

/// Copies a fixture into `dir` under `as_name`, writable (the originals are read-only).
pub fn copy_fixture(name: &str, dir: &Path, as_name: &str) -> PathBuf {
    let to = dir.join(as_name);
    fs::copy(fixture(name), &to).expect("copy fixture");
    let mut perms = fs::metadata(&to).expect("metadata").permissions();
    #[allow(
        clippy::permissions_set_readonly_false,
        reason = "a test's own temporary copy"
    )]
    perms.set_readonly(false);
    fs::set_permissions(&to, perms).expect("chmod");
    to
}

/// Copies the first `len` bytes of a fixture, like an interrupted download.
pub fn truncated_copy(name: &str, dir: &Path, as_name: &str, len: usize) -> PathBuf {
    let bytes = fs::read(fixture(name)).expect("read fixture");
    let to = dir.join(as_name);
    fs::write(&to, &bytes[..len.min(bytes.len())]).expect("write");
    to
}

/// Writes a Parquet file of `rows` rows: `id` and a `list<float32>` `embedding` of `dim`
/// values (row `r`, value `i` = `seed + r + i / 1000`), plus schema key/values.
pub fn write_vectors(path: &Path, rows: usize, dim: usize, seed: f32, key_values: &[(&str, &str)]) {
    let lists =
        (0..rows).map(|r| Some((0..dim).map(move |i| Some(seed + r as f32 + i as f32 / 1000.0))));
    let embedding = ListArray::from_iter_primitive::<Float32Type, _, _>(lists);
    let ids = Int64Array::from_iter_values(0..rows as i64);
    let columns: Vec<ArrayRef> = vec![Arc::new(ids), Arc::new(embedding)];
    let fields: Vec<Field> = columns
        .iter()
        .zip(["id", "embedding"])
        .map(|(a, n)| Field::new(n, a.data_type().clone(), true))
        .collect();
    let metadata: std::collections::HashMap<String, String> = key_values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("batch");
    let file = File::create(path).expect("create");
    let mut writer = ArrowWriter::try_new(file, schema, None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
}

/// Options that cache into `dir`, never the user's cache.
pub fn cached_in(dir: &Path) -> OpenOptions {
    OpenOptions {
        cache: CachePolicy::Dir(dir.to_path_buf()),
        ..OpenOptions::default()
    }
}

/// Options without a cache.
pub fn uncached() -> OpenOptions {
    OpenOptions {
        cache: CachePolicy::Off,
        ..OpenOptions::default()
    }
}

/// Opens with no progress callback, panicking on error.
pub fn open_ok(path: &Path, options: &OpenOptions) -> Opened {
    open(path, options, &|_: &Progress| {}).unwrap_or_else(|e| panic!("open failed: {e}"))
}

/// A text column's values as strings ("null" for nulls), through Arrow's display.
pub fn column_text(opened: &Opened, column: &str) -> Vec<String> {
    let array = opened
        .dataset
        .metadata()
        .column_by_name(column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let format = cell_text();
    (0..array.len())
        .map(|i| {
            if array.is_null(i) {
                "null".to_owned()
            } else {
                format(array.as_ref(), i)
            }
        })
        .collect()
}

/// Formats one cell of the types these tests use (utf8, date32, int64).
fn cell_text() -> impl Fn(&dyn Array, usize) -> String {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Int64Type};
    use arrow_schema::DataType;
    |array, i| match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(i).to_owned(),
        DataType::Date32 => array
            .as_primitive::<Date32Type>()
            .value_as_date(i)
            .map_or_else(|| "bad date".to_owned(), |d| d.to_string()),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(i).to_string(),
        other => format!("<{other}>"),
    }
}
