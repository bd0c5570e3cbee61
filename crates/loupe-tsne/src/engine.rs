//! The steppable engine: preparation (PCA → kNN → affinities → initialisation) once, then one
//! gradient-descent iteration per [`TsneEngine::step`], following the schedule.

use loupe_knn::knn;

use crate::gradient::{Objective, Workspace, evaluate};
use crate::init::initial_layout;
use crate::input_space::InputSpace;
use crate::kl::correct_for_exaggeration;
use crate::optimizer::{GradientDescent, StepSettings};
use crate::partial::{PartialEmbedding, TransformParams};
use crate::rng::{Stream, rng};
use crate::{
    Affinities, FftTimings, NegativeGradientMethod, Pca, Phase, TsneError, ValidTsneParams,
    perplexity_affinities,
};

/// A stage of [`TsneEngine::prepare`], reported as it begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrepareStage {
    /// Reducing the input to `pca_dims` principal components.
    ReduceDimensions,
    /// k-nearest-neighbour search (exact or approximate, per `TsneParams::knn_method`).
    NearestNeighbors,
    /// Calibrating the Gaussians and symmetrising P.
    Affinities,
    /// PCA initialisation of the layout.
    Initialization,
    /// Placing points against an earlier layout (openTSNE's `prepare_partial`).
    Placement,
}

impl std::fmt::Display for PrepareStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ReduceDimensions => "reducing dimensions (PCA)",
            Self::NearestNeighbors => "nearest neighbours",
            Self::Affinities => "affinities",
            Self::Initialization => "initialisation",
            Self::Placement => "placing points",
        })
    }
}

/// What one [`TsneEngine::step`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepInfo {
    /// Iterations done, including this one.
    pub iteration: usize,
    /// Index of the phase this iteration belonged to.
    pub phase_index: usize,
    /// Iterations done within that phase, including this one.
    pub phase_iteration: usize,
    /// The phase's exaggeration.
    pub exaggeration: f64,
    /// The phase's learning rate.
    pub learning_rate: f64,
    /// KL divergence, when this iteration evaluated it (every `kl_every` iterations of a phase
    /// and at a phase's end).
    pub kl: Option<f64>,
}

/// A t-SNE optimisation that advances one iteration at a time.
///
/// Everything is computed in `f64` (as openTSNE does) and mirrored to `f32` for display. All
/// parallel work is split into fixed chunks and reduced in a fixed order, so a seed gives
/// bit-identical layouts on any number of threads.
#[derive(Debug, Clone)]
pub struct TsneEngine {
    p: Affinities,
    y: Vec<f64>,
    positions: Vec<f32>,
    grad: Vec<f64>,
    optimizer: GradientDescent,
    workspace: Workspace,
    phases: Vec<Phase>,
    phase_index: usize,
    phase_iteration: usize,
    iteration: usize,
    method: NegativeGradientMethod,
    theta: f64,
    dof: f64,
    max_step_norm: Option<f64>,
    kl_every: usize,
    last_kl: Option<(usize, f64)>,
}

impl TsneEngine {
    /// Runs everything before the first iteration on `vectors` (`N × dim`, N as validated):
    /// optional PCA to `pca_dims`, exact kNN, perplexity-calibrated affinities and the PCA
    /// initialisation. `progress` hears each stage as it starts.
    pub fn prepare(
        vectors: &[f32],
        dim: usize,
        params: &ValidTsneParams,
        progress: &mut dyn FnMut(PrepareStage),
    ) -> Result<Self, TsneError> {
        Self::prepare_cancellable(vectors, dim, params, progress, &|| false)
    }

