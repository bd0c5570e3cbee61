//! CSV and TSV → [`Dataset`] through the shared table path.
//!
//! The first line is the header. Column types are inferred from the first rows
//! ([`INFER_ROWS`] at most) by arrow-csv; the vector columns of a wide table are then read as
//! `float64` whatever was inferred, so a column of whole numbers early on may still hold
//! `0.5` later. A column holding a JSON array per row (`"[0.1, 0.2]"`) is text to arrow-csv
//! and is parsed by this crate.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use arrow_csv::reader::{Format, ReaderBuilder};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use loupe_core::Dataset;

use crate::report::{FileFormat, FileReport};
use crate::table::{VectorSource, choose_vectors, first_rows, read_chosen};
use crate::{DataError, ReadOptions};

/// Rows looked at to infer column types, at most.
const INFER_ROWS: usize = 1000;
/// Bytes looked at to estimate the length of a row.
const SAMPLE_BYTES: u64 = 4 << 20;
/// Aim for batches of about this much text, so rows holding long JSON arrays come a few at a
/// time.
const BATCH_BYTES: usize = 64 << 20;
/// Most rows parsed at a time.
const MAX_BATCH_ROWS: usize = 8192;

/// Reads a CSV file (`tab` for `.tsv`) with a header line.
pub(crate) fn read_csv(
    path: &Path,
    options: &ReadOptions,
    tab: bool,
) -> Result<(Dataset, FileReport), DataError> {
    let mut report = FileReport::new(FileFormat::Csv);
    let format = Format::default()
        .with_header(true)
        .with_delimiter(if tab { b'\t' } else { b',' });
    let batch_rows = batch_rows(path)?;
    let (inferred, records) = format
        .infer_schema(open(path)?, Some(batch_rows.clamp(16, INFER_ROWS)))
        .map_err(|e| csv_error(e, path))?;
    if records == 0 || options.limit == Some(0) {
        return Err(DataError::no_rows(path));
    }
    let inferred = Arc::new(inferred);

    // A first look at a few rows, to tell JSON-array text from other text.
    let mut peek_reader = ReaderBuilder::new(Arc::clone(&inferred))
        .with_format(format.clone())
        .with_batch_size(16)
        .build(open(path)?)
        .map_err(|e| csv_error(e, path))?
        .map(|batch| batch.map_err(|e| csv_error(e, path)));
    let Some(peek) = first_rows(&mut peek_reader, options.limit)? else {
        return Err(DataError::no_rows(path));
    };
    let source = choose_vectors(&inferred, Some(&peek), options, path)?;
    drop(peek_reader);

    let schema = Arc::new(reading_schema(&inferred, &source));
    let reader = ReaderBuilder::new(Arc::clone(&schema))
        .with_format(format)
        .with_batch_size(batch_rows)
        .build(open(path)?)
        .map_err(|e| csv_error(e, path))?;
    let batches = reader.map(|batch| batch.map_err(|e| csv_error(e, path)));
    let dataset = read_chosen(path, &schema, &source, batches, 0, options, &mut report)?;
    Ok((dataset, report))
}

/// The inferred schema with wide vector columns widened to `float64`, and columns that were
/// empty in the sample (inferred `null`) read as text rather than thrown away.
fn reading_schema(inferred: &Schema, source: &VectorSource) -> Schema {
    let wide = match source {
        VectorSource::Wide(indices) => indices.as_slice(),
        VectorSource::List(_) | VectorSource::Text(_) => &[],
    };
    let fields: Vec<Field> = inferred
        .fields()
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let data_type = if wide.contains(&i) {
                DataType::Float64
            } else if field.data_type() == &DataType::Null {
                DataType::Utf8
            } else {
                field.data_type().clone()
            };
            Field::new(field.name(), data_type, true)
        })
        .collect();
    Schema::new_with_metadata(fields, inferred.metadata().clone())
}

/// Rows per batch, from the line lengths in the first few MiB.
fn batch_rows(path: &Path) -> Result<usize, DataError> {
    let mut sample = Vec::new();
    open(path)?
        .take(SAMPLE_BYTES)
        .read_to_end(&mut sample)
        .map_err(|e| DataError::io(e, path))?;
    let lines = sample
        .split(|&b| b == b'\n')
        .count()
        .saturating_sub(1)
        .max(1);
    let bytes_per_row = (sample.len() / lines).max(1);
    Ok((BATCH_BYTES / bytes_per_row).clamp(1, MAX_BATCH_ROWS))
}

pub(crate) fn open(path: &Path) -> Result<BufReader<File>, DataError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| DataError::io(e, path))
}

/// CSV errors, with an operating-system failure kept apart from a malformed file.
pub(crate) fn csv_error(error: ArrowError, path: &Path) -> DataError {
    match error {
        ArrowError::IoError(_, source) if source.kind() != io::ErrorKind::InvalidData => {
            DataError::io(source, path)
        }
        source => DataError::Csv {
            source,
            path: path.to_path_buf(),
        },
    }
}
