//! Truncated, corrupted and random bytes of every format: always a typed error naming the
//! file (or, where the damage happens to leave a readable file, a dataset) — never a panic.

#[allow(
    dead_code,
    reason = "each test crate uses a different subset of the helpers"
)]
mod common;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array};
use common::{
    batch, f32_le, f32_rows, npy, write_ipc_file, write_ipc_stream, write_npz, write_parquet,
};
use loupe_data::{DataError, ReadOptions, read_file};

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Files decoded by third-party libraries (parquet, arrow-ipc) that can still panic deep
/// inside on bit flips the crate's own checks cannot see (a level stream in a Parquet page, an
/// offsets buffer whose length is not a whole number of offsets); `read_file` catches those
/// and returns `DecoderPanic`. The default rounds here never reach one, but
/// `LOUPE_FUZZ_ROUNDS=5000` does. Everything this crate decodes itself must never panic.
const UPSTREAM_DECODERS: [&str; 4] = ["v.parquet", "v.arrow", "v.feather", "v.arrows"];

/// Reads `bytes` saved as `name`; an error must be typed and name the file, and only an
/// upstream decoder may have panicked.
fn read_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), DataError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    match read_file(&path, &ReadOptions::default()) {
        Ok(_) => Ok(()),
        Err(err) => {
            assert!(
                !matches!(err, DataError::DecoderPanic { .. }) || UPSTREAM_DECODERS.contains(&name),
                "{name} ({} bytes) panicked: {err}",
                bytes.len()
            );
            assert_eq!(err.path(), path);
            assert!(err.to_string().contains(name), "{err}");
            Err(err)
        }
    }
}

/// One small valid file of every format, as `(file name, bytes)`.
fn valid_files(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    let rows: Vec<Vec<f32>> = (0..12).map(|i| vec![i as f32, 0.5, -1.0, 2.0]).collect();
    let ids: ArrayRef = Arc::new(Int64Array::from((0..12).collect::<Vec<i64>>()));
    let table = batch(vec![("id", Arc::clone(&ids)), ("emb", f32_rows(&rows))]);
    let read_back = |name: &str| std::fs::read(dir.join(name)).expect("read back");

    write_parquet(
        &dir.join("v.parquet"),
        vec![("id", ids), ("emb", f32_rows(&rows))],
        5,
    );
    write_ipc_file(&dir.join("v.arrow"), std::slice::from_ref(&table), false);
    write_ipc_file(&dir.join("v.feather"), std::slice::from_ref(&table), true);
    write_ipc_stream(&dir.join("v.arrows"), &[table]);
    let vectors = npy("<f4", false, &[12, 4], &f32_le(&rows), 1);
    let labels = npy("|u1", false, &[12], &[3; 12], 1);
    let members = [("embeddings", vectors.clone()), ("labels", labels)];
    write_npz(&dir.join("stored.npz"), &members, false);
    write_npz(&dir.join("deflated.npz"), &members, true);
    let csv: String = std::iter::once("id,emb,p1,p2\n".to_owned())
        .chain((0..12).map(|i| format!("{i},\"[{i}, 0.5, -1]\",{i},2\n")))
        .collect();
    let mut idx = vec![0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2];
    idx.extend(0..12_u8);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&idx).expect("gzip");

    vec![
        ("v.parquet", read_back("v.parquet")),
        ("v.arrow", read_back("v.arrow")),
        ("v.feather", read_back("v.feather")),
        ("v.arrows", read_back("v.arrows")),
        ("v.npy", vectors),
        ("stored.npz", read_back("stored.npz")),
        ("deflated.npz", read_back("deflated.npz")),
        ("v.csv", csv.into_bytes()),
        ("v-images-idx3-ubyte", idx),
        ("v-images-idx3-ubyte.gz", gz.finish().expect("gzip")),
    ]
}

#[test]
fn valid_fixtures_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in valid_files(dir.path()) {
        read_bytes(dir.path(), name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn every_truncation() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in valid_files(dir.path()) {
        let step = (bytes.len() / 97).max(1);
        for len in (0..bytes.len()).step_by(step).chain(0..bytes.len().min(24)) {
            let _ = read_bytes(dir.path(), name, &bytes[..len]);
        }
    }
}

#[test]
fn scrambled_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    // `LOUPE_FUZZ_ROUNDS=5000 cargo test --test garbage` searches harder.
    let rounds = std::env::var("LOUPE_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(60);
    for (name, bytes) in valid_files(dir.path()) {
        for round in 0..rounds {
            let mut damaged = bytes.clone();
            // Leave the magic alone half the time, so damage reaches past the sniffing.
            let start = if round % 2 == 0 {
                8.min(damaged.len())
            } else {
                0
            };
            for _ in 0..=round % 6 {
                let at = start + noise.below(damaged.len() - start);
                damaged[at] ^= (noise.next() as u8) | 1;
            }
            let _ = read_bytes(dir.path(), name, &damaged);
        }
    }
}

/// Which error a case must give.
type Expect = fn(&DataError) -> bool;

#[test]
fn random_bytes_behind_each_magic_are_typed_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut noise = Noise(42);
    let garbage: Vec<u8> = (0..3000).map(|_| noise.next() as u8).collect();
    let with = |magic: &[u8]| [magic, &garbage].concat();
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("g.parquet", with(b"PAR1"), |e| {
            matches!(e, DataError::Parquet { .. })
        }),
        ("g.arrow", with(b"ARROW1\0\0"), |e| {
            matches!(e, DataError::Ipc { .. })
        }),
        ("g.arrows", with(&[0xff; 4]), |e| {
            matches!(e, DataError::Ipc { .. })
        }),
        ("g.npy", with(b"\x93NUMPY"), |e| {
            matches!(e, DataError::Npy { .. })
        }),
        ("g.npz", with(b"PK\x03\x04"), |e| {
            matches!(e, DataError::Zip { .. })
        }),
        ("g-images-idx3-ubyte", with(&[0x1f, 0x8b]), |e| {
            matches!(e, DataError::InvalidIdx { .. })
        }),
        ("g.dat", garbage.clone(), |e| {
            matches!(e, DataError::UnknownFormat { .. })
        }),
        // Extensions alone, no magic: the format's own explanation.
        ("h.parquet", garbage.clone(), |e| {
            matches!(e, DataError::Parquet { .. })
        }),
        ("h.npy", garbage.clone(), |e| {
            matches!(e, DataError::Npy { .. })
        }),
        ("h.npz", garbage.clone(), |e| {
            matches!(e, DataError::Zip { .. })
        }),
        ("h.feather", garbage.clone(), |e| {
            matches!(e, DataError::Ipc { .. })
        }),
        ("h.csv", garbage.clone(), |e| {
            matches!(
                e,
                DataError::Csv { .. } | DataError::NoRows { .. } | DataError::NoVectorColumn { .. }
            )
        }),
    ];
    for (name, bytes, expected) in cases {
        let err = read_bytes(dir.path(), name, &bytes).expect_err(name);
        assert!(expected(&err), "{name}: {err:?}");
    }
}
