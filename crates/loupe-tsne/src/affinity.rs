//! Input affinities P from a kNN graph, as openTSNE's `PerplexityBasedNN` /
//! `joint_probabilities_nn` define them (van der Maaten & Hinton 2008, §2; van der Maaten 2014,
//! §4.1 for the sparse kNN approximation).

use std::sync::OnceLock;

use loupe_knn::KnnGraph;
use rayon::prelude::*;

use crate::attraction::LocalP;

/// Entropy tolerance of the bandwidth search, in nats (openTSNE's `perplexity_tol`).
pub const ENTROPY_TOLERANCE: f64 = 1e-8;
/// Bisection steps per point before giving up (openTSNE's `max_iter`).
pub const MAX_SEARCH_STEPS: usize = 200;

/// The symmetric joint probabilities `p_ij` as a CSR matrix: row `i` lists the `j` with
/// `p_ij > 0` in increasing order; all entries sum to 1.
///
/// The values are kept in `f64` (for the KL divergence and the public [`Affinities::row`]);
/// the attractive forces read a copy in `f32` with the points renumbered for locality
/// (`LocalP`), built on first use.
#[derive(Debug, Clone)]
pub struct Affinities {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
    local: OnceLock<LocalP>,
}

impl PartialEq for Affinities {
    fn eq(&self, other: &Self) -> bool {
        self.indptr == other.indptr && self.indices == other.indices && self.values == other.values
    }
}

impl Affinities {
    /// Builds from CSR parts; used by tests and future custom affinities.
    pub(crate) fn from_csr(indptr: Vec<usize>, indices: Vec<u32>, values: Vec<f64>) -> Self {
        debug_assert_eq!(indptr.last().copied(), Some(indices.len()));
        debug_assert_eq!(indices.len(), values.len());
        Self {
            indptr,
            indices,
            values,
            local: OnceLock::new(),
        }
    }

    /// Number of points, N.
    pub fn n_points(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Stored non-zeros.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// Row `i`: column indices and values.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[r.clone()], &self.values[r])
    }

    /// The single-precision, locality-ordered copy for the attractive forces.
    pub(crate) fn local(&self) -> &LocalP {
        self.local.get_or_init(|| LocalP::new(self))
    }
}

/// Conditional probabilities `p_{j|i}` over each point's k neighbours (`N × k`, rows sum to 1),
/// with a per-point Gaussian precision found to match `perplexity`.
///
/// openTSNE's search (`_tsne.compute_gaussian_perplexity`): `p_{j|i} ∝ exp(−d_ij²·τ/2)` with
/// the kNN distances *squared*; τ starts at 1, doubles (entropy too high) or halves (too low)
/// until the target is bracketed, then bisects arithmetically; stops when the entropy (nats)
/// is within 1e-8 of `ln(perplexity)` or after 200 steps, keeping the last evaluated
/// distribution. One addition: exponents are shifted by the smallest `d²` of the row, which
/// leaves the normalised distribution and the entropy unchanged but keeps far-apart data
/// (large distances) from underflowing to all zeros.
pub fn conditional_probabilities(graph: &KnnGraph, perplexity: f64) -> Vec<f64> {
    let k = graph.k;
    let target = perplexity.ln();
    let mut p = vec![0.0; graph.distances.len()];
    p.par_chunks_mut(k)
        .zip(graph.distances.par_chunks(k))
        .for_each(|(row, dist)| calibrate_row(dist, target, row));
    p
}

fn calibrate_row(dist: &[f32], target_entropy: f64, p: &mut [f64]) {
    let d2_min = dist
        .iter()
        .map(|&d| f64::from(d) * f64::from(d))
        .fold(f64::INFINITY, f64::min);
    let shifted = |d: f32| f64::from(d) * f64::from(d) - d2_min;
    let (mut tau, mut lo, mut hi) = (1.0_f64, f64::NEG_INFINITY, f64::INFINITY);
    let mut sum = 1.0;
    for _ in 0..MAX_SEARCH_STEPS {
        sum = 0.0;
        for (pj, &d) in p.iter_mut().zip(dist) {
            *pj = (-shifted(d) * tau * 0.5).exp();
            sum += *pj;
        }
        let mean_d2: f64 = p
            .iter()
            .zip(dist)
            .map(|(pj, &d)| pj * shifted(d))
            .sum::<f64>()
            / sum;
        let entropy = tau * 0.5 * mean_d2 + sum.ln();
        let diff = entropy - target_entropy;
        if diff.abs() <= ENTROPY_TOLERANCE {
            break;
        }
        if diff > 0.0 {
            lo = tau;
            tau = if hi.is_infinite() {
                tau * 2.0
            } else {
                (tau + hi) * 0.5
            };
        } else {
            hi = tau;
            tau = if lo.is_infinite() {
                tau / 2.0
            } else {
                (tau + lo) * 0.5
            };
        }
    }
    for pj in p {
        *pj /= sum;
    }
}

