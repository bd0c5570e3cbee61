//! Stacking datasets row-wise: several files of one folder, or new rows projected into an
//! existing layout. Columns are matched by name, so files whose schemas differ still stack.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, new_null_array};
use arrow_schema::{ArrowError, DataType, Field, Schema};

use crate::{Dataset, DatasetError};

impl Dataset {
    /// The rows of `parts`, in order, as one dataset named `name`.
    ///
    /// Vectors must all have the same dimension. Metadata columns are matched by name, in
    /// first-seen order; a part that lacks a column gets nulls there, and a column whose type
    /// differs between parts becomes text (every Arrow type has a display form), so nothing
    /// is dropped. The vector column's name and image shape come from the first part.
    pub fn concat(name: impl Into<String>, parts: &[&Dataset]) -> Result<Self, DatasetError> {
        let Some(first) = parts.first() else {
            return Err(DatasetError::NoParts);
        };
        let dim = first.dim();
        if let Some((index, other)) = parts.iter().enumerate().find(|(_, p)| p.dim() != dim) {
            return Err(DatasetError::DimensionMismatch {
                part: index,
                dim: other.dim(),
                expected: dim,
            });
        }
        let n_rows: usize = parts.iter().map(|p| p.n_rows()).sum();
        let mut vectors = Vec::with_capacity(n_rows * dim);
        for part in parts {
            vectors.extend_from_slice(part.vectors());
        }
        let metadata = concat_metadata(parts, n_rows).map_err(DatasetError::Arrow)?;
        Ok(
            Self::new(name, first.vector_column(), vectors, dim, metadata)?
                .with_image_shape(first.image_shape()),
        )
    }

    /// This dataset with one more metadata column (replacing one of the same name), e.g. a
    /// flag telling projected rows from the reference.
    pub fn with_column(mut self, name: &str, values: ArrayRef) -> Result<Self, DatasetError> {
        if values.len() != self.n_rows() {
            return Err(DatasetError::RowMismatch {
                metadata_rows: values.len(),
                vector_rows: self.n_rows(),
            });
        }
        let schema = self.metadata.schema();
        let mut fields: Vec<Arc<Field>> = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (field, column) in schema.fields().iter().zip(self.metadata.columns()) {
            if field.name() != name {
                fields.push(Arc::clone(field));
                columns.push(Arc::clone(column));
            }
        }
        fields.push(Arc::new(Field::new(name, values.data_type().clone(), true)));
        columns.push(values);
        let schema = Schema::new_with_metadata(fields, schema.metadata().clone());
        self.metadata =
            RecordBatch::try_new(Arc::new(schema), columns).map_err(DatasetError::Arrow)?;
        Ok(self)
    }
}

/// The parts' metadata stacked by column name.
fn concat_metadata(parts: &[&Dataset], n_rows: usize) -> Result<RecordBatch, ArrowError> {
    // Union of the columns, in first-seen order, with each one's type (None: types differ).
    let mut columns: Vec<(String, Option<DataType>)> = Vec::new();
    for part in parts {
        for field in part.metadata().schema().fields() {
            match columns.iter_mut().find(|(name, _)| name == field.name()) {
                Some((_, ty)) => {
                    if ty.as_ref().is_some_and(|t| t != field.data_type()) {
                        *ty = None;
                    }
                }
                None => columns.push((field.name().clone(), Some(field.data_type().clone()))),
            }
        }
    }
    if columns.is_empty() {
        return Ok(RecordBatch::new_empty(Arc::new(Schema::empty())));
    }
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays = Vec::with_capacity(columns.len());
    for (name, ty) in &columns {
        let ty = ty.clone().unwrap_or(DataType::Utf8);
        let mut pieces: Vec<ArrayRef> = Vec::with_capacity(parts.len());
        for part in parts {
            let piece = match part.metadata().column_by_name(name) {
                Some(column) if column.data_type() == &ty => Arc::clone(column),
                Some(column) => arrow_cast::cast(column, &ty)?,
                None => new_null_array(&ty, part.n_rows()),
            };
            pieces.push(piece);
        }
        let refs: Vec<&dyn Array> = pieces.iter().map(AsRef::as_ref).collect();
        let array = arrow_select::concat::concat(&refs)?;
        debug_assert_eq!(array.len(), n_rows);
        fields.push(Field::new(name, ty, true));
        arrays.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    use arrow_array::{BooleanArray, Int32Array, Int64Array, StringArray};

    use super::*;

    fn part(name: &str, rows: usize, offset: f32, columns: Vec<(&str, ArrayRef)>) -> Dataset {
        let vectors = (0..rows * 2).map(|i| offset + i as f32).collect();
        let fields: Vec<Field> = columns
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect();
        let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
        let batch = if arrays.is_empty() {
            RecordBatch::new_empty(Arc::new(Schema::empty()))
        } else {
            RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).expect("batch")
        };
        Dataset::new(name, "embedding", vectors, 2, batch).expect("dataset")
    }

    #[test]
    fn stacks_rows_and_matches_columns_by_name() {
        let a = part(
            "a",
            2,
            0.0,
            vec![
                ("label", Arc::new(Int32Array::from(vec![1, 2]))),
                ("city", Arc::new(StringArray::from(vec!["x", "y"]))),
            ],
        );
        let b = part(
            "b",
            3,
            100.0,
            vec![
                ("label", Arc::new(Int64Array::from(vec![3, 4, 5]))),
                ("extra", Arc::new(Int32Array::from(vec![7, 8, 9]))),
            ],
        );
        let both = Dataset::concat("both", &[&a, &b]).expect("concat");
        assert_eq!(both.n_rows(), 5);
        assert_eq!(both.row(1), &[2.0, 3.0]);
        assert_eq!(both.row(2), &[100.0, 101.0]);
        assert_eq!(both.column_names(), ["label", "city", "extra"]);
        let m = both.metadata();
        // int32 vs int64: kept as text rather than lost.
        let label = m.column(0).as_string::<i32>();
        assert_eq!(
            (0..5).map(|i| label.value(i)).collect::<Vec<_>>(),
            ["1", "2", "3", "4", "5"]
        );
        assert_eq!(m.column(1).null_count(), 3, "b has no city");
        let extra = m.column(2).as_primitive::<Int32Type>();
        assert!(extra.is_null(0) && extra.is_null(1));
        assert_eq!(extra.value(4), 9);
    }

    #[test]
    fn refuses_mixed_dimensions_and_adds_columns() {
        let a = part("a", 2, 0.0, vec![]);
        let c = Dataset::new(
            "c",
            "v",
            vec![0.0; 3],
            3,
            RecordBatch::new_empty(Arc::new(Schema::empty())),
        )
        .expect("dataset");
        assert!(matches!(
            Dataset::concat("x", &[&a, &c]),
            Err(DatasetError::DimensionMismatch {
                part: 1,
                dim: 3,
                expected: 2
            })
        ));
        assert!(matches!(
            Dataset::concat("x", &[]),
            Err(DatasetError::NoParts)
        ));
        let flagged = a
            .with_column("projected", Arc::new(BooleanArray::from(vec![false, true])))
            .expect("column");
        assert_eq!(flagged.column_names(), ["projected"]);
        assert!(flagged.categories("projected").is_some());
        let wrong = flagged.with_column("x", Arc::new(BooleanArray::from(vec![true])));
        assert!(matches!(wrong, Err(DatasetError::RowMismatch { .. })));
    }
}
