//! Multi-stage t-SNE recipes: a run as a list of stages, each with its own points,
//! affinities, initialisation and phases.
//!
//! openTSNE runs t-SNE as separate pieces (Poličar et al. 2019): affinities, an
//! initialisation, then successive `optimize()` calls. Recipes that go beyond its `TSNE()`
//! defaults chain those pieces, e.g. Kobak & Berens 2019 ("The art of using t-SNE for
//! single-cell transcriptomics", Nature Communications): embed a subsample at high perplexity
//! to get the global structure, place every other point by its nearest sample points
//! (`prepare_partial`), then optimise everything at a lower perplexity with exaggeration. A
//! [`Recipe`] is that plan as data; [`crate::RecipeEngine`] steps through it one iteration at a time,
//! so every iteration of every stage can be shown.

use std::sync::Arc;

use loupe_knn::Metric;
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::{LearningRate, ParamError, Phase, TsneParams, ValidTsneParams};

/// `ChaCha8` stream of the subsample draw (apart from the streams in `rng.rs`).
const SAMPLE_STREAM: u64 = 16;

/// Which points a stage optimises.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StagePoints {
    /// Every point.
    All,
    /// A seeded uniform random subset of `round(fraction·N)` points (at least 2); only the
    /// first stage may be a sample.
    Sample {
        /// Share of the points, in (0, 1].
        fraction: f64,
    },
}

/// How a stage's input affinities are computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AffinitySpec {
    /// Perplexity (clamped to `(n − 1)/3` for the stage's `n` points, as openTSNE does).
    pub perplexity: f64,
    /// Input-space metric.
    pub metric: Metric,
}

/// Where a stage's layout starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageInit {
    /// openTSNE's PCA initialisation of the stage's points (the first stage must use it).
    Pca,
    /// openTSNE's `prepare_partial` against the previous stage: every point at the median
    /// position of its `k` nearest previous-stage points (nearest in the input space, by the
    /// previous stage's metric), then `initialization.rescale` to a first-column std of 1e-4.
    FromPrevious {
        /// Previous-stage neighbours whose median is taken (the Clay notebook uses 1).
        k: usize,
    },
    /// The previous stage's final layout as is (same points; new affinities and a fresh
    /// optimiser, as a new openTSNE `TSNEEmbedding` would have).
    Keep,
}

/// One phase of a stage, with the learning rate still to be resolved for the stage's size.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseSpec {
    /// Shown in the UI.
    pub name: String,
    /// Iterations.
    pub n_iter: usize,
    /// Exaggeration.
    pub exaggeration: f64,
    /// Momentum.
    pub momentum: f64,
    /// Step size; [`LearningRate::Auto`] is `n / exaggeration` for the stage's `n` points.
    pub learning_rate: LearningRate,
}

impl PhaseSpec {
    /// A phase with the automatic learning rate.
    #[must_use]
    pub fn new(name: &str, n_iter: usize, exaggeration: f64, momentum: f64) -> Self {
        Self {
            name: name.to_owned(),
            n_iter,
            exaggeration,
            momentum,
            learning_rate: LearningRate::Auto,
        }
    }

    fn resolve(&self, n_points: usize) -> Phase {
        Phase {
            name: self.name.clone(),
            n_iter: self.n_iter,
            exaggeration: self.exaggeration,
            momentum: self.momentum,
            learning_rate: match self.learning_rate {
                LearningRate::Auto => n_points as f64 / self.exaggeration,
                LearningRate::Fixed(lr) => lr,
            },
        }
    }
}

/// One stage of a recipe.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Shown in the UI ("sample", "all points").
    pub name: String,
    /// Which points.
    pub points: StagePoints,
    /// Their affinities.
    pub affinities: AffinitySpec,
    /// Their starting layout.
    pub init: StageInit,
    /// Their optimisation schedule.
    pub phases: Vec<PhaseSpec>,
}

/// A multi-stage run as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipe {
    /// Shown in the UI.
    pub name: String,
    /// Run in order.
    pub stages: Vec<Stage>,
}

