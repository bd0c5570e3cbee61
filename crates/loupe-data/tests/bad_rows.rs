//! Unusable rows: listed by number under `BadRows::Stop`, removed with their metadata under
//! `BadRows::Drop`, and reported either way.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use common::{f32_lists, id_and_name, write_parquet};
use loupe_data::{
    BadRows, DataError, DropReason, DroppedRow, ReadOptions, read_file, skipped_null_vectors,
};

/// 20 rows of `[i, i]` with NaN in rows 3, 9 and 15, a null inside row 12, and no vector at
/// all in row 6, written in row groups of 4 so that bad rows fall in several batches.
fn write_messy(path: &std::path::Path) {
    let rows: Vec<Option<Vec<Option<f32>>>> = (0..20)
        .map(|i| {
            let v = i as f32;
            match i {
                3 | 9 | 15 => Some(vec![Some(v), Some(f32::NAN)]),
                12 => Some(vec![None, Some(v)]),
                6 => None,
                _ => Some(vec![Some(v), Some(v)]),
            }
        })
        .collect();
    let (ids, names) = id_and_name(20);
    write_parquet(
        path,
        vec![("id", ids), ("emb", f32_lists(&rows)), ("name", names)],
        4,
    );
}

#[test]
fn stop_lists_the_rows_and_counts_them_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("messy.parquet");
    write_messy(&path);
    let err = read_file(&path, &ReadOptions::default()).expect_err("bad rows");
    let text = err.to_string();
    assert!(
        text.contains("messy.parquet: 4 rows of column `emb`"),
        "{text}"
    );
    assert!(
        text.contains("rows 3, 9 and 15 hold NaN or infinity"),
        "{text}"
    );
    assert!(text.contains("row 12 has a null value"), "{text}");
    let DataError::BadRows { count, first, .. } = err else {
        panic!("expected BadRows");
    };
    assert_eq!(count, 4);
    assert_eq!(
        first.iter().map(|d| d.row).collect::<Vec<_>>(),
        [3, 9, 12, 15]
    );
}

#[test]
fn drop_removes_exactly_those_rows_and_their_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("messy.parquet");
    write_messy(&path);
    let options = ReadOptions {
        bad_rows: BadRows::Drop,
        ..ReadOptions::default()
    };
    let (ds, report) = read_file(&path, &options).expect("read");
    let kept: Vec<i64> = (0..20).filter(|i| ![3, 6, 9, 12, 15].contains(i)).collect();
    let expected: Vec<f32> = kept.iter().flat_map(|&i| [i as f32, i as f32]).collect();
    assert_eq!(ds.vectors(), expected);
    let ids = ds.metadata().column(0).as_primitive::<Int64Type>();
    let expected_ids: Vec<i64> = kept.iter().map(|i| i * 10).collect();
    assert_eq!(ids.values().as_ref(), expected_ids);
    let names = ds.metadata().column(1).as_string::<i32>();
    assert_eq!((names.value(2), names.value(3)), ("row 2", "row 4"));
    assert_eq!(
        report.dropped,
        [
            (3, DropReason::NonFinite),
            (6, DropReason::NullVector),
            (9, DropReason::NonFinite),
            (12, DropReason::NullValue),
            (15, DropReason::NonFinite),
        ]
        .map(|(row, reason)| DroppedRow { row, reason })
    );
    assert_eq!(report.rows_read, 20);
    assert_eq!(skipped_null_vectors(&ds), 1);
    assert_eq!(
        report.dropped_summary().as_deref(),
        Some("5 rows left out: 3 with NaN or infinity, 1 without a vector, 1 with a null value")
    );
}

#[test]
fn drop_respects_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("messy.parquet");
    write_messy(&path);
    let options = ReadOptions {
        bad_rows: BadRows::Drop,
        limit: Some(10),
        ..ReadOptions::default()
    };
    let (ds, report) = read_file(&path, &options).expect("read");
    assert_eq!(ds.n_rows(), 7);
    assert_eq!(ds.metadata().num_rows(), 7);
    let dropped: Vec<usize> = report.dropped.iter().map(|d| d.row).collect();
    assert_eq!(dropped, [3, 6, 9]);
}

#[test]
fn nothing_left_after_dropping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("all-nan.parquet");
    let rows = vec![Some(vec![Some(f32::NAN)]), None];
    write_parquet(&path, vec![("v", f32_lists(&rows))], 4);
    let options = ReadOptions {
        bad_rows: BadRows::Drop,
        ..ReadOptions::default()
    };
    let err = read_file(&path, &options).expect_err("empty");
    assert!(
        matches!(err, DataError::AllRowsDropped { rows: 2, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("1 with NaN or infinity, 1 without a vector"),
        "{err}"
    );
}
