//! Nearest-centroid search: the inner loop of every k-means variant.
//!
//! Work is split into blocks of [`ROWS_PER_TASK`] rows, a constant, and every
//! floating-point sum is taken per block and then added up in block order, so results are
//! bit-identical whatever the number of threads (rayon's adaptive splitting only decides
//! which thread runs which block).

use loupe_knn::{MatRef, gemm};
use rayon::prelude::*;

/// Rows per parallel task.
pub(crate) const ROWS_PER_TASK: usize = 256;
/// From this dimension on, dot products go through SGEMM (runtime-dispatched SIMD); below
/// it, direct differences against transposed centroids vectorise better.
const GEMM_MIN_DIM: usize = 16;

/// Below this many centres, [`Centres::squared_distances`] works row by row (the
/// k-means++ candidates).
const FEW_CENTRES: usize = 16;

/// Squared euclidean distance by direct differences, eight lanes at a time, accumulated in
/// `f32` (exact enough for inertia, free of `‖x‖² + ‖c‖² − 2x·c` cancellation).
#[inline]
pub(crate) fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0_f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    for (x, y) in a8.zip(b8) {
        for ((lane, xv), yv) in lanes.iter_mut().zip(x).zip(y) {
            *lane += (xv - yv) * (xv - yv);
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// A set of centres (`k × dim`, row-major) prepared for block distance computations.
pub(crate) struct Centres<'a> {
    rows: &'a [f32],
    dim: usize,
    k: usize,
    /// Added to a row's raw scores to rank centres: `‖c‖²` on the SGEMM path (whose raw
    /// score is `−2·x·c`), zero on the direct path (whose raw score is the distance).
    offsets: Vec<f32>,
    /// The centres transposed, `dim × k`.
    transposed: Vec<f32>,
}

impl<'a> Centres<'a> {
    pub(crate) fn new(rows: &'a [f32], dim: usize) -> Self {
        let k = rows.len() / dim;
        let offsets = if dim >= GEMM_MIN_DIM {
            rows.chunks_exact(dim)
                .map(|c| c.iter().map(|v| v * v).sum())
                .collect()
        } else {
            vec![0.0; k]
        };
        let mut transposed = vec![0.0; k * dim];
        for (j, c) in rows.chunks_exact(dim).enumerate() {
            for (t, &v) in c.iter().enumerate() {
                transposed[t * k + j] = v;
            }
        }
        Self {
            rows,
            dim,
            k,
            offsets,
            transposed,
        }
    }

    /// Centre `j`.
    pub(crate) fn row(&self, j: usize) -> &[f32] {
        &self.rows[j * self.dim..(j + 1) * self.dim]
    }

    fn uses_gemm(&self) -> bool {
        self.dim >= GEMM_MIN_DIM
    }

    /// Raw scores of every row of `block` (`m × dim`) against every centre into `out`
    /// (`m × k`): `−2·x·c` by SGEMM, or the exact squared distance directly.
    fn raw_scores(&self, block: &[f32], out: &mut [f32]) {
        let (dim, k) = (self.dim, self.k);
        let m = block.len() / dim;
        let out = &mut out[..m * k];
        if self.uses_gemm() {
            let a = MatRef::row_major(block, m, dim).expect("block is m × dim");
            // Contiguous `dim × k` packs faster than the strided transpose of the rows.
            let b = MatRef::row_major(&self.transposed, dim, k).expect("centres are dim × k");
            gemm(-2.0, a, b, 0.0, out, k);
        } else {
            for (x, o) in block.chunks_exact(dim).zip(out.chunks_exact_mut(k)) {
                o.fill(0.0);
                for (t, &xt) in x.iter().enumerate() {
                    for (d, &ct) in o.iter_mut().zip(&self.transposed[t * k..(t + 1) * k]) {
                        *d += (xt - ct) * (xt - ct);
                    }
                }
            }
        }
    }

    /// Squared distances from every row of `block` (`m × dim`) to every centre, into `out`
    /// (`m × k`, row-major), clamped at zero.
    pub(crate) fn squared_distances(&self, block: &[f32], out: &mut [f32]) {
        if self.k < FEW_CENTRES {
            // SGEMM would spend its time packing the block for a handful of columns.
            for (x, o) in block
                .chunks_exact(self.dim)
                .zip(out.chunks_exact_mut(self.k))
            {
                for (d, c) in o.iter_mut().zip(self.rows.chunks_exact(self.dim)) {
                    *d = squared_distance(x, c);
                }
            }
            return;
        }
        self.raw_scores(block, out);
        if self.uses_gemm() {
            for (x, o) in block
                .chunks_exact(self.dim)
                .zip(out.chunks_exact_mut(self.k))
            {
                let x_norm: f32 = x.iter().map(|v| v * v).sum();
                for (d, c_norm) in o.iter_mut().zip(&self.offsets) {
                    *d = (*d + x_norm + c_norm).max(0.0);
                }
            }
        }
    }
}

/// What one assignment pass found.
pub(crate) struct Pass {
    /// Sum of squared distances to the assigned centres.
    pub(crate) inertia: f64,
    /// Rows whose label changed.
    pub(crate) changed: usize,
}

/// Assigns every row of `data` to its nearest centre (the lowest index on ties), writing
/// `labels` and the exact squared distance to the chosen centre into `dist`.
pub(crate) fn assign(
    data: &[f32],
    centres: &Centres<'_>,
    labels: &mut [u32],
    dist: &mut [f32],
) -> Pass {
    let (dim, k) = (centres.dim, centres.k);
    let parts: Vec<(f64, usize)> = data
        .par_chunks(ROWS_PER_TASK * dim)
        .zip(labels.par_chunks_mut(ROWS_PER_TASK))
        .zip(dist.par_chunks_mut(ROWS_PER_TASK))
        .map_init(
            || vec![0.0_f32; ROWS_PER_TASK * k],
            |buffer, ((block, labels), dist)| {
                centres.raw_scores(block, buffer);
                let (mut inertia, mut changed) = (0.0_f64, 0);
                let rows = block.chunks_exact(dim).zip(buffer.chunks_exact(k));
                for ((x, scores), (label, best_d)) in
                    rows.zip(labels.iter_mut().zip(dist.iter_mut()))
                {
                    let best = nearest(scores, &centres.offsets);
                    changed += usize::from(*label != best);
                    *label = best;
                    *best_d = squared_distance(x, centres.row(best as usize));
                    inertia += f64::from(*best_d);
                }
                (inertia, changed)
            },
        )
        .collect();
    Pass {
        inertia: parts.iter().map(|p| p.0).sum(),
        changed: parts.iter().map(|p| p.1).sum(),
    }
}

/// Index of the smallest `scores[j] + offsets[j]`, the first one on ties.
///
/// Eight independent lanes keep their own minimum (vectorisable compare-and-select); the
/// lanes are then merged by value, then index, which gives the same answer as a scan.
#[inline]
fn nearest(scores: &[f32], offsets: &[f32]) -> u32 {
    const LANES: usize = 8;
    let mut value = [f32::INFINITY; LANES];
    let mut index = [0_u32; LANES];
    let (s8, o8) = (scores.chunks_exact(LANES), offsets.chunks_exact(LANES));
    let tail = s8.remainder().iter().zip(o8.remainder());
    for (c, (s, o)) in s8.zip(o8).enumerate() {
        for l in 0..LANES {
            let v = s[l] + o[l];
            if v < value[l] {
                value[l] = v;
                index[l] = (c * LANES + l) as u32;
            }
        }
    }
    let mut best = (f32::INFINITY, 0_u32);
    for (&v, &i) in value.iter().zip(&index) {
        // Smaller value, or the same value at a lower index.
        if v < best.0 || (v <= best.0 && i < best.1) {
            best = (v, i);
        }
    }
    let base = (scores.len() / LANES * LANES) as u32;
    for (j, (&s, &o)) in tail.enumerate() {
        if s + o < best.0 {
            best = (s + o, base + j as u32);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both distance paths against the definition, on small integers (exact in f32).
    #[test]
    #[expect(clippy::float_cmp, reason = "small integers are exact in f32")]
    fn both_paths_give_exact_squared_distances() {
        for dim in [1, 2, 3, 15, 16, 17, 40] {
            let centres: Vec<f32> = (0..5 * dim).map(|i| ((i * 7) % 11) as f32).collect();
            let block: Vec<f32> = (0..3 * dim).map(|i| ((i * 5) % 9) as f32).collect();
            let prepared = Centres::new(&centres, dim);
            let mut out = vec![f32::NAN; 3 * 5];
            prepared.squared_distances(&block, &mut out);
            for (i, x) in block.chunks_exact(dim).enumerate() {
                for (j, c) in centres.chunks_exact(dim).enumerate() {
                    let want: f32 = x.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum();
                    assert_eq!(out[i * 5 + j], want, "dim {dim}, row {i}, centre {j}");
                    assert_eq!(squared_distance(x, c), want);
                }
            }
        }
    }

    #[test]
    fn nearest_matches_a_plain_scan_with_ties() {
        for k in [1, 3, 8, 9, 17, 100] {
            for seed in 0..50_u32 {
                // Few distinct values, so ties across lanes and the tail are common.
                let scores: Vec<f32> = (0..k as u32)
                    .map(|j| ((j * 7 + seed * 13) % 5) as f32)
                    .collect();
                let offsets: Vec<f32> = (0..k as u32).map(|j| ((j + seed) % 3) as f32).collect();
                let sums: Vec<f32> = scores.iter().zip(&offsets).map(|(s, o)| s + o).collect();
                let min = sums.iter().copied().fold(f32::INFINITY, f32::min);
                let want = sums.iter().position(|&v| v <= min).unwrap();
                assert_eq!(
                    nearest(&scores, &offsets) as usize,
                    want,
                    "k {k}, seed {seed}"
                );
            }
        }
    }

    #[test]
    fn assignment_picks_the_first_nearest_centre() {
        // Row 1 is equidistant from centres 0 and 2; the lower index wins.
        let centres = [0.0, 0.0, 10.0, 10.0, 2.0, 0.0];
        let data = [0.1, 0.0, 1.0, 0.0, 9.0, 9.0];
        let mut labels = vec![u32::MAX; 3];
        let mut dist = vec![0.0; 3];
        let pass = assign(&data, &Centres::new(&centres, 2), &mut labels, &mut dist);
        assert_eq!(labels, [0, 0, 1]);
        assert_eq!(pass.changed, 3);
        assert!((pass.inertia - (0.01 + 1.0 + 2.0)).abs() < 1e-6);
        let again = assign(&data, &Centres::new(&centres, 2), &mut labels, &mut dist);
        assert_eq!(again.changed, 0);
    }
}
