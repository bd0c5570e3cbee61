//! The layout optimisation: stochastic gradient descent on the fuzzy cross-entropy with
//! negative sampling (McInnes et al. 2018, §3.2 and algorithm 5; umap-learn's
//! `optimize_layout_euclidean`), one epoch per [`Sgd::step`].
//!
//! umap-learn's schedule is kept as it is: an edge of weight `w` is sampled every
//! `max_w / (w)` epochs (`epochs_per_sample`), each sample followed by
//! `negative_sample_rate` negative samples on average (tracked per edge), gradients clipped
//! to ±4, the learning rate decaying linearly from its initial value.
//!
//! **Determinism on any thread count.** umap-learn's parallel SGD is Hogwild: threads race on
//! the shared layout, so results vary run to run. Here every epoch reads a frozen copy of the
//! layout taken at its start (`prev`) and each point's new position is computed by exactly
//! one task: a point walks its own edges (the graph is symmetric, so every undirected edge is
//! an out-edge of both of its ends) and moves only itself, attracted towards its neighbours'
//! and repelled from its negative samples' frozen positions, in the fixed order of its edge
//! list. Negative samples come from a counter-based hash of (seed, epoch, edge, sample), not
//! from a generator shared between points. So a point's new position is a pure function of
//! the frozen layout, its edges and the seed: the layout is bit-identical whatever the number
//! of threads or the order in which rayon runs the fixed blocks of points.
//!
//! umap-learn moves both ends of a sampled edge (`move_other`), and each undirected edge is
//! sampled once from each end, so each end receives two attraction steps per sampling
//! period. Here the end that owns the edge takes both of those steps itself, the second
//! recomputed from where the first left it, so the forces per period are umap-learn's.

use rayon::prelude::*;

use crate::FuzzyGraph;
use crate::rng::{GOLDEN, below, mix64, sample_key};

/// Points per parallel task; fixed, so the partition never depends on the thread count.
const BLOCK: usize = 256;
/// Gradient components are clipped to `±CLIP` (umap-learn's `clip`).
pub const CLIP: f32 = 4.0;
/// Keeps the repulsion finite at distance 0 (umap-learn's `0.001 + d²`).
const REPULSION_EPSILON: f32 = 0.001;
/// Attraction steps per sampled edge: umap-learn's own step plus the one its `move_other`
/// gives this end when the reverse edge is sampled.
const ATTRACTION_STEPS: usize = 2;

/// Constants of the gradient.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kernel {
    pub(crate) a: f32,
    pub(crate) b: f32,
    pub(crate) gamma: f32,
}

/// The SGD state: the edge schedule and the layout.
#[derive(Debug, Clone)]
pub(crate) struct Sgd {
    row_ptr: Vec<usize>,
    tails: Vec<u32>,
    epochs_per_sample: Vec<f64>,
    epochs_per_negative: Vec<f64>,
    next_sample: Vec<f64>,
    next_negative: Vec<f64>,
    kernel: Kernel,
    initial_alpha: f64,
    alpha: f64,
    n_epochs: usize,
    epoch: usize,
    seed_key: u64,
    layout: Vec<f32>,
    frozen: Vec<f32>,
}

/// One block of points and its slices of the per-edge schedule.
struct Job<'a> {
    first_point: usize,
    first_edge: usize,
    layout: &'a mut [f32],
    next_sample: &'a mut [f64],
    next_negative: &'a mut [f64],
}

impl Sgd {
    /// An optimisation of `layout` (`N × 2`) over the edges of `graph` (already without the
    /// edges too light to be sampled).
    pub(crate) fn new(
        graph: &FuzzyGraph,
        layout: Vec<f32>,
        kernel: Kernel,
        negative_sample_rate: usize,
        learning_rate: f64,
        n_epochs: usize,
        seed: u64,
    ) -> Self {
        let max = f64::from(graph.max_weight());
        // umap-learn's `make_epochs_per_sample`: an edge is sampled n_epochs·w/max times.
        let epochs_per_sample: Vec<f64> = graph
            .weights()
            .iter()
            .map(|&w| {
                let samples = n_epochs as f64 * (f64::from(w) / max);
                if samples > 0.0 {
                    n_epochs as f64 / samples
                } else {
                    -1.0
                }
            })
            .collect();
        let epochs_per_negative: Vec<f64> = epochs_per_sample
            .iter()
            .map(|&e| {
                if negative_sample_rate == 0 {
                    f64::INFINITY
                } else {
                    e / negative_sample_rate as f64
                }
            })
            .collect();
        Self {
            row_ptr: graph.row_ptr().to_vec(),
            tails: graph.cols().to_vec(),
            next_sample: epochs_per_sample.clone(),
            next_negative: epochs_per_negative.clone(),
            epochs_per_sample,
            epochs_per_negative,
            kernel,
            initial_alpha: learning_rate,
            alpha: learning_rate,
            n_epochs,
            epoch: 0,
            seed_key: mix64(seed ^ 0x756d_6170_5f73_6764),
            frozen: layout.clone(),
            layout,
        }
    }

