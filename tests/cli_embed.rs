//! End-to-end: the real `loupe` binary, headless.

use std::path::PathBuf;
use std::process::Command;

use arrow_array::{Array, Float32Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn loupe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_loupe"))
}

#[test]
fn embed_writes_finite_layout_for_2000_digits() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("layout.parquet");
    let input = repo_root().join("assets/t10k-images.idx3-ubyte.gz");
    let output = loupe()
        .args(["embed", "--quiet", "--limit", "2000", "--out"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "loupe embed failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let file = std::fs::File::open(&out).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut rows = 0;
    let mut spread = 0.0f32;
    let mut labels_seen = false;
    for batch in reader {
        let batch = batch.unwrap();
        labels_seen |= batch.column_by_name("label").is_some();
        let x = batch
            .column_by_name("x")
            .unwrap()
            .as_any()
            .downcast_ref::<Float32Array>()
            .expect("x is float32")
            .clone();
        let y = batch
            .column_by_name("y")
            .unwrap()
            .as_any()
            .downcast_ref::<Float32Array>()
            .expect("y is float32")
            .clone();
        assert_eq!(x.null_count(), 0);
        for i in 0..x.len() {
            assert!(x.value(i).is_finite() && y.value(i).is_finite(), "row {i}");
            spread = spread.max(x.value(i).abs()).max(y.value(i).abs());
        }
        rows += batch.num_rows();
    }
    assert_eq!(rows, 2000);
    assert!(labels_seen, "the input's label column is kept");
    // A finished t-SNE layout spreads far beyond its 1e-4-scaled PCA initialisation.
    assert!(spread > 1.0, "layout did not expand: max |coord| {spread}");
}

#[test]
fn embed_reports_a_missing_file_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let output = loupe()
        .args(["embed", "no-such-file.parquet", "--out"])
        .arg(dir.path().join("out.parquet"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-file.parquet"), "stderr: {stderr}");
    assert!(!dir.path().join("out.parquet").exists());
}

#[test]
fn embed_rejects_bad_parameters_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let input = repo_root().join("assets/t10k-images.idx3-ubyte.gz");
    let output = loupe()
        .args([
            "embed",
            "--quiet",
            "--limit",
            "100",
            "--perplexity=-5",
            "--out",
        ])
        .arg(dir.path().join("out.parquet"))
        .arg(&input)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("perplexity"), "stderr: {stderr}");
}

#[test]
fn embed_runs_the_clay_multistage_preset() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("multistage.parquet");
    let input = repo_root().join("assets/t10k-images.idx3-ubyte.gz");
    let output = loupe()
        .args([
            "embed",
            "--quiet",
            "--limit",
            "1500",
            "--preset",
            "clay-multistage",
            "--out",
        ])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "loupe embed failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = std::fs::File::open(&out).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut rows = 0;
    for batch in reader {
        let batch = batch.unwrap();
        let x = batch
            .column_by_name("x")
            .unwrap()
            .as_any()
            .downcast_ref::<Float32Array>()
            .unwrap()
            .clone();
        assert!(x.values().iter().all(|v| v.is_finite()));
        rows += batch.num_rows();
    }
    assert_eq!(rows, 1500, "every point, sample or not, gets a position");
}
