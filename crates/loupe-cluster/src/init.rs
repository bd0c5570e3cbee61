//! Seeding: greedy k-means++.
//!
//! k-means++ (Arthur & Vassilvitskii 2007, "k-means++: the advantages of careful seeding")
//! picks the first centre uniformly and each next one with probability proportional to its
//! squared distance to the nearest centre chosen so far, which makes the expected inertia
//! O(log k)-competitive before Lloyd even starts. The greedy variant, described in the same
//! paper's experiments and used by scikit-learn, draws `2 + ⌊ln k⌋` candidates per step and
//! keeps the one that lowers the total potential most.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::assign::{Centres, ROWS_PER_TASK, squared_distance};

/// `k` centres (`k × dim`, row-major) chosen among the rows of `data` by greedy k-means++.
///
/// Deterministic for a given `rng` state and independent of the thread count. When every
/// row already coincides with a chosen centre (fewer distinct rows than `k`), further
/// centres are drawn uniformly.
pub(crate) fn kmeans_plus_plus(
    data: &[f32],
    dim: usize,
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f32> {
    let n = data.len() / dim;
    let row = |i: usize| &data[i * dim..(i + 1) * dim];
    let trials = 2 + (k as f64).ln() as usize;
    let first = rng.random_range(0..n);
    let mut centres = row(first).to_vec();
    let mut closest: Vec<f32> = data
        .par_chunks(dim)
        .map(|x| squared_distance(x, row(first)))
        .collect();
    let mut cumulative = vec![0.0_f64; n];
    for _ in 1..k {
        let mut total = 0.0;
        for (c, &d) in cumulative.iter_mut().zip(&closest) {
            total += f64::from(d);
            *c = total;
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                if total > 0.0 {
                    let u = rng.random::<f64>() * total;
                    cumulative.partition_point(|&c| c <= u).min(n - 1)
                } else {
                    rng.random_range(0..n)
                }
            })
            .collect();
        let best = best_candidate(data, dim, &closest, &candidates);
        let chosen = row(best);
        closest
            .par_chunks_mut(ROWS_PER_TASK)
            .zip(data.par_chunks(ROWS_PER_TASK * dim))
            .for_each(|(closest, block)| {
                for (c, x) in closest.iter_mut().zip(block.chunks_exact(dim)) {
                    *c = c.min(squared_distance(x, chosen));
                }
            });
        centres.extend_from_slice(chosen);
    }
    centres
}

/// The candidate row whose addition leaves the smallest potential `Σ min(closest, d²)`; the
/// first on ties.
fn best_candidate(data: &[f32], dim: usize, closest: &[f32], candidates: &[usize]) -> usize {
    let rows: Vec<f32> = candidates
        .iter()
        .flat_map(|&i| &data[i * dim..(i + 1) * dim])
        .copied()
        .collect();
    let prepared = Centres::new(&rows, dim);
    let m = candidates.len();
    // Per block of rows, the potential each candidate would leave there.
    let parts: Vec<Vec<f64>> = data
        .par_chunks(ROWS_PER_TASK * dim)
        .zip(closest.par_chunks(ROWS_PER_TASK))
        .map_init(
            || vec![0.0_f32; ROWS_PER_TASK * m],
            |buffer, (block, closest)| {
                prepared.squared_distances(block, buffer);
                let mut sums = vec![0.0_f64; m];
                for (&c, d) in closest.iter().zip(buffer.chunks_exact(m)) {
                    for (sum, &d) in sums.iter_mut().zip(d) {
                        *sum += f64::from(c.min(d));
                    }
                }
                sums
            },
        )
        .collect();
    let potential = |t: usize| -> f64 { parts.iter().map(|p| p[t]).sum() };
    let mut best = (candidates[0], f64::INFINITY);
    for (t, &c) in candidates.iter().enumerate() {
        let p = potential(t);
        if p < best.1 {
            best = (c, p);
        }
    }
    best.0
}
