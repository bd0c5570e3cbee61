use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::DataType;

use crate::Categories;

/// Why a [`Dataset`] could not be assembled from its parts.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The vector buffer is not `n_rows × dim` long.
    #[error("vector buffer has {len} values, which is not a multiple of the dimension {dim}")]
    RaggedBuffer {
        /// Length of the buffer.
        len: usize,
        /// Declared dimension.
        dim: usize,
    },
    /// The metadata table and the vectors disagree on the number of rows.
    #[error("metadata has {metadata_rows} rows but there are {vector_rows} vectors")]
    RowMismatch {
        /// Rows in the metadata batch.
        metadata_rows: usize,
        /// Rows in the vector buffer.
        vector_rows: usize,
    },
    /// A vector holds NaN or ±∞, which no layout method can use.
    #[error("row {row} of the vectors holds a non-finite value (NaN or infinity)")]
    NonFinite {
        /// The first offending row.
        row: usize,
    },
    /// Zero-dimensional vectors carry no information to lay out.
    #[error("vectors have dimension 0")]
    ZeroDimension,
    /// Stacking needs at least one dataset.
    #[error("no datasets to stack")]
    NoParts,
    /// Rows of different widths cannot share one vector buffer.
    #[error("part {part} has {dim}-dimensional vectors, the first has {expected}")]
    DimensionMismatch {
        /// Index of the first differing part.
        part: usize,
        /// Its dimension.
        dim: usize,
        /// The first part's dimension.
        expected: usize,
    },
    /// A row index past the end, e.g. a selection made on another dataset.
    #[error("row {row} does not exist: the dataset has {n_rows} rows")]
    RowOutOfRange {
        /// The first offending index.
        row: usize,
        /// Rows in the dataset.
        n_rows: usize,
    },
    /// Arrow could not assemble the metadata columns.
    #[error("metadata columns: {0}")]
    Arrow(#[source] arrow_schema::ArrowError),
}

/// The vectors of a dataset: one row-major `N × D` run of `f32`, reference-counted and cheap
/// to clone, so the engine threads share it with the dataset instead of copying it.
///
/// It is Arrow's buffer type because that is what lets the memory behind it be anything:
/// a `Vec` handed over without a copy, or a slice of a memory-mapped cache file, so that a
/// cached reopen of gigabytes costs no copy at all.
pub type VectorBuffer = arrow_buffer::ScalarBuffer<f32>;

/// N embedding vectors plus the rest of each row.
///
/// Vectors live once, as one row-major `N × D` buffer, because every engine (kNN, t-SNE,
/// similarity search) streams over them; all other columns stay Arrow so any type survives.
#[derive(Debug, Clone)]
pub struct Dataset {
    name: String,
    vector_column: String,
    vectors: VectorBuffer,
    dim: usize,
    pub(crate) metadata: RecordBatch,
    image_shape: Option<[usize; 2]>,
}

impl Dataset {
    /// Assembles a dataset, checking that the parts agree and every value is finite.
    ///
    /// An empty `metadata` batch (no columns) is accepted for any number of rows. The `Vec`
    /// becomes the dataset's buffer as it is, without a copy.
    pub fn new(
        name: impl Into<String>,
        vector_column: impl Into<String>,
        vectors: Vec<f32>,
        dim: usize,
        metadata: RecordBatch,
    ) -> Result<Self, DatasetError> {
        Self::from_buffer(name, vector_column, vectors.into(), dim, metadata)
    }

    /// [`Dataset::new`] over vectors that already live in a shared buffer (a memory-mapped
    /// cache file, another dataset's rows): nothing is copied, everything is checked.
    pub fn from_buffer(
        name: impl Into<String>,
        vector_column: impl Into<String>,
        vectors: VectorBuffer,
        dim: usize,
        metadata: RecordBatch,
    ) -> Result<Self, DatasetError> {
        if dim == 0 {
            return Err(DatasetError::ZeroDimension);
        }
        if !vectors.len().is_multiple_of(dim) {
            return Err(DatasetError::RaggedBuffer {
                len: vectors.len(),
                dim,
            });
        }
        let vector_rows = vectors.len() / dim;
        if metadata.num_columns() > 0 && metadata.num_rows() != vector_rows {
            return Err(DatasetError::RowMismatch {
                metadata_rows: metadata.num_rows(),
                vector_rows,
            });
        }
        if let Some(pos) = first_non_finite(&vectors) {
            return Err(DatasetError::NonFinite { row: pos / dim });
        }
        let image_shape = guess_image_shape(dim);
        Ok(Self {
            name: name.into(),
            vector_column: vector_column.into(),
            vectors,
            dim,
            metadata,
            image_shape,
        })
    }

    /// A short human name, usually the file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The column the vectors were read from.
    pub fn vector_column(&self) -> &str {
        &self.vector_column
    }

    /// Number of rows, N.
    pub fn n_rows(&self) -> usize {
        self.vectors.len() / self.dim
    }

