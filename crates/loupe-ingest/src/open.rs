//! [`open`]: the one entry point, tying discovery, the cache, the parallel read and the
//! assembly together.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use loupe_core::Dataset;
use rayon::prelude::*;

use crate::assemble::{AssembleError, assemble};
use crate::cache::{self, CacheKey, Header};
use crate::discover::{Sources, discover};
use crate::progress::{Counter, Progress, Stage};
use crate::read_one::{Part, failed, read_one};
use crate::report::{CacheOutcome, FailedFile, FailureKind, LoadReport, Timings, file_name};
use crate::{CacheWrite, IngestError, OpenOptions};

/// A dataset and the account of how it was made.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The rows of every file that loaded, in file-name order, then file order.
    pub dataset: Dataset,
    /// What happened: files loaded and failed, geometry, cache, timings.
    pub report: LoadReport,
    /// The cache write still running ([`CacheWrite::Background`]).
    pending_cache: Option<PendingCacheWrite>,
}

impl Opened {
    /// Waits for a background cache write, if one is running, and returns the report with
    /// its outcome (`Written` or `NotWritten` with a warning, and the write's time);
    /// otherwise the report as it is. Call it from any clone: the first caller waits, later
    /// ones see the recorded outcome.
    pub fn wait_for_cache(&self) -> LoadReport {
        let mut report = self.report.clone();
        if let Some(pending) = &self.pending_cache {
            let (cache, warnings, took) = pending.wait();
            report.cache = cache;
            report.cache_warnings.extend(warnings);
            report.timings.cache_write = took;
        }
        report
    }
}

/// What a background cache write ended with: outcome, warnings, time taken.
type WriteOutcome = (CacheOutcome, Vec<String>, Duration);

/// A cache write on its own thread, shared by every clone of the [`Opened`].
#[derive(Clone)]
struct PendingCacheWrite(Arc<Mutex<PendingState>>);

enum PendingState {
    Running(JoinHandle<WriteOutcome>),
    Done(WriteOutcome),
}

impl std::fmt::Debug for PendingCacheWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingCacheWrite")
    }
}

impl PendingCacheWrite {
    fn wait(&self) -> WriteOutcome {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let PendingState::Running(_) = &*state {
            let done = (CacheOutcome::NotWritten, Vec::new(), Duration::ZERO);
            if let PendingState::Running(handle) =
                std::mem::replace(&mut *state, PendingState::Done(done))
            {
                let outcome = handle.join().unwrap_or_else(|_| {
                    (
                        CacheOutcome::NotWritten,
                        vec!["the dataset could not be cached: the writer failed".to_owned()],
                        Duration::ZERO,
                    )
                });
                *state = PendingState::Done(outcome);
            }
        }
        match &*state {
            PendingState::Done(outcome) => outcome.clone(),
            PendingState::Running(_) => (CacheOutcome::NotWritten, Vec::new(), Duration::ZERO),
        }
    }
}

