//! Bulk download for the `loupe chips` CLI: many chips with bounded concurrency, a progress
//! callback and one result per row.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::{CancelToken, ChipError, ChipRequest, ChipService, ImageFormat};

/// Counts so far, passed to the progress callback after each row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrefetchProgress {
    /// Rows finished (ok or not).
    pub done: usize,
    /// Rows in total.
    pub total: usize,
    /// Rows that failed.
    pub failed: usize,
    /// Rows already in the cache.
    pub from_cache: usize,
}

/// What one successful row produced (the bytes stay on disk, not in memory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefetched {
    /// Was it a cache hit.
    pub from_cache: bool,
    /// The cache file (`None` only without a cache or when the write failed).
    pub path: Option<PathBuf>,
    /// Image format.
    pub format: ImageFormat,
    /// Encoded size in bytes.
    pub bytes: usize,
}

/// Fetches every request with at most `concurrency` at a time (at least 1) and returns one
/// result per request, in order. `progress` is called from the worker threads after each row.
/// Once `cancel` is set, rows not yet started end as [`ChipError::Cancelled`].
pub fn prefetch(
    service: &ChipService,
    requests: &[ChipRequest],
    concurrency: usize,
    cancel: &CancelToken,
    progress: &(dyn Fn(PrefetchProgress) + Sync),
) -> Vec<Result<Prefetched, ChipError>> {
    let total = requests.len();
    let results: Mutex<Vec<Option<Result<Prefetched, ChipError>>>> =
        Mutex::new((0..total).map(|_| None).collect());
    let counts = Mutex::new(PrefetchProgress {
        total,
        ..PrefetchProgress::default()
    });
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(req) = requests.get(i) else { return };
            let r = service.fetch(req, cancel).map(|chip| Prefetched {
                from_cache: chip.from_cache,
                path: chip.cache_path,
                format: chip.format,
                bytes: chip.bytes.len(),
            });
            let snapshot = {
                let mut c = counts.lock().unwrap_or_else(PoisonError::into_inner);
                c.done += 1;
                match &r {
                    Ok(p) if p.from_cache => c.from_cache += 1,
                    Ok(_) => {}
                    Err(_) => c.failed += 1,
                }
                *c
            };
            results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(r);
            progress(snapshot);
        }
    };
    std::thread::scope(|s| {
        for i in 0..concurrency.max(1).min(total).saturating_sub(1) {
            let _ = std::thread::Builder::new()
                .name(format!("loupe-prefetch-{i}"))
                .spawn_scoped(s, work);
        }
        work();
    });
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|r| r.unwrap_or(Err(ChipError::Cancelled)))
        .collect()
}
