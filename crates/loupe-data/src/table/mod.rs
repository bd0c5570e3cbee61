//! Arrow record batches → [`Dataset`]: the one path Parquet, Arrow IPC and CSV share.
//!
//! A reader opens its file, hands over the schema and an iterator of batches, and this module
//! chooses the vector column(s) (see [`choose`]), streams every batch's vectors into one
//! buffer, keeps the other columns as metadata (less the rows dropped), and stops at the limit.

mod choose;
mod extract;
mod json_array;

use std::collections::BTreeMap;
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use arrow_select::concat::concat_batches;
use arrow_select::filter::filter_record_batch;
use loupe_core::Dataset;

pub(crate) use choose::{VectorSource, choose_vectors};

use crate::assemble::{finish_dataset, keep_mask};
use crate::report::FileReport;
use crate::sink::RowSink;
use crate::table::extract::Extractor;
use crate::{DataError, ReadOptions};

/// Reads a table whose vector column(s) are still to be chosen.
///
/// `expected_rows` is the row count the file promises, or 0 when unknown; it only sizes the
/// vector buffer. Files with no rows at all fail with [`DataError::NoRows`] before the
/// columns are looked at, so an empty file never reads as "no vector column".
pub(crate) fn read_table(
    path: &Path,
    schema: &Schema,
    mut batches: impl Iterator<Item = Result<RecordBatch, DataError>>,
    expected_rows: usize,
    options: &ReadOptions,
    report: &mut FileReport,
) -> Result<Dataset, DataError> {
    let Some(first) = first_rows(&mut batches, options.limit)? else {
        return Err(DataError::no_rows(path));
    };
    let source = choose_vectors(schema, Some(&first), options, path)?;
    let batches = std::iter::once(Ok(first)).chain(batches);
    read_chosen(
        path,
        schema,
        &source,
        batches,
        expected_rows,
        options,
        report,
    )
}

/// The first batch with rows, or `None` when the table is empty (or the limit is 0).
pub(crate) fn first_rows(
    batches: &mut impl Iterator<Item = Result<RecordBatch, DataError>>,
    limit: Option<usize>,
) -> Result<Option<RecordBatch>, DataError> {
    if limit == Some(0) {
        return Ok(None);
    }
    for batch in batches {
        let batch = batch?;
        if batch.num_rows() > 0 {
            return Ok(Some(batch));
        }
    }
    Ok(None)
}

/// Reads a table whose vectors are in `source`; every other column becomes metadata.
pub(crate) fn read_chosen(
    path: &Path,
    schema: &Schema,
    source: &VectorSource,
    batches: impl Iterator<Item = Result<RecordBatch, DataError>>,
    expected_rows: usize,
    options: &ReadOptions,
    report: &mut FileReport,
) -> Result<Dataset, DataError> {
    let label = source.label(schema);
    report.vector_columns = source
        .indices()
        .iter()
        .map(|&i| schema.field(i).name().clone())
        .collect();
    let mut is_vector = vec![false; schema.fields().len()];
    for &i in source.indices() {
        is_vector[i] = true;
    }
    let metadata_indices: Vec<usize> = (0..is_vector.len()).filter(|&i| !is_vector[i]).collect();
    let metadata_schema = schema
        .project(&metadata_indices)
        .map_err(|e| DataError::arrow(e, path))?;
    let expected = options
        .limit
        .map_or(expected_rows, |l| l.min(expected_rows));
    let mut sink = RowSink::new(&label, path, options, expected);
    let mut extractor = Extractor::new(source, &label, path);
    let mut metadata = Vec::new();
    for batch in batches {
        let mut batch = batch?;
        let remaining = options
            .limit
            .map_or(usize::MAX, |limit| limit.saturating_sub(sink.rows_seen()));
        if remaining == 0 {
            break;
        }
        if batch.num_rows() > remaining {
            batch = batch.slice(0, remaining);
        }
        let first_row = sink.rows_seen();
        let dropped_before = sink.dropped().len();
        extractor.push_batch(batch.columns(), &mut sink)?;
        if sink.failing() {
            // The read will fail once the count is complete; keep no metadata meanwhile.
            metadata.clear();
            continue;
        }
        let mut kept = batch
            .project(&metadata_indices)
            .map_err(|e| DataError::arrow(e, path))?;
        let dropped_here = &sink.dropped()[dropped_before..];
        if let Some(keep) = keep_mask(first_row, batch.num_rows(), dropped_here) {
            kept = filter_record_batch(&kept, &keep).map_err(|e| DataError::arrow(e, path))?;
        }
        metadata.push(kept);
    }
    let vectors = sink.finish()?;
    let metadata = concat_batches(&metadata_schema.into(), &metadata)
        .map_err(|e| DataError::arrow(e, path))?;
    finish_dataset(path, &label, vectors, metadata, report)
}

/// A file's key/value metadata for the report, less Arrow's own serialised schema.
pub(crate) fn key_values<'a>(
    pairs: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .filter(|(key, _)| key.as_str() != "ARROW:schema")
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}
