//! Command-line interface: `loupe [INPUT]` opens the app, `loupe embed` runs headless.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use loupe_data::{BadRows, ReadOptions, VectorColumns};
use loupe_ingest::{CachePolicy, OpenOptions};
use loupe_tsne::{
    LearningRate, NegativeGradientMethod, Phase, Preset, TsneParams, ValidRecipe, ValidTsneParams,
};

/// Loupe: explore high-dimensional embeddings, watching t-SNE converge live.
#[derive(Debug, Parser)]
#[command(
    name = "loupe",
    version,
    about = "Loupe: explore high-dimensional embeddings, watching t-SNE converge live.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to run; without a subcommand the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the desktop app.
    #[command(flatten)]
    pub open: OpenArgs,
}

/// Arguments of the desktop app (`loupe [INPUT]`).
#[derive(Debug, Args, Clone)]
pub struct OpenArgs {
    /// A file (Parquet/GeoParquet, Arrow IPC, CSV, NumPy, MNIST IDX) or a folder of
    /// `.gpq`/`.parquet` files; the built-in demo when omitted.
    pub input: Option<PathBuf>,
    /// How to read it (also used by Open and Add points in the app, where it is editable).
    #[command(flatten)]
    pub read: ReadArgs,
    /// Do not start t-SNE automatically after loading.
    #[arg(long)]
    pub no_autostart: bool,
    /// Initial t-SNE parameters (editable in the side panel).
    #[command(flatten)]
    pub tsne: TsneArgs,
    /// Where the inspector's satellite chips come from (editable in its Imagery section).
    #[command(flatten)]
    pub imagery: ImageryArgs,
    /// Chip cache folder (default: `LOUPE_CHIP_CACHE_DIR`, else the platform cache folder
    /// plus `loupe/chips`).
    #[arg(long, value_name = "DIR")]
    pub chip_cache_dir: Option<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing the arguments would only cost clarity"
)]
pub enum Command {
    /// Compute a 2-D t-SNE layout without a window and write it as Parquet or CSV.
    Embed(EmbedArgs),
    /// Describe a file or folder: rows, vector column and dimension, the other columns,
    /// geometry and CRS, and the load report (exits non-zero when nothing loads).
    Info(InfoArgs),
    /// Download the satellite chips of a geo dataset's rows into the chip cache, so the
    /// inspector shows them at once (and offline); exits non-zero when any row failed.
    Chips(ChipsArgs),
    /// Write the rows of a layout file whose (x, y) lie inside a polygon or box, with all
    /// their columns, as GeoParquet/Parquet, CSV or `.geojson`.
    Select(SelectArgs),
}

/// Where satellite chips come from: shared by the app and `loupe chips`.
#[derive(Debug, Args, Clone)]
pub struct ImageryArgs {
    /// Imagery provider: Mapbox Static Images (needs `MAPBOX_token`), Esri World Imagery,
    /// EOX Sentinel-2 cloudless 2020, or the XYZ template of `--tile-url`. Default: `xyz`
    /// with `--tile-url`, else Mapbox when `MAPBOX_token` is set, else Esri.
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// XYZ tile URL template with `{z}`, `{x}`, `{y}` (implies `--provider xyz`).
    #[arg(long, value_name = "TEMPLATE")]
    pub tile_url: Option<String>,
    /// Mapbox API base URL, for a proxy or a test server.
    #[arg(long, value_name = "URL", default_value = loupe_imagery::DEFAULT_MAPBOX_API)]
    pub mapbox_api: String,
    /// Mapbox style, `user/style_id`.
    #[arg(long, value_name = "USER/STYLE", default_value = loupe_imagery::DEFAULT_MAPBOX_STYLE)]
    pub style: String,
}

impl Default for ImageryArgs {
    /// What the flags mean when none is given.
    fn default() -> Self {
        Self {
            provider: None,
            tile_url: None,
            mapbox_api: loupe_imagery::DEFAULT_MAPBOX_API.to_owned(),
            style: loupe_imagery::DEFAULT_MAPBOX_STYLE.to_owned(),
        }
    }
}

