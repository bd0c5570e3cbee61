//! The GeoParquet `geo` file metadata (the JSON under the Parquet key-value key "geo"),
//! versions 1.0 and 1.1, read leniently where old writers differ and strictly where a wrong
//! guess would misplace data.
//!
//! Parsed from a `serde_json::Value` by hand rather than derived, because the `crs` member has
//! three meanings that a derive would blur: absent (OGC:CRS84), `null` (unknown), or PROJJSON.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::crs::Crs;
use crate::geoarrow::NativeEncoding;
use crate::geometry::BBox;

/// The Parquet key-value metadata key GeoParquet writes its JSON under.
pub const GEO_METADATA_KEY: &str = "geo";

/// How a geometry column's values are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Well-Known Binary in a binary column (GeoParquet 1.0 and 1.1).
    Wkb,
    /// A GeoArrow single-type layout (GeoParquet 1.1 "native encodings").
    Native(NativeEncoding),
}

impl Encoding {
    /// Reads an `encoding` string. "WKB" is matched case-insensitively because some writers
    /// emit "wkb"; the native names are lower case in the spec.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "wkb" => Self::Wkb,
            "point" => Self::Native(NativeEncoding::Point),
            "linestring" => Self::Native(NativeEncoding::LineString),
            "polygon" => Self::Native(NativeEncoding::Polygon),
            "multipoint" => Self::Native(NativeEncoding::MultiPoint),
            "multilinestring" => Self::Native(NativeEncoding::MultiLineString),
            "multipolygon" => Self::Native(NativeEncoding::MultiPolygon),
            _ => return None,
        })
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wkb => f.write_str("WKB"),
            Self::Native(n) => n.fmt(f),
        }
    }
}

/// The `geo` metadata of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct GeoMetadata {
    /// The spec version the writer claims ("1.0.0", "1.1.0", …); `None` when missing, which
    /// the spec forbids but which costs nothing to tolerate.
    pub version: Option<String>,
    /// The column to show when there are several.
    pub primary_column: String,
    /// Every geometry column, by name.
    pub columns: BTreeMap<String, ColumnMetadata>,
}

/// One geometry column's metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnMetadata {
    /// How the values are stored.
    pub encoding: Encoding,
    /// E.g. `["Polygon"]` or `["Point Z"]`; empty when the writer did not know.
    pub geometry_types: Vec<String>,
    /// The declared extent in the column's own CRS: `[xmin, ymin, xmax, ymax]` or the 3-D
    /// form with z; not trusted for placement, only reported.
    pub bbox: Option<Vec<f64>>,
    /// The declared CRS.
    pub crs: Crs,
}

impl ColumnMetadata {
    /// The 2-D part of `bbox`, when it has 4 or 6 numbers.
    pub fn bbox_2d(&self) -> Option<BBox> {
        let b = self.bbox.as_deref()?;
        let (min_x, min_y, max_x, max_y) = match *b {
            [a, b, c, d] => (a, b, c, d),
            [a, b, _, d, e, _] => (a, b, d, e),
            _ => return None,
        };
        Some(BBox {
            min_x,
            min_y,
            max_x,
            max_y,
        })
    }
}

/// Why the `geo` metadata could not be used.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// Not JSON at all.
    #[error("the GeoParquet `geo` metadata is not valid JSON: {source}")]
    Json {
        /// The parser's complaint, with line and column.
        source: serde_json::Error,
    },
    /// A required member is missing.
    #[error("the GeoParquet `geo` metadata has no `{key}`")]
    Missing {
        /// Its JSON path, e.g. `columns.geometry.encoding`.
        key: String,
    },
    /// A member has the wrong JSON type.
    #[error("the GeoParquet `geo` metadata member `{key}` should be {expected}")]
    WrongType {
        /// Its JSON path.
        key: String,
        /// What the spec says it is.
        expected: &'static str,
    },
    /// An `encoding` this reader does not know, so the bytes cannot be interpreted.
    #[error("geometry column `{column}` has unknown encoding {encoding:?}")]
    UnknownEncoding {
        /// The column.
        column: String,
        /// The value found.
        encoding: String,
    },
    /// `primary_column` names a column that `columns` does not describe.
    #[error("the GeoParquet primary column `{column}` is not described in `columns`")]
    PrimaryNotDescribed {
        /// The name given.
        column: String,
    },
}

impl GeoMetadata {
    /// Parses the JSON string stored under the `geo` key.
    pub fn from_json(text: &str) -> Result<Self, MetadataError> {
        let value: Value =
            serde_json::from_str(text).map_err(|source| MetadataError::Json { source })?;
        let root = value
            .as_object()
            .ok_or_else(|| wrong("(root)", "an object"))?;
        let version = match root.get("version") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(wrong("version", "a string")),
        };
        let primary_column = root
            .get("primary_column")
            .ok_or_else(|| missing("primary_column"))?
            .as_str()
            .ok_or_else(|| wrong("primary_column", "a string"))?
            .to_owned();
        let columns_json = root
            .get("columns")
            .ok_or_else(|| missing("columns"))?
            .as_object()
            .ok_or_else(|| wrong("columns", "an object"))?;
        let columns = columns_json
            .iter()
            .map(|(name, c)| Ok((name.clone(), parse_column(name, c)?)))
            .collect::<Result<BTreeMap<_, _>, MetadataError>>()?;
        if !columns.contains_key(&primary_column) {
            return Err(MetadataError::PrimaryNotDescribed {
                column: primary_column,
            });
        }
        Ok(Self {
            version,
            primary_column,
            columns,
        })
    }

    /// The primary column's name and metadata (checked to exist when parsed).
    pub fn primary(&self) -> Option<(&str, &ColumnMetadata)> {
        self.columns
            .get_key_value(&self.primary_column)
            .map(|(k, v)| (k.as_str(), v))
    }
}

