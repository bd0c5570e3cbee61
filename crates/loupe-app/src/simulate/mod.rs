//! `loupe simulate`: a simulated user who knows the true labels plays "find more like this"
//! with each strategy many times; the recall curves, a summary and a plot go into a folder.
//!
//! The experiment itself is `loupe_similar::run_experiment` (the app calls the same
//! function); this module turns a label column into the ground truth, checks the input so a
//! bad one fails in one line before anything runs, shows progress and writes the files
//! ([`files`], [`plot`]).

pub mod files;
pub mod plot;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use arrow_array::Array;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::DataType;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loupe_core::Dataset;
use loupe_similar::{ExperimentParams, SimilarError, run_experiment};

pub use files::{Source, read_recall_csv};

use crate::cli::SimulateArgs;

/// The plot's file name inside the output folder.
pub const RECALL_PNG: &str = "recall.png";

/// Distinct label values listed in an error before "… and N more".
const LISTED_VALUES: usize = 20;
/// Characters of values listed in an error, so the message stays a readable line.
const LISTED_CHARS: usize = 400;
/// Characters of one listed value (a URL, a sentence) before it is cut short.
const LISTED_VALUE_CHARS: usize = 40;

/// Runs the experiment the flags describe and writes its files into `--out`; prints the
/// summary table on stdout.
pub fn run_simulate(args: &SimulateArgs) -> anyhow::Result<()> {
    let mut params = ExperimentParams {
        strategies: args.strategies.clone(),
        runs: args.runs as usize,
        start_pos: args.start_pos as usize,
        start_neg: args.start_neg as usize,
        per_iteration: args.per_iteration as usize,
        max_iterations: args.max_iterations.map_or(1, |n| n as usize),
        target_recall: args.target_recall,
        label_noise: args.label_noise,
        seed: args.seed,
    };
    // Every flag is checked before the input is read.
    params.validate().map_err(|e| flag_error(&e))?;
    let opened =
        crate::info::open_with_progress(&args.input, &args.read.open_options(), args.quiet)?;
    if !args.quiet && !opened.report.failed.is_empty() {
        eprintln!("{}", opened.report);
    }
    let dataset = opened.dataset;
    let truth = truth_column(&dataset, &args.label_column, &args.positive)?;
    let vectors = crate::similar::normalise(&dataset, args.quiet)?;
    let defined = vectors.defined_count();
    let positives = (0..truth.len())
        .filter(|&r| truth[r] && vectors.is_defined(r))
        .count();
    if positives == 0 {
        anyhow::bail!(
            "every row whose {} is {:?} has an all-zero (or non-finite) vector: there is \
             nothing to find",
            args.label_column,
            args.positive
        );
    }
    if positives == defined {
        anyhow::bail!(
            "every row with a vector has {} = {:?}: with one class there is nothing to pass \
             over, so recall says nothing; pick a value that only some rows have",
            args.label_column,
            args.positive
        );
    }
    if params.start_pos.min(positives) + params.start_neg.min(defined - positives) >= defined {
        anyhow::bail!(
            "the start labels (--start-pos {} and --start-neg {}) would label all {defined} \
             rows with a vector: nothing is left to rank",
            params.start_pos,
            params.start_neg
        );
    }
    if args.max_iterations.is_none() {
        params.max_iterations = params.suggested_max_iterations(positives, defined);
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("--out: creating {}", args.out.display()))?;

    let mut truth_defined = truth;
    for (r, t) in truth_defined.iter_mut().enumerate() {
        *t &= vectors.is_defined(r);
    }
    let mut clock = StrategyClock::new(&params);
    let bar = progress_bar(args.quiet);
    let per_strategy = params.runs * (params.max_iterations + 1);
    let experiment = run_experiment(&vectors, &truth_defined, &params, &mut |done, total| {
        for (index, seconds) in clock.tick(done) {
            if !args.quiet {
                // A line per strategy, also when stderr is a log file and the bar is hidden.
                bar.suspend(|| {
                    eprintln!(
                        "{}: {} runs in {seconds:.1} s",
                        params.strategies[index].0, params.runs
                    );
                });
            }
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        let job =
            (done / (params.max_iterations + 1)).min(params.runs * params.strategies.len() - 1);
        let (name, _) = &params.strategies[(done / per_strategy).min(params.strategies.len() - 1)];
        bar.set_message(format!(
            "{name}, run {}/{}",
            job % params.runs + 1,
            params.runs
        ));
        true
    })
    .map_err(|e| flag_error(&e))?;
    bar.finish_and_clear();
    let seconds = clock.seconds();

    let source = Source {
        input: args.input.display().to_string(),
        label_column: args.label_column.clone(),
        positive: args.positive.clone(),
    };
    let dir = &args.out;
    files::write_recall_csv(&dir.join(files::RECALL_CSV), &experiment)?;
    files::write_params_csv(&dir.join(files::PARAMS_CSV), &experiment, &source)?;
    files::write_summary_csv(&dir.join(files::SUMMARY_CSV), &experiment.summary())?;
    files::write_summary_md(&dir.join(files::SUMMARY_MD), &experiment, &source, &seconds)?;
    let title = format!(
        "Find more like this: {} = {} ({})",
        source.label_column,
        source.positive,
        file_name(&source.input)
    );
    let png = plot::render_png(&experiment, &title)?;
    let png_path = dir.join(RECALL_PNG);
    std::fs::write(&png_path, png).with_context(|| format!("writing {}", png_path.display()))?;

    print!("{}", files::summary_table(&experiment, Some(&seconds)));
    if !args.quiet {
        eprintln!(
            "{} positives among {} rows, up to {} iterations of {}; wrote {}",
            experiment.positives,
            experiment.rows,
            params.max_iterations,
            params.per_iteration,
            files::written(dir)
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Which rows have `positive` in `column`, comparing each cell's text (as `loupe info` and
/// the app display it) with `positive`; nulls are not positive. Fails in one line when the
/// column is missing or not a label column, or when no row has the value (listing the
/// values there are).
pub fn truth_column(dataset: &Dataset, column: &str, positive: &str) -> anyhow::Result<Vec<bool>> {
    let Some(array) = dataset.metadata().column_by_name(column) else {
        let names = dataset.column_names();
        let listed = if names.is_empty() {
            "it has none besides the vectors".to_owned()
        } else {
            format!("its columns are {}", names.join(", "))
        };
        let vectors = if column == dataset.vector_column() {
            " (that column holds the vectors)"
        } else {
            ""
        };
        anyhow::bail!("--label-column: no label column {column:?}{vectors}; {listed}");
    };
    if !is_label_type(array.data_type()) {
        anyhow::bail!(
            "--label-column {column:?} holds {}, not labels; pick a text, integer, boolean or \
             categorical column",
            loupe_data::type_name(array.data_type())
        );
    }
    let formatter = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default())
        .with_context(|| format!("reading column {column:?}"))?;
    let mut truth = Vec::with_capacity(array.len());
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut more = 0;
    for row in 0..array.len() {
        if array.is_null(row) {
            truth.push(false);
            continue;
        }
        let text = formatter.value(row).to_string();
        truth.push(text == positive);
        if let Some(count) = counts.get_mut(&text) {
            *count += 1;
        } else if counts.len() < 10_000 {
            counts.insert(text, 1);
        } else {
            more += 1;
        }
    }
    if !truth.contains(&true) {
        anyhow::bail!(
            "--positive {positive:?}: no row has that value in {column:?}; its values are {}",
            list_values(&counts, more)
        );
    }
    if counts.len() == 1 && more == 0 {
        anyhow::bail!(
            "--label-column {column:?} has one value only ({positive:?}) in every labelled \
             row: with one class there is nothing to pass over; pick a column with at least \
             two values"
        );
    }
    Ok(truth)
}

/// Types whose cells read as labels.
fn is_label_type(data_type: &DataType) -> bool {
    match data_type {
        DataType::Dictionary(_, value) => is_label_type(value),
        t => {
            t.is_integer()
                || t.is_floating()
                || matches!(
                    t,
                    DataType::Utf8
                        | DataType::LargeUtf8
                        | DataType::Utf8View
                        | DataType::Boolean
                        | DataType::Date32
                        | DataType::Date64
                )
        }
    }
}

/// `"0" (6903), "1" (7877), …` sorted numerically when every value is a number, at most
/// [`LISTED_VALUES`] of them and about [`LISTED_CHARS`] characters (long values cut short),
/// then how many more.
fn list_values(counts: &BTreeMap<String, usize>, more: usize) -> String {
    let mut values: Vec<(&String, &usize)> = counts.iter().collect();
    if values.iter().all(|(v, _)| v.parse::<f64>().is_ok()) {
        values.sort_by(|a, b| {
            let (x, y) = (a.0.parse::<f64>(), b.0.parse::<f64>());
            x.unwrap_or(0.0).total_cmp(&y.unwrap_or(0.0))
        });
    }
    let mut text: Vec<String> = Vec::new();
    let mut chars = 0;
    for (value, n) in values.iter().take(LISTED_VALUES) {
        let shown = if value.chars().count() > LISTED_VALUE_CHARS {
            let cut: String = value.chars().take(LISTED_VALUE_CHARS).collect();
            format!("{cut:?}… ({n})")
        } else {
            format!("{value:?} ({n})")
        };
        chars += shown.len() + 2;
        text.push(shown);
        if chars > LISTED_CHARS {
            break;
        }
    }
    let hidden = values.len() - text.len() + more;
    if hidden > 0 {
        text.push(format!("… and {hidden} more"));
    }
    text.join(", ")
}

/// The engine's parameter errors in the command line's words (`--target-recall: …`).
fn flag_error(error: &SimilarError) -> anyhow::Error {
    match error {
        SimilarError::InvalidParameter { name, reason } => {
            anyhow::anyhow!("--{}: {reason}", name.replace('_', "-"))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// Wall-clock time per strategy, from the progress reports (strategies run one after the
/// other, each `runs × (max_iterations + 1)` units of progress long).
struct StrategyClock {
    per_strategy: usize,
    started: Instant,
    ends: Vec<Duration>,
    count: usize,
}

impl StrategyClock {
    fn new(params: &ExperimentParams) -> Self {
        Self {
            per_strategy: params.runs * (params.max_iterations + 1),
            started: Instant::now(),
            ends: Vec::new(),
            count: params.strategies.len(),
        }
    }

    /// Records the strategies `done` has completed; returns each newly finished one with
    /// its time in seconds.
    fn tick(&mut self, done: usize) -> Vec<(usize, f64)> {
        let mut finished = Vec::new();
        while self.ends.len() < self.count && done >= (self.ends.len() + 1) * self.per_strategy {
            let index = self.ends.len();
            self.ends.push(self.started.elapsed());
            finished.push((index, self.seconds()[index]));
        }
        finished
    }

    fn seconds(&self) -> Vec<f64> {
        let mut before = Duration::ZERO;
        self.ends
            .iter()
            .map(|&end| {
                let took = end.saturating_sub(before);
                before = end;
                took.as_secs_f64()
            })
            .collect()
    }
}

/// A bar over iterations on stderr, hidden with `--quiet`.
fn progress_bar(quiet: bool) -> ProgressBar {
    let bar = if quiet {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {percent}% {msg} (eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The last component of a path, for the plot's title.
fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
}
