//! End-to-end: `loupe similar` against a brute-force cosine ranking of real MNIST digits, and
//! `loupe simulate` on a perfectly separable toy set (full recall, byte-identical reruns, a
//! plot that decodes and shows every strategy), plus every bad input the two commands must
//! refuse in one line.

#[path = "support/cli.rs"]
mod cli;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt8Type, UInt32Type, UInt64Type};
use cli::succeeded;
use loupe_app::simulate::plot;
use loupe_data::ReadOptions;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The 10,000 MNIST test digits the app's demo shows (a real fixture with its licence).
fn digits() -> PathBuf {
    repo_root().join("assets/t10k-images.idx3-ubyte.gz")
}

/// The binary with the dataset cache off, so no test writes outside its temporary folder.
fn loupe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(args)
        .arg("--no-cache")
        .output()
        .expect("loupe runs")
}

/// The run failed with one line on stderr (no panic, no NaN) that contains every `needle`.
fn refused(output: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "expected a failure, got success");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("NaN"), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    for needle in needles {
        assert!(first.contains(needle), "{needle:?} not in {first:?}");
    }
    let ours = stderr.starts_with("loupe: ");
    if ours {
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A small Parquet file, read as one batch.
fn read_parquet(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).expect("the result exists");
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(ParquetRecordBatchReaderBuilder::build)
        .expect("valid Parquet");
    let batch = reader
        .next()
        .expect("one batch")
        .expect("the batch decodes");
    assert!(
        reader.next().is_none(),
        "small results come back as one batch"
    );
    batch
}

/// Unit rows in `f64` (`None` for a zero row).
fn unit_rows(vectors: &[f32], dim: usize) -> Vec<Option<Vec<f64>>> {
    vectors
        .chunks_exact(dim)
        .map(|row| {
            let norm = row
                .iter()
                .map(|&x| f64::from(x) * f64::from(x))
                .sum::<f64>()
                .sqrt();
            (norm > 0.0).then(|| row.iter().map(|&x| f64::from(x) / norm).collect())
        })
        .collect()
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// Checks a written ranking against the reference scores (every unlabelled row's score):
/// the same scores in order, each row's own score matching, so rows may only trade places
/// with rows of the same score.
fn assert_ranking(rows: &[u64], scores: &[f32], reference: &[(usize, f64)]) {
    assert_eq!(rows.len(), scores.len());
    for (i, (&row, &score)) in rows.iter().zip(scores).enumerate() {
        let (want_row, want_score) = reference[i];
        assert!(
            (f64::from(score) - want_score).abs() < 1e-5,
            "rank {}: score {score} against {want_score}",
            i + 1
        );
        let own = reference
            .iter()
            .find(|(r, _)| *r as u64 == row)
            .map(|(_, s)| *s)
            .expect("a ranked row is an unlabelled row");
        assert!((own - f64::from(score)).abs() < 1e-5, "row {row}");
        if row != want_row as u64 {
            assert!(
                (own - want_score).abs() < 1e-6,
                "rank {}: {row} vs {want_row}",
                i + 1
            );
        }
    }
}

/// `loupe similar` on the digits, positives 0, 1 and 17, negative 2.
fn similar_digits(strategy: &str, k: &str, out: &Path) -> Output {
    loupe(&[
        "similar",
        path_str(&digits()),
        "--rows",
        "0,1,17",
        "--negatives",
        "2",
        "--strategy",
        strategy,
        "--k",
        k,
        "--out",
        path_str(out),
    ])
}

#[test]
fn similar_ranks_like_brute_force_cosine_and_keeps_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = loupe_data::read_path(&digits(), &ReadOptions::default()).unwrap();
    let units = unit_rows(dataset.vectors(), dataset.dim());
    let labels = dataset.metadata().column_by_name("label").unwrap().clone();
    let labels = labels.as_primitive::<UInt8Type>();
    let (positives, negative) = ([0_usize, 1, 17], 2_usize);
    let labelled = |r: usize| positives.contains(&r) || r == negative;
    let unit = |r: usize| units[r].as_ref().expect("digits have ink");
    let ranked = |score: &dyn Fn(&[f64]) -> f64| {
        let mut all: Vec<(usize, f64)> = (0..units.len())
            .filter(|&r| !labelled(r))
            .filter_map(|r| Some((r, score(units[r].as_ref()?))))
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all
    };

    // mean: cosine to the mean of the positives' unit vectors, written as CSV.
    let mean: Vec<f64> = (0..dataset.dim())
        .map(|j| positives.iter().map(|&p| unit(p)[j]).sum::<f64>() / 3.0)
        .collect();
    let reference = ranked(&|x| cosine(x, &mean));
    let csv_out = dir.path().join("mean.csv");
    let stdout = succeeded(&similar_digits("mean", "40", &csv_out));
    assert!(
        stdout.contains("ranked 40 of 10000 rows by mean"),
        "{stdout}"
    );
    let mut reader = csv::Reader::from_path(&csv_out).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, ["rank", "row", "score", "label"]);
    let (mut rows, mut scores) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        assert_eq!(record[0].parse::<usize>().unwrap(), i + 1);
        let row: u64 = record[1].parse().unwrap();
        assert_eq!(record[3].parse::<u8>().unwrap(), labels.value(row as usize));
        rows.push(row);
        scores.push(record[2].parse::<f32>().unwrap());
    }
    assert_ranking(&rows, &scores, &reference[..40]);

    // max: cosine to the nearest positive, written as Parquet.
    let reference = ranked(&|x| {
        positives
            .iter()
            .map(|&p| cosine(x, unit(p)))
            .fold(f64::NEG_INFINITY, f64::max)
    });
    let parquet_out = dir.path().join("max.parquet");
    succeeded(&similar_digits("max", "25", &parquet_out));
    let batch = read_parquet(&parquet_out);
    let names: Vec<&str> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(names, ["rank", "row", "score", "label"]);
    let ranks = batch.column(0).as_primitive::<UInt32Type>();
    assert_eq!(ranks.values().to_vec(), (1..=25).collect::<Vec<u32>>());
    let rows = batch
        .column(1)
        .as_primitive::<UInt64Type>()
        .values()
        .to_vec();
    let scores = batch
        .column(2)
        .as_primitive::<Float32Type>()
        .values()
        .to_vec();
    assert_ranking(&rows, &scores, &reference[..25]);
}

