//! The chip disk cache: one file per chip, named by a hash of everything that determines the
//! picture (never the token), written atomically, evicted least-recently-used first.
//!
//! Recency is the file's modification time: a read touches it, so several processes (the app
//! and the CLI) share one cache without an index file to keep consistent.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::{ChipError, ChipSpec, ImageFormat, Outline};

/// Default size limit: 512 MiB, about 2,000 Mapbox chips of 512 × 512.
pub const DEFAULT_CACHE_MAX_BYTES: u64 = 512 * 1024 * 1024;

/// Temp files older than this are leftovers of a crashed process and are removed on eviction.
const STALE_TEMP: Duration = Duration::from_hours(1);

/// Prefix of in-progress writes (what `tempfile` uses); never read as an entry.
const TEMP_PREFIX: &str = ".tmp";

/// The platform cache directory plus `loupe/chips` (e.g. `~/.cache/loupe/chips` on Linux);
/// `None` when the platform has none.
pub fn default_cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("loupe").join("chips"))
}

/// Identity of a chip: a 128-bit FNV-1a hash of provider/style, size, stroke, padding and
/// geometry. FNV because it is stable across Rust releases and platforms (`DefaultHasher` is
/// not), and 128 bits so that collisions are out of the question for any cache size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey(u128);

impl CacheKey {
    /// Key for `outline` drawn with `spec` by the source named `source_id` (provider id or
    /// Mapbox API base + style; the token is deliberately not part of it). The CLI can use it
    /// to ask the cache about a row without fetching.
    pub fn for_chip(source_id: &str, spec: &ChipSpec, outline: &Outline) -> Self {
        let mut h = Fnv128::new();
        h.str("loupe-imagery chip v1");
        h.str(source_id);
        h.u32(spec.width_px);
        h.u32(spec.height_px);
        h.u32(spec.scale());
        h.u32(spec.padding());
        h.bytes(&spec.stroke.color);
        for v in [
            spec.stroke.width_px,
            spec.stroke.opacity,
            spec.stroke.fill_opacity,
        ] {
            h.u32(v.to_bits());
        }
        h.u32(outline.rings().len() as u32);
        for ring in outline.rings() {
            h.u32(ring.len() as u32);
            for &[lon, lat] in ring {
                h.bytes(&lon.to_bits().to_le_bytes());
                h.bytes(&lat.to_bits().to_le_bytes());
            }
        }
        Self(h.0)
    }

    /// 32 lowercase hex digits, the cache file's stem.
    pub fn hex(&self) -> String {
        format!("{:032x}", self.0)
    }
}

/// FNV-1a, 128-bit (Fowler, Noll, Vo; parameters from the IETF draft-eastlake-fnv).
struct Fnv128(u128);

impl Fnv128 {
    fn new() -> Self {
        Self(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d)
    }
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u128::from(b);
            self.0 = self
                .0
                .wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
        }
    }
    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.bytes(s.as_bytes());
    }
}

/// A chip read back from the cache.
#[derive(Clone, Debug)]
pub struct CachedChip {
    /// The encoded image, exactly as stored.
    pub bytes: Vec<u8>,
    /// Its format (from the extension, checked against the magic bytes).
    pub format: ImageFormat,
    /// The file.
    pub path: PathBuf,
}

/// A directory of chips with a total-size limit.
#[derive(Clone, Debug)]
pub struct ChipCache {
    dir: PathBuf,
    max_bytes: u64,
}