/// Opens a file or a folder as one [`Dataset`], using the cache when it is up to date.
///
/// * A **file** of any format [`loupe_data::read_file`] reads.
/// * A **folder**: every `.gpq`, `.parquet` and `.geoparquet` file directly inside it (not in
///   sub-folders; hidden files skipped), sorted by file name, read in parallel. Files that fail
///   are listed in [`LoadReport::failed`] and the rest load; vectors must share one length
///   (the most common one; on a tie, the first file's), other files are listed as failed.
///   Every row gets a `source_file` column.
///
/// Every file's rows also get the Clay file-name columns when the name matches
/// ([`ClayName`](crate::ClayName)) and constant columns from its key/value metadata
/// ([`metadata_columns`](crate::metadata_columns)); the primary geometry column is replaced by
/// longitude/latitude WKB, described by a GeoParquet 1.1 `geo` entry on the metadata schema.
///
/// `progress` is called from worker threads for every file and cache batch; keep it cheap.
pub fn open(
    path: &Path,
    options: &OpenOptions,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<Opened, IngestError> {
    let start = Instant::now();
    let sources = discover(path)?;
    let cache = options.cache.dir().map(|dir| {
        let key = CacheKey::new(path, &sources.files, &options.read);
        (dir.join(key.file_name()), key)
    });
    let mut cache_warnings = Vec::new();
    if let Some((entry, key)) = &cache {
        match cached(entry, key, progress) {
            Ok(Some(mut opened)) => {
                opened.report.path = path.to_path_buf();
                opened.report.timings.total = start.elapsed();
                return Ok(opened);
            }
            Ok(None) => {}
            Err(warning) => cache_warnings.push(warning),
        }
    }

    let mut opened = build(path, &sources, options, progress)?;
    opened.report.cache_warnings = cache_warnings;
    if let Some((entry, key)) = cache {
        match options.cache_write {
            CacheWrite::Wait => {
                let (outcome, warnings, took) =
                    store(&opened.dataset, &opened.report, entry, &key, progress);
                opened.report.cache = outcome;
                opened.report.cache_warnings.extend(warnings);
                opened.report.timings.cache_write = took;
            }
            CacheWrite::Background => {
                opened.report.cache = CacheOutcome::Writing {
                    file: entry.clone(),
                };
                let (dataset, report) = (opened.dataset.clone(), opened.report.clone());
                let spawned = std::thread::Builder::new()
                    .name("loupe-cache-writer".to_owned())
                    .spawn(move || store(&dataset, &report, entry, &key, &|_| {}));
                match spawned {
                    Ok(handle) => {
                        opened.pending_cache = Some(PendingCacheWrite(Arc::new(Mutex::new(
                            PendingState::Running(handle),
                        ))));
                    }
                    Err(e) => {
                        opened.report.cache = CacheOutcome::NotWritten;
                        opened
                            .report
                            .cache_warnings
                            .push(format!("the dataset could not be cached: {e}"));
                    }
                }
            }
        }
    }
    opened.report.timings.total = start.elapsed();
    Ok(opened)
}

/// The cache entry's dataset when there is a readable one (`Ok(None)`: none yet). An entry
/// that cannot be read is deleted, and the warning says so.
fn cached(
    entry: &Path,
    key: &CacheKey,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<Option<Opened>, String> {
    if !entry.is_file() {
        return Ok(None);
    }
    let read_start = Instant::now();
    match cache::read_entry(entry, key, progress) {
        Ok((dataset, mut report)) => {
            report.cache = CacheOutcome::Hit {
                file: entry.to_path_buf(),
            };
            report.cache_warnings = Vec::new();
            report.timings.cache_read = read_start.elapsed();
            report.timings.cache_write = Duration::ZERO;
            Ok(Some(Opened {
                dataset,
                report,
                pending_cache: None,
            }))
        }
        Err(e) => {
            // Best effort: the rebuilt entry is renamed over it anyway.
            let _ = fs::remove_file(entry);
            Err(format!(
                "the cached copy was unreadable and is rebuilt: {e}"
            ))
        }
    }
}

/// Reads every file in parallel and stacks the ones that load.
fn build(
    path: &Path,
    sources: &Sources,
    options: &OpenOptions,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<Opened, IngestError> {
    let files_start = Instant::now();
    let counter = Counter::start(Stage::ReadingFiles, sources.files.len(), progress);
    let outcomes: Vec<Result<Part, ReadFailure>> = sources
        .files
        .par_iter()
        .map(|file| {
            let outcome = guarded_read(file, sources.folder, &options.read);
            counter.step(outcome.as_ref().map_or(0, |p| p.dataset.n_rows()));
            outcome
        })
        .collect();
    let mut results: Vec<Result<Part, FailedFile>> = Vec::with_capacity(outcomes.len());
    for (file, outcome) in sources.files.iter().zip(outcomes) {
        results.push(match outcome {
            Ok(part) => Ok(part),
            // A single file's reader error is the open's error, typed.
            Err(ReadFailure::Data(source)) if !sources.folder => {
                return Err(IngestError::File { source });
            }
            Err(ReadFailure::Data(e)) => Err(failed(file, &e)),
            Err(ReadFailure::Panic(f)) => Err(f),
        });
    }
    let files_time = files_start.elapsed();

    let combine_start = Instant::now();
    let combining = Counter::start(Stage::Combining, 1, progress);
    let assembled = assemble(&file_name(path), results).map_err(|e| match e {
        AssembleError::NothingLoaded(failures) => IngestError::NothingLoaded {
            failures,
            path: path.to_path_buf(),
        },
        AssembleError::Dataset(source) => IngestError::Combine {
            source,
            path: path.to_path_buf(),
        },
    })?;
    let dataset = assembled.dataset;
    combining.step(dataset.n_rows());
    let report = LoadReport {
        path: path.to_path_buf(),
        folder: sources.folder,
        files: assembled.files,
        failed: assembled.failed,
        rows: dataset.n_rows(),
        dim: dataset.dim(),
        cache: CacheOutcome::Disabled,
        cache_warnings: Vec::new(),
        timings: Timings {
            files: files_time,
            combine: combine_start.elapsed(),
            ..Timings::default()
        },
    };
    Ok(Opened {
        dataset,
        report,
        pending_cache: None,
    })
}

/// Saves a freshly built dataset as the cache entry; failing to save only gives a warning.
/// The header records `report` (the build's), so a cache hit reports the original build.
fn store(
    dataset: &Dataset,
    report: &LoadReport,
    entry: PathBuf,
    key: &CacheKey,
    progress: &(dyn Fn(&Progress) + Sync),
) -> WriteOutcome {
    let write_start = Instant::now();
    let header = Header {
        format: cache::FORMAT_VERSION,
        key: key.content.clone(),
        name: dataset.name().to_owned(),
        vector_column: dataset.vector_column().to_owned(),
        dim: dataset.dim(),
        rows: dataset.n_rows(),
        image_shape: dataset.image_shape(),
        report: report.clone(),
    };
    match cache::write_entry(&entry, dataset, &header, progress) {
        Ok(()) => {
            if let Some(dir) = entry.parent() {
                cache::remove_stale(dir, &key.source, &entry);
            }
            (
                CacheOutcome::Written { file: entry },
                Vec::new(),
                write_start.elapsed(),
            )
        }
        Err(e) => (
            CacheOutcome::NotWritten,
            vec![format!("the dataset could not be cached: {e}")],
            write_start.elapsed(),
        ),
    }
}

/// Why one file did not load.
enum ReadFailure {
    /// The reader's error.
    Data(loupe_data::DataError),
    /// A caught panic, already as a report entry.
    Panic(FailedFile),
}

/// Reads one file, turning a panic in this crate's own processing into a failure entry (the
/// readers catch their decoders' panics themselves): one bad file must not end the open.
fn guarded_read(
    file: &Path,
    folder: bool,
    read: &loupe_data::ReadOptions,
) -> Result<Part, ReadFailure> {
    match panic::catch_unwind(AssertUnwindSafe(|| read_one(file, folder, read))) {
        Ok(Ok(part)) => Ok(part),
        Ok(Err(e)) => Err(ReadFailure::Data(e)),
        Err(payload) => Err(ReadFailure::Panic(FailedFile {
            path: file.to_path_buf(),
            kind: FailureKind::Internal,
            reason: format!(
                "internal error while reading ({}); please report it",
                payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default()
            ),
        })),
    }
}
