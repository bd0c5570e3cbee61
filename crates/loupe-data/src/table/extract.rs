//! One Arrow batch's vectors → the [`RowSink`], for each place a table can keep them.
//!
//! List columns are copied by slicing the child's contiguous float buffer at the list's
//! offsets — one `extend_from_slice` per row, not a virtual call per element. Wide tables and
//! JSON text are gathered into one reused row buffer. Nothing allocates per value.

use std::ops::Range;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{
    Array, ArrayRef, FixedSizeListArray, Float32Array, GenericListArray, OffsetSizeTrait,
};
use arrow_schema::{ArrowError, DataType};

use crate::DataError;
use crate::describe::type_name;
use crate::report::DropReason;
use crate::sink::RowSink;
use crate::table::choose::VectorSource;
use crate::table::json_array::{Cell, parse_array};

/// Turns batches into rows for the sink, keeping one scratch row between batches.
pub(crate) struct Extractor<'a> {
    source: &'a VectorSource,
    /// The vectors' name, for messages.
    label: &'a str,
    path: &'a Path,
    row: Vec<f32>,
}

impl<'a> Extractor<'a> {
    pub(crate) fn new(source: &'a VectorSource, label: &'a str, path: &'a Path) -> Self {
        Self {
            source,
            label,
            path,
            row: Vec::new(),
        }
    }

    /// Pushes every row of `columns` (the batch's columns, all of them) into `sink`.
    pub(crate) fn push_batch(
        &mut self,
        columns: &[ArrayRef],
        sink: &mut RowSink,
    ) -> Result<(), DataError> {
        let column = |i: usize| {
            columns
                .get(i)
                .ok_or_else(|| self.invalid(format!("the batch has no column {i}")))
        };
        match self.source {
            VectorSource::List(i) => {
                let array = column(*i)?;
                match array.data_type() {
                    DataType::List(_) => self.push_list(array.as_list::<i32>(), sink),
                    DataType::LargeList(_) => self.push_list(array.as_list::<i64>(), sink),
                    DataType::FixedSizeList(..) => {
                        self.push_fixed(array.as_fixed_size_list(), sink)
                    }
                    other => Err(self.not_vectors(other)),
                }
            }
            VectorSource::Text(i) => {
                let array = column(*i)?;
                match array.data_type() {
                    DataType::Utf8 => self.push_texts(array.as_string::<i32>().iter(), sink),
                    DataType::LargeUtf8 => self.push_texts(array.as_string::<i64>().iter(), sink),
                    DataType::Utf8View => self.push_texts(array.as_string_view().iter(), sink),
                    other => Err(self.not_vectors(other)),
                }
            }
            VectorSource::Wide(indices) => {
                let arrays = indices
                    .iter()
                    .map(|&i| column(i).and_then(|a| self.floats(a)))
                    .collect::<Result<Vec<_>, _>>()?;
                self.push_wide(&arrays, sink)
            }
        }
    }

    fn push_list<O: OffsetSizeTrait>(
        &mut self,
        list: &GenericListArray<O>,
        sink: &mut RowSink,
    ) -> Result<(), DataError> {
        let child = self.floats(list.values())?;
        let floats = child.as_primitive::<Float32Type>();
        for (i, bounds) in list.value_offsets().windows(2).enumerate() {
            let (start, end) = (bounds[0].as_usize(), bounds[1].as_usize());
            self.push_slice(sink, list.is_null(i), floats, start..end)?;
        }
        Ok(())
    }

    fn push_fixed(
        &mut self,
        list: &FixedSizeListArray,
        sink: &mut RowSink,
    ) -> Result<(), DataError> {
        let child = self.floats(list.values())?;
        let floats = child.as_primitive::<Float32Type>();
        let len = usize::try_from(list.value_length()).unwrap_or(0);
        for i in 0..list.len() {
            let start = list.value_offset_at(i);
            self.push_slice(sink, list.is_null(i), floats, start..start + len)?;
        }
        Ok(())
    }

    fn push_texts<'t>(
        &mut self,
        cells: impl Iterator<Item = Option<&'t str>>,
        sink: &mut RowSink,
    ) -> Result<(), DataError> {
        for cell in cells {
            match cell.map_or(Cell::Null, |text| parse_array(text, &mut self.row)) {
                Cell::Values => sink.push(&self.row)?,
                Cell::Null => sink.reject(DropReason::NullVector),
                Cell::HasNull => sink.reject(DropReason::NullValue),
                Cell::Malformed => sink.reject(DropReason::Malformed),
            }
        }
        Ok(())
    }

    /// Gathers row `r` from every column; `arrays` are already `Float32`.
    fn push_wide(&mut self, arrays: &[ArrayRef], sink: &mut RowSink) -> Result<(), DataError> {
        let columns: Vec<&[f32]> = arrays
            .iter()
            .map(|a| a.as_primitive::<Float32Type>().values().as_ref())
            .collect();
        let with_nulls: Vec<&ArrayRef> = arrays.iter().filter(|a| a.null_count() > 0).collect();
        let rows = arrays.first().map_or(0, Array::len);
        for r in 0..rows {
            let nulls = with_nulls.iter().filter(|a| a.is_null(r)).count();
            if nulls == arrays.len() {
                sink.reject(DropReason::NullVector);
            } else if nulls > 0 {
                sink.reject(DropReason::NullValue);
            } else {
                self.row.clear();
                self.row.extend(columns.iter().map(|c| c[r]));
                sink.push(&self.row)?;
            }
        }
        Ok(())
    }

    /// A numeric array as `Float32`, converting other widths in one vectorised cast.
    fn floats(&self, array: &ArrayRef) -> Result<ArrayRef, DataError> {
        match array.data_type() {
            DataType::Float32 => Ok(ArrayRef::clone(array)),
            other if other.is_integer() || other.is_floating() => {
                arrow_cast::cast::cast(array, &DataType::Float32)
                    .map_err(|e| DataError::arrow(e, self.path))
            }
            other => Err(self.not_vectors(other)),
        }
    }

    fn not_vectors(&self, data_type: &DataType) -> DataError {
        DataError::NotVectorColumn {
            column: self.label.to_owned(),
            data_type: type_name(data_type),
            path: self.path.to_path_buf(),
        }
    }

    /// Arrow arrays that break their own invariants; validated arrays never do.
    fn invalid(&self, message: String) -> DataError {
        DataError::arrow(ArrowError::InvalidArgumentError(message), self.path)
    }

    /// One list row: dropped when null or holding a null, else pushed.
    fn push_slice(
        &self,
        sink: &mut RowSink,
        is_null: bool,
        child: &Float32Array,
        range: Range<usize>,
    ) -> Result<(), DataError> {
        if is_null {
            sink.reject(DropReason::NullVector);
            return Ok(());
        }
        let Some(row) = child.values().get(range.clone()) else {
            return Err(self.invalid(format!("list offsets {range:?} lie outside the values")));
        };
        if child.null_count() > 0 && range.into_iter().any(|j| child.is_null(j)) {
            sink.reject(DropReason::NullValue);
            return Ok(());
        }
        sink.push(row)
    }
}
