//! End-to-end: the reading flags every command shares (`--drop-bad-rows`, `--mean-pool`,
//! `--vector-prefix`, `--no-cache`), the dataset cache under `LOUPE_CACHE_DIR`, and
//! `loupe embed --trajectory`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt32Type};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The binary with its dataset cache in `cache`.
fn loupe(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command.env("LOUPE_CACHE_DIR", cache);
    command
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A CSV of 6 rows of 4 values in wide columns `v0 … v3` with a label, row 2 holding NaN.
fn csv_with_a_nan_row(dir: &Path) -> PathBuf {
    let path = dir.join("vectors.csv");
    let mut csv = String::from("label,v0,v1,v2,v3\n");
    for row in 0..6 {
        let first = if row == 2 {
            "NaN".to_owned()
        } else {
            format!("{row}.5")
        };
        writeln!(csv, "r{row},{first},1,2,{row}").expect("a String takes any text");
    }
    std::fs::write(&path, csv).expect("fixture written");
    path
}

#[test]
fn bad_rows_stop_the_load_by_default_and_are_dropped_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let csv = csv_with_a_nan_row(dir.path());

    let stopped = loupe(dir.path())
        .args(["info", "--quiet", "--no-cache", "--vector-prefix", "v"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(!stopped.status.success());
    let message = text(&stopped);
    assert!(message.contains("row 2 holds NaN"), "{message}");
    assert!(message.contains("drop them"), "{message}");

    let dropped = loupe(dir.path())
        .args([
            "info",
            "--quiet",
            "--no-cache",
            "--vector-prefix",
            "v",
            "--drop-bad-rows",
        ])
        .arg(&csv)
        .output()
        .unwrap();
    let report = text(&dropped);
    assert!(dropped.status.success(), "{report}");
    assert!(report.contains("5 rows of 4 values"), "{report}");
    assert!(
        report.contains("1 row left out (0 without a vector, 1 unusable: row 2 holds NaN"),
        "{report}"
    );
}

#[test]
fn mean_pool_averages_patches_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    // Two "patches" of 3 channels per row: [p0c0 p0c1 p0c2 p1c0 p1c1 p1c2].
    let path = dir.path().join("patches.csv");
    std::fs::write(
        &path,
        "embedding\n\"[1, 2, 3, 3, 4, 5]\"\n\"[0, 0, 0, 2, 2, 2]\"\n\"[5, 5, 5, 5, 5, 5]\"\n",
    )
    .unwrap();
    let out = dir.path().join("layout.csv");
    let output = loupe(dir.path())
        .args(["info", "--quiet", "--no-cache", "--mean-pool", "3"])
        .arg(&path)
        .output()
        .unwrap();
    let report = text(&output);
    assert!(output.status.success(), "{report}");
    assert!(report.contains("3 rows of 3 values"), "{report}");

    let refused = loupe(dir.path())
        .args(["info", "--quiet", "--no-cache", "--mean-pool", "4"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!refused.status.success(), "6 values do not pool to 4");
    assert!(!out.exists());
}

#[test]
fn the_cache_lives_under_loupe_cache_dir_and_no_cache_leaves_it_alone() {
    let cache = tempfile::tempdir().unwrap();
    let fixture = repo_root().join("tests/fixtures/03WVN_20220610_20220610_v001.gpq");
    let info = |extra: &[&str]| {
        let output = loupe(cache.path())
            .args(["info", "--quiet"])
            .args(extra)
            .arg(&fixture)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output));
        text(&output)
    };
    let entries = || {
        std::fs::read_dir(cache.path())
            .map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert!(!info(&["--no-cache"]).contains("from the cache"));
    assert!(entries().is_empty(), "--no-cache wrote {:?}", entries());
    assert!(!info(&[]).contains("from the cache"));
    let written = entries();
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(
        written[0].to_string_lossy().ends_with(".arrow"),
        "{written:?}"
    );
    assert!(info(&[]).contains("from the cache"));
    // Other read options are another dataset: a miss, never the cached one.
    let limited = info(&["--limit", "10"]);
    assert!(
        limited.contains("10 rows") && !limited.contains("from the cache"),
        "{limited}"
    );
}

#[test]
fn embed_records_every_kth_iteration_as_a_trajectory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("layout.parquet");
    let trajectory = dir.path().join("trajectory.parquet");
    let input = repo_root().join("assets/t10k-images.idx3-ubyte.gz");
    let output = loupe(dir.path())
        .args([
            "embed",
            "--quiet",
            "--limit",
            "300",
            "--early-exaggeration-iter",
            "20",
        ])
        .args(["--iterations", "30", "--trajectory-every", "10"])
        .args(["--trajectory-label", "label", "--out"])
        .arg(&out)
        .arg("--trajectory")
        .arg(&trajectory)
        .arg(&input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));

    let file = std::fs::File::open(&trajectory).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let (mut epochs, mut rows, mut last_xy) = (Vec::new(), 0, Vec::new());
    for batch in reader {
        let batch = batch.unwrap();
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, ["index", "x", "y", "label", "epoch"]);
        assert_eq!(
            batch.column(3).null_count(),
            0,
            "labels from the label column"
        );
        let epoch = batch.column(4).as_primitive::<UInt32Type>();
        let x = batch.column(1).as_primitive::<Float32Type>();
        let y = batch.column(2).as_primitive::<Float32Type>();
        for i in 0..batch.num_rows() {
            if epochs.last() != Some(&epoch.value(i)) {
                epochs.push(epoch.value(i));
                last_xy.clear();
            }
            last_xy.push((x.value(i), y.value(i)));
        }
        rows += batch.num_rows();
    }
    assert_eq!(epochs, [10, 20, 30, 40, 50]);
    assert_eq!(rows, 5 * 300);
    // The last recorded iteration is the final layout that `--out` holds.
    let final_file = std::fs::File::open(&out).unwrap();
    let final_batch = ParquetRecordBatchReaderBuilder::try_new(final_file)
        .unwrap()
        .build()
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let fx = final_batch
        .column_by_name("x")
        .unwrap()
        .as_primitive::<Float32Type>();
    assert_eq!((fx.value(0), fx.value(299)), (last_xy[0].0, last_xy[299].0));
}
