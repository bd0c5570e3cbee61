//! Coordinates in a declared CRS → WGS 84 longitude/latitude degrees, with `proj4rs` (a pure
//! Rust port of proj4js, so no C PROJ library and no grid files to ship).
//!
//! A [`Reprojector`] is built once per CRS and then rewrites coordinates in place, all vertices
//! of all geometries in one pass per pipeline stage, so a dataset with millions of vertices is
//! reprojected without copying it. Vertices that cannot be projected become NaN and are
//! counted, never left as garbage.

use proj4rs::Proj;
use proj4rs::transform::{Transform, TransformClosure, transform};

use crate::crs::Crs;
use crate::geometry::{Coord, Geometry};

/// The target of every reprojection: WGS 84 geographic, longitude first.
const WGS84_LON_LAT: &str = "+proj=longlat +datum=WGS84 +no_defs";

/// Why no reprojector could be built for a CRS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrsError {
    /// The CRS has no code or name Loupe can turn into a projection.
    #[error("no projection is known for {crs}")]
    Unsupported {
        /// The CRS as text.
        crs: String,
    },
    /// The projection library refused the definition it was given.
    #[error("the projection for {crs} ({definition}) could not be set up: {reason}")]
    Definition {
        /// The CRS as text.
        crs: String,
        /// The proj4 string used.
        definition: String,
        /// The library's message (kept as text so `proj4rs` stays out of this crate's API).
        reason: String,
    },
}

/// Converts coordinates of one CRS to WGS 84 longitude/latitude degrees.
#[derive(Clone)]
pub struct Reprojector {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    /// The data is already WGS 84 lon/lat (OGC:CRS84, EPSG:4326 under GeoParquet's axis rule).
    Identity,
    /// A proj4 pipeline; `source` is boxed to keep the enum small.
    Proj {
        source: Box<Proj>,
        target: Box<Proj>,
    },
}

impl std::fmt::Debug for Reprojector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Inner::Identity => f.write_str("Reprojector(identity)"),
            Inner::Proj { source, .. } => write!(f, "Reprojector({})", source.projname()),
        }
    }
}

impl Reprojector {
    /// The reprojector for a declared CRS.
    ///
    /// Handled: WGS 84 lon/lat (identity), WGS 84 / UTM (EPSG:326zz north, 327zz south),
    /// Web Mercator (EPSG:3857 and its old aliases 900913, 3785, ESRI:102100), and any other
    /// EPSG code in the `crs-definitions` table; PROJJSON without a code is matched by name
    /// for the UTM and Web Mercator names PROJ writes.
    pub fn for_crs(crs: &Crs) -> Result<Self, CrsError> {
        if crs.is_wgs84_lon_lat() {
            return Ok(Self::identity());
        }
        let definition = proj4_definition(crs).ok_or_else(|| CrsError::Unsupported {
            crs: crs.to_string(),
        })?;
        Self::build(&definition).map_err(|reason| CrsError::Definition {
            crs: crs.to_string(),
            definition,
            reason,
        })
    }

    /// The pass-through for data already in WGS 84 lon/lat; it still flags off-globe values.
    pub fn identity() -> Self {
        Self {
            inner: Inner::Identity,
        }
    }

    /// A reprojector from a proj4 string, for CRSs no code describes.
    pub fn from_proj4(definition: &str) -> Result<Self, CrsError> {
        Self::build(definition).map_err(|reason| CrsError::Definition {
            crs: "a custom proj4 definition".to_owned(),
            definition: definition.to_owned(),
            reason,
        })
    }

    /// Sets up the proj4rs pipeline; the error is the library's message.
    fn build(definition: &str) -> Result<Self, String> {
        let source = Proj::from_proj_string(definition).map_err(|e| e.to_string())?;
        let target = Proj::from_proj_string(WGS84_LON_LAT).map_err(|e| e.to_string())?;
        Ok(Self {
            inner: Inner::Proj {
                source: Box::new(source),
                target: Box::new(target),
            },
        })
    }

    /// Whether coordinates pass through unchanged.
    pub fn is_identity(&self) -> bool {
        matches!(self.inner, Inner::Identity)
    }

    /// Whether the source CRS is geographic (degrees) rather than projected (metres, feet):
    /// the plausibility check needs to know which ranges to expect.
    pub fn source_is_geographic(&self) -> bool {
        match &self.inner {
            Inner::Identity => true,
            Inner::Proj { source, .. } => source.is_latlong(),
        }
    }

    /// Rewrites `coords` to lon/lat degrees in place; returns how many came out non-finite or
    /// off the globe (those are set to NaN).
    pub fn transform_coords(&self, coords: &mut [Coord]) -> usize {
        let mut sink = CoordSlice(coords);
        self.run(&mut sink)
    }

    /// Rewrites every vertex of every geometry to lon/lat degrees in place; returns how many
    /// vertices came out non-finite or off the globe (set to NaN).
    pub fn transform_geometries(&self, geometries: &mut [Option<Geometry>]) -> usize {
        let mut sink = GeometrySlice(geometries);
        self.run(&mut sink)
    }

