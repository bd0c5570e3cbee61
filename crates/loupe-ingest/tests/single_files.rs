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