impl ChipCache {
    /// Opens (creating if needed) the cache in `dir` with a size limit in bytes.
    pub fn open(dir: impl Into<PathBuf>, max_bytes: u64) -> Result<Self, ChipError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|e| ChipError::cache("create directory", &dir, e))?;
        Ok(Self { dir, max_bytes })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The size limit in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Where the chip for `key` in `format` lives.
    pub fn path_for(&self, key: &CacheKey, format: ImageFormat) -> PathBuf {
        self.dir
            .join(format!("{}.{}", key.hex(), format.extension()))
    }

    /// The cached chip for `key`, marking it most recently used; `None` on a miss. A file whose
    /// bytes are not the image its name says is removed and reported as a miss.
    pub fn get(&self, key: &CacheKey) -> Result<Option<CachedChip>, ChipError> {
        for format in ImageFormat::ALL {
            let path = self.path_for(key, format);
            let bytes = match fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(ChipError::cache("read", path, e)),
            };
            if ImageFormat::sniff(&bytes) != Some(format) {
                log::warn!("removing corrupt cache entry {}", path.display());
                let _ = fs::remove_file(&path);
                continue;
            }
            touch(&path);
            return Ok(Some(CachedChip {
                bytes,
                format,
                path,
            }));
        }
        Ok(None)
    }

    /// Stores `bytes` (which must be a JPEG, PNG or WebP) under `key`: written to a temp file
    /// in the cache directory and renamed into place, so readers never see a partial file and a
    /// failure leaves nothing behind. Then evicts down to the size limit, sparing this entry.
    pub fn put(&self, key: &CacheKey, bytes: &[u8]) -> Result<PathBuf, ChipError> {
        let Some(format) = ImageFormat::sniff(bytes) else {
            return Err(ChipError::NotAnImage {
                host: "cache".to_owned(),
                detail: crate::sniff::describe_body(bytes),
            });
        };
        let path = self.path_for(key, format);
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.dir)
            .map_err(|e| ChipError::cache("create temp file", &self.dir, e))?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.flush())
            .map_err(|e| ChipError::cache("write", tmp.path().to_owned(), e))?;
        // On failure the `PersistError` drops the temp file, which deletes it.
        tmp.persist(&path)
            .map_err(|e| ChipError::cache("rename", &path, e.error))?;
        self.evict_sparing(Some(&path))?;
        Ok(path)
    }

    /// Total bytes of the entries.
    pub fn usage_bytes(&self) -> Result<u64, ChipError> {
        Ok(self.entries()?.iter().map(|e| e.len).sum())
    }

    /// Removes least-recently-used entries until the cache is within its limit; returns the
    /// bytes freed.
    pub fn evict(&self) -> Result<u64, ChipError> {
        self.evict_sparing(None)
    }

    fn evict_sparing(&self, spare: Option<&Path>) -> Result<u64, ChipError> {
        let mut entries = self.entries()?;
        let mut total: u64 = entries.iter().map(|e| e.len).sum();
        if total <= self.max_bytes {
            return Ok(0);
        }
        entries.sort_by(|a, b| a.used.cmp(&b.used).then_with(|| a.path.cmp(&b.path)));
        let mut freed = 0;
        for e in entries {
            if total <= self.max_bytes {
                break;
            }
            if Some(e.path.as_path()) == spare {
                continue;
            }
            match fs::remove_file(&e.path) {
                Ok(()) => {}
                // Another process got there first.
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(ChipError::cache("evict", e.path, err)),
            }
            total -= e.len;
            freed += e.len;
        }
        Ok(freed)
    }

    /// Every entry file (name `{32 hex}.{ext}`); removes stale temp files on the way.
    fn entries(&self) -> Result<Vec<Entry>, ChipError> {
        let read = fs::read_dir(&self.dir).map_err(|e| ChipError::cache("list", &self.dir, e))?;
        let now = SystemTime::now();
        let mut out = Vec::new();
        for item in read.flatten() {
            let path = item.path();
            let Ok(meta) = item.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            let name = item.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(TEMP_PREFIX) {
                if now.duration_since(used).is_ok_and(|age| age > STALE_TEMP) {
                    let _ = fs::remove_file(&path);
                }
                continue;
            }
            if is_entry_name(&name) {
                out.push(Entry {
                    path,
                    len: meta.len(),
                    used,
                });
            }
        }
        Ok(out)
    }
}

/// One cache file.
struct Entry {
    path: PathBuf,
    len: u64,
    used: SystemTime,
}

/// True for `{32 hex}.{jpg|png|webp}`: other files in the directory are left alone.
fn is_entry_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem.bytes().all(|b| b.is_ascii_hexdigit())
        && ImageFormat::ALL.iter().any(|f| f.extension() == ext)
}

/// Marks a file as just used (best effort: a read-only cache still serves hits).
fn touch(path: &Path) {
    if let Ok(f) = fs::File::options().write(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_depends_on_every_input() {
        let o = Outline::point(1.0, 2.0).unwrap();
        let spec = ChipSpec::default();
        let k = CacheKey::for_chip("a", &spec, &o);
        assert_eq!(k, CacheKey::for_chip("a", &spec, &o));
        assert_ne!(k, CacheKey::for_chip("b", &spec, &o));
        assert_ne!(
            k,
            CacheKey::for_chip("a", &spec, &Outline::point(1.0, 2.000_001).unwrap())
        );
        let mut wide = spec;
        wide.stroke.width_px = 3.0;
        assert_ne!(k, CacheKey::for_chip("a", &wide, &o));
        assert_eq!(k.hex().len(), 32);
        assert!(is_entry_name(&format!("{}.png", k.hex())));
        assert!(!is_entry_name(".tmpabc"));
        assert!(!is_entry_name("notes.txt"));
    }
}
