//! Deciding whether the declared CRS can be believed, from the data's own extent, and then
//! putting the geometries in longitude/latitude accordingly.
//!
//! Real files lie: Planet's sample embeddings declare EPSG:3857 (Web Mercator, metres) while
//! storing degrees. Read as declared, that whole dataset would sit within 60 m of the point
//! (0°, 0°) in the Gulf of Guinea. The rules here catch such cases from the extent alone,
//! choose an interpretation, and always say so in a warning that names the declared CRS and
//! the choice — Loupe must never silently draw garbage.

use crate::crs::Crs;
use crate::geometry::{BBox, Geometry};
use crate::reproject::Reprojector;

/// How the stored coordinates are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpretation {
    /// In the declared CRS, reprojected to lon/lat (or passed through when already lon/lat).
    AsDeclared,
    /// The declared CRS is ignored and the coordinates are taken as WGS 84 lon/lat degrees.
    LonLatDegrees,
    /// No reading puts the data on the globe; the geometries are left out.
    CannotPlace,
}

/// What Loupe can tell about the declared CRS before looking at the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrsKind {
    /// Angular coordinates (degrees).
    Geographic,
    /// Linear coordinates (metres, feet).
    Projected,
    /// Unknown, or a CRS Loupe cannot project.
    Unusable,
}

/// The verdict on one column's CRS and extent.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// The reading chosen.
    pub interpretation: Interpretation,
    /// Why, when it is not simply "as declared, and it fits".
    pub warning: Option<String>,
}

/// Whether an extent could be longitude/latitude degrees.
fn looks_like_degrees(b: BBox) -> bool {
    b.min_x >= -180.0 && b.max_x <= 180.0 && b.min_y >= -90.0 && b.max_y <= 90.0
}

fn describe(b: BBox) -> String {
    format!(
        "x {:.4} … {:.4}, y {:.4} … {:.4}",
        b.min_x, b.max_x, b.min_y, b.max_y
    )
}

/// Judges a declared CRS against the data's extent (in the declared CRS's units).
///
/// `unusable_reason` explains an [`CrsKind::Unusable`] CRS in the warning. The rules:
/// * geographic: |x| ≤ 360 (0–360° longitudes exist) and |y| ≤ 90, else cannot place;
/// * projected: if every coordinate is within ±180 × ±90 the data is degrees mislabelled (a
///   whole dataset within 180 m of a projection's origin is implausible), else as declared;
/// * unusable: degrees if it looks like degrees, else cannot place.
pub fn assess_extent(
    declared: &Crs,
    kind: CrsKind,
    extent: Option<BBox>,
    unusable_reason: &str,
) -> Assessment {
    let verdict = |interpretation, warning: Option<String>| Assessment {
        interpretation,
        warning,
    };
    let Some(b) = extent else {
        // Nothing to place: only an unusable CRS is worth a word.
        return match kind {
            CrsKind::Unusable => verdict(
                Interpretation::CannotPlace,
                Some(format!("{declared} cannot be used: {unusable_reason}")),
            ),
            CrsKind::Geographic | CrsKind::Projected => verdict(Interpretation::AsDeclared, None),
        };
    };
    match kind {
        CrsKind::Geographic => {
            let fits = b.min_x >= -360.0 && b.max_x <= 360.0 && b.min_y >= -90.0 && b.max_y <= 90.0;
            if fits {
                verdict(Interpretation::AsDeclared, None)
            } else {
                verdict(
                    Interpretation::CannotPlace,
                    Some(format!(
                        "{declared} is geographic (degrees), but the coordinates span {} — beyond \
                         ±360° longitude or ±90° latitude, probably projected values in an \
                         unstated CRS; the geometries cannot be placed on the map",
                        describe(b)
                    )),
                )
            }
        }
        CrsKind::Projected if looks_like_degrees(b) => verdict(
            Interpretation::LonLatDegrees,
            Some(format!(
                "{declared} is a projected CRS (metres), but every coordinate lies within \
                 ±180 × ±90 ({}); a whole dataset that close to the projection's origin is \
                 implausible, so the coordinates are read as longitude/latitude degrees \
                 (OGC:CRS84)",
                describe(b)
            )),
        ),
        CrsKind::Projected => verdict(Interpretation::AsDeclared, None),
        CrsKind::Unusable if looks_like_degrees(b) => verdict(
            Interpretation::LonLatDegrees,
            Some(format!(
                "{declared} cannot be used ({unusable_reason}); every coordinate lies within \
                 ±180 × ±90 ({}), so the coordinates are read as longitude/latitude degrees \
                 (OGC:CRS84)",
                describe(b)
            )),
        ),
        CrsKind::Unusable => verdict(
            Interpretation::CannotPlace,
            Some(format!(
                "{declared} cannot be used ({unusable_reason}) and the coordinates ({}) are not \
                 longitude/latitude degrees; the geometries cannot be placed on the map",
                describe(b)
            )),
        ),
    }
}

