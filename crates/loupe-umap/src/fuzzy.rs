//! The fuzzy simplicial set of the input: each point's neighbour distances turned into
//! membership strengths `exp(−max(0, d − ρ)/σ)` (McInnes et al. 2018, §3.1, definition 8 and
//! algorithm 3), combined over all points by a fuzzy union.
//!
//! Definitions and constants are umap-learn's `smooth_knn_dist`, `compute_membership_strengths`
//! and `fuzzy_simplicial_set`: the point itself counts as its own nearest neighbour at
//! distance 0, so `n_neighbors` = the search's `k` + 1 and the target is `log2(n_neighbors)`.

use loupe_knn::KnnGraph;
use rayon::prelude::*;

use crate::FuzzyGraph;

/// Accepted error of the bandwidth search: `|Σ_j exp(−max(0, d_j − ρ)/σ) − log2(k)|`
/// (umap-learn's `SMOOTH_K_TOLERANCE`).
pub const SMOOTH_K_TOLERANCE: f64 = 1e-5;
/// Bisection steps of the bandwidth search at most (umap-learn's `n_iter=64`).
pub const SMOOTH_K_STEPS: usize = 64;
/// σ is never below this fraction of the mean neighbour distance (umap-learn's
/// `MIN_K_DIST_SCALE`), so a point whose neighbours all sit at ρ keeps a finite bandwidth.
pub const MIN_K_DIST_SCALE: f64 = 1e-3;

/// Every point's local metric: ρ (distance to the `local_connectivity`-th nearest non-zero
/// neighbour) and σ (the bandwidth).
#[derive(Debug, Clone, PartialEq)]
pub struct LocalMetric {
    /// σ per point.
    pub sigmas: Vec<f32>,
    /// ρ per point.
    pub rhos: Vec<f32>,
}

/// umap-learn's `smooth_knn_dist` on a neighbour graph that excludes each point itself:
/// per point, ρ from the first non-zero distances and σ by bisection so that
/// `Σ_j exp(−max(0, d_j − ρ)/σ) = log2(k + 1)` over its `k` neighbours, within
/// [`SMOOTH_K_TOLERANCE`] after at most [`SMOOTH_K_STEPS`] steps; then the
/// [`MIN_K_DIST_SCALE`] floor. Means of distances include the point's own 0, as in
/// umap-learn, whose neighbour rows start with the point itself.
pub fn smooth_knn_dist(graph: &KnnGraph, local_connectivity: f64) -> LocalMetric {
    let k = graph.k;
    let n = graph.n_points();
    let target = ((k + 1) as f64).log2();
    let columns = (k + 1) as f64;
    // Fixed-size partial sums added in order: the same mean for any thread count.
    let total: f64 = graph
        .distances
        .par_chunks(64 * 1024)
        .map(|c| c.iter().map(|&d| f64::from(d)).sum::<f64>())
        .collect::<Vec<f64>>()
        .iter()
        .sum();
    let mean_all = total / (n as f64 * columns);
    let (sigmas, rhos): (Vec<f32>, Vec<f32>) = (0..n)
        .into_par_iter()
        .map(|i| {
            let dists = graph.neighbor_distances(i);
            let rho = local_rho(dists, local_connectivity);
            let mut sigma = bandwidth(dists, rho, target);
            let floor_base = if rho > 0.0 {
                dists.iter().map(|&d| f64::from(d)).sum::<f64>() / columns
            } else {
                mean_all
            };
            let floor = (MIN_K_DIST_SCALE * floor_base) as f32;
            if sigma < floor {
                sigma = floor;
            }
            (sigma, rho)
        })
        .unzip();
    LocalMetric { sigmas, rhos }
}

/// ρ: the `local_connectivity`-th smallest non-zero distance, interpolated for fractional
/// values; the largest non-zero distance when there are fewer; 0 when all are 0.
fn local_rho(dists: &[f32], local_connectivity: f64) -> f32 {
    let non_zero = || dists.iter().copied().filter(|&d| d > 0.0);
    let count = non_zero().count();
    if count as f64 >= local_connectivity {
        let index = local_connectivity.floor() as usize;
        let fraction = (local_connectivity - index as f64) as f32;
        let nth = |i: usize| non_zero().nth(i).unwrap_or(0.0);
        if index > 0 {
            let mut rho = nth(index - 1);
            if f64::from(fraction) > SMOOTH_K_TOLERANCE {
                rho += fraction * (nth(index) - nth(index - 1));
            }
            rho
        } else {
            fraction * nth(0)
        }
    } else if count > 0 {
        non_zero().fold(0.0, f32::max)
    } else {
        0.0
    }
}

/// The bisection of umap-learn's `smooth_knn_dist`: start at 1, double while too small and
/// unbracketed, then halve the bracket.
fn bandwidth(dists: &[f32], rho: f32, target: f64) -> f32 {
    let (mut lo, mut hi, mut mid) = (0.0_f64, f64::INFINITY, 1.0_f64);
    for _ in 0..SMOOTH_K_STEPS {
        let psum: f64 = dists
            .iter()
            .map(|&d| {
                let excess = d - rho;
                if excess > 0.0 {
                    (-(f64::from(excess) / mid)).exp()
                } else {
                    1.0
                }
            })
            .sum();
        if (psum - target).abs() < SMOOTH_K_TOLERANCE {
            break;
        }
        if psum > target {
            hi = mid;
            mid = f64::midpoint(lo, hi);
        } else {
            lo = mid;
            mid = if hi.is_infinite() {
                mid * 2.0
            } else {
                f64::midpoint(lo, hi)
            };
        }
    }
    mid as f32
}

