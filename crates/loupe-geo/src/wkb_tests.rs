//! WKB decoder tests: every geometry type in both byte orders, Z/M/ZM, EWKB, and bad bytes.

use super::*;

/// Writes WKB by hand, one field at a time, in the chosen byte order.
struct W {
    le: bool,
    buf: Vec<u8>,
}

impl W {
    fn new(le: bool) -> Self {
        Self {
            le,
            buf: Vec::new(),
        }
    }
    fn header(&mut self, code: u32) -> &mut Self {
        self.buf.push(u8::from(self.le));
        self.u32(code)
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        let b = if self.le {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        };
        self.buf.extend_from_slice(&b);
        self
    }
    fn f64s(&mut self, vs: &[f64]) -> &mut Self {
        for v in vs {
            let b = if self.le {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            };
            self.buf.extend_from_slice(&b);
        }
        self
    }
    fn bytes(&self) -> Vec<u8> {
        self.buf.clone()
    }
}

fn c(x: f64, y: f64) -> Coord {
    Coord::new(x, y)
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn point_literal_bytes_both_orders() {
    // POINT (1 2): little endian, then big endian, written out byte by byte.
    let le = hex("0101000000000000000000F03F0000000000000040");
    let be = hex("00000000013FF00000000000004000000000000000");
    assert_eq!(parse_wkb(&le).unwrap(), Geometry::Point(c(1.0, 2.0)));
    assert_eq!(parse_wkb(&be).unwrap(), Geometry::Point(c(1.0, 2.0)));
}

#[test]
fn every_type_in_both_byte_orders() {
    for le in [true, false] {
        let line = W::new(le)
            .header(2)
            .u32(2)
            .f64s(&[0.0, 1.0, 2.0, 3.0])
            .bytes();
        assert_eq!(
            parse_wkb(&line).unwrap(),
            Geometry::LineString(vec![c(0.0, 1.0), c(2.0, 3.0)])
        );

        let poly_bytes = W::new(le)
            .header(3)
            .u32(2)
            .u32(4)
            .f64s(&[0.0, 0.0, 4.0, 0.0, 0.0, 4.0, 0.0, 0.0])
            .u32(4)
            .f64s(&[1.0, 1.0, 2.0, 1.0, 1.0, 2.0, 1.0, 1.0])
            .bytes();
        let Geometry::Polygon(poly) = parse_wkb(&poly_bytes).unwrap() else {
            panic!("not a polygon")
        };
        assert_eq!(poly.exterior.len(), 4);
        assert_eq!(poly.interiors.len(), 1);
        assert_eq!(poly.interiors[0][1], c(2.0, 1.0));

        // Members deliberately use the *other* byte order: each carries its own marker.
        let mut multi_point = W::new(le);
        multi_point.header(4).u32(2);
        let mut inner = W::new(!le);
        inner
            .header(1)
            .f64s(&[5.0, 6.0])
            .header(1)
            .f64s(&[7.0, 8.0]);
        multi_point.buf.extend_from_slice(&inner.buf);
        assert_eq!(
            parse_wkb(&multi_point.bytes()).unwrap(),
            Geometry::MultiPoint(vec![c(5.0, 6.0), c(7.0, 8.0)])
        );

        let multi_line = W::new(le)
            .header(5)
            .u32(1)
            .header(2)
            .u32(2)
            .f64s(&[0.0, 0.0, 1.0, 1.0])
            .bytes();
        assert_eq!(
            parse_wkb(&multi_line).unwrap(),
            Geometry::MultiLineString(vec![vec![c(0.0, 0.0), c(1.0, 1.0)]])
        );

        let mut multi_poly = W::new(le);
        multi_poly.header(6).u32(2);
        for x0 in [0.0, 10.0] {
            multi_poly
                .header(3)
                .u32(1)
                .u32(4)
                .f64s(&[x0, 0.0, x0 + 1.0, 0.0, x0, 1.0, x0, 0.0]);
        }
        let Geometry::MultiPolygon(polys) = parse_wkb(&multi_poly.bytes()).unwrap() else {
            panic!("not a multipolygon")
        };
        assert_eq!(polys.len(), 2);
        assert_eq!(polys[1].exterior[0], c(10.0, 0.0));

        let collection = W::new(le)
            .header(7)
            .u32(2)
            .header(1)
            .f64s(&[1.0, 1.0])
            .header(7)
            .u32(1)
            .header(2)
            .u32(2)
            .f64s(&[0.0, 0.0, 3.0, 3.0])
            .bytes();
        assert_eq!(
            parse_wkb(&collection).unwrap(),
            Geometry::GeometryCollection(vec![
                Geometry::Point(c(1.0, 1.0)),
                Geometry::GeometryCollection(vec![Geometry::LineString(vec![
                    c(0.0, 0.0),
                    c(3.0, 3.0)
                ])]),
            ])
        );
    }
}

#[test]
fn iso_z_m_zm_drop_extra_ordinates() {
    for (code, n) in [(1001, 3), (2001, 3), (3001, 4)] {
        let vals = [1.5, 2.5, 99.0, -7.0];
        let b = W::new(true).header(code).f64s(&vals[..n]).bytes();
        assert_eq!(
            parse_wkb(&b).unwrap(),
            Geometry::Point(c(1.5, 2.5)),
            "{code}"
        );
    }
    // A polygon Z (1003) in big endian: the third ordinate must not leak into y.
    let b = W::new(false)
        .header(1003)
        .u32(1)
        .u32(3)
        .f64s(&[0.0, 0.0, 9.0, 1.0, 0.0, 9.0, 0.0, 1.0, 9.0])
        .bytes();
    let Geometry::Polygon(p) = parse_wkb(&b).unwrap() else {
        panic!("not a polygon")
    };
    assert_eq!(p.exterior, vec![c(0.0, 0.0), c(1.0, 0.0), c(0.0, 1.0)]);
}

#[test]
fn ewkb_flags_and_srid() {
    // EWKB point Z with an SRID of 4326: flags Z | SRID on type 1.
    let b = W::new(true)
        .header(0xA000_0001)
        .u32(4326)
        .f64s(&[3.0, 4.0, 5.0])
        .bytes();
    assert_eq!(parse_wkb(&b).unwrap(), Geometry::Point(c(3.0, 4.0)));
    // EWKB linestring ZM, big endian.
    let b = W::new(false)
        .header(0xC000_0002)
        .u32(1)
        .f64s(&[1.0, 2.0, 3.0, 4.0])
        .bytes();
    assert_eq!(
        parse_wkb(&b).unwrap(),
        Geometry::LineString(vec![c(1.0, 2.0)])
    );
}

#[test]
fn truncated_bytes_report_the_offset() {
    let full = W::new(true)
        .header(3)
        .u32(1)
        .u32(4)
        .f64s(&[0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
        .bytes();
    // Cut inside the third vertex: header 5 + ring count 4 + point count 4 + 2×16 + 3 bytes.
    // The point count (at 9) promised 4 × 16 bytes from byte 13; only 35 are left.
    let cut = &full[..5 + 4 + 4 + 32 + 3];
    assert_eq!(
        parse_wkb(cut),
        Err(WkbError::Truncated {
            offset: 13,
            needed: 64,
            available: 35
        })
    );
    // A point cut inside its y ordinate: the offset is where y starts.
    let point = W::new(false).header(1).f64s(&[1.0, 2.0]).bytes();
    assert_eq!(
        parse_wkb(&point[..16]),
        Err(WkbError::Truncated {
            offset: 13,
            needed: 8,
            available: 3
        })
    );
    assert!(matches!(
        parse_wkb(&[]),
        Err(WkbError::Truncated { offset: 0, .. })
    ));
    assert!(matches!(
        parse_wkb(&[1, 1, 0]),
        Err(WkbError::Truncated { offset: 1, .. })
    ));
}

#[test]
fn garbage_is_a_typed_error() {
    assert_eq!(
        parse_wkb(&[7, 1, 0, 0, 0]),
        Err(WkbError::BadByteOrder {
            offset: 0,
            value: 7
        })
    );
    // CircularString (8) is a real WKB type, but not one GeoParquet allows.
    let curve = W::new(true).header(8).u32(0).bytes();
    assert_eq!(
        parse_wkb(&curve),
        Err(WkbError::UnsupportedType { offset: 1, code: 8 })
    );
    // A count that could never fit must fail before allocating.
    let huge = W::new(true).header(2).u32(u32::MAX).bytes();
    assert!(matches!(
        parse_wkb(&huge),
        Err(WkbError::Truncated {
            offset: 9,
            available: 0,
            ..
        })
    ));
    let mut extra = W::new(true).header(1).f64s(&[0.0, 0.0]).bytes();
    extra.push(0);
    assert_eq!(
        parse_wkb(&extra),
        Err(WkbError::TrailingBytes {
            offset: 21,
            extra: 1
        })
    );
    let wrong = W::new(true).header(4).u32(1).header(2).u32(0).bytes();
    assert!(matches!(
        parse_wkb(&wrong),
        Err(WkbError::WrongMember {
            offset: 9,
            found: "LineString",
            ..
        })
    ));
}

#[test]
fn deep_nesting_is_refused() {
    let mut w = W::new(true);
    for _ in 0..40 {
        w.header(7).u32(1);
    }
    w.header(1).f64s(&[0.0, 0.0]);
    assert!(matches!(
        parse_wkb(&w.bytes()),
        Err(WkbError::TooDeep { .. })
    ));
}

#[test]
fn empty_point_is_nan() {
    let b = W::new(true).header(1).f64s(&[f64::NAN, f64::NAN]).bytes();
    let g = parse_wkb(&b).unwrap();
    assert_eq!(g.bbox(), None);
}
