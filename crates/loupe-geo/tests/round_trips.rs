//! End-to-end through `read_lon_lat` with data built here from the real Clay footprints:
//! projected to UTM and back, re-encoded as `GeoArrow`, and deliberately mislabelled.

use std::fs::File;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, ListBuilder, StructBuilder};
use arrow_array::{ArrayRef, BinaryArray, RecordBatch};
use arrow_schema::{DataType, Field, Fields, Schema};
use loupe_geo::{Coord, Crs, Geometry, Interpretation, Polygon, read_lon_lat};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const CLAY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/03WVN_20220610_20220610_v001.gpq"
);

/// The Clay footprints in lon/lat, decoded by the crate itself.
fn clay_polygons() -> Vec<Polygon> {
    let file = File::open(CLAY).expect("fixture file");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file");
    let schema = builder.schema().clone();
    let batches = builder
        .build()
        .expect("a reader")
        .collect::<Result<Vec<_>, _>>()
        .expect("readable batches");
    let out = read_lon_lat(None, &schema, &batches)
        .expect("the geometry column reads")
        .expect("a geometry column");
    out.geometries
        .into_iter()
        .map(|g| match g {
            Some(Geometry::Polygon(p)) => p,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// Projects lon/lat degrees to UTM zone 3N with proj4rs directly (the crate only goes the
/// other way).
fn to_utm_3n(polygons: &[Polygon]) -> Vec<Polygon> {
    let wgs84 = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84").expect("WGS 84");
    let utm = proj4rs::Proj::from_proj_string("+proj=utm +zone=3 +datum=WGS84").expect("UTM 3N");
    polygons
        .iter()
        .map(|p| {
            let ring = p
                .exterior
                .iter()
                .map(|c| {
                    let mut xyz = (c.x.to_radians(), c.y.to_radians(), 0.0);
                    proj4rs::transform::transform(&wgs84, &utm, &mut xyz).expect("projects");
                    Coord::new(xyz.0, xyz.1)
                })
                .collect();
            Polygon::from_rings(vec![ring])
        })
        .collect()
}

/// Little-endian ISO WKB for a one-ring polygon, written field by field.
fn polygon_wkb(p: &Polygon) -> Vec<u8> {
    let mut b = vec![1];
    b.extend_from_slice(&3_u32.to_le_bytes());
    b.extend_from_slice(&1_u32.to_le_bytes());
    b.extend_from_slice(&(p.exterior.len() as u32).to_le_bytes());
    for c in &p.exterior {
        b.extend_from_slice(&c.x.to_le_bytes());
        b.extend_from_slice(&c.y.to_le_bytes());
    }
    b
}

fn wkb_batch(polygons: &[Polygon]) -> (Arc<Schema>, RecordBatch) {
    let bytes: Vec<Vec<u8>> = polygons.iter().map(polygon_wkb).collect();
    let array = BinaryArray::from_iter_values(bytes.iter().map(Vec::as_slice));
    let schema = Arc::new(Schema::new(vec![Field::new(
        "geom",
        DataType::Binary,
        true,
    )]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(array)]).expect("a batch");
    (schema, batch)
}

fn assert_same_lon_lat(got: &[Option<Geometry>], want: &[Polygon], tol_deg: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        let Some(Geometry::Polygon(g)) = g else {
            panic!("{g:?}")
        };
        for (a, b) in g.exterior.iter().zip(&w.exterior) {
            assert!(
                (a.x - b.x).abs() < tol_deg && (a.y - b.y).abs() < tol_deg,
                "{a:?} {b:?}"
            );
        }
    }
}

#[test]
fn utm_wkb_comes_back_to_the_original_lon_lat() {
    let lon_lat = clay_polygons();
    let utm = to_utm_3n(&lon_lat);
    // Sanity: the first chip lies west of zone 3's central meridian (165°W), so its easting is
    // below the 500 km false easting; at about 65.8°N its northing is about 7.3 Mm.
    let e = utm[0].exterior[0];
    assert!((400_000.0..500_000.0).contains(&e.x) && (7_100_000.0..7_400_000.0).contains(&e.y));

    let (schema, batch) = wkb_batch(&utm);
    let geo = r#"{"version": "1.1.0", "primary_column": "geom", "columns": {"geom": {
        "encoding": "WKB", "geometry_types": ["Polygon"],
        "crs": {"type": "ProjectedCRS", "name": "WGS 84 / UTM zone 3N",
                "id": {"authority": "EPSG", "code": 32603}}}}}"#;
    let out = read_lon_lat(Some(geo), &schema, &[batch]).unwrap().unwrap();
    assert_eq!(out.declared_crs.epsg_code(), Some(32603));
    assert_eq!(out.interpretation, Interpretation::AsDeclared);
    assert_eq!(out.used_crs, Some(out.declared_crs.clone()));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_same_lon_lat(&out.geometries, &lon_lat, 1e-8);
}

