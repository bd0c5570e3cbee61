//! Reading Parquet: every vector column type, column choice, limits and the real fixtures.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int64Type};
use arrow_array::{Array, ArrayRef, FixedSizeListArray, LargeListArray};
use arrow_schema::DataType;
use common::{f32_rows, f64_rows, fixture, id_and_name, write_parquet};
use loupe_data::{DataError, ReadOptions, read_path, skipped_null_vectors};

fn rows() -> Vec<Vec<f32>> {
    vec![
        vec![0.5, -1.25, 3.0],
        vec![1e-7, 2.5e6, -0.0],
        vec![f32::MIN_POSITIVE, 7.0, 8.0],
        vec![-9.5, 0.1, 0.2],
    ]
}

fn flat(rows: &[Vec<f32>]) -> Vec<f32> {
    rows.iter().flatten().copied().collect()
}

/// Writes `vectors` between two metadata columns and checks that everything comes back exactly.
fn round_trip(vectors: ArrayRef, expected: &[f32]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vectors.parquet");
    let (ids, names) = id_and_name(4);
    write_parquet(
        &path,
        vec![
            ("id", ids.clone()),
            ("vec", vectors),
            ("name", names.clone()),
        ],
        3,
    );
    let ds = read_path(&path, &ReadOptions::default()).expect("read");
    assert_eq!(ds.name(), "vectors.parquet");
    assert_eq!(ds.vector_column(), "vec");
    assert_eq!((ds.n_rows(), ds.dim()), (4, 3));
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(ds.vectors()), bits(expected));
    assert_eq!(ds.column_names(), ["id", "name"]);
    assert_eq!(ds.metadata().column(0).as_ref(), ids.as_ref());
    assert_eq!(ds.metadata().column(1).as_ref(), names.as_ref());
}

#[test]
fn list_float32() {
    round_trip(f32_rows(&rows()), &flat(&rows()));
}

#[test]
fn large_list_float32() {
    let array = LargeListArray::from_iter_primitive::<Float32Type, _, _>(
        rows().into_iter().map(|r| Some(r.into_iter().map(Some))),
    );
    assert!(matches!(array.data_type(), DataType::LargeList(_)));
    round_trip(Arc::new(array), &flat(&rows()));
}

#[test]
fn fixed_size_list_float32() {
    let array = FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
        rows().into_iter().map(|r| Some(r.into_iter().map(Some))),
        3,
    );
    round_trip(Arc::new(array), &flat(&rows()));
}

#[test]
fn list_float64_is_narrowed() {
    let wide: Vec<Vec<f64>> = vec![
        vec![0.1, 0.2, 0.3],
        vec![1.0, 2.0, 3.0],
        vec![-4.5, 1e10, 1e-10],
        vec![0.0, 0.0, 1.0],
    ];
    let expected: Vec<f32> = wide.iter().flatten().map(|&v| v as f32).collect();
    round_trip(f64_rows(&wide), &expected);
}

#[test]
fn column_option_chooses_between_float_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("two.parquet");
    let a = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
    let b = vec![vec![9.0, 8.0, 7.0], vec![6.0, 5.0, 4.0]];
    write_parquet(
        &path,
        vec![("pca", f32_rows(&a)), ("embedding", f32_rows(&b))],
        10,
    );

    let preferred = read_path(&path, &ReadOptions::default()).expect("auto");
    assert_eq!(preferred.vector_column(), "embedding");
    assert_eq!(preferred.vectors(), flat(&b));
    assert_eq!(preferred.column_names(), ["pca"]);

    let options = ReadOptions {
        column: Some("pca".to_owned()),
        limit: None,
    };
    let chosen = read_path(&path, &options).expect("chosen");
    assert_eq!(chosen.vector_column(), "pca");
    assert_eq!(chosen.vectors(), flat(&a));
    assert_eq!(chosen.column_names(), ["embedding"]);

    let options = ReadOptions {
        column: Some("pcaa".to_owned()),
        limit: None,
    };
    let err = read_path(&path, &options).expect_err("typo");
    assert!(matches!(err, DataError::MissingColumn { .. }), "{err}");
    assert!(err.to_string().contains("pca, embedding"), "{err}");
}

