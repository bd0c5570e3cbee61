//! Picking rows out of a dataset: the selected points of a lasso, a category, a search hit,
//! as a dataset of their own that every writer and engine takes like any other.

use arrow_array::UInt32Array;

use crate::{Dataset, DatasetError};

impl Dataset {
    /// The rows `rows`, in the order given (repeats allowed), as a new dataset.
    ///
    /// The vectors are gathered into a new buffer; the metadata columns are taken with
    /// Arrow's `take` kernel, so every column type survives, and the schema's key/value
    /// metadata (a GeoParquet `geo` declaration, the skipped-row count) stays on it, as do the
    /// name, the vector column's name and the image shape. An index past the last row is
    /// [`DatasetError::RowOutOfRange`]; nothing is taken then.
    pub fn take_rows(&self, rows: &[usize]) -> Result<Self, DatasetError> {
        let n_rows = self.n_rows();
        if let Some(&row) = rows.iter().find(|&&row| row >= n_rows) {
            return Err(DatasetError::RowOutOfRange { row, n_rows });
        }
        let dim = self.dim();
        let mut vectors = Vec::with_capacity(rows.len() * dim);
        for &row in rows {
            vectors.extend_from_slice(self.row(row));
        }
        let metadata = if self.metadata.num_columns() == 0 {
            // A batch without columns carries no rows to take; it fits any row count.
            self.metadata.clone()
        } else {
            let indices = rows
                .iter()
                .map(|&row| {
                    u32::try_from(row).map_err(|_| DatasetError::RowOutOfRange { row, n_rows })
                })
                .collect::<Result<UInt32Array, _>>()?;
            arrow_select::take::take_record_batch(&self.metadata, &indices)
                .map_err(DatasetError::Arrow)?
        };
        Ok(
            Self::new(self.name(), self.vector_column(), vectors, dim, metadata)?
                .with_image_shape(self.image_shape()),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{BinaryArray, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    fn dataset() -> Dataset {
        let geo = r#"{"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB"}}}"#;
        let schema = Schema::new_with_metadata(
            vec![
                Field::new("id", DataType::Int64, false),
                Field::new("name", DataType::Utf8, true),
                Field::new("geometry", DataType::Binary, true),
            ],
            HashMap::from([("geo".to_owned(), geo.to_owned())]),
        );
        let metadata = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int64Array::from(vec![10, 11, 12, 13])),
                Arc::new(StringArray::from(vec![
                    Some("a"),
                    None,
                    Some("c"),
                    Some("d"),
                ])),
                Arc::new(BinaryArray::from(vec![
                    Some(&[1_u8, 1][..]),
                    Some(&[1_u8, 2][..]),
                    None,
                    Some(&[1_u8, 4][..]),
                ])),
            ],
        )
        .unwrap();
        let vectors: Vec<f32> = (0..4 * 64).map(|i| i as f32).collect();
        Dataset::new("clay", "embeddings", vectors, 64, metadata)
            .unwrap()
            .with_image_shape(Some([8, 8]))
    }

    #[test]
    fn keeps_vectors_metadata_schema_metadata_and_shape() {
        let ds = dataset();
        let taken = ds.take_rows(&[3, 1, 3]).unwrap();
        assert_eq!(taken.n_rows(), 3);
        assert_eq!(taken.dim(), 64);
        assert_eq!(taken.row(0), ds.row(3));
        assert_eq!(taken.row(1), ds.row(1));
        assert_eq!(taken.row(2), ds.row(3));
        assert_eq!(
            (taken.name(), taken.vector_column()),
            ("clay", "embeddings")
        );
        assert_eq!(taken.image_shape(), Some([8, 8]));
        let m = taken.metadata();
        assert_eq!(m.num_rows(), 3);
        let ids: Vec<i64> = m.column(0).as_primitive::<Int64Type>().values().to_vec();
        assert_eq!(ids, [13, 11, 13]);
        assert!(m.column(1).is_null(1), "nulls are taken as nulls");
        let geometry = m.column(2).as_binary::<i32>();
        assert_eq!(geometry.value(0), &[1, 4]);
        assert_eq!(
            m.schema().metadata().get("geo"),
            ds.metadata().schema().metadata().get("geo"),
            "the geo declaration stays"
        );
        assert_eq!(ds.take_rows(&[]).unwrap().n_rows(), 0);
    }

    #[test]
    fn refuses_rows_past_the_end() {
        let ds = dataset();
        assert!(matches!(
            ds.take_rows(&[0, 4]),
            Err(DatasetError::RowOutOfRange { row: 4, n_rows: 4 })
        ));
        let bare = Dataset::new(
            "t",
            "v",
            vec![1.0, 2.0, 3.0],
            1,
            RecordBatch::new_empty(Arc::new(Schema::empty())),
        )
        .unwrap();
        let taken = bare.take_rows(&[2, 0]).unwrap();
        assert_eq!(taken.vectors(), &[3.0, 1.0]);
        assert!(bare.take_rows(&[3]).is_err());
    }
}
