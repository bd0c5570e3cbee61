//! Well-Known Binary encoding: the inverse of [`parse_wkb`](crate::parse_wkb) for the decoded
//! model, so that geometries converted to longitude/latitude can be stored back in a binary
//! column and exported as GeoParquet.
//!
//! Always ISO WKB (OGC SFA 1.2.1 §8.2), little endian, two dimensions: type codes 1–7 and no
//! SRID. The model keeps only x and y, so that is all there is to write, and little endian is
//! what every GeoParquet writer in practice emits. An empty point is written as NaN, NaN, the
//! convention GEOS, GDAL and Shapely share (WKB has no other way to say "empty point").

use crate::geometry::{Coord, Geometry, Polygon};

/// The byte-order marker for little endian (NDR).
const LITTLE_ENDIAN: u8 = 1;

/// Encodes one geometry as ISO little-endian 2-D WKB.
///
/// Never fails: every [`Geometry`] has a WKB form. Counts beyond `u32::MAX` cannot arise
/// from decoded files (the decoder reads them as `u32`) and are not checked.
pub fn write_wkb(geometry: &Geometry) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(geometry));
    write_geometry(&mut out, geometry);
    out
}

/// Appends one geometry's WKB to `out`, for callers filling one buffer with many values.
pub fn write_wkb_into(out: &mut Vec<u8>, geometry: &Geometry) {
    out.reserve(encoded_len(geometry));
    write_geometry(out, geometry);
}

/// The exact number of bytes [`write_wkb`] produces, so the buffer is allocated once.
fn encoded_len(geometry: &Geometry) -> usize {
    const HEADER: usize = 1 + 4;
    const COUNT: usize = 4;
    const COORD: usize = 16;
    let ring = |r: &[Coord]| COUNT + COORD * r.len();
    let polygon = |p: &Polygon| {
        if is_empty_polygon(p) {
            COUNT
        } else {
            COUNT + ring(&p.exterior) + p.interiors.iter().map(|r| ring(r)).sum::<usize>()
        }
    };
    HEADER
        + match geometry {
            Geometry::Point(_) => COORD,
            Geometry::LineString(cs) => ring(cs),
            Geometry::Polygon(p) => polygon(p),
            Geometry::MultiPoint(cs) => COUNT + cs.len() * (HEADER + COORD),
            Geometry::MultiLineString(lines) => {
                COUNT + lines.iter().map(|l| HEADER + ring(l)).sum::<usize>()
            }
            Geometry::MultiPolygon(ps) => {
                COUNT + ps.iter().map(|p| HEADER + polygon(p)).sum::<usize>()
            }
            Geometry::GeometryCollection(gs) => COUNT + gs.iter().map(encoded_len).sum::<usize>(),
        }
}

/// An empty polygon is written with no rings at all, not one empty exterior ring, which is
/// how the decoder reads it back.
fn is_empty_polygon(p: &Polygon) -> bool {
    p.exterior.is_empty() && p.interiors.is_empty()
}

fn write_geometry(out: &mut Vec<u8>, geometry: &Geometry) {
    match geometry {
        Geometry::Point(c) => {
            header(out, 1);
            coord(out, *c);
        }
        Geometry::LineString(cs) => {
            header(out, 2);
            coords(out, cs);
        }
        Geometry::Polygon(p) => {
            header(out, 3);
            polygon_rings(out, p);
        }
        Geometry::MultiPoint(cs) => {
            header(out, 4);
            count(out, cs.len());
            for c in cs {
                header(out, 1);
                coord(out, *c);
            }
        }
        Geometry::MultiLineString(lines) => {
            header(out, 5);
            count(out, lines.len());
            for line in lines {
                header(out, 2);
                coords(out, line);
            }
        }
        Geometry::MultiPolygon(ps) => {
            header(out, 6);
            count(out, ps.len());
            for p in ps {
                header(out, 3);
                polygon_rings(out, p);
            }
        }
        Geometry::GeometryCollection(gs) => {
            header(out, 7);
            count(out, gs.len());
            for g in gs {
                write_geometry(out, g);
            }
        }
    }
}

fn header(out: &mut Vec<u8>, type_code: u32) {
    out.push(LITTLE_ENDIAN);
    out.extend_from_slice(&type_code.to_le_bytes());
}