/// The outcome of putting one column's geometries into lon/lat.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    /// The reading chosen.
    pub interpretation: Interpretation,
    /// The CRS the coordinates were finally read in; `None` when they could not be placed.
    pub used_crs: Option<Crs>,
    /// Everything the user should be told, in order.
    pub warnings: Vec<String>,
    /// The data's extent before reprojection, in its stored units.
    pub source_extent: Option<BBox>,
}

/// Converts `geometries` (in the `declared` CRS) to WGS 84 lon/lat degrees in place, after
/// checking that the declaration is plausible.
///
/// A geometry that comes out with any non-finite vertex (outside the projection's domain) is
/// replaced by `None` and counted in a warning; if none survives, the result is
/// [`Interpretation::CannotPlace`]. When the data cannot be placed at all, every geometry is
/// set to `None`, so callers never draw unconverted coordinates.
pub fn place_in_lon_lat(declared: &Crs, geometries: &mut [Option<Geometry>]) -> Placement {
    let source_extent = BBox::around_geometries(geometries.iter());
    let reprojector = Reprojector::for_crs(declared);
    let (kind, reason) = match &reprojector {
        Ok(r) if r.source_is_geographic() => (CrsKind::Geographic, String::new()),
        Ok(_) => (CrsKind::Projected, String::new()),
        Err(_) if *declared == Crs::Unknown => (
            CrsKind::Unusable,
            "the file says its CRS is undefined".to_owned(),
        ),
        Err(e) => (CrsKind::Unusable, e.to_string()),
    };
    let assessment = assess_extent(declared, kind, source_extent, &reason);
    let mut warnings: Vec<String> = assessment.warning.into_iter().collect();
    let placement = |interpretation, used_crs, warnings| Placement {
        interpretation,
        used_crs,
        warnings,
        source_extent,
    };

    let (reprojector, used_crs) = match (assessment.interpretation, reprojector) {
        (Interpretation::AsDeclared, Ok(r)) => (r, declared.clone()),
        (Interpretation::LonLatDegrees, _) => (Reprojector::identity(), Crs::crs84()),
        (Interpretation::CannotPlace | Interpretation::AsDeclared, _) => {
            return drop_all(
                geometries,
                placement(Interpretation::CannotPlace, None, warnings),
            );
        }
    };

    let bad_vertices = reprojector.transform_geometries(geometries);
    if bad_vertices > 0 {
        let total = geometries.iter().flatten().count();
        let mut dropped = 0;
        for g in geometries.iter_mut() {
            if g.as_ref().is_some_and(has_non_finite) {
                *g = None;
                dropped += 1;
            }
        }
        if dropped == total {
            warnings.push(format!(
                "none of the {total} geometries in {used_crs} converts to a valid longitude/latitude; \
                 the geometries cannot be placed on the map"
            ));
            return placement(Interpretation::CannotPlace, None, warnings);
        }
        if dropped > 0 {
            warnings.push(format!(
                "{dropped} of {total} geometries have coordinates that do not convert from \
                 {used_crs} to a valid longitude/latitude (or are empty) and are left out"
            ));
        }
    }
    placement(assessment.interpretation, Some(used_crs), warnings)
}

fn has_non_finite(g: &Geometry) -> bool {
    let mut bad = false;
    g.for_each_coord(&mut |c| bad |= !c.is_finite());
    bad
}

fn drop_all(geometries: &mut [Option<Geometry>], placement: Placement) -> Placement {
    for g in geometries.iter_mut() {
        *g = None;
    }
    placement
}

#[cfg(test)]
#[path = "plausibility_tests.rs"]
mod tests;
