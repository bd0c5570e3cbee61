//! Command-line interface: `loupe [INPUT]` opens the app, `loupe embed` runs headless.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use loupe_tsne::{LearningRate, NegativeGradientMethod, Preset, TsneParams, ValidRecipe};

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
    /// A Parquet/GeoParquet file or an MNIST IDX images file; the built-in demo when omitted.
    pub input: Option<PathBuf>,
    /// The column holding the vectors (auto-detected when omitted).
    #[arg(long)]
    pub column: Option<String>,
    /// Read only the first N rows.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Do not start t-SNE automatically after loading.
    #[arg(long)]
    pub no_autostart: bool,
    /// Initial t-SNE parameters (editable in the side panel).
    #[command(flatten)]
    pub tsne: TsneArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute a 2-D t-SNE layout without a window and write it as Parquet.
    Embed(EmbedArgs),
}

/// Arguments of `loupe embed`.
#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// The input file (Parquet/GeoParquet or MNIST IDX images).
    pub input: PathBuf,
    /// Where to write the layout: the input's non-vector columns plus `x`, `y` (float32).
    #[arg(long)]
    pub out: PathBuf,
    /// The column holding the vectors (auto-detected when omitted).
    #[arg(long)]
    pub column: Option<String>,
    /// Read only the first N rows.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// t-SNE parameters.
    #[command(flatten)]
    pub tsne: TsneArgs,
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

    /// Converts to engine parameters for a dataset of dimension `dim`; validation is the
    /// engine's job.
    pub fn to_params(&self, dim: usize) -> anyhow::Result<TsneParams> {
        let learning_rate = if self.learning_rate.eq_ignore_ascii_case("auto") {
            LearningRate::Auto
        } else {
            let value: f64 = self.learning_rate.parse().map_err(|_| {
                anyhow::anyhow!(
                    "--learning-rate must be a number or \"auto\", not {:?}",
                    self.learning_rate
                )
            })?;
            LearningRate::Fixed(value)
        };
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