    /// Vector dimension, D.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// All vectors, row-major `N × D`.
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    /// The shared vector buffer (a reference count, not a copy), for engines that outlive a
    /// borrow (the engine thread) and writers that hand it to Arrow.
    pub fn vector_buffer(&self) -> VectorBuffer {
        self.vectors.clone()
    }

    /// One row's vector.
    pub fn row(&self, row: usize) -> &[f32] {
        &self.vectors[row * self.dim..(row + 1) * self.dim]
    }

    /// The non-vector columns.
    pub fn metadata(&self) -> &RecordBatch {
        &self.metadata
    }

    /// Names of the non-vector columns, in file order.
    pub fn column_names(&self) -> Vec<String> {
        self.metadata
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// Height × width when the vectors are images (a square number of dimensions such as
    /// MNIST's 784 = 28 × 28), so the inspector can draw them as pictures.
    pub fn image_shape(&self) -> Option<[usize; 2]> {
        self.image_shape
    }

    /// Overrides the image shape guess; `None` means "not an image".
    #[must_use]
    pub fn with_image_shape(mut self, shape: Option<[usize; 2]>) -> Self {
        self.image_shape = shape.filter(|[h, w]| h * w == self.dim);
        self
    }

    /// Every cell of one row as `(column, text)`, for tooltips and the inspector.
    pub fn row_text(&self, row: usize) -> Vec<(String, String)> {
        let options = FormatOptions::default().with_null("null");
        self.metadata
            .schema()
            .fields()
            .iter()
            .zip(self.metadata.columns())
            .map(|(field, array)| {
                let text = if let Some(bytes) = binary_len(array.as_ref(), row) {
                    // Hex dumps of WKB geometries or blobs help nobody in a tooltip.
                    format!("{bytes} bytes of binary")
                } else {
                    ArrayFormatter::try_new(array.as_ref(), &options)
                        .map_or_else(|_| "?".to_owned(), |f| f.value(row).to_string())
                };
                (field.name().clone(), truncate(text, 200))
            })
            .collect()
    }

    /// Names of the columns that make sensible categorical colourings: strings, integers,
    /// booleans, dates and dictionaries with between 2 and [`crate::MAX_CATEGORIES`] values.
    pub fn categorical_columns(&self) -> Vec<String> {
        self.column_names()
            .into_iter()
            .filter(|name| {
                self.categories(name)
                    .is_some_and(|c| c.names.len() >= 2 || self.n_rows() == 1)
            })
            .collect()
    }

    /// Decodes one column to categories, or `None` when it is missing, of an unsuitable type, or
    /// has too many distinct values.
    pub fn categories(&self, column: &str) -> Option<Categories> {
        let array = self.metadata.column_by_name(column)?;
        if !is_category_type(array.data_type()) {
            return None;
        }
        let options = FormatOptions::default();
        let formatter = ArrayFormatter::try_new(array.as_ref(), &options).ok()?;
        let values: Vec<Option<String>> = (0..array.len())
            .map(|i| (!array.is_null(i)).then(|| formatter.value(i).to_string()))
            .collect();
        Categories::from_values(column, &values)
    }

    /// The first `n` rows (all when `n ≥ N`), e.g. a quick look at a large file.
    #[must_use]
    pub fn head(&self, n: usize) -> Self {
        let n = n.min(self.n_rows());
        Self {
            name: self.name.clone(),
            vector_column: self.vector_column.clone(),
            vectors: self.vectors.slice(0, n * self.dim),
            dim: self.dim,
            metadata: if self.metadata.num_columns() == 0 {
                self.metadata.clone()
            } else {
                self.metadata.slice(0, n)
            },
            image_shape: self.image_shape,
        }
    }
}

/// Index of the first NaN or ±∞. Scans in blocks with a branch-free test first, which the
/// compiler vectorises: on a cached reopen this check is most of the work left.
fn first_non_finite(values: &[f32]) -> Option<usize> {
    const BLOCK: usize = 4096;
    values
        .chunks(BLOCK)
        .enumerate()
        .find(|(_, block)| !block.iter().fold(true, |ok, v| ok & v.is_finite()))
        .and_then(|(i, block)| {
            block
                .iter()
                .position(|v| !v.is_finite())
                .map(|p| i * BLOCK + p)
        })
}

/// Byte length of a non-null binary cell; `None` for other types and nulls.
fn binary_len(array: &dyn Array, row: usize) -> Option<usize> {
    use arrow_array::cast::AsArray;
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Binary => Some(array.as_binary::<i32>().value(row).len()),
        DataType::LargeBinary => Some(array.as_binary::<i64>().value(row).len()),
        DataType::BinaryView => Some(array.as_binary_view().value(row).len()),
        _ => None,
    }
}

fn is_category_type(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Date32
            | DataType::Date64
            | DataType::Dictionary(_, _)
    )
}

