//! The GeoJSON export and the table writers, checked by reading what they write: GeoJSON with
//! serde_json, layouts with [`read_layout_table`].

#![allow(
    clippy::doc_markdown,
    reason = "GeoJSON and serde_json are names, not code identifiers"
)]
#![allow(
    clippy::float_cmp,
    reason = "what is written must come back bit for bit"
)]

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Float32Array, Float64Array, Int64Array,
    RecordBatch, StringArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema};
use loupe_geo::{Coord, Geometry, parse_wkb, write_wkb};
use serde_json::{Value, json};

use crate::{
    DataError, ReadOptions, read_file, read_layout_table, write_layout_geojson, write_table_csv,
    write_table_geojson, write_table_parquet,
};

const CLAY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/03WVN_20220610_20220610_v001.gpq"
);

fn read_json(path: &Path) -> Value {
    serde_json::from_reader(File::open(path).unwrap()).unwrap()
}

fn batch(columns: Vec<(&str, ArrayRef)>, metadata: HashMap<String, String>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    RecordBatch::try_new(
        Arc::new(Schema::new_with_metadata(fields, metadata)),
        arrays,
    )
    .unwrap()
}

#[test]
fn clay_tiles_become_polygon_features_with_their_columns() {
    let (clay, _) = read_file(Path::new(CLAY), &ReadOptions::default()).unwrap();
    assert_eq!(clay.n_rows(), 417);
    let xy: Vec<f32> = (0..2 * 417).map(|i| i as f32 * 0.25 - 50.0).collect();
    let cluster: ArrayRef = Arc::new(UInt32Array::from_iter_values((0..417).map(|i| i % 4)));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clay.geojson");
    write_layout_geojson(&path, &clay, &xy, &[("cluster", cluster)]).unwrap();

    let json = read_json(&path);
    let file = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = file
        .lines()
        .filter(|l| l.starts_with("{\"type\":\"Feature\""))
        .collect();
    assert_eq!(json["type"], "FeatureCollection");
    let features = json["features"].as_array().unwrap();
    assert_eq!(features.len(), 417);
    let wkb = clay.metadata().column_by_name("geometry").unwrap();
    let wkb = wkb.as_binary::<i32>();
    for (row, feature) in features.iter().enumerate() {
        assert_eq!(feature["type"], "Feature");
        let geometry = &feature["geometry"];
        assert_eq!(geometry["type"], "Polygon", "row {row}");
        let Geometry::Polygon(polygon) = parse_wkb(wkb.value(row)).unwrap() else {
            panic!("row {row} is not a polygon");
        };
        let first = &geometry["coordinates"][0][0];
        assert!((first[0].as_f64().unwrap() - polygon.exterior[0].x).abs() < 1e-9);
        assert!((first[1].as_f64().unwrap() - polygon.exterior[0].y).abs() < 1e-9);
        // serde_json's float parsing may be off by an ulp; Rust's is exact, so the text is
        // checked to hold the very same f64.
        let text = first_position_text(&lines, row);
        assert_eq!(
            text,
            [polygon.exterior[0].x, polygon.exterior[0].y],
            "row {row}"
        );
        let ring = geometry["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.len(), polygon.exterior.len());
        let p = &feature["properties"];
        assert_eq!(p["x"].as_f64().unwrap() as f32, xy[2 * row]);
        assert_eq!(p["y"].as_f64().unwrap() as f32, xy[2 * row + 1]);
        assert!(p["source_url"].as_str().unwrap().starts_with("s3://"));
        assert_eq!(p["cluster"], row % 4);
        assert!(
            p.get("geometry").is_none(),
            "the geometry is not a property"
        );
        assert!(p.get("embeddings").is_none(), "vectors are not exported");
    }
    assert_eq!(features[0]["properties"]["date"], "2022-06-10");
    assert_eq!(features[0]["properties"]["index"], 0);
}

/// The first position of feature `row` (one feature per line), parsed by Rust.
fn first_position_text(lines: &[&str], row: usize) -> [f64; 2] {
    let (_, rest) = lines[row].split_once("\"coordinates\":[[[").unwrap();
    let (pair, _) = rest.split_once(']').unwrap();
    let (x, y) = pair.split_once(',').unwrap();
    [x.parse().unwrap(), y.parse().unwrap()]
}

#[test]
fn tables_without_geometry_give_null_geometries_and_json_values() {
    let days = 19_153; // 2022-06-10
    let metadata = batch(
        vec![
            (
                "f",
                Arc::new(Float64Array::from(vec![1.5, f64::NAN, f64::INFINITY])),
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![Some("a\"b"), None, Some("é\n")])),
            ),
            ("b", Arc::new(BooleanArray::from(vec![true, false, true]))),
            ("i", Arc::new(Int64Array::from(vec![-3, 0, i64::MAX]))),
            (
                "d",
                Arc::new(Date32Array::from(vec![days, days + 1, days + 2])),
            ),
            (
                "blob",
                Arc::new(BinaryArray::from(vec![&[0xab_u8][..], &[], &[1, 2]])),
            ),
        ],
        HashMap::new(),
    );
    let xy = [0.1, -2.0, f32::MAX, 0.0, 3.0, 4.5];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    write_table_geojson(&path, &metadata, &xy, &[]).unwrap();
    let json = read_json(&path);
    let features = json["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    assert!(features.iter().all(|f| f["geometry"].is_null()));
    let p: Vec<&Value> = features.iter().map(|f| &f["properties"]).collect();
    assert_eq!(
        *p[0],
        json!({"f": 1.5, "s": "a\"b", "b": true, "i": -3, "d": "2022-06-10", "blob": "ab",
               "x": 0.1, "y": -2.0})
    );
    assert!(
        p[1]["f"].is_null() && p[2]["f"].is_null(),
        "NaN and ∞ → null"
    );
    assert!(p[1]["s"].is_null());
    assert_eq!(p[2]["s"], "é\n");
    assert_eq!(p[2]["i"], i64::MAX);
    assert_eq!(p[1]["x"].as_f64().unwrap() as f32, f32::MAX);

    // No columns at all, any number of rows; and no rows at all.
    let empty = RecordBatch::new_empty(Arc::new(Schema::empty()));
    write_table_geojson(&path, &empty, &[1.0, 2.0, 3.0, 4.0], &[]).unwrap();
    let json = read_json(&path);
    assert_eq!(
        json["features"][1]["properties"],
        json!({"x": 3.0, "y": 4.0})
    );
    write_table_geojson(&path, &metadata.slice(0, 0), &[], &[]).unwrap();
    assert_eq!(
        read_json(&path),
        json!({"type": "FeatureCollection", "features": []})
    );
}

