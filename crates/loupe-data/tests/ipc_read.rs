//! Reading Arrow IPC: the file format (Feather v2, plain and lz4) and the stream format, with
//! the same column rules as Parquet.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{ArrayRef, FixedSizeListArray, UInt8Array};
use common::{
    batch, batch_with_metadata, bits, f32_rows, flat, id_and_name, write_ipc_file, write_ipc_stream,
};
use loupe_data::{FileFormat, ReadOptions, read_file};

fn rows() -> Vec<Vec<f32>> {
    vec![
        vec![0.5, -1.25, 3.0],
        vec![1e-7, 2.5e6, -0.0],
        vec![f32::MIN_POSITIVE, 7.0, 8.0],
        vec![-9.5, 0.1, 0.2],
    ]
}

#[test]
fn feather_files_plain_and_lz4_in_several_batches() {
    let all = rows();
    let (ids, names) = id_and_name(4);
    let first = batch(vec![
        ("id", ids.slice(0, 3)),
        ("embedding", f32_rows(&all[..3])),
        ("name", names.slice(0, 3)),
    ]);
    let second = batch(vec![
        ("id", ids.slice(3, 1)),
        ("embedding", f32_rows(&all[3..])),
        ("name", names.slice(3, 1)),
    ]);
    for lz4 in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vectors.feather");
        write_ipc_file(&path, &[first.clone(), second.clone()], lz4);
        let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
        assert_eq!(report.format, FileFormat::ArrowFile);
        assert_eq!(report.vector_columns, ["embedding"]);
        assert_eq!((ds.n_rows(), ds.dim()), (4, 3));
        assert_eq!(bits(ds.vectors()), bits(&flat(&all)));
        assert_eq!(ds.column_names(), ["id", "name"]);
        assert_eq!(ds.metadata().column(0).as_ref(), ids.as_ref());
        assert_eq!(ds.metadata().column(1).as_ref(), names.as_ref());
    }
}

#[test]
fn streams_with_fixed_size_lists_and_limits() {
    let all = rows();
    let vectors = FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
        all.iter().map(|r| Some(r.iter().copied().map(Some))),
        3,
    );
    let vectors: ArrayRef = Arc::new(vectors);
    let labels: ArrayRef = Arc::new(UInt8Array::from(vec![1, 2, 3, 4]));
    let batches = [
        batch(vec![
            ("vec", vectors.slice(0, 2)),
            ("label", labels.slice(0, 2)),
        ]),
        batch(vec![
            ("vec", vectors.slice(2, 2)),
            ("label", labels.slice(2, 2)),
        ]),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vectors.arrows");
    write_ipc_stream(&path, &batches);
    let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(report.format, FileFormat::ArrowStream);
    assert_eq!(bits(ds.vectors()), bits(&flat(&all)));
    assert_eq!(ds.metadata().column(0).as_ref(), labels.as_ref());

    // Any extension: the stream is recognised by its first bytes.
    let renamed = dir.path().join("vectors.bin");
    std::fs::rename(&path, &renamed).expect("rename");
    let options = ReadOptions {
        limit: Some(3),
        ..ReadOptions::default()
    };
    let (head, _) = read_file(&renamed, &options).expect("head");
    assert_eq!(head.vectors(), flat(&all[..3]));
    assert_eq!(
        head.metadata().column(0).as_ref(),
        labels.slice(0, 3).as_ref()
    );
}

#[test]
fn schema_metadata_reaches_the_report_and_the_dataset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clay.arrow");
    let b = batch_with_metadata(
        vec![("embeddings", f32_rows(&rows()))],
        &[
            ("date", "2024-06-10"),
            ("gsd", "10.0"),
            ("uri", "s3://bucket/a.tif"),
        ],
    );
    write_ipc_file(&path, &[b], false);
    let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
    let keys: Vec<&str> = report.key_values.keys().map(String::as_str).collect();
    assert_eq!(keys, ["date", "gsd", "uri"]);
    assert_eq!(report.key_values["gsd"], "10.0");
    let schema = ds.metadata().schema();
    assert_eq!(
        schema.metadata().get("uri").map(String::as_str),
        Some("s3://bucket/a.tif")
    );
}
