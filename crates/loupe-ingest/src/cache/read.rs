//! Reading a cache entry back, checking everything that could make it differ from what was
//! written: the footer (a truncated file has none), the header's format and key, the vector
//! column's type, and the row count.
//!
//! The file is decoded straight from its memory mapping ([`super::mmap`]) with Arrow's
//! [`FileDecoder`], so the metadata columns are never copied. The vectors are read once, with
//! a plain `read` from the file straight into the `Vec<f32>` that [`Dataset::new`] takes (so
//! their pages are not also left mapped into this process). With a `Dataset` that could hold
//! an Arrow buffer, they could be handed out of the mapping without any copy (see the crate
//! documentation for the numbers).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
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
    let loaded = mmap::load(path).map_err(|e| CacheError::io(e, path))?;
    // Arrow slices buffers by the offsets a file claims; should a damaged file slip past its
    // checks, a panic here means "rebuild", not a crash.
    let decode = || decode(&loaded.buffer, loaded.file.as_ref(), key, progress);
    panic::catch_unwind(AssertUnwindSafe(decode))
        .unwrap_or_else(|_| Err("the decoder failed on the file".to_owned()))
        .map_err(|reason| CacheError::invalid(reason, path))
}

fn decode(
    buffer: &Buffer,
    file: Option<&File>,
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
    // Checked against the file's size before allocating: a damaged header must not ask for
    // more memory than the file could hold.
    let total = header
        .rows
        .checked_mul(dim)
        .filter(|n| n.checked_mul(4).is_some_and(|bytes| bytes <= len))
        .ok_or("the header's row count does not fit the file")?;
    // Zeroed pages come from the system untouched; the reads below fill them.
    let mut vectors = vec![0.0_f32; total];
    let mut filled = 0;
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
        let source: &[f32] = values.values();
        let target = vectors
            .get_mut(filled..filled + source.len())
            .ok_or("more vectors than the header says")?;
        fill(target, source, buffer, file)?;
        filled += source.len();
        batches.push(batch.project(&meta_indices).map_err(|e| e.to_string())?);
        counter.step(batch.num_rows());
    }
    if filled != total {
        return Err("the row count differs from the header".to_owned());
    }

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
    let dataset = Dataset::new(header.name, header.vector_column, vectors, dim, metadata)
        .map_err(|e| e.to_string())?
        .with_image_shape(header.image_shape);
    Ok((dataset, header.report))
}

/// Copies `source`, which Arrow decoded from `buffer`, into `target`: with one `read` from
/// the file when `buffer` maps it (so the vector pages are not also mapped into this process),
/// else from memory.
fn fill(
    target: &mut [f32],
    source: &[f32],
    buffer: &Buffer,
    file: Option<&File>,
) -> Result<(), String> {
    let bytes = std::mem::size_of_val(source);
    let offset = (source.as_ptr() as usize)
        .checked_sub(buffer.as_ptr() as usize)
        .filter(|offset| offset + bytes <= buffer.len());
    if let (Some(mut file), Some(offset)) = (file, offset) {
        file.seek(SeekFrom::Start(offset as u64))
            .and_then(|_| file.read_exact(bytemuck::cast_slice_mut(target)))
            .map_err(|e| format!("reading the vectors: {e}"))
    } else {
        // Not inside the mapping (Arrow realigned it) or not a mapping: copy.
        target.copy_from_slice(source);
        Ok(())
    }
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
        let (in_memory, _) = decode(&bytes, None, &key, &|_| {}).expect("in-memory read");
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
        assert!(
            decode(&short, None, &key, &|_| {}).is_err(),
            "a truncated file"
        );
    }
}