/// One WKB point column declared with `crs`.
fn points_in(crs: &Value, x: f64, y: f64) -> RecordBatch {
    let geo = json!({"version": "1.1.0", "primary_column": "geom",
                     "columns": {"geom": {"encoding": "WKB", "crs": crs}}});
    let wkb = write_wkb(&Geometry::Point(Coord::new(x, y)));
    batch(
        vec![(
            "geom",
            Arc::new(BinaryArray::from(vec![Some(&wkb[..]), None])),
        )],
        HashMap::from([("geo".to_owned(), geo.to_string())]),
    )
}

#[test]
fn other_crs_are_reprojected_and_unknown_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.geojson");
    // Web Mercator (1113194.9 m, 1118889.97 m) is (10°, 10°).
    let mercator = points_in(
        &json!("EPSG:3857"),
        1_113_194.907_932_735_7,
        1_118_889.974_857_959_2,
    );
    write_table_geojson(&path, &mercator, &[0.0; 4], &[]).unwrap();
    let json = read_json(&path);
    let c = &json["features"][0]["geometry"]["coordinates"];
    assert!((c[0].as_f64().unwrap() - 10.0).abs() < 1e-6, "{c}");
    assert!((c[1].as_f64().unwrap() - 10.0).abs() < 1e-6, "{c}");
    assert!(json["features"][1]["geometry"].is_null(), "null cell");
    assert!(json["features"][0]["properties"].get("geom").is_none());

    let unknown = points_in(&Value::Null, 500_000.0, 7_000_000.0);
    let out = dir.path().join("unknown.geojson");
    let err = write_table_geojson(&out, &unknown, &[0.0; 4], &[]).unwrap_err();
    assert!(matches!(err, DataError::GeoJsonCrs { .. }), "{err}");
    assert!(err.to_string().contains("`geom`"), "{err}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary left"
    );
}