/// Named recipes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// openTSNE's `TSNE()`: one stage, PCA start, early exaggeration then the embedding
    /// phase (250 @ 12 + 500 @ 1 with the default parameters).
    #[default]
    Standard,
    /// The Clay notebook's recipe (after Kobak & Berens 2019): a 10 % seeded sample at
    /// perplexity 500 (cosine) from PCA, 250 @ 12 + 500 @ 1; every point placed on its nearest
    /// sample point (`prepare_partial`, k = 1) and rescaled; perplexity 50 (cosine) on all
    /// points, 500 @ 12, 250 @ 10, 250 @ 6, 250 @ 4, learning rate `N / exaggeration` and
    /// momentum 0.8 (openTSNE's `gradient_descent` default for bare `optimize()` calls).
    ClayMultistage,
}

impl Preset {
    /// The recipe, taking the perplexity, metric and schedule of the standard preset (and the
    /// sample stage's momenta) from `params`.
    #[must_use]
    pub fn recipe(self, params: &TsneParams) -> Recipe {
        let standard_phases = vec![
            PhaseSpec {
                learning_rate: params.learning_rate,
                ..PhaseSpec::new(
                    "early exaggeration",
                    params.early_exaggeration_iter,
                    params.early_exaggeration,
                    params.initial_momentum,
                )
            },
            PhaseSpec {
                learning_rate: params.learning_rate,
                ..PhaseSpec::new(
                    "embedding",
                    params.n_iter,
                    params.exaggeration,
                    params.final_momentum,
                )
            },
        ];
        match self {
            Self::Standard => Recipe {
                name: "standard".to_owned(),
                stages: vec![Stage {
                    name: "t-SNE".to_owned(),
                    points: StagePoints::All,
                    affinities: AffinitySpec {
                        perplexity: params.perplexity,
                        metric: params.metric,
                    },
                    init: StageInit::Pca,
                    phases: standard_phases,
                }],
            },
            Self::ClayMultistage => {
                let cosine = |perplexity| AffinitySpec {
                    perplexity,
                    metric: Metric::Cosine,
                };
                let sample_phases = vec![
                    PhaseSpec::new("early exaggeration", 250, 12.0, params.initial_momentum),
                    PhaseSpec::new("embedding", 500, 1.0, params.final_momentum),
                ];
                Recipe {
                    name: "Clay multi-stage".to_owned(),
                    stages: vec![
                        Stage {
                            name: "10 % sample".to_owned(),
                            points: StagePoints::Sample { fraction: 0.1 },
                            affinities: cosine(500.0),
                            init: StageInit::Pca,
                            phases: sample_phases,
                        },
                        Stage {
                            name: "all points".to_owned(),
                            points: StagePoints::All,
                            affinities: cosine(50.0),
                            init: StageInit::FromPrevious { k: 1 },
                            phases: vec![
                                PhaseSpec::new("exaggeration 12", 500, 12.0, 0.8),
                                PhaseSpec::new("exaggeration 10", 250, 10.0, 0.8),
                                PhaseSpec::new("exaggeration 6", 250, 6.0, 0.8),
                                PhaseSpec::new("exaggeration 4", 250, 4.0, 0.8),
                            ],
                        },
                    ],
                }
            }
        }
    }
}

/// A recipe checked against a point count, with its sample drawn and every stage's parameters
/// validated; the only input [`crate::RecipeEngine`] accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRecipe {
    pub(crate) name: String,
    pub(crate) base: TsneParams,
    pub(crate) n_points: usize,
    pub(crate) stages: Vec<ValidStage>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValidStage {
    pub(crate) name: String,
    /// Sorted point indices; `None` = all points.
    pub(crate) points: Option<Arc<Vec<u32>>>,
    pub(crate) init: StageInit,
    pub(crate) params: ValidTsneParams,
}

fn recipe_error(name: &'static str, value: f64, expected: &'static str) -> ParamError {
    ParamError::OutOfRange {
        name,
        value,
        expected,
    }
}

