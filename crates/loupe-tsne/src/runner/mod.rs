//! A t-SNE run on its own named thread, publishing a snapshot after every iteration.
//!
//! The engine never waits for the UI: each snapshot replaces the previous one in a
//! [`LatestSlot`], then `on_update` is called (the app passes egui's `request_repaint`). The
//! UI peeks at the newest snapshot whenever it draws. Pause/resume/cancel are flags checked
//! before every iteration; a paused engine sleeps on a condition variable (no busy-wait).

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use loupe_core::VectorBuffer;

mod continuation;
mod control;

pub use continuation::{FinishedLayout, spawn_refine, spawn_transform};
pub use control::{PositionPool, RunControl};

use crate::engine::{PrepareStage, StepInfo, TsneEngine};
use crate::{InputSpace, Phase, RecipeEngine, TsneError, ValidRecipe, ValidTsneParams};

/// Where a run stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RunStatus {
    /// Computing the stage named, before the first iteration.
    Preparing(PrepareStage),
    /// Iterating.
    Running,
    /// Waiting for [`TsneRun::resume`].
    Paused,
    /// Every phase has run; the positions are final.
    Finished,
    /// Stopped by [`TsneRun::cancel`]; the positions are the last completed iteration's.
    Cancelled,
    /// Preparation failed; the message says why.
    Failed(String),
}

/// The state of a run after some iteration, as the UI sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Iterations done.
    pub iteration: usize,
    /// Iterations in the whole schedule.
    pub total_iterations: usize,
    /// Where the run stands.
    pub status: RunStatus,
    /// Phase of the latest iteration (the first phase before any iteration).
    pub phase_index: usize,
    /// That phase's name.
    pub phase_name: String,
    /// That phase's exaggeration.
    pub exaggeration: f64,
    /// Latest KL divergence: (iterations done when computed, value).
    pub kl: Option<(usize, f64)>,
    /// Layout, `N × 2` interleaved; empty until the initialisation exists.
    pub positions: Arc<Vec<f32>>,
    /// Recent iteration rate (an exponential moving average; 0 before the first iteration).
    pub iterations_per_s: f64,
    /// Increases with every published snapshot, so consumers can tell new from seen (set by
    /// [`RunControl::publish`]).
    pub generation: u64,
    /// Stage of a multi-stage recipe the snapshot belongs to (0 for a standard run; during
    /// `Preparing`, the stage being prepared).
    pub stage_index: usize,
    /// Stages in the run (1 for a standard run).
    pub stage_count: usize,
    /// That stage's name.
    pub stage_name: String,
    /// Which of the N points the current stage optimises itself; `None` when it is all of
    /// them. During a sample stage the other points are not hidden: each is drawn where
    /// `prepare_partial` will place it (on its nearest sample points, moving with them), so
    /// `positions` is always finite for all N and a renderer may dim the `false` ones.
    pub placed: Option<Arc<Vec<bool>>>,
}

type RunResult = Result<Option<Arc<Snapshot>>, TsneError>;
/// What the engine thread hands back: the result, and the layout when one can go on.
type ThreadResult = (RunResult, Option<FinishedLayout>);

/// Called on the engine thread after every iteration with the iteration number and the
/// positions (interleaved x, y), e.g. to record the run's trajectory. It runs inside the
/// optimisation loop, so it should be quick or sample (every k-th iteration).
pub type IterationObserver = Box<dyn FnMut(usize, &[f32]) + Send>;

/// Handle to a running t-SNE; dropping it cancels the run (without waiting for the thread).
pub struct TsneRun {
    shared: Arc<RunControl>,
    handle: Option<JoinHandle<ThreadResult>>,
}

impl std::fmt::Debug for TsneRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsneRun")
            .field("paused", &self.is_paused())
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

/// Starts preparing and optimising `vectors` (`N × dim`) on a thread named `loupe-tsne`.
///
/// Fails at once only when the input does not match the parameters or the thread cannot
/// start; preparation errors arrive as a [`RunStatus::Failed`] snapshot and from
/// [`TsneRun::join`].
pub fn spawn_run(
    vectors: VectorBuffer,
    dim: usize,
    params: ValidTsneParams,
    on_update: Box<dyn Fn() + Send + Sync>,
) -> Result<TsneRun, TsneError> {
    let n = params.n_points();
    TsneError::check_input_shape(vectors.len(), n, dim)?;
    let shared = new_shared();
    let phases = params.phases().iter().map(|p| (0, p.clone())).collect();
    spawn_worker(shared, move |worker_shared| {
        let mut space = None;
        let (result, engine) = Worker::new(worker_shared, phases, vec![String::new()], on_update)
            .run(|progress, cancelled| {
                let p = params.params();
                let reduced =
                    InputSpace::reduce(vectors, dim, p.pca_dims, p.metric, p.seed, || {
                        if cancelled() {
                            return Err(TsneError::Cancelled);
                        }
                        progress(PrepareStage::ReduceDimensions);
                        Ok(())
                    })?;
                let engine = TsneEngine::prepare_in_space(&reduced, &params, progress, cancelled);
                space = Some(reduced);
                engine
            });
        let layout = engine
            .zip(space)
            .map(|(engine, space)| FinishedLayout { engine, space });
        (result, layout)
    })
}