#[test]
fn table_writers_round_trip_through_read_layout_table() {
    let (clay, _) = read_file(Path::new(CLAY), &ReadOptions::default()).unwrap();
    let xy: Vec<f32> = (0..2 * 417).map(|i| i as f32 * 0.5 - 100.0).collect();
    let cluster: ArrayRef = Arc::new(UInt32Array::from_iter_values((0..417).map(|i| i % 3)));
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("layout.parquet");
    write_table_parquet(&parquet, clay.metadata(), &xy, &[("cluster", cluster)]).unwrap();
    let (table, back) = read_layout_table(&parquet).unwrap();
    assert_eq!(back, xy);
    let names: Vec<&str> = table
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(
        names,
        [
            "index",
            "source_url",
            "date",
            "geometry",
            "x",
            "y",
            "cluster"
        ]
    );
    assert!(table.schema_ref().metadata().contains_key("geo"));
    assert_eq!(table.column(1), clay.metadata().column(1));

    // Written again from what was read: x and y are replaced, not doubled.
    let again = dir.path().join("again.parquet");
    write_table_parquet(&again, &table, &back, &[]).unwrap();
    let (table2, back2) = read_layout_table(&again).unwrap();
    assert_eq!(back2, xy);
    assert_eq!(table2.num_columns(), 7);

    let csv = dir.path().join("layout.csv");
    write_table_csv(&csv, &table, &back, &[]).unwrap();
    let (table3, back3) = read_layout_table(&csv).unwrap();
    assert_eq!(back3, xy);
    assert_eq!(table3.num_rows(), 417);
    assert!(table3.column_by_name("geometry").unwrap().data_type() == &DataType::Utf8);
}

#[test]
fn layouts_without_usable_coordinates_are_named_errors() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, batch: &RecordBatch| {
        let path = dir.path().join(name);
        let file = File::create(&path).unwrap();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(batch).unwrap();
        writer.close().unwrap();
        path
    };
    let x: ArrayRef = Arc::new(Float32Array::from(vec![1.0, 2.0]));
    let cases = [
        (
            "no_y.parquet",
            vec![("x", Arc::clone(&x))],
            "`y` is missing (the columns are: x)",
        ),
        (
            "text_y.parquet",
            vec![
                ("x", Arc::clone(&x)),
                ("y", Arc::new(StringArray::from(vec!["a", "b"])) as _),
            ],
            "`y` holds utf8, not numbers",
        ),
        (
            "nan_x.parquet",
            vec![
                ("x", Arc::new(Float64Array::from(vec![0.0, f64::NAN])) as _),
                ("y", x),
            ],
            "`x` holds NaN or infinity in row 1",
        ),
    ];
    for (name, columns, expected) in cases {
        let path = write(name, &batch(columns, HashMap::new()));
        let err = read_layout_table(&path).unwrap_err();
        assert!(matches!(err, DataError::LayoutCoordinates { .. }), "{err}");
        assert!(err.to_string().contains(expected), "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    let npy = dir.path().join("a.npy");
    std::fs::write(&npy, b"\x93NUMPY\x01\x00").unwrap();
    let err = read_layout_table(&npy).unwrap_err();
    assert!(matches!(err, DataError::NotLayoutTable { .. }), "{err}");
}
