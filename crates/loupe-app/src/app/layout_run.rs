//! One handle for a running layout, whichever method makes it: both engines publish
//! `loupe_tsne::Snapshot`s, pause, resume, cancel and take an iteration observer alike, so the
//! session, the plot, the timeline and the exports never ask which method is running.

use std::sync::Arc;

use loupe_tsne::{FinishedLayout, IterationObserver, Snapshot, TsneRun};
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

    /// The newest snapshot.
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        match self {
            Self::Tsne(run) => run.latest(),
            Self::Umap(run) => run.latest(),
        }
    }

    /// Stops before the next iteration or epoch.
    pub fn pause(&self) {
        match self {
            Self::Tsne(run) => run.pause(),
            Self::Umap(run) => run.pause(),
        }
    }

    /// Continues a paused run.
    pub fn resume(&self) {
        match self {
            Self::Tsne(run) => run.resume(),
            Self::Umap(run) => run.resume(),
        }
    }

    /// Ends the run, keeping its last layout.
    pub fn cancel(&self) {
        match self {
            Self::Tsne(run) => run.cancel(),
            Self::Umap(run) => run.cancel(),
        }
    }

    /// Sees every iteration (epoch) from the next one on.
    pub fn observe(&self, observer: Option<IterationObserver>) {
        match self {
            Self::Tsne(run) => run.observe(observer),
            Self::Umap(run) => run.observe(observer),
        }
    }

    /// The snapshots at the start of each phase after the first (t-SNE's exaggeration
    /// changes and stages; UMAP has one phase).
    pub fn phase_starts(&self) -> Vec<Arc<Snapshot>> {
        match self {
            Self::Tsne(run) => run.phase_starts(),
            Self::Umap(_) => Vec::new(),
        }
    }

    /// Whether the engine thread has ended.
    pub fn is_finished(&self) -> bool {
        match self {
            Self::Tsne(run) => run.is_finished(),
            Self::Umap(run) => run.is_finished(),
        }
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
