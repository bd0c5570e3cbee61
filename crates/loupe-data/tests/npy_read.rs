//! Reading numpy `.npy` and `.npz`: every numeric dtype, both byte orders, C and Fortran order,
//! header versions, and `.npz` archives with labels, chosen by name or by shape.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt8Type};
use common::{bits, f32_le, npy, write_npz};
use loupe_data::{BadRows, DataError, DropReason, FileFormat, ReadOptions, Warning, read_file};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn rows() -> Vec<Vec<f32>> {
    vec![vec![0.5, -1.25, 3.0], vec![1e-7, 2.5e6, -0.0]]
}

#[test]
fn float32_c_order_in_every_header_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    for version in [1, 2, 3] {
        let bytes = npy("<f4", false, &[2, 3], &f32_le(&rows()), version);
        let path = write(dir.path(), &format!("emb-v{version}.npy"), &bytes);
        let (ds, report) = read_file(&path, &ReadOptions::default()).expect("read");
        assert_eq!(report.format, FileFormat::Npy);
        assert_eq!(ds.vector_column(), format!("emb-v{version}"));
        assert_eq!((ds.n_rows(), ds.dim()), (2, 3));
        assert_eq!(bits(ds.vectors()), bits(&common::flat(&rows())));
        assert!(ds.column_names().is_empty());
    }
}

/// Every numeric dtype in both byte orders holds the values 0, 1, 2, 3, 4, 5 as a 2 × 3 array.
#[test]
fn every_numeric_dtype_and_byte_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let values = [0_u8, 1, 2, 3, 4, 5];
    let encode = |descr: &str| -> Vec<u8> {
        let big = descr.starts_with('>');
        let mut out = Vec::new();
        for &v in &values {
            let mut bytes = match &descr[1..] {
                "f2" => half::f16::from_f32(f32::from(v)).to_le_bytes().to_vec(),
                "f4" => f32::from(v).to_le_bytes().to_vec(),
                "f8" => f64::from(v).to_le_bytes().to_vec(),
                "i1" | "u1" => vec![v],
                "i2" | "u2" => u16::from(v).to_le_bytes().to_vec(),
                "i4" | "u4" => u32::from(v).to_le_bytes().to_vec(),
                "i8" | "u8" => u64::from(v).to_le_bytes().to_vec(),
                other => panic!("{other}"),
            };
            if big {
                bytes.reverse();
            }
            out.extend(bytes);
        }
        out
    };
    for code in [
        "f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8",
    ] {
        for order in ['<', '>'] {
            let descr = format!("{order}{code}");
            let path = write(
                dir.path(),
                "typed.npy",
                &npy(&descr, false, &[2, 3], &encode(&descr), 1),
            );
            let (ds, _) = read_file(&path, &ReadOptions::default()).expect(&descr);
            assert_eq!(ds.vectors(), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "{descr}");
        }
    }
    let negative = npy("<i2", false, &[1, 2], &[0xff, 0xff, 0x00, 0x80], 1);
    let path = write(dir.path(), "negative.npy", &negative);
    let (ds, _) = read_file(&path, &ReadOptions::default()).expect("i2");
    assert_eq!(ds.vectors(), [-1.0, -32768.0]);
}

#[test]
fn big_endian_float64() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data: Vec<u8> = [1.5_f64, -2.25, 1e10, 0.1]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    let path = write(dir.path(), "be.npy", &npy(">f8", false, &[2, 2], &data, 1));
    let (ds, _) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(ds.vectors(), [1.5, -2.25, 1e10, 0.1_f64 as f32]);
}