/// The imagery providers Loupe knows.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ProviderArg {
    /// Mapbox Static Images (token in `MAPBOX_token`; Mapbox draws the outline).
    Mapbox,
    /// Esri World Imagery tiles (no token).
    Esri,
    /// EOX Sentinel-2 cloudless 2020 tiles (no token; 10 m imagery).
    Eox,
    /// Any XYZ tile server, from `--tile-url`.
    Xyz,
}

/// Arguments of `loupe chips`.
#[derive(Debug, Args)]
pub struct ChipsArgs {
    /// A geo file (GeoParquet), or a folder of `.gpq`/`.parquet` files.
    pub input: PathBuf,
    /// How to read it.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Where the chips come from.
    #[command(flatten)]
    pub imagery: ImageryArgs,
    /// Chip width and height in pixels (at most 1280, the Mapbox limit).
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(32..=1280))]
    pub size: u32,
    /// Chip cache folder (default: `LOUPE_CHIP_CACHE_DIR`, else the platform cache folder
    /// plus `loupe/chips`, which the app reads too).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Which rows: `0,5,9`, `0-99` or a mix (`0-9,42`); all rows when omitted.
    #[arg(long, value_name = "ROWS", value_parser = parse_rows)]
    pub rows: Option<RowList>,
    /// Chips downloaded at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Row numbers chosen with `--rows`, as inclusive ranges in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowList(pub Vec<std::ops::RangeInclusive<usize>>);

impl RowList {
    /// Every row, in the order given (duplicates kept out), each checked against `n_rows`.
    pub fn resolve(&self, n_rows: usize) -> anyhow::Result<Vec<usize>> {
        let mut seen = std::collections::BTreeSet::new();
        let mut rows = Vec::new();
        for range in &self.0 {
            if *range.end() >= n_rows {
                anyhow::bail!(
                    "--rows: row {} is out of range (the dataset has {n_rows} rows, 0-{})",
                    range.end(),
                    n_rows.saturating_sub(1)
                );
            }
            rows.extend(range.clone().filter(|&r| seen.insert(r)));
        }
        Ok(rows)
    }
}

/// Parses `0,5,9`, `0-99` or a mix of both.
pub fn parse_rows(text: &str) -> Result<RowList, String> {
    let ranges = text
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let bad = || format!("{item:?} is not a row number or a range FIRST-LAST");
            let number = |s: &str| s.trim().parse::<usize>().map_err(|_| bad());
            match item.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (number(a)?, number(b)?);
                    if a > b {
                        return Err(format!("{item:?}: the range runs backwards"));
                    }
                    Ok(a..=b)
                }
                None => number(item).map(|r| r..=r),
            }
        })
        .collect::<Result<Vec<_>, String>>()?;
    if ranges.is_empty() {
        return Err("no rows given".to_owned());
    }
    Ok(RowList(ranges))
}

