//! The decoded geometry model and the few measurements the app needs from it.
//!
//! Only x and y survive decoding: Loupe places chips on a 2-D map, so Z and M ordinates are
//! read past and dropped by the decoders rather than stored.

/// One 2-D position.
///
/// Kept as a plain pair of `f64` (not a generic point type) so that millions of vertices stay
/// in flat vectors and the reprojector can rewrite them in place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coord {
    /// Easting or longitude (GeoParquet always stores x first, whatever the CRS's axis order).
    pub x: f64,
    /// Northing or latitude.
    pub y: f64,
}

impl Coord {
    /// Builds a coordinate; a named constructor reads better in tests and decoders.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// Whether both ordinates are finite; WKB writes an empty point as NaN, NaN.
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// A polygon: one exterior ring and any number of holes.
///
/// Rings are stored closed or open exactly as the file had them; nothing here relies on the
/// closing vertex.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Polygon {
    /// The outer boundary; empty for an empty polygon.
    pub exterior: Vec<Coord>,
    /// Holes, kept so that a later renderer can cut them out.
    pub interiors: Vec<Vec<Coord>>,
}

impl Polygon {
    /// Builds a polygon from rings in WKB/GeoArrow order (exterior first); no rings means an
    /// empty polygon.
    pub fn from_rings(mut rings: Vec<Vec<Coord>>) -> Self {
        if rings.is_empty() {
            return Self::default();
        }
        let exterior = rings.remove(0);
        Self {
            exterior,
            interiors: rings,
        }
    }

    fn coords_mut(&mut self) -> impl Iterator<Item = &mut Coord> {
        self.exterior
            .iter_mut()
            .chain(self.interiors.iter_mut().flatten())
    }

    fn coords(&self) -> impl Iterator<Item = &Coord> {
        self.exterior.iter().chain(self.interiors.iter().flatten())
    }
}

/// A Simple Features geometry as found in GeoParquet files (OGC SFA types 1–7).
#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    /// A single position; an empty WKB point decodes to NaN coordinates.
    Point(Coord),
    /// An open or closed path.
    LineString(Vec<Coord>),
    /// A polygon with holes.
    Polygon(Polygon),
    /// Several positions.
    MultiPoint(Vec<Coord>),
    /// Several paths.
    MultiLineString(Vec<Vec<Coord>>),
    /// Several polygons (e.g. a chip split at the antimeridian).
    MultiPolygon(Vec<Polygon>),
    /// A mixed bag; may nest.
    GeometryCollection(Vec<Geometry>),
}

/// An axis-aligned box in whatever units the coordinates have.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    /// Smallest x.
    pub min_x: f64,
    /// Smallest y.
    pub min_y: f64,
    /// Largest x.
    pub max_x: f64,
    /// Largest y.
    pub max_y: f64,
}

impl BBox {
    /// The box around one coordinate.
    pub fn from_coord(c: Coord) -> Self {
        Self {
            min_x: c.x,
            min_y: c.y,
            max_x: c.x,
            max_y: c.y,
        }
    }

    /// Grows the box to contain `c`.
    pub fn extend(&mut self, c: Coord) {
        self.min_x = self.min_x.min(c.x);
        self.min_y = self.min_y.min(c.y);
        self.max_x = self.max_x.max(c.x);
        self.max_y = self.max_y.max(c.y);
    }

    /// The smallest box containing both.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self {
            min_x: self.min_x.min(other.min_x),
            min_y: self.min_y.min(other.min_y),
            max_x: self.max_x.max(other.max_x),
            max_y: self.max_y.max(other.max_y),
        }
    }

    /// The box around every finite coordinate; `None` when there is none.
    pub fn around(coords: impl IntoIterator<Item = Coord>) -> Option<Self> {
        coords
            .into_iter()
            .filter(|c| c.is_finite())
            .fold(None, |acc: Option<Self>, c| match acc {
                None => Some(Self::from_coord(c)),
                Some(mut b) => {
                    b.extend(c);
                    Some(b)
                }
            })
    }

    /// The box around several geometries (nulls skipped): the extent the plausibility check
    /// looks at.
    pub fn around_geometries<'a>(
        geometries: impl IntoIterator<Item = &'a Option<Geometry>>,
    ) -> Option<Self> {
        geometries
            .into_iter()
            .flatten()
            .filter_map(Geometry::bbox)
            .reduce(Self::union)
    }
}

impl Geometry {
    /// Calls `f` on every vertex, in storage order; the reprojector rewrites coordinates
    /// through this so no copy of the data is made.
    pub fn for_each_coord_mut(&mut self, f: &mut impl FnMut(&mut Coord)) {
        match self {
            Self::Point(c) => f(c),
            Self::LineString(cs) | Self::MultiPoint(cs) => cs.iter_mut().for_each(f),
            Self::Polygon(p) => p.coords_mut().for_each(f),
            Self::MultiLineString(lines) => lines.iter_mut().flatten().for_each(f),
            Self::MultiPolygon(ps) => ps.iter_mut().flat_map(Polygon::coords_mut).for_each(f),
            Self::GeometryCollection(gs) => gs.iter_mut().for_each(|g| g.for_each_coord_mut(f)),
        }
    }

