//! Where every reader puts its vectors: one contiguous row-major `f32` buffer, filled a row at
//! a time, with each row checked (length, nulls, NaN) and optionally mean-pooled on the way in.
//!
//! Readers decode a batch of rows into `f32` slices and hand them over one by one; the sink
//! never allocates per value or per row, so a million 768-d rows cost one growing `Vec`.

use std::path::{Path, PathBuf};

use crate::DataError;
use crate::options::{BadRows, ReadOptions};
use crate::report::{DropReason, DroppedRow, count_reasons};

/// How many bad rows an error lists by number; the rest are counted.
const LISTED_BAD_ROWS: usize = 8;

/// Vectors gathered row by row, checked as they arrive so problems name the file's row.
pub(crate) struct RowSink {
    /// The vector column(s), for messages.
    column: String,
    path: PathBuf,
    policy: BadRows,
    pool_to: Option<usize>,
    values: Vec<f32>,
    /// Length of the first non-null vector; every other vector must match it.
    source_dim: Option<usize>,
    /// The next row's number in the file (rows seen so far, kept or not).
    next_row: usize,
    kept: usize,
    dropped: Vec<DroppedRow>,
    /// Rows that make the read fail under [`BadRows::Stop`]: how many, and the first few.
    fatal: usize,
    fatal_first: Vec<DroppedRow>,
    /// Rows the file says are coming (0 when unknown), to allocate once.
    expected_rows: usize,
}

/// What a [`RowSink`] gathered.
#[derive(Debug)]
pub(crate) struct Vectors {
    /// Row-major `rows × dim` values.
    pub(crate) values: Vec<f32>,
    /// Values per vector after pooling.
    pub(crate) dim: usize,
    /// Values per vector in the file.
    pub(crate) source_dim: usize,
    /// Rows of the file seen, kept or not.
    pub(crate) rows_read: usize,
    /// The rows left out, in file order.
    pub(crate) dropped: Vec<DroppedRow>,
}

impl RowSink {
    pub(crate) fn new(
        column: &str,
        path: &Path,
        options: &ReadOptions,
        expected_rows: usize,
    ) -> Self {
        Self {
            column: column.to_owned(),
            path: path.to_path_buf(),
            policy: options.bad_rows,
            pool_to: options.mean_pool_to,
            values: Vec::new(),
            source_dim: None,
            next_row: 0,
            kept: 0,
            dropped: Vec::new(),
            fatal: 0,
            fatal_first: Vec::new(),
            expected_rows,
        }
    }

    /// The number the next row will get: rows seen so far.
    pub(crate) fn rows_seen(&self) -> usize {
        self.next_row
    }

    /// Rows dropped so far; readers compare it before and after a batch to filter metadata.
    pub(crate) fn dropped(&self) -> &[DroppedRow] {
        &self.dropped
    }

    /// Whether the read will fail anyway, so callers can skip work such as metadata.
    pub(crate) fn failing(&self) -> bool {
        self.fatal > 0
    }

    /// Takes one row's vector.
    ///
    /// Errors are about the file as a whole (empty vectors, a pooling size that does not fit);
    /// problems with this row alone are recorded and follow the [`BadRows`] policy.
    pub(crate) fn push(&mut self, row: &[f32]) -> Result<(), DataError> {
        let dim = match self.source_dim {
            Some(dim) => dim,
            None => self.start(row.len())?,
        };
        if row.len() != dim {
            self.reject(DropReason::Ragged {
                len: row.len(),
                expected: dim,
            });
        } else if !row.iter().all(|v| v.is_finite()) {
            self.reject(DropReason::NonFinite);
        } else {
            if self.fatal == 0 {
                self.append(row);
            }
            self.kept += 1;
            self.next_row += 1;
        }
        Ok(())
    }

    /// Records a row the reader found unusable before it had values (a null vector, a null
    /// inside it, unparsable text).
    pub(crate) fn reject(&mut self, reason: DropReason) {
        let dropped = DroppedRow {
            row: self.next_row,
            reason,
        };
        self.next_row += 1;
        if reason == DropReason::NullVector || self.policy == BadRows::Drop {
            self.dropped.push(dropped);
        } else {
            self.fatal += 1;
            if self.fatal_first.len() < LISTED_BAD_ROWS {
                self.fatal_first.push(dropped);
            }
        }
    }

    /// The vectors, once every row is in.
    pub(crate) fn finish(self) -> Result<Vectors, DataError> {
        if self.fatal > 0 {
            return Err(DataError::BadRows {
                column: self.column,
                count: self.fatal,
                first: self.fatal_first,
                path: self.path,
            });
        }
        if self.next_row == 0 {
            return Err(DataError::NoRows { path: self.path });
        }
        let Some(source_dim) = self.source_dim.filter(|_| self.kept > 0) else {
            return Err(DataError::AllRowsDropped {
                column: self.column,
                rows: self.next_row,
                summary: count_reasons(&self.dropped),
                path: self.path,
            });
        };
        let dim = self.pool_to.unwrap_or(source_dim);
        debug_assert_eq!(self.values.len(), self.kept * dim);
        Ok(Vectors {
            values: self.values,
            dim,
            source_dim,
            rows_read: self.next_row,
            dropped: self.dropped,
        })
    }