/// Starts `body` on a thread named `loupe-tsne` that marks the run finished however it ends.
fn spawn_worker(
    shared: Arc<RunControl>,
    body: impl FnOnce(&RunControl) -> ThreadResult + Send + 'static,
) -> Result<TsneRun, TsneError> {
    let handle = shared.spawn("loupe-tsne", body).map_err(TsneError::Spawn)?;
    Ok(TsneRun {
        shared,
        handle: Some(handle),
    })
}

/// [`spawn_run`] for a multi-stage [`crate::Recipe`]: every iteration of every stage is
/// published, with [`Snapshot::stage_index`] and [`Snapshot::placed`] telling the stages
/// apart, and stage transitions published as `Preparing` snapshots that keep the finished
/// stage's layout.
pub fn spawn_recipe_run(
    vectors: VectorBuffer,
    dim: usize,
    recipe: ValidRecipe,
    on_update: Box<dyn Fn() + Send + Sync>,
) -> Result<TsneRun, TsneError> {
    let n = recipe.n_points();
    TsneError::check_input_shape(vectors.len(), n, dim)?;
    let shared = new_shared();
    let phases = recipe.phases();
    let names = (0..recipe.stage_count())
        .map(|i| recipe.stage_name(i).unwrap_or_default().to_owned())
        .collect();
    spawn_worker(shared, move |worker_shared| {
        let (result, engine) =
            Worker::new(worker_shared, phases, names, on_update).run(|progress, cancelled| {
                RecipeEngine::prepare_cancellable(vectors, dim, &recipe, progress, cancelled)
            });
        let layout = engine
            .and_then(RecipeEngine::into_finished)
            .map(|(engine, space)| FinishedLayout { engine, space });
        (result, layout)
    })
}

fn new_shared() -> Arc<RunControl> {
    RunControl::new()
}

impl TsneRun {
    /// The run's controls (snapshot, pause/resume/cancel, observer, phase starts), the same
    /// type `loupe-umap`'s runs have, so a caller can drive either method through one value.
    pub fn control(&self) -> &RunControl {
        &self.shared
    }

    /// The snapshot taken at the first iteration of every phase or stage after the first, in
    /// order (see [`RunControl::phase_starts`]), so a timeline can mark every boundary.
    pub fn phase_starts(&self) -> Vec<Arc<Snapshot>> {
        self.shared.phase_starts()
    }

    /// The newest snapshot (a peek: it stays available to later calls).
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.shared.latest()
    }

    /// Stops before the next iteration; takes effect within one iteration.
    pub fn pause(&self) {
        self.shared.pause();
    }

    /// Continues a paused run.
    pub fn resume(&self) {
        self.shared.resume();
    }

    /// Ends the run before the next iteration (or the next preparation stage); the final
    /// snapshot keeps the last completed layout.
    pub fn cancel(&self) {
        self.shared.cancel();
    }

    /// Calls `observer` after every iteration from the next one on (replacing any earlier
    /// observer); `None` stops observing. Unlike snapshots, which a slow reader may skip, an
    /// observer sees every iteration: it is how a run's trajectory is recorded. Attach it
    /// right after spawning to see the first iteration (preparation always comes first).
    pub fn observe(&self, observer: Option<IterationObserver>) {
        self.shared.observe(observer);
    }

    /// Whether a pause was requested and not yet lifted.
    pub fn is_paused(&self) -> bool {
        self.shared.is_paused()
    }

    /// Whether the engine thread has ended (finished, cancelled or failed).
    pub fn is_finished(&self) -> bool {
        self.shared.is_finished()
    }

    /// Waits for the thread and returns the final snapshot (`None` only if nothing was ever
    /// published), or the error that ended preparation.
    pub fn join(self) -> Result<Option<Arc<Snapshot>>, TsneError> {
        self.join_layout().map(|(snapshot, _)| snapshot)
    }

    /// [`Self::join`], also handing back the layout for [`spawn_refine`] and
    /// [`spawn_transform`] when the run got far enough to have one (any finished or cancelled
    /// run past preparation; for a recipe, once its last, all-points stage has begun).
    pub fn join_layout(
        mut self,
    ) -> Result<(Option<Arc<Snapshot>>, Option<FinishedLayout>), TsneError> {
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok((result, layout))) => result.map(|snapshot| (snapshot, layout)),
            Some(Err(_panic)) => Err(TsneError::WorkerPanicked),
            None => Ok((self.latest(), None)),
        }
    }
}

