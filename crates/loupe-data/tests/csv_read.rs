//! Reading CSV and TSV: JSON-array columns, wide numeric tables, explicit columns, type
//! inference that widens, and bad cells reported by row.

use std::path::{Path, PathBuf};

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use loupe_data::{
    BadRows, DataError, DropReason, DroppedRow, FileFormat, ReadOptions, VectorColumns, read_file,
};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn json_array_column_with_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "emb.csv",
        "id,embedding,city\n\
         1,\"[0.5, -1.25, 3]\",Lisbon\n\
         2,\"[1e-7,2.5e6,-0.0]\",\n\
         3,\"[ 0.1 , 0.2 , 0.3 ]\",\"Oslo, Norway\"\n",
    );
    let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(report.format, FileFormat::Csv);
    assert_eq!(report.vector_columns, ["embedding"]);
    assert_eq!(ds.vector_column(), "embedding");
    let expected = [0.5, -1.25, 3.0, 1e-7, 2.5e6, -0.0, 0.1, 0.2, 0.3];
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(ds.vectors()), bits(&expected));
    assert_eq!(ds.column_names(), ["id", "city"]);
    let ids = ds.metadata().column(0).as_primitive::<Int64Type>();
    assert_eq!(ids.values().as_ref(), [1, 2, 3]);
    let cities = ds.metadata().column(1).as_string::<i32>();
    assert_eq!(cities.value(0), "Lisbon");
    assert!(cities.is_null(1));
    assert_eq!(cities.value(2), "Oslo, Norway");
}

#[test]
fn wide_pixel_table_and_tsv() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, sep) in [("digits.csv", ","), ("digits.tsv", "\t")] {
        let header: Vec<String> = std::iter::once("label".to_owned())
            .chain((1..=6).map(|c| format!("pixel{c}")))
            .collect();
        let mut text = header.join(sep) + "\n";
        for r in 0..5 {
            let row: Vec<String> = std::iter::once((r % 3).to_string())
                .chain((0..6).map(|c| (r * 10 + c).to_string()))
                .collect();
            text += &(row.join(sep) + "\n");
        }
        let path = write(dir.path(), name, &text);
        let (ds, report) = read_file(&path, &ReadOptions::default()).expect(name);
        assert_eq!(report.vector_columns, header[1..]);
        assert_eq!((ds.n_rows(), ds.dim()), (5, 6));
        assert_eq!(ds.row(3), [30.0, 31.0, 32.0, 33.0, 34.0, 35.0]);
        assert_eq!(ds.column_names(), ["label"]);
        let labels = ds.metadata().column(0).as_primitive::<Int64Type>();
        assert_eq!(labels.values().as_ref(), [0, 1, 2, 0, 1]);
    }
}

/// Types are inferred from the first rows only; vector columns are read as floats anyway, so
/// a column of whole numbers early on may hold fractions later.
#[test]
fn whole_numbers_early_fractions_late() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = (0..3000).map(|r| {
        let late = if r == 2999 { "0.5" } else { "1" };
        format!("{r},{late},n{r}\n")
    });
    let text: String = std::iter::once("f0,f1,note\n".to_owned())
        .chain(rows)
        .collect();
    let path = write(dir.path(), "late.csv", &text);
    let (ds, _) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(ds.n_rows(), 3000);
    assert_eq!(ds.row(2999), [2999.0, 0.5]);
    assert_eq!(ds.row(0), [0.0, 1.0]);
}

#[test]
fn float_columns_without_numbered_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "iris.csv",
        "sepal_length,sepal_width,species,count\n5.1,3.5,setosa,1\n6.2,2.9,versicolor,2\n",
    );
    let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(report.vector_columns, ["sepal_length", "sepal_width"]);
    assert_eq!(ds.vectors(), [5.1, 3.5, 6.2, 2.9]);
    assert_eq!(ds.column_names(), ["species", "count"]);
}

