//! [`open`]: the one entry point, tying discovery, the cache, the parallel read and the
//! assembly together.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use loupe_core::Dataset;
use rayon::prelude::*;

use crate::assemble::{AssembleError, assemble};
use crate::cache::{self, CacheKey, Header};
use crate::discover::{Sources, discover};
use crate::progress::{Counter, Progress, Stage};
use crate::read_one::{Part, failed, read_one};
use crate::report::{CacheOutcome, FailedFile, FailureKind, LoadReport, Timings, file_name};
use crate::{IngestError, OpenOptions};

/// A dataset and the account of how it was made.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The rows of every file that loaded, in file-name order, then file order.
    pub dataset: Dataset,
    /// What happened: files loaded and failed, geometry, cache, timings.
    pub report: LoadReport,
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
        store(&mut opened, entry, &key, progress);
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
            Ok(Some(Opened { dataset, report }))
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
    Ok(Opened { dataset, report })
}

/// Saves a freshly built dataset as the cache entry and records the outcome; failing to save
/// only adds a warning.
fn store(
    opened: &mut Opened,
    entry: PathBuf,
    key: &CacheKey,
    progress: &(dyn Fn(&Progress) + Sync),
) {
    let write_start = Instant::now();
    let (dataset, report) = (&opened.dataset, &mut opened.report);
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
            report.cache = CacheOutcome::Written { file: entry };
        }
        Err(e) => {
            report.cache = CacheOutcome::NotWritten;
            report
                .cache_warnings
                .push(format!("the dataset could not be cached: {e}"));
        }
    }
    report.timings.cache_write = write_start.elapsed();
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