    /// Epochs done.
    pub(crate) fn epoch(&self) -> usize {
        self.epoch
    }

    /// Epochs in the run.
    pub(crate) fn n_epochs(&self) -> usize {
        self.n_epochs
    }

    /// The learning rate the next epoch uses.
    pub(crate) fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The layout, `N × 2` interleaved.
    pub(crate) fn layout(&self) -> &[f32] {
        &self.layout
    }

    /// Runs one epoch; `false` once all epochs have run.
    pub(crate) fn step(&mut self) -> bool {
        if self.epoch >= self.n_epochs {
            return false;
        }
        self.frozen.copy_from_slice(&self.layout);
        let n = self.row_ptr.len() - 1;
        let mut jobs = Vec::with_capacity(n.div_ceil(BLOCK));
        let (mut layout, mut next_sample, mut next_negative) = (
            self.layout.as_mut_slice(),
            self.next_sample.as_mut_slice(),
            self.next_negative.as_mut_slice(),
        );
        for first_point in (0..n).step_by(BLOCK) {
            let last_point = (first_point + BLOCK).min(n);
            let edges = self.row_ptr[last_point] - self.row_ptr[first_point];
            let (l, l_rest) = layout.split_at_mut(2 * (last_point - first_point));
            let (s, s_rest) = next_sample.split_at_mut(edges);
            let (g, g_rest) = next_negative.split_at_mut(edges);
            jobs.push(Job {
                first_point,
                first_edge: self.row_ptr[first_point],
                layout: l,
                next_sample: s,
                next_negative: g,
            });
            (layout, next_sample, next_negative) = (l_rest, s_rest, g_rest);
        }
        let shared = Shared {
            row_ptr: &self.row_ptr,
            tails: &self.tails,
            epochs_per_sample: &self.epochs_per_sample,
            epochs_per_negative: &self.epochs_per_negative,
            frozen: &self.frozen,
            kernel: self.kernel,
            alpha: self.alpha as f32,
            epoch: self.epoch,
            seed_key: self.seed_key,
            n_points: n as u32,
        };
        jobs.into_par_iter().for_each(|job| shared.run(job));
        // umap-learn: after epoch n the rate becomes initial·(1 − n/n_epochs).
        self.alpha = self.initial_alpha * (1.0 - self.epoch as f64 / self.n_epochs as f64);
        self.epoch += 1;
        true
    }
}

/// What every task of an epoch reads.
struct Shared<'a> {
    row_ptr: &'a [usize],
    tails: &'a [u32],
    epochs_per_sample: &'a [f64],
    epochs_per_negative: &'a [f64],
    frozen: &'a [f32],
    kernel: Kernel,
    alpha: f32,
    epoch: usize,
    seed_key: u64,
    n_points: u32,
}

