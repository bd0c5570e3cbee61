//! MNIST's IDX format → [`Dataset`], raw or gzip-compressed, with the labels file alongside.
//!
//! An IDX file is a 4-byte magic (`0, 0, element type, number of dimensions`), one big-endian
//! `u32` per dimension, then the elements row-major. Loupe reads unsigned-byte files (type
//! `0x08`), which covers MNIST and its look-alikes (Fashion-MNIST, KMNIST, EMNIST).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{RecordBatch, UInt8Array};
use arrow_schema::{DataType, Field, Schema};
use flate2::bufread::MultiGzDecoder;
use loupe_core::Dataset;

use crate::assemble::finish_dataset;
use crate::report::{FileFormat, FileReport, Warning};
use crate::sink::RowSink;
use crate::{DataError, ReadOptions};

/// The only element type read: unsigned bytes.
const UBYTE: u8 = 0x08;
/// Name given to the vectors, which in IDX have none.
const VECTOR_COLUMN: &str = "pixels";
/// Name of the column the labels file becomes.
const LABEL_COLUMN: &str = "label";
/// Never reserve more than this up front: a corrupt header may promise terabytes.
const MAX_RESERVE_BYTES: usize = 256 << 20;

/// Whether the last two magic bytes look like IDX (the first two are zero).
pub(crate) fn is_idx_magic(kind: u8, dims: u8) -> bool {
    (UBYTE..=0x0e).contains(&kind) && (1..=8).contains(&dims)
}

/// Reads MNIST-style IDX data already in memory, e.g. the app's built-in demo digits.
///
/// `images` and `labels` may each be raw or gzip-compressed (told apart by the gzip magic).
/// `name` names the dataset and stands in for the path in errors. Pixels are scaled from
/// `0..=255` to `[0, 1]`; `limit` keeps only the first rows.
pub fn read_idx_bytes(
    name: &str,
    images: &[u8],
    labels: Option<&[u8]>,
    limit: Option<usize>,
) -> Result<Dataset, DataError> {
    let path = Path::new(name);
    let labels = labels.map(|bytes| (path, decompressed(bytes)));
    let options = ReadOptions {
        limit,
        ..ReadOptions::default()
    };
    let mut report = FileReport::new(FileFormat::Idx);
    build(path, decompressed(images), labels, &options, &mut report)
}

/// Reads an IDX images file and, when it exists, its sibling labels file.
pub(crate) fn read_idx_path(
    path: &Path,
    options: &ReadOptions,
) -> Result<(Dataset, FileReport), DataError> {
    let mut report = FileReport::new(FileFormat::Idx);
    let images = open(path)?;
    let candidates = label_candidates(path);
    let labels_path = candidates.iter().find(|candidate| candidate.is_file());
    let labels = match labels_path {
        Some(labels_path) => Some((labels_path.as_path(), open(labels_path)?)),
        None => None,
    };
    if labels.is_none() && !candidates.is_empty() {
        report.warnings.push(Warning::NoLabels {
            tried: candidates.clone(),
        });
    }
    let dataset = build(path, images, labels, options, &mut report)?;
    Ok((dataset, report))
}

/// The labels files that may go with an images file: `t10k-images.idx3-ubyte.gz` →
/// `t10k-labels.idx1-ubyte.gz`, with and without `.gz`; none unless the name says `images`.
fn label_candidates(images: &Path) -> Vec<PathBuf> {
    let Some(name) = images.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    if !name.contains("images") {
        return Vec::new();
    }
    let labels = name.replace("images", "labels").replace("idx3", "idx1");
    let other = match labels.strip_suffix(".gz") {
        Some(raw) => raw.to_owned(),
        None => format!("{labels}.gz"),
    };
    [labels, other]
        .into_iter()
        .map(|candidate| images.with_file_name(candidate))
        .collect()
}

