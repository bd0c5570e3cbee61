//! (Geo)Parquet → [`Dataset`] through the shared table path, after a check of the footer's
//! column chunk layout (see [`check`]).

pub(crate) mod check;

use std::path::Path;
use std::sync::Arc;

use loupe_core::Dataset;
use parquet::file::metadata::ParquetMetaData;

use crate::report::{FileFormat, FileReport};
use crate::table::{key_values, read_table};
use crate::{DataError, ReadOptions};

/// Most rows decoded at a time: large enough that per-batch overhead vanishes, small enough
/// that a `limit` stops the decoder soon after it is reached.
const MAX_BATCH_ROWS: usize = 8192;
/// Aim for decoded batches of about this size, so that rows of 196,608 values (Clay patch
/// embeddings) come a few at a time instead of 8192 × 768 KiB at once.
const BATCH_BYTES: usize = 64 << 20;

/// Reads a Parquet file; the file's key/value metadata goes into the report.
pub(crate) fn read_parquet(
    path: &Path,
    options: &ReadOptions,
) -> Result<(Dataset, FileReport), DataError> {
    let mut report = FileReport::new(FileFormat::Parquet);
    let builder = check::open_checked(path)?;
    let schema = Arc::clone(builder.schema());
    report.key_values = key_values(schema.metadata().iter());

    let file_rows = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    if file_rows == 0 || options.limit == Some(0) {
        return Err(DataError::no_rows(path));
    }
    let batch_rows = batch_rows(builder.metadata());
    let mut builder = builder.with_batch_size(batch_rows);
    if let Some(limit) = options.limit {
        builder = builder.with_limit(limit);
    }
    let reader = builder.build().map_err(|e| DataError::parquet(e, path))?;
    let batches = reader.map(|batch| batch.map_err(|e| DataError::arrow(e, path)));
    let dataset = read_table(path, &schema, batches, file_rows, options, &mut report)?;
    Ok((dataset, report))
}

/// Rows per decoded batch, from the first row group's uncompressed bytes per row.
fn batch_rows(metadata: &ParquetMetaData) -> usize {
    let Some(group) = metadata.row_groups().first() else {
        return MAX_BATCH_ROWS;
    };
    let rows = usize::try_from(group.num_rows()).unwrap_or(0).max(1);
    let bytes = usize::try_from(group.total_byte_size()).unwrap_or(0);
    let bytes_per_row = (bytes / rows).max(1);
    (BATCH_BYTES / bytes_per_row).clamp(1, MAX_BATCH_ROWS)
}
