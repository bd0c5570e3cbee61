//! Progress of an [`open`](crate::open), for the GUI's and the CLI's progress bars.

use std::sync::atomic::{AtomicUsize, Ordering};

/// What [`open`](crate::open) is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading an earlier result from the cache.
    ReadingCache,
    /// Reading the source files (in parallel).
    ReadingFiles,
    /// Stacking the files' rows into one dataset.
    Combining,
    /// Saving the result to the cache for next time.
    WritingCache,
}

/// One progress update. Sent from worker threads, so callers must not block in the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The current stage.
    pub stage: Stage,
    /// Files finished (read or failed) so far; during [`Stage::ReadingCache`] and
    /// [`Stage::WritingCache`], batches of the cache file instead.
    pub done: usize,
    /// How many files (or cache batches) there are in all.
    pub total: usize,
    /// Rows loaded so far.
    pub rows: usize,
}

/// Counts finished files and rows across rayon workers and reports each step.
pub(crate) struct Counter<'a> {
    stage: Stage,
    total: usize,
    done: AtomicUsize,
    rows: AtomicUsize,
    callback: &'a (dyn Fn(&Progress) + Sync),
}

impl<'a> Counter<'a> {
    /// Starts a stage of `total` steps and reports it at 0.
    pub(crate) fn start(
        stage: Stage,
        total: usize,
        callback: &'a (dyn Fn(&Progress) + Sync),
    ) -> Self {
        callback(&Progress {
            stage,
            done: 0,
            total,
            rows: 0,
        });
        Self {
            stage,
            total,
            done: AtomicUsize::new(0),
            rows: AtomicUsize::new(0),
            callback,
        }
    }

    /// Records one finished step that added `rows` rows, and reports the new totals.
    pub(crate) fn step(&self, rows: usize) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let rows = self.rows.fetch_add(rows, Ordering::Relaxed) + rows;
        (self.callback)(&Progress {
            stage: self.stage,
            done,
            total: self.total,
            rows,
        });
    }
}