fn open(path: &Path) -> Result<Box<dyn Read>, DataError> {
    let file = File::open(path).map_err(|e| DataError::io(e, path))?;
    let mut reader = BufReader::new(file);
    let is_gzip = reader
        .fill_buf()
        .map_err(|e| DataError::io(e, path))?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if is_gzip {
        Box::new(MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

fn decompressed(bytes: &[u8]) -> Box<dyn Read + '_> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(MultiGzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    }
}

fn build(
    path: &Path,
    mut images: Box<dyn Read + '_>,
    labels: Option<(&Path, Box<dyn Read + '_>)>,
    options: &ReadOptions,
    report: &mut FileReport,
) -> Result<Dataset, DataError> {
    let dims = read_header(&mut images, path)?;
    if dims.len() == 1 {
        return Err(DataError::IdxLabelsOnly {
            path: path.to_path_buf(),
        });
    }
    let image_count = dims[0];
    let rows = options
        .limit
        .map_or(image_count, |limit| limit.min(image_count));
    if rows == 0 {
        return Err(DataError::no_rows(path));
    }
    let dim = dims[1..]
        .iter()
        .try_fold(1_usize, |acc, &d| acc.checked_mul(d));
    let Some(dim) = dim.filter(|dim| dim.checked_mul(rows).is_some()) else {
        return Err(invalid(path, "its dimensions overflow memory sizes"));
    };
    if dim == 0 {
        return Err(DataError::ZeroDimension {
            column: VECTOR_COLUMN.to_owned(),
            path: path.to_path_buf(),
        });
    }
    let pixels = read_data(&mut images, rows * dim, path)?;
    let mut sink = RowSink::new(VECTOR_COLUMN, path, options, rows);
    let mut row = Vec::with_capacity(dim);
    for image in pixels.chunks_exact(dim) {
        row.clear();
        row.extend(image.iter().map(|&p| f32::from(p) / 255.0));
        sink.push(&row)?;
    }
    drop(pixels);
    let vectors = sink.finish()?;
    report.vector_columns = vec![VECTOR_COLUMN.to_owned()];

    let metadata = match labels {
        None => RecordBatch::new_empty(Arc::new(Schema::empty())),
        Some((labels_path, mut reader)) => {
            label_batch(&mut reader, image_count, rows, labels_path)?
        }
    };
    let dataset = finish_dataset(path, VECTOR_COLUMN, vectors, metadata, report)?;
    // A 2-D file (rows × features) keeps the data model's guess; a 3-D one knows its shape.
    Ok(if dims.len() == 3 {
        dataset.with_image_shape(Some([dims[1], dims[2]]))
    } else {
        dataset
    })
}

/// The labels as a one-column batch, after checking they pair up with the images.
fn label_batch(
    reader: &mut dyn Read,
    images: usize,
    rows: usize,
    path: &Path,
) -> Result<RecordBatch, DataError> {
    let dims = read_header(reader, path)?;
    if dims.len() != 1 {
        return Err(invalid(path, "a labels file has one dimension"));
    }
    if dims[0] != images {
        return Err(DataError::LabelCount {
            labels: dims[0],
            images,
            path: path.to_path_buf(),
        });
    }
    let labels = read_data(reader, rows, path)?;
    let schema = Schema::new(vec![Field::new(LABEL_COLUMN, DataType::UInt8, false)]);
    RecordBatch::try_new(Arc::new(schema), vec![Arc::new(UInt8Array::from(labels))])
        .map_err(|e| DataError::arrow(e, path))
}

/// Checks the magic and returns the dimensions, first the number of items.
fn read_header(reader: &mut dyn Read, path: &Path) -> Result<Vec<usize>, DataError> {
    let mut magic = [0_u8; 4];
    read_header_bytes(reader, &mut magic, path)?;
    let [zero_a, zero_b, kind, ndims] = magic;
    if zero_a != 0 || zero_b != 0 || !is_idx_magic(kind, ndims) {
        return Err(invalid(
            path,
            &format!(
                "wrong magic number {zero_a:02x} {zero_b:02x} {kind:02x} {ndims:02x} (expected \
                 00 00 08 followed by the number of dimensions)"
            ),
        ));
    }
    if kind != UBYTE {
        return Err(invalid(
            path,
            &format!("element type 0x{kind:02x} is not supported, only unsigned bytes (0x08)"),
        ));
    }
    let mut dims = Vec::with_capacity(usize::from(ndims));
    for _ in 0..ndims {
        let mut size = [0_u8; 4];
        read_header_bytes(reader, &mut size, path)?;
        dims.push(u32::from_be_bytes(size) as usize);
    }
    Ok(dims)
}

fn read_header_bytes(reader: &mut dyn Read, buf: &mut [u8], path: &Path) -> Result<(), DataError> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => invalid(path, "the file ends inside its header"),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => corrupt(path, &e),
        _ => DataError::io(e, path),
    })
}

