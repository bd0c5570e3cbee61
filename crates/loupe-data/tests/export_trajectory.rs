//! Trajectories streamed to Parquet and read back through Loupe's reader and the Parquet
//! crate.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use loupe_data::{ReadOptions, TrajectoryWriter, VectorColumns, read_file, read_path};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const CLAY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/03WVN_20220610_20220610_v001.gpq"
);

fn snapshot(n: usize, epoch: u32) -> Vec<f32> {
    (0..2 * n)
        .map(|i| i as f32 / (1.0 + epoch as f32))
        .collect()
}

fn read_all(path: &Path) -> (RecordBatch, usize) {
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("open")).expect("parquet");
    let groups = builder.metadata().num_row_groups();
    let schema = Arc::clone(builder.schema());
    let batches: Vec<RecordBatch> = builder
        .build()
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("batches");
    let batch = arrow_select::concat::concat_batches(&schema, &batches).expect("concat");
    (batch, groups)
}

#[test]
fn clay_trajectory_round_trips() {
    let source = read_path(Path::new(CLAY), &ReadOptions::default()).expect("clay");
    let n = source.n_rows();
    let labels = Arc::clone(source.metadata().column_by_name("date").expect("date"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("trajectory.parquet");
    let mut writer = TrajectoryWriter::create(&out, n, Some(Arc::clone(&labels))).expect("create");
    let epochs = [0_u32, 10, 20, 750];
    for &epoch in &epochs {
        writer.append(epoch, &snapshot(n, epoch)).expect("append");
    }
    assert!(!out.exists(), "nothing at the destination before finish");
    writer.finish().expect("finish");

    let (batch, row_groups) = read_all(&out);
    assert_eq!(row_groups, 1, "small snapshots share a row group");
    assert_eq!(batch.num_rows(), epochs.len() * n);
    let names: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["index", "x", "y", "label", "epoch"]);
    assert_eq!(
        batch.column(3).data_type(),
        labels.data_type(),
        "label keeps its type"
    );
    let index = batch.column(0).as_primitive::<UInt32Type>();
    let epoch = batch.column(4).as_primitive::<UInt32Type>();
    let x = batch.column(1).as_primitive::<Float32Type>();
    let y = batch.column(2).as_primitive::<Float32Type>();
    for (s, &e) in epochs.iter().enumerate() {
        let xy = snapshot(n, e);
        for row in 0..n {
            let at = s * n + row;
            assert_eq!(index.value(at) as usize, row);
            assert_eq!(epoch.value(at), e);
            assert_eq!(x.value(at).to_bits(), xy[2 * row].to_bits());
            assert_eq!(y.value(at).to_bits(), xy[2 * row + 1].to_bits());
        }
        let label = batch.column(3).slice(s * n, n);
        assert_eq!(label.as_ref(), labels.as_ref());
    }

    // Loupe reads it back too, with x and y as the vectors.
    let options = ReadOptions {
        vector_columns: Some(VectorColumns::Names(vec!["x".into(), "y".into()])),
        ..ReadOptions::default()
    };
    let (ds, _) = read_file(&out, &options).expect("loupe reads the trajectory");
    assert_eq!(ds.n_rows(), epochs.len() * n);
    assert_eq!(&ds.vectors()[..2 * n], snapshot(n, 0).as_slice());
    assert_eq!(ds.column_names(), ["index", "label", "epoch"]);
}

#[test]
fn unlabelled_trajectory_has_a_null_label_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("t.parquet");
    let mut writer = TrajectoryWriter::create(&out, 3, None).expect("create");
    writer.append(5, &snapshot(3, 5)).expect("append");
    writer.finish().expect("finish");
    let (batch, _) = read_all(&out);
    assert_eq!(batch.num_rows(), 3);
    let label = batch.column_by_name("label").expect("label");
    assert_eq!(label.data_type(), &DataType::Utf8);
    assert_eq!(label.null_count(), 3);
}

#[test]
fn long_runs_close_row_groups_at_snapshot_boundaries() {
    let n = 300_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("long.parquet");
    let mut writer = TrajectoryWriter::create(&out, n, None).expect("create");
    let xy = snapshot(n, 1);
    for epoch in 0..7 {
        writer.append(epoch, &xy).expect("append");
    }
    writer.finish().expect("finish");
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(File::open(&out).expect("open")).expect("parquet");
    let rows: Vec<i64> = builder
        .metadata()
        .row_groups()
        .iter()
        .map(parquet::file::metadata::RowGroupMetaData::num_rows)
        .collect();
    // Three snapshots (900k rows) fit under the 1,048,576-row target; a fourth would not.
    assert_eq!(rows, [900_000, 900_000, 300_000]);
}
