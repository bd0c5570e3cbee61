//! A finished layout → GeoJSON (RFC 7946), for web maps, QGIS and anything that reads
//! `FeatureCollection`s.
//!
//! One feature per row: its `geometry` from the primary geometry column (WKB or a GeoArrow
//! native encoding, decoded with `loupe_geo`), `null` for a null cell or when there is no
//! geometry column at all; its `properties` every other column plus `x` and `y` (see
//! [`crate::geojson_props`] for how each type is written). GeoJSON is always WGS 84
//! longitude/latitude, so geometry in another declared CRS is reprojected, and geometry whose
//! CRS is unknown or has no known projection is refused rather than mislabelled.
//!
//! Rows go out a chunk at a time through a buffered writer, one feature per line, so a million
//! footprints never sit in memory as text. The file appears atomically ([`PendingFile`]).

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoJSON and GeoArrow are names, not code identifiers"
)]

use std::io::{BufWriter, Write as _};
use std::path::Path;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::ArrowError;
use loupe_core::Dataset;
use loupe_geo::{
    BBox, ColumnError, Crs, Encoding, Geometry, Reprojector, WkbError, decode_column, parse_wkb,
};
use serde_json::Value;

use crate::DataError;
use crate::geojson_props::Property;
use crate::geojson_text::{push_geometry, push_string};
use crate::write_geo::{GeometryColumns, find_geometry, for_each_wkb, is_lon_lat};
use crate::write_layout::{check_layout_length, layout_batch, rows_batch, source_geo};
use crate::write_pending::PendingFile;

/// Rows decoded and written at a time.
const CHUNK_ROWS: usize = 65_536;

/// Saves a layout as GeoJSON: the same rows and columns as
/// [`write_layout_parquet`](crate::write_layout_parquet), whose documentation says how `xy`
/// and `extra` are checked, as a `FeatureCollection` (see [`write_table_geojson`]).
pub fn write_layout_geojson(
    path: &Path,
    dataset: &Dataset,
    xy: &[f32],
    extra: &[(&str, ArrayRef)],
) -> Result<(), DataError> {
    check_layout_length(dataset, xy, path)?;
    write_table_geojson(path, dataset.metadata(), xy, extra)
}

/// Saves a table of positions as a GeoJSON `FeatureCollection`, one feature per row, for the
/// web maps and GIS tools that read GeoJSON rather than GeoParquet.
///
/// `metadata` and `xy` are checked as by [`write_table_parquet`](crate::write_table_parquet).
/// The geometry column is the one the `geo` declaration on `metadata`'s schema names primary
/// (else its first), or an undeclared binary `geometry` column that decodes as WKB. Its CRS
/// decides what happens: GeoParquet's default (no `crs`), OGC:CRS84 and EPSG:4326 are written
/// as they are; another CRS `loupe_geo` can project (UTM, Web Mercator, EPSG codes) is
/// reprojected to longitude/latitude; an unknown CRS, one without a known projection, a
/// vertex that does not reproject, or undeclared geometry whose coordinates are not plausible
/// longitudes/latitudes is [`DataError::GeoJsonCrs`]. A declared WKB value that does not
/// decode is [`DataError::InvalidGeometry`]. Nothing is left behind when the write fails.
pub fn write_table_geojson(
    path: &Path,
    metadata: &RecordBatch,
    xy: &[f32],
    extra: &[(&str, ArrayRef)],
) -> Result<(), DataError> {
    let batch = layout_batch(metadata, xy, extra, path)?;
    write_geojson_with_geo(path, &batch, source_geo(metadata))
}

/// Saves a table as it is — every column a property, no `x`/`y` added — as a GeoJSON
/// `FeatureCollection`, with the geometry handling of [`write_table_geojson`]: rows picked
/// out of a dataset with columns of the caller's in front, as for
/// [`write_rows_parquet`](crate::write_rows_parquet).
pub fn write_rows_geojson(path: &Path, table: &RecordBatch) -> Result<(), DataError> {
    write_geojson_with_geo(path, &rows_batch(table, path)?, source_geo(table))
}

/// Writes `batch` as GeoJSON; `source_geo` is the source's GeoParquet declaration, if any.
fn write_geojson_with_geo(
    path: &Path,
    batch: &RecordBatch,
    source_geo: Option<&str>,
) -> Result<(), DataError> {
    let found = find_geometry(batch, source_geo);
    let primary = Primary::choose(batch, &found, path)?;
    let wkt: Vec<usize> = found
        .columns
        .iter()
        .filter(|c| c.wkb && primary.as_ref().is_none_or(|p| p.index != c.index))
        .map(|c| c.index)
        .collect();
    let pending = PendingFile::create_beside(path)?;
    let io = |source| DataError::Io {
        source,
        path: path.to_path_buf(),
    };
    let mut out = BufWriter::new(pending.file());
    out.write_all(br#"{"type":"FeatureCollection","features":["#)
        .map_err(io)?;
    let (mut text, mut scratch) = (String::new(), String::new());
    let mut start = 0;
    while start < batch.num_rows() {
        let len = CHUNK_ROWS.min(batch.num_rows() - start);
        let chunk = batch.slice(start, len);
        let geometries = match &primary {
            Some(p) => p.decode(&chunk, start, path)?,
            None => Vec::new(),
        };
        let properties = (0..chunk.num_columns())
            .filter(|&i| primary.as_ref().is_none_or(|p| p.index != i))
            .map(|i| Property::new(&chunk, i, wkt.contains(&i)))
            .collect::<Result<Vec<_>, ArrowError>>()
            .map_err(|e| DataError::arrow(e, path))?;
        for row in 0..len {
            text.clear();
            if start + row > 0 {
                text.push(',');
            }
            text.push_str("\n{\"type\":\"Feature\",\"geometry\":");
            match geometries.get(row).and_then(Option::as_ref) {
                Some(geometry) => push_geometry(&mut text, geometry),
                None => text.push_str("null"),
            }
            text.push_str(",\"properties\":{");
            for (i, property) in properties.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                property.push(&mut text, row, &mut scratch);
            }
            text.push_str("}}");
            out.write_all(text.as_bytes()).map_err(io)?;
        }
        start += len;
    }
    out.write_all(b"\n]}\n").map_err(io)?;
    out.flush().map_err(io)?;
    drop(out);
    pending.persist(path)
}