#[test]
fn similar_keeps_geometry_as_the_layout_writers_do() {
    let dir = tempfile::tempdir().unwrap();
    let clay = repo_root().join("tests/fixtures/03WVN_20220610_20220610_v001.gpq");
    let near = |k: &str, out: &Path| {
        succeeded(&loupe(&[
            "similar",
            path_str(&clay),
            "--rows",
            "5",
            "--k",
            k,
            "--out",
            path_str(out),
        ]))
    };
    let out = dir.path().join("near.parquet");
    near("10", &out);
    let file = std::fs::File::open(&out).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let geo = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|e| e.key == "geo").cloned());
    assert!(geo.is_some(), "GeoParquet metadata is written");
    let batch: RecordBatch = builder.build().unwrap().next().unwrap().unwrap();
    assert_eq!(batch.num_rows(), 10);
    assert!(batch.column_by_name("geometry").is_some());
    assert!(batch.column_by_name("x").is_none(), "no layout coordinates");
    let wkt = dir.path().join("near.csv");
    near("3", &wkt);
    let text = std::fs::read_to_string(&wkt).unwrap();
    assert!(text.contains("POLYGON"), "geometry as WKT: {text}");
}

/// A perfectly separable set: `a` rows near e₀, `b` rows near e₁ (8-D), `zeros` all-zero
/// rows labelled `b`, as CSV with columns `label, v0 … v7`.
fn toy_csv(path: &Path, a: usize, b: usize, zeros: usize) {
    let mut text = String::from("label");
    for j in 0..8 {
        write!(text, ",v{j}").expect("writing to a String");
    }
    text.push('\n');
    for i in 0..a + b + zeros {
        let (label, hot) = if i < a {
            ("a", Some(0))
        } else if i < a + b {
            ("b", Some(1))
        } else {
            ("b", None)
        };
        text.push_str(label);
        for j in 0..8 {
            // A small, deterministic wobble so no two rows tie.
            let wobble = ((i * 7 + j * 13) % 17) as f32 / 100.0;
            let value = match hot {
                Some(h) if h == j => 1.0 + wobble,
                Some(_) => wobble,
                None => 0.0,
            };
            write!(text, ",{value}").expect("writing to a String");
        }
        text.push('\n');
    }
    std::fs::write(path, text).expect("the temporary folder is writable");
}