#[test]
fn metres_declared_as_degrees_are_refused() {
    let utm = to_utm_3n(&clay_polygons());
    let (schema, batch) = wkb_batch(&utm);
    let geo = r#"{"version": "1.0.0", "primary_column": "geom", "columns": {"geom": {
        "encoding": "WKB", "crs": "EPSG:4326"}}}"#;
    let out = read_lon_lat(Some(geo), &schema, &[batch]).unwrap().unwrap();
    assert_eq!(out.interpretation, Interpretation::CannotPlace);
    assert_eq!(out.used_crs, None);
    assert!(out.geometries.iter().all(Option::is_none));
    assert!(out.warnings[0].contains("EPSG:4326"), "{:?}", out.warnings);
    assert!(
        out.warnings[0].contains("cannot be placed"),
        "{:?}",
        out.warnings
    );
}

#[test]
fn geoarrow_polygons_in_two_batches() {
    let lon_lat = clay_polygons();
    let fields = Fields::from(vec![
        Field::new("x", DataType::Float64, false),
        Field::new("y", DataType::Float64, false),
    ]);
    let build = |polys: &[Polygon]| -> ArrayRef {
        let point = StructBuilder::new(
            fields.clone(),
            vec![
                Box::new(Float64Builder::new()),
                Box::new(Float64Builder::new()),
            ],
        );
        let mut b = ListBuilder::new(ListBuilder::new(point));
        for p in polys {
            let ring = b.values();
            for c in &p.exterior {
                let pts = ring.values();
                pts.field_builder::<Float64Builder>(0)
                    .unwrap()
                    .append_value(c.x);
                pts.field_builder::<Float64Builder>(1)
                    .unwrap()
                    .append_value(c.y);
                pts.append(true);
            }
            ring.append(true);
            b.append(true);
        }
        Arc::new(b.finish())
    };
    let first = build(&lon_lat[..100]);
    let second = build(&lon_lat[100..]);
    let schema = Arc::new(Schema::new(vec![Field::new(
        "geometry",
        first.data_type().clone(),
        true,
    )]));
    let batches = [
        RecordBatch::try_new(schema.clone(), vec![first]).unwrap(),
        RecordBatch::try_new(schema.clone(), vec![second]).unwrap(),
    ];
    // No `crs` key: the spec's default, OGC:CRS84.
    let geo = r#"{"version": "1.1.0", "primary_column": "geometry",
                  "columns": {"geometry": {"encoding": "polygon", "geometry_types": ["Polygon"]}}}"#;
    let out = read_lon_lat(Some(geo), &schema, &batches).unwrap().unwrap();
    assert_eq!(out.declared_crs, Crs::DefaultCrs84);
    assert_eq!(out.interpretation, Interpretation::AsDeclared);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_same_lon_lat(&out.geometries, &lon_lat, 0.0_f64.next_up());
}

#[test]
fn a_broken_row_in_a_later_batch_is_named_by_its_global_index() {
    let polys = clay_polygons();
    let (schema, good) = wkb_batch(&polys[..3]);
    let mut bad_bytes: Vec<Vec<u8>> = polys[..2].iter().map(polygon_wkb).collect();
    bad_bytes[1].truncate(20);
    let bad = BinaryArray::from_iter_values(bad_bytes.iter().map(Vec::as_slice));
    let bad = RecordBatch::try_new(schema.clone(), vec![Arc::new(bad)]).unwrap();
    let geo = r#"{"primary_column": "geom", "columns": {"geom": {"encoding": "WKB"}}}"#;
    let err = read_lon_lat(Some(geo), &schema, &[good, bad]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("geom") && text.contains("row 4"), "{text}");
}

#[test]
fn metadata_naming_a_missing_column_is_an_error() {
    let (schema, batch) = wkb_batch(&clay_polygons()[..1]);
    let geo = r#"{"primary_column": "footprint", "columns": {"footprint": {"encoding": "WKB"}}}"#;
    let err = read_lon_lat(Some(geo), &schema, &[batch]).unwrap_err();
    assert!(err.to_string().contains("footprint"), "{err}");
    assert!(read_lon_lat(Some("{oops"), &schema, &[]).is_err());
}
