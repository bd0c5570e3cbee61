//! Reprojection against published values and closed-form formulas.

use super::*;

fn epsg(code: u32) -> Crs {
    Crs::Code {
        authority: "EPSG".into(),
        code: code.to_string(),
        name: None,
    }
}

fn to_lon_lat(crs: &Crs, x: f64, y: f64) -> Coord {
    let r = Reprojector::for_crs(crs).unwrap();
    let mut c = [Coord::new(x, y)];
    assert_eq!(r.transform_coords(&mut c), 0, "{crs}: {x} {y} failed");
    c[0]
}

fn assert_close(got: Coord, lon: f64, lat: f64, tol: f64) {
    assert!(
        (got.x - lon).abs() <= tol && (got.y - lat).abs() <= tol,
        "got ({}, {}), want ({lon}, {lat}) ± {tol}",
        got.x,
        got.y
    );
}

#[test]
fn wgs84_lon_lat_is_identity() {
    for crs in [Crs::DefaultCrs84, Crs::crs84(), epsg(4326)] {
        let r = Reprojector::for_crs(&crs).unwrap();
        assert!(r.is_identity() && r.source_is_geographic());
        // EPSG:4326 stays x = lon, y = lat: GeoParquet overrides its lat-first axis order.
        assert_eq!(to_lon_lat(&crs, -165.5, 65.25), Coord::new(-165.5, 65.25));
    }
}

#[test]
fn utm_central_meridian_on_the_equator() {
    // Zone 33 has central meridian 15°E; the false easting is 500 000 m.
    assert_close(to_lon_lat(&epsg(32633), 500_000.0, 0.0), 15.0, 0.0, 1e-9);
    // Southern zones add a 10 000 km false northing.
    assert_close(
        to_lon_lat(&epsg(32733), 500_000.0, 10_000_000.0),
        15.0,
        0.0,
        1e-9,
    );
    assert!(
        !Reprojector::for_crs(&epsg(32633))
            .unwrap()
            .source_is_geographic()
    );
}

#[test]
fn utm_published_points() {
    // PROJ's own test points (docs/source/apps/gie.rst, `proj=utm zone=32 ellps=GRS80`):
    // 12°E 55°N → 691875.63214, 6098907.82501 and 12°E 56°N → 687071.4391, 6210141.3267.
    // GRS80 and WGS 84 differ by far less than these printed digits.
    assert_close(
        to_lon_lat(&epsg(32632), 691_875.632_14, 6_098_907.825_01),
        12.0,
        55.0,
        1e-6,
    );
    assert_close(
        to_lon_lat(&epsg(32632), 687_071.439_1, 6_210_141.326_7),
        12.0,
        56.0,
        1e-6,
    );
}

#[test]
fn utm_zone_3_covers_the_clay_tile() {
    // MGRS 03W lies in UTM zone 3N (168°W–162°W): the central meridian is 165°W.
    let c = to_lon_lat(&epsg(32603), 500_000.0, 7_250_000.0);
    assert!((c.x + 165.0).abs() < 1e-9, "{c:?}");
    assert!((65.0..66.0).contains(&c.y), "{c:?}");
}

#[test]
fn web_mercator_matches_the_closed_form() {
    // EPSG:3857 is the spherical Mercator on R = 6 378 137 m: x = Rλ, y = R ln tan(π/4 + φ/2).
    const R: f64 = 6_378_137.0;
    let crs = epsg(3857);
    for (lon, lat) in [
        (0.0, 0.0),
        (-48.3292, -10.1862),
        (151.2, -33.87),
        (179.9, 85.0),
    ] {
        let x = R * f64::to_radians(lon);
        let y = R
            * (std::f64::consts::FRAC_PI_4 + f64::to_radians(lat) / 2.0)
                .tan()
                .ln();
        assert_close(to_lon_lat(&crs, x, y), lon, lat, 1e-9);
    }
    // The square world's corner.
    assert_close(
        to_lon_lat(&crs, 20_037_508.342_789_244, 20_037_508.342_789_244),
        180.0,
        85.051_128_779_806_59,
        1e-9,
    );
    // The old aliases and the PROJJSON name reach the same projection.
    for alias in [
        epsg(900_913),
        Crs::Code {
            authority: "ESRI".into(),
            code: "102100".into(),
            name: None,
        },
        Crs::Named {
            name: "WGS 84 / Pseudo-Mercator".into(),
        },
    ] {
        assert_close(to_lon_lat(&alias, 0.0, 0.0), 0.0, 0.0, 1e-12);
    }
}