    /// Calls `f` on every vertex, in storage order.
    pub fn for_each_coord(&self, f: &mut impl FnMut(Coord)) {
        match self {
            Self::Point(c) => f(*c),
            Self::LineString(cs) | Self::MultiPoint(cs) => cs.iter().copied().for_each(f),
            Self::Polygon(p) => p.coords().copied().for_each(f),
            Self::MultiLineString(lines) => lines.iter().flatten().copied().for_each(f),
            Self::MultiPolygon(ps) => ps.iter().flat_map(Polygon::coords).copied().for_each(f),
            Self::GeometryCollection(gs) => gs.iter().for_each(|g| g.for_each_coord(f)),
        }
    }

    /// How many vertices the geometry stores (including non-finite ones).
    pub fn vertex_count(&self) -> usize {
        let mut n = 0;
        self.for_each_coord(&mut |_| n += 1);
        n
    }

    /// The box around the finite vertices; `None` for an empty geometry.
    pub fn bbox(&self) -> Option<BBox> {
        let mut bbox: Option<BBox> = None;
        self.for_each_coord(&mut |c| {
            if c.is_finite() {
                match &mut bbox {
                    None => bbox = Some(BBox::from_coord(c)),
                    Some(b) => b.extend(c),
                }
            }
        });
        bbox
    }

    /// One point that stands for the geometry on a scatter map: the area centroid of the
    /// exterior ring(s) for polygons, the mean of the vertices otherwise.
    ///
    /// Holes are ignored on purpose: a chip footprint's hole never moves where the chip is.
    /// Degenerate rings (zero area) fall back to the vertex mean. `None` when empty.
    pub fn representative_point(&self) -> Option<Coord> {
        match self {
            Self::Point(c) => c.is_finite().then_some(*c),
            Self::LineString(cs) | Self::MultiPoint(cs) => mean(cs.iter().copied()),
            Self::MultiLineString(lines) => mean(lines.iter().flatten().copied()),
            Self::Polygon(p) => ring_centroid(&p.exterior).or_else(|| mean(p.exterior.clone())),
            Self::MultiPolygon(ps) => rings_centroid(ps.iter().map(|p| p.exterior.as_slice())),
            Self::GeometryCollection(gs) => {
                mean(gs.iter().filter_map(Geometry::representative_point))
            }
        }
    }

    /// The exterior rings of every polygon inside, for drawing a footprint outline.
    ///
    /// Lines and points have no outline and contribute nothing.
    pub fn exterior_rings(&self) -> Vec<&[Coord]> {
        let mut rings = Vec::new();
        self.collect_exteriors(&mut rings);
        rings
    }

    fn collect_exteriors<'a>(&'a self, out: &mut Vec<&'a [Coord]>) {
        match self {
            Self::Polygon(p) => out.push(&p.exterior),
            Self::MultiPolygon(ps) => out.extend(ps.iter().map(|p| p.exterior.as_slice())),
            Self::GeometryCollection(gs) => gs.iter().for_each(|g| g.collect_exteriors(out)),
            Self::Point(_)
            | Self::LineString(_)
            | Self::MultiPoint(_)
            | Self::MultiLineString(_) => {}
        }
    }
}

/// Mean of the finite coordinates.
fn mean(coords: impl IntoIterator<Item = Coord>) -> Option<Coord> {
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0usize);
    for c in coords.into_iter().filter(|c| c.is_finite()) {
        sx += c.x;
        sy += c.y;
        n += 1;
    }
    (n > 0).then(|| Coord::new(sx / n as f64, sy / n as f64))
}

