//! Reading a cache entry back, checking everything that could make it differ from what was
//! written: the footer (a truncated file has none), the header's format and key, the vector
//! column's type, and the row count.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, RecordBatch, RecordBatchOptions};
use arrow_ipc::reader::FileReader;
use arrow_schema::{DataType, Schema};
use arrow_select::concat::concat_batches;
use loupe_core::Dataset;

use super::{CacheError, HEADER_KEY, Header, VECTOR_FIELD};
use super::{CacheKey, FORMAT_VERSION};
use crate::progress::{Counter, Stage};
use crate::report::LoadReport;

/// Reads the entry at `path`, which must have been written for `key`.
pub(crate) fn read_entry(
    path: &Path,
    key: &CacheKey,
    progress: &(dyn Fn(&crate::Progress) + Sync),
) -> Result<(Dataset, LoadReport), CacheError> {
    let invalid = |reason: &str| CacheError::invalid(reason.to_owned(), path);
    let file = File::open(path).map_err(|e| CacheError::io(e, path))?;
    let reader =
        FileReader::try_new_buffered(file, None).map_err(|e| CacheError::arrow(e, path))?;
    let schema = reader.schema();
    let header: Header = schema
        .metadata()
        .get(HEADER_KEY)
        .ok_or_else(|| invalid("no Loupe header"))
        .and_then(|json| serde_json::from_str(json).map_err(|e| invalid(&e.to_string())))?;
    if header.format != FORMAT_VERSION || header.key != key.content {
        return Err(invalid("written for other files or by another version"));
    }
    let dim = header.dim;
    let last = schema
        .fields()
        .len()
        .checked_sub(1)
        .ok_or_else(|| invalid("no columns"))?;
    let vector_field = schema.field(last);
    let expected_type = matches!(vector_field.data_type(),
        DataType::FixedSizeList(item, d) if *item.data_type() == DataType::Float32 && usize::try_from(*d) == Ok(dim));
    if vector_field.name() != VECTOR_FIELD || !expected_type || dim == 0 {
        return Err(invalid("the vector column is not as written"));
    }

    let meta_indices: Vec<usize> = (0..last).collect();
    let mut vectors: Vec<f32> = Vec::with_capacity(header.rows.saturating_mul(dim));
    let mut batches: Vec<RecordBatch> = Vec::new();
    let counter = Counter::start(Stage::ReadingCache, reader.num_batches(), progress);
    for batch in reader {
        let batch = batch.map_err(|e| CacheError::arrow(e, path))?;
        let list = batch
            .column(last)
            .as_fixed_size_list_opt()
            .ok_or_else(|| invalid("the vector column is not a list"))?;
        let values = list
            .values()
            .as_primitive_opt::<Float32Type>()
            .ok_or_else(|| invalid("the vectors are not float32"))?;
        if list.null_count() > 0
            || values.null_count() > 0
            || values.len() != batch.num_rows() * dim
        {
            return Err(invalid("the vectors hold nulls or have the wrong length"));
        }
        vectors.extend_from_slice(values.values());
        batches.push(
            batch
                .project(&meta_indices)
                .map_err(|e| CacheError::arrow(e, path))?,
        );
        counter.step(batch.num_rows());
    }
    if vectors.len() != header.rows * dim {
        return Err(invalid("the row count differs from the header"));
    }

    let mut schema_metadata = schema.metadata().clone();
    schema_metadata.remove(HEADER_KEY);
    let meta_schema = Arc::new(
        Schema::new(
            schema
                .project(&meta_indices)
                .map_err(|e| CacheError::arrow(e, path))?
                .fields()
                .clone(),
        )
        .with_metadata(schema_metadata),
    );
    let metadata = if meta_schema.fields().is_empty() {
        let options = RecordBatchOptions::new().with_row_count(Some(header.rows));
        RecordBatch::try_new_with_options(meta_schema, Vec::new(), &options)
    } else {
        concat_batches(&meta_schema, &batches)
    }
    .map_err(|e| CacheError::arrow(e, path))?;
    let dataset = Dataset::new(header.name, header.vector_column, vectors, dim, metadata)
        .map_err(|e| invalid(&e.to_string()))?
        .with_image_shape(header.image_shape);
    Ok((dataset, header.report))
}
