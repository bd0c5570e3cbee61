//! The chip's geometry: plain lon/lat rings, validated once.

use crate::ChipError;

/// Smallest bbox side, in degrees, used around a point or a degenerate outline (~110 m of
/// latitude): Mapbox rejects an empty bbox and a zero-size crop has no zoom.
pub(crate) const MIN_SPAN_DEG: f64 = 0.001;

/// A validated outline in WGS 84 lon/lat degrees: a polygon (exterior ring first, then holes)
/// or a single point.
///
/// Callers pass plain `[lon, lat]` rings so this crate needs no Loupe type; the rings are
/// checked here once (finite, in range, enough vertices) so nothing later can panic on them.
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    rings: Vec<Vec<[f64; 2]>>,
}

/// Per-axis lon/lat bounds: `min_lon` is the smallest longitude of any vertex, independently of
/// latitude (not the lexicographically smallest vertex).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LonLatBox {
    /// West edge, degrees.
    pub min_lon: f64,
    /// South edge, degrees.
    pub min_lat: f64,
    /// East edge, degrees.
    pub max_lon: f64,
    /// North edge, degrees.
    pub max_lat: f64,
}

impl Outline {
    /// Builds an outline from rings of `[lon, lat]`: exterior ring first, holes after; a ring
    /// of one vertex (and nothing else) is a point. Rings are closed if they are not already.
    pub fn from_rings<R: AsRef<[[f64; 2]]>>(rings: &[R]) -> Result<Self, ChipError> {
        let Some(first) = rings.first() else {
            return Err(ChipError::geometry("no rings"));
        };
        for (i, ring) in rings.iter().enumerate() {
            for (j, &[lon, lat]) in ring.as_ref().iter().enumerate() {
                let valid = (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
                if !valid {
                    return Err(ChipError::geometry(format!(
                        "ring {i} vertex {j} ({lon}, {lat}) is not a lon/lat in degrees"
                    )));
                }
            }
        }
        if first.as_ref().len() == 1 {
            if rings.len() > 1 {
                return Err(ChipError::geometry("a point cannot have holes"));
            }
            return Ok(Self {
                rings: vec![first.as_ref().to_vec()],
            });
        }
        let mut out = Vec::with_capacity(rings.len());
        for (i, ring) in rings.iter().enumerate() {
            let mut ring = ring.as_ref().to_vec();
            if ring.first() != ring.last()
                && let Some(&start) = ring.first()
            {
                ring.push(start);
            }
            // A closed ring needs three distinct corners plus the closing vertex.
            if ring.len() < 4 {
                return Err(ChipError::geometry(format!(
                    "ring {i} has {} vertices; a polygon ring needs at least 3",
                    ring.len().saturating_sub(1)
                )));
            }
            out.push(ring);
        }
        Ok(Self { rings: out })
    }

    /// A single point, e.g. a row whose geometry is a location rather than a footprint.
    pub fn point(lon: f64, lat: f64) -> Result<Self, ChipError> {
        Self::from_rings(&[[[lon, lat]]])
    }

    /// True when the outline is one vertex.
    pub fn is_point(&self) -> bool {
        self.rings.len() == 1 && self.rings[0].len() == 1
    }

    /// The rings (closed, exterior first); a point is one ring of one vertex.
    pub fn rings(&self) -> &[Vec<[f64; 2]>] {
        &self.rings
    }

    /// Per-axis bounds of every vertex.
    pub fn bbox(&self) -> LonLatBox {
        let mut b = LonLatBox {
            min_lon: f64::INFINITY,
            min_lat: f64::INFINITY,
            max_lon: f64::NEG_INFINITY,
            max_lat: f64::NEG_INFINITY,
        };
        for &[lon, lat] in self.rings.iter().flatten() {
            b.min_lon = b.min_lon.min(lon);
            b.max_lon = b.max_lon.max(lon);
            b.min_lat = b.min_lat.min(lat);
            b.max_lat = b.max_lat.max(lat);
        }
        b
    }

    /// Bounds widened, where an axis is narrower than [`MIN_SPAN_DEG`], to that span around
    /// its centre (clamped to the valid range).
    pub(crate) fn view_bbox(&self) -> LonLatBox {
        let b = self.bbox();
        let (min_lon, max_lon) = widen(b.min_lon, b.max_lon, -180.0, 180.0);
        let (min_lat, max_lat) = widen(b.min_lat, b.max_lat, -90.0, 90.0);
        LonLatBox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }
    }
}

/// Widens `[lo, hi]` to at least [`MIN_SPAN_DEG`], staying inside `[floor, ceil]`.
fn widen(lo: f64, hi: f64, floor: f64, ceil: f64) -> (f64, f64) {
    if hi - lo >= MIN_SPAN_DEG {
        return (lo, hi);
    }
    let half = MIN_SPAN_DEG / 2.0;
    let mid = f64::midpoint(lo, hi).clamp(floor + half, ceil - half);
    (mid - half, mid + half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_is_per_axis_not_lexicographic() {
        // The lexicographically smallest vertex is (-2, 5) and the largest (3, -4): taking
        // those as corners (the seed notebook's bug) would give an inverted latitude range.
        let o = Outline::from_rings(&[vec![[-2.0, 5.0], [3.0, -4.0], [1.0, 7.0], [-1.0, -6.0]]])
            .unwrap();
        assert_eq!(
            o.bbox(),
            LonLatBox {
                min_lon: -2.0,
                min_lat: -6.0,
                max_lon: 3.0,
                max_lat: 7.0
            }
        );
        // Closed automatically.
        assert_eq!(o.rings()[0].len(), 5);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(Outline::from_rings::<Vec<[f64; 2]>>(&[]).is_err());
        assert!(Outline::from_rings(&[vec![[0.0, 0.0], [1.0, 1.0]]]).is_err());
        assert!(Outline::from_rings(&[vec![[f64::NAN, 0.0]]]).is_err());
        assert!(Outline::from_rings(&[vec![[200.0, 0.0]]]).is_err());
        assert!(Outline::from_rings(&[vec![[0.0, 0.0]], vec![[1.0, 1.0]]]).is_err());
    }

    #[test]
    fn point_gets_a_minimum_view() {
        let p = Outline::point(10.0, 89.9999).unwrap();
        assert!(p.is_point());
        let v = p.view_bbox();
        assert!((v.max_lon - v.min_lon - MIN_SPAN_DEG).abs() < 1e-12);
        assert!(v.max_lat <= 90.0 && v.max_lat - v.min_lat >= MIN_SPAN_DEG - 1e-12);
    }
}
