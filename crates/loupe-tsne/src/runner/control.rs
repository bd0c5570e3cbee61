//! What a layout run's handle and its engine thread share, for any layout method: the
//! latest-wins snapshot slot, pause/resume/cancel flags with a condition variable, the
//! per-iteration observer, and recycled position buffers. `TsneRun` and `loupe-umap`'s
//! `UmapRun` are thin handles over it, so the app drives both alike.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use loupe_core::LatestSlot;

use super::{IterationObserver, Snapshot};

/// The state shared between a run's handle and its engine thread.
#[derive(Default)]
pub struct RunControl {
    slot: LatestSlot<Snapshot>,
    paused: AtomicBool,
    cancelled: AtomicBool,
    finished: AtomicBool,
    /// Guards flag changes so that a pausing engine cannot miss a wake-up.
    lock: Mutex<()>,
    wake: Condvar,
    generation: AtomicU64,
    /// Set whenever a reader peeks; the engine copies positions for a new snapshot only then
    /// (or when the status changes), so an unwatched run copies nothing per iteration.
    wanted: AtomicBool,
    observer: Mutex<Option<IterationObserver>>,
    /// See [`RunControl::phase_starts`].
    phase_starts: Mutex<Vec<Arc<Snapshot>>>,
}

impl std::fmt::Debug for RunControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunControl")
            .field("paused", &self.is_paused())
            .field("cancelled", &self.is_cancelled())
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

impl RunControl {
    /// A fresh control: running, wanted (the first snapshot is always published).
    pub fn new() -> Arc<Self> {
        let control = Self::default();
        control.wanted.store(true, Ordering::SeqCst);
        Arc::new(control)
    }

    /// Starts `body` on a thread called `name`; the run counts as finished when the thread
    /// ends, however it ends (a panic included).
    pub fn spawn<R: Send + 'static>(
        self: &Arc<Self>,
        name: &str,
        body: impl FnOnce(&Self) -> R + Send + 'static,
    ) -> std::io::Result<JoinHandle<R>> {
        let control = Arc::clone(self);
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _finished = FinishedOnDrop(&control.finished);
                body(&control)
            })
    }

    fn set(&self, flag: &AtomicBool, value: bool) {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        flag.store(value, Ordering::SeqCst);
        self.wake.notify_all();
    }

    /// The newest snapshot (a peek: it stays available to later calls).
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.wanted.store(true, Ordering::SeqCst);
        self.slot.peek()
    }

    /// Asks the engine to stop before its next iteration.
    pub fn pause(&self) {
        self.set(&self.paused, true);
    }

    /// Lifts a pause.
    pub fn resume(&self) {
        self.set(&self.paused, false);
    }

    /// Asks the engine to end before its next iteration (or preparation stage).
    pub fn cancel(&self) {
        self.set(&self.cancelled, true);
    }

    /// Replaces the observer called after every iteration (`None` stops observing).
    pub fn observe(&self, observer: Option<IterationObserver>) {
        *self.observer.lock().unwrap_or_else(PoisonError::into_inner) = observer;
    }

    /// Whether a pause was requested and not yet lifted.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Whether a cancel was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Whether the engine thread has ended.
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }

    /// Engine side: blocks while paused and not cancelled.
    pub fn wait_while_paused(&self) {
        let mut guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        while self.is_paused() && !self.is_cancelled() {
            guard = self
                .wake
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Engine side: whether a reader has peeked since the last call (and clears the mark).
    pub fn take_wanted(&self) -> bool {
        self.wanted.swap(false, Ordering::SeqCst)
    }

    /// Engine side: calls the observer, if any, with an iteration's positions.
    pub fn notify(&self, iteration: usize, positions: &[f32]) {
        if let Some(observer) = self
            .observer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            observer(iteration, positions);
        }
    }

    /// The snapshot taken at the first iteration of every phase or stage after the first, in
    /// order. Snapshots are latest-wins, so a slow reader may miss one; these are kept, so a
    /// timeline can mark every boundary at its exact iteration.
    pub fn phase_starts(&self) -> Vec<Arc<Snapshot>> {
        self.phase_starts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Engine side: keeps a published snapshot as the start of a new phase.
    pub fn mark_phase_start(&self, snapshot: Arc<Snapshot>) {
        self.phase_starts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(snapshot);
    }

    /// Engine side: stamps `snapshot` with the next generation and makes it the latest.
    pub fn publish(&self, mut snapshot: Snapshot) -> Arc<Snapshot> {
        snapshot.generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let snapshot = Arc::new(snapshot);
        self.slot.publish_arc(Arc::clone(&snapshot));
        snapshot
    }
}

struct FinishedOnDrop<'a>(&'a AtomicBool);

impl Drop for FinishedOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Shared copies of the layout for snapshots, reusing a buffer once every snapshot holding
/// it has been dropped, so a watched run does not allocate per iteration.
#[derive(Debug, Default)]
pub struct PositionPool {
    pool: Vec<Arc<Vec<f32>>>,
}

impl PositionPool {
    /// Buffers kept for reuse.
    const KEEP: usize = 4;

    /// A shared copy of `positions`.
    pub fn share(&mut self, positions: &[f32]) -> Arc<Vec<f32>> {
        for arc in &mut self.pool {
            if let Some(buf) = Arc::get_mut(arc) {
                buf.clear();
                buf.extend_from_slice(positions);
                return Arc::clone(arc);
            }
        }
        let arc = Arc::new(positions.to_vec());
        if self.pool.len() < Self::KEEP {
            self.pool.push(Arc::clone(&arc));
        }
        arc
    }
}
