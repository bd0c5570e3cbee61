//! The files `loupe simulate` writes — `recall.csv`, `params.csv`, `summary.csv`,
//! `summary.md` — and [`read_recall_csv`], which reads a result back (the app draws a CLI
//! result with it).
//!
//! `recall.csv` is long format, one row per strategy, run and iteration (`strategy`, `run`,
//! `iteration`, `recall`), what pandas, polars and R plot directly. Numbers are written in
//! Rust's shortest round-trip form, so the file is byte-identical for a seed and reads back
//! to the same `f64`s. `params.csv` (`parameter`, `value`) holds what the curves alone do not
//! say: the strategies in order, the target recall, the user's settings and the data's size.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use loupe_similar::{Curve, Experiment, ExperimentParams, StrategySummary};

/// The result files' names inside the output folder.
pub const RECALL_CSV: &str = "recall.csv";
/// See [`RECALL_CSV`].
pub const PARAMS_CSV: &str = "params.csv";
/// See [`RECALL_CSV`].
pub const SUMMARY_CSV: &str = "summary.csv";
/// See [`RECALL_CSV`].
pub const SUMMARY_MD: &str = "summary.md";

/// Where the curves came from, for `params.csv` and the headings.
#[derive(Debug, Clone)]
pub struct Source {
    /// The input path as given.
    pub input: String,
    /// The label column.
    pub label_column: String,
    /// The value looked for.
    pub positive: String,
}

/// Writes `recall.csv`: `strategy,run,iteration,recall`, curves in the experiment's order.
pub fn write_recall_csv(path: &Path, experiment: &Experiment) -> anyhow::Result<()> {
    let mut out = writer(path)?;
    out.write_record(["strategy", "run", "iteration", "recall"])?;
    for curve in &experiment.curves {
        for (iteration, recall) in curve.recall.iter().enumerate() {
            out.write_record([
                curve.strategy.as_str(),
                &curve.run.to_string(),
                &iteration.to_string(),
                &recall.to_string(),
            ])?;
        }
    }
    finish(out, path)
}

/// Writes `params.csv`: one `parameter,value` row per setting; each strategy is a row
/// `strategy:NAME` whose value is its short name (`voted:20`), in the experiment's order.
pub fn write_params_csv(
    path: &Path,
    experiment: &Experiment,
    source: &Source,
) -> anyhow::Result<()> {
    let p = &experiment.params;
    let mut out = writer(path)?;
    out.write_record(["parameter", "value"])?;
    let mut rows: Vec<(String, String)> = vec![
        ("input".into(), source.input.clone()),
        ("label_column".into(), source.label_column.clone()),
        ("positive".into(), source.positive.clone()),
        ("positives".into(), experiment.positives.to_string()),
        ("rows".into(), experiment.rows.to_string()),
    ];
    for (name, strategy) in &p.strategies {
        rows.push((format!("strategy:{name}"), strategy.to_string()));
    }
    rows.extend([
        ("runs".into(), p.runs.to_string()),
        ("start_pos".into(), p.start_pos.to_string()),
        ("start_neg".into(), p.start_neg.to_string()),
        ("per_iteration".into(), p.per_iteration.to_string()),
        ("max_iterations".into(), p.max_iterations.to_string()),
        ("target_recall".into(), p.target_recall.to_string()),
        ("label_noise".into(), p.label_noise.to_string()),
        ("seed".into(), p.seed.to_string()),
    ]);
    for (key, value) in &rows {
        out.write_record([key, value])?;
    }
    finish(out, path)
}