/// Reads exactly `len` bytes of data, growing the buffer as it arrives.
fn read_data(reader: &mut dyn Read, len: usize, path: &Path) -> Result<Vec<u8>, DataError> {
    let mut data = Vec::with_capacity(len.min(MAX_RESERVE_BYTES));
    let result = reader.take(len as u64).read_to_end(&mut data);
    let truncated = || DataError::TruncatedIdx {
        expected: len,
        actual: data.len(),
        path: path.to_path_buf(),
    };
    match result {
        Ok(_) if data.len() == len => Ok(data),
        Ok(_) => Err(truncated()),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(truncated()),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
            ) =>
        {
            Err(corrupt(path, &e))
        }
        Err(e) => Err(DataError::io(e, path)),
    }
}

fn invalid(path: &Path, reason: &str) -> DataError {
    DataError::InvalidIdx {
        reason: reason.to_owned(),
        path: path.to_path_buf(),
    }
}

/// Damaged gzip data shows up as these IO error kinds from the decoder.
fn corrupt(path: &Path, error: &io::Error) -> DataError {
    invalid(path, &format!("the compressed data is corrupt ({error})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0, 0, UBYTE, dims.len() as u8];
        for d in dims {
            bytes.extend_from_slice(&d.to_be_bytes());
        }
        bytes.extend_from_slice(data);
        bytes
    }

    #[test]
    fn labels_path_follows_mnist_naming() {
        let dir = Path::new("/data");
        assert_eq!(
            label_candidates(&dir.join("train-images-idx3-ubyte")),
            [
                dir.join("train-labels-idx1-ubyte"),
                dir.join("train-labels-idx1-ubyte.gz")
            ]
        );
        assert_eq!(
            label_candidates(&dir.join("t10k-images.idx3-ubyte.gz")),
            [
                dir.join("t10k-labels.idx1-ubyte.gz"),
                dir.join("t10k-labels.idx1-ubyte")
            ]
        );
        assert!(label_candidates(&dir.join("digits.idx")).is_empty());
    }

    #[test]
    fn two_dimensional_files_are_plain_vectors() {
        let bytes = idx(&[2, 3], &[0, 255, 51, 102, 0, 0]);
        let ds = read_idx_bytes("v.idx", &bytes, None, None).expect("dataset");
        assert_eq!((ds.n_rows(), ds.dim()), (2, 3));
        assert_eq!(ds.row(0), &[0.0, 1.0, 0.2]);
        assert_eq!(ds.image_shape(), None);
    }

    #[test]
    fn headers_are_checked() {
        let floats = [0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0];
        let err = read_idx_bytes("f.idx", &floats, None, None).expect_err("float elements");
        assert!(err.to_string().contains("0x0d"), "{err}");
        let err = read_idx_bytes("h.idx", &[0, 0, 8, 3, 0], None, None).expect_err("short");
        assert!(err.to_string().contains("header"), "{err}");
        let labels = idx(&[3], &[1, 2]);
        let err = read_idx_bytes("l.idx", &labels, None, None).expect_err("labels only");
        assert!(matches!(err, DataError::IdxLabelsOnly { .. }), "{err}");
    }
}