/// The column the features' geometry comes from, and how to bring it to lon/lat.
struct Primary {
    index: usize,
    name: String,
    encoding: Encoding,
    /// `None` when the values already are WGS 84 longitude/latitude.
    reprojector: Option<Reprojector>,
}

impl Primary {
    /// The declared primary column (else the first geometry column), with its CRS checked;
    /// `None` when no column holds geometry.
    fn choose(
        batch: &RecordBatch,
        found: &GeometryColumns,
        path: &Path,
    ) -> Result<Option<Self>, DataError> {
        let column = found
            .primary
            .as_ref()
            .and_then(|name| found.columns.iter().find(|c| &c.name == name))
            .or_else(|| found.columns.first());
        let Some(column) = column else {
            return Ok(None);
        };
        let refuse = |reason: String| DataError::GeoJsonCrs {
            column: column.name.clone(),
            reason,
            path: path.to_path_buf(),
        };
        let Some(declared) = &column.declared else {
            // Found by its name only: geometry if it decodes, lon/lat if it looks like it.
            let Ok(bbox) = undeclared_extent(batch.column(column.index)) else {
                return Ok(None);
            };
            if bbox.is_some_and(|b| !is_lon_lat(b)) {
                return Err(refuse(
                    "has no CRS declaration and its coordinates are not longitudes and \
                     latitudes"
                        .to_owned(),
                ));
            }
            return Ok(Some(Self {
                index: column.index,
                name: column.name.clone(),
                encoding: Encoding::Wkb,
                reprojector: None,
            }));
        };
        let encoding = if column.wkb {
            Some(Encoding::Wkb)
        } else {
            declared
                .get("encoding")
                .and_then(Value::as_str)
                .and_then(Encoding::parse)
        };
        let Some(encoding) = encoding else {
            return Ok(None);
        };
        let crs = Crs::from_json(declared.get("crs"));
        let reprojector = if crs.is_wgs84_lon_lat() {
            None
        } else {
            let reprojector = Reprojector::for_crs(&crs)
                .map_err(|e| refuse(format!("cannot be reprojected: {e}")))?;
            Some(reprojector)
        };
        Ok(Some(Self {
            index: column.index,
            name: column.name.clone(),
            encoding,
            reprojector,
        }))
    }

    /// The chunk's geometries in lon/lat, one per row; `start` is the chunk's first row.
    fn decode(
        &self,
        chunk: &RecordBatch,
        start: usize,
        path: &Path,
    ) -> Result<Vec<Option<Geometry>>, DataError> {
        let mut geometries = decode_column(chunk.column(self.index).as_ref(), self.encoding)
            .map_err(|e| match e.offset_rows(start) {
                ColumnError::Wkb { row, source } => DataError::InvalidGeometry {
                    column: self.name.clone(),
                    row,
                    source: Box::new(source),
                    path: path.to_path_buf(),
                },
                other => DataError::arrow(
                    ArrowError::InvalidArgumentError(format!(
                        "geometry column `{}`: {other}",
                        self.name
                    )),
                    path,
                ),
            })?;
        if let Some(reprojector) = &self.reprojector {
            let finite: Vec<bool> = geometries.iter().map(|g| all_finite(g.as_ref())).collect();
            if reprojector.transform_geometries(&mut geometries) > 0
                && let Some(row) = (0..geometries.len())
                    .find(|&row| finite[row] && !all_finite(geometries[row].as_ref()))
            {
                return Err(DataError::GeoJsonCrs {
                    column: self.name.clone(),
                    reason: format!(
                        "has a vertex in row {} that does not reproject to a place on the globe",
                        start + row
                    ),
                    path: path.to_path_buf(),
                });
            }
        }
        Ok(geometries)
    }
}

/// Whether every vertex is finite (a null or empty geometry has none that is not).
fn all_finite(geometry: Option<&Geometry>) -> bool {
    let mut finite = true;
    if let Some(g) = geometry {
        g.for_each_coord(&mut |c| finite &= c.is_finite());
    }
    finite
}

/// The extent of a binary column that decodes as WKB throughout (`None` when it has no
/// finite vertex); an error when some value does not decode: then it is not geometry.
fn undeclared_extent(column: &ArrayRef) -> Result<Option<BBox>, WkbError> {
    let mut extent: Option<BBox> = None;
    for_each_wkb(column.as_ref(), &mut |_, bytes| {
        let geometry = parse_wkb(bytes)?;
        if let Some(b) = geometry.bbox() {
            extent = Some(extent.map_or(b, |a| a.union(b)));
        }
        Ok::<(), WkbError>(())
    })?;
    Ok(extent)
}

/// The property key `"name":`, escaped once per column rather than per row.
pub(crate) fn property_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len() + 3);
    push_string(&mut key, name);
    key.push(':');
    key
}
