//! The three real embedding files in `tests/fixtures` (see `tests/fixtures/NOTICE.md`), read
//! with the `parquet` crate and handed to `read_lon_lat` exactly as the data loader will.

use std::fs::File;
use std::sync::Arc;

use arrow_array::{Array, Float64Array, RecordBatch};
use arrow_schema::Schema;
use loupe_geo::{
    BBox, Crs, Encoding, GEO_METADATA_KEY, GeoMetadata, Geometry, Interpretation, LonLatGeometries,
    read_lon_lat,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const CLAY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/03WVN_20220610_20220610_v001.gpq"
);
const PLANET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/sample_embeddings.parquet"
);
const EARTH_INDEX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/21MNT.parquet"
);

/// A file's `geo` JSON, Arrow schema and batches.
struct Loaded {
    geo: Option<String>,
    schema: Arc<Schema>,
    batches: Vec<RecordBatch>,
}

fn load(path: &str) -> Loaded {
    let file = File::open(path).expect("fixture file");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file");
    let geo = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|e| e.key == GEO_METADATA_KEY))
        .and_then(|e| e.value.clone());
    let schema = builder.schema().clone();
    let batches = builder
        .build()
        .expect("a reader")
        .collect::<Result<Vec<_>, _>>()
        .expect("readable batches");
    Loaded {
        geo,
        schema,
        batches,
    }
}

fn read(l: &Loaded) -> LonLatGeometries {
    read_lon_lat(l.geo.as_deref(), &l.schema, &l.batches)
        .expect("the geometry column reads")
        .expect("the file has a geometry column")
}

fn assert_bbox(b: BBox, want: [f64; 4], tol: f64) {
    let got = [b.min_x, b.min_y, b.max_x, b.max_y];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tol, "bbox {got:?} != {want:?} ± {tol}");
    }
}

#[test]
fn clay_polygons_lie_in_mgrs_03w() {
    let loaded = load(CLAY);
    let meta = GeoMetadata::from_json(loaded.geo.as_deref().unwrap()).unwrap();
    assert_eq!(meta.version.as_deref(), Some("1.0.0"));
    assert_eq!(meta.primary_column, "geometry");
    let column = &meta.columns["geometry"];
    assert_eq!(column.encoding, Encoding::Wkb);
    assert_eq!(column.geometry_types, ["Polygon"]);

    let out = read(&loaded);
    assert_eq!(out.column, "geometry");
    assert_eq!(
        out.declared_crs,
        Crs::Code {
            authority: "OGC".into(),
            code: "CRS84".into(),
            name: Some("WGS 84 (CRS84)".into()),
        }
    );
    assert_eq!(out.used_crs.as_ref(), Some(&out.declared_crs));
    assert_eq!(out.interpretation, Interpretation::AsDeclared);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.geometries.len(), 417);
    assert!(
        out.geometries
            .iter()
            .all(|g| matches!(g, Some(Geometry::Polygon(_))))
    );

    // The decoded extent is the one the writer recorded, to the last digit.
    let extent = BBox::around_geometries(&out.geometries).unwrap();
    assert_bbox(
        extent,
        [
            -167.188_030_518_290_05,
            64.841_926_751_318_61,
            -164.836_445_842_318_85,
            65.821_588_578_193_6,
        ],
        1e-12,
    );
    assert_eq!(column.bbox_2d(), Some(extent));
    // MGRS zone 03 is UTM zone 3 (168°W–162°W); latitude band W is 64°N–72°N.
    assert!(
        extent.min_x >= -168.0 && extent.max_x <= -162.0,
        "{extent:?}"
    );
    assert!(extent.min_y >= 64.0 && extent.max_y <= 72.0, "{extent:?}");

    // Every chip's representative point lies inside its own footprint's box, and every
    // footprint is about 5 km tall (Clay v0.1 chips: 512 px of 10 m Sentinel-2 pixels).
    for g in out.geometries.iter().flatten() {
        let b = g.bbox().unwrap();
        let c = g.representative_point().unwrap();
        assert!(c.x > b.min_x && c.x < b.max_x && c.y > b.min_y && c.y < b.max_y);
        let height_km = (b.max_y - b.min_y) * 111.2;
        assert!((5.0..5.5).contains(&height_km), "{b:?}");
        assert_eq!(g.exterior_rings().len(), 1);
        assert_eq!(g.exterior_rings()[0].len(), 5);
    }
}