impl Shared<'_> {
    fn run(&self, job: Job<'_>) {
        let now = self.epoch as f64;
        let Kernel { a, b, gamma } = self.kernel;
        let alpha = self.alpha;
        for (offset, point) in job.layout.chunks_exact_mut(2).enumerate() {
            let i = job.first_point + offset;
            let (mut x, mut y) = (point[0], point[1]);
            for e in self.row_ptr[i]..self.row_ptr[i + 1] {
                let local = e - job.first_edge;
                if job.next_sample[local] > now {
                    continue;
                }
                let j = self.tails[e] as usize;
                let (tx, ty) = (self.frozen[2 * j], self.frozen[2 * j + 1]);
                for _ in 0..ATTRACTION_STEPS {
                    let (dx, dy) = (x - tx, y - ty);
                    let d2 = dx * dx + dy * dy;
                    if d2 > 0.0 {
                        let pow_b = fast_pow(d2, b);
                        let coeff = -2.0 * a * b * (pow_b / d2) / (a * pow_b + 1.0);
                        x += clip(coeff * dx) * alpha;
                        y += clip(coeff * dy) * alpha;
                    }
                }
                job.next_sample[local] += self.epochs_per_sample[e];
                let per_negative = self.epochs_per_negative[e];
                let due = ((now - job.next_negative[local]) / per_negative).floor();
                let n_negative = if due > 0.0 { due as usize } else { 0 };
                let key = sample_key(self.seed_key, self.epoch as u64, e as u64);
                let mut counter = key;
                for _ in 0..n_negative {
                    counter = counter.wrapping_add(GOLDEN);
                    let k = below(mix64(counter), self.n_points) as usize;
                    if k == i {
                        continue;
                    }
                    let (dx, dy) = (x - self.frozen[2 * k], y - self.frozen[2 * k + 1]);
                    let d2 = dx * dx + dy * dy;
                    if d2 > 0.0 {
                        let coeff = 2.0 * gamma * b
                            / ((REPULSION_EPSILON + d2) * (a * fast_pow(d2, b) + 1.0));
                        x += clip(coeff * dx) * alpha;
                        y += clip(coeff * dy) * alpha;
                    }
                }
                job.next_negative[local] += n_negative as f64 * per_negative;
            }
            point[0] = x;
            point[1] = y;
        }
    }
}

#[inline]
fn clip(v: f32) -> f32 {
    v.clamp(-CLIP, CLIP)
}

/// `x^y` for `x > 0` as `2^(y·log2 x)` with short polynomials (relative error ≈ 1e-6): the
/// SGD calls it once per sample, where the libm `powf` would dominate the epoch. Pure
/// arithmetic, so as deterministic as the rest; non-normal `x` goes to `powf`.
#[inline]
pub(crate) fn fast_pow(x: f32, y: f32) -> f32 {
    if !x.is_normal() {
        return x.powf(y);
    }
    exp2(y * log2(x))
}

/// `log2 x` for positive normal `x`: exponent plus `log2 m` for the mantissa brought into
/// `[√½, √2)`, by the odd series of `atanh((m − 1)/(m + 1))` to `t⁷` (|t| ≤ 0.172, error
/// below 1e-7).
#[inline]
fn log2(x: f32) -> f32 {
    const SQRT_2: f32 = std::f32::consts::SQRT_2;
    const C1: f32 = 2.0 / std::f32::consts::LN_2;
    const C3: f32 = C1 / 3.0;
    const C5: f32 = C1 / 5.0;
    const C7: f32 = C1 / 7.0;
    let bits = x.to_bits();
    let mut exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    if m > SQRT_2 {
        m *= 0.5;
        exponent += 1;
    }
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    exponent as f32 + t * (C1 + t2 * (C3 + t2 * (C5 + t2 * C7)))
}

/// `2^z`: `2^round(z)` from the exponent bits times a degree-6 Taylor polynomial of
/// `2^f = e^(f·ln 2)` for `f ∈ [−½, ½]` (error below 2e-7). `z` is clamped to the normal
/// range.
#[inline]
fn exp2(z: f32) -> f32 {
    const L1: f32 = std::f32::consts::LN_2;
    const L2: f32 = L1 * L1 / 2.0;
    const L3: f32 = L2 * L1 / 3.0;
    const L4: f32 = L3 * L1 / 4.0;
    const L5: f32 = L4 * L1 / 5.0;
    const L6: f32 = L5 * L1 / 6.0;
    let z = z.clamp(-126.0, 127.0);
    let whole = z.round();
    let f = z - whole;
    let p = 1.0 + f * (L1 + f * (L2 + f * (L3 + f * (L4 + f * (L5 + f * L6)))));
    p * f32::from_bits(((whole as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_pow_is_accurate() {
        for &x in &[1e-30_f32, 1e-6, 0.01, 0.3, 1.0, 1.7, 42.0, 1e4, 3e20] {
            for &y in &[0.895_f32, -0.105, 1.5, 0.5, 2.0] {
                let (got, want) = (fast_pow(x, y), f64::from(x).powf(f64::from(y)));
                let rel = ((f64::from(got) - want) / want).abs();
                // The f32 product y·log2(x) carries an error proportional to its size.
                let allowed = 2e-6 + 1e-7 * (f64::from(y) * f64::from(x).log2()).abs();
                assert!(rel < allowed, "{x}^{y}: {got} vs {want} ({rel:e})");
            }
        }
        assert!((fast_pow(1e-40, 0.9) - 1e-40_f32.powf(0.9)).abs() < 1e-36);
    }
}
