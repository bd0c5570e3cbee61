//! The pieces of GeoJSON text (RFC 7946) the GeoJSON export is made of: geometries, numbers
//! and strings, appended to a reusable `String` so a feature costs no allocation of its own.
//!
//! Positions are written `[x, y]` in a shortest round-trip form, so parsing the text
//! gives back the very `f64`s that were decoded from WKB. JSON has no NaN or infinity: such a
//! number is written as `null`, and an empty point (which WKB writes as NaN, NaN) as a point
//! with no coordinates, `[]`, as RFC 7946 §3.1 allows.

#![allow(
    clippy::doc_markdown,
    reason = "GeoJSON and GeoParquet are names, not code identifiers"
)]

use std::fmt::Write as _;

use loupe_geo::{Coord, Geometry, Polygon};

/// Appends one geometry object, e.g. `{"type":"Point","coordinates":[1.5,2]}`.
pub(crate) fn push_geometry(out: &mut String, geometry: &Geometry) {
    match geometry {
        Geometry::Point(c) => typed(out, "Point", |o| {
            if c.is_finite() {
                position(o, *c);
            } else {
                o.push_str("[]");
            }
        }),
        Geometry::LineString(cs) => typed(out, "LineString", |o| positions(o, cs)),
        Geometry::Polygon(p) => typed(out, "Polygon", |o| rings(o, p)),
        Geometry::MultiPoint(cs) => typed(out, "MultiPoint", |o| positions(o, cs)),
        Geometry::MultiLineString(lines) => typed(out, "MultiLineString", |o| {
            array(o, lines, |o, line| positions(o, line));
        }),
        Geometry::MultiPolygon(ps) => typed(out, "MultiPolygon", |o| array(o, ps, rings)),
        Geometry::GeometryCollection(gs) => {
            out.push_str(r#"{"type":"GeometryCollection","geometries":"#);
            array(out, gs, push_geometry);
            out.push('}');
        }
    }
}

/// `{"type":"<name>","coordinates":<…>}`.
fn typed(out: &mut String, name: &str, coordinates: impl FnOnce(&mut String)) {
    out.push_str(r#"{"type":""#);
    out.push_str(name);
    out.push_str(r#"","coordinates":"#);
    coordinates(out);
    out.push('}');
}

/// `[a,b,…]`.
fn array<T>(out: &mut String, items: &[T], mut item: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, value) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item(out, value);
    }
    out.push(']');
}

/// A polygon's rings, exterior first; an empty polygon has none.
fn rings(out: &mut String, polygon: &Polygon) {
    if polygon.exterior.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push('[');
    positions(out, &polygon.exterior);
    for hole in &polygon.interiors {
        out.push(',');
        positions(out, hole);
    }
    out.push(']');
}

fn positions(out: &mut String, coords: &[Coord]) {
    array(out, coords, |o, c| position(o, *c));
}

fn position(out: &mut String, c: Coord) {
    out.push('[');
    push_f64(out, c.x);
    out.push(',');
    push_f64(out, c.y);
    out.push(']');
}

/// A JSON number, or `null` for NaN and infinity.
///
/// Rust's debug form is the shortest that round-trips, keeps a `.0` on whole numbers (so
/// pandas still reads a float column as floats) and uses an exponent for very large or small
/// values (`1e-7`): all valid JSON numbers.
pub(crate) fn push_f64(out: &mut String, value: f64) {
    if value.is_finite() {
        // Writing to a String cannot fail.
        let _ = write!(out, "{value:?}");
    } else {
        out.push_str("null");
    }
}

/// A JSON number in `f32`'s own shortest form (`0.1`, not `0.10000000149011612`), or `null`;
/// written as [`push_f64`] writes.
pub(crate) fn push_f32(out: &mut String, value: f32) {
    if value.is_finite() {
        let _ = write!(out, "{value:?}");
    } else {
        out.push_str("null");
    }
}

/// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 §7).
pub(crate) fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(g: &Geometry) -> serde_json::Value {
        let mut out = String::new();
        push_geometry(&mut out, g);
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn geometries_follow_rfc_7946() {
        let square: Vec<Coord> = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.5), (0.0, 0.0)]
            .map(|(x, y)| Coord::new(x, y))
            .to_vec();
        let polygon = Polygon::from_rings(vec![square.clone(), square.clone()]);
        let ring = serde_json::json!([[0.0, 0.0], [1.0, 0.0], [1.0, 1.5], [0.0, 0.0]]);
        assert_eq!(
            json(&Geometry::Polygon(polygon.clone())),
            serde_json::json!({"type": "Polygon", "coordinates": [ring, ring]})
        );
        assert_eq!(
            json(&Geometry::MultiPolygon(vec![polygon, Polygon::default()]))["coordinates"],
            serde_json::json!([[ring, ring], []])
        );
        assert_eq!(
            json(&Geometry::Point(Coord::new(f64::NAN, f64::NAN))),
            serde_json::json!({"type": "Point", "coordinates": []})
        );
        let collection = Geometry::GeometryCollection(vec![
            Geometry::Point(Coord::new(-1.25, 2.0)),
            Geometry::MultiLineString(vec![square.clone()]),
            Geometry::MultiPoint(square),
        ]);
        let value = json(&collection);
        assert_eq!(value["type"], "GeometryCollection");
        assert_eq!(
            value["geometries"][0]["coordinates"],
            serde_json::json!([-1.25, 2.0])
        );
        assert_eq!(value["geometries"][1]["type"], "MultiLineString");
        assert_eq!(value["geometries"][2]["coordinates"], ring);
    }

    #[test]
    fn numbers_round_trip_and_strings_are_escaped() {
        let x = -167.188_030_518_290_05_f64;
        let mut out = String::new();
        push_f64(&mut out, x);
        assert_eq!(out.parse::<f64>().unwrap().to_bits(), x.to_bits());
        out.clear();
        push_f32(&mut out, 0.1);
        assert_eq!(out, "0.1");
        out.clear();
        push_f32(&mut out, f32::NAN);
        push_f64(&mut out, f64::NEG_INFINITY);
        assert_eq!(out, "nullnull");
        out.clear();
        let text = "a \"quoted\" \\ path\nwith\ttabs \u{1} and ü";
        push_string(&mut out, text);
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, text);
    }
}
