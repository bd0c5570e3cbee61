//! Layout quality and neighbour-search quality, computed by the same code for every tool.
//!
//! Definitions (as in `REFERENCE.md`):
//! * **kNN recall**: mean fraction of each point's exact `k` nearest neighbours that an
//!   approximate graph found.
//! * **10-NN preservation**: mean fraction of a sampled point's 10 nearest neighbours in the
//!   input space that are also among its 10 nearest in the 2-D layout.
//! * **10-NN label accuracy**: leave-one-out majority vote of a sampled point's 10 nearest
//!   2-D neighbours; a tie goes to the label of the nearest tied neighbour.

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// `count` distinct row indices out of `n` (all of them, in order, when `count ≥ n`), the same
/// for every tool: a seeded sample, sorted.
pub fn sample_points(n: usize, count: usize, seed: u64) -> Vec<usize> {
    if count >= n {
        return (0..n).collect();
    }
    let mut rows = sample(&mut ChaCha8Rng::seed_from_u64(seed), n, count).into_vec();
    rows.sort_unstable();
    rows
}

/// The `k` nearest rows of `data` (`N × dim`) to each query row, excluding the row itself, by
/// brute force in `f64`; `queries.len() × k` indices, nearest first, ties by lower index.
pub fn brute_force_knn(data: &[f32], dim: usize, queries: &[usize], k: usize) -> Vec<u32> {
    let n = data.len() / dim;
    let k = k.min(n.saturating_sub(1));
    queries
        .par_iter()
        .flat_map_iter(|&q| {
            let x = &data[q * dim..(q + 1) * dim];
            // Sorted (distance², index) of the best k so far; insertion keeps it short.
            let mut best: Vec<(f64, u32)> = Vec::with_capacity(k + 1);
            for (j, y) in data.chunks_exact(dim).enumerate() {
                if j == q {
                    continue;
                }
                let d: f64 = x
                    .iter()
                    .zip(y)
                    .map(|(&a, &b)| {
                        let t = f64::from(a) - f64::from(b);
                        t * t
                    })
                    .sum();
                let entry = (d, j as u32);
                if best.len() == k && entry >= best[k - 1] {
                    continue;
                }
                let at = best.partition_point(|e| *e < entry);
                best.insert(at, entry);
                best.truncate(k);
            }
            best.into_iter().map(|(_, j)| j)
        })
        .collect()
}

/// Mean over rows of `|truth_row ∩ found_row| / k`; both `rows × k` (the first `k_truth`
/// columns of `truth` count when it is wider).
pub fn overlap(truth: &[u32], truth_k: usize, found: &[u32], found_k: usize, k: usize) -> f64 {
    let rows = found.len().checked_div(found_k).unwrap_or(0);
    debug_assert!(k <= truth_k && k <= found_k);
    debug_assert_eq!(truth.len() / truth_k.max(1), rows);
    if rows == 0 || k == 0 {
        return f64::NAN;
    }
    let hits: usize = (0..rows)
        .into_par_iter()
        .map(|i| {
            let mut t = truth[i * truth_k..i * truth_k + k].to_vec();
            t.sort_unstable();
            found[i * found_k..i * found_k + k]
                .iter()
                .filter(|j| t.binary_search(j).is_ok())
                .count()
        })
        .sum();
    hits as f64 / (rows * k) as f64
}

/// kNN recall@`exact_k` of an approximate graph (`N × approx_k`, rows sorted by distance,
/// `approx_k ≥ exact_k`; its nearest `exact_k` columns count) against the exact `N × exact_k`.
pub fn knn_recall(exact: &[u32], exact_k: usize, approx: &[u32], approx_k: usize) -> f64 {
    overlap(exact, exact_k, approx, approx_k, exact_k)
}

#[cfg(test)]
/// 10-NN (or `k`-NN) preservation of the `sample` rows between `high` (`N × high_dim`) and the
/// 2-D `layout` (`N × 2`).
pub fn nn_preservation(
    high: &[f32],
    high_dim: usize,
    layout: &[f32],
    sample: &[usize],
    k: usize,
) -> f64 {
    let high_nn = brute_force_knn(high, high_dim, sample, k);
    preservation_from(&high_nn, layout, sample, k)
}

/// [`nn_preservation`] with the input-space neighbours of `sample` already known
/// (`sample.len() × k`), so several layouts can share them.
pub fn preservation_from(high_nn: &[u32], layout: &[f32], sample: &[usize], k: usize) -> f64 {
    let low_nn = brute_force_knn(layout, 2, sample, k);
    let k = low_nn.len().checked_div(sample.len()).unwrap_or(0);
    overlap(high_nn, k, &low_nn, k, k)
}