/// Signed area and area-weighted centroid sums of one ring (shoelace formula), measured
/// relative to `origin` so that large projected coordinates keep their precision.
fn ring_moments(ring: &[Coord], origin: Coord) -> (f64, f64, f64) {
    let (mut a2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    let n = ring.len();
    for i in 0..n {
        let p = ring[i];
        let q = ring[(i + 1) % n];
        let (px, py) = (p.x - origin.x, p.y - origin.y);
        let (qx, qy) = (q.x - origin.x, q.y - origin.y);
        let cross = px * qy - qx * py;
        a2 += cross;
        cx += (px + qx) * cross;
        cy += (py + qy) * cross;
    }
    (a2, cx, cy)
}

/// Area centroid of one ring; `None` when it has (near) zero area or non-finite vertices.
fn ring_centroid(ring: &[Coord]) -> Option<Coord> {
    rings_centroid(std::iter::once(ring))
}

/// Area-weighted centroid of several exterior rings, treating each by its absolute area so
/// that rings wound either way add up.
fn rings_centroid<'a>(rings: impl Iterator<Item = &'a [Coord]> + Clone) -> Option<Coord> {
    let origin = rings.clone().find_map(|r| r.first().copied())?;
    let (mut area, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for ring in rings.clone() {
        if ring.iter().any(|c| !c.is_finite()) {
            continue;
        }
        let (a2, rx, ry) = ring_moments(ring, origin);
        // Flip the sums of clockwise rings so every ring counts with positive weight.
        let sign = a2.signum();
        area += a2 * sign;
        cx += rx * sign;
        cy += ry * sign;
    }
    let scale = rings
        .flat_map(|r| r.iter())
        .filter(|c| c.is_finite())
        .map(|c| (c.x - origin.x).abs().max((c.y - origin.y).abs()))
        .fold(0.0_f64, f64::max);
    // Also catches NaN sums: a NaN area never passes the `>` test below.
    if area.is_nan() || area <= 1e-12 * scale * scale {
        return None;
    }
    Some(Coord::new(
        origin.x + cx / (3.0 * area),
        origin.y + cy / (3.0 * area),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, side: f64) -> Vec<Coord> {
        vec![
            Coord::new(x0, y0),
            Coord::new(x0 + side, y0),
            Coord::new(x0 + side, y0 + side),
            Coord::new(x0, y0 + side),
            Coord::new(x0, y0),
        ]
    }

    #[test]
    fn polygon_centroid_and_bbox() {
        let g = Geometry::Polygon(Polygon::from_rings(vec![square(10.0, 20.0, 2.0)]));
        assert_eq!(g.representative_point(), Some(Coord::new(11.0, 21.0)));
        let b = g.bbox().unwrap();
        assert_eq!(
            (b.min_x, b.min_y, b.max_x, b.max_y),
            (10.0, 20.0, 12.0, 22.0)
        );
        assert_eq!(g.exterior_rings().len(), 1);
        assert_eq!(g.vertex_count(), 5);
    }

    #[test]
    fn multipolygon_centroid_is_area_weighted_and_winding_blind() {
        let big = Polygon::from_rings(vec![square(0.0, 0.0, 2.0)]);
        let mut small_cw = square(10.0, 0.0, 1.0);
        small_cw.reverse();
        let small = Polygon::from_rings(vec![small_cw]);
        let g = Geometry::MultiPolygon(vec![big, small]);
        let c = g.representative_point().unwrap();
        // Areas 4 at (1, 1) and 1 at (10.5, 0.5).
        assert!((c.x - (4.0 + 10.5) / 5.0).abs() < 1e-12, "{c:?}");
        assert!((c.y - (4.0 + 0.5) / 5.0).abs() < 1e-12, "{c:?}");
        assert_eq!(g.exterior_rings().len(), 2);
    }

    #[test]
    fn centroid_keeps_precision_far_from_origin() {
        let g = Geometry::Polygon(Polygon::from_rings(vec![square(
            500_000.0,
            7_000_000.0,
            10.0,
        )]));
        let c = g.representative_point().unwrap();
        assert!((c.x - 500_005.0).abs() < 1e-9 && (c.y - 7_000_005.0).abs() < 1e-9);
    }

    #[test]
    fn degenerate_ring_falls_back_to_vertex_mean() {
        let line = vec![
            Coord::new(0.0, 0.0),
            Coord::new(2.0, 2.0),
            Coord::new(0.0, 0.0),
        ];
        let g = Geometry::Polygon(Polygon::from_rings(vec![line]));
        let c = g.representative_point().unwrap();
        assert!((c.x - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_things_have_no_point_or_box() {
        let empty_point = Geometry::Point(Coord::new(f64::NAN, f64::NAN));
        assert_eq!(empty_point.representative_point(), None);
        assert_eq!(empty_point.bbox(), None);
        let empty_polygon = Geometry::Polygon(Polygon::from_rings(Vec::new()));
        assert_eq!(empty_polygon.representative_point(), None);
        assert_eq!(Geometry::GeometryCollection(Vec::new()).bbox(), None);
    }

    #[test]
    fn collection_mixes_members() {
        let g = Geometry::GeometryCollection(vec![
            Geometry::Point(Coord::new(0.0, 0.0)),
            Geometry::LineString(vec![Coord::new(2.0, 2.0), Coord::new(4.0, 4.0)]),
        ]);
        assert_eq!(g.representative_point(), Some(Coord::new(1.5, 1.5)));
        let mut n = 0;
        let mut g = g;
        g.for_each_coord_mut(&mut |c| {
            c.x += 1.0;
            n += 1;
        });
        assert_eq!(n, 3);
        assert_eq!(g.bbox().map(|b| b.min_x.to_bits()), Some(1.0_f64.to_bits()));
    }
}
