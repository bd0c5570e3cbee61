//! A finished layout → CSV, for spreadsheets, pandas and QGIS's delimited-text layer.
//!
//! CSV has only text, so three kinds of column are turned into text on the way out:
//! * **WKB geometry** (the columns the Parquet export would describe in its `geo` metadata)
//!   becomes WKT, e.g. `POLYGON ((…))`: QGIS, PostGIS and `geopandas.GeoSeries.from_wkt` read
//!   it, where hex WKB means nothing to a person. Two dimensions only, and the CRS is not
//!   written (CSV has nowhere to put it): use the Parquet export to keep it.
//! * **other binary** columns become hex, as the Arrow CSV writer writes them;
//! * **nested** columns (lists, structs) become Arrow's display text, e.g. `[0.1, 0.2]`, which
//!   Loupe's own CSV reader takes back as a JSON array.

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoPandas, GeoArrow and PostGIS are names, not code identifiers"
)]

use std::io::{BufWriter, Write as _};
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use loupe_core::Dataset;
use loupe_geo::parse_wkb;

use crate::DataError;
use crate::write_geo::{find_geometry, for_each_wkb};
use crate::write_layout::{check_layout_length, layout_batch, rows_batch, source_geo};
use crate::write_pending::PendingFile;
use crate::write_wkt::wkt_column;

/// Rows turned into text at a time, so the WKT of a million footprints is never held at once.
const CHUNK_ROWS: usize = 65_536;

/// Saves a layout as CSV with a header line: the dataset's metadata columns, `x`, `y`, then
/// the `extra` columns — the same columns, in the same order, as
/// [`write_layout_parquet`](crate::write_layout_parquet), whose documentation says how `xy`
/// and `extra` are checked.
///
/// WKB geometry is written as WKT (see the module documentation for every conversion). A
/// geometry column the source declares as WKB must decode, or the export fails with
/// [`DataError::InvalidGeometry`]; a binary `geometry` column without a declaration that does
/// not decode is written as hex. The file appears atomically, like the Parquet export.
pub fn write_layout_csv(
    path: &Path,
    dataset: &Dataset,
    xy: &[f32],
    extra: &[(&str, ArrayRef)],
) -> Result<(), DataError> {
    check_layout_length(dataset, xy, path)?;
    write_table_csv(path, dataset.metadata(), xy, extra)
}

/// [`write_layout_csv`] from the columns alone, for tables without their vectors (a layout
/// file read back, some of its rows picked out); `metadata` and `xy` are checked as by
/// [`write_table_parquet`](crate::write_table_parquet).
pub fn write_table_csv(
    path: &Path,
    metadata: &RecordBatch,
    xy: &[f32],
    extra: &[(&str, ArrayRef)],
) -> Result<(), DataError> {
    let batch = layout_batch(metadata, xy, extra, path)?;
    write_csv_with_geo(path, &batch, source_geo(metadata))
}

/// Saves a table as it is — every column, in order, no `x`/`y` added — as CSV, converted to
/// text as [`write_layout_csv`] does (WKB geometry as WKT): rows picked out of a dataset with
/// columns of the caller's in front, as for
/// [`write_rows_parquet`](crate::write_rows_parquet).
pub fn write_rows_csv(path: &Path, table: &RecordBatch) -> Result<(), DataError> {
    write_csv_with_geo(path, &rows_batch(table, path)?, source_geo(table))
}

/// Writes `batch` as CSV; `source_geo` is the source's GeoParquet declaration, if any, which
/// says which binary columns are geometry.
fn write_csv_with_geo(
    path: &Path,
    batch: &RecordBatch,
    source_geo: Option<&str>,
) -> Result<(), DataError> {
    let mut wkt = Vec::new();
    for column in find_geometry(batch, source_geo).columns {
        if !column.wkb {
            continue;
        }
        let values = batch.column(column.index).as_ref();
        let decodes = for_each_wkb(values, &mut |row, bytes| {
            parse_wkb(bytes).map(drop).map_err(|e| (row, e))
        });
        match decodes {
            Ok(()) => wkt.push(column.index),
            Err((row, source)) if column.declared.is_some() => {
                return Err(DataError::InvalidGeometry {
                    column: column.name,
                    row,
                    source: Box::new(source),
                    path: path.to_path_buf(),
                });
            }
            Err(_) => {}
        }
    }

    let pending = PendingFile::create_beside(path)?;
    let failed = |source| DataError::CsvWrite {
        source,
        path: path.to_path_buf(),
    };
    let mut writer = arrow_csv::WriterBuilder::new()
        .with_header(true)
        .build(BufWriter::new(pending.file()));
    let mut start = 0;
    // An empty layout still gets its header line.
    while start < batch.num_rows() || start == 0 {
        let len = CHUNK_ROWS.min(batch.num_rows() - start);
        let chunk = as_text(&batch.slice(start, len), &wkt).map_err(failed)?;
        writer.write(&chunk).map_err(failed)?;
        start += len.max(1);
    }
    let mut buffered = writer.into_inner();
    buffered
        .flush()
        .map_err(|e| failed(ArrowError::IoError(e.to_string(), e)))?;
    drop(buffered);
    pending.persist(path)
}

/// The chunk with WKB columns as WKT and nested columns as display text; every other column
/// is left to the CSV writer.
fn as_text(chunk: &RecordBatch, wkt: &[usize]) -> Result<RecordBatch, ArrowError> {
    let schema = chunk.schema();
    let mut fields = Vec::with_capacity(chunk.num_columns());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(chunk.num_columns());
    for (index, (field, column)) in schema.fields().iter().zip(chunk.columns()).enumerate() {
        let text = if wkt.contains(&index) {
            // Checked to decode before anything was written.
            let text = wkt_column(column.as_ref())
                .map_err(|(row, e)| ArrowError::InvalidArgumentError(format!("row {row}: {e}")))?;
            Some(text)
        } else if field.data_type().is_nested() {
            Some(display_text(column.as_ref())?)
        } else {
            None
        };
        if let Some(text) = text {
            fields.push(Arc::new(Field::new(field.name(), DataType::Utf8, true)));
            columns.push(Arc::new(text));
        } else {
            fields.push(Arc::clone(field));
            columns.push(Arc::clone(column));
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}

/// Every value as Arrow displays it; nulls stay null (an empty field).
fn display_text(column: &dyn Array) -> Result<StringArray, ArrowError> {
    let formatter = ArrayFormatter::try_new(column, &FormatOptions::default())?;
    Ok((0..column.len())
        .map(|row| {
            column
                .is_valid(row)
                .then(|| formatter.value(row).to_string())
        })
        .collect())
}
