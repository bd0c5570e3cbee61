//! A UMAP run on its own named thread, publishing a snapshot after every epoch.
//!
//! The same contract as `loupe-tsne`'s `TsneRun`, built on the same [`RunControl`] and
//! publishing the same [`Snapshot`] type, so the app drives and draws both methods alike:
//! each snapshot replaces the previous one in a latest-wins slot, then `on_update` is called
//! (the app passes egui's `request_repaint`); the engine never waits for the UI.
//! Pause/resume/cancel are flags checked before every epoch (and between preparation
//! stages); a paused engine sleeps on a condition variable. An [`IterationObserver`] sees
//! every epoch's positions.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use loupe_core::VectorBuffer;
use loupe_knn::KnnGraph;
use loupe_tsne::{IterationObserver, PositionPool, PrepareStage, RunControl, RunStatus, Snapshot};

use crate::{UmapEngine, UmapError, ValidUmapParams};

/// The phase name UMAP snapshots carry (t-SNE's are "early exaggeration" and so on).
pub const PHASE_NAME: &str = "UMAP";

type ThreadResult = (Result<Option<Arc<Snapshot>>, UmapError>, Option<UmapEngine>);

/// Handle to a running UMAP; dropping it cancels the run (without waiting for the thread).
pub struct UmapRun {
    shared: Arc<RunControl>,
    handle: Option<JoinHandle<ThreadResult>>,
}

impl std::fmt::Debug for UmapRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UmapRun")
            .field("paused", &self.is_paused())
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

/// Starts preparing and optimising `vectors` (`N × dim`) on a thread named `loupe-umap`.
///
/// Fails at once only when the input does not match the parameters or the thread cannot
/// start; preparation errors arrive as a [`RunStatus::Failed`] snapshot and from
/// [`UmapRun::join`].
pub fn spawn_run(
    vectors: VectorBuffer,
    dim: usize,
    params: ValidUmapParams,
    on_update: Box<dyn Fn() + Send + Sync>,
) -> Result<UmapRun, UmapError> {
    UmapError::check_input_shape(vectors.len(), params.n_points(), dim)?;
    spawn(params.n_epochs(), on_update, move |progress, cancelled| {
        UmapEngine::prepare_cancellable(&vectors, dim, &params, progress, cancelled)
    })
}

/// [`spawn_run`] over a neighbour graph computed elsewhere (see [`UmapEngine::from_knn`]);
/// `rows` are the vectors it came from, for a PCA initialisation or fallback.
pub fn spawn_run_from_knn(
    graph: KnnGraph,
    rows: Option<(VectorBuffer, usize)>,
    params: ValidUmapParams,
    on_update: Box<dyn Fn() + Send + Sync>,
) -> Result<UmapRun, UmapError> {
    spawn(params.n_epochs(), on_update, move |progress, _cancelled| {
        let rows = rows.as_ref().map(|(v, d)| (&v[..], *d));
        UmapEngine::from_knn(&graph, rows, &params, progress)
    })
}

fn spawn(
    n_epochs: usize,
    on_update: Box<dyn Fn() + Send + Sync>,
    prepare: impl FnOnce(
        &mut dyn FnMut(PrepareStage),
        &dyn Fn() -> bool,
    ) -> Result<UmapEngine, UmapError>
    + Send
    + 'static,
) -> Result<UmapRun, UmapError> {
    let shared = RunControl::new();
    let handle = shared
        .spawn("loupe-umap", move |control| {
            Worker {
                shared: control,
                on_update,
                n_epochs,
                pool: PositionPool::default(),
                seconds_per_epoch: None,
            }
            .run(prepare)
        })
        .map_err(UmapError::Spawn)?;
    Ok(UmapRun {
        shared,
        handle: Some(handle),
    })
}

impl UmapRun {
    /// The run's controls, the same type as `loupe-tsne`'s runs have (see `TsneRun::control`).
    pub fn control(&self) -> &RunControl {
        &self.shared
    }