/// The membership strength of neighbour `j` of a point with local metric (σ, ρ).
fn membership(d: f32, sigma: f32, rho: f32) -> f32 {
    let excess = d - rho;
    if excess <= 0.0 || sigma == 0.0 {
        1.0
    } else {
        (-(f64::from(excess) / f64::from(sigma))).exp() as f32
    }
}

/// The fuzzy simplicial set of a neighbour graph: directed memberships `P` from the local
/// metrics, combined as `mix·(P + Pᵀ − P∘Pᵀ) + (1 − mix)·P∘Pᵀ` (`mix` = 1: the fuzzy union
/// under the product t-norm), zero entries dropped. Symmetric by construction, bit for bit.
pub fn fuzzy_simplicial_set(
    graph: &KnnGraph,
    local: &LocalMetric,
    set_op_mix_ratio: f64,
) -> FuzzyGraph {
    let (n, k) = (graph.n_points(), graph.k);
    // Directed memberships as CSR rows sorted by column.
    let mut directed: Vec<(u32, f32)> = vec![(0, 0.0); n * k];
    directed
        .par_chunks_mut(k.max(1))
        .enumerate()
        .for_each(|(i, row)| {
            for ((slot, &j), &d) in row
                .iter_mut()
                .zip(graph.neighbors(i))
                .zip(graph.neighbor_distances(i))
            {
                *slot = (j, membership(d, local.sigmas[i], local.rhos[i]));
            }
            row.sort_unstable_by_key(|&(j, _)| j);
        });
    // The transpose by counting sort: visiting rows in order leaves every column sorted.
    let mut t_ptr = vec![0_usize; n + 1];
    for &(j, _) in &directed {
        t_ptr[j as usize + 1] += 1;
    }
    for i in 0..n {
        t_ptr[i + 1] += t_ptr[i];
    }
    let mut fill = t_ptr.clone();
    let mut transposed: Vec<(u32, f32)> = vec![(0, 0.0); directed.len()];
    for (i, row) in directed.chunks(k.max(1)).enumerate() {
        for &(j, p) in row {
            transposed[fill[j as usize]] = (i as u32, p);
            fill[j as usize] += 1;
        }
    }
    let mix = set_op_mix_ratio as f32;
    let merge_row = |i: usize, out: &mut Vec<(u32, f32)>| {
        let (mut a, mut b) = (
            directed[i * k..(i + 1) * k].iter().peekable(),
            transposed[t_ptr[i]..t_ptr[i + 1]].iter().peekable(),
        );
        loop {
            let (j, p, q) = match (a.peek(), b.peek()) {
                (Some(&&(ja, pa)), Some(&&(jb, pb))) if ja == jb => {
                    a.next();
                    b.next();
                    (ja, pa, pb)
                }
                (Some(&&(ja, pa)), Some(&&(jb, _))) if ja < jb => {
                    a.next();
                    (ja, pa, 0.0)
                }
                (_, Some(&&(jb, pb))) => {
                    b.next();
                    (jb, 0.0, pb)
                }
                (Some(&&(ja, pa)), None) => {
                    a.next();
                    (ja, pa, 0.0)
                }
                (None, None) => break,
            };
            let product = p * q;
            let w = mix * (p + q - product) + (1.0 - mix) * product;
            if w != 0.0 && j as usize != i {
                out.push((j, w));
            }
        }
    };
    let rows: Vec<Vec<(u32, f32)>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut out = Vec::with_capacity(2 * k);
            merge_row(i, &mut out);
            out
        })
        .collect();
    FuzzyGraph::from_rows(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(k: usize, indices: Vec<u32>, distances: Vec<f32>) -> KnnGraph {
        KnnGraph {
            k,
            indices,
            distances,
        }
    }

    #[test]
    fn calibration_hits_log2_k() {
        // Four points on a line; each has its 3 others as neighbours.
        let g = graph(
            3,
            vec![1, 2, 3, 0, 2, 3, 1, 3, 0, 2, 1, 0],
            vec![1.0, 3.0, 6.0, 1.0, 2.0, 5.0, 2.0, 3.0, 3.0, 3.0, 5.0, 6.0],
        );
        let local = smooth_knn_dist(&g, 1.0);
        assert_eq!(local.rhos, [1.0, 1.0, 2.0, 3.0]);
        for i in 0..4 {
            let s: f64 = g
                .neighbor_distances(i)
                .iter()
                .map(|&d| {
                    (-(f64::from(d - local.rhos[i]).max(0.0)) / f64::from(local.sigmas[i])).exp()
                })
                .sum();
            assert!((s - 2.0).abs() < 1e-4, "point {i}: {s}");
        }
    }

    #[test]
    fn union_is_symmetric_and_drops_self() {
        let g = graph(
            2,
            vec![1, 2, 0, 2, 1, 0],
            vec![1.0, 2.0, 1.0, 1.5, 1.5, 2.0],
        );
        let local = smooth_knn_dist(&g, 1.0);
        let fuzzy = fuzzy_simplicial_set(&g, &local, 1.0);
        for i in 0..3 {
            for (j, w) in fuzzy.row(i) {
                assert_ne!(i, j as usize);
                let back = fuzzy
                    .row(j as usize)
                    .find(|&(c, _)| c as usize == i)
                    .unwrap()
                    .1;
                assert_eq!(w.to_bits(), back.to_bits());
            }
        }
        // The nearest neighbour of each point has full membership, and so does the union.
        let w01 = fuzzy.row(0).find(|&(j, _)| j == 1).unwrap().1;
        assert!((w01 - 1.0).abs() < f32::EPSILON, "{w01}");
    }
}
