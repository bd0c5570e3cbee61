//! Shared test helpers: the demo MNIST digits and the 10-NN label accuracy.
//!
//! A tiny IDX reader lives here instead of a dependency on `loupe-data`, so that the engine's
//! tests need nothing but the engine.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::Read;
use std::path::PathBuf;

fn asset(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets")
        .join(name)
}

fn gunzip(name: &str) -> Vec<u8> {
    let file = std::fs::File::open(asset(name)).expect("demo asset present");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .expect("valid gzip");
    bytes
}

fn be_u32(b: &[u8], at: usize) -> usize {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// The first `limit` MNIST test digits: pixels scaled to [0, 1] (`N × 784`) and labels.
pub fn mnist(limit: usize) -> (Vec<f32>, Vec<u8>) {
    let images = gunzip("t10k-images.idx3-ubyte.gz");
    let labels = gunzip("t10k-labels.idx1-ubyte.gz");
    assert_eq!(&images[..4], &[0, 0, 8, 3], "IDX image magic");
    assert_eq!(&labels[..4], &[0, 0, 8, 1], "IDX label magic");
    let n = be_u32(&images, 4).min(limit);
    let dim = be_u32(&images, 8) * be_u32(&images, 12);
    let pixels = images[16..16 + n * dim]
        .iter()
        .map(|&p| f32::from(p) / 255.0)
        .collect();
    (pixels, labels[8..8 + n].to_vec())
}

/// `n` of the 10,000 test digits drawn without replacement by a seeded shuffle: a
/// representative sample (the first digits of the file are a harder-than-average slice).
pub fn mnist_sample(n: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let (pixels, labels) = mnist(usize::MAX);
    let dim = pixels.len() / labels.len();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    // Fisher–Yates with a splitmix64 stream: fixed, dependency-free and reproducible.
    let mut state = seed;
    for i in (1..order.len()).rev() {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        order.swap(i, (z % (i as u64 + 1)) as usize);
    }
    order.truncate(n);
    let sample_pixels = order
        .iter()
        .flat_map(|&r| pixels[r * dim..(r + 1) * dim].iter().copied())
        .collect();
    (sample_pixels, order.iter().map(|&r| labels[r]).collect())
}

/// Leave-one-out accuracy of a majority vote among each point's 10 nearest neighbours in the
/// 2-D layout (ties go to the label of the nearest tied neighbour).
pub fn knn_label_accuracy(positions: &[f32], labels: &[u8]) -> f64 {
    let graph =
        loupe_knn::exact_knn(positions, 2, 10, loupe_knn::Metric::Euclidean).expect("2-D kNN");
    let correct = (0..labels.len())
        .filter(|&i| {
            let nbrs = graph.neighbors(i);
            let mut votes = [0_usize; 256];
            for &j in nbrs {
                votes[labels[j as usize] as usize] += 1;
            }
            let best = votes.iter().copied().max().unwrap_or(0);
            let winner = nbrs
                .iter()
                .map(|&j| labels[j as usize])
                .find(|&l| votes[l as usize] == best);
            winner == Some(labels[i])
        })
        .count();
    correct as f64 / labels.len() as f64
}