impl Drop for TsneRun {
    fn drop(&mut self) {
        if self.handle.is_some() {
            self.cancel();
        }
    }
}

/// What the worker drives: a single-stage engine or a recipe.
trait Driven {
    /// One iteration: (stage index, step info with recipe-wide counts).
    fn advance(&mut self) -> Result<Option<(usize, StepInfo)>, TsneError>;
    fn iteration(&self) -> usize;
    fn last_kl(&self) -> Option<(usize, f64)>;
    fn positions(&self) -> &[f32];
    fn placed(&self) -> Option<Arc<Vec<bool>>> {
        None
    }
    /// The index of the stage that must be prepared before the next iteration, if any.
    fn pending_stage(&self) -> Option<usize> {
        None
    }
    fn begin_next_stage(
        &mut self,
        _progress: &mut dyn FnMut(PrepareStage),
        _cancelled: &dyn Fn() -> bool,
    ) -> Result<bool, TsneError> {
        Ok(false)
    }
}

impl Driven for TsneEngine {
    fn advance(&mut self) -> Result<Option<(usize, StepInfo)>, TsneError> {
        Ok(self.step().map(|info| (0, info)))
    }
    fn iteration(&self) -> usize {
        TsneEngine::iteration(self)
    }
    fn last_kl(&self) -> Option<(usize, f64)> {
        TsneEngine::last_kl(self)
    }
    fn positions(&self) -> &[f32] {
        TsneEngine::positions(self)
    }
}

impl Driven for RecipeEngine {
    fn advance(&mut self) -> Result<Option<(usize, StepInfo)>, TsneError> {
        Ok(self.step()?.map(|s| (s.stage_index, s.info)))
    }
    fn iteration(&self) -> usize {
        RecipeEngine::iteration(self)
    }
    fn last_kl(&self) -> Option<(usize, f64)> {
        RecipeEngine::last_kl(self)
    }
    fn positions(&self) -> &[f32] {
        RecipeEngine::positions(self)
    }
    fn placed(&self) -> Option<Arc<Vec<bool>>> {
        RecipeEngine::placed(self).cloned()
    }
    fn pending_stage(&self) -> Option<usize> {
        self.needs_next_stage().then(|| self.stage_index() + 1)
    }
    fn begin_next_stage(
        &mut self,
        progress: &mut dyn FnMut(PrepareStage),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<bool, TsneError> {
        RecipeEngine::begin_next_stage(self, progress, cancelled)
    }
}

/// The engine thread's side: publishing snapshots and honouring the flags.
struct Worker<'a> {
    shared: &'a RunControl,
    on_update: Box<dyn Fn() + Send + Sync>,
    /// Position buffers recycled once the UI has dropped every snapshot holding them.
    pool: PositionPool,
    /// Positions shown while preparing (empty, or a transform's frozen reference).
    preparing: Arc<Vec<f32>>,
    seconds_per_iteration: Option<f64>,
    /// Every phase of the run with its stage index.
    phases: Vec<(usize, Phase)>,
    stage_names: Vec<String>,
    total_iterations: usize,
    phase_index: usize,
    stage_index: usize,
    exaggeration: f64,
    placed: Option<Arc<Vec<bool>>>,
}

impl<'a> Worker<'a> {
    fn new(
        shared: &'a RunControl,
        phases: Vec<(usize, Phase)>,
        stage_names: Vec<String>,
        on_update: Box<dyn Fn() + Send + Sync>,
    ) -> Self {
        Self {
            shared,
            on_update,
            pool: PositionPool::default(),
            preparing: Arc::new(Vec::new()),
            seconds_per_iteration: None,
            total_iterations: phases.iter().map(|(_, p)| p.n_iter).sum(),
            exaggeration: phases.first().map_or(1.0, |(_, p)| p.exaggeration),
            phases,
            stage_names,
            phase_index: 0,
            stage_index: 0,
            placed: None,
        }
    }

    /// Shows `positions` while preparing instead of nothing.
    fn preparing_positions(mut self, positions: Vec<f32>) -> Self {
        self.preparing = Arc::new(positions);
        self
    }

