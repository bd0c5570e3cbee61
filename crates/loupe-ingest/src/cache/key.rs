//! Cache keys: what must be unchanged for a cached dataset to be the one a fresh read would
//! produce.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use loupe_data::ReadOptions;

/// Bumped whenever the cache file's layout or the meaning of its contents changes, so old
/// entries miss instead of being misread.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Names one cache entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheKey {
    /// Hash of what was asked for (the canonical path and the read options): entries with
    /// the same `source` are older versions of one another, so a new one replaces them.
    pub(crate) source: String,
    /// Hash of `source` plus the state of every file (canonical path, size, modification
    /// time; on Unix also inode and change time) and this crate's version and format.
    pub(crate) content: String,
}

impl CacheKey {
    /// Computes the key for opening `path`, whose files are `files`.
    ///
    /// A file whose metadata cannot be read contributes the error instead, so the entry is
    /// still usable (that file is listed as failed) and misses once the file is readable.
    pub(crate) fn new(path: &Path, files: &[PathBuf], options: &ReadOptions) -> Self {
        let mut source = blake3::Hasher::new();
        source.update(&FORMAT_VERSION.to_le_bytes());
        add_text(&mut source, &canonical(path).to_string_lossy());
        // Debug lists every field, so an option added later changes the key by itself.
        add_text(&mut source, &format!("{options:?}"));
        let source = source.finalize();

        let mut content = blake3::Hasher::new();
        content.update(source.as_bytes());
        add_text(&mut content, env!("CARGO_PKG_VERSION"));
        for file in files {
            add_text(&mut content, &canonical(file).to_string_lossy());
            add_text(&mut content, &file_state(file));
        }
        Self {
            source: source.to_hex()[..16].to_owned(),
            content: content.finalize().to_hex()[..32].to_owned(),
        }
    }

    /// The entry's file name: `{source}-{content}.arrow`.
    pub(crate) fn file_name(&self) -> String {
        format!("{}-{}.arrow", self.source, self.content)
    }
}

/// Length-prefixed, so that `("ab", "c")` and `("a", "bc")` hash differently.
fn add_text(hasher: &mut blake3::Hasher, text: &str) {
    hasher.update(&(text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Size, modification time and (Unix) inode and change time, as text.
fn file_state(path: &Path) -> String {
    let metadata = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return format!("unreadable: {:?}", e.kind()),
    };
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let extra = {
        use std::os::unix::fs::MetadataExt;
        // A rewrite within one mtime tick, or a file swapped in by rename, still changes these.
        format!(
            " {} {} {}",
            metadata.ino(),
            metadata.ctime(),
            metadata.ctime_nsec()
        )
    };
    #[cfg(not(unix))]
    let extra = String::new();
    format!("{} {modified}{extra}", metadata.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_options_and_file_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.parquet");
        fs::write(&file, b"one").expect("write");
        let files = [file.clone()];
        let options = ReadOptions::default();
        let key = CacheKey::new(dir.path(), &files, &options);
        assert_eq!(key, CacheKey::new(dir.path(), &files, &options));
        assert!(key.file_name().starts_with(&key.source));

        let limited = ReadOptions {
            limit: Some(3),
            ..ReadOptions::default()
        };
        let other = CacheKey::new(dir.path(), &files, &limited);
        assert_ne!(other.source, key.source);

        fs::write(&file, b"longer").expect("rewrite");
        let changed = CacheKey::new(dir.path(), &files, &options);
        assert_eq!(changed.source, key.source);
        assert_ne!(changed.content, key.content);
    }
}