fn guess_image_shape(dim: usize) -> Option<[usize; 2]> {
    let side = (dim as f64).sqrt().round() as usize;
    // Only well-known image sizes: a 768-d embedding is not a picture, 784 = 28² is.
    (side * side == dim && (side == 28 || side == 16 || side == 8 || side == 32 || side == 64))
        .then_some([side, side])
}

fn truncate(mut s: String, max_chars: usize) -> String {
    if let Some((idx, _)) = s.char_indices().nth(max_chars) {
        s.truncate(idx);
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};
    use std::sync::Arc;

    use arrow_schema::{Field, Schema};

    fn batch(labels: Vec<i64>) -> RecordBatch {
        let names: Vec<String> = labels.iter().map(|l| format!("row{l}")).collect();
        RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("label", DataType::Int64, false),
                Field::new("name", DataType::Utf8, false),
            ])),
            vec![
                Arc::new(Int64Array::from(labels)),
                Arc::new(StringArray::from(names)),
            ],
        )
        .expect("batch")
    }

    #[test]
    fn rejects_inconsistent_parts() {
        let meta = batch(vec![1, 2]);
        assert!(matches!(
            Dataset::new("t", "v", vec![0.0; 7], 2, meta.clone()),
            Err(DatasetError::RaggedBuffer { .. })
        ));
        assert!(matches!(
            Dataset::new("t", "v", vec![0.0; 6], 2, meta.clone()),
            Err(DatasetError::RowMismatch { .. })
        ));
        assert!(matches!(
            Dataset::new("t", "v", vec![0.0, 1.0, f32::NAN, 0.0], 2, meta),
            Err(DatasetError::NonFinite { row: 1 })
        ));
    }

    #[test]
    fn buffers_are_shared_not_copied_and_still_checked() {
        let values: Vec<f32> = (0..10_000).map(|i| i as f32).collect();
        let buffer = VectorBuffer::from(values);
        let empty = || RecordBatch::new_empty(Arc::new(Schema::empty()));
        let ds = Dataset::from_buffer("t", "v", buffer.clone(), 4, empty()).unwrap();
        assert_eq!(ds.vectors().as_ptr(), buffer.as_ptr(), "no copy");
        assert_eq!(ds.vector_buffer().as_ptr(), buffer.as_ptr());
        assert_eq!(
            ds.head(10).vectors().as_ptr(),
            buffer.as_ptr(),
            "head is a view"
        );
        assert_eq!(ds.head(10).vectors().len(), 40);

        // A non-finite value past the first scan block is still found, with its row.
        for (at, value) in [
            (0, f32::NAN),
            (4095, f32::INFINITY),
            (9_999, f32::NEG_INFINITY),
        ] {
            let mut values: Vec<f32> = vec![1.0; 10_000];
            values[at] = value;
            assert!(matches!(
                Dataset::from_buffer("t", "v", values.into(), 4, empty()),
                Err(DatasetError::NonFinite { row }) if row == at / 4
            ));
        }
    }

    #[test]
    fn rows_text_and_categories() {
        let ds = Dataset::new(
            "t",
            "v",
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            2,
            batch(vec![7, 3, 7]),
        )
        .expect("dataset");
        assert_eq!(ds.n_rows(), 3);
        assert_eq!(ds.row(1), &[2.0, 3.0]);
        assert_eq!(ds.row_text(1)[1], ("name".to_owned(), "row3".to_owned()));
        let cats = ds.categories("label").expect("categorical");
        assert_eq!(cats.names, vec!["3", "7"]);
        assert_eq!(cats.codes, vec![Some(1), Some(0), Some(1)]);
        assert_eq!(ds.categorical_columns(), vec!["label", "name"]);
        let head = ds.head(2);
        assert_eq!(head.n_rows(), 2);
        assert_eq!(head.metadata().num_rows(), 2);
    }

    #[test]
    fn binary_cells_are_summarised() {
        let meta = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new(
                "geometry",
                DataType::Binary,
                true,
            )])),
            vec![Arc::new(arrow_array::BinaryArray::from(vec![
                Some(&[1_u8, 2, 3][..]),
                None,
            ]))],
        )
        .expect("batch");
        let ds = Dataset::new("t", "v", vec![0.0, 1.0], 1, meta).expect("dataset");
        assert_eq!(ds.row_text(0)[0].1, "3 bytes of binary");
        assert_eq!(ds.row_text(1)[0].1, "null");
    }

    #[test]
    fn vectors_without_metadata_and_image_shape() {
        let ds = Dataset::new(
            "t",
            "v",
            vec![0.5; 784 * 2],
            784,
            RecordBatch::new_empty(Arc::new(Schema::empty())),
        )
        .expect("dataset");
        assert_eq!(ds.n_rows(), 2);
        assert_eq!(ds.image_shape(), Some([28, 28]));
        assert!(ds.row_text(0).is_empty());
    }
}
