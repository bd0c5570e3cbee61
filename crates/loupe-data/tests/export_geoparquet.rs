//! Layouts exported as (Geo)Parquet and read back through Loupe's own reader: coordinates,
//! metadata and geometry bytes survive, and the `geo` JSON describes the rows written.

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoPandas, GeoArrow and PostGIS are names, not code identifiers"
)]

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BinaryArray, RecordBatch, UInt32Array};
use common::{batch_with_metadata, f32_rows, write_parquet_batch};
use loupe_core::Dataset;
use loupe_data::{
    DataError, FileReport, ReadOptions, VectorColumns, read_file, read_path, write_layout_parquet,
};
use serde_json::{Value, json};

const CLAY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/03WVN_20220610_20220610_v001.gpq"
);

/// Reads a written layout with `x` and `y` as the vectors, so they come back interleaved.
fn read_layout(path: &Path) -> (Dataset, FileReport) {
    let options = ReadOptions {
        vector_columns: Some(VectorColumns::Names(vec!["x".into(), "y".into()])),
        ..ReadOptions::default()
    };
    read_file(path, &options).expect("layout reads back")
}

fn geo_of(report: &FileReport) -> Value {
    let text = report.key_values.get("geo").expect("geo metadata");
    serde_json::from_str(text).expect("geo is JSON")
}

fn column_names(ds: &Dataset) -> Vec<String> {
    ds.column_names()
}

/// The box around every WKB vertex, by Loupe's decoder.
fn bbox_of(column: &dyn Array) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for wkb in column.as_binary::<i32>().iter().flatten() {
        let g = loupe_geo::parse_wkb(wkb).expect("wkb");
        g.for_each_coord(&mut |c| {
            b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
        });
    }
    b
}

fn spiral(n: usize) -> Vec<f32> {
    (0..n)
        .flat_map(|i| {
            let t = i as f32 * 0.1;
            [t * t.cos(), t * t.sin()]
        })
        .collect()
}

fn temp_out(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    (dir, path)
}

#[test]
fn clay_layout_is_geoparquet_1_1_and_round_trips() {
    let (source, source_report) =
        read_file(Path::new(CLAY), &ReadOptions::default()).expect("clay");
    let n = source.n_rows();
    let xy = spiral(n);
    let clusters: ArrayRef = Arc::new(UInt32Array::from_iter_values((0..n as u32).map(|i| i % 7)));
    let (_dir, out) = temp_out("clay-layout.parquet");
    write_layout_parquet(&out, &source, &xy, &[("cluster", Arc::clone(&clusters))]).expect("write");

    let (layout, report) = read_layout(&out);
    assert_eq!(layout.n_rows(), 417);
    assert_eq!(layout.vectors(), xy.as_slice(), "x and y exactly");
    assert_eq!(
        column_names(&layout),
        ["index", "source_url", "date", "geometry", "cluster"]
    );
    for name in ["index", "source_url", "date", "geometry"] {
        let before = source
            .metadata()
            .column_by_name(name)
            .expect("source column");
        let after = layout
            .metadata()
            .column_by_name(name)
            .expect("layout column");
        assert_eq!(before.as_ref(), after.as_ref(), "column {name} unchanged");
    }
    let cluster = layout
        .metadata()
        .column_by_name("cluster")
        .expect("cluster");
    assert_eq!(cluster.as_ref(), clusters.as_ref());
    assert!(
        !report.key_values.contains_key("pandas"),
        "stale pandas index"
    );
    assert_eq!(
        report
            .key_values
            .get("loupe:layout_columns")
            .map(String::as_str),
        Some("x,y")
    );

    let geo = geo_of(&report);
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    let column = &geo["columns"]["geometry"];
    assert_eq!(column["encoding"], "WKB");
    assert_eq!(column["geometry_types"], json!(["Polygon"]));
    let geometry = layout
        .metadata()
        .column_by_name("geometry")
        .expect("geometry");
    let expected = bbox_of(geometry.as_ref());
    assert_eq!(column["bbox"], json!(expected));
    // Every row was written, so the box is the source's own (GeoPandas computed it).
    let source_geo: Value =
        serde_json::from_str(&source_report.key_values["geo"]).expect("source geo");
    assert_eq!(column["bbox"], source_geo["columns"]["geometry"]["bbox"]);
    assert_eq!(
        column["crs"], source_geo["columns"]["geometry"]["crs"],
        "crs copied"
    );
    assert_eq!(column["crs"]["id"]["code"], "CRS84");
}

