//! The last step of every reader: vectors + metadata → [`Dataset`], and the report filled in.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{BooleanArray, RecordBatch, RecordBatchOptions};
use arrow_schema::Schema;
use loupe_core::Dataset;

use crate::DataError;
use crate::report::{DroppedRow, FileReport, SKIPPED_NULL_VECTORS_KEY};
use crate::sink::Vectors;

/// Builds the dataset named after the file and moves the sink's findings into `report`.
///
/// `metadata` must already lack the dropped rows. When rows without a vector were dropped,
/// their count is also written into the metadata schema so that
/// [`skipped_null_vectors`](crate::skipped_null_vectors) works on the bare dataset.
pub(crate) fn finish_dataset(
    path: &Path,
    label: &str,
    vectors: Vectors,
    metadata: RecordBatch,
    report: &mut FileReport,
) -> Result<Dataset, DataError> {
    report.source_dim = vectors.source_dim;
    report.rows_read = vectors.rows_read;
    report.dropped = vectors.dropped;
    let null_vectors = report.null_vectors();
    let metadata = if null_vectors == 0 {
        metadata
    } else {
        let mut schema = Schema::clone(&metadata.schema());
        schema.metadata.insert(
            SKIPPED_NULL_VECTORS_KEY.to_owned(),
            null_vectors.to_string(),
        );
        let rows = RecordBatchOptions::new().with_row_count(Some(metadata.num_rows()));
        RecordBatch::try_new_with_options(Arc::new(schema), metadata.columns().to_vec(), &rows)
            .map_err(|e| DataError::arrow(e, path))?
    };
    Dataset::new(
        file_name(path),
        label,
        vectors.values,
        vectors.dim,
        metadata,
    )
    .map_err(|e| DataError::dataset(e, label, path))
}

/// `true` for the rows `first_row .. first_row + len` of the file that were kept, given the
/// dropped rows in file order; `None` when none of them was dropped (nothing to filter).
pub(crate) fn keep_mask(
    first_row: usize,
    len: usize,
    dropped: &[DroppedRow],
) -> Option<BooleanArray> {
    let end = first_row + len;
    let start = dropped.partition_point(|d| d.row < first_row);
    let inside = dropped[start..].iter().take_while(|d| d.row < end);
    let mut keep: Option<Vec<bool>> = None;
    for d in inside {
        keep.get_or_insert_with(|| vec![true; len])[d.row - first_row] = false;
    }
    keep.map(BooleanArray::from)
}

/// The name a dataset is shown under: the file name, or the whole path if it has none.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DropReason;

    #[test]
    fn masks_cover_only_their_rows() {
        let dropped: Vec<DroppedRow> = [1, 5, 6, 12]
            .into_iter()
            .map(|row| DroppedRow {
                row,
                reason: DropReason::NullVector,
            })
            .collect();
        assert_eq!(keep_mask(7, 5, &dropped), None);
        let mask = keep_mask(4, 4, &dropped).expect("rows 5 and 6");
        assert_eq!(mask, BooleanArray::from(vec![true, false, false, true]));
    }
}
