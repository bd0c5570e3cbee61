//! Reading Parquet: every vector column type, column choice, limits and the real fixtures.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int64Type};
use arrow_array::{Array, ArrayRef, FixedSizeListArray, Int64Array, LargeListArray, UInt8Array};
use arrow_schema::DataType;
use common::{
    batch_with_metadata, bits, f32_rows, f64_rows, fixture, flat, id_and_name, write_parquet,
    write_parquet_batch,
};
use loupe_data::{DataError, FileFormat, ReadOptions, read_file, read_path, skipped_null_vectors};

fn rows() -> Vec<Vec<f32>> {
    vec![
        vec![0.5, -1.25, 3.0],
        vec![1e-7, 2.5e6, -0.0],
        vec![f32::MIN_POSITIVE, 7.0, 8.0],
        vec![-9.5, 0.1, 0.2],
    ]
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
        ..ReadOptions::default()
    };
    let chosen = read_path(&path, &options).expect("chosen");
    assert_eq!(chosen.vector_column(), "pca");
    assert_eq!(chosen.vectors(), flat(&a));
    assert_eq!(chosen.column_names(), ["embedding"]);

    let options = ReadOptions {
        column: Some("pcaa".to_owned()),
        ..ReadOptions::default()
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
        limit: Some(9),
        ..ReadOptions::default()
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

#[test]
fn clay_fixture_report() {
    let (_, report) = read_file(
        &fixture("03WVN_20220610_20220610_v001.gpq"),
        &ReadOptions::default(),
    )
    .expect("clay file");
    assert_eq!(report.format, FileFormat::Parquet);
    assert_eq!(report.vector_columns, ["embeddings"]);
    assert_eq!((report.source_dim, report.rows_read), (768, 417));
    assert!(report.dropped.is_empty() && report.warnings.is_empty());
    assert!(report.key_values.contains_key("geo"));
    assert!(!report.key_values.contains_key("ARROW:schema"));
}

/// Clay v1.5 files carry `date`, `gsd` and `uri` as file-level key/value metadata.
#[test]
fn key_values_reach_the_report_and_stay_on_the_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clay15.parquet");
    let b = batch_with_metadata(
        vec![("embeddings", f32_rows(&rows()))],
        &[
            ("date", "2024-06-10"),
            ("gsd", "10.0"),
            ("uri", "s3://b/x.tif"),
        ],
    );
    write_parquet_batch(&path, &b, 10);
    let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(
        report.key_values.get("date").map(String::as_str),
        Some("2024-06-10")
    );
    assert_eq!(
        report.key_values.get("gsd").map(String::as_str),
        Some("10.0")
    );
    assert_eq!(
        report.key_values.get("uri").map(String::as_str),
        Some("s3://b/x.tif")
    );
    assert!(!report.key_values.contains_key("ARROW:schema"));
    let schema = ds.metadata().schema();
    assert_eq!(
        schema.metadata().get("gsd").map(String::as_str),
        Some("10.0")
    );
}

/// A digits table as Kaggle ships it: `label, pixel1 … pixel16`, one byte per column.
#[test]
fn wide_pixel_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("digits.parquet");
    let labels: ArrayRef = Arc::new(Int64Array::from(vec![3, 7, 3]));
    let pixels: Vec<Vec<u8>> = (0..3_u8)
        .map(|r| (0..16).map(|c| r * 16 + c).collect())
        .collect();
    let names: Vec<String> = (1..=16).map(|c| format!("pixel{c}")).collect();
    let mut columns = vec![("label", Arc::clone(&labels))];
    for (c, name) in names.iter().enumerate() {
        let column: Vec<u8> = pixels.iter().map(|row| row[c]).collect();
        columns.push((
            name.as_str(),
            Arc::new(UInt8Array::from(column)) as ArrayRef,
        ));
    }
    write_parquet(&path, columns, 2);
    let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(report.vector_columns, names);
    assert_eq!(ds.vector_column(), "pixel1..pixel16");
    assert_eq!((ds.n_rows(), ds.dim()), (3, 16));
    let expected: Vec<f32> = pixels.iter().flatten().map(|&p| f32::from(p)).collect();
    assert_eq!(ds.vectors(), expected);
    assert_eq!(ds.column_names(), ["label"]);
    assert_eq!(ds.metadata().column(0).as_ref(), labels.as_ref());
}