#[test]
fn planet_claims_web_mercator_but_holds_degrees() {
    let loaded = load(PLANET);
    let out = read(&loaded);
    assert_eq!(out.declared_crs.epsg_code(), Some(3857));
    assert_eq!(out.interpretation, Interpretation::LonLatDegrees);
    assert_eq!(out.used_crs, Some(Crs::crs84()));
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    let warning = &out.warnings[0];
    assert!(warning.contains("EPSG:3857"), "{warning}");
    assert!(warning.contains("Pseudo-Mercator"), "{warning}");
    assert!(warning.contains("longitude/latitude degrees"), "{warning}");

    assert_eq!(out.geometries.len(), 5);
    let extent = BBox::around_geometries(&out.geometries).unwrap();
    // The `geo` bbox as written by geopandas (in the same mislabelled degrees).
    assert_bbox(
        extent,
        [
            -48.329_200_744_628_906,
            -10.186_158_906_091_725,
            -48.319_587_707_519_53,
            -10.176_697_245_905_123,
        ],
        1e-12,
    );
    assert_eq!(out.source_extent, Some(extent));

    // The file also carries its own centroid columns: our representative points agree.
    let batch = &loaded.batches[0];
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .clone()
    };
    let (lats, lons) = (column("centroid_lat"), column("centroid_lon"));
    for (i, g) in out.geometries.iter().enumerate() {
        let c = g.as_ref().unwrap().representative_point().unwrap();
        assert!(
            (c.x - lons.value(i)).abs() < 1e-6,
            "row {i}: {c:?} vs {}",
            lons.value(i)
        );
        assert!(
            (c.y - lats.value(i)).abs() < 1e-6,
            "row {i}: {c:?} vs {}",
            lats.value(i)
        );
    }
}

#[test]
fn earth_index_has_no_rows_and_no_complaints() {
    let loaded = load(EARTH_INDEX);
    assert_eq!(
        loaded
            .batches
            .iter()
            .map(RecordBatch::num_rows)
            .sum::<usize>(),
        0
    );
    let meta = GeoMetadata::from_json(loaded.geo.as_deref().unwrap()).unwrap();
    let column = &meta.columns["geometry"];
    assert_bbox(
        column.bbox_2d().unwrap(),
        [
            -59.727_203_206_281_2,
            -7.332_454_432_379_616,
            -58.709_620_281_860_87,
            -6.315_419_681_009_225,
        ],
        1e-12,
    );

    let out = read(&loaded);
    assert_eq!(out.declared_crs.epsg_code(), Some(4326));
    assert!(out.declared_crs.is_wgs84_lon_lat());
    assert_eq!(out.interpretation, Interpretation::AsDeclared);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert!(out.geometries.is_empty());
    assert_eq!(out.source_extent, None);
}

#[test]
fn clay_with_its_crs_nulled_is_recognised_as_degrees() {
    let loaded = load(CLAY);
    let geo = r#"{"version": "1.1.0", "primary_column": "geometry",
                  "columns": {"geometry": {"encoding": "WKB", "crs": null}}}"#;
    let out = read_lon_lat(Some(geo), &loaded.schema, &loaded.batches)
        .unwrap()
        .unwrap();
    assert_eq!(out.declared_crs, Crs::Unknown);
    assert_eq!(out.interpretation, Interpretation::LonLatDegrees);
    assert!(out.warnings[0].contains("undefined"), "{:?}", out.warnings);
    assert_eq!(out.geometries.iter().flatten().count(), 417);
}

#[test]
fn clay_without_geo_metadata_falls_back_to_the_geometry_column() {
    let loaded = load(CLAY);
    let out = read_lon_lat(None, &loaded.schema, &loaded.batches)
        .unwrap()
        .unwrap();
    assert_eq!(out.column, "geometry");
    assert_eq!(out.interpretation, Interpretation::LonLatDegrees);
    assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
    assert!(out.warnings[0].contains("no GeoParquet `geo` metadata"));
}
