//! Shared test data: Gaussian blobs.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` points in `dim` dimensions around `k` centres at least `separation` apart (unit
/// Gaussian noise), and each point's true blob.
pub fn blobs(n: usize, dim: usize, k: usize, separation: f32, seed: u64) -> (Vec<f32>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut centres: Vec<Vec<f32>> = Vec::new();
    while centres.len() < k {
        let c: Vec<f32> = (0..dim).map(|_| rng.random_range(-30.0..30.0)).collect();
        let far = centres.iter().all(|o| {
            o.iter()
                .zip(&c)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f32>()
                >= separation * separation
        });
        if far {
            centres.push(c);
        }
    }
    let mut data = Vec::with_capacity(n * dim);
    let mut truth = Vec::with_capacity(n);
    for i in 0..n {
        let blob = i % k;
        truth.push(blob);
        for &c in &centres[blob] {
            data.push(c + gaussian(&mut rng));
        }
    }
    (data, truth)
}

/// A standard normal draw (Box–Muller).
pub fn gaussian(rng: &mut ChaCha8Rng) -> f32 {
    let u: f32 = rng.random_range(f32::EPSILON..1.0);
    let v: f32 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
}

/// True when `labels` is `truth` up to renaming the clusters.
pub fn same_partition(labels: &[u32], truth: &[usize]) -> bool {
    let mut forward = std::collections::HashMap::new();
    let mut backward = std::collections::HashMap::new();
    labels
        .iter()
        .zip(truth)
        .all(|(&l, &t)| *forward.entry(l).or_insert(t) == t && *backward.entry(t).or_insert(l) == l)
}
