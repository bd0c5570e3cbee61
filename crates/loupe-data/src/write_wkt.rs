//! WKB → Well-Known Text for CSV exports.
//!
//! A CSV has no binary type, and hex WKB means nothing to a spreadsheet, while WKT is what
//! QGIS's delimited-text layer, PostGIS and `geopandas.GeoSeries.from_wkt` read. Coordinates
//! are written in Rust's shortest round-trip form, so parsing the text gives back the same
//! `f64`s. Only x and y are written: Loupe's decoder keeps two dimensions.

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoPandas, GeoArrow and PostGIS are names, not code identifiers"
)]

use std::fmt::Write as _;

use arrow_array::{Array, StringArray};
use loupe_geo::{Coord, Geometry, Polygon, WkbError, parse_wkb};

use crate::write_geo::for_each_wkb;

/// The WKT of every value of a WKB column (nulls stay null); the first value that does not
/// decode comes back with its row.
pub(crate) fn wkt_column(column: &dyn Array) -> Result<StringArray, (usize, WkbError)> {
    let mut texts: Vec<Option<String>> = vec![None; column.len()];
    for_each_wkb(column, &mut |row, bytes| {
        let geometry = parse_wkb(bytes).map_err(|e| (row, e))?;
        let mut text = String::new();
        write_geometry(&mut text, &geometry);
        texts[row] = Some(text);
        Ok(())
    })?;
    Ok(StringArray::from(texts))
}

/// Appends one geometry's WKT, e.g. `POLYGON ((0 0, 1 0, 1 1, 0 0))`.
pub(crate) fn write_geometry(out: &mut String, geometry: &Geometry) {
    match geometry {
        Geometry::Point(c) if !c.is_finite() => out.push_str("POINT EMPTY"),
        Geometry::Point(c) => {
            out.push_str("POINT (");
            coord(out, *c);
            out.push(')');
        }
        Geometry::LineString(cs) => tagged(out, "LINESTRING", cs.is_empty(), |o| ring(o, cs)),
        Geometry::Polygon(p) => tagged(out, "POLYGON", p.exterior.is_empty(), |o| rings(o, p)),
        Geometry::MultiPoint(cs) => tagged(out, "MULTIPOINT", cs.is_empty(), |o| {
            list(o, cs, |o, c| {
                o.push('(');
                coord(o, *c);
                o.push(')');
            });
        }),
        Geometry::MultiLineString(lines) => {
            tagged(out, "MULTILINESTRING", lines.is_empty(), |o| {
                list(o, lines, |o, l| bracketed(o, |o| ring(o, l)));
            });
        }
        Geometry::MultiPolygon(ps) => tagged(out, "MULTIPOLYGON", ps.is_empty(), |o| {
            list(o, ps, |o, p| bracketed(o, |o| rings(o, p)));
        }),
        Geometry::GeometryCollection(gs) => {
            tagged(out, "GEOMETRYCOLLECTION", gs.is_empty(), |o| {
                list(o, gs, write_geometry);
            });
        }
    }
}

/// `TAG (…)`, or `TAG EMPTY`.
fn tagged(out: &mut String, tag: &str, empty: bool, body: impl FnOnce(&mut String)) {
    out.push_str(tag);
    if empty {
        out.push_str(" EMPTY");
    } else {
        out.push(' ');
        bracketed(out, body);
    }
}

fn bracketed(out: &mut String, body: impl FnOnce(&mut String)) {
    out.push('(');
    body(out);
    out.push(')');
}

/// Items separated by `, `.
fn list<T>(out: &mut String, items: &[T], mut item: impl FnMut(&mut String, &T)) {
    for (i, value) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(out, value);
    }
}

/// A polygon's rings, each bracketed, exterior first.
fn rings(out: &mut String, polygon: &Polygon) {
    bracketed(out, |o| ring(o, &polygon.exterior));
    for hole in &polygon.interiors {
        out.push_str(", ");
        bracketed(out, |o| ring(o, hole));
    }
}

/// Coordinates separated by `, `, without brackets.
fn ring(out: &mut String, coords: &[Coord]) {
    list(out, coords, |o, c| coord(o, *c));
}

fn coord(out: &mut String, c: Coord) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{} {}", c.x, c.y);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wkt(g: &Geometry) -> String {
        let mut out = String::new();
        write_geometry(&mut out, g);
        out
    }

    fn square() -> Vec<Coord> {
        [(0.0, 0.0), (1.0, 0.0), (1.0, 1.5), (0.0, 0.0)]
            .map(|(x, y)| Coord::new(x, y))
            .to_vec()
    }

    #[test]
    fn simple_features_as_text() {
        assert_eq!(
            wkt(&Geometry::Point(Coord::new(-1.25, 2.0))),
            "POINT (-1.25 2)"
        );
        assert_eq!(
            wkt(&Geometry::Point(Coord::new(f64::NAN, f64::NAN))),
            "POINT EMPTY"
        );
        let polygon = Polygon::from_rings(vec![square(), square()]);
        assert_eq!(
            wkt(&Geometry::Polygon(polygon.clone())),
            "POLYGON ((0 0, 1 0, 1 1.5, 0 0), (0 0, 1 0, 1 1.5, 0 0))"
        );
        assert_eq!(
            wkt(&Geometry::MultiPolygon(vec![
                Polygon::from_rings(vec![square()]),
                Polygon::from_rings(vec![square()])
            ])),
            "MULTIPOLYGON (((0 0, 1 0, 1 1.5, 0 0)), ((0 0, 1 0, 1 1.5, 0 0)))"
        );
        assert_eq!(
            wkt(&Geometry::MultiPoint(vec![
                Coord::new(1.0, 2.0),
                Coord::new(3.0, 4.0)
            ])),
            "MULTIPOINT ((1 2), (3 4))"
        );
        assert_eq!(
            wkt(&Geometry::GeometryCollection(vec![
                Geometry::Point(Coord::new(0.0, 1.0)),
                Geometry::LineString(vec![Coord::new(0.0, 0.0), Coord::new(2.0, 2.0)]),
            ])),
            "GEOMETRYCOLLECTION (POINT (0 1), LINESTRING (0 0, 2 2))"
        );
        assert_eq!(wkt(&Geometry::Polygon(Polygon::default())), "POLYGON EMPTY");
        assert_eq!(
            wkt(&Geometry::MultiLineString(Vec::new())),
            "MULTILINESTRING EMPTY"
        );
    }

    #[test]
    fn coordinates_round_trip() {
        let x = -167.188_030_518_290_05_f64;
        let text = wkt(&Geometry::Point(Coord::new(x, 64.841_926_751_318_61)));
        let parsed: f64 = text["POINT (".len()..]
            .split(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN);
        assert_eq!(parsed.to_bits(), x.to_bits());
    }
}