/// Writes `summary.csv`: one row per strategy, empty cells where no run reached the target.
pub fn write_summary_csv(path: &Path, summary: &[StrategySummary]) -> anyhow::Result<()> {
    let mut out = writer(path)?;
    out.write_record([
        "strategy",
        "runs",
        "reached",
        "median_iterations",
        "q25_iterations",
        "q75_iterations",
        "min_iterations",
        "max_iterations",
        "mean_final_recall",
    ])?;
    let cell = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    for s in summary {
        out.write_record([
            s.strategy.clone(),
            s.runs.to_string(),
            s.reached.to_string(),
            cell(s.median_iterations),
            cell(s.q25_iterations),
            cell(s.q75_iterations),
            cell(s.min_iterations.map(|v| v as f64)),
            cell(s.max_iterations.map(|v| v as f64)),
            s.mean_final_recall.to_string(),
        ])?;
    }
    finish(out, path)
}

/// The summary as a Markdown table (printed on stdout and written to `summary.md`); the
/// `seconds` column appears when the run times are given, one per strategy.
pub fn summary_table(experiment: &Experiment, seconds: Option<&[f64]>) -> String {
    let target = experiment.params.target_recall;
    let mut text = format!(
        "| strategy | runs | reached {target} | median iterations | IQR | min–max | mean final recall |{}\n|---|---|---|---|---|---|---|{}\n",
        if seconds.is_some() { " time (s) |" } else { "" },
        if seconds.is_some() { "---|" } else { "" },
    );
    let number = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    for (i, s) in experiment.summary().iter().enumerate() {
        let range = |a: Option<String>, b: Option<String>| match (a, b) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            _ => "–".to_owned(),
        };
        let iqr = range(
            s.q25_iterations.map(|v| format!("{v:.1}")),
            s.q75_iterations.map(|v| format!("{v:.1}")),
        );
        let spread = range(
            s.min_iterations.map(|v| v.to_string()),
            s.max_iterations.map(|v| v.to_string()),
        );
        let _ = write!(
            text,
            "| {} | {} | {} | {} | {iqr} | {spread} | {:.3} |",
            s.strategy,
            s.runs,
            s.reached,
            number(s.median_iterations),
            s.mean_final_recall
        );
        if let Some(seconds) = seconds {
            match seconds.get(i) {
                Some(t) => {
                    let _ = write!(text, " {t:.1} |");
                }
                None => text.push_str(" – |"),
            }
        }
        text.push('\n');
    }
    text
}

/// Writes `summary.md`: a heading naming the data and settings, then [`summary_table`].
pub fn write_summary_md(
    path: &Path,
    experiment: &Experiment,
    source: &Source,
    seconds: &[f64],
) -> anyhow::Result<()> {
    let p = &experiment.params;
    let text = format!(
        "# Find more like this: {} = {}\n\n{} ({} positives among {} rows). {} simulated users \
         per strategy, each starting from {} positive and {} negative labels and labelling {} \
         candidates per iteration (label noise {}), up to {} iterations or until recall {}; \
         seed {}. Iterations to the target are over the runs that reached it.\n\n{}",
        source.label_column,
        source.positive,
        source.input,
        experiment.positives,
        experiment.rows,
        p.runs,
        p.start_pos,
        p.start_neg,
        p.per_iteration,
        p.label_noise,
        p.max_iterations,
        p.target_recall,
        p.seed,
        summary_table(experiment, Some(seconds)),
    );
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Reads a result of `loupe simulate` back: `path` is its folder or the `recall.csv` in it;
/// `params.csv` must sit beside it. The curves come back in the order of the strategies,
/// runs in order, exactly as written.
pub fn read_recall_csv(path: &Path) -> anyhow::Result<Experiment> {
    let recall_path = if path.is_dir() {
        path.join(RECALL_CSV)
    } else {
        path.to_path_buf()
    };
    let params_path = recall_path.with_file_name(PARAMS_CSV);
    let (params, positives, rows) = read_params(&params_path)?;
    let mut runs: BTreeMap<(usize, usize), Vec<f64>> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&recall_path)
        .with_context(|| format!("opening {}", recall_path.display()))?;
    let header = reader.headers()?.clone();
    if header.iter().collect::<Vec<_>>() != ["strategy", "run", "iteration", "recall"] {
        anyhow::bail!(
            "{}: expected the columns strategy,run,iteration,recall",
            recall_path.display()
        );
    }
    for (line, record) in reader.records().enumerate() {
        let record = record?;
        let at = || format!("{}: data row {}", recall_path.display(), line + 1);
        let name = record.get(0).unwrap_or_default();
        let index = params
            .strategies
            .iter()
            .position(|(n, _)| n == name)
            .with_context(|| format!("{}: strategy {name:?} is not in {PARAMS_CSV}", at()))?;
        let run: usize = field(&record, 1).with_context(at)?;
        let iteration: usize = field(&record, 2).with_context(at)?;
        let recall: f64 = field(&record, 3).with_context(at)?;
        let curve = runs.entry((index, run)).or_default();
        if iteration != curve.len() {
            anyhow::bail!("{}: iteration {iteration} out of order", at());
        }
        curve.push(recall);
    }
    let curves = runs
        .into_iter()
        .map(|((index, run), recall)| Curve {
            strategy: params.strategies[index].0.clone(),
            run,
            recall,
        })
        .collect();
    Ok(Experiment {
        params,
        positives,
        rows,
        curves,
    })
}

