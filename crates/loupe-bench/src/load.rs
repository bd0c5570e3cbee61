//! `loupe-bench load`: the time and peak memory of opening a folder of embedding files into
//! one in-memory dataset, Loupe's side of `scripts/bench-load`.
//!
//! A thin timer around [`loupe_ingest::open`], the call the app makes: every file read in
//! parallel, the Clay file-name columns added, geometry placed in lon/lat, the vectors stacked
//! in one contiguous `N × D` `f32` buffer. The Python sides (`scripts/bench_load.py`) are held
//! to the same end state (one contiguous array in memory). Peak RSS is the kernel's
//! high-water mark (`VmHWM`) of this process, read right after the open, so each mode runs in
//! its own process:
//!
//! * no `--cache`: the cache is off, so this is the cold read compared with pyarrow's;
//! * `--cache DIR` on an empty `DIR`: a first open that also writes the cache, the way the app
//!   does it (in the background: `seconds` is the time until the data is there; the write is
//!   then waited for and timed apart as `cache_write_s`);
//! * `--cache DIR` again: the cached reopen, which reads only the cache file.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};
use loupe_ingest::{CacheOutcome, CachePolicy, CacheWrite, OpenOptions, Progress};

use crate::files::Record;
use crate::run::peak_rss_mib;

/// Opens `dir` (a folder or one file) and reports time, size and peak RSS as a record.
///
/// Fails when any file is left out: a benchmark of a partial load would flatter Loupe.
pub fn load(dir: &Path, cache: Option<&Path>) -> Result<Record> {
    let options = OpenOptions {
        cache: cache.map_or(CachePolicy::Off, |d| CachePolicy::Dir(d.to_path_buf())),
        cache_write: CacheWrite::Background,
        ..OpenOptions::default()
    };
    let start = Instant::now();
    let opened = loupe_ingest::open(dir, &options, &|_: &Progress| {})?;
    let seconds = start.elapsed().as_secs_f64();
    // The next mode's reopen needs the entry on disk.
    let report = &opened.wait_for_cache();
    let peak = peak_rss_mib();
    if let Some(failed) = report.failed.first() {
        bail!(
            "{} of {} files failed to load, e.g. {failed}",
            report.failed.len(),
            report.failed.len() + report.files.len()
        );
    }
    let (tool, cache_name) = match report.cache {
        CacheOutcome::Hit { .. } => ("loupe-cached", "hit"),
        CacheOutcome::Written { .. } => ("loupe-cache-write", "written"),
        CacheOutcome::Writing { .. } => ("loupe-cache-write", "writing"),
        CacheOutcome::NotWritten => ("loupe-cache-write", "not written"),
        CacheOutcome::Disabled => ("loupe", "off"),
    };
    let dataset = &opened.dataset;
    let t = report.timings;
    let mut record = Record::default();
    record
        .str("tool", tool)
        .str("method", "loupe_ingest::open")
        .str("cache", cache_name)
        .num("files", report.files.len() as f64)
        .num("rows", dataset.n_rows() as f64)
        .num("dim", dataset.dim() as f64)
        .num("columns", dataset.metadata().num_columns() as f64)
        .num("threads", rayon::current_num_threads() as f64)
        .num("seconds", seconds)
        .num("files_s", t.files.as_secs_f64())
        .num("combine_s", t.combine.as_secs_f64())
        .num("cache_read_s", t.cache_read.as_secs_f64())
        .num("cache_write_s", t.cache_write.as_secs_f64())
        .num("peak_rss_mib", peak);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::make_folder::{FolderSpec, make_folder};

    #[test]
    fn loads_a_generated_folder_cold_and_cached() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        make_folder(&FolderSpec {
            out: data.clone(),
            files: 4,
            rows: 50,
            dim: 16,
            seed: 1,
        })
        .expect("folder");
        let record = load(&data, None).expect("load");
        assert_eq!(record.get_str("tool"), Some("loupe"));
        assert_eq!(record.get_num("files"), Some(4.0));
        assert_eq!(record.get_num("rows"), Some(50.0));
        assert_eq!(record.get_num("dim"), Some(16.0));
        assert!(record.get_num("seconds").is_some_and(|s| s >= 0.0));

        let cache = dir.path().join("cache");
        let first = load(&data, Some(&cache)).expect("first");
        assert_eq!(first.get_str("cache"), Some("written"));
        let again = load(&data, Some(&cache)).expect("again");
        assert_eq!(again.get_str("tool"), Some("loupe-cached"));
        assert_eq!(again.get_num("rows"), Some(50.0));
    }
}
