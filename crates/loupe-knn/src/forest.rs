//! Random-projection trees: cheap partitions of the points into small leaves of nearby points.
//!
//! Each tree splits the points recursively at the median of their projections onto the
//! difference of two random points (the direction Annoy and pynndescent use), until every
//! leaf holds at most `max_leaf` points. Splitting at the median rather than the midpoint
//! keeps the tree balanced, so every leaf holds more than `max_leaf / 2` points: with
//! `max_leaf ≥ 2(k + 1)` a leaf always offers each of its points `k` neighbours, and the
//! brute-force join inside leaves has predictable cost (Dasgupta & Freund 2008, "Random
//! projection trees and low dimensional manifolds").

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One tree's partition of the points into leaves.
#[derive(Debug, Clone)]
pub(crate) struct Leaves {
    /// Every point index once, leaf after leaf.
    pub(crate) order: Vec<u32>,
    /// Leaf `l` is `order[bounds[l]..bounds[l + 1]]`.
    pub(crate) bounds: Vec<usize>,
}

impl Leaves {
    /// The leaves as ranges of [`Self::order`].
    pub(crate) fn ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        self.bounds.windows(2).map(|w| w[0]..w[1])
    }
}

/// Tries at finding two distinct points before falling back to a random direction (only
/// matters when a node is full of duplicates).
const DIRECTION_TRIES: usize = 4;

/// Builds tree number `tree` of the forest for `seed`; the result depends on nothing else
/// (not on other trees, nor on the thread that builds it).
pub(crate) fn build_tree(
    data: &[f32],
    dim: usize,
    max_leaf: usize,
    seed: u64,
    tree: u64,
) -> Leaves {
    let n = data.len() / dim;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(tree);
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut bounds = vec![0];
    let mut keyed: Vec<(f32, u32)> = Vec::with_capacity(n);
    let mut direction = vec![0.0_f32; dim];
    // Depth-first, left child first, so leaves come out in `order`'s order.
    let mut stack = Vec::with_capacity(64);
    stack.push(0..n);
    while let Some(range) = stack.pop() {
        let len = range.len();
        if len <= max_leaf.max(1) {
            bounds.push(range.end);
            continue;
        }
        let node = &mut order[range.clone()];
        random_direction(data, dim, node, &mut rng, &mut direction);
        keyed.clear();
        keyed.extend(node.iter().map(|&i| {
            let row = &data[i as usize * dim..(i as usize + 1) * dim];
            (dot(row, &direction), i)
        }));
        let mid = len / 2;
        keyed.select_nth_unstable_by(mid, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (slot, &(_, i)) in node.iter_mut().zip(&keyed) {
            *slot = i;
        }
        stack.push(range.start + mid..range.end);
        stack.push(range.start..range.start + mid);
    }
    Leaves { order, bounds }
}

/// The difference of two random points of the node; a random direction when they coincide.
fn random_direction(
    data: &[f32],
    dim: usize,
    node: &[u32],
    rng: &mut ChaCha8Rng,
    direction: &mut [f32],
) {
    let row = |i: u32| &data[i as usize * dim..(i as usize + 1) * dim];
    for _ in 0..DIRECTION_TRIES {
        let a = node[rng.random_range(0..node.len())];
        let b = node[rng.random_range(0..node.len())];
        let mut norm = 0.0_f32;
        for ((d, &x), &y) in direction.iter_mut().zip(row(a)).zip(row(b)) {
            *d = x - y;
            norm += *d * *d;
        }
        if norm > 0.0 {
            return;
        }
    }
    for d in direction.iter_mut() {
        *d = rng.random_range(-1.0..1.0);
    }
}

#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0_f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (a8.remainder(), b8.remainder());
    for (x, y) in a8.zip(b8) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f32 = ar.iter().zip(br).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_partition_the_points_and_are_balanced() {
        let data: Vec<f32> = (0..1_000 * 3)
            .map(|v| ((v * 7919) % 1_000) as f32)
            .collect();
        let leaves = build_tree(&data, 3, 64, 5, 2);
        let mut seen = leaves.order.clone();
        seen.sort_unstable();
        assert!(seen.iter().enumerate().all(|(i, &j)| i == j as usize));
        assert!(leaves.ranges().all(|r| r.len() > 32 && r.len() <= 64));
        assert_eq!(leaves.bounds.last(), Some(&1_000));
    }

    #[test]
    fn duplicates_still_split() {
        let leaves = build_tree(&[1.0; 500 * 2], 2, 40, 0, 0);
        assert!(leaves.ranges().all(|r| r.len() > 20 && r.len() <= 40));
    }
}
