//! (Geo)Parquet → [`Dataset`]: one float-list column becomes the vectors, the rest metadata.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, BooleanArray};
use arrow_schema::Schema;
use arrow_select::concat::concat_batches;
use arrow_select::filter::filter_record_batch;
use loupe_core::Dataset;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{describe_columns, type_name};
use crate::vectors::{VectorBuffer, is_float_list};
use crate::{DataError, ReadOptions};

/// Rows decoded at a time: large enough that per-batch overhead vanishes, small enough that a
/// `limit` stops the decoder soon after it is reached.
const BATCH_ROWS: usize = 8192;

/// Vector column names that win when a file has several float-list columns, best first.
const PREFERRED_COLUMNS: [&str; 6] = [
    "embeddings",
    "embedding",
    "vector",
    "vectors",
    "features",
    "emb",
];

pub(crate) fn read_parquet(path: &Path, options: &ReadOptions) -> Result<Dataset, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(e, path))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| DataError::parquet(e, path))?;
    let schema = Arc::clone(builder.schema());
    let vector_index = choose_vector_column(&schema, options.column.as_deref(), path)?;
    let column = schema.field(vector_index).name().clone();

    let file_rows = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let rows = options
        .limit
        .map_or(file_rows, |limit| limit.min(file_rows));
    if rows == 0 {
        return Err(DataError::NoRows {
            path: path.to_path_buf(),
        });
    }
    let mut builder = builder.with_batch_size(BATCH_ROWS.min(rows));
    if let Some(limit) = options.limit {
        builder = builder.with_limit(limit);
    }
    let reader = builder.build().map_err(|e| DataError::parquet(e, path))?;

    let metadata_indices: Vec<usize> = (0..schema.fields().len())
        .filter(|&i| i != vector_index)
        .collect();
    let metadata_schema = Arc::new(
        schema
            .project(&metadata_indices)
            .map_err(|e| DataError::arrow(e, path))?,
    );
    let mut vectors = VectorBuffer::new(&column, path, rows);
    let mut metadata_batches = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| DataError::arrow(e, path))?;
        let vector_array = batch.column(vector_index);
        vectors.append(vector_array)?;
        let mut metadata = batch
            .project(&metadata_indices)
            .map_err(|e| DataError::arrow(e, path))?;
        // Rows without a vector are skipped, so their metadata goes too.
        if let Some(valid) = vector_array.nulls().filter(|n| n.null_count() > 0) {
            let keep = BooleanArray::new(valid.inner().clone(), None);
            metadata =
                filter_record_batch(&metadata, &keep).map_err(|e| DataError::arrow(e, path))?;
        }
        metadata_batches.push(metadata);
    }
    let vectors = vectors.finish()?;
    let metadata_schema = if vectors.skipped == 0 {
        metadata_schema
    } else {
        let mut schema = Schema::clone(&metadata_schema);
        schema.metadata.insert(
            SKIPPED_NULL_VECTORS_KEY.to_owned(),
            vectors.skipped.to_string(),
        );
        Arc::new(schema)
    };
    let metadata = concat_batches(&metadata_schema, &metadata_batches)
        .map_err(|e| DataError::arrow(e, path))?;
    drop(metadata_batches);
    Dataset::new(
        file_name(path),
        &column,
        vectors.values,
        vectors.dim,
        metadata,
    )
    .map_err(|e| DataError::dataset(e, &column, path))
}

/// Schema metadata key under which [`read_path`](crate::read_path) records how many rows it
/// skipped because their vector was null.
pub const SKIPPED_NULL_VECTORS_KEY: &str = "loupe:skipped_null_vectors";

/// How many rows of the file were left out of `dataset` because their vector was null.
///
/// Real files have rows that were never embedded (the Planet sample has two of five); they
/// cannot be placed, but refusing the whole file would help nobody, so the reader skips them
/// and records the count here for the app to show.
pub fn skipped_null_vectors(dataset: &Dataset) -> usize {
    dataset
        .metadata()
        .schema_ref()
        .metadata()
        .get(SKIPPED_NULL_VECTORS_KEY)
        .and_then(|count| count.parse().ok())
        .unwrap_or(0)
}

/// The index of the vector column: the one asked for, else the best-named float-list column.
fn choose_vector_column(
    schema: &Schema,
    wanted: Option<&str>,
    path: &Path,
) -> Result<usize, DataError> {
    if let Some(wanted) = wanted {
        let Some((index, field)) = schema.column_with_name(wanted) else {
            return Err(DataError::MissingColumn {
                column: wanted.to_owned(),
                columns: schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                path: path.to_path_buf(),
            });
        };
        if !is_float_list(field.data_type()) {
            return Err(DataError::NotVectorColumn {
                column: wanted.to_owned(),
                data_type: type_name(field.data_type()),
                path: path.to_path_buf(),
            });
        }
        return Ok(index);
    }
    let candidates: Vec<(usize, &str)> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| is_float_list(f.data_type()))
        .map(|(i, f)| (i, f.name().as_str()))
        .collect();
    PREFERRED_COLUMNS
        .iter()
        .find_map(|preferred| {
            candidates
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case(preferred))
        })
        .or_else(|| candidates.first())
        .map(|&(index, _)| index)
        .ok_or_else(|| DataError::NoVectorColumn {
            columns: describe_columns(schema),
            path: path.to_path_buf(),
        })
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
    use arrow_schema::{DataType, Field};

    fn schema(fields: &[(&str, DataType)]) -> Schema {
        Schema::new(
            fields
                .iter()
                .map(|(n, t)| Field::new(*n, t.clone(), true))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn prefers_conventional_names_then_the_first() {
        let floats = DataType::new_list(DataType::Float32, true);
        let path = Path::new("f.parquet");
        let s = schema(&[
            ("id", DataType::Utf8),
            ("pca", floats.clone()),
            ("Embedding", floats.clone()),
        ]);
        assert_eq!(choose_vector_column(&s, None, path).expect("found"), 2);
        assert_eq!(
            choose_vector_column(&s, Some("pca"), path).expect("found"),
            1
        );
        let s = schema(&[("a", floats.clone()), ("b", floats)]);
        assert_eq!(choose_vector_column(&s, None, path).expect("found"), 0);
    }

    #[test]
    fn explains_missing_and_unusable_columns() {
        let path = Path::new("f.parquet");
        let s = schema(&[("id", DataType::Utf8), ("geometry", DataType::Binary)]);
        let err = choose_vector_column(&s, None, path).expect_err("none");
        assert!(
            err.to_string().contains("id: utf8, geometry: binary"),
            "{err}"
        );
        let err = choose_vector_column(&s, Some("vec"), path).expect_err("missing");
        assert!(err.to_string().contains("id, geometry"), "{err}");
        let err = choose_vector_column(&s, Some("id"), path).expect_err("not a list");
        assert!(err.to_string().contains("utf8"), "{err}");
    }
}