    /// The newest snapshot (a peek: it stays available to later calls).
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.shared.latest()
    }

    /// Stops before the next epoch.
    pub fn pause(&self) {
        self.shared.pause();
    }

    /// Continues a paused run.
    pub fn resume(&self) {
        self.shared.resume();
    }

    /// Ends the run before the next epoch (or preparation stage); the final snapshot keeps
    /// the last completed layout.
    pub fn cancel(&self) {
        self.shared.cancel();
    }

    /// Calls `observer` with (epochs done, positions) after every epoch from the next one on,
    /// replacing any earlier observer; `None` stops observing.
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

    /// Waits for the thread and returns the final snapshot, or the error that ended
    /// preparation.
    pub fn join(self) -> Result<Option<Arc<Snapshot>>, UmapError> {
        self.join_engine().map(|(snapshot, _)| snapshot)
    }

    /// [`Self::join`], also handing back the engine when preparation succeeded.
    pub fn join_engine(mut self) -> Result<(Option<Arc<Snapshot>>, Option<UmapEngine>), UmapError> {
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok((result, engine))) => result.map(|snapshot| (snapshot, engine)),
            Some(Err(_panic)) => Err(UmapError::WorkerPanicked),
            None => Ok((self.latest(), None)),
        }
    }
}

impl Drop for UmapRun {
    fn drop(&mut self) {
        if self.handle.is_some() {
            self.cancel();
        }
    }
}

/// The engine thread's side.
struct Worker<'a> {
    shared: &'a RunControl,
    on_update: Box<dyn Fn() + Send + Sync>,
    n_epochs: usize,
    /// Position buffers recycled once the UI has dropped every snapshot holding them.
    pool: PositionPool,
    seconds_per_epoch: Option<f64>,
}

impl Worker<'_> {
    fn run(
        mut self,
        prepare: impl FnOnce(
            &mut dyn FnMut(PrepareStage),
            &dyn Fn() -> bool,
        ) -> Result<UmapEngine, UmapError>,
    ) -> ThreadResult {
        let shared = self.shared;
        let empty = Arc::new(Vec::new());
        let prepared = prepare(
            &mut |stage| {
                self.publish(RunStatus::Preparing(stage), 0, Arc::clone(&empty));
            },
            &|| shared.is_cancelled(),
        );
        let mut engine = match prepared {
            Ok(engine) => engine,
            Err(UmapError::Cancelled) => {
                return (Ok(Some(self.publish(RunStatus::Cancelled, 0, empty))), None);
            }
            Err(e) => {
                self.publish(RunStatus::Failed(e.to_string()), 0, empty);
                return (Err(e), None);
            }
        };
        self.publish_engine(RunStatus::Running, &engine);
        let mut last = Instant::now();
        loop {
            if shared.is_cancelled() {
                let snapshot = self.publish_engine(RunStatus::Cancelled, &engine);
                return (Ok(Some(snapshot)), Some(engine));
            }
            if shared.is_paused() {
                self.publish_engine(RunStatus::Paused, &engine);
                shared.wait_while_paused();
                last = Instant::now();
                continue;
            }
            if engine.step().is_none() {
                let snapshot = self.publish_engine(RunStatus::Finished, &engine);
                return (Ok(Some(snapshot)), Some(engine));
            }
            let now = Instant::now();
            let dt = now.duration_since(last).as_secs_f64();
            last = now;
            self.seconds_per_epoch =
                Some(self.seconds_per_epoch.map_or(dt, |s| 0.9 * s + 0.1 * dt));
            shared.notify(engine.epoch(), engine.positions());
            if shared.take_wanted() {
                self.publish_engine(RunStatus::Running, &engine);
            }
        }
    }

    fn publish_engine(&mut self, status: RunStatus, engine: &UmapEngine) -> Arc<Snapshot> {
        let positions = self.pool.share(engine.positions());
        self.publish(status, engine.epoch(), positions)
    }

    fn publish(
        &mut self,
        status: RunStatus,
        epoch: usize,
        positions: Arc<Vec<f32>>,
    ) -> Arc<Snapshot> {
        let snapshot = self.shared.publish(Snapshot {
            iteration: epoch,
            total_iterations: self.n_epochs,
            status,
            phase_index: 0,
            phase_name: PHASE_NAME.to_owned(),
            exaggeration: 1.0,
            kl: None,
            positions,
            iterations_per_s: self.seconds_per_epoch.map_or(0.0, |s| 1.0 / s),
            generation: 0,
            stage_index: 0,
            stage_count: 1,
            stage_name: String::new(),
            placed: None,
        });
        (self.on_update)();
        snapshot
    }
}