    /// [`Self::prepare`] that checks `cancelled` between stages.
    pub(crate) fn prepare_cancellable(
        vectors: &[f32],
        dim: usize,
        params: &ValidTsneParams,
        progress: &mut dyn FnMut(PrepareStage),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Self, TsneError> {
        let n = params.n_points();
        TsneError::check_input_shape(vectors.len(), n, dim)?;
        if let Some(pos) = vectors.iter().position(|v| !v.is_finite()) {
            return Err(TsneError::NonFinite { row: pos / dim });
        }
        let p = params.params();
        let reduced = match p.pca_dims {
            Some(d) if d < dim => {
                if cancelled() {
                    return Err(TsneError::Cancelled);
                }
                progress(PrepareStage::ReduceDimensions);
                let pca = Pca::fit_stream(vectors, dim, d, &mut rng(p.seed, Stream::PcaReduce))?;
                Some((pca.transform(vectors), d))
            }
            _ => None,
        };
        match &reduced {
            Some((data, d)) => Self::prepare_reduced(data, *d, true, params, progress, cancelled),
            None => Self::prepare_reduced(vectors, dim, false, params, progress, cancelled),
        }
    }

    /// Runs on a kept [`InputSpace`] (the reduction already done), so the runner can hand
    /// the space on to `transform` afterwards.
    pub(crate) fn prepare_in_space(
        space: &InputSpace,
        params: &ValidTsneParams,
        progress: &mut dyn FnMut(PrepareStage),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Self, TsneError> {
        TsneError::check_input_shape(space.data().len(), params.n_points(), space.dim())?;
        Self::prepare_reduced(
            space.data(),
            space.dim(),
            space.is_reduced(),
            params,
            progress,
            cancelled,
        )
    }

    /// kNN, affinities and initialisation on `data` (`N × dim`); `reduced` says whether
    /// `data` already holds principal-component scores (whose first two columns are then the
    /// PCA initialisation).
    fn prepare_reduced(
        data: &[f32],
        dim: usize,
        reduced: bool,
        params: &ValidTsneParams,
        progress: &mut dyn FnMut(PrepareStage),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Self, TsneError> {
        let p = params.params();
        let mut stage = |s: PrepareStage| {
            if cancelled() {
                return Err(TsneError::Cancelled);
            }
            progress(s);
            Ok(())
        };
        stage(PrepareStage::NearestNeighbors)?;
        let method = p.knn_method.with_seed(p.seed);
        let graph = knn(data, dim, params.k_neighbors(), p.metric, method)?;
        stage(PrepareStage::Affinities)?;
        let affinities = perplexity_affinities(&graph, params.effective_perplexity());
        drop(graph);
        stage(PrepareStage::Initialization)?;
        // PCA scores of the data the kNN saw; a PCA reduction's first two columns already are
        // the two leading components.
        let pca_scores;
        let (scores, width) = if reduced {
            (data, dim)
        } else {
            let pca = Pca::fit_stream(data, dim, 2, &mut rng(p.seed, Stream::PcaInit))?;
            let c = pca.n_components();
            pca_scores = pca.transform(data);
            (pca_scores.as_slice(), c)
        };
        let first_two: Vec<f32> = scores
            .chunks_exact(width)
            .flat_map(|row| [row[0], row.get(1).copied().unwrap_or(0.0)])
            .collect();
        let y = initial_layout(&first_two, p.seed);
        Ok(Self::from_parts(affinities, y, params))
    }

    /// An engine over precomputed affinities and a starting layout (`N × 2`, interleaved x, y;
    /// `N` as validated): resumes a saved layout, or starts a later stage of a recipe.
    pub fn from_affinities(
        p: Affinities,
        layout: Vec<f64>,
        params: &ValidTsneParams,
    ) -> Result<Self, TsneError> {
        let n = params.n_points();
        if layout.len() != 2 * n || p.n_points() != n {
            return Err(TsneError::InputShape {
                len: layout.len(),
                n_points: n,
                dim: 2,
            });
        }
        if let Some(pos) = layout.iter().position(|v| !v.is_finite()) {
            return Err(TsneError::NonFinite { row: pos / 2 });
        }
        Ok(Self::from_parts(p, layout, params))
    }

    /// An engine over given affinities and initial layout (`N × 2`, interleaved).
    pub(crate) fn from_parts(p: Affinities, y: Vec<f64>, params: &ValidTsneParams) -> Self {
        let v = params.params();
        Self {
            positions: y.iter().map(|&v| v as f32).collect(),
            grad: vec![0.0; y.len()],
            optimizer: GradientDescent::new(y.len()),
            workspace: Workspace::default(),
            p,
            y,
            phases: params.phases().to_vec(),
            phase_index: 0,
            phase_iteration: 0,
            iteration: 0,
            method: v.negative_gradient_method.resolve(params.n_points()),
            theta: v.theta,
            dof: v.dof,
            max_step_norm: v.max_step_norm,
            kl_every: v.kl_every,
            last_kl: None,
        }
    }

    /// One iteration of the current phase; `None` once the schedule is finished.
    pub fn step(&mut self) -> Option<StepInfo> {
        while self
            .phases
            .get(self.phase_index)
            .is_some_and(|ph| self.phase_iteration >= ph.n_iter)
        {
            self.phase_index += 1;
            self.phase_iteration = 0;
        }
        let phase = self.phases.get(self.phase_index)?;
        let (exaggeration, n_iter) = (phase.exaggeration, phase.n_iter);
        let settings = StepSettings {
            learning_rate: phase.learning_rate,
            momentum: phase.momentum,
            max_step_norm: self.max_step_norm,
        };
        // openTSNE evaluates the error every `callbacks_every_iters` iterations of a phase,
        // on the layout entering the iteration.
        let eval_kl = (self.phase_iteration + 1).is_multiple_of(self.kl_every);
        let raw = evaluate(
            &self.y,
            &self.p,
            self.objective(exaggeration),
            &mut self.workspace,
            &mut self.grad,
            eval_kl,
        );
        self.optimizer.step(&mut self.y, &self.grad, settings);
        self.iteration += 1;
        self.phase_iteration += 1;
        for (p, &y) in self.positions.iter_mut().zip(&self.y) {
            *p = y as f32;
        }
        let mut kl = raw.map(|e| correct_for_exaggeration(e, exaggeration));
        if self.phase_iteration == n_iter {
            // openTSNE ends each optimize() call with the error of the final layout.
            kl = Some(self.kl_in_place());
        }
        if let Some(kl) = kl {
            self.last_kl = Some((self.iteration, kl));
        }
        Some(StepInfo {
            iteration: self.iteration,
            phase_index: self.phase_index,
            phase_iteration: self.phase_iteration,
            exaggeration,
            learning_rate: settings.learning_rate,
            kl,
        })
    }

    fn objective(&self, exaggeration: f64) -> Objective {
        Objective {
            method: self.method,
            theta: self.theta,
            dof: self.dof,
            exaggeration,
        }
    }

    /// KL of the current layout, reusing the engine's buffers.
    fn kl_in_place(&mut self) -> f64 {
        let objective = self.objective(1.0);
        evaluate(
            &self.y,
            &self.p,
            objective,
            &mut self.workspace,
            &mut self.grad,
            true,
        )
        .unwrap_or(f64::NAN)
    }

    /// KL divergence of the current layout, computed now with the configured gradient
    /// method's normaliser (Barnes–Hut's and FFT's Z are approximate, as in openTSNE).
    pub fn kl_divergence(&self) -> f64 {
        let mut grad = vec![0.0; self.y.len()];
        evaluate(
            &self.y,
            &self.p,
            self.objective(1.0),
            &mut Workspace::default(),
            &mut grad,
            true,
        )
        .unwrap_or(f64::NAN)
    }

    /// Where the time of the last FFT repulsion went; `None` unless the FFT method has run.
    pub fn fft_timings(&self) -> Option<FftTimings> {
        self.workspace.fft_timings()
    }

    /// The repulsion method in use ([`NegativeGradientMethod::Auto`] resolved for this N).
    pub fn negative_gradient_method(&self) -> NegativeGradientMethod {
        self.method
    }

    /// The most recent KL evaluation: (iterations done when computed, value).
    pub fn last_kl(&self) -> Option<(usize, f64)> {
        self.last_kl
    }

    /// The layout, `N × 2` interleaved x, y.
    pub fn positions(&self) -> &[f32] {
        &self.positions
    }

    /// The layout in the engine's working precision.
    pub fn positions_f64(&self) -> &[f64] {
        &self.y
    }

    /// The joint input probabilities P.
    pub fn affinities(&self) -> &Affinities {
        &self.p
    }

    /// Iterations done.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// Iterations in the whole schedule.
    pub fn total_iterations(&self) -> usize {
        self.phases.iter().map(|p| p.n_iter).sum()
    }

    /// The phase the next step belongs to (`phases().len()` once finished).
    pub fn phase_index(&self) -> usize {
        let mut idx = self.phase_index;
        let mut done = self.phase_iteration;
        while self.phases.get(idx).is_some_and(|ph| done >= ph.n_iter) {
            idx += 1;
            done = 0;
        }
        idx
    }

    /// Degrees of freedom of the output kernel (points added later must use the same).
    pub fn dof(&self) -> f64 {
        self.dof
    }

    /// The schedule.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }

    /// Whether every phase has run.
    pub fn is_finished(&self) -> bool {
        self.phase_index() >= self.phases.len()
    }

    /// Refine: continues optimising the current layout through `phases`, which replace
    /// whatever the schedule had left (nothing, for a finished run; the rest of the
    /// schedule, for a stopped one), so further [`Self::step`]s run exactly `phases`. The
    /// optimiser's gains and momentum carry over, as they do across openTSNE's successive
    /// `optimize()` calls on one embedding; the schedule keeps the phases already run, cut
    /// to the iterations actually done.
    pub fn continue_with(&mut self, phases: Vec<Phase>) -> Result<(), crate::ParamError> {
        for phase in &phases {
            phase.validate()?;
        }
        if let Some(current) = self.phases.get_mut(self.phase_index) {
            current.n_iter = self.phase_iteration;
            let keep = self.phase_index + usize::from(self.phase_iteration > 0);
            self.phases.truncate(keep);
            self.phase_index = keep;
            self.phase_iteration = 0;
        }
        self.phases.extend(phases);
        Ok(())
    }

    /// openTSNE's `TSNEEmbedding.transform`: places `new_vectors` (`M × dim`) into this
    /// engine's current layout, which stays untouched, and returns their positions (`M × 2`).
    /// `reference_vectors` (`N × dim`) must be the rows this layout was made from, in the
    /// space its kNN search saw (after any PCA reduction). See [`PartialEmbedding`] for the
    /// optimisation and [`TransformParams`] for openTSNE's defaults.
    pub fn transform(
        &self,
        reference_vectors: &[f32],
        dim: usize,
        new_vectors: &[f32],
        params: &TransformParams,
    ) -> Result<Vec<f32>, TsneError> {
        if reference_vectors.len() != dim * self.p.n_points() {
            return Err(TsneError::InputShape {
                len: reference_vectors.len(),
                n_points: self.p.n_points(),
                dim,
            });
        }
        Ok(PartialEmbedding::prepare(reference_vectors, dim, &self.y, new_vectors, params)?.run())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TsneParams;

    fn run_to_end(vectors: &[f32], dim: usize) -> TsneEngine {
        let params = TsneParams {
            early_exaggeration_iter: 30,
            n_iter: 30,
            ..TsneParams::default()
        }
        .validate(vectors.len() / dim)
        .unwrap();
        let mut stages = Vec::new();
        let mut engine =
            TsneEngine::prepare(vectors, dim, &params, &mut |s| stages.push(s)).unwrap();
        assert_eq!(
            stages,
            [
                PrepareStage::NearestNeighbors,
                PrepareStage::Affinities,
                PrepareStage::Initialization
            ]
        );
        let mut last = 0;
        while let Some(info) = engine.step() {
            assert_eq!(info.iteration, last + 1);
            last = info.iteration;
        }
        assert_eq!(last, 60);
        assert!(engine.is_finished());
        assert!(engine.positions().iter().all(|v| v.is_finite()));
        assert!(engine.kl_divergence().is_finite());
        engine
    }

    #[test]
    fn degenerate_inputs_run_to_the_end() {
        // Two points; three points in 1-D; fifty identical points.
        run_to_end(&[0.0, 1.0, 2.0, 3.0], 2);
        run_to_end(&[0.0, 1.0, 5.0], 1);
        let engine = run_to_end(&[0.5; 50 * 4], 4);
        // Jitter separates identical points.
        let p = engine.positions();
        assert!(p.chunks_exact(2).any(|q| q != &p[..2]));
    }

    #[test]
    fn input_errors_are_typed() {
        let params = TsneParams::default().validate(3).unwrap();
        assert!(matches!(
            TsneEngine::prepare(&[0.0; 5], 2, &params, &mut |_| {}),
            Err(TsneError::InputShape { len: 5, .. })
        ));
        assert!(matches!(
            TsneEngine::prepare(&[0.0, 1.0, f32::INFINITY], 1, &params, &mut |_| {}),
            Err(TsneError::NonFinite { row: 2 })
        ));
    }
}
