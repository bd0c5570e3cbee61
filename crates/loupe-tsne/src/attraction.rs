//! The attractive half of the t-SNE gradient, `α·Σ_j p_ij·(1 + d_ij²/ν)⁻¹·(y_i − y_j)` over
//! the sparse P, in single precision.
//!
//! This pass touches every non-zero of P (≈ 9 million at N = 70,000, k = 90) in every
//! iteration, so it is written for memory traffic and instruction-level parallelism:
//!
//! * P is read as CSR with `u32` columns and `f32` values ([`LocalP`], 8 bytes per non-zero),
//!   and the layout as an interleaved `f32` copy (`8·N` bytes: 560 kB at 70,000);
//! * the points are renumbered once (breadth-first over P's graph) so that each row's
//!   neighbours are close in memory: ~35 % less time than gathering from random indices;
//! * each row is processed in blocks of [`LANES`] non-zeros: the neighbours' coordinates are
//!   gathered into small arrays, then the kernel and the products run lane-wise (vectorised
//!   by the compiler, divisions included) into `LANES` independent accumulators; a row's
//!   tail is padded with `p = 0`, which adds exactly zero;
//! * the lanes are summed in a fixed tree order.
//!
//! Every row's sum depends only on that row, so the result is identical whatever the number
//! of threads. Compared with a sequential `f64` sum this reassociates the row sum (lane-wise
//! partial sums) and rounds positions, differences and terms to `f32` (relative error
//! ~10⁻⁶ of a row's force, far below the FFT repulsion's ~10⁻³).

use rayon::prelude::*;

use crate::Affinities;

/// Rows per parallel task.
const CHUNK: usize = 512;
/// Accumulators per row (the width of the arithmetic loop).
const LANES: usize = 8;

/// P in single precision with its points renumbered for locality: a breadth-first
/// (Cuthill–McKee) order of P's graph, so that a row's neighbours mostly lie within a narrow
/// band of indices and the gather of their positions stays in the nearest caches. Built once
/// per [`Affinities`] (deterministically: roots and neighbours are taken in index order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LocalP {
    /// `order[r]`: the point at position `r`.
    order: Vec<u32>,
    /// `rank[i]`: the position of point `i`.
    rank: Vec<u32>,
    indptr: Vec<usize>,
    /// Columns in the new numbering, increasing within a row.
    indices: Vec<u32>,
    values: Vec<f32>,
    /// `(Σ p·ln p, Σ p)` over the non-zeros, in `f64`.
    entropy: (f64, f64),
}

impl LocalP {
    pub(crate) fn new(p: &Affinities) -> Self {
        let n = p.n_points();
        let bfs = |root: usize, seen: &mut [bool], order: &mut Vec<u32>| {
            seen[root] = true;
            let mut head = order.len();
            order.push(root as u32);
            while head < order.len() {
                let i = order[head] as usize;
                head += 1;
                for &j in p.row(i).0 {
                    if !seen[j as usize] {
                        seen[j as usize] = true;
                        order.push(j);
                    }
                }
            }
        };
        let mut order = Vec::with_capacity(n);
        let mut seen = vec![false; n];
        for root in 0..n {
            if !seen[root] {
                bfs(root, &mut seen, &mut order);
            }
        }
        let mut rank = vec![0u32; n];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let mut indptr = Vec::with_capacity(n + 1);
        indptr.push(0);
        for &i in &order {
            indptr.push(indptr.last().copied().unwrap_or(0) + p.row(i as usize).0.len());
        }
        let mut entries = vec![(0u32, 0.0f32); p.nnz()];
        let mut rows: Vec<&mut [(u32, f32)]> = Vec::with_capacity(n);
        let mut rest = entries.as_mut_slice();
        for w in indptr.windows(2) {
            let (row, tail) = rest.split_at_mut(w[1] - w[0]);
            rows.push(row);
            rest = tail;
        }
        rows.par_iter_mut().zip(&order).for_each(|(row, &i)| {
            let (cols, vals) = p.row(i as usize);
            for (e, (&j, &v)) in row.iter_mut().zip(cols.iter().zip(vals)) {
                *e = (rank[j as usize], v as f32);
            }
            row.sort_unstable_by_key(|e| e.0);
        });
        let (indices, values) = entries.into_iter().unzip();
        let entropy = (0..n)
            .map(|i| {
                p.row(i)
                    .1
                    .iter()
                    .filter(|&&v| v > 0.0)
                    .fold((0.0, 0.0), |(a, b), &v| (a + v * v.ln(), b + v))
            })
            .fold((0.0, 0.0), |(a, b), (c, d)| (a + c, b + d));
        Self {
            order,
            rank,
            indptr,
            indices,
            values,
            entropy,
        }
    }

