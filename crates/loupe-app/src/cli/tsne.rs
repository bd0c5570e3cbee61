//! The t-SNE flags: parameters, presets and custom schedules, shared by `loupe embed` and
//! (as the side panel's starting values) the app.

use clap::{Args, ValueEnum};
use loupe_tsne::{
    LearningRate, NegativeGradientMethod, Phase, Preset, TsneParams, ValidRecipe, ValidTsneParams,
};

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
