//! One handle for a running layout, whichever method makes it: both engines publish
//! `loupe_tsne::Snapshot`s, pause, resume, cancel and take an iteration observer alike, so the
//! session, the plot, the timeline and the exports never ask which method is running.

use std::sync::Arc;

use loupe_tsne::{FinishedLayout, IterationObserver, RunControl, Snapshot, TsneRun};
use loupe_umap::UmapRun;

use crate::cli::MethodArg;

/// A t-SNE (also Refine, Add points) or UMAP run in the background.
#[derive(Debug)]
pub enum LayoutRun {
    /// t-SNE, the multi-stage recipe, Refine or a transform.
    Tsne(TsneRun),
    /// UMAP.
    Umap(UmapRun),
}

impl From<TsneRun> for LayoutRun {
    fn from(run: TsneRun) -> Self {
        Self::Tsne(run)
    }
}

impl From<UmapRun> for LayoutRun {
    fn from(run: UmapRun) -> Self {
        Self::Umap(run)
    }
}

impl LayoutRun {
    /// Which method this is.
    pub fn method(&self) -> MethodArg {
        match self {
            Self::Tsne(_) => MethodArg::Tsne,
            Self::Umap(_) => MethodArg::Umap,
        }
    }

    /// The controls both methods share: snapshots, pause/resume/cancel, the observer and
    /// the phase starts (UMAP marks none: it has one phase).
    fn control(&self) -> &RunControl {
        match self {
            Self::Tsne(run) => run.control(),
            Self::Umap(run) => run.control(),
        }
    }

    /// The newest snapshot.
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.control().latest()
    }

    /// Stops before the next iteration or epoch.
    pub fn pause(&self) {
        self.control().pause();
    }

    /// Continues a paused run.
    pub fn resume(&self) {
        self.control().resume();
    }

    /// Ends the run, keeping its last layout.
    pub fn cancel(&self) {
        self.control().cancel();
    }

    /// Sees every iteration (epoch) from the next one on.
    pub fn observe(&self, observer: Option<IterationObserver>) {
        self.control().observe(observer);
    }

    /// The snapshots at the start of each phase after the first (t-SNE's exaggeration
    /// changes and stages).
    pub fn phase_starts(&self) -> Vec<Arc<Snapshot>> {
        self.control().phase_starts()
    }

    /// Whether the engine thread has ended.
    pub fn is_finished(&self) -> bool {
        self.control().is_finished()
    }

    /// Waits for the thread: the final snapshot and, for t-SNE, the layout that Refine and Add
    /// points continue from (UMAP hands none back: those are t-SNE operations).
    pub fn join_layout(self) -> Result<(Option<Arc<Snapshot>>, Option<FinishedLayout>), String> {
        match self {
            Self::Tsne(run) => run.join_layout().map_err(|e| e.to_string()),
            Self::Umap(run) => run
                .join()
                .map(|snapshot| (snapshot, None))
                .map_err(|e| e.to_string()),
        }
    }
}
