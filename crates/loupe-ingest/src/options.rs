//! What a caller may ask of [`open`](crate::open): how to read each file, and where (or
//! whether) to cache the result.

use std::ffi::OsString;
use std::path::PathBuf;

use loupe_data::ReadOptions;

/// Environment variable naming the cache directory, for users who keep caches on another
/// disk and for tests, which must never write into the real user cache.
pub const CACHE_DIR_ENV: &str = "LOUPE_CACHE_DIR";

/// How to open a path; the default reads every row of every file and uses the default cache.
///
/// Construct it with struct-update syntax, `OpenOptions { cache: CachePolicy::Off,
/// ..Default::default() }`, so that fields added later keep today's behaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Passed to [`loupe_data::read_file`] for every file; part of the cache key, so a
    /// different column, limit or pooling never returns a stale cached dataset.
    pub read: ReadOptions,
    /// Where the assembled dataset is cached.
    pub cache: CachePolicy,
    /// Whether [`open`](crate::open) waits for a fresh dataset to be written to the cache.
    pub cache_write: CacheWrite,
}

/// When a freshly built dataset is written to the cache.
///
/// Writing a large dataset costs about as much as reading it did (a million 768-d rows are
/// 3 GB to write and sync), so an app that shows the data at once writes in the background.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CacheWrite {
    /// Before returning: the report says whether the entry was saved. What a command-line
    /// tool wants, since it exits right after.
    #[default]
    Wait,
    /// On a thread named `loupe-cache-writer`, after returning: the report says
    /// [`CacheOutcome::Writing`](crate::CacheOutcome::Writing) and
    /// [`Opened::wait_for_cache`](crate::Opened::wait_for_cache) gives the outcome. Should the
    /// process end first, the half-written temporary file is never read (and is cleaned up
    /// by a later write).
    Background,
}

/// Where the cache lives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CachePolicy {
    /// `$LOUPE_CACHE_DIR` when set and not empty, else the platform cache directory's
    /// `loupe/datasets` (e.g. `~/.cache/loupe/datasets` on Linux). No cache when neither
    /// exists (a system without a home directory).
    #[default]
    Default,
    /// This directory; created when missing.
    Dir(PathBuf),
    /// Neither read nor write a cache (benchmarks, one-off scripts).
    Off,
}

impl CachePolicy {
    /// The directory this policy resolves to now, or `None` for no cache.
    pub fn dir(&self) -> Option<PathBuf> {
        match self {
            Self::Off => None,
            Self::Dir(dir) => Some(dir.clone()),
            Self::Default => default_dir(std::env::var_os(CACHE_DIR_ENV), dirs::cache_dir()),
        }
    }
}

/// The default cache directory given the environment variable's value and the platform's
/// cache directory (parameters so the rule can be tested without touching the environment).
fn default_dir(env: Option<OsString>, platform: Option<PathBuf>) -> Option<PathBuf> {
    env.filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| platform.map(|d| d.join("loupe").join("datasets")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_platform_directory() {
        let platform = Some(PathBuf::from("/home/u/.cache"));
        assert_eq!(
            default_dir(Some("/tmp/c".into()), platform.clone()),
            Some(PathBuf::from("/tmp/c"))
        );
        assert_eq!(
            default_dir(Some(OsString::new()), platform.clone()),
            Some(PathBuf::from("/home/u/.cache/loupe/datasets"))
        );
        assert_eq!(default_dir(None, None), None);
        assert_eq!(CachePolicy::Off.dir(), None);
        assert_eq!(
            CachePolicy::Dir("/x".into()).dir(),
            Some(PathBuf::from("/x"))
        );
    }
}
