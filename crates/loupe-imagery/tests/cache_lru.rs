//! The disk cache on its own: LRU eviction order, atomic writes, what it refuses.

use std::time::Duration;

use loupe_imagery::{CacheKey, ChipCache, ChipError, ChipSpec, Outline};

fn key(i: u32) -> CacheKey {
    let outline = Outline::point(f64::from(i), 0.0).expect("valid point");
    CacheKey::for_chip("test", &ChipSpec::default(), &outline)
}

/// A "PNG" of exactly `len` bytes: the cache only sniffs the signature.
fn png(len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.resize(len, 7);
    b
}

/// Lets the file clock move on, so access order is visible in modification times.
fn tick() {
    std::thread::sleep(Duration::from_millis(30));
}

#[test]
fn least_recently_used_entries_are_evicted_first() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ChipCache::open(dir.path(), 3_500).unwrap();
    let (a, b, c, d, e) = (key(1), key(2), key(3), key(4), key(5));
    for k in [&a, &b, &c] {
        cache.put(k, &png(1_000)).unwrap();
        tick();
    }
    assert_eq!(cache.usage_bytes().unwrap(), 3_000);
    // Reading A makes B the least recently used.
    assert!(cache.get(&a).unwrap().is_some());
    tick();
    cache.put(&d, &png(1_000)).unwrap();
    assert!(
        cache.get(&b).unwrap().is_none(),
        "B was least recently used"
    );
    tick();
    // Now A (read before D was written) is the oldest; reading C keeps it.
    assert!(cache.get(&c).unwrap().is_some());
    tick();
    cache.put(&e, &png(1_000)).unwrap();
    assert!(
        cache.get(&a).unwrap().is_none(),
        "A was least recently used"
    );
    for k in [&c, &d, &e] {
        assert!(cache.get(k).unwrap().is_some());
    }
    assert_eq!(cache.usage_bytes().unwrap(), 3_000);
}

#[test]
fn a_new_entry_larger_than_the_limit_evicts_the_rest_but_stays() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ChipCache::open(dir.path(), 1_000).unwrap();
    cache.put(&key(1), &png(500)).unwrap();
    tick();
    let path = cache.put(&key(2), &png(2_000)).unwrap();
    assert!(path.exists());
    assert!(cache.get(&key(1)).unwrap().is_none());
    // The explicit evict then removes it too.
    assert_eq!(cache.evict().unwrap(), 2_000);
    assert_eq!(cache.usage_bytes().unwrap(), 0);
}

#[test]
fn keeps_the_real_format_and_refuses_non_images() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ChipCache::open(dir.path().join("nested/chips"), 1 << 20).unwrap();
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];
    let p = cache.put(&key(1), &jpeg).unwrap();
    assert_eq!(
        p.file_name().unwrap().to_string_lossy(),
        format!("{}.jpg", key(1).hex())
    );
    let webp = b"RIFF\x04\0\0\0WEBPVP8 ";
    let p = cache.put(&key(2), webp).unwrap();
    assert_eq!(p.extension().unwrap(), "webp");
    let got = cache.get(&key(2)).unwrap().unwrap();
    assert_eq!(got.bytes, webp);
    let e = cache.put(&key(3), b"{\"message\":\"nope\"}").unwrap_err();
    assert!(matches!(e, ChipError::NotAnImage { .. }), "{e:?}");
    // Nothing but the two entries: no temp files, no entry for key 3.
    let mut names: Vec<String> = std::fs::read_dir(cache.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want = vec![
        format!("{}.jpg", key(1).hex()),
        format!("{}.webp", key(2).hex()),
    ];
    want.sort();
    assert_eq!(names, want);
}

#[test]
fn a_corrupt_entry_is_a_miss_and_foreign_files_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ChipCache::open(dir.path(), 10).unwrap();
    std::fs::write(
        cache.dir().join(format!("{}.png", key(1).hex())),
        b"not a png",
    )
    .unwrap();
    std::fs::write(cache.dir().join("README.txt"), vec![b'x'; 100]).unwrap();
    assert!(cache.get(&key(1)).unwrap().is_none());
    assert!(!cache.dir().join(format!("{}.png", key(1).hex())).exists());
    cache.evict().unwrap();
    assert!(cache.dir().join("README.txt").exists());
}

#[test]
fn default_cache_dir_ends_in_loupe_chips() {
    if let Some(d) = loupe_imagery::default_cache_dir() {
        assert!(d.ends_with("loupe/chips"), "{}", d.display());
    }
}
