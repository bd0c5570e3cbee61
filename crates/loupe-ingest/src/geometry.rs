//! Each file's primary geometry column → longitude/latitude WKB, and the GeoParquet `geo`
//! entry that describes the combined result.
//!
//! Files in one folder may use different CRSs (UTM zones) or mislabel theirs; after this step
//! every geometry in the dataset is OGC:CRS84, so the map, the exports and the CRS check run
//! once per file and never again.

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow_array::builder::BinaryBuilder;
use arrow_array::{ArrayRef, RecordBatch, new_null_array};
use arrow_schema::DataType;
use loupe_geo::{BBox, Crs, GeoError, Geometry, Interpretation, read_lon_lat, write_wkb_into};
use serde_json::{Map, Value, json};

use crate::report::GeometryReport;

/// Column names tried when the `geo` metadata is too broken to name the geometry column.
const FALLBACK_NAMES: [&str; 3] = ["geometry", "geom", "wkb_geometry"];

/// A file's geometry column rewritten as lon/lat WKB.
pub(crate) struct Converted {
    /// Where the column is in the file's metadata batch.
    pub(crate) index: usize,
    /// The new values (nulls where a geometry could not be placed).
    pub(crate) array: ArrayRef,
    /// What happened, for the load report.
    pub(crate) report: GeometryReport,
}

/// Converts `metadata`'s primary geometry column, given the file's `geo` JSON.
///
/// `None` when the file has no geometry, or when broken metadata hides which column it is
/// (then `warnings` says so). A column that cannot be read or placed becomes all nulls, so no
/// coordinates in an unknown CRS ever reach the map.
pub(crate) fn convert(
    metadata: &RecordBatch,
    geo_json: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<Converted> {
    let schema = metadata.schema();
    let (error, named) = match read_lon_lat(geo_json, &schema, std::slice::from_ref(metadata)) {
        Ok(None) => return None,
        Ok(Some(g)) if g.geometries.len() == metadata.num_rows() => {
            let index = schema.index_of(&g.column).ok()?;
            let placed = g.geometries.iter().flatten().count();
            let report = GeometryReport {
                column: g.column,
                encoding: g.encoding.to_string(),
                declared_crs: g.declared_crs,
                used_crs: g.used_crs,
                interpretation: g.interpretation,
                warnings: g.warnings,
                geometry_types: geometry_types(&g.geometries),
                bbox: BBox::around_geometries(&g.geometries)
                    .map(|b| [b.min_x, b.min_y, b.max_x, b.max_y]),
                placed,
            };
            return Some(Converted {
                index,
                array: wkb_array(&g.geometries),
                report,
            });
        }
        Ok(Some(g)) => (
            format!(
                "{} geometries for {} rows",
                g.geometries.len(),
                metadata.num_rows()
            ),
            Some(g.column),
        ),
        Err(e) => (e.to_string(), error_column(&e).map(str::to_owned)),
    };
    let column = broken_column(metadata, named, geo_json);
    let Some((index, column)) = column else {
        warnings.push(format!("geometry not read: {error}"));
        return None;
    };
    let report = GeometryReport {
        column: column.clone(),
        encoding: "unknown".to_owned(),
        declared_crs: Crs::Unknown,
        used_crs: None,
        interpretation: Interpretation::CannotPlace,
        warnings: vec![format!(
            "geometry column `{column}` could not be read ({error}); its values are left empty"
        )],
        geometry_types: Vec::new(),
        bbox: None,
        placed: 0,
    };
    Some(Converted {
        index,
        array: new_null_array(&DataType::Binary, metadata.num_rows()),
        report,
    })
}

/// The column a failed read was about: named by the error, by the (partly readable) `geo`
/// JSON, or by convention; the first that exists.
fn broken_column(
    metadata: &RecordBatch,
    named: Option<String>,
    geo_json: Option<&str>,
) -> Option<(usize, String)> {
    let schema = metadata.schema();
    let from_json = geo_json
        .and_then(|j| serde_json::from_str::<Value>(j).ok())
        .and_then(|v| v.get("primary_column")?.as_str().map(str::to_owned));
    named
        .into_iter()
        .chain(from_json)
        .chain(FALLBACK_NAMES.iter().map(|n| (*n).to_owned()))
        .find_map(|name| schema.index_of(&name).ok().map(|i| (i, name)))
}

/// The column a geometry error names, when it names one.
fn error_column(e: &GeoError) -> Option<&str> {
    match e {
        GeoError::Column { column, .. } | GeoError::MissingColumn { column } => Some(column),
        GeoError::Metadata { .. } => None,
    }
}

fn wkb_array(geometries: &[Option<Geometry>]) -> ArrayRef {
    let mut builder = BinaryBuilder::with_capacity(geometries.len(), 0);
    let mut buf = Vec::new();
    for g in geometries {
        match g {
            Some(g) => {
                buf.clear();
                write_wkb_into(&mut buf, g);
                builder.append_value(&buf);
            }
            None => builder.append_null(),
        }
    }
    Arc::new(builder.finish())
}

fn geometry_types(geometries: &[Option<Geometry>]) -> Vec<String> {
    let names: BTreeSet<&str> = geometries.iter().flatten().map(type_name).collect();
    names.into_iter().map(str::to_owned).collect()
}

/// The GeoParquet spelling of a geometry's type.
fn type_name(g: &Geometry) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
    }
}

/// The GeoParquet 1.1 `geo` JSON for the combined dataset: every converted column as WKB in
/// OGC:CRS84 (`crs` omitted, which the spec defines as CRS84), with the union of the files'
/// geometry types and extents. The primary column is the first file's. `None` without
/// geometry.
pub(crate) fn combined_geo<'a>(
    reports: impl Iterator<Item = &'a GeometryReport>,
) -> Option<String> {
    // Per column, in first-seen order: its name, geometry types and lon/lat extent.
    type Described<'r> = (&'r str, BTreeSet<&'r str>, Option<[f64; 4]>);
    let mut columns: Vec<Described<'a>> = Vec::new();
    for r in reports {
        let index = columns.iter().position(|(c, _, _)| *c == r.column);
        let index = index.unwrap_or_else(|| {
            columns.push((&r.column, BTreeSet::new(), None));
            columns.len() - 1
        });
        let (_, types, bbox) = &mut columns[index];
        types.extend(r.geometry_types.iter().map(String::as_str));
        *bbox = match (*bbox, r.bbox) {
            (Some(a), Some(b)) => Some([
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]),
            (a, b) => a.or(b),
        };
    }
    let primary = columns.first()?.0.to_owned();
    let mut described = Map::new();
    for (name, types, bbox) in columns {
        let mut column = Map::new();
        column.insert("encoding".into(), json!("WKB"));
        column.insert("geometry_types".into(), json!(types));
        if let Some(b) = bbox {
            column.insert("bbox".into(), json!(b));
        }
        described.insert(name.to_owned(), Value::Object(column));
    }
    let geo = json!({"version": "1.1.0", "primary_column": primary, "columns": described});
    Some(geo.to_string())
}
