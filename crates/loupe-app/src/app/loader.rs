//! Loading files on a named background thread so a large file never freezes the window.

use std::path::PathBuf;
use std::sync::Arc;

use loupe_core::{Dataset, LatestSlot};

/// Where a dataset comes from.
#[derive(Debug, Clone)]
pub enum DataSource {
    /// The built-in MNIST test digits, optionally only the first N.
    Demo {
        /// Read only this many digits.
        limit: Option<usize>,
    },
    /// A file on disk.
    File {
        /// The file.
        path: PathBuf,
        /// The vector column, auto-detected when `None`.
        column: Option<String>,
        /// Read only this many rows.
        limit: Option<usize>,
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

    /// Reads the dataset (blocking; call it off the UI thread).
    pub fn load(&self) -> anyhow::Result<Dataset> {
        match self {
            Self::Demo { limit } => crate::demo::demo_dataset(*limit),
            Self::File {
                path,
                column,
                limit,
            } => Ok(loupe_data::read_path(
                path,
                &loupe_data::ReadOptions {
                    column: column.clone(),
                    limit: *limit,
                    ..loupe_data::ReadOptions::default()
                },
            )?),
        }
    }
}

/// A load in progress; the result appears in the slot when the thread finishes.
pub struct LoadJob {
    /// What is being loaded.
    pub source: DataSource,
    result: Arc<LatestSlot<Result<Dataset, String>>>,
}

impl LoadJob {
    /// Starts loading on a named thread; `on_done` is called when the result is ready.
    pub fn start(source: DataSource, on_done: impl Fn() + Send + 'static) -> Self {
        let result = Arc::new(LatestSlot::new());
        let slot = Arc::clone(&result);
        let thread_source = source.clone();
        let spawned = std::thread::Builder::new()
            .name("loupe-loader".to_owned())
            .spawn(move || {
                let loaded = thread_source.load().map_err(|e| format!("{e:#}"));
                slot.publish(loaded);
                on_done();
            });
        if let Err(err) = spawned {
            result.publish(Err(format!("could not start the loader thread: {err}")));
        }
        Self { source, result }
    }

    /// The result once the load finished.
    pub fn poll(&self) -> Option<Result<Dataset, String>> {
        let result = self.result.take()?;
        Some(
            Arc::try_unwrap(result).unwrap_or_else(|shared| match &*shared {
                Ok(dataset) => Ok(dataset.clone()),
                Err(message) => Err(message.clone()),
            }),
        )
    }
}