/// `P = (P_cond + P_condᵀ) / 2`, normalised to sum 1 (openTSNE's "pair-wise" normalisation).
pub fn joint_probabilities(graph: &KnnGraph, conditional: &[f64]) -> Affinities {
    let (n, k) = (graph.n_points(), graph.k);
    // Row i holds its own k entries plus one for every point that has i as a neighbour.
    let mut counts = vec![k; n];
    for &j in &graph.indices {
        counts[j as usize] += 1;
    }
    let mut start = Vec::with_capacity(n + 1);
    start.push(0);
    for c in &counts {
        start.push(start.last().copied().unwrap_or(0) + c);
    }
    let mut entries = vec![(0_u32, 0.0_f64); start[n]];
    let mut cursor = start[..n].to_vec();
    for i in 0..n {
        for (&j, &p) in graph
            .neighbors(i)
            .iter()
            .zip(&conditional[i * k..(i + 1) * k])
        {
            entries[cursor[i]] = (j, p);
            cursor[i] += 1;
            entries[cursor[j as usize]] = (i as u32, p);
            cursor[j as usize] += 1;
        }
    }
    // Sort each row by column and merge the (at most two) entries of a pair.
    let mut rows: Vec<&mut [(u32, f64)]> = Vec::with_capacity(n);
    let mut rest = entries.as_mut_slice();
    for c in &counts {
        let (row, tail) = rest.split_at_mut(*c);
        rows.push(row);
        rest = tail;
    }
    let merged_len: Vec<usize> = rows
        .par_iter_mut()
        .map(|row| {
            row.sort_unstable_by_key(|e| e.0);
            let mut len = 0;
            for t in 0..row.len() {
                if len > 0 && row[len - 1].0 == row[t].0 {
                    row[len - 1].1 += row[t].1;
                } else {
                    row[len] = row[t];
                    len += 1;
                }
            }
            len
        })
        .collect();
    let mut indptr = Vec::with_capacity(n + 1);
    indptr.push(0);
    let mut indices = Vec::with_capacity(merged_len.iter().sum());
    let mut values = Vec::with_capacity(indices.capacity());
    for (i, &len) in merged_len.iter().enumerate() {
        for &(j, p) in &entries[start[i]..start[i] + len] {
            indices.push(j);
            values.push(p / 2.0);
        }
        indptr.push(indices.len());
    }
    let total: f64 = values.iter().sum();
    for v in &mut values {
        *v /= total;
    }
    Affinities::from_csr(indptr, indices, values)
}

/// Conditional probabilities calibrated to `perplexity`, symmetrised and normalised.
pub fn perplexity_affinities(graph: &KnnGraph, perplexity: f64) -> Affinities {
    joint_probabilities(graph, &conditional_probabilities(graph, perplexity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng, standard_normal};
    use loupe_knn::{Metric, exact_knn};

    fn random_graph(n: usize, dim: usize, k: usize) -> KnnGraph {
        let mut r = rng(11, Stream::Jitter);
        let x: Vec<f32> = (0..n * dim)
            .map(|i| (standard_normal(&mut r) * (1.0 + (i % dim) as f64)) as f32)
            .collect();
        exact_knn(&x, dim, k, Metric::Euclidean).unwrap()
    }

    #[test]
    fn every_point_reaches_the_target_perplexity() {
        for &perplexity in &[5.0, 30.0] {
            let k = (3.0 * perplexity) as usize;
            let graph = random_graph(1_000, 10, k);
            let p = conditional_probabilities(&graph, perplexity);
            for row in p.chunks_exact(k) {
                assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                let h_bits: f64 = -row
                    .iter()
                    .filter(|&&v| v > 0.0)
                    .map(|&v| v * v.log2())
                    .sum::<f64>();
                let perp = h_bits.exp2();
                assert!((perp - perplexity).abs() < 1e-3 * perplexity, "{perp}");
            }
        }
    }

    #[test]
    fn far_apart_data_does_not_underflow() {
        let x: Vec<f32> = (0..200).map(|i| (i * i) as f32 * 1e3).collect();
        let graph = exact_knn(&x, 1, 30, Metric::Euclidean).unwrap();
        let p = conditional_probabilities(&graph, 10.0);
        assert!(p.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn joint_p_is_symmetric_and_sums_to_one() {
        let graph = random_graph(300, 5, 15);
        let p = perplexity_affinities(&graph, 5.0);
        let total: f64 = (0..300).map(|i| p.row(i).1.iter().sum::<f64>()).sum();
        assert!((total - 1.0).abs() < 1e-12);
        let lookup = |i: usize, j: u32| {
            let (cols, vals) = p.row(i);
            cols.binary_search(&j).map_or(0.0, |t| vals[t])
        };
        for i in 0..300 {
            let (cols, vals) = p.row(i);
            assert!(cols.windows(2).all(|w| w[0] < w[1]));
            for (&j, &v) in cols.iter().zip(vals) {
                assert!(v > 0.0);
                assert!((lookup(j as usize, i as u32) - v).abs() < 1e-18);
            }
        }
    }
}