    /// Prepares with `prepare`, then iterates until finished or cancelled.
    fn run<E: Driven>(
        mut self,
        prepare: impl FnOnce(&mut dyn FnMut(PrepareStage), &dyn Fn() -> bool) -> Result<E, TsneError>,
    ) -> (RunResult, Option<E>) {
        let shared = self.shared;
        let empty = Arc::clone(&self.preparing);
        let prepared = prepare(
            &mut |stage| {
                self.publish(RunStatus::Preparing(stage), 0, None, Arc::clone(&empty));
            },
            &|| shared.is_cancelled(),
        );
        let mut engine = match prepared {
            Ok(engine) => engine,
            Err(TsneError::Cancelled) => {
                return (
                    Ok(Some(self.publish(RunStatus::Cancelled, 0, None, empty))),
                    None,
                );
            }
            Err(e) => {
                self.publish(RunStatus::Failed(e.to_string()), 0, None, empty);
                return (Err(e), None);
            }
        };
        self.placed = engine.placed();
        self.publish_engine(RunStatus::Running, &engine);
        let mut last = Instant::now();
        loop {
            if self.shared.is_cancelled() {
                let last = self.publish_engine(RunStatus::Cancelled, &engine);
                return (Ok(Some(last)), Some(engine));
            }
            if self.shared.is_paused() {
                self.publish_engine(RunStatus::Paused, &engine);
                self.shared.wait_while_paused();
                last = Instant::now();
                continue;
            }
            if let Some(next) = engine.pending_stage() {
                // Show the finished stage's layout while the next one is prepared.
                let frozen = self.buffer(engine.positions());
                let (iteration, kl) = (engine.iteration(), engine.last_kl());
                self.stage_index = next;
                if let Some(first) = self.phases.iter().position(|(s, _)| *s == next) {
                    self.phase_index = first;
                    self.exaggeration = self.phases[first].1.exaggeration;
                }
                let began = engine.begin_next_stage(
                    &mut |stage| {
                        self.publish(
                            RunStatus::Preparing(stage),
                            iteration,
                            kl,
                            Arc::clone(&frozen),
                        );
                    },
                    &|| shared.is_cancelled(),
                );
                match began {
                    Ok(_) => {}
                    Err(TsneError::Cancelled) => {
                        let last = self.publish_engine(RunStatus::Cancelled, &engine);
                        return (Ok(Some(last)), Some(engine));
                    }
                    Err(e) => {
                        self.publish(RunStatus::Failed(e.to_string()), iteration, kl, frozen);
                        return (Err(e), None);
                    }
                }
                self.placed = engine.placed();
                last = Instant::now();
                continue;
            }
            let step = match engine.advance() {
                Ok(step) => step,
                Err(e) => {
                    self.publish_engine(RunStatus::Failed(e.to_string()), &engine);
                    return (Err(e), None);
                }
            };
            let Some((stage_index, info)) = step else {
                let last = self.publish_engine(RunStatus::Finished, &engine);
                return (Ok(Some(last)), Some(engine));
            };
            let now = Instant::now();
            let dt = now.duration_since(last).as_secs_f64();
            last = now;
            self.seconds_per_iteration = Some(
                self.seconds_per_iteration
                    .map_or(dt, |avg| 0.9 * avg + 0.1 * dt),
            );
            self.shared.notify(engine.iteration(), engine.positions());
            let news = stage_index != self.stage_index || info.phase_index != self.phase_index;
            self.stage_index = stage_index;
            self.phase_index = info.phase_index;
            self.exaggeration = info.exaggeration;
            // Copy positions only for a reader that has looked since the last copy (or when
            // the phase changes): an unwatched run copies nothing per iteration.
            if news || self.shared.take_wanted() {
                let snapshot = self.publish_engine(RunStatus::Running, &engine);
                if news {
                    self.shared.mark_phase_start(snapshot);
                }
            }
        }
    }

    /// Publishes the engine's state.
    fn publish_engine(&mut self, status: RunStatus, engine: &impl Driven) -> Arc<Snapshot> {
        let positions = self.buffer(engine.positions());
        self.publish(status, engine.iteration(), engine.last_kl(), positions)
    }

    fn publish(
        &mut self,
        status: RunStatus,
        iteration: usize,
        kl: Option<(usize, f64)>,
        positions: Arc<Vec<f32>>,
    ) -> Arc<Snapshot> {
        let phase = self.phases.get(self.phase_index).map(|(_, p)| p);
        let snapshot = self.shared.publish(Snapshot {
            iteration,
            total_iterations: self.total_iterations,
            status,
            phase_index: self.phase_index,
            phase_name: phase.map(|p| p.name.clone()).unwrap_or_default(),
            exaggeration: self.exaggeration,
            kl,
            positions,
            iterations_per_s: self.seconds_per_iteration.map_or(0.0, |s| 1.0 / s),
            generation: 0,
            stage_index: self.stage_index,
            stage_count: self.stage_names.len(),
            stage_name: self
                .stage_names
                .get(self.stage_index)
                .cloned()
                .unwrap_or_default(),
            placed: self.placed.clone(),
        });
        (self.on_update)();
        snapshot
    }

    /// A shared copy of `positions`, reusing a pooled buffer nobody else holds any more.
    fn buffer(&mut self, positions: &[f32]) -> Arc<Vec<f32>> {
        self.pool.share(positions)
    }
}
