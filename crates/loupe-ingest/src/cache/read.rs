//! Reading a cache entry back, checking everything that could make it differ from what was
//! written: the footer (a truncated file has none), the header's format and key, the vector
//! column's type, and the row count.
//!
//! The file is decoded straight from its memory mapping ([`super::mmap`]) with Arrow's
//! [`FileDecoder`], so the metadata columns are never copied. The vectors are copied once,
//! into the `Vec<f32>` that [`Dataset::new`] takes; see the crate's notes for the change to
//! `loupe-core` that would make them zero-copy as well.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, RecordBatch, RecordBatchOptions};
use arrow_buffer::Buffer;
use arrow_ipc::convert::try_fb_to_schema;
use arrow_ipc::reader::{FileDecoder, read_footer_length};
use arrow_ipc::{Block, root_as_footer};
use arrow_schema::{DataType, Schema};
use arrow_select::concat::concat_batches;
use loupe_core::Dataset;

use super::{CacheError, CacheKey, FORMAT_VERSION, HEADER_KEY, Header, VECTOR_FIELD, mmap};
use crate::progress::{Counter, Stage};
use crate::report::LoadReport;

/// Reads the entry at `path`, which must have been written for `key`.
pub(crate) fn read_entry(
    path: &Path,
    key: &CacheKey,
    progress: &(dyn Fn(&crate::Progress) + Sync),
) -> Result<(Dataset, LoadReport), CacheError> {
    let buffer = mmap::load(path).map_err(|e| CacheError::io(e, path))?;
    // Arrow slices buffers by the offsets a file claims; should a damaged file slip past its
    // checks, a panic here means "rebuild", not a crash.
    panic::catch_unwind(AssertUnwindSafe(|| decode(&buffer, key, progress))).unwrap_or_else(
        |_| Err("the decoder failed on the file".to_owned()),
    )
    .map_err(|reason| CacheError::invalid(reason, path))
}

fn decode(
    buffer: &Buffer,
    key: &CacheKey,
    progress: &(dyn Fn(&crate::Progress) + Sync),
) -> Result<(Dataset, LoadReport), String> {
    let len = buffer.len();
    let tail: [u8; 10] = buffer
        .get(len.saturating_sub(10)..)
        .and_then(|t| t.try_into().ok())
        .ok_or("too short to be an Arrow file")?;
    let footer_len = read_footer_length(tail).map_err(|e| e.to_string())?;
    let footer_start = len
        .checked_sub(10 + footer_len)
        .ok_or("the footer is longer than the file")?;
    let footer = root_as_footer(&buffer[footer_start..len - 10]).map_err(|e| e.to_string())?;
    let schema = Arc::new(
        try_fb_to_schema(footer.schema().ok_or("no schema in the footer")?)
            .map_err(|e| e.to_string())?,
    );
    let header: Header = schema
        .metadata()
        .get(HEADER_KEY)
        .ok_or("no Loupe header")
        .and_then(|json| serde_json::from_str(json).map_err(|_| "unreadable Loupe header"))?;
    if header.format != FORMAT_VERSION || header.key != key.content {
        return Err("written for other files or by another version".to_owned());
    }
    let dim = header.dim;
    let last = schema.fields().len().checked_sub(1).ok_or("no columns")?;
    let vector_field = schema.field(last);
    let expected_type = matches!(vector_field.data_type(),
        DataType::FixedSizeList(item, d)
            if *item.data_type() == DataType::Float32 && usize::try_from(*d) == Ok(dim));
    if vector_field.name() != VECTOR_FIELD || !expected_type || dim == 0 {
        return Err("the vector column is not as written".to_owned());
    }

    let mut decoder = FileDecoder::new(Arc::clone(&schema), footer.version());
    for block in footer.dictionaries().iter().flatten() {
        decoder
            .read_dictionary(block, &block_data(buffer, block)?)
            .map_err(|e| e.to_string())?;
    }
    let blocks = footer.recordBatches().ok_or("no record batches")?;
    let counter = Counter::start(Stage::ReadingCache, blocks.len(), progress);
    let meta_indices: Vec<usize> = (0..last).collect();
    let mut vectors: Vec<f32> = Vec::with_capacity(header.rows.saturating_mul(dim));
    let mut batches: Vec<RecordBatch> = Vec::with_capacity(blocks.len());
    for block in blocks {
        let batch = decoder
            .read_record_batch(block, &block_data(buffer, block)?)
            .map_err(|e| e.to_string())?
            .ok_or("an empty record batch block")?;
        let list = batch.column(last).as_fixed_size_list();
        let values = list
            .values()
            .as_primitive_opt::<Float32Type>()
            .ok_or("the vectors are not float32")?;
        if list.null_count() > 0 || values.null_count() > 0 || values.len() != batch.num_rows() * dim {
            return Err("the vectors hold nulls or have the wrong length".to_owned());
        }
        vectors.extend_from_slice(values.values());
        batches.push(batch.project(&meta_indices).map_err(|e| e.to_string())?);
        counter.step(batch.num_rows());
    }
    if vectors.len() != header.rows * dim {
        return Err("the row count differs from the header".to_owned());
    }

    let mut schema_metadata = schema.metadata().clone();
    schema_metadata.remove(HEADER_KEY);
    let fields = schema.project(&meta_indices).map_err(|e| e.to_string())?.fields().clone();
    let meta_schema = Arc::new(Schema::new(fields).with_metadata(schema_metadata));
    let metadata = match batches.as_slice() {
        [] => return Err("no record batches".to_owned()),
        // The usual case: one batch, used as it is (zero-copy over the mapping).
        [one] => RecordBatch::try_new_with_options(
            Arc::clone(&meta_schema),
            one.columns().to_vec(),
            &RecordBatchOptions::new().with_row_count(Some(header.rows)),
        ),
        many if meta_schema.fields().is_empty() => RecordBatch::try_new_with_options(
            meta_schema,
            Vec::new(),
            &RecordBatchOptions::new().with_row_count(Some(many.iter().map(RecordBatch::num_rows).sum())),
        ),
        many => concat_batches(&meta_schema, many),
    }
    .map_err(|e| e.to_string())?;
    let dataset = Dataset::new(header.name, header.vector_column, vectors, dim, metadata)
        .map_err(|e| e.to_string())?
        .with_image_shape(header.image_shape);
    Ok((dataset, header.report))
}

/// The bytes of one block (message header and body), checked to lie inside the file.
fn block_data(buffer: &Buffer, block: &Block) -> Result<Buffer, String> {
    let offset = usize::try_from(block.offset()).map_err(|_| "negative block offset")?;
    let meta = usize::try_from(block.metaDataLength()).map_err(|_| "negative metadata length")?;
    let body = usize::try_from(block.bodyLength()).map_err(|_| "negative body length")?;
    let end = offset
        .checked_add(meta)
        .and_then(|e| e.checked_add(body))
        .filter(|&e| e <= buffer.len())
        .ok_or("a block extends past the end of the file")?;
    Ok(buffer.slice_with_length(offset, end - offset))
}
