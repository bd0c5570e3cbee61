//! Loupe's own layout files back in, as they are: every column, the schema metadata (the
//! GeoParquet `geo` declaration, `loupe:layout_columns`) and the positions, so that tools
//! working on a finished layout (`loupe select`) can pick rows and write them out again
//! without the vectors, which a layout file does not hold.

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, RecordBatch};
use arrow_csv::reader::{Format as CsvFormat, ReaderBuilder};
use arrow_schema::{DataType, Field, Schema};
use arrow_select::concat::concat_batches;

use crate::DataError;
use crate::read_csv::{csv_error, open};
use crate::sniff::{Format, sniff};

/// Reads a layout table written by [`write_layout_parquet`](crate::write_layout_parquet),
/// [`write_layout_csv`](crate::write_layout_csv) or their `write_table_*` forms (Parquet or
/// CSV; any table with numeric `x` and `y` columns will do).
///
/// Returns every column as one batch — `x` and `y` included, schema key/value metadata kept —
/// and the positions interleaved, `[x0, y0, x1, y1, …]`, as `f32`. A file without rows gives
/// an empty batch and no positions. A missing `x` or `y`, one that is not numeric, or a row
/// where it is empty, NaN or infinite is [`DataError::LayoutCoordinates`]; a file that is
/// not a table at all is [`DataError::NotLayoutTable`].
pub fn read_layout_table(path: &Path) -> Result<(RecordBatch, Vec<f32>), DataError> {
    let batch = match sniff(path)? {
        Format::Parquet => read_parquet_table(path)?,
        Format::Csv { tab } => read_csv_table(path, tab)?,
        Format::Empty => return Err(DataError::no_rows(path)),
        Format::ArrowFile | Format::ArrowStream => {
            return Err(not_table("an Arrow IPC file", path));
        }
        Format::Npy | Format::Npz => return Err(not_table("a NumPy array", path)),
        Format::Idx => return Err(not_table("an IDX file", path)),
    };
    let x = coordinate(&batch, "x", path)?;
    let y = coordinate(&batch, "y", path)?;
    let xy = x.iter().zip(&y).flat_map(|(&x, &y)| [x, y]).collect();
    Ok((batch, xy))
}

fn not_table(format: &str, path: &Path) -> DataError {
    DataError::NotLayoutTable {
        format: format.to_owned(),
        path: path.to_path_buf(),
    }
}

/// Every row of a Parquet file as one batch, with the file's key/value metadata on its schema.
fn read_parquet_table(path: &Path) -> Result<RecordBatch, DataError> {
    let builder = crate::read_parquet::check::open_checked(path)?;
    let schema = Arc::clone(builder.schema());
    let reader = builder.build().map_err(|e| DataError::parquet(e, path))?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DataError::arrow(e, path))?;
    concat_batches(&schema, &batches).map_err(|e| DataError::arrow(e, path))
}

/// Every row of a CSV file with a header line as one batch. Types are inferred from all rows,
/// so a column of whole numbers that turns fractional late is still read right; a column
/// that is empty throughout is read as text.
fn read_csv_table(path: &Path, tab: bool) -> Result<RecordBatch, DataError> {
    let format = CsvFormat::default()
        .with_header(true)
        .with_delimiter(if tab { b'\t' } else { b',' });
    let (inferred, _) = format
        .infer_schema(open(path)?, None)
        .map_err(|e| csv_error(e, path))?;
    let fields: Vec<Field> = inferred
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Null => Field::new(f.name(), DataType::Utf8, true),
            _ => f.as_ref().clone(),
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let reader = ReaderBuilder::new(Arc::clone(&schema))
        .with_format(format)
        .build(open(path)?)
        .map_err(|e| csv_error(e, path))?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| csv_error(e, path))?;
    concat_batches(&schema, &batches).map_err(|e| DataError::arrow(e, path))
}

/// One coordinate column as `f32`, checked to be present, numeric and finite throughout.
fn coordinate(batch: &RecordBatch, name: &str, path: &Path) -> Result<Vec<f32>, DataError> {
    let problem = |problem: String| DataError::LayoutCoordinates {
        column: name.to_owned(),
        problem,
        path: path.to_path_buf(),
    };
    let Some(column) = batch.column_by_name(name) else {
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        return Err(problem(format!(
            "is missing (the columns are: {})",
            names.join(", ")
        )));
    };
    if !column.data_type().is_numeric() {
        return Err(problem(format!(
            "holds {}, not numbers",
            crate::type_name(column.data_type())
        )));
    }
    let values =
        arrow_cast::cast(column, &DataType::Float32).map_err(|e| DataError::arrow(e, path))?;
    let values = values.as_primitive::<Float32Type>();
    if let Some(row) = (0..values.len()).find(|&row| values.is_null(row)) {
        return Err(problem(format!("is empty in row {row}")));
    }
    if let Some(row) = values.values().iter().position(|v| !v.is_finite()) {
        return Err(problem(format!(
            "holds NaN or infinity in row {row} (or a number too large for 32 bits)"
        )));
    }
    Ok(values.values().to_vec())
}