#[test]
fn explicit_vector_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "named.csv",
        "a1,a2,b1,b2,b3,name\n1,2,3,4,5,x\n6,7,8,9,10,y\n",
    );
    let by_prefix = ReadOptions {
        vector_columns: Some(VectorColumns::Prefix("a".to_owned())),
        ..ReadOptions::default()
    };
    let (ds, _) = read_file(&path, &by_prefix).expect("prefix");
    assert_eq!(ds.vectors(), [1.0, 2.0, 6.0, 7.0]);
    assert_eq!(ds.column_names(), ["b1", "b2", "b3", "name"]);
    let by_name = ReadOptions {
        vector_columns: Some(VectorColumns::Names(vec!["b3".into(), "a1".into()])),
        ..ReadOptions::default()
    };
    let (ds, _) = read_file(&path, &by_name).expect("names");
    assert_eq!(ds.vectors(), [5.0, 1.0, 10.0, 6.0]);
    // Without options the longest numbered run wins.
    let (ds, _) = read_file(&path, &ReadOptions::default()).expect("auto");
    assert_eq!(ds.vector_column(), "b1..b3");
    let missing = ReadOptions {
        vector_columns: Some(VectorColumns::Prefix("c".to_owned())),
        ..ReadOptions::default()
    };
    let err = read_file(&path, &missing).expect_err("no c columns");
    assert!(matches!(err, DataError::MissingColumn { .. }), "{err}");
    assert!(err.to_string().contains("c<number>"), "{err}");
}

#[test]
fn ragged_json_arrays_stop_or_drop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "ragged.csv",
        "id,emb\n0,\"[1, 2]\"\n1,\"[3, 4, 5]\"\n2,\"[6, 7]\"\n3,\"[8]\"\n4,\"[9, 10]\"\n",
    );
    let err = read_file(&path, &ReadOptions::default()).expect_err("ragged");
    let text = err.to_string();
    assert!(
        text.contains("ragged.csv") && text.contains("2 rows"),
        "{text}"
    );
    assert!(
        text.contains("row 1 has 3 values") && text.contains("row 3 has 1 value where"),
        "{text}"
    );
    let DataError::BadRows { count, first, .. } = err else {
        panic!("expected BadRows");
    };
    assert_eq!(count, 2);
    assert_eq!(first.iter().map(|d| d.row).collect::<Vec<_>>(), [1, 3]);

    let drop = ReadOptions {
        bad_rows: BadRows::Drop,
        ..ReadOptions::default()
    };
    let (ds, report) = read_file(&path, &drop).expect("dropped");
    assert_eq!(ds.vectors(), [1.0, 2.0, 6.0, 7.0, 9.0, 10.0]);
    let ids = ds.metadata().column(0).as_primitive::<Int64Type>();
    assert_eq!(ids.values().as_ref(), [0, 2, 4]);
    assert_eq!(
        report.dropped,
        [
            DroppedRow {
                row: 1,
                reason: DropReason::Ragged {
                    len: 3,
                    expected: 2
                }
            },
            DroppedRow {
                row: 3,
                reason: DropReason::Ragged {
                    len: 1,
                    expected: 2
                }
            },
        ]
    );
}

#[test]
fn empty_null_nan_and_malformed_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "cells.csv",
        "id,emb\n0,\"[1, 2]\"\n1,\n2,\"[NaN, 1]\"\n3,\"[1, null]\"\n4,\"[1, two]\"\n5,\"[3, 4]\"\n",
    );
    let err = read_file(&path, &ReadOptions::default()).expect_err("bad cells");
    let text = err.to_string();
    for words in [
        "3 rows",
        "row 2 holds NaN",
        "row 3 has a null",
        "row 4 is not a JSON array",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let drop = ReadOptions {
        bad_rows: BadRows::Drop,
        ..ReadOptions::default()
    };
    let (ds, report) = read_file(&path, &drop).expect("dropped");
    assert_eq!(ds.vectors(), [1.0, 2.0, 3.0, 4.0]);
    let reasons: Vec<(usize, DropReason)> =
        report.dropped.iter().map(|d| (d.row, d.reason)).collect();
    assert_eq!(
        reasons,
        [
            (1, DropReason::NullVector),
            (2, DropReason::NonFinite),
            (3, DropReason::NullValue),
            (4, DropReason::Malformed)
        ]
    );
    assert_eq!(loupe_data::skipped_null_vectors(&ds), 1);
}