    fn run<S: Visit>(&self, sink: &mut S) -> usize {
        if let Inner::Proj { source, target } = &self.inner {
            if source.is_latlong() {
                sink.visit(&mut |c| {
                    c.x = c.x.to_radians();
                    c.y = c.y.to_radians();
                });
            }
            // Failures inside are turned into NaN per vertex by `Adapter`, so this cannot
            // stop half-way; an error here would only come from the pipeline set-up.
            if transform(source, target, &mut Adapter(sink)).is_err() {
                sink.visit(&mut |c| *c = Coord::new(f64::NAN, f64::NAN));
            }
            sink.visit(&mut |c| {
                c.x = c.x.to_degrees();
                c.y = c.y.to_degrees();
            });
        }
        let mut bad = 0;
        sink.visit(&mut |c| {
            let on_globe = c.x.abs() <= 360.0 && c.y.abs() <= 90.0 + 1e-9;
            if !on_globe {
                *c = Coord::new(f64::NAN, f64::NAN);
                bad += 1;
            }
        });
        bad
    }
}

/// The proj4 string for a declared CRS, or `None` when Loupe knows no projection for it.
fn proj4_definition(crs: &Crs) -> Option<String> {
    let code = match crs {
        Crs::Code {
            authority, code, ..
        } => {
            if authority.eq_ignore_ascii_case("EPSG") {
                code.parse::<u32>().ok()?
            } else if authority.eq_ignore_ascii_case("ESRI")
                && matches!(code.as_str(), "102100" | "102113")
            {
                3857
            } else if authority.eq_ignore_ascii_case("OGC") && code.eq_ignore_ascii_case("CRS83") {
                4269
            } else {
                return None;
            }
        }
        Crs::Named { name } => epsg_from_name(name)?,
        Crs::DefaultCrs84 | Crs::Unknown | Crs::Unrecognised { .. } => return None,
    };
    match code {
        // WGS 84 / UTM: zone from the last two digits, 327zz in the southern hemisphere.
        32601..=32660 => Some(format!("+proj=utm +zone={} +datum=WGS84 +units=m +no_defs", code - 32600)),
        32701..=32760 => Some(format!(
            "+proj=utm +zone={} +south +datum=WGS84 +units=m +no_defs",
            code - 32700
        )),
        // Spherical Mercator on WGS 84 lon/lat: the sphere's lon/lat *are* WGS 84 by definition.
        3857 | 900_913 | 3785 | 102_100 | 102_113 => {
            Some("+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs".into())
        }
        _ => {
            let code = u16::try_from(code).ok()?;
            crs_definitions::from_code(code).map(|d| d.proj4.to_owned())
        }
    }
}

/// EPSG codes for the PROJJSON names PROJ gives the CRSs Loupe meets without an `id`.
fn epsg_from_name(name: &str) -> Option<u32> {
    let n = name.trim();
    if n.eq_ignore_ascii_case("WGS 84 / Pseudo-Mercator") {
        return Some(3857);
    }
    let zone = n.strip_prefix("WGS 84 / UTM zone ")?;
    let (digits, hemisphere) = zone.split_at(zone.len().checked_sub(1)?);
    let zone: u32 = digits.parse().ok().filter(|z| (1..=60).contains(z))?;
    match hemisphere {
        "N" | "n" => Some(32600 + zone),
        "S" | "s" => Some(32700 + zone),
        _ => None,
    }
}

/// Something whose coordinates can be visited mutably, in a fixed order.
trait Visit {
    fn visit(&mut self, f: &mut dyn FnMut(&mut Coord));
}

struct CoordSlice<'a>(&'a mut [Coord]);

impl Visit for CoordSlice<'_> {
    fn visit(&mut self, f: &mut dyn FnMut(&mut Coord)) {
        self.0.iter_mut().for_each(f);
    }
}

struct GeometrySlice<'a>(&'a mut [Option<Geometry>]);

impl Visit for GeometrySlice<'_> {
    fn visit(&mut self, f: &mut dyn FnMut(&mut Coord)) {
        for g in self.0.iter_mut().flatten() {
            g.for_each_coord_mut(&mut |c| f(c));
        }
    }
}

/// Lets `proj4rs` drive a [`Visit`]; a vertex the library rejects becomes NaN and the pass
/// carries on (proj4rs leaves the stop-or-continue choice to the container).
struct Adapter<'a, S>(&'a mut S);

impl<S: Visit> Transform for Adapter<'_, S> {
    fn transform_coordinates<F: TransformClosure>(
        &mut self,
        f: &mut F,
    ) -> proj4rs::errors::Result<()> {
        self.0.visit(&mut |c| {
            *c = match f(c.x, c.y, 0.0) {
                Ok((x, y, _)) => Coord::new(x, y),
                Err(_) => Coord::new(f64::NAN, f64::NAN),
            };
        });
        Ok(())
    }
}

#[cfg(test)]
#[path = "reproject_tests.rs"]
mod tests;