/// `params.csv` → the parameters, the number of positives and of rows.
fn read_params(path: &Path) -> anyhow::Result<(ExperimentParams, usize, usize)> {
    let mut reader = csv::Reader::from_path(path).with_context(|| {
        format!(
            "opening {} (it sits beside recall.csv and holds the strategies and target)",
            path.display()
        )
    })?;
    let mut params = ExperimentParams {
        strategies: Vec::new(),
        ..ExperimentParams::default()
    };
    let (mut positives, mut rows) = (0, 0);
    for record in reader.records() {
        let record = record?;
        let key = record.get(0).unwrap_or_default();
        let at = || format!("{}: {key}", path.display());
        if let Some(name) = key.strip_prefix("strategy:") {
            let strategy = record.get(1).unwrap_or_default().parse().with_context(at)?;
            params.strategies.push((name.to_owned(), strategy));
            continue;
        }
        match key {
            "runs" => params.runs = field(&record, 1).with_context(at)?,
            "start_pos" => params.start_pos = field(&record, 1).with_context(at)?,
            "start_neg" => params.start_neg = field(&record, 1).with_context(at)?,
            "per_iteration" => params.per_iteration = field(&record, 1).with_context(at)?,
            "max_iterations" => params.max_iterations = field(&record, 1).with_context(at)?,
            "target_recall" => params.target_recall = field(&record, 1).with_context(at)?,
            "label_noise" => params.label_noise = field(&record, 1).with_context(at)?,
            "seed" => params.seed = field(&record, 1).with_context(at)?,
            "positives" => positives = field(&record, 1).with_context(at)?,
            "rows" => rows = field(&record, 1).with_context(at)?,
            _ => {}
        }
    }
    params
        .validate()
        .with_context(|| format!("{}: the parameters are not valid", path.display()))?;
    Ok((params, positives, rows))
}

/// Column `index` of a record, parsed.
fn field<T: std::str::FromStr>(record: &csv::StringRecord, index: usize) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text = record.get(index).unwrap_or_default();
    text.parse()
        .with_context(|| format!("{text:?} in column {}", index + 1))
}

/// A CSV writer on a new file.
fn writer(path: &Path) -> anyhow::Result<csv::Writer<File>> {
    csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))
}

/// Flushes the writer, naming the file on failure.
fn finish(out: csv::Writer<File>, path: &Path) -> anyhow::Result<()> {
    let mut file = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("writing {}: {}", path.display(), e.error()))?;
    file.flush()
        .with_context(|| format!("writing {}", path.display()))
}

/// The result files of a folder, for messages.
pub fn written(dir: &Path) -> Vec<PathBuf> {
    [
        RECALL_CSV,
        PARAMS_CSV,
        SUMMARY_CSV,
        SUMMARY_MD,
        super::RECALL_PNG,
    ]
    .iter()
    .map(|name| dir.join(name))
    .collect()
}
