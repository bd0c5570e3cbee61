//! GeoParquet 1.1 metadata for the files Loupe writes: which columns hold geometry, what
//! types and extent they hold, and in which CRS.
//!
//! The `geo` JSON is rebuilt from the rows actually written rather than copied, because a
//! layout may hold fewer rows than its source (a `limit`, dropped rows) and a stale bounding
//! box or type list would mislead GIS tools that trust it. What cannot be recomputed from the
//! rows — the CRS, `edges`, `orientation`, `epoch` — is copied from the source's declaration.

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoPandas, GeoArrow and PostGIS are names, not code identifiers"
)]

use std::collections::BTreeSet;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use loupe_geo::{BBox, GEO_METADATA_KEY, WkbError, parse_wkb};
use serde_json::{Map, Value};

use crate::DataError;

/// GeoParquet's version of the metadata written.
const GEO_VERSION: &str = "1.1.0";
/// What GeoPandas and most writers name a WKB column; without a `geo` declaration, a binary
/// column of this name that decodes as WKB is taken for geometry.
const CONVENTIONAL_NAME: &str = "geometry";
/// Members of a source declaration that describe its rows, so they are recomputed or dropped:
/// `covering` names a bounding-box column whose presence is not checked here.
const ROW_MEMBERS: [&str; 3] = ["bbox", "geometry_types", "covering"];

/// The geometry columns of a batch about to be written.
pub(crate) struct GeometryColumns {
    /// The source's `primary_column`, when it declared one.
    pub(crate) primary: Option<String>,
    /// In batch order.
    pub(crate) columns: Vec<GeometryColumn>,
}

/// One geometry column of a batch about to be written.
pub(crate) struct GeometryColumn {
    /// Its position in the batch.
    pub(crate) index: usize,
    /// Its name.
    pub(crate) name: String,
    /// The source's metadata for it; `None` for a column found by its name only.
    pub(crate) declared: Option<Map<String, Value>>,
    /// Whether the values are WKB; otherwise a GeoArrow native encoding, kept as declared.
    pub(crate) wkb: bool,
}

/// The distinct geometry types and the extent of a WKB column.
struct WkbSummary {
    types: BTreeSet<GeometryType>,
    bbox: Option<BBox>,
}

