//! A t-SNE run on its own named thread, publishing a snapshot after every iteration.
//!
//! The engine never waits for the UI: each snapshot replaces the previous one in a
//! [`LatestSlot`], then `on_update` is called (the app passes egui's `request_repaint`). The
//! UI peeks at the newest snapshot whenever it draws. Pause/resume/cancel are flags checked
//! before every iteration; a paused engine sleeps on a condition variable (no busy-wait).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

use loupe_core::LatestSlot;

use crate::engine::{PrepareStage, TsneEngine};
use crate::{TsneError, ValidTsneParams};

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
    /// Increases with every published snapshot, so consumers can tell new from seen.
    pub generation: u64,
}

type RunResult = Result<Option<Arc<Snapshot>>, TsneError>;

/// State shared between the handle and the engine thread.
struct Shared {
    slot: LatestSlot<Snapshot>,
    paused: AtomicBool,
    cancelled: AtomicBool,
    finished: AtomicBool,
    /// Guards flag changes so that a pausing engine cannot miss a wake-up.
    lock: Mutex<()>,
    wake: Condvar,
    generation: AtomicU64,
}

impl Shared {
    fn set(&self, flag: &AtomicBool, value: bool) {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        flag.store(value, Ordering::SeqCst);
        self.wake.notify_all();
    }

    fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Blocks while paused and not cancelled.
    fn wait_while_paused(&self) {
        let mut guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        while self.paused.load(Ordering::SeqCst) && !self.cancelled() {
            guard = self
                .wake
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

struct FinishedOnDrop<'a>(&'a AtomicBool);

impl Drop for FinishedOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Handle to a running t-SNE; dropping it cancels the run (without waiting for the thread).
pub struct TsneRun {
    shared: Arc<Shared>,
    handle: Option<JoinHandle<RunResult>>,
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
    vectors: Arc<[f32]>,
    dim: usize,
    params: ValidTsneParams,
    on_update: Box<dyn Fn() + Send + Sync>,
) -> Result<TsneRun, TsneError> {
    let n = params.n_points();
    if dim == 0 || Some(vectors.len()) != n.checked_mul(dim) {
        return Err(TsneError::InputShape {
            len: vectors.len(),
            n_points: n,
            dim,
        });
    }
    let shared = Arc::new(Shared {
        slot: LatestSlot::new(),
        paused: AtomicBool::new(false),
        cancelled: AtomicBool::new(false),
        finished: AtomicBool::new(false),
        lock: Mutex::new(()),
        wake: Condvar::new(),
        generation: AtomicU64::new(0),
    });
    let worker_shared = Arc::clone(&shared);
    let handle = std::thread::Builder::new()
        .name("loupe-tsne".to_owned())
        .spawn(move || {
            // Marks the run finished however the thread ends, a panic included.
            let _finished = FinishedOnDrop(&worker_shared.finished);
            Worker::new(&worker_shared, &params, on_update).run(&vectors, dim)
        })
        .map_err(TsneError::Spawn)?;
    Ok(TsneRun {
        shared,
        handle: Some(handle),
    })
}

impl TsneRun {
    /// The newest snapshot (a peek: it stays available to later calls).
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.shared.slot.peek()
    }

    /// Stops before the next iteration; takes effect within one iteration.
    pub fn pause(&self) {
        self.shared.set(&self.shared.paused, true);
    }

    /// Continues a paused run.
    pub fn resume(&self) {
        self.shared.set(&self.shared.paused, false);
    }

    /// Ends the run before the next iteration (or the next preparation stage); the final
    /// snapshot keeps the last completed layout.
    pub fn cancel(&self) {
        self.shared.set(&self.shared.cancelled, true);
    }

    /// Whether a pause was requested and not yet lifted.
    pub fn is_paused(&self) -> bool {
        self.shared.paused.load(Ordering::SeqCst)
    }

    /// Whether the engine thread has ended (finished, cancelled or failed).
    pub fn is_finished(&self) -> bool {
        self.shared.finished.load(Ordering::SeqCst)
    }

    /// Waits for the thread and returns the final snapshot (`None` only if nothing was ever
    /// published), or the error that ended preparation.
    pub fn join(mut self) -> Result<Option<Arc<Snapshot>>, TsneError> {
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_panic)) => Err(TsneError::WorkerPanicked),
            None => Ok(self.latest()),
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

/// The engine thread's side: publishing snapshots and honouring the flags.
struct Worker<'a> {
    shared: &'a Shared,
    params: &'a ValidTsneParams,
    on_update: Box<dyn Fn() + Send + Sync>,
    /// Position buffers recycled once the UI has dropped every snapshot holding them.
    pool: Vec<Arc<Vec<f32>>>,
    empty: Arc<Vec<f32>>,
    seconds_per_iteration: Option<f64>,
    phase_index: usize,
    exaggeration: f64,
}

