//! The plausibility rules on hand-made extents and geometries.

use super::*;
use crate::geometry::{Coord, Polygon};

fn epsg(code: u32) -> Crs {
    Crs::Code {
        authority: "EPSG".into(),
        code: code.to_string(),
        name: Some("test CRS".into()),
    }
}

fn bbox(min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> BBox {
    BBox {
        min_x,
        min_y,
        max_x,
        max_y,
    }
}

fn square(x0: f64, y0: f64, side: f64) -> Geometry {
    Geometry::Polygon(Polygon::from_rings(vec![vec![
        Coord::new(x0, y0),
        Coord::new(x0 + side, y0),
        Coord::new(x0 + side, y0 + side),
        Coord::new(x0, y0 + side),
        Coord::new(x0, y0),
    ]]))
}

#[test]
fn projected_crs_holding_degrees_is_read_as_degrees() {
    let a = assess_extent(
        &epsg(3857),
        CrsKind::Projected,
        Some(bbox(-48.33, -10.19, -48.32, -10.18)),
        "",
    );
    assert_eq!(a.interpretation, Interpretation::LonLatDegrees);
    let w = a.warning.unwrap();
    assert!(
        w.contains("EPSG:3857") && w.contains("longitude/latitude degrees"),
        "{w}"
    );
}

#[test]
fn projected_crs_with_metres_is_believed() {
    let a = assess_extent(
        &epsg(32633),
        CrsKind::Projected,
        Some(bbox(400_000.0, 5_000_000.0, 410_000.0, 5_010_000.0)),
        "",
    );
    assert_eq!(
        a,
        Assessment {
            interpretation: Interpretation::AsDeclared,
            warning: None
        }
    );
}

#[test]
fn geographic_crs_out_of_range_cannot_be_placed() {
    let a = assess_extent(
        &Crs::DefaultCrs84,
        CrsKind::Geographic,
        Some(bbox(400_000.0, 0.0, 500_000.0, 10.0)),
        "",
    );
    assert_eq!(a.interpretation, Interpretation::CannotPlace);
    assert!(a.warning.unwrap().contains("OGC:CRS84"));
    let lat = assess_extent(
        &epsg(4326),
        CrsKind::Geographic,
        Some(bbox(0.0, 0.0, 10.0, 95.0)),
        "",
    );
    assert_eq!(lat.interpretation, Interpretation::CannotPlace);
    // 0–360° longitudes are unusual but real.
    let wide = assess_extent(
        &epsg(4326),
        CrsKind::Geographic,
        Some(bbox(190.0, 0.0, 350.0, 10.0)),
        "",
    );
    assert_eq!(wide.interpretation, Interpretation::AsDeclared);
}

#[test]
fn unusable_crs_falls_back_on_the_extent() {
    let degrees = assess_extent(
        &Crs::Unknown,
        CrsKind::Unusable,
        Some(bbox(1.0, 2.0, 3.0, 4.0)),
        "why",
    );
    assert_eq!(degrees.interpretation, Interpretation::LonLatDegrees);
    assert!(degrees.warning.unwrap().contains("undefined CRS"));
    let metres = assess_extent(
        &Crs::Unknown,
        CrsKind::Unusable,
        Some(bbox(1e5, 2e6, 2e5, 3e6)),
        "why",
    );
    assert_eq!(metres.interpretation, Interpretation::CannotPlace);
    let empty = assess_extent(&Crs::Unknown, CrsKind::Unusable, None, "why");
    assert_eq!(empty.interpretation, Interpretation::CannotPlace);
    let fine = assess_extent(&epsg(4326), CrsKind::Geographic, None, "");
    assert_eq!(
        fine,
        Assessment {
            interpretation: Interpretation::AsDeclared,
            warning: None
        }
    );
}

#[test]
fn place_reprojects_utm_and_reports_crs() {
    let mut gs = vec![Some(square(500_000.0, 0.0, 1000.0)), None];
    let p = place_in_lon_lat(&epsg(32633), &mut gs);
    assert_eq!(p.interpretation, Interpretation::AsDeclared);
    assert_eq!(p.used_crs, Some(epsg(32633)));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(
        p.source_extent.map(|b| b.min_x.to_bits()),
        Some(500_000.0_f64.to_bits())
    );
    let c = gs[0].as_ref().unwrap().representative_point().unwrap();
    assert!(
        (c.x - 15.0045).abs() < 1e-3 && (c.y - 0.0045).abs() < 1e-3,
        "{c:?}"
    );
    assert!(gs[1].is_none());
}

#[test]
fn place_mislabelled_degrees_keeps_them() {
    let mut gs = vec![Some(square(-48.33, -10.19, 0.01))];
    let p = place_in_lon_lat(&epsg(3857), &mut gs);
    assert_eq!(p.interpretation, Interpretation::LonLatDegrees);
    assert_eq!(p.used_crs, Some(Crs::crs84()));
    assert_eq!(p.warnings.len(), 1);
    let b = gs[0].as_ref().unwrap().bbox().unwrap();
    assert_eq!(b.min_x.to_bits(), (-48.33_f64).to_bits());
}

#[test]
fn place_never_keeps_unplaceable_geometries() {
    let mut gs = vec![Some(square(1e6, 1e6, 10.0)), Some(square(2e6, 1e6, 10.0))];
    let p = place_in_lon_lat(&Crs::Unknown, &mut gs);
    assert_eq!(p.interpretation, Interpretation::CannotPlace);
    assert_eq!(p.used_crs, None);
    assert!(gs.iter().all(Option::is_none));
    assert!(p.warnings[0].contains("undefined"), "{:?}", p.warnings);
}

#[test]
fn place_drops_only_the_geometries_that_fail() {
    // Web Mercator y beyond the square world converts to |lat| < 90 still, but an infinite
    // coordinate cannot convert at all.
    let mut gs = vec![
        Some(square(1_000_000.0, 1_000_000.0, 10.0)),
        Some(Geometry::Point(Coord::new(f64::INFINITY, 2_000_000.0))),
    ];
    let p = place_in_lon_lat(&epsg(3857), &mut gs);
    assert_eq!(p.interpretation, Interpretation::AsDeclared);
    assert!(gs[0].is_some() && gs[1].is_none());
    assert!(p.warnings[0].contains("1 of 2"), "{:?}", p.warnings);
}