#[test]
fn fortran_order_is_transposed() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The 2 × 3 array [[0, 1, 2], [3, 4, 5]] stored column by column.
    let column_major = f32_le(&[vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]]);
    let path = write(
        dir.path(),
        "f.npy",
        &npy("<f4", true, &[2, 3], &column_major, 1),
    );
    let (ds, _) = read_file(&path, &ReadOptions::default()).expect("read");
    assert_eq!(ds.vectors(), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    let options = ReadOptions {
        limit: Some(1),
        ..ReadOptions::default()
    };
    let (head, _) = read_file(&path, &options).expect("head");
    assert_eq!(head.vectors(), [0.0, 1.0, 2.0]);

    // A (2, 2, 3) array: element (r, i, j) = 100r + 10i + j, stored r fastest, then i, then j.
    let mut data = Vec::new();
    for j in 0..3 {
        for i in 0..2 {
            for r in 0..2 {
                data.push((100 * r + 10 * i + j) as f32);
            }
        }
    }
    let path = write(
        dir.path(),
        "f3.npy",
        &npy(
            ">f4",
            true,
            &[2, 2, 3],
            &data
                .iter()
                .flat_map(|v| v.to_be_bytes())
                .collect::<Vec<_>>(),
            2,
        ),
    );
    let (ds, _) = read_file(&path, &ReadOptions::default()).expect("3-d");
    assert_eq!(ds.row(0), [0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
    assert_eq!(ds.row(1), [100.0, 101.0, 102.0, 110.0, 111.0, 112.0]);
    assert_eq!(ds.image_shape(), Some([2, 3]));
}

#[test]
fn unusable_arrays_are_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            npy("<f4", false, &[3], &f32_le(&[vec![1.0, 2.0, 3.0]]), 1),
            "fewer than two dimensions",
        ),
        (npy("|b1", false, &[1, 2], &[0, 1], 1), "no numbers"),
        (
            npy("<f4", false, &[2, 3], &f32_le(&[vec![1.0; 5]]), 1),
            "truncated",
        ),
        (npy("<c8", false, &[1, 1], &[0; 8], 1), "c8"),
    ];
    for (bytes, words) in cases {
        let path = write(dir.path(), "bad.npy", &bytes);
        let err = read_file(&path, &ReadOptions::default()).expect_err(words);
        assert!(matches!(err, DataError::Npy { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("bad.npy") && text.contains(words), "{text}");
    }
    let path = write(dir.path(), "flat.npy", &npy("<f4", false, &[2, 0], &[], 1));
    let err = read_file(&path, &ReadOptions::default()).expect_err("dim 0");
    assert!(matches!(err, DataError::ZeroDimension { .. }), "{err}");
}

#[test]
fn npz_with_labels_names_and_scalars() {
    let dir = tempfile::tempdir().expect("tempdir");
    let labels: Vec<u8> = [3_i64, 1, 4].iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut names = Vec::new();
    for name in ["ab", "c", "def"] {
        let mut padded: Vec<char> = name.chars().collect();
        padded.resize(3, '\0');
        names.extend(padded.iter().flat_map(|&c| u32::from(c).to_le_bytes()));
    }
    let vectors = f32_le(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]);
    let other: Vec<u8> = f32_le(&[vec![9.0; 4]]);
    for deflate in [false, true] {
        let path = dir.path().join("bundle.npz");
        write_npz(
            &path,
            &[
                ("labels", npy("<i8", false, &[3], &labels, 1)),
                ("pca", npy("<f4", false, &[2, 2], &other, 1)),
                ("embeddings", npy("<f4", false, &[3, 2], &vectors, 1)),
                ("names", npy("<U3", false, &[3], &names, 1)),
                ("gsd", npy("<f8", false, &[], &10.0_f64.to_le_bytes(), 1)),
                ("short", npy("|u1", false, &[2], &[1, 2], 1)),
            ],
            deflate,
        );
        let (ds, report) = read_file(&path, &ReadOptions::default()).expect("npz");
        assert_eq!(report.format, FileFormat::Npz);
        assert_eq!(report.vector_columns, ["embeddings"]);
        assert_eq!(ds.vectors(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(ds.column_names(), ["labels", "names"]);
        let got = ds.metadata().column(0).as_primitive::<Int64Type>();
        assert_eq!(got.values().as_ref(), [3, 1, 4]);
        let got = ds.metadata().column(1).as_string::<i32>();
        assert_eq!(
            (got.value(0), got.value(1), got.value(2)),
            ("ab", "c", "def")
        );
        assert_eq!(
            report.key_values.get("gsd").map(String::as_str),
            Some("10.0")
        );
        let ignored: Vec<&str> = report
            .warnings
            .iter()
            .filter_map(|w| match w {
                Warning::IgnoredArray { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ignored, ["pca", "short"]);

        let pca = ReadOptions {
            column: Some("pca".to_owned()),
            ..ReadOptions::default()
        };
        let (ds, _) = read_file(&path, &pca).expect("pca");
        assert_eq!(ds.vectors(), [9.0; 4]);
        // Only `short` has one value per row of `pca`.
        assert_eq!(ds.column_names(), ["short"]);
    }
}

#[test]
fn npz_limit_and_dropped_rows_keep_labels_aligned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("digits.npz");
    let vectors = f32_le(&[
        vec![0.0, 0.0],
        vec![f32::NAN, 1.0],
        vec![2.0, 2.0],
        vec![3.0, f32::INFINITY],
        vec![4.0, 4.0],
    ]);
    write_npz(
        &path,
        &[
            ("X", npy("<f4", false, &[5, 2], &vectors, 1)),
            ("y", npy("|u1", false, &[5], &[10, 11, 12, 13, 14], 1)),
        ],
        true,
    );
    let err = read_file(&path, &ReadOptions::default()).expect_err("NaN");
    assert!(
        err.to_string()
            .contains("rows 1 and 3 hold NaN or infinity"),
        "{err}"
    );
    let drop = ReadOptions {
        bad_rows: BadRows::Drop,
        ..ReadOptions::default()
    };
    let (ds, report) = read_file(&path, &drop).expect("dropped");
    assert_eq!(ds.vectors(), [0.0, 0.0, 2.0, 2.0, 4.0, 4.0]);
    let labels = ds.metadata().column(0).as_primitive::<UInt8Type>();
    assert_eq!(labels.values().as_ref(), [10, 12, 14]);
    let rows: Vec<(usize, DropReason)> = report.dropped.iter().map(|d| (d.row, d.reason)).collect();
    assert_eq!(
        rows,
        [(1, DropReason::NonFinite), (3, DropReason::NonFinite)]
    );

    let head = ReadOptions {
        limit: Some(3),
        bad_rows: BadRows::Drop,
        ..ReadOptions::default()
    };
    let (ds, report) = read_file(&path, &head).expect("head");
    assert_eq!(ds.vectors(), [0.0, 0.0, 2.0, 2.0]);
    let labels = ds.metadata().column(0).as_primitive::<UInt8Type>();
    assert_eq!(labels.values().as_ref(), [10, 12]);
    assert_eq!(report.rows_read, 3);
}