impl<'a> Worker<'a> {
    fn new(
        shared: &'a Shared,
        params: &'a ValidTsneParams,
        on_update: Box<dyn Fn() + Send + Sync>,
    ) -> Self {
        Self {
            shared,
            params,
            on_update,
            pool: Vec::new(),
            empty: Arc::new(Vec::new()),
            seconds_per_iteration: None,
            phase_index: 0,
            exaggeration: params.phases().first().map_or(1.0, |p| p.exaggeration),
        }
    }

    fn run(mut self, vectors: &[f32], dim: usize) -> RunResult {
        let (shared, params) = (self.shared, self.params);
        let prepared = TsneEngine::prepare_cancellable(
            vectors,
            dim,
            params,
            &mut |stage| {
                self.publish(RunStatus::Preparing(stage), 0, None, None);
            },
            &|| shared.cancelled(),
        );
        let mut engine = match prepared {
            Ok(engine) => engine,
            Err(TsneError::Cancelled) => {
                return Ok(Some(self.publish(RunStatus::Cancelled, 0, None, None)));
            }
            Err(e) => {
                self.publish(RunStatus::Failed(e.to_string()), 0, None, None);
                return Err(e);
            }
        };
        self.publish_engine(RunStatus::Running, &engine);
        let mut last = Instant::now();
        loop {
            if self.shared.cancelled() {
                return Ok(Some(self.publish_engine(RunStatus::Cancelled, &engine)));
            }
            if self.shared.paused.load(Ordering::SeqCst) {
                self.publish_engine(RunStatus::Paused, &engine);
                self.shared.wait_while_paused();
                last = Instant::now();
                continue;
            }
            let Some(info) = engine.step() else {
                return Ok(Some(self.publish_engine(RunStatus::Finished, &engine)));
            };
            let now = Instant::now();
            let dt = now.duration_since(last).as_secs_f64();
            last = now;
            self.seconds_per_iteration = Some(
                self.seconds_per_iteration
                    .map_or(dt, |avg| 0.9 * avg + 0.1 * dt),
            );
            self.phase_index = info.phase_index;
            self.exaggeration = info.exaggeration;
            self.publish_engine(RunStatus::Running, &engine);
        }
    }

    /// Publishes the engine's state.
    fn publish_engine(&mut self, status: RunStatus, engine: &TsneEngine) -> Arc<Snapshot> {
        self.publish(
            status,
            engine.iteration(),
            engine.last_kl(),
            Some(engine.positions()),
        )
    }

    fn publish(
        &mut self,
        status: RunStatus,
        iteration: usize,
        kl: Option<(usize, f64)>,
        positions: Option<&[f32]>,
    ) -> Arc<Snapshot> {
        let positions = match positions {
            Some(p) => self.buffer(p),
            None => Arc::clone(&self.empty),
        };
        let phase = self.params.phases().get(self.phase_index);
        let snapshot = Arc::new(Snapshot {
            iteration,
            total_iterations: self.params.total_iterations(),
            status,
            phase_index: self.phase_index,
            phase_name: phase.map(|p| p.name.clone()).unwrap_or_default(),
            exaggeration: self.exaggeration,
            kl,
            positions,
            iterations_per_s: self.seconds_per_iteration.map_or(0.0, |s| 1.0 / s),
            generation: self.shared.generation.fetch_add(1, Ordering::SeqCst) + 1,
        });
        self.shared.slot.publish_arc(Arc::clone(&snapshot));
        (self.on_update)();
        snapshot
    }

    /// A shared copy of `positions`, reusing a pooled buffer nobody else holds any more.
    fn buffer(&mut self, positions: &[f32]) -> Arc<Vec<f32>> {
        for arc in &mut self.pool {
            if let Some(buf) = Arc::get_mut(arc) {
                buf.clear();
                buf.extend_from_slice(positions);
                return Arc::clone(arc);
            }
        }
        let arc = Arc::new(positions.to_vec());
        if self.pool.len() < 4 {
            self.pool.push(Arc::clone(&arc));
        }
        arc
    }
}