    /// `(Σ p·ln p, Σ p)` over P's non-zeros.
    pub(crate) fn entropy(&self) -> (f64, f64) {
        self.entropy
    }

    #[inline]
    fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let range = self.indptr[r]..self.indptr[r + 1];
        (&self.indices[range.clone()], &self.values[range])
    }
}

/// Buffers of the attraction, reused across iterations.
#[derive(Debug, Clone, Default)]
pub(crate) struct AttractionBuffers {
    /// The layout in `f32`, in [`LocalP`]'s order.
    pos: Vec<[f32; 2]>,
    /// Each point's attraction (without α), in [`LocalP`]'s order.
    force: Vec<[f32; 2]>,
    /// Per chunk of rows: `Σ p·ln(1 + d²/ν)`.
    log_parts: Vec<f64>,
}

/// For every point `i`: `grad_i ← grad_i·inv_z + α·Σ_j p_ij·(1 + d_ij²/ν)⁻¹·(y_i − y_j)`,
/// i.e. normalises the repulsion already in `grad` and adds the attraction.
///
/// With `kl` set, also returns `Σ_ij p_ij·ln(1 + d_ij²/ν)` (without α), summed per row in
/// `f32` and over rows in `f64` in a fixed order.
#[expect(clippy::too_many_arguments, reason = "one fused pass over P")]
pub(crate) fn add_attraction(
    p: &Affinities,
    y: &[f64],
    exaggeration: f64,
    dof: f64,
    inv_z: f64,
    grad: &mut [f64],
    buf: &mut AttractionBuffers,
    kl: bool,
) -> Option<f64> {
    let local = p.local();
    let n = y.len() / 2;
    buf.pos.resize(n, [0.0; 2]);
    buf.force.resize(n, [0.0; 2]);
    buf.pos
        .par_chunks_mut(CHUNK)
        .zip(local.order.par_chunks(CHUNK))
        .for_each(|(pos, order)| {
            for (q, &i) in pos.iter_mut().zip(order) {
                let i = i as usize;
                *q = [y[2 * i] as f32, y[2 * i + 1] as f32];
            }
        });
    let inv_dof = (1.0 / dof) as f32;
    let pos = &buf.pos;
    buf.log_parts.resize(n.div_ceil(CHUNK), 0.0);
    buf.force
        .par_chunks_mut(CHUNK)
        .zip(buf.log_parts.par_iter_mut())
        .enumerate()
        .for_each(|(chunk, (force, log_part))| {
            *log_part = 0.0;
            for (t, f) in force.iter_mut().enumerate() {
                let r = chunk * CHUNK + t;
                let (cols, vals) = local.row(r);
                if kl {
                    let (force, log) = row_force::<true>(cols, vals, pos, pos[r], inv_dof);
                    *f = force;
                    *log_part += f64::from(log);
                } else {
                    *f = row_force::<false>(cols, vals, pos, pos[r], inv_dof).0;
                }
            }
        });
    let force = &buf.force;
    grad.par_chunks_mut(2 * CHUNK)
        .zip(local.rank.par_chunks(CHUNK))
        .for_each(|(g, rank)| {
            for (gi, &r) in g.chunks_exact_mut(2).zip(rank) {
                let f = force[r as usize];
                gi[0] = gi[0] * inv_z + exaggeration * f64::from(f[0]);
                gi[1] = gi[1] * inv_z + exaggeration * f64::from(f[1]);
            }
        });
    kl.then(|| buf.log_parts.iter().sum())
}

