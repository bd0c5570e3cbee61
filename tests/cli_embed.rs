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

/// Reads `x`, `y` (checked to be float32 without nulls) and whether a `label` column is there.
fn read_layout(path: &std::path::Path) -> (Vec<f32>, Vec<f32>, bool) {
    let file = std::fs::File::open(path).expect("layout file exists");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("a reader");
    let (mut xs, mut ys, mut labels_seen) = (Vec::new(), Vec::new(), false);
    for batch in reader {
        let batch = batch.expect("a record batch");
        labels_seen |= batch.column_by_name("label").is_some();
        for (name, out) in [("x", &mut xs), ("y", &mut ys)] {
            let column = batch
                .column_by_name(name)
                .unwrap_or_else(|| panic!("no {name} column"));
            assert_eq!(column.null_count(), 0, "{name} has nulls");
            let values = column
                .as_any()
                .downcast_ref::<Float32Array>()
                .unwrap_or_else(|| panic!("{name} is float32"));
            out.extend_from_slice(values.values());
        }
    }
    (xs, ys, labels_seen)
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

    let (xs, ys, labels_seen) = read_layout(&out);
    let rows = xs.len();
    assert!(
        xs.iter().chain(&ys).all(|v| v.is_finite()),
        "every coordinate is finite"
    );
    let spread = xs.iter().chain(&ys).fold(0.0f32, |m, v| m.max(v.abs()));
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
    let (xs, ys, _) = read_layout(&out);
    let rows = xs.len();
    assert!(xs.iter().chain(&ys).all(|v| v.is_finite()));
    assert_eq!(rows, 1500, "every point, sample or not, gets a position");
}
