//! End-to-end: the real `loupe` binary, headless.

use std::path::PathBuf;
use std::process::Command;

use arrow_array::{Array, Float32Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The binary, with its dataset cache in a folder of this test process (never the user's).
fn loupe() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command.env(
        "LOUPE_CACHE_DIR",
        std::env::temp_dir().join(format!("loupe-test-cache-{}", std::process::id())),
    );
    command
}

/// A folder holding two Clay files (the fixture under two Clay names), a truncated copy and
/// the 0-row Earth Index file.
fn clay_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary fixture folder");
    let clay = repo_root().join("tests/fixtures/03WVN_20220610_20220610_v001.gpq");
    std::fs::copy(&clay, dir.path().join("03WVN_20220610_20220610_v001.gpq"))
        .expect("a temporary fixture folder");
    std::fs::copy(&clay, dir.path().join("03WVN_20220611_20220611_v001.gpq"))
        .expect("a temporary fixture folder");
    let bytes = std::fs::read(&clay).expect("a temporary fixture folder");
    std::fs::write(dir.path().join("broken.gpq"), &bytes[..bytes.len() / 2])
        .expect("a temporary fixture folder");
    std::fs::copy(
        repo_root().join("tests/fixtures/21MNT.parquet"),
        dir.path().join("21MNT.parquet"),
    )
    .expect("a temporary fixture folder");
    dir
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

#[test]
fn info_describes_a_folder_lists_failed_files_and_reopens_from_the_cache() {
    let folder = clay_folder();
    let cache = tempfile::tempdir().unwrap();
    let info = || {
        let output = loupe()
            .env("LOUPE_CACHE_DIR", cache.path())
            .args(["info", "--quiet"])
            .arg(folder.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let first = info();
    for expected in [
        "834 rows",
        "768 values",
        "embeddings",
        "mgrs: utf8",
        "mindate: date32",
        "source_file: utf8",
        "OGC:CRS84",
        "2 files not loaded",
        "21MNT.parquet: the file has no rows",
        "broken.gpq",
    ] {
        assert!(
            first.contains(expected),
            "{expected:?} missing from:\n{first}"
        );
    }
    assert!(!first.contains("from the cache"), "{first}");
    let second = info();
    assert!(second.contains("from the cache"), "{second}");
    assert!(second.contains("834 rows"), "{second}");
}

#[test]
fn info_warns_about_an_impossible_crs_and_fails_on_nothing() {
    let output = loupe()
        .args(["info", "--quiet", "--no-cache"])
        .arg(repo_root().join("tests/fixtures/sample_embeddings.parquet"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("EPSG:3857"), "{text}");
    assert!(text.contains("degrees"), "{text}");

    let output = loupe()
        .args(["info", "--quiet", "--no-cache"])
        .arg(repo_root().join("tests/fixtures/21MNT.parquet"))
        .output()
        .unwrap();
    assert!(!output.status.success(), "a 0-row file loads nothing");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("no rows"), "{stderr}");
}

#[test]
fn embed_lays_out_a_clay_folder_as_geoparquet_and_csv() {
    let folder = clay_folder();
    let out = tempfile::tempdir().unwrap();
    for name in ["layout.parquet", "layout.csv"] {
        let path = out.path().join(name);
        let output = loupe()
            .args([
                "embed",
                "--quiet",
                "--early-exaggeration-iter",
                "50",
                "--iterations",
                "50",
                "--out",
            ])
            .arg(&path)
            .arg(folder.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let parquet = out.path().join("layout.parquet");
    let (xs, ys, _) = read_layout(&parquet);
    assert_eq!(xs.len(), 834);
    assert!(xs.iter().chain(&ys).all(|v| v.is_finite()));
    let file = std::fs::File::open(&parquet).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let geo = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|e| e.key == "geo"))
        .and_then(|e| e.value.clone())
        .expect("GeoParquet geo metadata");
    assert!(geo.contains("\"primary_column\":\"geometry\""), "{geo}");
    assert!(geo.contains("Polygon"), "{geo}");
    let schema = builder.schema();
    for column in ["mgrs", "source_file", "geometry", "x", "y"] {
        assert!(schema.field_with_name(column).is_ok(), "no {column}");
    }
    assert!(
        schema.field_with_name("embeddings").is_err(),
        "vectors are not exported"
    );
    let csv = std::fs::read_to_string(out.path().join("layout.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.contains('x') && header.contains("mgrs"), "{header}");
    assert_eq!(lines.count(), 834);
    assert!(csv.contains("POLYGON"), "geometry as WKT");
}

/// 10-NN label accuracy of a 2-D layout (leave-one-out vote of the 10 nearest), brute force.
fn knn_label_accuracy(xs: &[f32], ys: &[f32], labels: &[u8]) -> f64 {
    let n = xs.len();
    let mut correct = 0;
    for i in 0..n {
        let mut nearest: Vec<(f32, usize)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| ((xs[i] - xs[j]).powi(2) + (ys[i] - ys[j]).powi(2), j))
            .collect();
        nearest.select_nth_unstable_by(10, |a, b| a.0.total_cmp(&b.0));
        let mut votes = [0_usize; 256];
        for &(_, j) in &nearest[..10] {
            votes[usize::from(labels[j])] += 1;
        }
        let best = (0..256)
            .max_by_key(|&c| (votes[c], std::cmp::Reverse(c)))
            .unwrap_or(0);
        correct += usize::from(best == usize::from(labels[i]));
    }
    correct as f64 / n as f64
}

#[test]
fn embed_with_umap_is_seeded_separates_digits_and_checks_its_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let input = repo_root().join("assets/t10k-images.idx3-ubyte.gz");
    let run = |name: &str| {
        let out = dir.path().join(name);
        let output = loupe()
            .args([
                "embed", "--quiet", "--limit", "2000", "--method", "umap", "--out",
            ])
            .arg(&out)
            .arg(&input)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "loupe embed --method umap failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        read_layout(&out)
    };
    let (xs, ys, labels_seen) = run("a.parquet");
    assert_eq!(xs.len(), 2000);
    assert!(labels_seen);
    assert!(xs.iter().chain(&ys).all(|v| v.is_finite()));
    let (xs_again, ys_again, _) = run("b.parquet");
    assert_eq!(
        (xs.clone(), ys.clone()),
        (xs_again, ys_again),
        "same seed, same layout"
    );

    // The digits (the label column, from the IDX labels file beside the images) separate.
    let file = std::fs::File::open(dir.path().join("a.parquet")).unwrap();
    let mut labels = Vec::new();
    for batch in ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
    {
        let batch = batch.unwrap();
        let column = batch.column_by_name("label").unwrap();
        let column = arrow_cast::cast(column, &arrow_schema::DataType::UInt8).unwrap();
        let column = column
            .as_any()
            .downcast_ref::<arrow_array::UInt8Array>()
            .unwrap();
        labels.extend_from_slice(column.values());
    }
    let accuracy = knn_label_accuracy(&xs, &ys, &labels);
    assert!(accuracy >= 0.85, "10-NN label accuracy {accuracy}");

    let output = loupe()
        .args(["embed", "--quiet", "--limit", "100", "--method", "umap"])
        .args(["--min-dist", "3", "--spread", "1", "--out"])
        .arg(dir.path().join("bad.parquet"))
        .arg(&input)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("min_dist") || stderr.contains("min dist"),
        "stderr: {stderr}"
    );
    assert!(!dir.path().join("bad.parquet").exists());
}
