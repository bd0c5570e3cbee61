//! Mini-batch k-means (Sculley 2010, "Web-scale k-means clustering").
//!
//! Each step draws a small batch of rows, assigns them to the current centroids, and moves
//! every centroid towards the mean of its batch rows with a per-centroid learning rate
//! `1 / (rows it has absorbed so far)`, so each centroid is the running mean of every row
//! ever assigned to it. A step costs `batch × k × D` instead of `N × k × D`; the result is
//! then polished by a few full Lloyd iterations (see [`crate::lloyd`]).

use rand::Rng;
use rand::seq::index;
use rand_chacha::ChaCha8Rng;

use crate::MiniBatchParams;
use crate::assign::{Centres, assign};
use crate::init::kmeans_plus_plus;

/// The centroids after the batches, and how many batches ran.
pub(crate) fn run(
    data: &[f32],
    dim: usize,
    k: usize,
    max_passes: usize,
    params: MiniBatchParams,
    rng: &mut ChaCha8Rng,
) -> (Vec<f32>, usize) {
    let n = data.len() / dim;
    let row = |i: usize| &data[i * dim..(i + 1) * dim];
    // Seed on a random subset, as scikit-learn does: three batches (at least 3k rows).
    let init_size = (3 * params.batch_size).max(3 * k).min(n);
    let subset: Vec<f32> = index::sample(rng, n, init_size)
        .into_iter()
        .flat_map(row)
        .copied()
        .collect();
    let mut centroids = kmeans_plus_plus(&subset, dim, k, rng);

    let batch = params.batch_size.min(n);
    let max_steps = max_passes.saturating_mul(n.div_ceil(batch));
    // Exponentially weighted average of the per-row batch inertia, over about half a pass.
    let alpha = (2.0 * batch as f64 / (n as f64 + 1.0)).min(1.0);
    let (mut smoothed, mut best, mut stale) = (f64::NAN, f64::INFINITY, 0);
    let mut absorbed = vec![0.0_f64; k];
    let mut rows = vec![0.0_f32; batch * dim];
    let (mut labels, mut dist) = (vec![0_u32; batch], vec![0.0_f32; batch]);
    let mut sums = vec![0.0_f64; k * dim];
    let mut counts = vec![0_usize; k];
    let mut steps = 0;
    while steps < max_steps {
        steps += 1;
        for out in rows.chunks_exact_mut(dim) {
            out.copy_from_slice(row(rng.random_range(0..n)));
        }
        let pass = assign(
            &rows,
            &Centres::new(&centroids, dim),
            &mut labels,
            &mut dist,
        );

        sums.fill(0.0);
        counts.fill(0);
        for (x, &l) in rows.chunks_exact(dim).zip(&labels) {
            let l = l as usize;
            counts[l] += 1;
            for (s, &v) in sums[l * dim..(l + 1) * dim].iter_mut().zip(x) {
                *s += f64::from(v);
            }
        }
        for (c, &count) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            absorbed[c] += count as f64;
            let rate = 1.0 / absorbed[c];
            let centroid = &mut centroids[c * dim..(c + 1) * dim];
            for (v, &s) in centroid.iter_mut().zip(&sums[c * dim..(c + 1) * dim]) {
                // c ← c + (Σx − n·c) / absorbed: the running mean of everything absorbed.
                *v = (f64::from(*v) + (s - count as f64 * f64::from(*v)) * rate) as f32;
            }
        }

        let per_row = pass.inertia / batch as f64;
        smoothed = if smoothed.is_nan() {
            per_row
        } else {
            smoothed + alpha * (per_row - smoothed)
        };
        if smoothed < best {
            (best, stale) = (smoothed, 0);
        } else {
            stale += 1;
            if stale >= params.max_no_improvement {
                break;
            }
        }
    }
    (centroids, steps)
}