/// `Σ_j p_ij·(1 + d_ij²/ν)⁻¹·(y_i − y_j)` over one row of P (columns index `pos`), and
/// when `KL` is set also `Σ_j p_ij·ln(1 + d_ij²/ν)` (else 0). The force is computed by the
/// same operations either way, so evaluating the KL never changes the trajectory.
#[inline]
pub(crate) fn row_force<const KL: bool>(
    cols: &[u32],
    vals: &[f32],
    pos: &[[f32; 2]],
    yi: [f32; 2],
    inv_dof: f32,
) -> ([f32; 2], f32) {
    let mut acc = Lanes::default();
    let (col_blocks, col_tail) = cols.as_chunks::<LANES>();
    let (val_blocks, val_tail) = vals.as_chunks::<LANES>();
    let mut dx = [0.0f32; LANES];
    let mut dy = [0.0f32; LANES];
    for (c, v) in col_blocks.iter().zip(val_blocks) {
        for ((dx, dy), &j) in dx.iter_mut().zip(dy.iter_mut()).zip(c) {
            let q = pos[j as usize];
            *dx = yi[0] - q[0];
            *dy = yi[1] - q[1];
        }
        acc.add::<KL>(&dx, &dy, v, inv_dof);
    }
    if !col_tail.is_empty() {
        let mut pv = [0.0f32; LANES];
        dx = [0.0; LANES];
        dy = [0.0; LANES];
        for (((dx, dy), pv), (&j, &v)) in dx
            .iter_mut()
            .zip(dy.iter_mut())
            .zip(pv.iter_mut())
            .zip(col_tail.iter().zip(val_tail))
        {
            let q = pos[j as usize];
            *dx = yi[0] - q[0];
            *dy = yi[1] - q[1];
            *pv = v;
        }
        acc.add::<KL>(&dx, &dy, &pv, inv_dof);
    }
    ([tree_sum(&acc.x), tree_sum(&acc.y)], tree_sum(&acc.log))
}

/// Per-lane partial sums of a row's force.
#[derive(Default)]
struct Lanes {
    x: [f32; LANES],
    y: [f32; LANES],
    /// `Σ p·ln(1 + d²/ν)`, for the KL divergence.
    log: [f32; LANES],
}

impl Lanes {
    #[expect(
        clippy::inline_always,
        reason = "the lanes must live in registers across a row; measured 2× slower when not inlined"
    )]
    #[inline(always)]
    fn add<const KL: bool>(
        &mut self,
        dx: &[f32; LANES],
        dy: &[f32; LANES],
        p: &[f32; LANES],
        inv_dof: f32,
    ) {
        for (((((ax, ay), al), &dx), &dy), &p) in self
            .x
            .iter_mut()
            .zip(self.y.iter_mut())
            .zip(self.log.iter_mut())
            .zip(dx)
            .zip(dy)
            .zip(p)
        {
            let q = 1.0 + (dx * dx + dy * dy) * inv_dof;
            let w = p / q;
            *ax += w * dx;
            *ay += w * dy;
            if KL {
                *al += p * ln_at_least_one(q);
            }
        }
    }
}

/// `ln x` for `x ≥ 1` in `f32`, branch-free so that it vectorises: `x = 2^e·m` with
/// `m ∈ [√½, √2)`, `ln m = 2·atanh(t)`, `t = (m − 1)/(m + 1)` (|t| ≤ 0.172) by its series to
/// `t⁹` (truncation < 10⁻⁹; the result is within a few `f32` ulps of `ln x`).
#[expect(
    clippy::inline_always,
    reason = "called lane-wise inside the vectorised loop"
)]
#[inline(always)]
fn ln_at_least_one(x: f32) -> f32 {
    let bits = x.to_bits();
    let mantissa = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let high = mantissa > std::f32::consts::SQRT_2;
    let m = if high { mantissa * 0.5 } else { mantissa };
    let e = ((bits >> 23) as i32 - 127 + i32::from(high)) as f32;
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let series =
        t * (2.0 + t2 * (2.0 / 3.0 + t2 * (2.0 / 5.0 + t2 * (2.0 / 7.0 + t2 * (2.0 / 9.0)))));
    e.mul_add(std::f32::consts::LN_2, series)
}

