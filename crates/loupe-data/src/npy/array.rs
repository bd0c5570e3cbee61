//! A numpy array's data → the [`RowSink`], one chunk of rows at a time.
//!
//! Row-major (C order) data streams straight through: a few MiB are read, converted to `f32`
//! and pushed row by row, so memory stays at the dataset plus one chunk. Column-major
//! (Fortran order) data has each row scattered over the whole file, so it is transposed into
//! a row-major buffer first and then pushed; that needs room for the (unpooled) rows once
//! more, which is acceptable for a layout numpy only writes when asked to.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

use crate::DataError;
use crate::npy::header::Header;
use crate::sink::RowSink;

/// Bytes read at a time.
const CHUNK_BYTES: usize = 8 << 20;

/// Where an array is, for messages: the file, and the member of an `.npz`.
pub(crate) struct Source<'a> {
    pub(crate) path: &'a Path,
    /// `array `x` of the archive: ` for `.npz` members, empty for `.npy` files.
    pub(crate) member: String,
}

impl Source<'_> {
    pub(crate) fn error(&self, reason: impl fmt::Display) -> DataError {
        DataError::npy(format!("{}{reason}", self.member), self.path)
    }
}

/// The shape as `(rows, values per row)`: trailing dimensions are flattened in C order, so a
/// `(N, 16, 16, 768)` patch array gives `(N, 196608)` laid out patch-major.
pub(crate) fn rows_and_dim(
    header: &Header,
    source: &Source<'_>,
) -> Result<(usize, usize), DataError> {
    let Some((&rows, rest)) = header
        .shape
        .split_first()
        .filter(|(_, rest)| !rest.is_empty())
    else {
        return Err(source.error(format!(
            "shape {} has fewer than two dimensions; vectors need (rows, values)",
            header.describe()
        )));
    };
    let dim = rest.iter().try_fold(1_usize, |n, &d| n.checked_mul(d));
    let bytes = dim
        .and_then(|d| d.checked_mul(rows))
        .and_then(|n| n.checked_mul(header.dtype.size));
    match (dim, bytes) {
        (Some(dim), Some(_)) => Ok((rows, dim)),
        _ => Err(source.error(format!("shape {} is too large", header.describe()))),
    }
}

/// Reads the first `rows` rows of the array (whose header has been read) into `sink`.
///
/// `available` is how many data bytes the file or archive member holds, checked against the
/// header before anything is allocated, so a damaged header cannot ask for terabytes.
pub(crate) fn read_rows(
    reader: &mut impl Read,
    header: &Header,
    rows: usize,
    available: u64,
    sink: &mut RowSink,
    source: &Source<'_>,
) -> Result<(), DataError> {
    let (all_rows, dim) = rows_and_dim(header, source)?;
    let size = header.dtype.size;
    let needed = all_rows * dim * size;
    if (needed as u64) > available {
        return Err(source.error(format!(
            "the data is truncated: shape {} needs {needed} bytes but only {available} are there",
            header.describe()
        )));
    }
    if header.fortran_order && dim > 1 && all_rows > 1 {
        read_fortran(reader, header, (all_rows, rows, dim), sink, source)
    } else {
        // With one row or one column, both orders are the same bytes.
        read_c(reader, header, rows, dim, sink, source)
    }
}

fn read_c(
    reader: &mut impl Read,
    header: &Header,
    rows: usize,
    dim: usize,
    sink: &mut RowSink,
    source: &Source<'_>,
) -> Result<(), DataError> {
    let row_bytes = dim * header.dtype.size;
    let chunk_rows = (CHUNK_BYTES / row_bytes.max(1)).clamp(1, rows.max(1));
    let mut bytes = zeroed(chunk_rows * row_bytes, source)?;
    let mut values = buffer::<f32>(chunk_rows * dim, source)?;
    let mut done = 0;
    while done < rows {
        let n = chunk_rows.min(rows - done);
        let chunk = &mut bytes[..n * row_bytes];
        read_full(reader, chunk, source)?;
        values.clear();
        header.dtype.extend_f32(chunk, &mut values);
        for row in values.chunks_exact(dim) {
            sink.push(row)?;
        }
        done += n;
    }
    Ok(())
}

/// `dims` is (rows in the file, rows wanted, values per row).
fn read_fortran(
    reader: &mut impl Read,
    header: &Header,
    (all_rows, rows, dim): (usize, usize, usize),
    sink: &mut RowSink,
    source: &Source<'_>,
) -> Result<(), DataError> {
    let size = header.dtype.size;
    let mut transposed = buffer::<f32>(rows * dim, source)?;
    transposed.resize(rows * dim, 0.0);
    let trailing = &header.shape[1..];
    // The file holds column after column; `index` counts through the trailing dimensions
    // first-fastest (Fortran order) and `c` is that column's place in a C-order row.
    let mut index = vec![0_usize; trailing.len()];
    let chunk_values = (CHUNK_BYTES / size).max(1);
    let mut bytes = zeroed(chunk_values.min(all_rows) * size, source)?;
    let mut values = buffer::<f32>(chunk_values.min(all_rows), source)?;
    for _ in 0..dim {
        let c = index
            .iter()
            .zip(trailing)
            .fold(0, |flat, (&i, &d)| flat * d + i);
        let mut r = 0;
        while r < all_rows {
            let n = chunk_values.min(all_rows - r);
            let chunk = &mut bytes[..n * size];
            read_full(reader, chunk, source)?;
            if r < rows {
                values.clear();
                header.dtype.extend_f32(chunk, &mut values);
                for (k, &v) in values.iter().take(rows - r).enumerate() {
                    transposed[(r + k) * dim + c] = v;
                }
            }
            r += n;
        }
        for (i, &d) in index.iter_mut().zip(trailing) {
            *i += 1;
            if *i < d {
                break;
            }
            *i = 0;
        }
    }
    for row in transposed.chunks_exact(dim) {
        sink.push(row)?;
    }
    Ok(())
}

/// An empty buffer with room for `len` items, or an error when memory is short.
fn buffer<T>(len: usize, source: &Source<'_>) -> Result<Vec<T>, DataError> {
    let mut buffer = Vec::new();
    buffer
        .try_reserve_exact(len)
        .map_err(|_| source.error(format!("not enough memory for {len} values")))?;
    Ok(buffer)
}

/// `len` zero bytes to read into, or an error when memory is short.
fn zeroed(len: usize, source: &Source<'_>) -> Result<Vec<u8>, DataError> {
    let mut bytes = buffer(len, source)?;
    bytes.resize(len, 0);
    Ok(bytes)
}

/// Fills `buf`, telling a file that ends early from damaged compressed data.
fn read_full(reader: &mut impl Read, buf: &mut [u8], source: &Source<'_>) -> Result<(), DataError> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => source.error("the data ends earlier than its header says"),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::Other => {
            source.error(format!("the compressed data is corrupt ({e})"))
        }
        _ => DataError::io(e, source.path),
    })
}
