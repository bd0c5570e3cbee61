//! Running a [`crate::Recipe`]: [`RecipeEngine`] steps through its stages one iteration at a
//! time, preparing each stage (affinities, placement, rescaling) when the previous one ends, so
//! every iteration of every stage can be published.

use std::borrow::Cow;
use std::sync::Arc;

use loupe_core::VectorBuffer;
use loupe_knn::{KnnGraph, knn};

use crate::TsneError;
use crate::engine::{PrepareStage, StepInfo, TsneEngine};
use crate::init::rescale;
use crate::input_space::InputSpace;
use crate::partial::{median_placement, query_knn};
use crate::recipe::{StageInit, ValidRecipe};

/// What one [`RecipeEngine::step`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeStep {
    /// The stage the iteration belonged to.
    pub stage_index: usize,
    /// The iteration, with `iteration` and `phase_index` counted over the whole recipe.
    pub info: StepInfo,
}

/// A recipe being optimised, one iteration at a time, always showing all N points.
///
/// While a sample stage runs, every other point *follows* the sample: it is drawn at the
/// median position of its `k` nearest sample points, i.e. exactly where `prepare_partial` will
/// place it when the next stage starts (the nearest sample points depend only on the input,
/// so they are found once, up front). [`Self::placed`] says which points are optimised
/// themselves (`None` once every point is), so a renderer can dim the followers.
#[derive(Debug)]
pub struct RecipeEngine {
    /// The (possibly reduced) input, kept for adding points after the run.
    space: InputSpace,
    data: VectorBuffer,
    dim: usize,
    recipe: ValidRecipe,
    stage_index: usize,
    engine: TsneEngine,
    iterations_before: usize,
    phases_before: usize,
    positions: Vec<f32>,
    placed: Option<Arc<Vec<bool>>>,
    /// Nearest previous-stage points of every point, when the current stage is a sample.
    followers: Option<(KnnGraph, usize)>,
}

impl RecipeEngine {
    /// Reduces the input (when `pca_dims` asks for it; one PCA fitted on all points serves
    /// every stage) and prepares the first stage. `vectors` is `N × dim`.
    pub fn prepare(
        vectors: VectorBuffer,
        dim: usize,
        recipe: &ValidRecipe,
        progress: &mut dyn FnMut(PrepareStage),
    ) -> Result<Self, TsneError> {
        Self::prepare_cancellable(vectors, dim, recipe, progress, &|| false)
    }

