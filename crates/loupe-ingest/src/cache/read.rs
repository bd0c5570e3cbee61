//! Reading a cache entry back, checking everything that could make it differ from what was
//! written: the footer (a truncated file has none), the header's format and key, the vector
//! column's type, and the row count.
//!
//! The file is decoded straight from its memory mapping ([`super::mmap`]) with Arrow's
//! [`FileDecoder`], so nothing is copied: the metadata columns and the vectors are slices of
//! the mapping (the writer puts everything in one record batch, so the vectors are already
//! contiguous there), and the only pass over the vectors is [`Dataset::from_buffer`]'s finite
//! check. Pages are loaded as they are first read, from the page cache when the file is
//! warm. An entry of several batches (never written by this version, but readable) has its
//! vectors gathered into one buffer.

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
use loupe_core::{Dataset, VectorBuffer};

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
    let decode = || decode(&buffer, key, progress);
    panic::catch_unwind(AssertUnwindSafe(decode))
        .unwrap_or_else(|_| Err("the decoder failed on the file".to_owned()))
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
    // Checked against the file's size: a damaged header must not claim more than it holds.
    let total = header
        .rows
        .checked_mul(dim)
        .filter(|n| n.checked_mul(4).is_some_and(|bytes| bytes <= len))
        .ok_or("the header's row count does not fit the file")?;
    let mut slices: Vec<VectorBuffer> = Vec::with_capacity(blocks.len());
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
        if list.null_count() > 0
            || values.null_count() > 0
            || values.len() != batch.num_rows() * dim
        {
            return Err("the vectors hold nulls or have the wrong length".to_owned());
        }
        // A view of the mapping (Arrow copies only a buffer it must realign).
        slices.push(values.values().clone());
        batches.push(batch.project(&meta_indices).map_err(|e| e.to_string())?);
        counter.step(batch.num_rows());
    }
    if slices.iter().map(VectorBuffer::len).sum::<usize>() != total {
        return Err("the row count differs from the header".to_owned());
    }
    let vectors = match slices.as_slice() {
        [one] => one.clone(),
        many => many.iter().flat_map(|s| s.iter().copied()).collect(),
    };

    let mut schema_metadata = schema.metadata().clone();
    schema_metadata.remove(HEADER_KEY);
    let fields = schema
        .project(&meta_indices)
        .map_err(|e| e.to_string())?
        .fields()
        .clone();
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
            &RecordBatchOptions::new()
                .with_row_count(Some(many.iter().map(RecordBatch::num_rows).sum())),
        ),
        many => concat_batches(&meta_schema, many),
    }
    .map_err(|e| e.to_string())?;
    let dataset = Dataset::from_buffer(header.name, header.vector_column, vectors, dim, metadata)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CacheOutcome, Timings};

    fn sample_header(dataset: &Dataset, key: &CacheKey) -> Header {
        Header {
            format: FORMAT_VERSION,
            key: key.content.clone(),
            name: dataset.name().to_owned(),
            vector_column: dataset.vector_column().to_owned(),
            dim: dataset.dim(),
            rows: dataset.n_rows(),
            image_shape: dataset.image_shape(),
            report: LoadReport {
                path: "x".into(),
                folder: false,
                files: Vec::new(),
                failed: Vec::new(),
                rows: dataset.n_rows(),
                dim: dataset.dim(),
                cache: CacheOutcome::Disabled,
                cache_warnings: Vec::new(),
                timings: Timings::default(),
            },
        }
    }

    #[test]
    fn mapped_and_in_memory_reads_agree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("entry.arrow");
        let metadata = RecordBatch::try_new(
            Arc::new(Schema::new(vec![arrow_schema::Field::new(
                "label",
                DataType::Utf8,
                true,
            )])),
            vec![Arc::new(arrow_array::StringArray::from(vec![
                "a", "b", "c",
            ]))],
        )
        .expect("batch");
        let vectors: Vec<f32> = (0..6).map(|i| i as f32 * 0.5).collect();
        let dataset = Dataset::new("d", "emb", vectors, 2, metadata).expect("dataset");
        let key = CacheKey {
            source: "s".into(),
            content: "c".into(),
        };
        super::super::write_entry(&path, &dataset, &sample_header(&dataset, &key), &|_| {})
            .expect("written");

        let (mapped, _) = read_entry(&path, &key, &|_| {}).expect("mapped read");
        let bytes = Buffer::from_vec(std::fs::read(&path).expect("read"));
        let (in_memory, _) = decode(&bytes, &key, &|_| {}).expect("in-memory read");
        // Zero-copy: the vectors are a view of the file's bytes.
        let file_bytes = bytes.as_ptr_range();
        let vectors = in_memory.vectors().as_ptr_range();
        assert!(
            file_bytes.start <= vectors.start.cast() && vectors.end.cast() <= file_bytes.end,
            "the vectors were copied out of the file's buffer"
        );
        for read in [&mapped, &in_memory] {
            assert_eq!(read.vectors(), dataset.vectors());
            assert_eq!(read.metadata().columns(), dataset.metadata().columns());
            assert_eq!(read.name(), "d");
        }
        let other = CacheKey {
            source: "s".into(),
            content: "other".into(),
        };
        assert!(
            read_entry(&path, &other, &|_| {}).is_err(),
            "the key is checked"
        );
        let short = bytes.slice_with_length(0, bytes.len() / 2);
        assert!(decode(&short, &key, &|_| {}).is_err(), "a truncated file");
    }
}
