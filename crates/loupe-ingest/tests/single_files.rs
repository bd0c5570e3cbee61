//! Opening one file: the real Clay, Planet and Earth Index fixtures, and key/value metadata
//! turned into columns.

mod common;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use common::{CLAY, EMPTY, PLANET, column_text, fixture, open_ok, uncached, write_vectors};
use loupe_data::{DataError, skipped_null_vectors};
use loupe_geo::{
    Crs, Encoding, GEO_METADATA_KEY, GeoMetadata, Geometry, Interpretation, parse_wkb,
};
use loupe_ingest::{IngestError, Progress, describe, open};

#[test]
fn the_clay_file_gets_its_name_columns_and_lon_lat_geometry() {
    let opened = open_ok(&fixture(CLAY), &uncached());
    let ds = &opened.dataset;
    assert_eq!((ds.n_rows(), ds.dim()), (417, 768));
    assert_eq!(ds.vector_column(), "embeddings");
    assert!(column_text(&opened, "mgrs").iter().all(|m| m == "03WVN"));
    assert!(
        column_text(&opened, "mindate")
            .iter()
            .all(|d| d == "2022-06-10")
    );
    assert!(
        column_text(&opened, "maxdate")
            .iter()
            .all(|d| d == "2022-06-10")
    );
    assert!(column_text(&opened, "version").iter().all(|v| v == "001"));
    assert!(
        ds.metadata().column_by_name("source_file").is_none(),
        "only folders get a source_file column"
    );

    let geometry = ds.metadata().column_by_name("geometry").expect("geometry");
    let wkb = geometry.as_binary::<i32>();
    assert_eq!(wkb.null_count(), 0);
    let Ok(Geometry::Polygon(p)) = parse_wkb(wkb.value(0)) else {
        panic!("a polygon");
    };
    // MGRS 03W: UTM zone 3 (168°W–162°W), latitude band W (64°N–72°N).
    assert!(
        p.exterior
            .iter()
            .all(|c| (-169.0..-161.0).contains(&c.x) && (64.0..72.0).contains(&c.y))
    );

    let report = &opened.report;
    assert!(report.failed.is_empty() && report.files.len() == 1 && !report.folder);
    let geo = report.files[0].geometry.as_ref().expect("geometry report");
    assert!(geo.declared_crs.is_wgs84_lon_lat());
    assert_eq!(geo.interpretation, Interpretation::AsDeclared);
    assert!(geo.warnings.is_empty(), "{:?}", geo.warnings);
    assert_eq!(geo.placed, 417);

    let schema = ds.metadata().schema();
    let meta = GeoMetadata::from_json(&schema.metadata()[GEO_METADATA_KEY]).expect("valid geo");
    assert_eq!(meta.version.as_deref(), Some("1.1.0"));
    let (name, column) = meta.primary().expect("primary");
    assert_eq!(name, "geometry");
    assert_eq!(column.encoding, Encoding::Wkb);
    assert_eq!(column.crs, Crs::DefaultCrs84, "crs omitted means OGC:CRS84");
    assert_eq!(column.geometry_types, ["Polygon"]);
    let bbox = column.bbox_2d().expect("bbox");
    assert!(bbox.min_x >= -168.0 && bbox.max_y <= 72.0);
    assert!(
        !schema.metadata().contains_key("pandas"),
        "pandas describes the file's index"
    );

    let text = describe(&opened);
    for needle in [
        "417 rows",
        "`embeddings` with 768 values",
        "mgrs: utf8",
        "mindate: date32",
        "Polygon",
        "OGC:CRS84",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn planet_warns_about_its_crs_and_reports_dropped_rows() {
    let opened = open_ok(&fixture(PLANET), &uncached());
    assert_eq!(opened.dataset.n_rows(), 3, "2 of 5 rows have no vector");
    assert_eq!(skipped_null_vectors(&opened.dataset), 2);
    let file = &opened.report.files[0];
    assert_eq!(file.dropped.len(), 2);
    assert!(file.clay.is_none());
    let geo = file.geometry.as_ref().expect("geometry");
    assert_eq!(geo.declared_crs.epsg_code(), Some(3857));
    assert_eq!(geo.interpretation, Interpretation::LonLatDegrees);
    assert!(
        geo.warnings.iter().any(|w| w.contains("EPSG:3857")),
        "{:?}",
        geo.warnings
    );
    let text = opened.report.to_string();
    assert!(text.contains("EPSG:3857"), "{text}");
    assert!(text.contains("2 rows left out"), "{text}");
    assert!(opened.dataset.metadata().column_by_name("mgrs").is_none());
}

#[test]
fn an_empty_single_file_is_the_readers_error() {
    let err = open(&fixture(EMPTY), &uncached(), &|_: &Progress| {}).expect_err("0 rows");
    assert!(
        matches!(
            err,
            IngestError::File {
                source: DataError::NoRows { .. }
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("no rows"), "{err}");
}

#[test]
fn short_key_values_become_columns_and_clashes_get_a_prefix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chips.parquet");
    let long = "x".repeat(300);
    write_vectors(
        &path,
        4,
        3,
        0.0,
        &[
            ("date", "2024-06-01"),
            ("gsd", "10"),
            ("uri", "s3://clay/chips.tif"),
            ("id", "batch-7"),
            ("model", "{\"name\": \"clay\"}"),
            ("long", &long),
        ],
    );
    let opened = open_ok(&path, &uncached());
    assert_eq!(column_text(&opened, "gsd"), ["10"; 4]);
    assert_eq!(column_text(&opened, "date"), ["2024-06-01"; 4]);
    assert_eq!(
        column_text(&opened, "file_id"),
        ["batch-7"; 4],
        "the data has an `id`"
    );
    assert_eq!(column_text(&opened, "id"), ["0", "1", "2", "3"]);
    let names = opened.dataset.column_names();
    assert!(!names.contains(&"model".to_owned()) && !names.contains(&"long".to_owned()));
    let file = &opened.report.files[0];
    assert_eq!(file.metadata_columns, ["date", "gsd", "file_id", "uri"]);
    // Key/values every file agrees on stay on the schema, for exports.
    assert_eq!(opened.dataset.metadata().schema().metadata()["gsd"], "10");
}

#[test]
fn a_metadata_entry_named_like_a_file_name_column_gets_the_prefix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("10ABC_20240101_20240102_v003.parquet");
    write_vectors(&path, 2, 3, 0.0, &[("version", "1.5")]);
    let opened = open_ok(&path, &uncached());
    assert_eq!(column_text(&opened, "version"), ["003"; 2]);
    assert_eq!(column_text(&opened, "file_version"), ["1.5"; 2]);
    assert_eq!(opened.report.files[0].metadata_columns, ["file_version"]);
}

/// Writes three rows of 2-d vectors with WKB points at `xy` and the given `geo` JSON.
fn write_points(path: &std::path::Path, geo: &str, xy: [(f64, f64); 3]) {
    use std::sync::Arc;

    use arrow_array::types::Float32Type;
    use arrow_array::{ArrayRef, BinaryArray, ListArray, RecordBatch};
    use arrow_schema::{Field, Schema};
    use loupe_geo::{Coord, write_wkb};

    let points: Vec<Vec<u8>> = xy
        .iter()
        .map(|&(x, y)| write_wkb(&Geometry::Point(Coord::new(x, y))))
        .collect();
    let lists = (0..3).map(|r| Some(vec![Some(r as f32), Some(1.0)]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(ListArray::from_iter_primitive::<Float32Type, _, _>(lists)),
        Arc::new(BinaryArray::from_iter_values(points.iter())),
    ];
    let fields: Vec<Field> = columns
        .iter()
        .zip(["embedding", "geometry"])
        .map(|(a, n)| Field::new(n, a.data_type().clone(), true))
        .collect();
    let metadata: std::collections::HashMap<String, String> =
        [("geo".to_owned(), geo.to_owned())].into_iter().collect();
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("batch");
    let file = std::fs::File::create(path).expect("create");
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
}

#[test]
fn geometry_that_cannot_be_placed_becomes_null_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let crs84 = r#"{"version": "1.1.0", "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}}}"#;
    // Degrees declared, metres stored: no reading puts these on the globe.
    let metres = dir.path().join("metres.parquet");
    write_points(
        &metres,
        crs84,
        [
            (500_000.0, 7_000_000.0),
            (500_100.0, 7_000_100.0),
            (500_200.0, 7_000_200.0),
        ],
    );
    let opened = open_ok(&metres, &uncached());
    assert_eq!(opened.dataset.n_rows(), 3);
    let geometry = opened
        .dataset
        .metadata()
        .column_by_name("geometry")
        .expect("column");
    assert_eq!(geometry.null_count(), 3);
    let report = opened.report.files[0].geometry.as_ref().expect("report");
    assert_eq!(report.interpretation, Interpretation::CannotPlace);
    assert!(!report.warnings.is_empty());
    assert!(
        opened
            .report
            .to_string()
            .contains("metres.parquet: geometry: "),
        "{}",
        opened.report
    );

    // Metadata that is not JSON at all: the column is still found and emptied.
    let broken = dir.path().join("broken_geo.parquet");
    write_points(&broken, "{not json", [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)]);
    let opened = open_ok(&broken, &uncached());
    let geometry = opened
        .dataset
        .metadata()
        .column_by_name("geometry")
        .expect("column");
    assert_eq!(geometry.null_count(), 3);
    let report = opened.report.files[0].geometry.as_ref().expect("report");
    assert!(
        report.warnings[0].contains("could not be read"),
        "{:?}",
        report.warnings
    );

    // Well-placed points in the same folder keep their values; the geo entry covers them.
    let good = dir.path().join("good.parquet");
    write_points(&good, crs84, [(10.0, 50.0), (11.0, 51.0), (12.0, 52.0)]);
    let opened = open_ok(dir.path(), &uncached());
    assert_eq!(opened.dataset.n_rows(), 9);
    let geometry = opened
        .dataset
        .metadata()
        .column_by_name("geometry")
        .expect("column");
    assert_eq!(geometry.null_count(), 6);
    let schema = opened.dataset.metadata().schema();
    let meta = GeoMetadata::from_json(&schema.metadata()[GEO_METADATA_KEY]).expect("valid");
    let bbox = meta.primary().expect("primary").1.bbox_2d().expect("bbox");
    assert_eq!((bbox.min_x, bbox.max_y), (10.0, 52.0));
}