    pub(crate) fn prepare_cancellable(
        vectors: VectorBuffer,
        dim: usize,
        recipe: &ValidRecipe,
        progress: &mut dyn FnMut(PrepareStage),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Self, TsneError> {
        let n = recipe.n_points;
        TsneError::check_input_shape(vectors.len(), n, dim)?;
        if let Some(pos) = vectors.iter().position(|v| !v.is_finite()) {
            return Err(TsneError::NonFinite { row: pos / dim });
        }
        let base = &recipe.base;
        let last_metric = recipe
            .stages
            .last()
            .map_or(base.metric, |s| s.params.params().metric);
        let space =
            InputSpace::reduce(vectors, dim, base.pca_dims, last_metric, base.seed, || {
                if cancelled() {
                    return Err(TsneError::Cancelled);
                }
                progress(PrepareStage::ReduceDimensions);
                Ok(())
            })?;
        let (data, dim) = (space.data_buffer(), space.dim());
        let first = &recipe.stages[0];
        let stage_data = gather(&data, dim, first.points.as_deref().map(Vec::as_slice));
        let engine =
            TsneEngine::prepare_cancellable(&stage_data, dim, &first.params, progress, cancelled)?;
        let followers = match &first.points {
            Some(points) => {
                if cancelled() {
                    return Err(TsneError::Cancelled);
                }
                progress(PrepareStage::Placement);
                let k = match recipe.stages.get(1).map(|s| s.init) {
                    Some(StageInit::FromPrevious { k }) => k,
                    _ => 1,
                };
                let graph = query_knn(&data, &stage_data, dim, k, first.params.params().metric)?;
                let mut placed = vec![false; n];
                for &i in points.iter() {
                    placed[i as usize] = true;
                }
                Some((graph, k, placed))
            }
            None => None,
        };
        let mut this = Self {
            space,
            data,
            dim,
            recipe: recipe.clone(),
            stage_index: 0,
            engine,
            iterations_before: 0,
            phases_before: 0,
            positions: vec![0.0; 2 * n],
            placed: None,
            followers: None,
        };
        if let Some((graph, k, placed)) = followers {
            this.followers = Some((graph, k));
            this.placed = Some(Arc::new(placed));
        }
        this.refresh_positions();
        Ok(this)
    }

    /// Whether the current stage has run all its phases and another stage follows, i.e. the
    /// next [`Self::step`] will first prepare that stage ([`Self::begin_next_stage`]).
    pub fn needs_next_stage(&self) -> bool {
        self.engine.is_finished() && self.stage_index + 1 < self.recipe.stages.len()
    }

    /// Prepares the next stage: placement from the previous layout (`prepare_partial` +
    /// rescale) or the kept layout, then nearest neighbours and affinities of its points.
    /// Returns `false` when there is no next stage.
    pub fn begin_next_stage(
        &mut self,
        progress: &mut dyn FnMut(PrepareStage),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<bool, TsneError> {
        let next = self.stage_index + 1;
        let Some(stage) = self.recipe.stages.get(next) else {
            return Ok(false);
        };
        let mut check = |s: PrepareStage| {
            if cancelled() {
                return Err(TsneError::Cancelled);
            }
            progress(s);
            Ok(())
        };
        let stage_data = gather(&self.data, self.dim, None);
        check(PrepareStage::Placement)?;
        let mut layout = match stage.init {
            StageInit::FromPrevious { k } => {
                let previous = &self.recipe.stages[self.stage_index];
                let prev_layout = self.engine.positions_f64();
                match self.followers.take() {
                    Some((graph, gk)) if gk == k => median_placement(&graph, prev_layout, k),
                    _ => {
                        let prev_data = gather(
                            &self.data,
                            self.dim,
                            previous.points.as_deref().map(Vec::as_slice),
                        );
                        let graph = query_knn(
                            &stage_data,
                            &prev_data,
                            self.dim,
                            k,
                            previous.params.params().metric,
                        )?;
                        median_placement(&graph, prev_layout, k)
                    }
                }
            }
            StageInit::Keep | StageInit::Pca => self.engine.positions_f64().to_vec(),
        };
        if matches!(stage.init, StageInit::FromPrevious { .. }) {
            rescale(&mut layout);
        }
        check(PrepareStage::NearestNeighbors)?;
        let p = stage.params.params();
        let graph = knn(
            &stage_data,
            self.dim,
            stage.params.k_neighbors(),
            p.metric,
            p.knn_method.with_seed(p.seed),
        )?;
        check(PrepareStage::Affinities)?;
        let affinities = crate::perplexity_affinities(&graph, stage.params.effective_perplexity());
        drop(graph);
        let engine = TsneEngine::from_affinities(affinities, layout, &stage.params)?;
        self.iterations_before += self.engine.iteration();
        self.phases_before += self.engine.phases().len();
        self.engine = engine;
        self.stage_index = next;
        self.placed = None;
        self.followers = None;
        self.refresh_positions();
        Ok(true)
    }

    /// One iteration; moves on to the next stage first when the current one is done
    /// (preparing it here, without progress reports). `Ok(None)` once the recipe is finished.
    pub fn step(&mut self) -> Result<Option<RecipeStep>, TsneError> {
        if self.needs_next_stage() {
            self.begin_next_stage(&mut |_| {}, &|| false)?;
        }
        let Some(mut info) = self.engine.step() else {
            return Ok(None);
        };
        info.iteration += self.iterations_before;
        info.phase_index += self.phases_before;
        self.refresh_positions();
        Ok(Some(RecipeStep {
            stage_index: self.stage_index,
            info,
        }))
    }

    /// Copies the stage's layout into the all-points buffer; followers go to the median of
    /// their nearest sample points.
    fn refresh_positions(&mut self) {
        let stage = &self.recipe.stages[self.stage_index];
        let y = self.engine.positions();
        match (&stage.points, &self.followers) {
            (None, _) => self.positions.copy_from_slice(y),
            (Some(points), followers) => {
                if let Some((graph, k)) = followers {
                    let placed = median_placement(graph, self.engine.positions_f64(), *k);
                    for (p, v) in self.positions.iter_mut().zip(&placed) {
                        *p = *v as f32;
                    }
                }
                for (s, &i) in points.iter().enumerate() {
                    let i = i as usize;
                    self.positions[2 * i] = y[2 * s];
                    self.positions[2 * i + 1] = y[2 * s + 1];
                }
            }
        }
    }

    /// All N points, `N × 2` interleaved (followers included during a sample stage).
    pub fn positions(&self) -> &[f32] {
        &self.positions
    }

    /// Which points the current stage optimises itself; `None` when it is every point.
    pub fn placed(&self) -> Option<&Arc<Vec<bool>>> {
        self.placed.as_ref()
    }

    /// The current stage's engine (its points only).
    pub fn stage_engine(&self) -> &TsneEngine {
        &self.engine
    }

    /// The current stage's index.
    pub fn stage_index(&self) -> usize {
        self.stage_index
    }

    /// The recipe.
    pub fn recipe(&self) -> &ValidRecipe {
        &self.recipe
    }

    /// Iterations done over all stages.
    pub fn iteration(&self) -> usize {
        self.iterations_before + self.engine.iteration()
    }

    /// Phase (counted over all stages) the next step belongs to.
    pub fn phase_index(&self) -> usize {
        self.phases_before + self.engine.phase_index()
    }

    /// Iterations over all stages.
    pub fn total_iterations(&self) -> usize {
        self.recipe.total_iterations()
    }

    /// The latest KL divergence of the current stage: (iterations done over all stages when
    /// computed, value).
    pub fn last_kl(&self) -> Option<(usize, f64)> {
        self.engine
            .last_kl()
            .map(|(at, kl)| (at + self.iterations_before, kl))
    }

    /// Whether every stage has run.
    pub fn is_finished(&self) -> bool {
        self.engine.is_finished() && self.stage_index + 1 >= self.recipe.stages.len()
    }

    /// The (possibly PCA-reduced) input every stage works on, `N × input_dim()`.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// Columns of [`Self::data`].
    pub fn input_dim(&self) -> usize {
        self.dim
    }

    /// The finished layout of every point (the last stage's engine) and the input space,
    /// for refining and adding points; `None` unless the last stage, which optimises every
    /// point, has begun.
    pub fn into_finished(self) -> Option<(TsneEngine, InputSpace)> {
        let last = self.stage_index + 1 == self.recipe.stages.len();
        (last && self.recipe.stages[self.stage_index].points.is_none())
            .then_some((self.engine, self.space))
    }
}

/// The rows `points` of `data` (all rows, borrowed, when `None`).
fn gather<'a>(data: &'a [f32], dim: usize, points: Option<&[u32]>) -> Cow<'a, [f32]> {
    match points {
        None => Cow::Borrowed(data),
        Some(points) => Cow::Owned(
            points
                .iter()
                .flat_map(|&i| {
                    data[i as usize * dim..(i as usize + 1) * dim]
                        .iter()
                        .copied()
                })
                .collect(),
        ),
    }
}
