//! Mean pooling of patch-level vectors while reading, for every layout that can hold them.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::sync::Arc;

use arrow_array::FixedSizeListArray;
use arrow_array::types::Float32Type;
use common::{f32_le, f32_rows, npy, write_parquet};
use loupe_data::{DataError, ReadOptions, read_file};

fn pool_to(target: usize) -> ReadOptions {
    ReadOptions {
        mean_pool_to: Some(target),
        ..ReadOptions::default()
    }
}

/// Row `r`, patch `p`, channel `c` holds `r + 10p + 100c`, so the mean over patches of
/// channel `c` is `r + 10·(patches − 1)/2 + 100c`.
fn patch_row(r: usize, patches: usize, channels: usize) -> Vec<f32> {
    (0..patches)
        .flat_map(|p| (0..channels).map(move |c| (r + 10 * p + 100 * c) as f32))
        .collect()
}

fn pooled_row(r: usize, patches: usize, channels: usize) -> Vec<f32> {
    (0..channels)
        .map(|c| r as f32 + 10.0 * (patches - 1) as f32 / 2.0 + 100.0 * c as f32)
        .collect()
}

#[test]
fn parquet_lists_pool_patch_major() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("patches.parquet");
    let rows: Vec<Vec<f32>> = (0..5).map(|r| patch_row(r, 4, 3)).collect();
    write_parquet(&path, vec![("embeddings", f32_rows(&rows))], 2);
    let (ds, report) = read_file(&path, &pool_to(3)).expect("pooled");
    assert_eq!((ds.n_rows(), ds.dim()), (5, 3));
    assert_eq!(report.source_dim, 12);
    for r in 0..5 {
        assert_eq!(ds.row(r), pooled_row(r, 4, 3), "row {r}");
    }
    // Pooling to the full length changes nothing.
    let (same, _) = read_file(&path, &pool_to(12)).expect("identity");
    assert_eq!(same.row(1), rows[1]);
}

/// Clay's patch embeddings: 16 × 16 patches of 768 channels, one `fixed_size_list` per row.
#[test]
fn clay_sized_patch_vectors() {
    let (patches, channels) = (256, 768);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clay-patches.parquet");
    let array = FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
        (0..3).map(|r| Some(patch_row(r, patches, channels).into_iter().map(Some))),
        (patches * channels) as i32,
    );
    write_parquet(&path, vec![("embeddings", Arc::new(array))], 2);
    let (ds, report) = read_file(&path, &pool_to(channels)).expect("pooled");
    assert_eq!((ds.n_rows(), ds.dim()), (3, 768));
    assert_eq!(report.source_dim, 196_608);
    for r in 0..3 {
        assert_eq!(ds.row(r), pooled_row(r, patches, channels), "row {r}");
    }
}

#[test]
fn npy_patch_grids_flatten_then_pool() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("grid.npy");
    // (rows, 2, 2, 3): a 2 × 2 grid of 3-channel patches, flattened patch-major.
    let rows: Vec<Vec<f32>> = (0..2).map(|r| patch_row(r, 4, 3)).collect();
    std::fs::write(&path, npy("<f4", false, &[2, 2, 2, 3], &f32_le(&rows), 1)).expect("write");
    let (ds, _) = read_file(&path, &pool_to(3)).expect("pooled");
    assert_eq!(ds.row(0), pooled_row(0, 4, 3));
    assert_eq!(ds.row(1), pooled_row(1, 4, 3));
}

#[test]
fn csv_json_arrays_pool_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("patches.csv");
    std::fs::write(&path, "id,emb\n1,\"[1, 2, 3, 6]\"\n2,\"[0, 0, 2, 4]\"\n").expect("write");
    let (ds, _) = read_file(&path, &pool_to(2)).expect("pooled");
    assert_eq!(ds.vectors(), [2.0, 4.0, 1.0, 2.0]);
}

#[test]
fn lengths_that_do_not_divide_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("odd.parquet");
    write_parquet(&path, vec![("v", f32_rows(&[vec![1.0; 10]]))], 2);
    for target in [3, 0, 20] {
        let err = read_file(&path, &pool_to(target)).expect_err("does not divide");
        assert!(
            matches!(err, DataError::PoolMismatch { dim: 10, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("odd.parquet"), "{err}");
    }
}
