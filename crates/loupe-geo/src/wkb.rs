//! Well-Known Binary decoding: ISO WKB (OGC SFA 1.2.1 §8.2, type codes 1–7 plus 1000/2000/3000
//! for Z/M/ZM) and PostGIS EWKB (flag bits 0x8000_0000 Z, 0x4000_0000 M, 0x2000_0000 SRID),
//! either byte order, with every member of a multi-geometry carrying its own byte order.
//!
//! Bytes come straight from a user's file, so every read is bounds-checked and every failure is
//! a [`WkbError`] carrying the byte offset; counts are checked against the bytes left before
//! anything is allocated, so a corrupt count cannot ask for gigabytes.

use crate::geometry::{Coord, Geometry, Polygon};

/// Collections nested deeper than this are refused rather than recursed into.
const MAX_DEPTH: usize = 32;

const EWKB_Z: u32 = 0x8000_0000;
const EWKB_M: u32 = 0x4000_0000;
const EWKB_SRID: u32 = 0x2000_0000;

/// Why a WKB value could not be decoded; `offset` is the byte position inside that value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WkbError {
    /// The value ended before a field that had to be there, or a count announced more
    /// elements than the bytes left could hold (the two are indistinguishable).
    #[error("WKB truncated at byte {offset}: {needed} more bytes needed, {available} left")]
    Truncated {
        /// Where the unreadable field (or the counted elements) starts.
        offset: usize,
        /// Bytes needed from there (a lower bound for counted rings and members).
        needed: usize,
        /// Bytes actually left.
        available: usize,
    },
    /// The byte-order marker was neither 0 (big endian) nor 1 (little endian).
    #[error("WKB byte-order marker at byte {offset} is {value}, expected 0 or 1")]
    BadByteOrder {
        /// Where the marker is.
        offset: usize,
        /// What was found.
        value: u8,
    },
    /// A geometry type code outside the seven Simple Features types (curves, TINs, garbage).
    #[error("WKB geometry type {code} at byte {offset} is not supported")]
    UnsupportedType {
        /// Where the type code is.
        offset: usize,
        /// The code as read (after byte-order correction).
        code: u32,
    },
    /// A multi-geometry held a member of the wrong kind (e.g. a polygon in a `MultiPoint`).
    #[error("WKB {container} at byte {offset} holds a {found}, expected {expected}")]
    WrongMember {
        /// Where the member starts.
        offset: usize,
        /// The multi-geometry's kind.
        container: &'static str,
        /// The member kind it must hold.
        expected: &'static str,
        /// The member kind it held.
        found: &'static str,
    },
    /// Geometry collections nested deeper than the decoder accepts.
    #[error("WKB collections nested deeper than {MAX_DEPTH} at byte {offset}")]
    TooDeep {
        /// Where the too-deep member starts.
        offset: usize,
    },
    /// A complete geometry was followed by extra bytes, which means the value is not what it
    /// claims to be.
    #[error("WKB has {extra} unexpected bytes after the geometry ending at byte {offset}")]
    TrailingBytes {
        /// Where the geometry ended.
        offset: usize,
        /// How many bytes follow.
        extra: usize,
    },
}

/// Decodes one WKB or EWKB value; Z and M ordinates are read and dropped, an EWKB SRID is read
/// and ignored (the column's `crs` metadata is what GeoParquet defines as authoritative).
pub fn parse_wkb(bytes: &[u8]) -> Result<Geometry, WkbError> {
    let mut reader = Reader { bytes, pos: 0 };
    let geometry = reader.geometry(0)?;
    if reader.pos != bytes.len() {
        return Err(WkbError::TrailingBytes {
            offset: reader.pos,
            extra: bytes.len() - reader.pos,
        });
    }
    Ok(geometry)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Point,
    LineString,
    Polygon,
    MultiPoint,
    MultiLineString,
    MultiPolygon,
    Collection,
}

impl Kind {
    fn from_code(base: u32) -> Option<Self> {
        Some(match base {
            1 => Self::Point,
            2 => Self::LineString,
            3 => Self::Polygon,
            4 => Self::MultiPoint,
            5 => Self::MultiLineString,
            6 => Self::MultiPolygon,
            7 => Self::Collection,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Point => "Point",
            Self::LineString => "LineString",
            Self::Polygon => "Polygon",
            Self::MultiPoint => "MultiPoint",
            Self::MultiLineString => "MultiLineString",
            Self::MultiPolygon => "MultiPolygon",
            Self::Collection => "GeometryCollection",
        }
    }
}

/// The header of one (sub-)geometry: how to read its numbers and how many per vertex.
#[derive(Clone, Copy)]
struct Header {
    little_endian: bool,
    kind: Kind,
    ordinates: usize,
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        let slice = self
            .bytes
            .get(self.pos..self.pos + N)
            .ok_or(WkbError::Truncated {
                offset: self.pos,
                needed: N,
                available: self.remaining(),
            })?;
        let mut out = [0; N];
        out.copy_from_slice(slice);
        self.pos += N;
        Ok(out)
    }