/// Arguments of `loupe select`.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// A layout written by `loupe embed` or the app's export: Parquet or CSV with `x` and `y`
    /// columns.
    pub layout: PathBuf,
    /// The polygon, in layout coordinates: vertices `X,Y` separated by spaces, e.g.
    /// "0,0 10,0 10,5"; it closes itself. Inside is the even-odd rule, as for the app's lasso.
    #[arg(
        long,
        value_name = "X,Y X,Y X,Y…",
        allow_hyphen_values = true,
        conflicts_with = "rect",
        required_unless_present = "rect"
    )]
    pub polygon: Option<String>,
    /// An axis-aligned box instead of a polygon: two opposite corners, `X0,Y0,X1,Y1`, edges
    /// included.
    #[arg(
        long = "box",
        id = "rect",
        value_name = "X0,Y0,X1,Y1",
        allow_hyphen_values = true
    )]
    pub rect: Option<String>,
    /// Where to write the selected rows: `.parquet` (GeoParquet when there is geometry),
    /// `.csv` (geometry as WKT) or `.geojson`/`.json` (longitude/latitude features).
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `loupe info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// A file, or a folder of `.gpq`/`.parquet` files.
    pub input: PathBuf,
    /// How to read it.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Arguments of `loupe embed`.
#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// The input: a file of any supported format, or a folder of `.gpq`/`.parquet` files.
    pub input: PathBuf,
    /// Where to write the layout: the input's non-vector columns plus `x`, `y` (float32) —
    /// GeoParquet when the input has geometry, CSV (geometry as WKT) when the name ends in
    /// `.csv`, longitude/latitude features (RFC 7946) when it ends in `.geojson` or `.json`.
    #[arg(long)]
    pub out: PathBuf,
    /// How to read the input.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Also write the layout at every iteration (long format: `index`, `x`, `y`, `label`,
    /// `epoch`) to this Parquet file, for animating how the layout formed.
    #[arg(long, value_name = "FILE")]
    pub trajectory: Option<PathBuf>,
    /// Add k-means cluster labels of the final 2-D layout, one `kmeans_2d_K` column (uint32)
    /// per K of a comma-separated list, e.g. `10,20`; seeded with `--seed`.
    #[arg(long, value_name = "K,K…", value_delimiter = ',')]
    pub kmeans: Vec<usize>,
    /// Add k-means cluster labels of the input vectors (as read, before any PCA), one
    /// `kmeans_hd_K` column (uint32) per K; seeded with `--seed`.
    #[arg(long, value_name = "K,K…", value_delimiter = ',')]
    pub kmeans_vectors: Vec<usize>,
    /// Keep every K-th iteration in the trajectory.
    #[arg(long, value_name = "K", default_value_t = 1, requires = "trajectory")]
    pub trajectory_every: usize,
    /// The input column written as the trajectory's `label` (all null when omitted).
    #[arg(long, value_name = "COLUMN", requires = "trajectory")]
    pub trajectory_label: Option<String>,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// t-SNE parameters.
    #[command(flatten)]
    pub tsne: TsneArgs,
}

/// How to read a file or folder: shared by the app and every subcommand, so that a flag means
/// the same everywhere.
#[derive(Debug, Args, Clone, Default)]
pub struct ReadArgs {
    /// The column holding the vectors (auto-detected when omitted).
    #[arg(long)]
    pub column: Option<String>,
    /// The vectors are the numeric columns named PREFIX followed by a number (a wide table
    /// such as `pixel1 … pixel784`).
    #[arg(long, value_name = "PREFIX", conflicts_with = "column")]
    pub vector_prefix: Option<String>,
    /// Read only the first N rows of each file.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Leave out rows whose vector holds NaN or infinity, nulls or the wrong number of values
    /// (they are counted in the load report); without it such rows stop the load, listed
    /// with their row numbers.
    #[arg(long)]
    pub drop_bad_rows: bool,
    /// Average each vector down to N values while reading: patch-level Clay embeddings
    /// (16 × 16 patches × 768 values per row) become their 768-value mean.
    #[arg(long, value_name = "N")]
    pub mean_pool: Option<usize>,
    /// Neither read nor write the dataset cache.
    #[arg(long)]
    pub no_cache: bool,
}

impl ReadArgs {
    /// The per-file read options these flags ask for.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            column: self.column.clone(),
            vector_columns: self.vector_prefix.clone().map(VectorColumns::Prefix),
            limit: self.limit,
            bad_rows: if self.drop_bad_rows {
                BadRows::Drop
            } else {
                BadRows::Stop
            },
            mean_pool_to: self.mean_pool,
        }
    }

    /// Where the dataset cache lives for this run.
    pub fn cache_policy(&self) -> CachePolicy {
        if self.no_cache {
            CachePolicy::Off
        } else {
            CachePolicy::Default
        }
    }

    /// Both, as [`loupe_ingest::open`] takes them.
    pub fn open_options(&self) -> OpenOptions {
        OpenOptions {
            read: self.read_options(),
            cache: self.cache_policy(),
            ..OpenOptions::default()
        }
    }
}

/// Distance used for the neighbour graph.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MetricArg {
    /// Straight-line distance.
    Euclidean,
    /// One minus the cosine similarity (direction only).
    Cosine,
}

/// Which schedule of stages and phases a run follows.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PresetArg {
    /// openTSNE's default: early exaggeration, then the embedding phase.
    Standard,
    /// The Clay notebook's recipe: lay out a 10 % sample at perplexity 500, place the rest on
    /// their nearest sample point, then relax everything at perplexity 50 with decreasing
    /// exaggeration (500@12, 250@10, 250@6, 250@4). Cosine metric.
    ClayMultistage,
}

/// How the repulsive forces are computed.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GradientArg {
    /// Barnes–Hut below 10,000 points, FFT interpolation from there on (openTSNE's rule).
    Auto,
    /// Barnes–Hut quad tree (θ = 0.5).
    BarnesHut,
    /// FFT-accelerated interpolation (Linderman et al. 2019).
    Fft,
    /// All pairs: exact and slow, for small data.
    Exact,
}

/// t-SNE parameters shared by the CLI and (as defaults) the app; openTSNE's defaults.
#[derive(Debug, Args, Clone)]
pub struct TsneArgs {
    /// Perplexity: the effective number of neighbours each point attends to.
    #[arg(long, default_value_t = 30.0)]
    pub perplexity: f64,
    /// Distance metric for the neighbour graph.
    #[arg(long, value_enum, default_value_t = MetricArg::Euclidean)]
    pub metric: MetricArg,
    /// Iterations at exaggeration 1 after the early-exaggeration phase.
    #[arg(long, default_value_t = 500)]
    pub iterations: usize,
    /// Early exaggeration factor.
    #[arg(long, default_value_t = 12.0)]
    pub early_exaggeration: f64,
    /// Length of the early-exaggeration phase in iterations.
    #[arg(long, default_value_t = 250)]
    pub early_exaggeration_iter: usize,
    /// Learning rate: a number, or "auto" (N / exaggeration, per phase).
    #[arg(long, default_value = "auto")]
    pub learning_rate: String,
    /// Random seed; the same seed gives the same layout.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A custom schedule replacing the early-exaggeration and embedding phases:
    /// comma-separated `ITERATIONS@EXAGGERATION[:MOMENTUM]`, e.g. `250@12,500@1` (the default
    /// schedule) or `500@12,250@4,250@1`; learning rate "auto" in every phase.
    #[arg(long, value_parser = parse_phases)]
    pub phases: Option<PhaseList>,
    /// Schedule preset: `standard` uses the parameters above; `clay-multistage` runs the Clay
    /// notebook's sample-place-refine recipe (its own perplexities and phases).
    #[arg(long, value_enum, default_value_t = PresetArg::Standard)]
    pub preset: PresetArg,
    /// How repulsive forces are computed.
    #[arg(long, value_enum, default_value_t = GradientArg::Auto)]
    pub gradient: GradientArg,
    /// Degrees of freedom of the Student-t kernel: 1 is standard t-SNE, smaller values give
    /// heavier tails and more separated clusters (Kobak et al. 2019).
    #[arg(long, default_value_t = 1.0)]
    pub dof: f64,
    /// Reduce wider inputs to this many dimensions by PCA before the neighbour search
    /// (0 = use the vectors as they are).
    #[arg(long, default_value_t = 50)]
    pub pca_dims: usize,
}

impl Default for TsneArgs {
    fn default() -> Self {
        Self {
            perplexity: 30.0,
            metric: MetricArg::Euclidean,
            iterations: 500,
            early_exaggeration: 12.0,
            early_exaggeration_iter: 250,
            learning_rate: "auto".to_owned(),
            seed: 0,
            phases: None,
            preset: PresetArg::Standard,
            gradient: GradientArg::Auto,
            dof: 1.0,
            pca_dims: 50,
        }
    }
}

impl TsneArgs {
    /// The multi-stage recipe when a preset other than `standard` is chosen, checked for
    /// `n_points` rows of dimension `dim`.
    pub fn to_recipe(&self, dim: usize, n_points: usize) -> anyhow::Result<Option<ValidRecipe>> {
        match self.preset {
            PresetArg::Standard => Ok(None),
            PresetArg::ClayMultistage => {
                let params = self.to_params(dim)?;
                let recipe = Preset::ClayMultistage.recipe(&params);
                Ok(Some(recipe.validate(&params, n_points)?))
            }
        }
    }

    /// Engine parameters checked for `n_points` rows of dimension `dim`, with the custom
    /// phases (if any) in place of the standard schedule.
    pub fn to_valid_params(&self, dim: usize, n_points: usize) -> anyhow::Result<ValidTsneParams> {
        let valid = self.to_params(dim)?.validate(n_points)?;
        let Some(phases) = &self.phases else {
            return Ok(valid);
        };
        if phases.0.is_empty() {
            anyhow::bail!("the custom schedule has no phases");
        }
        let phases = self.phases_from_rows(&phases.0, n_points);
        Ok(valid.with_phases(phases)?)
    }

    /// Engine phases for edited rows over `n_points` points: the learning rate is the one set
    /// (a number), or openTSNE's automatic `N / exaggeration` per phase.
    pub fn phases_from_rows(&self, rows: &[PhaseRow], n_points: usize) -> Vec<Phase> {
        rows.iter()
            .enumerate()
            .map(|(i, row)| Phase {
                name: format!("phase {} (×{})", i + 1, row.exaggeration),
                n_iter: row.n_iter,
                exaggeration: row.exaggeration,
                momentum: row.momentum,
                learning_rate: match self.learning_rate() {
                    Ok(LearningRate::Fixed(rate)) => rate,
                    _ => n_points as f64 / row.exaggeration.max(f64::MIN_POSITIVE),
                },
            })
            .collect()
    }

    fn learning_rate(&self) -> anyhow::Result<LearningRate> {
        if self.learning_rate.eq_ignore_ascii_case("auto") {
            return Ok(LearningRate::Auto);
        }
        let value: f64 = self.learning_rate.parse().map_err(|_| {
            anyhow::anyhow!(
                "--learning-rate must be a number or \"auto\", not {:?}",
                self.learning_rate
            )
        })?;
        Ok(LearningRate::Fixed(value))
    }

    /// Converts to engine parameters for a dataset of dimension `dim`; validation is the
    /// engine's job.
    pub fn to_params(&self, dim: usize) -> anyhow::Result<TsneParams> {
        let learning_rate = self.learning_rate()?;
        Ok(TsneParams {
            perplexity: self.perplexity,
            metric: match self.metric {
                MetricArg::Euclidean => loupe_tsne::Metric::Euclidean,
                MetricArg::Cosine => loupe_tsne::Metric::Cosine,
            },
            n_iter: self.iterations,
            early_exaggeration: self.early_exaggeration,
            early_exaggeration_iter: self.early_exaggeration_iter,
            learning_rate,
            seed: self.seed,
            negative_gradient_method: match self.gradient {
                GradientArg::Auto => NegativeGradientMethod::Auto,
                GradientArg::BarnesHut => NegativeGradientMethod::BarnesHut,
                GradientArg::Fft => NegativeGradientMethod::Fft,
                GradientArg::Exact => NegativeGradientMethod::Exact,
            },
            dof: self.dof,
            pca_dims: (self.pca_dims > 0 && dim > self.pca_dims).then_some(self.pca_dims),
            ..TsneParams::default()
        })
    }
}

/// One phase of a custom schedule as the user edits it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseRow {
    /// Iterations.
    pub n_iter: usize,
    /// Exaggeration of the attractive forces.
    pub exaggeration: f64,
    /// Momentum of the update.
    pub momentum: f64,
}

/// A custom schedule: the phases in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhaseList(pub Vec<PhaseRow>);

impl std::fmt::Display for PhaseList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, row) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}@{}:{}", row.n_iter, row.exaggeration, row.momentum)?;
        }
        Ok(())
    }
}

/// Parses `ITERATIONS@EXAGGERATION[:MOMENTUM]` items separated by commas (momentum 0.8, as
/// openTSNE's, when omitted).
pub fn parse_phases(text: &str) -> Result<PhaseList, String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let bad = || format!("{item:?} is not ITERATIONS@EXAGGERATION[:MOMENTUM]");
            let (n_iter, rest) = item.split_once('@').ok_or_else(bad)?;
            let (exaggeration, momentum) = rest.split_once(':').unwrap_or((rest, "0.8"));
            Ok(PhaseRow {
                n_iter: n_iter.trim().parse().map_err(|_| bad())?,
                exaggeration: exaggeration.trim().parse().map_err(|_| bad())?,
                momentum: momentum.trim().parse().map_err(|_| bad())?,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|rows| {
            if rows.is_empty() {
                Err("no phases given".to_owned())
            } else {
                Ok(PhaseList(rows))
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_parse_and_print_back() {
        let list = parse_phases("250@12, 500@1:0.5").expect("valid");
        assert_eq!(
            list.0,
            vec![
                PhaseRow {
                    n_iter: 250,
                    exaggeration: 12.0,
                    momentum: 0.8
                },
                PhaseRow {
                    n_iter: 500,
                    exaggeration: 1.0,
                    momentum: 0.5
                },
            ]
        );
        assert_eq!(parse_phases(&list.to_string()), Ok(list));
        assert!(parse_phases("250x12").is_err());
        assert!(parse_phases("").is_err());
    }

    #[test]
    fn flags_do_not_clash_across_the_flattened_groups() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "loupe",
            "chips",
            "in.gpq",
            "--tile-url",
            "http://h/{z}/{x}/{y}.png",
            "--rows",
            "0-2",
            "--limit",
            "5",
        ])
        .expect("valid flags");
        assert!(matches!(cli.command, Some(Command::Chips(_))));
        let app = Cli::try_parse_from(["loupe", "--provider", "eox", "--chip-cache-dir", "/tmp/c"])
            .expect("valid flags");
        assert_eq!(app.open.imagery.provider, Some(ProviderArg::Eox));
    }

    #[test]
    fn rows_parse_as_lists_and_ranges() {
        let rows = parse_rows("0-2, 7,1").expect("valid");
        assert_eq!(rows.resolve(10).expect("in range"), vec![0, 1, 2, 7]);
        assert!(rows.resolve(7).is_err(), "row 7 of 7 is out of range");
        assert!(parse_rows("3-1").is_err());
        assert!(parse_rows("a").is_err());
        assert!(parse_rows(" , ").is_err());
    }

    #[test]
    fn custom_phases_replace_the_standard_schedule() {
        let args = TsneArgs {
            phases: Some(parse_phases("10@4,20@1").expect("valid")),
            ..TsneArgs::default()
        };
        let valid = args.to_valid_params(50, 100).expect("valid");
        let phases = valid.phases();
        assert_eq!(phases.len(), 2);
        assert_eq!((phases[0].n_iter, phases[0].exaggeration), (10, 4.0));
        assert!(
            (phases[0].learning_rate - 25.0).abs() < 1e-12,
            "auto = N / exaggeration"
        );
        assert_eq!(valid.total_iterations(), 30);
        let bad = TsneArgs {
            phases: Some(parse_phases("10@-4").expect("parses")),
            ..TsneArgs::default()
        };
        assert!(
            bad.to_valid_params(50, 100).is_err(),
            "negative exaggeration is refused"
        );
    }
}
