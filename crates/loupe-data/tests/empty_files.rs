//! A file without rows is the same clear error in every format.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch};
use arrow_ipc::writer::{FileWriter, StreamWriter};
use common::{batch, f32_rows, fixture, npy, write_ipc_file, write_npz, write_parquet};
use loupe_data::{DataError, ReadOptions, read_file};

fn assert_no_rows(path: &Path) {
    let err = read_file(path, &ReadOptions::default()).expect_err("no rows");
    assert!(
        matches!(err, DataError::NoRows { .. }),
        "{}: {err}",
        path.display()
    );
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    let text = err.to_string();
    assert!(text.contains(name) && text.contains("no rows"), "{text}");
}

fn empty_batch() -> RecordBatch {
    let ids: ArrayRef = Arc::new(Int64Array::from(Vec::<i64>::new()));
    batch(vec![("id", ids), ("emb", f32_rows(&[]))])
}

#[test]
fn parquet() {
    assert_no_rows(&fixture("21MNT.parquet"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.parquet");
    let b = empty_batch();
    write_parquet(
        &path,
        vec![
            ("id", Arc::clone(b.column(0))),
            ("emb", Arc::clone(b.column(1))),
        ],
        10,
    );
    assert_no_rows(&path);
}

#[test]
fn arrow_ipc_file_and_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = empty_batch().schema();
    let path = dir.path().join("no-batches.arrow");
    let mut writer = FileWriter::try_new(std::fs::File::create(&path).expect("create"), &schema)
        .expect("writer");
    writer.finish().expect("finish");
    assert_no_rows(&path);
    let path = dir.path().join("empty-batch.feather");
    write_ipc_file(&path, &[empty_batch()], false);
    assert_no_rows(&path);
    let path = dir.path().join("empty.arrows");
    let mut writer = StreamWriter::try_new(std::fs::File::create(&path).expect("create"), &schema)
        .expect("writer");
    writer.write(&empty_batch()).expect("write");
    writer.finish().expect("finish");
    assert_no_rows(&path);
}

#[test]
fn csv_header_only_or_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in [
        ("header.csv", "id,emb\n"),
        ("nothing.csv", ""),
        ("header.tsv", "a\tb"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        assert_no_rows(&path);
    }
}

#[test]
fn numpy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.npy");
    std::fs::write(&path, npy("<f4", false, &[0, 4], &[], 1)).expect("write");
    assert_no_rows(&path);
    let path = dir.path().join("empty.npz");
    write_npz(
        &path,
        &[
            ("embeddings", npy("<f4", false, &[0, 4], &[], 1)),
            ("labels", npy("<i8", false, &[0], &[], 1)),
        ],
        true,
    );
    assert_no_rows(&path);
}

#[test]
fn idx_and_zero_byte_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty-images-idx3-ubyte");
    let mut bytes = vec![0, 0, 8, 3];
    for d in [0_u32, 28, 28] {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    std::fs::write(&path, bytes).expect("write");
    assert_no_rows(&path);
    let path = dir.path().join("zero-bytes.bin");
    std::fs::write(&path, b"").expect("write");
    assert_no_rows(&path);
}