/// Leave-one-out `k`-NN majority-vote accuracy of `labels` over the `sample` rows of the 2-D
/// `layout`; ties go to the label of the nearest tied neighbour.
pub fn label_accuracy(layout: &[f32], labels: &[u8], sample: &[usize], k: usize) -> f64 {
    let nn = brute_force_knn(layout, 2, sample, k);
    let k = nn.len().checked_div(sample.len()).unwrap_or(0);
    if k == 0 {
        return f64::NAN;
    }
    let correct = sample
        .iter()
        .zip(nn.chunks_exact(k))
        .filter(|&(&i, nbrs)| {
            let mut votes = [0_usize; 256];
            for &j in nbrs {
                votes[usize::from(labels[j as usize])] += 1;
            }
            let best = votes.iter().copied().max().unwrap_or(0);
            let winner = nbrs
                .iter()
                .map(|&j| labels[j as usize])
                .find(|&l| votes[usize::from(l)] == best);
            winner == Some(labels[i])
        })
        .count();
    correct as f64 / sample.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four tight clusters of `per` points in 3-D, far apart, with labels = cluster.
    fn clusters(per: usize) -> (Vec<f32>, Vec<u8>) {
        let mut data = Vec::new();
        let mut labels = Vec::new();
        for c in 0..4_u8 {
            for i in 0..per {
                let base = f32::from(c) * 100.0;
                let t = i as f32 * 0.01;
                data.extend([base + t, base - 2.0 * t, t * t]);
                labels.push(c);
            }
        }
        (data, labels)
    }

    #[test]
    fn brute_force_finds_nearest_first_and_skips_self() {
        let data = [0.0, 0.0, 1.0, 0.0, 3.0, 0.0, 10.0, 0.0];
        assert_eq!(brute_force_knn(&data, 2, &[0, 3], 2), [1, 2, 2, 1]);
        // Ties go to the lower index.
        let line = [0.0_f32, -1.0, 1.0];
        assert_eq!(brute_force_knn(&line, 1, &[0], 1), [1]);
    }

    #[test]
    fn identical_layout_preserves_everything() {
        // A 2-D "input" laid out as itself.
        let (data, _) = clusters(15);
        let layout: Vec<f32> = data.chunks_exact(3).flat_map(|r| [r[0], r[1]]).collect();
        let sample = sample_points(60, 20, 1);
        let p = nn_preservation(&layout, 2, &layout, &sample, 10);
        assert!((p - 1.0).abs() < 1e-12, "{p}");
    }

    #[test]
    fn scrambled_layout_preserves_little() {
        let n = 400;
        let data: Vec<f32> = (0..n).flat_map(|i| [i as f32, 0.0]).collect();
        // A fixed pseudo-random permutation of positions.
        let perm: Vec<usize> = (0..n).map(|i| (i * 157 + 11) % n).collect();
        let layout: Vec<f32> = perm
            .iter()
            .flat_map(|&j| [j as f32, (j * 31 % 17) as f32])
            .collect();
        let sample = sample_points(n, 100, 3);
        let p = nn_preservation(&data, 2, &layout, &sample, 10);
        assert!(p < 0.2, "{p}");
    }

    #[test]
    fn separated_clusters_have_perfect_label_accuracy() {
        let (data, labels) = clusters(20);
        let layout: Vec<f32> = data.chunks_exact(3).flat_map(|r| [r[0], r[1]]).collect();
        let all = sample_points(labels.len(), usize::MAX, 0);
        assert!((label_accuracy(&layout, &labels, &all, 10) - 1.0).abs() < 1e-12);
        // Swapping labels between clusters makes every vote wrong.
        let wrong: Vec<u8> = labels.iter().map(|l| (l + 1) % 4).collect();
        let shuffled: Vec<u8> = (0..labels.len())
            .map(|i| if i % 20 == 0 { wrong[i] } else { labels[i] })
            .collect();
        let acc = label_accuracy(&layout, &shuffled, &all, 10);
        assert!((acc - 0.95).abs() < 1e-12, "{acc}");
    }

    #[test]
    fn label_ties_go_to_the_nearest_tied_neighbour() {
        // Point 0 at x=0; neighbours at 1 (label 1) and 2 (label 2): a 1–1 tie with k = 2.
        let layout = [0.0, 0.0, 1.0, 0.0, 2.0, 0.0];
        let all = [0];
        assert!((label_accuracy(&layout, &[1, 1, 2], &all, 2) - 1.0).abs() < 1e-12);
        assert!(label_accuracy(&layout, &[2, 1, 2], &all, 2).abs() < 1e-12);
    }

    #[test]
    fn recall_counts_shared_neighbours() {
        let exact = [1, 2, 0, 2];
        assert!((knn_recall(&exact, 2, &[2, 1, 0, 2], 2) - 1.0).abs() < 1e-12);
        assert!((knn_recall(&exact, 2, &[2, 3, 3, 4], 2) - 0.25).abs() < 1e-12);
        // A wider graph is scored on its nearest columns only.
        assert!((knn_recall(&exact, 2, &[1, 3, 2, 0, 4, 2], 3) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn samples_are_seeded_sorted_and_distinct() {
        let a = sample_points(1_000, 50, 7);
        assert_eq!(a, sample_points(1_000, 50, 7));
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample_points(5, 10, 0), [0, 1, 2, 3, 4]);
    }
}
