//! Loading files and folders on a named background thread so a large folder never freezes
//! the window; progress and the load report come back with the data.

use std::path::PathBuf;
use std::sync::Arc;

use loupe_core::{Dataset, LatestSlot};
use loupe_data::ReadOptions;
use loupe_ingest::{CachePolicy, LoadReport, OpenOptions, Progress};

/// Where a dataset comes from.
#[derive(Debug, Clone)]
pub enum DataSource {
    /// The built-in MNIST test digits, optionally only the first N.
    Demo {
        /// Read only this many digits.
        limit: Option<usize>,
    },
    /// A file or a folder of files on disk.
    File {
        /// The file or folder.
        path: PathBuf,
        /// How to read each file (vector column, row limit, bad rows, pooling).
        read: ReadOptions,
    },
}

impl DataSource {
    /// A short description for the status bar.
    pub fn describe(&self) -> String {
        match self {
            Self::Demo { .. } => crate::demo::DEMO_NAME.to_owned(),
            Self::File { path, .. } => path.display().to_string(),
        }
    }

    /// Reads the dataset (blocking; call it off the UI thread), reporting progress.
    pub fn load(
        &self,
        cache: &CachePolicy,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> anyhow::Result<Loaded> {
        match self {
            Self::Demo { limit } => Ok(Loaded {
                dataset: crate::demo::demo_dataset(*limit)?,
                report: None,
            }),
            Self::File { path, read } => {
                let options = OpenOptions {
                    read: read.clone(),
                    cache: cache.clone(),
                    // The data is shown at once; the cache entry follows on its own thread.
                    cache_write: loupe_ingest::CacheWrite::Background,
                };
                let opened = loupe_ingest::open(path, &options, progress)?;
                Ok(Loaded {
                    dataset: opened.dataset,
                    report: Some(opened.report),
                })
            }
        }
    }
}

/// A finished load: the data and, for files and folders, what happened on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The rows.
    pub dataset: Dataset,
    /// Files loaded and failed, geometry, cache; `None` for the built-in demo.
    pub report: Option<LoadReport>,
}

/// A load in progress; the result appears in the slot when the thread finishes.
pub struct LoadJob {
    /// What is being loaded.
    pub source: DataSource,
    result: Arc<LatestSlot<Result<Loaded, String>>>,
    progress: Arc<LatestSlot<Progress>>,
}

impl LoadJob {
    /// Starts loading on a named thread; `on_update` is called after every progress report
    /// and when the result is ready.
    pub fn start(
        source: DataSource,
        cache: CachePolicy,
        on_update: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let result = Arc::new(LatestSlot::new());
        let progress = Arc::new(LatestSlot::new());
        let slot = Arc::clone(&result);
        let progress_slot = Arc::clone(&progress);
        let thread_source = source.clone();
        let spawned = std::thread::Builder::new()
            .name("loupe-loader".to_owned())
            .spawn(move || {
                let report_progress = |p: &Progress| {
                    progress_slot.publish(*p);
                    on_update();
                };
                let loaded = thread_source
                    .load(&cache, &report_progress)
                    .map_err(|e| format!("{e:#}"));
                slot.publish(loaded);
                on_update();
            });
        if let Err(err) = spawned {
            result.publish(Err(format!("could not start the loader thread: {err}")));
        }
        Self {
            source,
            result,
            progress,
        }
    }

    /// The latest progress report, if the loader has sent one.
    pub fn progress(&self) -> Option<Progress> {
        self.progress.peek().map(|p| *p)
    }

    /// The result once the load finished.
    pub fn poll(&self) -> Option<Result<Loaded, String>> {
        let result = self.result.take()?;
        Some(Arc::try_unwrap(result).unwrap_or_else(|shared| (*shared).clone()))
    }
}
