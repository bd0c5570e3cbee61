//! Every bad input is a typed error whose message names the file and the problem; none panics.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, ListArray, StringArray};
use common::{f32_lists, f32_rows, write_parquet};
use loupe_data::{DataError, DropReason, DroppedRow, ReadOptions, VectorColumns, read_path};

/// Reads `path`, expecting an error whose message mentions the file name and every `words`.
fn read_error(path: &Path, options: &ReadOptions, words: &[&str]) -> DataError {
    let err = read_path(path, options).expect_err("bad input must be an error");
    let text = err.to_string();
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    assert!(text.contains(name), "message lacks the file name: {text}");
    for word in words {
        assert!(text.contains(word), "message lacks {word:?}: {text}");
    }
    assert_eq!(err.path(), path);
    err
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("absent.parquet");
    let err = read_error(&path, &ReadOptions::default(), &["not found"]);
    assert!(matches!(err, DataError::NotFound { .. }), "{err}");
}

#[test]
fn truncated_parquet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cut.parquet");
    let rows: Vec<Vec<f32>> = (0..100).map(|i| vec![i as f32; 8]).collect();
    write_parquet(&path, vec![("v", f32_rows(&rows))], 1000);
    let bytes = std::fs::read(&path).expect("read back");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("cut");
    let err = read_error(&path, &ReadOptions::default(), &["Parquet"]);
    assert!(matches!(err, DataError::Parquet { .. }), "{err}");
}

#[test]
fn corrupt_parquet_data_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("scrambled.parquet");
    let rows: Vec<Vec<f32>> = (0..100).map(|i| vec![i as f32; 8]).collect();
    write_parquet(&path, vec![("v", f32_rows(&rows))], 1000);
    let mut bytes = std::fs::read(&path).expect("read back");
    // Scramble the data pages, keeping the magic and the footer intact.
    let end = bytes.len() / 2;
    for (i, b) in bytes[4..end].iter_mut().enumerate() {
        *b ^= (i as u8).wrapping_mul(31) | 1;
    }
    std::fs::write(&path, &bytes).expect("scramble");
    // Any error will do; what matters is that there is no panic.
    let _ = read_error(&path, &ReadOptions::default(), &[]);
}

#[test]
fn non_float_column_chosen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ints.parquet");
    let ints: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int64Type, _, _>(vec![
        Some(vec![Some(1), Some(2)]),
    ]));
    let names: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
    write_parquet(
        &path,
        vec![
            ("ints", ints),
            ("name", names),
            ("v", f32_rows(&[vec![1.0, 2.0]])),
        ],
        10,
    );
    for (column, type_name) in [("ints", "list<int64>"), ("name", "utf8")] {
        let options = ReadOptions {
            column: Some(column.to_owned()),
            ..ReadOptions::default()
        };
        let err = read_error(&path, &options, &[column, type_name]);
        assert!(matches!(err, DataError::NotVectorColumn { .. }), "{err}");
    }
}

#[test]
fn no_float_list_column_lists_the_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plain.parquet");
    let names: ArrayRef = Arc::new(StringArray::from(vec!["a", "b"]));
    write_parquet(&path, vec![("name", names)], 10);
    let err = read_error(&path, &ReadOptions::default(), &["name: utf8"]);
    assert!(matches!(err, DataError::NoVectorColumn { .. }), "{err}");
}

/// The rows a [`DataError::BadRows`] lists, and its total.
fn listed(err: &DataError) -> (usize, Vec<DroppedRow>) {
    match err {
        DataError::BadRows { count, first, .. } => (*count, first.clone()),
        other => panic!("expected BadRows, got {other}"),
    }
}

#[test]
fn ragged_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ragged.parquet");
    let mut rows: Vec<Vec<f32>> = vec![vec![1.0, 2.0, 3.0]; 7];
    rows.push(vec![1.0, 2.0]);
    // Small row groups, so the bad row is in a later batch than the first.
    write_parquet(&path, vec![("v", f32_rows(&rows))], 3);
    let err = read_error(
        &path,
        &ReadOptions::default(),
        &["row 7", "has 2 values", "has 3"],
    );
    let ragged = DropReason::Ragged {
        len: 2,
        expected: 3,
    };
    assert_eq!(
        listed(&err),
        (
            1,
            vec![DroppedRow {
                row: 7,
                reason: ragged
            }]
        )
    );
}

#[test]
fn nan_in_a_vector() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nan.parquet");
    let rows = vec![vec![0.0, 1.0], vec![2.0, 3.0], vec![4.0, f32::NAN]];
    write_parquet(&path, vec![("emb", f32_rows(&rows))], 10);
    let err = read_error(&path, &ReadOptions::default(), &["row 2", "emb", "NaN"]);
    let nan = DropReason::NonFinite;
    assert_eq!(
        listed(&err),
        (
            1,
            vec![DroppedRow {
                row: 2,
                reason: nan
            }]
        )
    );
}

#[test]
fn null_inside_a_vector() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hole.parquet");
    let vectors = f32_lists(&[
        Some(vec![Some(1.0), Some(2.0)]),
        Some(vec![Some(3.0), None]),
    ]);
    write_parquet(&path, vec![("v", vectors)], 10);
    let err = read_error(&path, &ReadOptions::default(), &["row 1", "null"]);
    let hole = DropReason::NullValue;
    assert_eq!(
        listed(&err),
        (
            1,
            vec![DroppedRow {
                row: 1,
                reason: hole
            }]
        )
    );
}

#[test]
fn only_null_vectors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nulls.parquet");
    write_parquet(&path, vec![("v", f32_lists(&[None, None]))], 10);
    let err = read_error(
        &path,
        &ReadOptions::default(),
        &["all 2 rows", "without a vector"],
    );
    assert!(
        matches!(err, DataError::AllRowsDropped { rows: 2, .. }),
        "{err}"
    );
}

#[test]
fn conflicting_vector_options() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("two-ways.parquet");
    write_parquet(&path, vec![("v", f32_rows(&[vec![1.0]]))], 10);
    let options = ReadOptions {
        column: Some("v".to_owned()),
        vector_columns: Some(VectorColumns::Prefix("v".to_owned())),
        ..ReadOptions::default()
    };
    let err = read_error(&path, &options, &["not both"]);
    assert!(matches!(err, DataError::ConflictingOptions { .. }), "{err}");
}

#[test]
fn zero_length_vectors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty-vectors.parquet");
    write_parquet(&path, vec![("v", f32_rows(&[vec![], vec![]]))], 10);
    let err = read_error(&path, &ReadOptions::default(), &["dimension 0"]);
    assert!(matches!(err, DataError::ZeroDimension { .. }), "{err}");
}
