//! Command-line interface: `loupe [INPUT]` opens the app, `loupe embed` runs headless.
//!
//! The flags are grouped by what they configure, one file each: [`imagery`] (where chips come
//! from, `loupe chips`), [`tsne`] (the t-SNE parameters and schedules), [`animate`] (`loupe
//! animate`'s video flags); this file holds the commands themselves and the reading flags every
//! command shares.

mod animate;
mod imagery;
mod tsne;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use loupe_data::{BadRows, ReadOptions, VectorColumns};
use loupe_ingest::{CachePolicy, OpenOptions};

pub use animate::{AnimateArgs, CameraArg, FrameSize, LegendArg, MethodArg, parse_size};
pub use imagery::{ChipsArgs, ImageryArgs, ProviderArg, RowList, parse_rows};
pub use tsne::{GradientArg, MetricArg, PhaseList, PhaseRow, PresetArg, TsneArgs, parse_phases};

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
    /// Render a run (a trajectory file, or a layout computed with --method) as an MP4 or GIF,
    /// frames drawn offscreen with the app's renderer, or its last frame as a PNG.
    Animate(AnimateArgs),
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