/// Finds the geometry columns of `batch` given the `geo` JSON of the data it came from.
///
/// Columns the source declared are geometry when their Arrow type still fits the declared
/// encoding (an added column may have replaced one). With no usable declaration — none, or
/// JSON that does not parse, which is then dropped rather than copied — a binary column named
/// `geometry` is a candidate, confirmed only once its values decode.
pub(crate) fn find_geometry(batch: &RecordBatch, source_geo: Option<&str>) -> GeometryColumns {
    let source: Option<Map<String, Value>> = source_geo
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|value| match value {
            Value::Object(map) => Some(map),
            _ => None,
        });
    let declared_columns = source
        .as_ref()
        .and_then(|s| s.get("columns"))
        .and_then(Value::as_object);
    let mut columns = Vec::new();
    for (index, field) in batch.schema().fields().iter().enumerate() {
        let Some(entry) = declared_columns
            .and_then(|c| c.get(field.name()))
            .and_then(Value::as_object)
        else {
            continue;
        };
        let wkb = entry
            .get("encoding")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("wkb"));
        let fits = if wkb {
            is_binary(field.data_type())
        } else {
            is_nested(field.data_type())
        };
        if fits {
            columns.push(GeometryColumn {
                index,
                name: field.name().clone(),
                declared: Some(entry.clone()),
                wkb,
            });
        }
    }
    if columns.is_empty()
        && let Ok(index) = batch.schema().index_of(CONVENTIONAL_NAME)
        && is_binary(batch.schema().field(index).data_type())
    {
        columns.push(GeometryColumn {
            index,
            name: CONVENTIONAL_NAME.to_owned(),
            declared: None,
            wkb: true,
        });
    }
    let primary = source
        .as_ref()
        .and_then(|s| s.get("primary_column"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    GeometryColumns { primary, columns }
}

/// The `geo` JSON describing `found` in `batch`, or `None` when no geometry column is left.
///
/// A declared WKB column that does not decode is an error naming the row; a column taken
/// for geometry by its name alone is then just binary data, written without metadata.
pub(crate) fn geo_json(
    batch: &RecordBatch,
    found: &GeometryColumns,
    path: &Path,
) -> Result<Option<String>, DataError> {
    let mut columns = Map::new();
    let mut first = None;
    for column in &found.columns {
        let mut entry = column.declared.clone().unwrap_or_default();
        entry.retain(|key, _| !ROW_MEMBERS.contains(&key.as_str()));
        if column.wkb {
            let summary = match summarise(batch.column(column.index).as_ref()) {
                Ok(summary) => summary,
                Err((row, source)) if column.declared.is_some() => {
                    return Err(DataError::InvalidGeometry {
                        column: column.name.clone(),
                        row,
                        source: Box::new(source),
                        path: path.to_path_buf(),
                    });
                }
                Err(_) => continue,
            };
            describe_wkb(&mut entry, &summary, column.declared.is_none());
        }
        first.get_or_insert_with(|| column.name.clone());
        columns.insert(column.name.clone(), Value::Object(entry));
    }
    let primary = match &found.primary {
        Some(name) if columns.contains_key(name) => name.clone(),
        _ => match first {
            Some(name) => name,
            None => return Ok(None),
        },
    };
    let mut creator = Map::new();
    creator.insert("library".into(), "loupe".into());
    creator.insert("version".into(), env!("CARGO_PKG_VERSION").into());
    let mut geo = Map::new();
    geo.insert("version".into(), GEO_VERSION.into());
    geo.insert("primary_column".into(), primary.into());
    geo.insert("columns".into(), Value::Object(columns));
    geo.insert("creator".into(), Value::Object(creator));
    Ok(Some(Value::Object(geo).to_string()))
}

/// The schema metadata key the JSON goes under.
pub(crate) const GEO_KEY: &str = GEO_METADATA_KEY;

/// Fills in a WKB column's encoding, types and bounding box.
///
/// An undeclared column has no CRS to copy. GeoParquet reads a missing `crs` as OGC:CRS84,
/// which is right when every coordinate is a plausible longitude/latitude; otherwise the CRS
/// is written as `null` ("unknown") rather than claiming degrees for what may be metres.
fn describe_wkb(entry: &mut Map<String, Value>, summary: &WkbSummary, undeclared: bool) {
    entry.insert("encoding".into(), "WKB".into());
    let types: Vec<Value> = summary
        .types
        .iter()
        .map(|&(name, z)| {
            Value::from(if z {
                format!("{name} Z")
            } else {
                name.to_owned()
            })
        })
        .collect();
    entry.insert("geometry_types".into(), Value::Array(types));
    if let Some(b) = summary.bbox {
        let bbox = [b.min_x, b.min_y, b.max_x, b.max_y].map(Value::from);
        entry.insert("bbox".into(), Value::Array(bbox.to_vec()));
        if undeclared && !is_lon_lat(b) {
            entry.insert("crs".into(), Value::Null);
        }
    }
}

/// Whether a box fits longitude/latitude degrees, the test for undeclared geometry.
pub(crate) fn is_lon_lat(b: BBox) -> bool {
    (-180.0..=180.0).contains(&b.min_x)
        && (-180.0..=180.0).contains(&b.max_x)
        && (-90.0..=90.0).contains(&b.min_y)
        && (-90.0..=90.0).contains(&b.max_y)
}

/// Decodes every value of a WKB column; the first failure comes back with its row.
fn summarise(column: &dyn Array) -> Result<WkbSummary, (usize, WkbError)> {
    let mut summary = WkbSummary {
        types: BTreeSet::new(),
        bbox: None,
    };
    for_each_wkb(column, &mut |row, bytes| {
        let geometry = parse_wkb(bytes).map_err(|e| (row, e))?;
        if let Some(kind) = geometry_type(bytes) {
            summary.types.insert(kind);
        }
        if let Some(b) = geometry.bbox() {
            summary.bbox = Some(summary.bbox.map_or(b, |a| a.union(b)));
        }
        Ok(())
    })?;
    Ok(summary)
}

/// Calls `f` with the row and bytes of every non-null value of a binary column; other types
/// have no values to visit.
pub(crate) fn for_each_wkb<E>(
    column: &dyn Array,
    f: &mut impl FnMut(usize, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let values: Box<dyn Iterator<Item = Option<&[u8]>>> = match column.data_type() {
        DataType::Binary => Box::new(column.as_binary::<i32>().iter()),
        DataType::LargeBinary => Box::new(column.as_binary::<i64>().iter()),
        DataType::BinaryView => Box::new(column.as_binary_view().iter()),
        _ => Box::new(std::iter::empty()),
    };
    for (row, value) in values.enumerate() {
        if let Some(bytes) = value {
            f(row, bytes)?;
        }
    }
    Ok(())
}

/// A geometry type as GeoParquet names it: the base name, and whether it has Z (`Point Z`).
type GeometryType = (&'static str, bool);

/// A WKB value's type, read from its header (ISO codes 1–7 plus 1000 for Z, 2000 for M, 3000
/// for ZM; EWKB's high flag bits).
///
/// GeoParquet 1.1 names no M types, so M is left out of the name and ZM counts as Z.
fn geometry_type(wkb: &[u8]) -> Option<GeometryType> {
    let (&order, rest) = wkb.split_first()?;
    let code: [u8; 4] = rest.get(..4)?.try_into().ok()?;
    let code = match order {
        0 => u32::from_be_bytes(code),
        1 => u32::from_le_bytes(code),
        _ => return None,
    };
    let ewkb_z = code & 0x8000_0000 != 0;
    let iso = code & 0x0FFF_FFFF;
    let z = ewkb_z || matches!(iso / 1000, 1 | 3);
    let name = match iso % 1000 {
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        _ => return None,
    };
    Some((name, z))
}

fn is_binary(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView
    )
}

/// GeoArrow's native encodings are structs (separated) or lists (interleaved, nested).
fn is_nested(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Struct(_)
            | DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::ListView(_)
            | DataType::LargeListView(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_follow_the_header() {
        let polygon = [1, 3, 0, 0, 0];
        assert_eq!(geometry_type(&polygon), Some(("Polygon", false)));
        let point_z_iso = 1001_u32.to_be_bytes();
        let bytes = [
            0,
            point_z_iso[0],
            point_z_iso[1],
            point_z_iso[2],
            point_z_iso[3],
        ];
        assert_eq!(geometry_type(&bytes), Some(("Point", true)));
        let ewkb = (0x8000_0000_u32 | 0x2000_0000 | 6).to_le_bytes();
        let bytes = [1, ewkb[0], ewkb[1], ewkb[2], ewkb[3]];
        assert_eq!(geometry_type(&bytes), Some(("MultiPolygon", true)));
        assert_eq!(geometry_type(&[1, 9, 0, 0, 0]), None);
        assert_eq!(geometry_type(&[1, 3]), None);
    }

    #[test]
    fn lon_lat_test_is_inclusive() {
        let b = |min_x, min_y, max_x, max_y| BBox {
            min_x,
            min_y,
            max_x,
            max_y,
        };
        assert!(is_lon_lat(b(-180.0, -90.0, 180.0, 90.0)));
        assert!(!is_lon_lat(b(
            500_000.0,
            7_000_000.0,
            510_000.0,
            7_010_000.0
        )));
    }
}