/// `loupe simulate` on a CSV whose vectors are `v0 …` and labels `label`, quietly.
fn simulate(input: &Path, out: &Path, positive: &str, extra: &[&str]) -> Output {
    simulate_column(input, out, "label", positive, extra)
}

/// [`simulate`] with the labels in `column`.
fn simulate_column(
    input: &Path,
    out: &Path,
    column: &str,
    positive: &str,
    extra: &[&str],
) -> Output {
    let mut args = vec![
        "simulate",
        path_str(input),
        "--vector-prefix",
        "v",
        "--label-column",
        column,
        "--positive",
        positive,
        "--quiet",
        "--out",
        path_str(out),
    ];
    args.extend_from_slice(extra);
    loupe(&args)
}

/// The separable toy's settings: 3 runs, 5 labels per iteration, until everything is found.
const UNTIL_ALL_FOUND: [&str; 6] = [
    "--runs",
    "3",
    "--per-iteration",
    "5",
    "--target-recall",
    "1.0",
];

#[test]
fn simulate_finds_everything_on_separable_data_reproducibly_and_plots_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("toy.csv");
    toy_csv(&input, 30, 70, 0);
    let (first, second) = (dir.path().join("one"), dir.path().join("two"));
    let stdout = succeeded(&simulate(&input, &first, "a", &UNTIL_ALL_FOUND));
    assert!(
        stdout.starts_with("| strategy | runs | reached 1 |"),
        "{stdout}"
    );
    succeeded(&simulate(&input, &second, "a", &UNTIL_ALL_FOUND));
    let recall = std::fs::read(first.join("recall.csv")).unwrap();
    assert_eq!(
        recall,
        std::fs::read(second.join("recall.csv")).unwrap(),
        "the same seed gives the same curves, byte for byte"
    );

    let experiment = loupe_app::simulate::read_recall_csv(&first).unwrap();
    assert_eq!(experiment.positives, 30);
    assert_eq!(experiment.rows, 100);
    assert_eq!(experiment.curves.len(), 5 * 3);
    let names: Vec<&str> = experiment
        .params
        .strategies
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["mean", "max", "voted", "contrastive", "probe"]);
    for summary in experiment.summary() {
        assert_eq!((summary.runs, summary.reached), (3, 3), "{summary:?}");
        assert!(
            (summary.mean_final_recall - 1.0).abs() < 1e-12,
            "{summary:?}"
        );
        // 30 positives, 3 to start with, 5 per iteration: 6 iterations at best.
        assert!(summary.min_iterations.unwrap() >= 6, "{summary:?}");
    }
    for curve in &experiment.curves {
        assert!((curve.recall[0] - 0.1).abs() < 1e-12, "3 of 30 to start");
        assert!(curve.recall.windows(2).all(|w| w[0] <= w[1]));
    }
    let summary_csv = std::fs::read_to_string(first.join("summary.csv")).unwrap();
    assert!(summary_csv.starts_with("strategy,runs,reached,median_iterations"));
    let summary_md = std::fs::read_to_string(first.join("summary.md")).unwrap();
    assert!(summary_md.contains("| probe | 3 | 3 |"), "{summary_md}");

    let png = image::open(first.join("recall.png")).unwrap().to_rgb8();
    assert_eq!(
        png.dimensions(),
        (u32::from(plot::WIDTH_PX), u32::from(plot::HEIGHT_PX))
    );
    let background = png.pixels().filter(|p| p.0 == plot::BACKGROUND).count();
    assert!(background > png.pixels().len() / 2, "mostly canvas");
    for index in 0..5 {
        let colour = plot::strategy_colour(index);
        let count = png.pixels().filter(|p| p.0 == colour).count();
        assert!(count > 100, "strategy {index} ({colour:?}): {count} pixels");
    }
}