impl Recipe {
    /// Checks the recipe for `n_points` rows. `params` supplies everything a stage does not
    /// set itself (kNN method, gradient method, θ, dof, step clip, seed, KL cadence, input
    /// PCA); its perplexity, metric and schedule are ignored.
    pub fn validate(
        &self,
        params: &TsneParams,
        n_points: usize,
    ) -> Result<ValidRecipe, ParamError> {
        // Validates the base parameters (and the point count) once.
        params.validate(n_points)?;
        if self.stages.is_empty() {
            return Err(recipe_error("stages", 0.0, "at least one stage"));
        }
        let mut stages = Vec::with_capacity(self.stages.len());
        for (index, stage) in self.stages.iter().enumerate() {
            let points = match stage.points {
                StagePoints::All => None,
                StagePoints::Sample { fraction } => {
                    if index > 0 {
                        return Err(recipe_error(
                            "stage points",
                            index as f64,
                            "a sample only in the first stage",
                        ));
                    }
                    if !(fraction > 0.0 && fraction <= 1.0) {
                        return Err(recipe_error("sample fraction", fraction, "in (0, 1]"));
                    }
                    Some(Arc::new(draw_sample(n_points, fraction, params.seed)))
                }
            };
            match (index, stage.init) {
                (0, StageInit::Pca) | (1.., StageInit::FromPrevious { .. }) => {}
                (0, _) => {
                    return Err(recipe_error(
                        "stage init",
                        0.0,
                        "PCA initialisation in the first stage",
                    ));
                }
                (_, StageInit::Pca) => {
                    return Err(recipe_error(
                        "stage init",
                        index as f64,
                        "PCA initialisation only in the first stage",
                    ));
                }
                (_, StageInit::Keep) => {
                    let previous_all = stages
                        .last()
                        .is_some_and(|s: &ValidStage| s.points.is_none());
                    if points.is_some() || !previous_all {
                        return Err(recipe_error(
                            "stage init",
                            index as f64,
                            "`Keep` only between stages over the same points",
                        ));
                    }
                }
            }
            if let StageInit::FromPrevious { k: 0 } = stage.init {
                return Err(recipe_error("prepare_partial k", 0.0, "at least 1"));
            }
            let n_stage = points.as_ref().map_or(n_points, |p| p.len());
            let stage_params = TsneParams {
                perplexity: stage.affinities.perplexity,
                metric: stage.affinities.metric,
                // The recipe engine reduces the input once for all stages.
                pca_dims: None,
                ..params.clone()
            };
            let phases = stage.phases.iter().map(|p| p.resolve(n_stage)).collect();
            let valid = stage_params.validate(n_stage)?.with_phases(phases)?;
            stages.push(ValidStage {
                name: stage.name.clone(),
                points,
                init: stage.init,
                params: valid,
            });
        }
        Ok(ValidRecipe {
            name: self.name.clone(),
            base: params.clone(),
            n_points,
            stages,
        })
    }
}

/// `round(fraction·n)` (at least 2, at most n) distinct indices, sorted, drawn by a seeded
/// partial Fisher–Yates shuffle.
fn draw_sample(n: usize, fraction: f64, seed: u64) -> Vec<u32> {
    let size = ((fraction * n as f64).round() as usize).clamp(2.min(n), n);
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(SAMPLE_STREAM);
    let mut order: Vec<u32> = (0..u32::try_from(n).unwrap_or(u32::MAX)).collect();
    for i in 0..size {
        let j = r.random_range(i..n);
        order.swap(i, j);
    }
    order.truncate(size);
    order.sort_unstable();
    order
}

impl ValidRecipe {
    /// The recipe's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Points in the whole data set.
    pub fn n_points(&self) -> usize {
        self.n_points
    }

    /// Number of stages.
    pub fn stage_count(&self) -> usize {
        self.stages.len()
    }

    /// Stage `i`'s name.
    pub fn stage_name(&self, i: usize) -> Option<&str> {
        self.stages.get(i).map(|s| s.name.as_str())
    }

    /// Stage `i`'s points (sorted indices), `None` when it covers every point.
    pub fn stage_points(&self, i: usize) -> Option<&[u32]> {
        self.stages.get(i)?.points.as_deref().map(Vec::as_slice)
    }

    /// Stage `i`'s validated parameters (perplexity, k, phases for its point count).
    pub fn stage_params(&self, i: usize) -> Option<&ValidTsneParams> {
        self.stages.get(i).map(|s| &s.params)
    }

    /// Every stage's phases, in order, each paired with its stage index.
    pub fn phases(&self) -> Vec<(usize, Phase)> {
        self.stages
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.params.phases().iter().map(move |p| (i, p.clone())))
            .collect()
    }

    /// Iterations over all stages.
    pub fn total_iterations(&self) -> usize {
        self.stages
            .iter()
            .map(|s| s.params.total_iterations())
            .sum()
    }
}