fn parse_column(name: &str, value: &Value) -> Result<ColumnMetadata, MetadataError> {
    let key = |member: &str| format!("columns.{name}.{member}");
    let obj: &Map<String, Value> = value
        .as_object()
        .ok_or_else(|| wrong(&format!("columns.{name}"), "an object"))?;
    let encoding_text = obj
        .get("encoding")
        .ok_or_else(|| missing(&key("encoding")))?
        .as_str()
        .ok_or_else(|| wrong(&key("encoding"), "a string"))?;
    let encoding =
        Encoding::parse(encoding_text).ok_or_else(|| MetadataError::UnknownEncoding {
            column: name.to_owned(),
            encoding: encoding_text.to_owned(),
        })?;
    // 1.0+ has `geometry_types` (array); 0.x had `geometry_type` (string or array).
    let types_value = obj
        .get("geometry_types")
        .or_else(|| obj.get("geometry_type"));
    let geometry_types = match types_value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| t.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| wrong(&key("geometry_types"), "an array of strings"))?,
        Some(_) => return Err(wrong(&key("geometry_types"), "an array of strings")),
    };
    let bbox = match obj.get("bbox") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(Value::as_f64)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| wrong(&key("bbox"), "an array of numbers"))?,
        ),
        Some(_) => return Err(wrong(&key("bbox"), "an array of numbers")),
    };
    Ok(ColumnMetadata {
        encoding,
        geometry_types,
        bbox,
        crs: Crs::from_json(obj.get("crs")),
    })
}

fn missing(key: &str) -> MetadataError {
    MetadataError::Missing {
        key: key.to_owned(),
    }
}

fn wrong(key: &str, expected: &'static str) -> MetadataError {
    MetadataError::WrongType {
        key: key.to_owned(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_1_1_document() {
        let meta = GeoMetadata::from_json(
            r#"{"version": "1.1.0", "primary_column": "geom",
                "columns": {
                  "geom": {"encoding": "polygon", "geometry_types": ["Polygon", "Polygon Z"],
                           "bbox": [1, 2, 3, 4], "crs": null},
                  "centre": {"encoding": "WKB", "geometry_types": []}
                }, "creator": {"library": "x"}}"#,
        )
        .unwrap();
        assert_eq!(meta.version.as_deref(), Some("1.1.0"));
        let (name, geom) = meta.primary().unwrap();
        assert_eq!(name, "geom");
        assert_eq!(geom.encoding, Encoding::Native(NativeEncoding::Polygon));
        assert_eq!(geom.geometry_types, ["Polygon", "Polygon Z"]);
        assert_eq!(geom.crs, Crs::Unknown);
        assert_eq!(
            geom.bbox_2d().map(|b| b.max_y.to_bits()),
            Some(4.0_f64.to_bits())
        );
        let centre = &meta.columns["centre"];
        assert_eq!(centre.encoding, Encoding::Wkb);
        assert_eq!(centre.crs, Crs::DefaultCrs84);
        assert_eq!(centre.bbox_2d(), None);
    }

    #[test]
    fn old_geometry_type_string_and_3d_bbox() {
        let meta = GeoMetadata::from_json(
            r#"{"version": "0.4.0", "primary_column": "g", "columns": {"g": {
                "encoding": "WKB", "geometry_type": "Point", "bbox": [0, 1, -5, 2, 3, 5],
                "crs": "EPSG:4326"}}}"#,
        )
        .unwrap();
        let g = &meta.columns["g"];
        assert_eq!(g.geometry_types, ["Point"]);
        let b = g.bbox_2d().unwrap();
        assert_eq!((b.min_x, b.min_y, b.max_x, b.max_y), (0.0, 1.0, 2.0, 3.0));
        assert!(g.crs.is_wgs84_lon_lat());
    }

    #[test]
    fn malformed_documents_are_typed_errors() {
        let err = |s: &str| GeoMetadata::from_json(s).unwrap_err();
        assert!(matches!(err("{not json"), MetadataError::Json { .. }));
        assert!(matches!(err("[1, 2]"), MetadataError::WrongType { .. }));
        assert!(
            matches!(err(r#"{"columns": {}}"#), MetadataError::Missing { key } if key == "primary_column")
        );
        assert!(matches!(
            err(r#"{"primary_column": "g", "columns": []}"#),
            MetadataError::WrongType { .. }
        ));
        assert!(matches!(
            err(r#"{"primary_column": "g", "columns": {}}"#),
            MetadataError::PrimaryNotDescribed { .. }
        ));
        let e = err(r#"{"primary_column": "g", "columns": {"g": {"encoding": "geojson"}}}"#);
        assert!(e.to_string().contains("geojson"), "{e}");
        let e = err(r#"{"primary_column": "g", "columns": {"g": {}}}"#);
        assert!(e.to_string().contains("columns.g.encoding"), "{e}");
        let e =
            err(r#"{"primary_column": "g", "columns": {"g": {"encoding": "WKB", "bbox": ["a"]}}}"#);
        assert!(e.to_string().contains("bbox"), "{e}");
    }
}