fn count(out: &mut Vec<u8>, n: usize) {
    debug_assert!(u32::try_from(n).is_ok(), "WKB counts are 32-bit");
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn coord(out: &mut Vec<u8>, c: Coord) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn coords(out: &mut Vec<u8>, cs: &[Coord]) {
    count(out, cs.len());
    for c in cs {
        coord(out, *c);
    }
}

fn polygon_rings(out: &mut Vec<u8>, p: &Polygon) {
    if is_empty_polygon(p) {
        count(out, 0);
        return;
    }
    count(out, 1 + p.interiors.len());
    coords(out, &p.exterior);
    for ring in &p.interiors {
        coords(out, ring);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_wkb;

    fn ring(x0: f64, y0: f64) -> Vec<Coord> {
        vec![
            Coord::new(x0, y0),
            Coord::new(x0 + 1.0, y0),
            Coord::new(x0 + 1.0, y0 + 1.0),
            Coord::new(x0, y0),
        ]
    }

    fn polygon_with_hole() -> Polygon {
        Polygon::from_rings(vec![ring(0.0, 0.0), ring(0.25, 0.25)])
    }

    /// One example of every geometry type, including empty and nested ones.
    fn every_type() -> Vec<Geometry> {
        vec![
            Geometry::Point(Coord::new(-179.5, 89.25)),
            Geometry::LineString(vec![Coord::new(1.0, 2.0), Coord::new(3.0, -4.5)]),
            Geometry::LineString(Vec::new()),
            Geometry::Polygon(polygon_with_hole()),
            Geometry::Polygon(Polygon::default()),
            Geometry::MultiPoint(vec![Coord::new(0.0, 0.0), Coord::new(1e-9, -1e9)]),
            Geometry::MultiPoint(Vec::new()),
            Geometry::MultiLineString(vec![ring(5.0, 5.0), vec![Coord::new(0.0, 1.0)]]),
            Geometry::MultiPolygon(vec![
                polygon_with_hole(),
                Polygon::from_rings(vec![ring(10.0, 10.0)]),
            ]),
            Geometry::MultiPolygon(Vec::new()),
            Geometry::GeometryCollection(vec![
                Geometry::Point(Coord::new(1.0, 1.0)),
                Geometry::GeometryCollection(vec![Geometry::Polygon(polygon_with_hole())]),
                Geometry::MultiLineString(Vec::new()),
            ]),
            Geometry::GeometryCollection(Vec::new()),
        ]
    }

    #[test]
    fn every_type_round_trips_through_the_decoder() {
        for geometry in every_type() {
            let bytes = write_wkb(&geometry);
            assert_eq!(bytes.len(), encoded_len(&geometry), "{geometry:?}");
            let back = parse_wkb(&bytes).expect("our own WKB decodes");
            assert_eq!(back, geometry);
        }
    }

    #[test]
    fn empty_point_is_nan_nan() {
        let bytes = write_wkb(&Geometry::Point(Coord::new(f64::NAN, f64::NAN)));
        let Ok(Geometry::Point(c)) = parse_wkb(&bytes) else {
            panic!("a point");
        };
        assert!(c.x.is_nan() && c.y.is_nan());
    }

    #[test]
    fn bytes_match_the_iso_layout() {
        let bytes = write_wkb(&Geometry::Point(Coord::new(1.0, 2.0)));
        let mut want = vec![1, 1, 0, 0, 0];
        want.extend_from_slice(&1.0_f64.to_le_bytes());
        want.extend_from_slice(&2.0_f64.to_le_bytes());
        assert_eq!(bytes, want);
        // A polygon with one ring of one vertex: header, 1 ring, 1 vertex, x, y.
        let tiny = write_wkb(&Geometry::Polygon(Polygon::from_rings(vec![vec![
            Coord::new(0.0, 0.0),
        ]])));
        assert_eq!(&tiny[..13], &[1, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(tiny.len(), 13 + 16);
    }

    #[test]
    fn decoded_big_endian_and_z_values_are_rewritten_as_2d_little_endian() {
        // A big-endian Point Z (ISO code 1001): x = 1, y = 2, z = 3.
        let mut big = vec![0, 0, 0, 0x03, 0xE9];
        for v in [1.0_f64, 2.0, 3.0] {
            big.extend_from_slice(&v.to_be_bytes());
        }
        let decoded = parse_wkb(&big).expect("valid");
        let rewritten = write_wkb(&decoded);
        assert_eq!(rewritten[0..5], [1, 1, 0, 0, 0]);
        assert_eq!(parse_wkb(&rewritten).expect("valid"), decoded);
    }

    #[test]
    fn appending_many_values_to_one_buffer() {
        let mut out = Vec::new();
        let all = every_type();
        let mut ends = Vec::new();
        for g in &all {
            write_wkb_into(&mut out, g);
            ends.push(out.len());
        }
        let mut start = 0;
        for (g, end) in all.iter().zip(ends) {
            assert_eq!(&parse_wkb(&out[start..end]).expect("valid"), g);
            start = end;
        }
    }
}