    fn u32(&mut self, little_endian: bool) -> Result<u32, WkbError> {
        let b = self.take::<4>()?;
        Ok(if little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little_endian: bool) -> Result<f64, WkbError> {
        let b = self.take::<8>()?;
        Ok(if little_endian {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    fn header(&mut self) -> Result<Header, WkbError> {
        let order_at = self.pos;
        let little_endian = match self.take::<1>()?[0] {
            0 => false,
            1 => true,
            value => {
                return Err(WkbError::BadByteOrder {
                    offset: order_at,
                    value,
                });
            }
        };
        let type_at = self.pos;
        let code = self.u32(little_endian)?;
        let unsupported = WkbError::UnsupportedType {
            offset: type_at,
            code,
        };
        // EWKB puts dimensionality in the top bits; ISO in the thousands of the low part.
        let ewkb_z = code & EWKB_Z != 0;
        let ewkb_m = code & EWKB_M != 0;
        let low = code & 0x0FFF_FFFF;
        let (iso_z, iso_m) = match low / 1000 {
            0 => (false, false),
            1 => (true, false),
            2 => (false, true),
            3 => (true, true),
            _ => return Err(unsupported),
        };
        let kind = Kind::from_code(low % 1000).ok_or(unsupported)?;
        if code & EWKB_SRID != 0 {
            self.u32(little_endian)?;
        }
        let ordinates = 2 + usize::from(ewkb_z || iso_z) + usize::from(ewkb_m || iso_m);
        Ok(Header {
            little_endian,
            kind,
            ordinates,
        })
    }

    /// Reads a count and checks that `count × min_bytes` could still follow, so a corrupt
    /// count fails here instead of driving a huge allocation or a long loop.
    fn count(&mut self, h: Header, min_bytes: usize) -> Result<usize, WkbError> {
        let count = self.u32(h.little_endian)? as usize;
        let needed = count.saturating_mul(min_bytes);
        if needed > self.remaining() {
            return Err(WkbError::Truncated {
                offset: self.pos,
                needed,
                available: self.remaining(),
            });
        }
        Ok(count)
    }

    fn coord(&mut self, h: Header) -> Result<Coord, WkbError> {
        let x = self.f64(h.little_endian)?;
        let y = self.f64(h.little_endian)?;
        for _ in 2..h.ordinates {
            self.f64(h.little_endian)?;
        }
        Ok(Coord::new(x, y))
    }

    fn coords(&mut self, h: Header) -> Result<Vec<Coord>, WkbError> {
        let n = self.count(h, 8 * h.ordinates)?;
        (0..n).map(|_| self.coord(h)).collect()
    }

    fn rings(&mut self, h: Header) -> Result<Vec<Vec<Coord>>, WkbError> {
        let n = self.count(h, 4)?;
        (0..n).map(|_| self.coords(h)).collect()
    }

    /// Reads `count` members that must all be of `expected` kind.
    fn members(
        &mut self,
        h: Header,
        expected: Kind,
        depth: usize,
    ) -> Result<Vec<Geometry>, WkbError> {
        // A member is at least a byte-order marker and a type code.
        let n = self.count(h, 5)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let at = self.pos;
            let member = self.geometry(depth + 1)?;
            let found = kind_of(&member);
            if expected != Kind::Collection && found != expected {
                return Err(WkbError::WrongMember {
                    offset: at,
                    container: h.kind.name(),
                    expected: expected.name(),
                    found: found.name(),
                });
            }
            out.push(member);
        }
        Ok(out)
    }

    fn geometry(&mut self, depth: usize) -> Result<Geometry, WkbError> {
        if depth > MAX_DEPTH {
            return Err(WkbError::TooDeep { offset: self.pos });
        }
        let h = self.header()?;
        Ok(match h.kind {
            Kind::Point => Geometry::Point(self.coord(h)?),
            Kind::LineString => Geometry::LineString(self.coords(h)?),
            Kind::Polygon => Geometry::Polygon(Polygon::from_rings(self.rings(h)?)),
            Kind::MultiPoint => Geometry::MultiPoint(
                self.members(h, Kind::Point, depth)?
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::Point(c) => Some(c),
                        _ => None,
                    })
                    .collect(),
            ),
            Kind::MultiLineString => Geometry::MultiLineString(
                self.members(h, Kind::LineString, depth)?
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::LineString(cs) => Some(cs),
                        _ => None,
                    })
                    .collect(),
            ),
            Kind::MultiPolygon => Geometry::MultiPolygon(
                self.members(h, Kind::Polygon, depth)?
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::Polygon(p) => Some(p),
                        _ => None,
                    })
                    .collect(),
            ),
            Kind::Collection => {
                Geometry::GeometryCollection(self.members(h, Kind::Collection, depth)?)
            }
        })
    }
}

fn kind_of(g: &Geometry) -> Kind {
    match g {
        Geometry::Point(_) => Kind::Point,
        Geometry::LineString(_) => Kind::LineString,
        Geometry::Polygon(_) => Kind::Polygon,
        Geometry::MultiPoint(_) => Kind::MultiPoint,
        Geometry::MultiLineString(_) => Kind::MultiLineString,
        Geometry::MultiPolygon(_) => Kind::MultiPolygon,
        Geometry::GeometryCollection(_) => Kind::Collection,
    }
}

#[cfg(test)]
#[path = "wkb_tests.rs"]
mod tests;
