//! Trajectories read back one epoch at a time: Loupe's own files and files in the seed's
//! notebook schema (other integer and float types, sparse indices, a `digit` column).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use loupe_data::{DataError, Trajectory, TrajectoryWriter};
use parquet::arrow::ArrowWriter;

fn layout(n: usize, epoch: u32) -> Vec<f32> {
    (0..2 * n)
        .map(|i| (i as f32 - 3.0) * (1.0 + epoch as f32))
        .collect()
}

/// One row of the seed's notebook schema: `(index, x, y, digit, epoch)`.
type SeedRow<'a> = (i64, f64, f64, &'a str, i64);

/// Writes rows with the seed's types (int64, float64, utf8, int64).
fn write_seed_style(path: &Path, rows: &[SeedRow<'_>]) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("index", DataType::Int64, false),
        Field::new("x", DataType::Float64, false),
        Field::new("y", DataType::Float64, false),
        Field::new("digit", DataType::Utf8, true),
        Field::new("epoch", DataType::Int64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.3))),
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.4))),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("batch");
    let mut writer =
        ArrowWriter::try_new(File::create(path).expect("create"), schema, None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
}

#[test]
fn loupe_trajectories_stream_back_epoch_by_epoch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("run.parquet");
    let n = 70_000; // more than one read batch per epoch
    let labels: ArrayRef = Arc::new(UInt32Array::from_iter_values((0..n as u32).map(|i| i % 10)));
    let mut writer = TrajectoryWriter::create(&path, n, Some(Arc::clone(&labels))).expect("create");
    let epochs = [0_u32, 5, 10, 15];
    for &e in &epochs {
        writer.append(e, &layout(n, e)).expect("append");
    }
    writer.finish().expect("finish");

    let trajectory = Trajectory::scan(&path).expect("scan");
    assert_eq!(trajectory.points(), n);
    assert_eq!(trajectory.epochs(), epochs);
    assert_eq!(trajectory.other_columns(), ["label"]);
    assert_eq!(trajectory.indices()[..3], [0, 1, 2]);
    let (lo, hi) = trajectory.bounds();
    // Exact: every value is an integer times 16, well within f32's precision.
    let bits = |v: [f32; 2]| v.map(f32::to_bits);
    assert_eq!(bits(lo), bits([-3.0 * 16.0, -2.0 * 16.0]));
    assert_eq!(
        bits(hi),
        bits([(2.0 * n as f32 - 5.0) * 16.0, (2.0 * n as f32 - 4.0) * 16.0])
    );
    assert_eq!(
        trajectory.column("label").expect("labels").as_ref(),
        labels.as_ref()
    );

    let mut snapshots = trajectory.snapshots().expect("stream");
    for &e in &epochs {
        let (epoch, xy) = snapshots.next_snapshot().expect("reads").expect("an epoch");
        assert_eq!(epoch, e);
        assert_eq!(xy, layout(n, e).as_slice());
    }
    assert!(snapshots.next_snapshot().expect("reads").is_none());

    let err = trajectory.column("digit").expect_err("no such column");
    assert!(matches!(err, DataError::MissingColumn { .. }), "{err}");
    assert!(err.to_string().contains("label"), "{err}");
}

#[test]
fn seed_schema_with_sparse_indices_in_any_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("epochs.parquet");
    // Three points with indices 9000, 12, 500 000; the second epoch lists them in another order.
    write_seed_style(
        &path,
        &[
            (9000, 1.0, 2.0, "7", 1),
            (12, 3.0, 4.0, "1", 1),
            (500_000, 5.0, 6.0, "7", 1),
            (500_000, 50.0, 60.0, "7", 2),
            (9000, 10.0, 20.0, "7", 2),
            (12, 30.0, 40.0, "1", 2),
        ],
    );
    let trajectory = Trajectory::scan(&path).expect("scan");
    assert_eq!(trajectory.points(), 3);
    assert_eq!(trajectory.epochs(), [1, 2]);
    assert_eq!(trajectory.indices(), [9000, 12, 500_000]);
    assert_eq!(trajectory.bounds(), ([1.0, 2.0], [50.0, 60.0]));
    assert_eq!(trajectory.other_columns(), ["digit"]);
    let mut snapshots = trajectory.snapshots().expect("stream");
    let (_, first) = snapshots.next_snapshot().expect("reads").expect("epoch 1");
    assert_eq!(first, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let (_, second) = snapshots.next_snapshot().expect("reads").expect("epoch 2");
    assert_eq!(
        second,
        [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        "by index, not by row"
    );
}

#[test]
fn broken_trajectories_are_named_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.parquet");
    let cases: [(&[SeedRow<'_>], &str); 5] = [
        (
            &[
                (0, 0.0, 0.0, "a", 1),
                (0, 1.0, 1.0, "a", 2),
                (1, 0.0, 0.0, "a", 1),
            ],
            "not together",
        ),
        (&[(0, 0.0, 0.0, "a", 1), (0, 1.0, 1.0, "a", 1)], "twice"),
        (
            &[
                (0, 0.0, 0.0, "a", 1),
                (1, 0.0, 0.0, "a", 1),
                (0, 1.0, 1.0, "a", 2),
            ],
            "epoch 2 has 1 rows but the first epoch has 2",
        ),
        (
            &[(0, 0.0, 0.0, "a", 1), (3, 1.0, 1.0, "a", 2)],
            "not a point",
        ),
        (&[(0, f64::NAN, 0.0, "a", 1)], "position"),
    ];
    for (rows, expected) in cases {
        write_seed_style(&path, rows);
        let err = Trajectory::scan(&path).expect_err(expected);
        assert!(matches!(err, DataError::BadTrajectory { .. }), "{err}");
        assert!(
            err.to_string().contains(expected),
            "{err} (wanted {expected:?})"
        );
        assert!(err.to_string().contains("t.parquet"), "{err}");
    }
    write_seed_style(&path, &[(-1, 0.0, 0.0, "a", 1)]);
    let err = Trajectory::scan(&path).expect_err("negative index");
    assert!(err.to_string().contains("column `index`"), "{err}");

    // An empty trajectory (a run stopped before its first snapshot).
    let empty = dir.path().join("empty.parquet");
    TrajectoryWriter::create(&empty, 4, None)
        .expect("create")
        .finish()
        .expect("finish");
    let err = Trajectory::scan(&empty).expect_err("no rows");
    assert!(matches!(err, DataError::NoRows { .. }), "{err}");

    // A layout file is not a trajectory: the message names what is missing.
    let layout = dir.path().join("layout.parquet");
    let ids = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)])),
        vec![Arc::new(Int64Array::from(vec![7]))],
    )
    .expect("batch");
    loupe_data::write_table_parquet(&layout, &ids, &[0.0, 1.0], &[]).expect("layout");
    let err = Trajectory::scan(&layout).expect_err("not a trajectory");
    assert!(
        err.to_string().contains("column `index` is missing"),
        "{err}"
    );
}
