//! The flags of "find more like this": `loupe similar` (rank rows like some given ones) and
//! `loupe simulate` (compare the ranking strategies with a simulated user).

use std::path::PathBuf;

use clap::Args;
use loupe_similar::Strategy;

use super::{ReadArgs, RowList, parse_rows};

/// Arguments of `loupe similar`.
#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The input: a file of any supported format, or a folder of `.gpq`/`.parquet` files.
    pub input: PathBuf,
    /// How to read it.
    #[command(flatten)]
    pub read: ReadArgs,
    /// The rows to find more of ("positives"): `12,40`, `0-9` or a mix — row numbers of the
    /// dataset as Loupe reads it, counted from 0 (as in `loupe chips --rows`).
    #[arg(long, value_name = "ROWS", value_parser = parse_rows)]
    pub rows: RowList,
    /// Rows that are not wanted: never written, and for `contrastive` and `probe` a
    /// direction to move away from.
    #[arg(long, value_name = "ROWS", value_parser = parse_rows)]
    pub negatives: Option<RowList>,
    /// How the rows become a ranking: `mean` (cosine to their mean direction), `max` (to the
    /// nearest of them), `voted` or `voted:K` (each votes for its K nearest, default 10),
    /// `contrastive` (mean of rows minus mean of negatives), `probe` (logistic regression).
    #[arg(long, value_name = "NAME", default_value = "mean", value_parser = parse_strategy)]
    pub strategy: Strategy,
    /// How many ranked rows to write.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub k: u32,
    /// Where to write the ranked rows — `rank` (from 1), `row`, `score`, then the input's
    /// columns: `.parquet` (GeoParquet with geometry), `.csv` (geometry as WKT) or `.geojson`.
    #[arg(long)]
    pub out: PathBuf,
    /// Hide the progress bar and notes.
    #[arg(long)]
    pub quiet: bool,
}

/// Arguments of `loupe simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The input: a file of any supported format, or a folder of `.gpq`/`.parquet` files.
    pub input: PathBuf,
    /// How to read it.
    #[command(flatten)]
    pub read: ReadArgs,
    /// The column that says what each row is (text, integers, categories, booleans): the
    /// simulated user's ground truth. MNIST IDX files call theirs `label`.
    #[arg(long, value_name = "COLUMN")]
    pub label_column: String,
    /// The value of the label column the user is looking for, compared as text (`3`,
    /// `forest`, `true`).
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub positive: String,
    /// The strategies to compare, comma-separated: `mean`, `max`, `voted` or `voted:K`,
    /// `contrastive`, `probe`.
    #[arg(
        long,
        value_name = "NAME,NAME…",
        value_delimiter = ',',
        default_value = "mean,max,voted,contrastive,probe",
        value_parser = parse_strategy_named
    )]
    pub strategies: Vec<(String, Strategy)>,
    /// True positives each simulated user starts from, drawn at random.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub start_pos: u32,
    /// True negatives labelled at the start.
    #[arg(long, default_value_t = 3)]
    pub start_neg: u32,
    /// Candidates the user labels per iteration.
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(1..))]
    pub per_iteration: u32,
    /// Simulated users per strategy; run `r` uses seed `SEED + r`.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// The most iterations a run may take (default: enough to reach the target at a
    /// precision of one in three, at most enough to label every row).
    #[arg(long, value_name = "N")]
    pub max_iterations: Option<u32>,
    /// A run stops once its recall reaches this.
    #[arg(long, default_value_t = 0.95)]
    pub target_recall: f64,
    /// Probability that the user labels a shown candidate wrongly.
    #[arg(long, default_value_t = 0.0)]
    pub label_noise: f64,
    /// Seed of the start labels and the label noise.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The folder to write `recall.csv`, `summary.csv`, `summary.md`, `params.csv` and
    /// `recall.png` into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Hide the progress bar and notes (the summary table is still printed).
    #[arg(long)]
    pub quiet: bool,
}

/// A strategy by its short name (see `Strategy`'s `FromStr`), with the engine's message.
pub fn parse_strategy(text: &str) -> Result<Strategy, String> {
    text.parse()
        .map_err(|e: loupe_similar::SimilarError| e.to_string())
}

/// A strategy with the name its curves and summary row carry: the name as given, trimmed
/// and in lower case.
pub fn parse_strategy_named(text: &str) -> Result<(String, Strategy), String> {
    let strategy = parse_strategy(text)?;
    Ok((text.trim().to_ascii_lowercase(), strategy))
}
