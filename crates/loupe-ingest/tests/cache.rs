//! The dataset cache: hits return the same data, changes miss, damage is rebuilt, and a cache
//! that cannot be written only warns. Every test caches into its own tempdir.

#![expect(
    clippy::float_cmp,
    reason = "the values compared were written exactly by the test"
)]

mod common;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{CLAY, EMPTY, cached_in, copy_fixture, open_ok, write_vectors};
use loupe_ingest::{CacheOutcome, Opened};

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn assert_same_data(a: &Opened, b: &Opened) {
    assert_eq!(a.dataset.vectors(), b.dataset.vectors());
    assert_eq!(
        a.dataset.metadata(),
        b.dataset.metadata(),
        "columns and schema metadata"
    );
    assert_eq!(a.dataset.name(), b.dataset.name());
    assert_eq!(a.dataset.vector_column(), b.dataset.vector_column());
    assert_eq!(a.dataset.image_shape(), b.dataset.image_shape());
    let untimed = |o: &Opened| {
        let mut files = o.report.files.clone();
        for f in &mut files {
            f.read_time = Duration::ZERO;
        }
        files
    };
    assert_eq!(untimed(a), untimed(b), "the same reports, read times aside");
    assert_eq!(a.report.failed, b.report.failed);
}

/// Entries are read-only; a test that damages one must lift that first (root ignores it).
fn make_writable(file: &Path) {
    let mut permissions = fs::metadata(file).expect("entry").permissions();
    #[allow(
        clippy::permissions_set_readonly_false,
        reason = "a test damaging its own cache"
    )]
    permissions.set_readonly(false);
    fs::set_permissions(file, permissions).expect("chmod");
}

/// A folder of two Clay copies and an empty file.
fn clay_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_fixture(CLAY, dir.path(), CLAY);
    copy_fixture(CLAY, dir.path(), "04ABC_20230101_20230131_v002.gpq");
    copy_fixture(EMPTY, dir.path(), EMPTY);
    dir
}

#[test]
fn the_second_open_is_a_hit_with_identical_data() {
    let data = clay_folder();
    let cache = tempfile::tempdir().expect("tempdir");
    let options = cached_in(cache.path());
    let first = open_ok(data.path(), &options);
    let CacheOutcome::Written { file } = &first.report.cache else {
        panic!(
            "not written: {:?} {:?}",
            first.report.cache, first.report.cache_warnings
        );
    };
    assert_eq!(
        entries(cache.path()),
        std::slice::from_ref(file),
        "no temporary files left"
    );

    let second = open_ok(data.path(), &options);
    assert!(second.report.from_cache(), "{}", second.report);
    assert_same_data(&first, &second);
    assert_eq!(second.report.failed.len(), 1, "failures are remembered too");
    assert!(
        second.report.to_string().contains("from the cache"),
        "{}",
        second.report
    );

    // A single file is cached under its own key.
    let single = open_ok(&data.path().join(CLAY), &options);
    assert!(!single.report.from_cache());
    assert!(
        open_ok(&data.path().join(CLAY), &options)
            .report
            .from_cache()
    );
}

#[test]
fn a_changed_file_misses_and_replaces_the_old_entry() {
    let data = tempfile::tempdir().expect("tempdir");
    let a = data.path().join("a.parquet");
    let b = data.path().join("b.parquet");
    write_vectors(&a, 10, 8, 0.0, &[]);
    write_vectors(&b, 10, 8, 100.0, &[]);
    let cache = tempfile::tempdir().expect("tempdir");
    let options = cached_in(cache.path());
    let first = open_ok(data.path(), &options);
    assert!(open_ok(data.path(), &options).report.from_cache());

    write_vectors(&b, 10, 8, 500.0, &[]);
    let later = SystemTime::now() + Duration::from_secs(5);
    File::options()
        .write(true)
        .open(&b)
        .expect("open")
        .set_modified(later)
        .expect("mtime");
    let changed = open_ok(data.path(), &options);
    assert!(!changed.report.from_cache(), "stale entry used");
    assert_eq!(changed.dataset.row(10)[0], 500.0);
    assert_ne!(first.dataset.vectors(), changed.dataset.vectors());
    assert_eq!(entries(cache.path()).len(), 1, "the stale entry is removed");
    assert!(open_ok(data.path(), &options).report.from_cache());

    // Another read option is another entry, kept beside the first.
    let limited = loupe_ingest::OpenOptions {
        read: loupe_data::ReadOptions {
            limit: Some(3),
            ..Default::default()
        },
        ..options.clone()
    };
    assert_eq!(open_ok(data.path(), &limited).dataset.n_rows(), 6);
    assert!(open_ok(data.path(), &options).report.from_cache());
}

