//! The one call the data loader makes: from a file's `geo` metadata and its Arrow data to the
//! primary geometry column in longitude/latitude, with the CRS story told as warnings.

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Schema};

use crate::column::{ColumnError, decode_column};
use crate::crs::Crs;
use crate::geometry::{BBox, Geometry};
use crate::metadata::{Encoding, GeoMetadata, MetadataError};
use crate::plausibility::{Interpretation, place_in_lon_lat};

/// Column names taken for WKB geometry when a file has no `geo` metadata at all (GeoPandas,
/// GDAL and `DuckDB` defaults).
const FALLBACK_NAMES: [&str; 3] = ["geometry", "geom", "wkb_geometry"];

/// The primary geometry column of a dataset, placed on the globe.
#[derive(Clone, Debug, PartialEq)]
pub struct LonLatGeometries {
    /// The geometry column's name.
    pub column: String,
    /// The encoding it was decoded from.
    pub encoding: Encoding,
    /// The CRS the file declares ([`Crs::Unknown`] when there was no metadata).
    pub declared_crs: Crs,
    /// The CRS the coordinates were read in; `None` when they could not be placed.
    pub used_crs: Option<Crs>,
    /// How the declaration was treated.
    pub interpretation: Interpretation,
    /// Messages for the user (mislabelled CRS, dropped rows, missing metadata), in order.
    pub warnings: Vec<String>,
    /// The data's extent in its stored units, before any conversion.
    pub source_extent: Option<BBox>,
    /// One entry per row across all batches, in WGS 84 longitude/latitude degrees; `None` for
    /// a null geometry or one that could not be placed.
    pub geometries: Vec<Option<Geometry>>,
}

/// Why the geometry column could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// The `geo` metadata is malformed.
    #[error(transparent)]
    Metadata {
        /// What was wrong with it.
        #[from]
        source: MetadataError,
    },
    /// The metadata names a primary column the data does not have.
    #[error("the GeoParquet primary column `{column}` is not in the file's schema")]
    MissingColumn {
        /// The name from the metadata.
        column: String,
    },
    /// The column's values could not be decoded.
    #[error("geometry column `{column}`: {source}")]
    Column {
        /// The column.
        column: String,
        /// What failed, with the row.
        source: ColumnError,
    },
}

/// Reads the primary geometry column of `batches` into lon/lat.
///
/// `geo_json` is the Parquet key-value metadata under "geo" ([`crate::GEO_METADATA_KEY`]).
/// Without it, a binary column with a conventional geometry name is read as WKB of unknown
/// CRS and judged by its extent alone. Returns `Ok(None)` when the file has no geometry.
/// The schema is passed separately so that a file with zero batches still resolves its column.
pub fn read_lon_lat(
    geo_json: Option<&str>,
    schema: &Schema,
    batches: &[RecordBatch],
) -> Result<Option<LonLatGeometries>, GeoError> {
    let mut warnings = Vec::new();
    let (column, encoding, declared_crs) = if let Some(json) = geo_json {
        let meta = GeoMetadata::from_json(json)?;
        let Some((name, column_meta)) = meta.primary() else {
            return Err(MetadataError::PrimaryNotDescribed {
                column: meta.primary_column.clone(),
            }
            .into());
        };
        if schema.field_with_name(name).is_err() {
            return Err(GeoError::MissingColumn {
                column: name.to_owned(),
            });
        }
        (
            name.to_owned(),
            column_meta.encoding,
            column_meta.crs.clone(),
        )
    } else {
        let Some(field) = schema.fields().iter().find(|f| {
            FALLBACK_NAMES.contains(&f.name().as_str())
                && matches!(
                    f.data_type(),
                    DataType::Binary | DataType::LargeBinary | DataType::BinaryView
                )
        }) else {
            return Ok(None);
        };
        warnings.push(format!(
            "the file has no GeoParquet `geo` metadata; column `{}` is read as WKB with an \
             undefined CRS",
            field.name()
        ));
        (field.name().clone(), Encoding::Wkb, Crs::Unknown)
    };

    let mut geometries = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for batch in batches {
        let Some(array) = batch.column_by_name(&column) else {
            return Err(GeoError::MissingColumn { column });
        };
        let decoded =
            decode_column(array.as_ref(), encoding).map_err(|source| GeoError::Column {
                column: column.clone(),
                source: source.offset_rows(geometries.len()),
            })?;
        geometries.extend(decoded);
    }

    let placement = place_in_lon_lat(&declared_crs, &mut geometries);
    warnings.extend(placement.warnings);
    Ok(Some(LonLatGeometries {
        column,
        encoding,
        declared_crs,
        used_crs: placement.used_crs,
        interpretation: placement.interpretation,
        warnings,
        source_extent: placement.source_extent,
        geometries,
    }))
}