#[test]
fn names_without_codes_resolve_utm() {
    let named = Crs::Named {
        name: "WGS 84 / UTM zone 33N".into(),
    };
    assert_close(to_lon_lat(&named, 500_000.0, 0.0), 15.0, 0.0, 1e-9);
    let south = Crs::Named {
        name: "WGS 84 / UTM zone 21S".into(),
    };
    assert_close(
        to_lon_lat(&south, 500_000.0, 10_000_000.0),
        -57.0,
        0.0,
        1e-9,
    );
}

#[test]
fn other_epsg_codes_come_from_the_table() {
    // EPSG:4269 (NAD83) is geographic: degrees in, degrees out, no datum shift in proj4.
    let r = Reprojector::for_crs(&epsg(4269)).unwrap();
    assert!(!r.is_identity() && r.source_is_geographic());
    assert_close(to_lon_lat(&epsg(4269), -100.0, 40.0), -100.0, 40.0, 1e-9);
    // EPSG:2154 (RGF93 / Lambert-93): its origin projects to 3°E, 46.5°N.
    assert_close(
        to_lon_lat(&epsg(2154), 700_000.0, 6_600_000.0),
        3.0,
        46.5,
        1e-7,
    );
}

#[test]
fn unknown_crs_is_a_typed_error() {
    assert!(matches!(
        Reprojector::for_crs(&Crs::Unknown),
        Err(CrsError::Unsupported { .. })
    ));
    assert!(matches!(
        Reprojector::for_crs(&epsg(99_999)),
        Err(CrsError::Unsupported { .. })
    ));
    let err = Reprojector::for_crs(&Crs::Named {
        name: "My grid".into(),
    })
    .unwrap_err();
    assert!(err.to_string().contains("My grid"), "{err}");
}

#[test]
fn custom_proj4_strings() {
    let r = Reprojector::from_proj4("+proj=utm +zone=33 +datum=WGS84").unwrap();
    let mut c = [Coord::new(500_000.0, 0.0)];
    assert_eq!(r.transform_coords(&mut c), 0);
    assert_close(c[0], 15.0, 0.0, 1e-9);
    let err = Reprojector::from_proj4("+proj=nonsense").unwrap_err();
    assert!(matches!(err, CrsError::Definition { .. }), "{err}");
}

#[test]
fn impossible_coordinates_become_nan_and_are_counted() {
    let r = Reprojector::for_crs(&epsg(3857)).unwrap();
    let mut c = [
        Coord::new(0.0, 0.0),
        Coord::new(f64::NAN, 1.0),
        Coord::new(f64::INFINITY, 0.0),
    ];
    assert_eq!(r.transform_coords(&mut c), 2);
    assert!(c[0].is_finite() && !c[1].is_finite() && !c[2].is_finite());
    let identity = Reprojector::for_crs(&Crs::DefaultCrs84).unwrap();
    let mut off_globe = [Coord::new(10.0, 95.0)];
    assert_eq!(identity.transform_coords(&mut off_globe), 1);
}

#[test]
fn geometries_are_reprojected_in_place() {
    let r = Reprojector::for_crs(&epsg(32633)).unwrap();
    let mut gs = vec![
        Some(Geometry::Point(Coord::new(500_000.0, 0.0))),
        None,
        Some(Geometry::LineString(vec![Coord::new(500_000.0, 0.0); 3])),
    ];
    assert_eq!(r.transform_geometries(&mut gs), 0);
    let Some(Geometry::LineString(line)) = &gs[2] else {
        panic!()
    };
    assert_close(line[2], 15.0, 0.0, 1e-9);
}

#[test]
fn reprojector_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Reprojector>();
}
