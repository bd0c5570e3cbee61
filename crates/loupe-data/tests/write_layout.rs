//! Writing a layout and reading it back with the Parquet crate itself.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::fs::File;

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_schema::DataType;
use common::{f32_rows, fixture, id_and_name, write_parquet};
use loupe_data::{ReadOptions, read_path, write_layout_parquet};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn read_back(path: &std::path::Path) -> RecordBatch {
    let file = File::open(path).expect("open");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet");
    let schema = builder.schema().clone();
    let batches: Vec<RecordBatch> = builder
        .build()
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("batches");
    arrow_select::concat::concat_batches(&schema, &batches).expect("concat")
}

fn floats(batch: &RecordBatch, name: &str) -> Vec<f32> {
    let column = batch.column_by_name(name).expect("column");
    assert_eq!(column.data_type(), &DataType::Float32);
    assert_eq!(column.null_count(), 0);
    column.as_primitive::<Float32Type>().values().to_vec()
}

#[test]
fn layout_round_trips_with_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("source.parquet");
    let (ids, names) = id_and_name(4);
    let rows: Vec<Vec<f32>> = (0..4).map(|i| vec![i as f32, 1.0, 2.0]).collect();
    write_parquet(
        &source,
        vec![
            ("id", ids.clone()),
            ("v", f32_rows(&rows)),
            ("name", names.clone()),
        ],
        10,
    );
    let ds = read_path(&source, &ReadOptions::default()).expect("read");

    let xy = [0.5, -0.5, 1.25, 3.0, -7.0, 1e-3, 100.0, 0.0];
    let out = dir.path().join("layout.parquet");
    write_layout_parquet(&out, &ds, &xy, &[]).expect("write");

    let batch = read_back(&out);
    assert_eq!(batch.num_rows(), 4);
    let names_out: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names_out, ["id", "name", "x", "y"]);
    assert_eq!(batch.column(0).as_ref(), ids.as_ref());
    assert_eq!(batch.column(1).as_ref(), names.as_ref());
    let x = floats(&batch, "x");
    let y = floats(&batch, "y");
    assert!(x.iter().chain(&y).all(|v| v.is_finite()));
    assert_eq!(x, [0.5, 1.25, -7.0, 100.0]);
    assert_eq!(y, [-0.5, 3.0, 1e-3, 0.0]);

    // Only the finished file is left in the directory: no temporary files.
    let mut entries: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    entries.sort();
    assert_eq!(entries, ["layout.parquet", "source.parquet"]);

    // Writing again replaces the file, and the layout can itself be re-read.
    write_layout_parquet(&out, &ds, &[0.0; 8], &[]).expect("overwrite");
    assert_eq!(floats(&read_back(&out), "x"), [0.0; 4]);
}

#[test]
fn clay_layout_keeps_geometry_and_geo_metadata() {
    let ds = read_path(
        &fixture("03WVN_20220610_20220610_v001.gpq"),
        &ReadOptions::default(),
    )
    .expect("clay file");
    let n = ds.n_rows();
    let xy: Vec<f32> = (0..2 * n).map(|i| i as f32 * 0.25).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("clay-layout.gpq");
    write_layout_parquet(&out, &ds, &xy, &[]).expect("write");

    let file = File::open(&out).expect("open");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet");
    let key_values = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .expect("key-value metadata");
    assert!(key_values.iter().any(|kv| kv.key == "geo"));
    assert!(!key_values.iter().any(|kv| kv.key == "pandas"));
    let batch = read_back(&out);
    assert_eq!(batch.num_rows(), 417);
    let names: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["index", "source_url", "date", "geometry", "x", "y"]);
    assert_eq!(batch.column(3).as_ref(), ds.metadata().column(3).as_ref());
    let y: Vec<f32> = xy.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(floats(&batch, "y"), y);

    let reread = read_path(&out, &ReadOptions::default());
    assert!(reread.is_err(), "a layout has no vectors to lay out");
}