#[test]
fn bbox_describes_the_rows_written_not_the_source() {
    let options = ReadOptions {
        limit: Some(10),
        ..ReadOptions::default()
    };
    let source = read_path(Path::new(CLAY), &options).expect("clay head");
    let (_dir, out) = temp_out("head.parquet");
    write_layout_parquet(&out, &source, &spiral(10), &[]).expect("write");
    let (layout, report) = read_layout(&out);
    let geometry = layout
        .metadata()
        .column_by_name("geometry")
        .expect("geometry");
    let expected = bbox_of(geometry.as_ref());
    assert_eq!(
        geo_of(&report)["columns"]["geometry"]["bbox"],
        json!(expected)
    );
    let full = bbox_of(
        read_path(Path::new(CLAY), &ReadOptions::default())
            .expect("clay")
            .metadata()
            .column_by_name("geometry")
            .expect("geometry")
            .as_ref(),
    );
    let (small, large) = (expected.map(f64::to_bits), full.map(f64::to_bits));
    assert_ne!(small, large, "ten rows cover less than the whole file");
}

fn point_wkb(x: f64, y: f64) -> Vec<u8> {
    let mut bytes = vec![1, 1, 0, 0, 0];
    bytes.extend_from_slice(&x.to_le_bytes());
    bytes.extend_from_slice(&y.to_le_bytes());
    bytes
}

/// A dataset of three rows: vectors, a `geometry` binary column and schema metadata.
fn with_geometry(geometry: Vec<Option<Vec<u8>>>, metadata: &[(&str, &str)]) -> Dataset {
    let (dir, path) = temp_out("points.parquet");
    let geometry: ArrayRef = Arc::new(BinaryArray::from_iter(geometry));
    let vectors = f32_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]);
    let batch: RecordBatch =
        batch_with_metadata(vec![("v", vectors), ("geometry", geometry)], metadata);
    write_parquet_batch(&path, &batch, 10);
    let ds = read_path(&path, &ReadOptions::default()).expect("read");
    drop(dir);
    ds
}

#[test]
fn undeclared_geometry_column_gets_metadata_with_an_honest_crs() {
    let lon_lat = with_geometry(
        vec![
            Some(point_wkb(10.0, 50.0)),
            None,
            Some(point_wkb(-3.5, 40.25)),
        ],
        &[],
    );
    let (_dir, out) = temp_out("points-layout.parquet");
    write_layout_parquet(&out, &lon_lat, &spiral(3), &[]).expect("write");
    let geo = geo_of(&read_layout(&out).1);
    let column = &geo["columns"]["geometry"];
    assert_eq!(column["geometry_types"], json!(["Point"]));
    assert_eq!(column["bbox"], json!([-3.5, 40.25, 10.0, 50.0]));
    assert!(
        column.get("crs").is_none(),
        "lon/lat: crs omitted = OGC:CRS84"
    );

    let metres = with_geometry(
        vec![Some(point_wkb(500_000.0, 7_000_000.0)), None, None],
        &[],
    );
    write_layout_parquet(&out, &metres, &spiral(3), &[]).expect("write");
    let geo = geo_of(&read_layout(&out).1);
    assert_eq!(
        geo["columns"]["geometry"]["crs"],
        Value::Null,
        "unknown CRS"
    );
}