#[test]
fn a_truncated_entry_is_rebuilt() {
    let data = clay_folder();
    let cache = tempfile::tempdir().expect("tempdir");
    let options = cached_in(cache.path());
    let first = open_ok(data.path(), &options);
    let CacheOutcome::Written { file } = &first.report.cache else {
        panic!("not written");
    };
    let len = fs::metadata(file).expect("entry").len();
    assert!(fs::metadata(file).expect("entry").permissions().readonly());
    make_writable(file);
    File::options()
        .write(true)
        .open(file)
        .expect("open")
        .set_len(len / 2)
        .expect("truncate");

    let rebuilt = open_ok(data.path(), &options);
    assert!(!rebuilt.report.from_cache());
    assert!(
        rebuilt
            .report
            .cache_warnings
            .iter()
            .any(|w| w.contains("unreadable")),
        "{:?}",
        rebuilt.report.cache_warnings
    );
    assert_same_data(&first, &rebuilt);
    assert!(matches!(rebuilt.report.cache, CacheOutcome::Written { .. }));
    assert!(open_ok(data.path(), &options).report.from_cache());

    // Garbage under the entry's name (which is read-only) is treated the same way.
    fs::remove_file(file).expect("remove");
    fs::write(file, b"not an arrow file").expect("overwrite");
    let again = open_ok(data.path(), &options);
    assert!(!again.report.from_cache());
    assert_same_data(&first, &again);
}

#[test]
fn an_unwritable_cache_only_warns() {
    let data = clay_folder();
    let blocker = tempfile::tempdir().expect("tempdir");
    // A regular file where a directory should be: no process, root included, can create the
    // cache directory under it.
    let file = blocker.path().join("file");
    fs::write(&file, b"x").expect("write");
    let opened = open_ok(data.path(), &cached_in(&file.join("cache")));
    assert_eq!(opened.dataset.n_rows(), 834);
    assert_eq!(opened.report.cache, CacheOutcome::NotWritten);
    assert!(
        opened.report.cache_warnings[0].contains("could not be cached"),
        "{:?}",
        opened.report.cache_warnings
    );
    assert!(opened.report.to_string().contains("cache: not saved"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let read_only = tempfile::tempdir().expect("tempdir");
        fs::set_permissions(read_only.path(), fs::Permissions::from_mode(0o555)).expect("chmod");
        // Root ignores permissions; the check above covers that case.
        if fs::write(read_only.path().join("probe"), b"x").is_err() {
            let opened = open_ok(data.path(), &cached_in(read_only.path()));
            assert_eq!(opened.report.cache, CacheOutcome::NotWritten);
            assert_eq!(opened.dataset.n_rows(), 834);
        }
        fs::set_permissions(read_only.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

#[test]
fn a_background_write_returns_first_and_is_a_hit_once_done() {
    let data = clay_folder();
    let cache = tempfile::tempdir().expect("tempdir");
    let options = loupe_ingest::OpenOptions {
        cache_write: loupe_ingest::CacheWrite::Background,
        ..cached_in(cache.path())
    };
    let first = open_ok(data.path(), &options);
    let CacheOutcome::Writing { file } = first.report.cache.clone() else {
        panic!("not writing: {:?}", first.report.cache);
    };
    assert!(first.report.to_string().contains("in the background"));
    // Any clone may wait; the outcome is recorded once.
    let report = first.clone().wait_for_cache();
    assert_eq!(report.cache, CacheOutcome::Written { file: file.clone() });
    assert_eq!(first.wait_for_cache().cache, CacheOutcome::Written { file });
    assert!(report.timings.cache_write > Duration::ZERO);

    let second = open_ok(data.path(), &options);
    assert!(second.report.from_cache(), "{}", second.report);
    assert_same_data(&first, &second);
    assert_eq!(
        second.wait_for_cache().cache,
        second.report.cache,
        "a hit has nothing to wait for"
    );
}
