//! Copying an Arrow list-of-floats column into one row-major `f32` buffer.
//!
//! The copy walks the list's offsets and slices the child's contiguous float buffer, one
//! `extend_from_slice` per row, instead of asking for each element through `dyn Array`: for
//! 768-d embeddings that is the difference between a memcpy and a million virtual calls.

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, ArrayRef, FixedSizeListArray, GenericListArray, OffsetSizeTrait};
use arrow_schema::DataType;

use crate::DataError;
use crate::error::type_name;

/// Whether a column can hold the vectors: a list of any float width.
pub(crate) fn is_float_list(data_type: &DataType) -> bool {
    match data_type {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            matches!(
                item.data_type(),
                DataType::Float16 | DataType::Float32 | DataType::Float64
            )
        }
        _ => false,
    }
}

/// Vectors gathered batch by batch, checked as they arrive so errors name the file's row.
pub(crate) struct VectorBuffer {
    column: String,
    path: PathBuf,
    values: Vec<f32>,
    /// Length of the first vector; every other vector must match it.
    dim: Option<usize>,
    /// Rows of the file seen so far, including skipped ones: the next row's number.
    rows: usize,
    /// Rows whose whole vector is null, left out.
    skipped: usize,
    /// How many rows the file says are coming, to allocate once.
    expected_rows: usize,
}

/// What a [`VectorBuffer`] gathered.
pub(crate) struct Vectors {
    /// Row-major `rows × dim` values.
    pub(crate) values: Vec<f32>,
    pub(crate) dim: usize,
    /// Rows left out because their vector was null.
    pub(crate) skipped: usize,
}

impl VectorBuffer {
    pub(crate) fn new(column: &str, path: &Path, expected_rows: usize) -> Self {
        Self {
            column: column.to_owned(),
            path: path.to_path_buf(),
            values: Vec::new(),
            dim: None,
            rows: 0,
            skipped: 0,
            expected_rows,
        }
    }

    /// Appends one batch's worth of the vector column.
    pub(crate) fn append(&mut self, array: &ArrayRef) -> Result<(), DataError> {
        match array.data_type() {
            DataType::List(_) => self.append_list(array.as_list::<i32>()),
            DataType::LargeList(_) => self.append_list(array.as_list::<i64>()),
            DataType::FixedSizeList(..) => self.append_fixed(array.as_fixed_size_list()),
            other => Err(DataError::NotVectorColumn {
                column: self.column.clone(),
                data_type: type_name(other),
                path: self.path.clone(),
            }),
        }
    }

    /// The vectors, once every batch is in.
    pub(crate) fn finish(self) -> Result<Vectors, DataError> {
        match self.dim {
            None if self.skipped > 0 => Err(DataError::AllVectorsNull {
                column: self.column,
                rows: self.skipped,
                path: self.path,
            }),
            None => Err(DataError::NoRows { path: self.path }),
            Some(dim) => Ok(Vectors {
                values: self.values,
                dim,
                skipped: self.skipped,
            }),
        }
    }

    fn append_list<O: OffsetSizeTrait>(
        &mut self,
        list: &GenericListArray<O>,
    ) -> Result<(), DataError> {
        let child = self.floats(list.values())?;
        let floats = child.as_primitive::<Float32Type>();
        let values: &[f32] = floats.values();
        for (i, bounds) in list.value_offsets().windows(2).enumerate() {
            let (start, end) = (bounds[0].as_usize(), bounds[1].as_usize());
            self.push_row(list.is_null(i), floats, &values[start..end], start)?;
        }
        Ok(())
    }

    fn append_fixed(&mut self, list: &FixedSizeListArray) -> Result<(), DataError> {
        let child = self.floats(list.values())?;
        let floats = child.as_primitive::<Float32Type>();
        let values: &[f32] = floats.values();
        let len = list.value_length() as usize;
        for i in 0..list.len() {
            let start = list.value_offset_at(i);
            self.push_row(list.is_null(i), floats, &values[start..start + len], start)?;
        }
        Ok(())
    }