#[test]
fn limit_stops_early_across_row_groups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("many.parquet");
    let rows: Vec<Vec<f32>> = (0..50).map(|i| vec![i as f32, 0.5]).collect();
    let (ids, _) = id_and_name(50);
    write_parquet(&path, vec![("v", f32_rows(&rows)), ("id", ids)], 7);

    let all = read_path(&path, &ReadOptions::default()).expect("all");
    assert_eq!(all.vectors(), flat(&rows));
    assert_eq!(all.metadata().num_rows(), 50);

    let options = ReadOptions {
        column: None,
        limit: Some(9),
    };
    let head = read_path(&path, &options).expect("head");
    assert_eq!(head.n_rows(), 9);
    assert_eq!(head.metadata().num_rows(), 9);
    assert_eq!(head.vectors(), flat(&rows[..9]));
}

#[test]
fn vectors_only_file_has_empty_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("only.geoparquet");
    write_parquet(&path, vec![("v", f32_rows(&rows()))], 10);
    let ds = read_path(&path, &ReadOptions::default()).expect("read");
    assert_eq!(ds.n_rows(), 4);
    assert!(ds.column_names().is_empty());
}

#[test]
fn clay_geoparquet_fixture() {
    let ds = read_path(
        &fixture("03WVN_20220610_20220610_v001.gpq"),
        &ReadOptions::default(),
    )
    .expect("clay file");
    assert_eq!(ds.name(), "03WVN_20220610_20220610_v001.gpq");
    assert_eq!((ds.n_rows(), ds.dim()), (417, 768));
    assert_eq!(ds.vector_column(), "embeddings");
    assert_eq!(
        ds.column_names(),
        ["index", "source_url", "date", "geometry"]
    );
    assert_eq!(ds.metadata().num_rows(), 417);
    assert!(ds.metadata().schema().metadata().contains_key("geo"));
    assert_eq!(ds.image_shape(), None);
    assert_eq!(skipped_null_vectors(&ds), 0);
}

#[test]
fn empty_earth_index_fixture_has_no_rows() {
    let path = fixture("21MNT.parquet");
    let err = read_path(&path, &ReadOptions::default()).expect_err("no rows");
    assert!(matches!(err, DataError::NoRows { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("21MNT.parquet") && text.contains("no rows"),
        "{text}"
    );
}

/// The Planet sample's five rows include two (rows 1 and 3) whose embedding is null: the
/// file loads with the other three, and says so.
#[test]
fn sample_embeddings_fixture_skips_null_vectors() {
    let ds = read_path(
        &fixture("sample_embeddings.parquet"),
        &ReadOptions::default(),
    )
    .expect("sample file");
    assert_eq!(ds.vector_column(), "embedding");
    assert_eq!((ds.n_rows(), ds.dim()), (3, 512));
    assert_eq!(skipped_null_vectors(&ds), 2);
    assert_eq!(ds.metadata().num_rows(), 3);
    assert_eq!(ds.column_names().len(), 16);
    assert!(ds.column_names().contains(&"geometry".to_owned()));
}

#[test]
fn null_vectors_are_skipped_with_their_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("holes.parquet");
    let vectors = common::f32_lists(&[
        Some(vec![Some(1.0), Some(2.0)]),
        None,
        Some(vec![Some(3.0), Some(4.0)]),
        None,
        Some(vec![Some(5.0), Some(6.0)]),
    ]);
    let (ids, _) = id_and_name(5);
    write_parquet(&path, vec![("id", ids), ("v", vectors)], 2);
    let ds = read_path(&path, &ReadOptions::default()).expect("read");
    assert_eq!(ds.vectors(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(skipped_null_vectors(&ds), 2);
    let ids = ds.metadata().column(0).as_primitive::<Int64Type>();
    assert_eq!(ids.values().as_ref(), [0, 20, 40]);
}
