//! The layout method and the UMAP flags, shared by `loupe embed` and (as the side panel's
//! starting values) the app. UMAP shares `--metric`, `--seed` and `--pca-dims` with t-SNE, so
//! switching method keeps what the two have in common.

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use loupe_umap::{UmapParams, ValidUmapParams};

use super::tsne::{MetricArg, TsneArgs};

/// Which layout method runs.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum MethodArg {
    /// t-SNE (openTSNE's definitions; see the t-SNE flags).
    #[default]
    Tsne,
    /// UMAP (umap-learn 0.5's definitions; see the UMAP flags).
    Umap,
}

impl MethodArg {
    /// The method's name as users write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tsne => "t-SNE",
            Self::Umap => "UMAP",
        }
    }
}

/// UMAP parameters (umap-learn 0.5's defaults).
#[derive(Debug, Args, Clone, PartialEq)]
pub struct UmapArgs {
    /// UMAP: neighbourhood size, the point itself included (umap-learn's `n_neighbors`).
    #[arg(long, default_value_t = 15)]
    pub n_neighbors: usize,
    /// UMAP: smallest distance between points in the layout.
    #[arg(long, default_value_t = 0.1)]
    pub min_dist: f64,
    /// UMAP: scale over which similarity decays beyond `--min-dist`.
    #[arg(long, default_value_t = 1.0)]
    pub spread: f64,
    /// UMAP: optimisation epochs (default: 500 up to 10,000 points, 200 above).
    #[arg(long)]
    pub epochs: Option<usize>,
}

impl Default for UmapArgs {
    fn default() -> Self {
        Self {
            n_neighbors: 15,
            min_dist: 0.1,
            spread: 1.0,
            epochs: None,
        }
    }
}

impl UmapArgs {
    /// Checked parameters for `n_points` rows of dimension `dim`; metric, seed and PCA come
    /// from the t-SNE flags they share.
    pub fn to_valid_params(
        &self,
        shared: &TsneArgs,
        dim: usize,
        n_points: usize,
    ) -> anyhow::Result<ValidUmapParams> {
        let params = UmapParams {
            n_neighbors: self.n_neighbors,
            min_dist: self.min_dist,
            spread: self.spread,
            n_epochs: self.epochs,
            metric: match shared.metric {
                MetricArg::Euclidean => loupe_umap::Metric::Euclidean,
                MetricArg::Cosine => loupe_umap::Metric::Cosine,
            },
            pca_dims: (shared.pca_dims > 0 && dim > shared.pca_dims).then_some(shared.pca_dims),
            seed: shared.seed,
            ..UmapParams::default()
        };
        params.validate(n_points).context("invalid UMAP parameters")
    }
}