/// `((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))`: a fixed order.
#[inline]
fn tree_sum(l: &[f32; LANES]) -> f32 {
    let h: [f32; 4] = std::array::from_fn(|t| l[t] + l[t + 4]);
    (h[0] + h[2]) + (h[1] + h[3])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perplexity_affinities;
    use crate::rng::{Stream, rng, standard_normal};
    use loupe_knn::{Metric, exact_knn};

    #[test]
    fn matches_the_f64_sum() {
        let mut r = rng(4, Stream::Jitter);
        let n = 500;
        let x: Vec<f32> = (0..n * 4).map(|_| standard_normal(&mut r) as f32).collect();
        // k = 13 leaves ragged rows, so the padded tail is exercised.
        let p = perplexity_affinities(&exact_knn(&x, 4, 13, Metric::Euclidean).unwrap(), 4.0);
        let y: Vec<f64> = (0..2 * n).map(|_| 20.0 * standard_normal(&mut r)).collect();
        let mut buf = AttractionBuffers::default();
        for dof in [1.0, 0.7] {
            let mut grad = vec![0.0; 2 * n];
            let log = add_attraction(&p, &y, 12.0, dof, 1.0, &mut grad, &mut buf, true);
            let mut exact_log = 0.0;
            for i in 0..n {
                let (cols, vals) = p.row(i);
                let mut f = [0.0; 2];
                for (&j, &pij) in cols.iter().zip(vals) {
                    let j = j as usize;
                    let d = [y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]];
                    let q = 1.0 + (d[0] * d[0] + d[1] * d[1]) / dof;
                    exact_log += pij * q.ln();
                    let a = 12.0 * pij / q;
                    f[0] += a * d[0];
                    f[1] += a * d[1];
                }
                let scale = f[0].abs() + f[1].abs();
                for c in 0..2 {
                    let err = (grad[2 * i + c] - f[c]).abs();
                    assert!(
                        err <= 1e-5 * scale,
                        "row {i}: {} vs {}",
                        grad[2 * i + c],
                        f[c]
                    );
                }
            }
            let log = log.unwrap();
            assert!(
                (log - exact_log).abs() < 1e-6 * exact_log,
                "{log} vs {exact_log}"
            );
        }
    }

    #[test]
    fn logarithm_is_accurate() {
        let mut x = 1.0f32;
        while x < 1e30 {
            let (ours, exact) = (ln_at_least_one(x), f64::from(x).ln());
            assert!(
                (f64::from(ours) - exact).abs() <= 4.0 * f64::from(f32::EPSILON) * exact.max(1e-3),
                "ln {x}: {ours} vs {exact}"
            );
            x = x * 1.013 + 1e-7;
        }
    }

    #[test]
    #[ignore = "timing only"]
    fn bench_rows() {
        type RowFn = fn(&[u32], &[f32], &[[f32; 2]], [f32; 2], f32) -> ([f32; 2], f32);
        let n = 70_000usize;
        let k = 125usize;
        let mut state = 1u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut indptr = vec![0];
        let mut indices = Vec::new();
        let mut values = Vec::new();
        for i in 0..n {
            let len = k - 30 + (next() % 60) as usize;
            let mut row: Vec<u32> = (0..len).map(|_| (next() % n as u64) as u32).collect();
            row.sort_unstable();
            row.dedup();
            row.retain(|&j| j as usize != i);
            values.extend(row.iter().map(|_| 1e-8));
            indices.extend(row);
            indptr.push(indices.len());
        }
        let p = Affinities::from_csr(indptr, indices, values);
        let local = LocalP::new(&p);
        let pos: Vec<[f32; 2]> = (0..n)
            .map(|_| [(next() % 1000) as f32 * 0.1, (next() % 1000) as f32 * 0.1])
            .collect();
        let variants: [(&str, RowFn); 2] = [
            ("force", row_force::<false>),
            ("force + KL", row_force::<true>),
        ];
        for (name, f) in variants {
            let mut times = Vec::new();
            let mut check = 0.0f64;
            for _ in 0..15 {
                let t = std::time::Instant::now();
                let s: f64 = (0..n)
                    .into_par_iter()
                    .with_min_len(512)
                    .map(|i| {
                        let (c, v) = local.row(i);
                        f64::from(f(c, v, &pos, pos[i], 1.0).0[0])
                    })
                    .sum();
                times.push(t.elapsed().as_secs_f64() * 1e3);
                check += s;
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{name}: {} nnz, min {:.2} ms, median {:.2} ms ({check:e})",
                p.nnz(),
                times[0],
                times[times.len() / 2]
            );
        }
    }
}
