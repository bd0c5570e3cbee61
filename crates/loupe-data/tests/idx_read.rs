//! Reading MNIST IDX files: raw and gzip, with labels, bad headers, and the real demo digits.

use std::io::Write;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::UInt8Type;
use flate2::Compression;
use flate2::write::GzEncoder;
use loupe_data::{
    DataError, FileFormat, ReadOptions, Warning, read_file, read_idx_bytes, read_path,
};

/// An unsigned-byte IDX file with the given dimensions and data.
fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("finish")
}

/// Three 2×2 images and their labels.
fn tiny() -> (Vec<u8>, Vec<u8>) {
    let pixels = [0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0];
    (idx(&[3, 2, 2], &pixels), idx(&[3], &[7, 2, 1]))
}

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets")
        .join(name)
}

fn labels(ds: &loupe_core::Dataset) -> Vec<u8> {
    let column = ds.metadata().column_by_name("label").expect("label column");
    column.as_primitive::<UInt8Type>().values().to_vec()
}

#[test]
fn raw_and_gzip_files_with_sibling_labels() {
    let (images, label_bytes) = tiny();
    for (suffix, compress) in [("", false), (".gz", true)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let encode = |bytes: &[u8]| {
            if compress {
                gzip(bytes)
            } else {
                bytes.to_vec()
            }
        };
        let images_path = dir.path().join(format!("tiny-images-idx3-ubyte{suffix}"));
        std::fs::write(&images_path, encode(&images)).expect("write images");
        std::fs::write(
            dir.path().join(format!("tiny-labels-idx1-ubyte{suffix}")),
            encode(&label_bytes),
        )
        .expect("write labels");

        let ds = read_path(&images_path, &ReadOptions::default()).expect("read");
        assert_eq!((ds.n_rows(), ds.dim()), (3, 4));
        assert_eq!(ds.image_shape(), Some([2, 2]));
        assert_eq!(ds.row(0), &[0.0, 1.0, 0.2, 0.4]);
        assert_eq!(labels(&ds), [7, 2, 1]);
        assert_eq!(
            ds.name(),
            images_path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
        );

        let options = ReadOptions {
            limit: Some(2),
            ..ReadOptions::default()
        };
        let head = read_path(&images_path, &options).expect("limited");
        assert_eq!(head.n_rows(), 2);
        assert_eq!(labels(&head), [7, 2]);
    }
}

#[test]
fn bytes_in_memory_with_and_without_labels() {
    let (images, label_bytes) = tiny();
    let ds = read_idx_bytes("tiny", &gzip(&images), Some(&label_bytes), None).expect("read");
    assert_eq!(ds.name(), "tiny");
    assert_eq!(labels(&ds), [7, 2, 1]);
    let ds = read_idx_bytes("tiny", &images, None, Some(1)).expect("read");
    assert_eq!(ds.n_rows(), 1);
    assert!(ds.column_names().is_empty());
}

#[test]
fn images_without_labels_file_load_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("digits-images.idx3-ubyte");
    std::fs::write(&path, tiny().0).expect("write");
    let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(ds.n_rows(), 3);
    assert!(ds.column_names().is_empty());
    assert_eq!(report.format, FileFormat::Idx);
    let Some(Warning::NoLabels { tried }) = report.warnings.first() else {
        panic!("expected a NoLabels warning: {:?}", report.warnings);
    };
    assert_eq!(tried[0], dir.path().join("digits-labels.idx1-ubyte"));
    // Pooling applies to IDX pixels too: 2 × 2 images pooled to 2 values.
    let options = ReadOptions {
        mean_pool_to: Some(2),
        ..ReadOptions::default()
    };
    let (pooled, _) = read_file(&path, &options).expect("pooled");
    assert_eq!(pooled.dim(), 2);
    // Row 0 is 0, 255, 51, 102 (scaled by 1/255): patches (0, 1) and (0.2, 0.4).
    assert_eq!(pooled.row(0), [(0.0 + 0.2) * 0.5, (1.0 + 0.4) * 0.5]);
}

#[test]
fn wrong_magic_is_an_error() {
    let mut bytes = tiny().0;
    bytes[2] = 0x07;
    let err = read_idx_bytes("bad.idx", &bytes, None, None).expect_err("wrong magic");
    assert!(matches!(err, DataError::InvalidIdx { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("bad.idx") && text.contains("magic"), "{text}");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad-images-idx3-ubyte.gz");
    std::fs::write(&path, gzip(&bytes)).expect("write");
    let err = read_path(&path, &ReadOptions::default()).expect_err("wrong magic in gzip");
    assert!(err.to_string().contains("magic"), "{err}");
}

#[test]
fn truncated_files_are_errors() {
    let (images, label_bytes) = tiny();
    let cut = &images[..images.len() - 5];
    let err = read_idx_bytes("cut.idx", cut, None, None).expect_err("truncated raw");
    assert!(
        matches!(
            err,
            DataError::TruncatedIdx {
                expected: 12,
                actual: 7,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("cut.idx") && err.to_string().contains("truncated"));

    let compressed = gzip(&images);
    let cut = &compressed[..compressed.len() / 2];
    let err = read_idx_bytes("cut.gz", cut, None, None).expect_err("truncated gzip");
    assert!(err.to_string().contains("cut.gz"), "{err}");

    let short_labels = &label_bytes[..label_bytes.len() - 1];
    let err = read_idx_bytes("l", &images, Some(short_labels), None).expect_err("labels");
    assert!(matches!(err, DataError::TruncatedIdx { .. }), "{err}");
}

#[test]
fn mismatched_labels_and_labels_only_files_are_errors() {
    let (images, _) = tiny();
    let two_labels = idx(&[2], &[1, 2]);
    let err = read_idx_bytes("m", &images, Some(&two_labels), None).expect_err("count");
    assert!(
        matches!(
            err,
            DataError::LabelCount {
                labels: 2,
                images: 3,
                ..
            }
        ),
        "{err}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t-labels-idx1-ubyte");
    std::fs::write(&path, idx(&[2], &[1, 2])).expect("write");
    let err = read_path(&path, &ReadOptions::default()).expect_err("labels only");
    assert!(matches!(err, DataError::IdxLabelsOnly { .. }), "{err}");
    assert!(err.to_string().contains("images file"), "{err}");
}

#[test]
fn mnist_demo_digits() {
    let ds = read_path(&demo("t10k-images.idx3-ubyte.gz"), &ReadOptions::default())
        .expect("demo digits");
    assert_eq!((ds.n_rows(), ds.dim()), (10_000, 784));
    assert_eq!(ds.image_shape(), Some([28, 28]));
    assert_eq!(ds.name(), "t10k-images.idx3-ubyte.gz");
    assert!(ds.vectors().iter().all(|v| (0.0..=1.0).contains(v)));
    let labels = labels(&ds);
    assert_eq!(labels[0], 7);
    let categories = ds.categories("label").expect("categorical labels");
    assert_eq!(categories.names.len(), 10);

    let images = std::fs::read(demo("t10k-images.idx3-ubyte.gz")).expect("images");
    let label_bytes = std::fs::read(demo("t10k-labels.idx1-ubyte.gz")).expect("labels");
    let from_bytes =
        read_idx_bytes("mnist", &images, Some(&label_bytes), Some(500)).expect("from bytes");
    assert_eq!(from_bytes.n_rows(), 500);
    assert_eq!(from_bytes.vectors(), &ds.vectors()[..500 * 784]);
}