#[test]
fn binary_that_is_not_wkb_is_plain_data_unless_declared() {
    let junk = vec![Some(b"not wkb".to_vec()), None, None];
    let plain = with_geometry(junk.clone(), &[]);
    let (dir, out) = temp_out("junk.parquet");
    write_layout_parquet(&out, &plain, &spiral(3), &[]).expect("write");
    let (layout, report) = read_layout(&out);
    assert!(!report.key_values.contains_key("geo"));
    assert_eq!(column_names(&layout), ["geometry"]);

    let declared = r#"{"version": "1.0.0", "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}}}"#;
    let claimed = with_geometry(junk, &[("geo", declared)]);
    let err = write_layout_parquet(&out, &claimed, &spiral(3), &[]).expect_err("bad WKB");
    assert!(
        matches!(err, DataError::InvalidGeometry { row: 0, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("junk.parquet"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        1,
        "old file only"
    );
}

#[test]
fn geo_metadata_is_never_stale() {
    // The declaration names a column the data does not have: nothing is left to describe.
    let declared = r#"{"version": "1.0.0", "primary_column": "geom",
        "columns": {"geom": {"encoding": "WKB", "geometry_types": ["Point"]}}}"#;
    let ds = with_geometry(vec![Some(b"xx".to_vec()), None, None], &[("geo", declared)]);
    let (_dir, out) = temp_out("stale.parquet");
    write_layout_parquet(&out, &ds, &spiral(3), &[]).expect("write");
    assert!(!read_layout(&out).1.key_values.contains_key("geo"));

    // An extra column that replaces the geometry takes its metadata with it.
    let ds = with_geometry(
        vec![Some(point_wkb(1.0, 2.0)), None, None],
        &[("geo", &declared.replace("geom\"", "geometry\""))],
    );
    let replacement: ArrayRef = Arc::new(UInt32Array::from(vec![1, 2, 3]));
    write_layout_parquet(&out, &ds, &spiral(3), &[("geometry", replacement)]).expect("write");
    assert!(!read_layout(&out).1.key_values.contains_key("geo"));

    // Unparseable JSON is dropped, and the column is judged by its bytes.
    let ds = with_geometry(
        vec![Some(point_wkb(1.0, 2.0)), None, None],
        &[("geo", "{oops")],
    );
    write_layout_parquet(&out, &ds, &spiral(3), &[]).expect("write");
    let geo = geo_of(&read_layout(&out).1);
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(
        geo["columns"]["geometry"]["bbox"],
        json!([1.0, 2.0, 1.0, 2.0])
    );
}

#[test]
fn declared_members_that_are_not_about_rows_are_kept() {
    let declared = r#"{"version": "1.1.0", "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "wkb", "geometry_types": ["Polygon"],
        "bbox": [0, 0, 1, 1], "crs": null, "edges": "spherical", "orientation":
        "counterclockwise", "covering": {"bbox": {"xmin": ["bbox", "xmin"]}}}}}"#;
    let ds = with_geometry(
        vec![Some(point_wkb(1.0, 2.0)), Some(point_wkb(3.0, -4.0)), None],
        &[("geo", declared)],
    );
    let (_dir, out) = temp_out("kept.parquet");
    write_layout_parquet(&out, &ds, &spiral(3), &[]).expect("write");
    let geo = geo_of(&read_layout(&out).1);
    let column = &geo["columns"]["geometry"];
    assert_eq!(column["crs"], Value::Null, "explicit null CRS is kept");
    assert_eq!(column["edges"], "spherical");
    assert_eq!(column["orientation"], "counterclockwise");
    assert_eq!(column["encoding"], "WKB");
    assert_eq!(column["geometry_types"], json!(["Point"]));
    assert_eq!(column["bbox"], json!([1.0, -4.0, 3.0, 2.0]));
    assert!(
        column.get("covering").is_none(),
        "covering column not checked"
    );
}
