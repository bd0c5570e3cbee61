//! Going on from a finished run on a new engine thread: Refine (more phases on the same
//! engine) and Add points (openTSNE's `transform` against the frozen layout).

use super::{Driven, TsneRun, Worker, new_shared, spawn_worker};
use crate::engine::{PrepareStage, StepInfo, TsneEngine};
use crate::{InputSpace, PartialEmbedding, Phase, TransformParams, TsneError};
use loupe_core::VectorBuffer;

/// A run's final layout with everything needed to go on from it: [`spawn_refine`]
/// continues its optimisation, [`spawn_transform`] adds points to it.
#[derive(Debug)]
pub struct FinishedLayout {
    /// The engine, with its affinities, optimiser state and schedule so far.
    pub engine: TsneEngine,
    /// The space its neighbour search ran in (reference rows and any PCA).
    pub space: InputSpace,
}

/// Refine: continues optimising a finished layout through `phases` (new exaggeration,
/// learning rate, momentum, iterations) on a new engine thread, publishing every iteration
/// like [`spawn_run`]. Iteration counts continue from the layout's; the affinities, gains and
/// momentum carry over (openTSNE's successive `optimize()` calls on one embedding).
pub fn spawn_refine(
    layout: FinishedLayout,
    phases: Vec<Phase>,
    on_update: Box<dyn Fn() + Send + Sync>,
) -> Result<TsneRun, TsneError> {
    let FinishedLayout { mut engine, space } = layout;
    engine.continue_with(phases)?;
    let shared = new_shared();
    let all_phases: Vec<(usize, Phase)> = engine.phases().iter().map(|p| (0, p.clone())).collect();
    let names = vec!["refine".to_owned()];
    spawn_worker(shared, move |worker_shared| {
        let (result, engine) =
            Worker::new(worker_shared, all_phases, names, on_update).run(|_, _| Ok(engine));
        (
            result,
            engine.map(|engine| FinishedLayout { engine, space }),
        )
    })
}

/// openTSNE's `transform` on a thread: places `new_vectors` (`M × input_dim`, raw rows, as
/// the reference's input was before any PCA) against the frozen `layout`, publishing every
/// iteration. Snapshots hold `N + M` positions: the reference's `N`, unchanged, then the new
/// points, so a viewer can draw the new rows on top of the old ones; while the new rows'
/// neighbours are searched, `Preparing` snapshots hold the reference's `N` alone.
pub fn spawn_transform(
    layout: &FinishedLayout,
    new_vectors: VectorBuffer,
    params: &TransformParams,
    on_update: Box<dyn Fn() + Send + Sync>,
) -> Result<TsneRun, TsneError> {
    let space = layout.space.clone();
    if !new_vectors.len().is_multiple_of(space.input_dim().max(1)) {
        return Err(TsneError::InputShape {
            len: new_vectors.len(),
            n_points: new_vectors.len() / space.input_dim().max(1),
            dim: space.input_dim(),
        });
    }
    let reference = layout.engine.positions_f64().to_vec();
    let params = TransformParams {
        metric: space.metric(),
        dof: layout.engine.dof(),
        ..params.clone()
    };
    let phases: Vec<(usize, Phase)> = params.phases()?.into_iter().map(|p| (0, p)).collect();
    let shared = new_shared();
    spawn_worker(shared, move |worker_shared| {
        let names = vec!["add points".to_owned()];
        let shown = reference.iter().map(|&v| v as f32).collect();
        let worker =
            Worker::new(worker_shared, phases, names, on_update).preparing_positions(shown);
        let (result, _) = worker.run(|progress, cancelled| {
            if cancelled() {
                return Err(TsneError::Cancelled);
            }
            progress(PrepareStage::NearestNeighbors);
            let projected = space.project(&new_vectors)?;
            let partial = PartialEmbedding::prepare(
                space.data(),
                space.dim(),
                &reference,
                &projected,
                &params,
            )?;
            Ok(TransformDriver::new(partial))
        });
        (result, None)
    })
}

/// A transform's new points drawn after the frozen reference points.
struct TransformDriver {
    partial: PartialEmbedding,
    /// Reference positions, then the new points' (`(N + M) × 2`).
    positions: Vec<f32>,
}

impl TransformDriver {
    fn new(partial: PartialEmbedding) -> Self {
        let positions = partial
            .reference()
            .iter()
            .map(|&v| v as f32)
            .chain(partial.positions().iter().copied())
            .collect();
        Self { partial, positions }
    }
}

impl Driven for TransformDriver {
    fn advance(&mut self) -> Result<Option<(usize, StepInfo)>, TsneError> {
        let Some(info) = self.partial.step() else {
            return Ok(None);
        };
        let new = self.partial.positions();
        let start = self.positions.len() - new.len();
        self.positions[start..].copy_from_slice(new);
        Ok(Some((0, info)))
    }
    fn iteration(&self) -> usize {
        self.partial.iteration()
    }
    fn last_kl(&self) -> Option<(usize, f64)> {
        None
    }
    fn positions(&self) -> &[f32] {
        &self.positions
    }
}