    /// Checks and copies one row, or skips it when its whole vector is null (a row that was
    /// never embedded, common in real files); `start` locates `row` in `child`.
    fn push_row(
        &mut self,
        is_null: bool,
        child: &dyn Array,
        row: &[f32],
        start: usize,
    ) -> Result<(), DataError> {
        if is_null {
            self.skipped += 1;
            self.rows += 1;
            return Ok(());
        }
        if child.null_count() > 0 && (start..start + row.len()).any(|j| child.is_null(j)) {
            return Err(DataError::NullVector {
                column: self.column.clone(),
                row: self.rows,
                path: self.path.clone(),
            });
        }
        // Checked here rather than left to `Dataset::new` so the row is the file's row even
        // after skipped rows.
        if !row.iter().all(|v| v.is_finite()) {
            return Err(DataError::NonFinite {
                column: self.column.clone(),
                row: self.rows,
                path: self.path.clone(),
            });
        }
        match self.dim {
            None => {
                self.dim = Some(row.len());
                let additional = self.expected_rows.saturating_mul(row.len());
                // Only a hint from the file's metadata: on failure we grow as rows arrive.
                let _ = self.values.try_reserve_exact(additional);
            }
            Some(dim) if dim != row.len() => {
                return Err(DataError::RaggedVector {
                    column: self.column.clone(),
                    row: self.rows,
                    len: row.len(),
                    expected: dim,
                    path: self.path.clone(),
                });
            }
            Some(_) => {}
        }
        self.values.extend_from_slice(row);
        self.rows += 1;
        Ok(())
    }

    /// The list's child as `Float32`, converting `Float16`/`Float64` in one vectorised cast.
    fn floats(&self, child: &ArrayRef) -> Result<ArrayRef, DataError> {
        match child.data_type() {
            DataType::Float32 => Ok(ArrayRef::clone(child)),
            DataType::Float16 | DataType::Float64 => {
                arrow_cast::cast::cast(child, &DataType::Float32)
                    .map_err(|e| DataError::arrow(e, &self.path))
            }
            other => Err(DataError::NotVectorColumn {
                column: self.column.clone(),
                data_type: format!("list<{}>", type_name(other)),
                path: self.path.clone(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::types::Float64Type;
    use arrow_array::{ListArray, StringArray};
    use std::sync::Arc;

    fn list(rows: Vec<Option<Vec<Option<f64>>>>) -> ArrayRef {
        Arc::new(ListArray::from_iter_primitive::<Float64Type, _, _>(rows))
    }

    #[test]
    fn copies_rows_and_converts_widths() {
        let mut buf = VectorBuffer::new("v", Path::new("f"), 2);
        buf.append(&list(vec![Some(vec![Some(1.0), Some(2.0)])]))
            .expect("first batch");
        buf.append(&list(vec![Some(vec![Some(3.0), Some(4.5)])]))
            .expect("second batch");
        let vectors = buf.finish().expect("rows");
        assert_eq!(vectors.values, [1.0, 2.0, 3.0, 4.5]);
        assert_eq!((vectors.dim, vectors.skipped), (2, 0));
    }

    #[test]
    fn errors_count_file_rows_across_batches_and_skips() {
        let mut buf = VectorBuffer::new("v", Path::new("f"), 3);
        buf.append(&list(vec![Some(vec![Some(1.0)]), None]))
            .expect("null rows are skipped");
        let err = buf
            .append(&list(vec![Some(vec![Some(1.0)]), Some(vec![None])]))
            .expect_err("null value");
        assert!(matches!(err, DataError::NullVector { row: 3, .. }), "{err}");
        let mut buf = VectorBuffer::new("v", Path::new("f"), 3);
        let err = buf
            .append(&list(vec![None, Some(vec![Some(f64::INFINITY)])]))
            .expect_err("infinite");
        assert!(matches!(err, DataError::NonFinite { row: 1, .. }), "{err}");
    }

    #[test]
    fn all_null_is_an_error() {
        let mut buf = VectorBuffer::new("v", Path::new("f"), 2);
        buf.append(&list(vec![None, None])).expect("skipped");
        assert!(matches!(
            buf.finish(),
            Err(DataError::AllVectorsNull { rows: 2, .. })
        ));
    }

    #[test]
    fn rejects_non_lists_and_empty_input() {
        let mut buf = VectorBuffer::new("v", Path::new("f"), 0);
        let strings: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
        assert!(matches!(
            buf.append(&strings),
            Err(DataError::NotVectorColumn { .. })
        ));
        assert!(matches!(buf.finish(), Err(DataError::NoRows { .. })));
        assert!(is_float_list(&DataType::new_list(DataType::Float16, true)));
        assert!(!is_float_list(&DataType::new_list(DataType::Int64, true)));
    }
}