    /// Fixes the dimension from the first vector and allocates for the expected rows.
    fn start(&mut self, dim: usize) -> Result<usize, DataError> {
        if dim == 0 {
            return Err(DataError::ZeroDimension {
                column: self.column.clone(),
                path: self.path.clone(),
            });
        }
        let out_dim = match self.pool_to {
            Some(target) if target == 0 || !dim.is_multiple_of(target) => {
                return Err(DataError::PoolMismatch {
                    dim,
                    target,
                    path: self.path.clone(),
                });
            }
            Some(target) => target,
            None => dim,
        };
        self.source_dim = Some(dim);
        // Only a hint from the file's metadata: on failure we grow as rows arrive.
        let _ = self
            .values
            .try_reserve_exact(self.expected_rows.saturating_mul(out_dim));
        Ok(dim)
    }

    /// Copies a checked row, or its mean over consecutive chunks of `pool_to` values.
    fn append(&mut self, row: &[f32]) {
        let Some(target) = self.pool_to else {
            self.values.extend_from_slice(row);
            return;
        };
        // `start` guaranteed 0 < target and target divides row.len().
        let (first, rest) = row.split_at(target);
        let begin = self.values.len();
        self.values.extend_from_slice(first);
        let pooled = &mut self.values[begin..];
        for chunk in rest.chunks_exact(target) {
            for (sum, v) in pooled.iter_mut().zip(chunk) {
                *sum += v;
            }
        }
        let chunks = (row.len() / target) as f32;
        for sum in pooled {
            *sum /= chunks;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sink(options: &ReadOptions) -> RowSink {
        RowSink::new("v", Path::new("f.csv"), options, 4)
    }

    #[test]
    fn copies_rows_and_counts_file_rows() {
        let mut buf = sink(&ReadOptions::default());
        buf.push(&[1.0, 2.0]).expect("row");
        buf.reject(DropReason::NullVector);
        buf.push(&[3.0, 4.5]).expect("row");
        let v = buf.finish().expect("rows");
        assert_eq!(v.values, [1.0, 2.0, 3.0, 4.5]);
        assert_eq!((v.dim, v.source_dim, v.rows_read), (2, 2, 3));
        assert_eq!(
            v.dropped,
            [DroppedRow {
                row: 1,
                reason: DropReason::NullVector
            }]
        );
    }

    #[test]
    fn stop_lists_every_bad_row_after_scanning_all() {
        let mut buf = sink(&ReadOptions::default());
        buf.push(&[1.0, 2.0]).expect("row");
        buf.push(&[f32::NAN, 2.0]).expect("recorded");
        buf.push(&[1.0]).expect("recorded");
        buf.push(&[f32::INFINITY, 0.0]).expect("recorded");
        let err = buf.finish().expect_err("bad rows");
        let DataError::BadRows { count, first, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(*count, 3);
        let rows: Vec<usize> = first.iter().map(|d| d.row).collect();
        assert_eq!(rows, [1, 2, 3]);
    }

    #[test]
    fn drop_keeps_the_good_rows() {
        let options = ReadOptions {
            bad_rows: BadRows::Drop,
            ..ReadOptions::default()
        };
        let mut buf = sink(&options);
        buf.push(&[f32::NAN, 2.0]).expect("dropped");
        buf.push(&[1.0, 2.0]).expect("row");
        buf.reject(DropReason::NullValue);
        let v = buf.finish().expect("rows");
        assert_eq!(v.values, [1.0, 2.0]);
        assert_eq!(v.dropped.len(), 2);
        let mut buf = sink(&options);
        buf.push(&[f32::NAN, 2.0]).expect("dropped");
        let err = buf.finish().expect_err("nothing left");
        assert!(err.to_string().contains("1 with NaN or infinity"), "{err}");
    }

    #[test]
    fn pooling_averages_patches_channel_by_channel() {
        let options = ReadOptions {
            mean_pool_to: Some(2),
            ..ReadOptions::default()
        };
        let mut buf = sink(&options);
        // Three patches of two channels: channel 0 = 1, 3, 8; channel 1 = 2, 4, 6.
        buf.push(&[1.0, 2.0, 3.0, 4.0, 8.0, 6.0]).expect("row");
        let v = buf.finish().expect("rows");
        assert_eq!(v.values, [4.0, 4.0]);
        assert_eq!((v.dim, v.source_dim), (2, 6));
        let options = ReadOptions {
            mean_pool_to: Some(4),
            ..ReadOptions::default()
        };
        let err = sink(&options)
            .push(&[0.0; 6])
            .expect_err("6 is not a multiple of 4");
        assert!(matches!(
            err,
            DataError::PoolMismatch {
                dim: 6,
                target: 4,
                ..
            }
        ));
    }

    #[test]
    fn empty_input_and_empty_vectors() {
        assert!(matches!(
            sink(&ReadOptions::default()).finish(),
            Err(DataError::NoRows { .. })
        ));
        let err = sink(&ReadOptions::default()).push(&[]).expect_err("dim 0");
        assert!(matches!(err, DataError::ZeroDimension { .. }));
    }
}
