//! numpy's `.npy` (one array) and `.npz` (a zip of them) → [`Dataset`].
//!
//! The vectors are an array of two or more dimensions, `(rows, …)`, with the trailing
//! dimensions flattened in C order. Every dtype numpy uses for numbers is read — `f2 f4 f8`,
//! `i1 … i8`, `u1 … u8`, either byte order, C or Fortran order, header versions 1.0 to 3.0 —
//! and converted to `f32` by value (integer pixels stay `0..=255`). In an `.npz`, 1-D arrays
//! with one value per row become metadata columns (e.g. `labels`), and 0-d arrays become the
//! report's key/value metadata.

mod array;
mod dtype;
mod header;
mod npz;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use loupe_core::Dataset;

pub(crate) use header::MAGIC;
pub(crate) use npz::read_npz;

use crate::assemble::finish_dataset;
use crate::npy::array::{Source, read_rows, rows_and_dim};
use crate::npy::header::{Header, read_header};
use crate::report::{FileFormat, FileReport};
use crate::sink::{RowSink, Vectors};
use crate::{DataError, ReadOptions};

/// Reads a `.npy` file; the vectors are named after the file (`embeddings.npy` →
/// `embeddings`).
pub(crate) fn read_npy(
    path: &Path,
    options: &ReadOptions,
) -> Result<(Dataset, FileReport), DataError> {
    let file = File::open(path).map_err(|e| DataError::io(e, path))?;
    let file_len = file.metadata().map_err(|e| DataError::io(e, path))?.len();
    let mut reader = BufReader::new(file);
    let source = Source {
        path,
        member: String::new(),
    };
    let header = read_header(&mut reader).map_err(|reason| source.error(reason))?;
    let label = path
        .file_stem()
        .map_or_else(|| "array".to_owned(), |s| s.to_string_lossy().into_owned());
    let available = file_len.saturating_sub(header.len as u64);
    let vectors = read_vectors(&mut reader, &header, available, &label, options, &source)?;
    let mut report = FileReport::new(FileFormat::Npy);
    report.vector_columns = vec![label.clone()];
    let metadata = RecordBatch::new_empty(Arc::new(Schema::empty()));
    let dataset = finish_dataset(path, &label, vectors, metadata, &mut report)?;
    Ok((with_image_shape(dataset, &header), report))
}

/// Reads the vectors of an array whose header has just been read from `reader`.
fn read_vectors(
    reader: &mut impl Read,
    header: &Header,
    available: u64,
    label: &str,
    options: &ReadOptions,
    source: &Source<'_>,
) -> Result<Vectors, DataError> {
    if !header.dtype.is_numeric() {
        return Err(source.error(format!(
            "dtype {} holds no numbers to use as vectors",
            header.dtype
        )));
    }
    let (all_rows, dim) = rows_and_dim(header, source)?;
    let rows = options.limit.map_or(all_rows, |limit| limit.min(all_rows));
    if rows == 0 {
        return Err(DataError::no_rows(source.path));
    }
    if dim == 0 {
        return Err(DataError::ZeroDimension {
            column: label.to_owned(),
            path: source.path.to_path_buf(),
        });
    }
    let mut sink = RowSink::new(label, source.path, options, rows);
    read_rows(reader, header, rows, available, &mut sink, source)?;
    sink.finish()
}

/// A `(rows, height, width)` array is a stack of images; say so, as IDX files do.
fn with_image_shape(dataset: Dataset, header: &Header) -> Dataset {
    match header.shape.as_slice() {
        &[_, h, w] => dataset.with_image_shape(Some([h, w])),
        _ => dataset,
    }
}