#[test]
fn simulate_skips_zero_vectors_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("toy.csv");
    toy_csv(&input, 20, 30, 4);
    // Not quiet: the note is the point.
    let output = loupe(&[
        "simulate",
        path_str(&input),
        "--vector-prefix",
        "v",
        "--label-column",
        "label",
        "--positive",
        "a",
        "--runs",
        "1",
        "--strategies",
        "max",
        "--out",
        path_str(&dir.path().join("out")),
    ]);
    succeeded(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("skipping 4 of 54 rows"), "{stderr}");
}

#[test]
fn bad_inputs_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("toy.csv");
    toy_csv(&input, 20, 30, 2);
    let out = dir.path().join("out");
    // The label column is missing: the columns there are are listed.
    refused(
        &simulate_column(&input, &out, "lable", "a", &[]),
        &["no label column \"lable\"", "its columns are label"],
    );
    // The value is not there: the values there are are listed.
    refused(
        &simulate(&input, &out, "c", &[]),
        &["--positive \"c\"", "\"a\" (20)", "\"b\" (32)"],
    );
    // Positives only among zero vectors.
    let zeros = dir.path().join("zeros.csv");
    std::fs::write(&zeros, "label,v0,v1\na,0,0\nb,1,0\nb,0,1\nb,1,1\n").unwrap();
    refused(
        &simulate(&zeros, &out, "a", &[]),
        &["all-zero", "nothing to find"],
    );
    // One class.
    let one = dir.path().join("one.csv");
    std::fs::write(&one, "label,v0,v1\na,1,0\na,0,1\na,1,1\n").unwrap();
    refused(&simulate(&one, &out, "a", &[]), &["one value only"]);
    // Many values are listed only in part.
    let many = dir.path().join("many.csv");
    let mut text = String::from("label,v0,v1\n");
    for i in 0..30 {
        writeln!(text, "{i},1,{i}").unwrap();
    }
    std::fs::write(&many, text).unwrap();
    refused(
        &simulate(&many, &out, "x", &[]),
        &["\"0\" (1)", "\"19\" (1)", "… and 10 more"],
    );
    // Unknown strategy names, for both commands.
    refused(
        &simulate(&input, &out, "a", &["--strategies", "mean,foo"]),
        &["unknown strategy \"foo\""],
    );
    refused(
        &loupe(&[
            "similar",
            path_str(&input),
            "--vector-prefix",
            "v",
            "--rows",
            "0",
            "--strategy",
            "meen",
            "--out",
            path_str(&dir.path().join("x.csv")),
        ]),
        &["unknown strategy \"meen\""],
    );
    // A parameter out of range, named by its flag.
    refused(
        &simulate(&input, &out, "a", &["--target-recall", "1.5"]),
        &["--target-recall: must be within (0, 1]"],
    );
    // Start labels that would label everything.
    let tiny = dir.path().join("tiny.csv");
    std::fs::write(&tiny, "label,v0,v1\na,1,0\nb,0,1\nb,1,1\n").unwrap();
    refused(
        &simulate(&tiny, &out, "a", &[]),
        &["would label all 3 rows"],
    );

    let similar = |rows: &str, negatives: Option<&str>| {
        let out = dir.path().join("similar.csv");
        let mut args = vec![
            "similar",
            path_str(&input),
            "--vector-prefix",
            "v",
            "--quiet",
            "--rows",
            rows,
            "--out",
            path_str(&out),
        ];
        if let Some(negatives) = negatives {
            args.extend(["--negatives", negatives]);
        }
        loupe(&args)
    };
    refused(
        &similar("3,52", None),
        &["--rows: row 52 is out of range", "52 rows"],
    );
    refused(&similar("50", None), &["--rows: row 50 has an all-zero"]);
    refused(
        &similar("0", Some("60")),
        &["--negatives: row 60 is out of range"],
    );
    refused(&similar("0-9", Some("5")), &["row 5 is in both"]);
    refused(
        &similar("0-19", Some("20-49")),
        &["every one of the 50 rows with a vector", "nothing is"],
    );
}
