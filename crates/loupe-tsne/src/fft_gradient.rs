//! The repulsive half of the t-SNE gradient and the normaliser Z by FFT-accelerated
//! polynomial interpolation (Linderman et al. 2019, "Fast interpolation-based t-SNE for
//! improved visualization of single-cell RNA-seq data", Nature Methods 16, 243–245), as
//! openTSNE 1.0.4's `estimate_negative_gradient_fft_2d` computes it, in `O(N + G log G)` for
//! a grid of `G` nodes.
//!
//! Each point spreads the charges `1`, `x`, `y` onto the 3 × 3 nodes of its interval with
//! Lagrange weights (step 1); the node charges are convolved with the kernels by FFT (step 2,
//! [`crate::fft_grid`]); each point reads its potentials back with the same weights (step 3):
//! `φ₀ = Σ_j k_rep(y_i − y_j)`, `φ₁,₂ = Σ_j k_rep(y_i − y_j)·y_j`, `φ_Z = Σ_j w(y_i − y_j)`
//! with `k_rep = (1 + d²/ν)^−(ν+1)` and `w = (1 + d²/ν)^−ν` (Kobak et al. 2019, "Heavy-tailed
//! kernels reveal a finer cluster structure in t-SNE visualisations", for ν ≠ 1). Then the
//! unnormalised repulsion is `−(y_i·φ₀ − φ₁,₂)` and `Z = Σ_i φ_Z,i − N` (the sums include
//! `j = i`, whose kernel value is exactly 1).
//!
//! One deliberate difference from openTSNE: for ν = 1 it recovers Z from the squared kernel as
//! `Σ_i (1 + |y_i|²)·φ₀ − 2·y_i·φ₁,₂ + φ₃` with `φ₃` the potential of `|y|²`. Those terms are
//! ~10⁴ times Z in a spread-out layout and cancel, which single precision cannot afford; Z
//! is therefore interpolated from `w` directly for every ν (openTSNE's ν ≠ 1 path), at no
//! extra cost because both kernels share one transform.
//!
//! Points are bucketed by interval row, so the scatter runs in parallel over rows of
//! intervals (each owns its three node rows) and every node sums its charges in point order:
//! the result does not depend on the thread count.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustfft::num_complex::Complex32;

use crate::fft_grid::Convolver;
use crate::gradient::kernel;
use crate::interpolation::{GridGeometry, NODES_PER_INTERVAL, lagrange_weights};

const K: usize = NODES_PER_INTERVAL;
/// Points per parallel task in the per-point passes.
const CHUNK: usize = 1024;

/// A point's place on the grid: its interval, and its Lagrange weights along x and y.
#[derive(Debug, Clone, Copy, Default)]
struct Placement {
    interval: [u32; 2],
    weights: [[f32; K]; 2],
}

/// Where the time of the last FFT repulsion went (for profiling and the speed example).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FftTimings {
    /// Intervals per axis of the grid (nodes per axis are three times this).
    pub intervals: usize,
    /// Evaluating both kernels on the grid and transforming them.
    pub kernel: Duration,
    /// Locating the points, bucketing them by interval row and spreading their charges.
    pub scatter: Duration,
    /// The two FFT convolutions.
    pub convolve: Duration,
    /// Interpolating the potentials back to the points and forming the forces.
    pub gather: Duration,
    /// Not part of the repulsion: the attractive half of the same gradient evaluation
    /// (normalising the repulsion and adding the forces along P), timed here so that one
    /// report covers the whole gradient.
    pub attraction: Duration,
}

impl FftTimings {
    /// The whole repulsion step.
    pub fn total(&self) -> Duration {
        self.kernel + self.scatter + self.convolve + self.gather
    }
}

/// Reusable state of the FFT repulsion.
#[derive(Debug, Clone, Default)]
pub(crate) struct FftRepulsion {
    conv: Convolver,
    placements: Vec<Placement>,
    /// Point indices grouped by interval row (stable, so in index order within a row).
    order: Vec<u32>,
    /// Start of each interval row in `order`, plus the end.
    row_start: Vec<usize>,
    /// Insertion cursor per interval row while sorting.
    cursor: Vec<usize>,
    geometry: Option<GridGeometry>,
    timings: Option<FftTimings>,
}

impl FftRepulsion {
    /// Writes each point's unnormalised repulsion `−Σ_j k_rep(y_i − y_j)·(y_i − y_j)` into
    /// `force` and `Σ_{j≠i} w(y_i − y_j)` into `sum_q` (both approximate).
    pub(crate) fn repulsion(&mut self, y: &[f64], dof: f64, force: &mut [f64], sum_q: &mut [f64]) {
        let n = y.len() / 2;
        let geometry = GridGeometry::covering(y);
        self.geometry = Some(geometry);
        let (intervals, nodes) = (geometry.intervals, geometry.nodes());
        self.conv.resize(nodes);
        let len = self.conv.len();
        let start = Instant::now();
        self.conv.set_kernels(geometry.node_spacing(), |d2| {
            let (w, rep) = kernel(d2, dof);
            (rep, w)
        });

        let kernel_done = Instant::now();

        // Step 1a: locate every point.
        self.placements.resize(n, Placement::default());
        self.placements
            .par_chunks_mut(CHUNK)
            .zip(y.par_chunks(2 * CHUNK))
            .for_each(|(out, ys)| {
                for (p, yi) in out.iter_mut().zip(ys.chunks_exact(2)) {
                    let (ix, ux) = geometry.locate(yi[0]);
                    let (iy, uy) = geometry.locate(yi[1]);
                    *p = Placement {
                        interval: [ix as u32, iy as u32],
                        weights: [lagrange_weights(ux), lagrange_weights(uy)]
                            .map(|w| w.map(|v| v as f32)),
                    };
                }
            });
        // Step 1b: counting sort by interval row.
        self.row_start.clear();
        self.row_start.resize(intervals + 1, 0);
        for p in &self.placements {
            self.row_start[p.interval[1] as usize + 1] += 1;
        }
        for r in 0..intervals {
            self.row_start[r + 1] += self.row_start[r];
        }
        self.order.resize(n, 0);
        self.cursor.clear();
        self.cursor.extend_from_slice(&self.row_start);
        for (i, p) in self.placements.iter().enumerate() {
            let slot = &mut self.cursor[p.interval[1] as usize];
            self.order[*slot] = i as u32;
            *slot += 1;
        }
        // Step 1c: charges onto the nodes, one task per interval row.
        let center = geometry.center();
        let (placements, order, row_start) = (&self.placements, &self.order, &self.row_start);
        self.conv
            .a
            .par_chunks_mut(K * len)
            .zip(self.conv.b.par_chunks_mut(K * len))
            .enumerate()
            .for_each(|(row, (a, b))| {
                a.fill(Complex32::new(0.0, 0.0));
                b.fill(Complex32::new(0.0, 0.0));
                for &i in &order[row_start[row]..row_start[row + 1]] {
                    let i = i as usize;
                    let p = &placements[i];
                    let qx = (y[2 * i] - center) as f32;
                    let qy = (y[2 * i + 1] - center) as f32;
                    let col0 = p.interval[0] as usize * K;
                    for (ky, &wy) in p.weights[1].iter().enumerate() {
                        let base = ky * len + col0;
                        for (kx, &wx) in p.weights[0].iter().enumerate() {
                            let w = wy * wx;
                            a[base + kx] += Complex32::new(w * qx, w * qy);
                            b[base + kx].re += w;
                        }
                    }
                }
            });

        let scatter_done = Instant::now();

        // Step 2: potentials at the nodes.
        self.conv.convolve();
        let convolve_done = Instant::now();

        // Step 3: potentials at the points, combined into forces.
        let (a, b) = (&self.conv.a, &self.conv.b);
        force
            .par_chunks_mut(2 * CHUNK)
            .zip(sum_q.par_chunks_mut(CHUNK))
            .zip(self.placements.par_chunks(CHUNK))
            .zip(y.par_chunks(2 * CHUNK))
            .for_each(|(((f, sq), ps), ys)| {
                for (((fi, sqi), p), yi) in f
                    .chunks_exact_mut(2)
                    .zip(sq.iter_mut())
                    .zip(ps)
                    .zip(ys.chunks_exact(2))
                {
                    let mut phi = [0.0f32; 4];
                    let row0 = p.interval[1] as usize * K;
                    let col0 = p.interval[0] as usize * K;
                    for (ky, &wy) in p.weights[1].iter().enumerate() {
                        let base = (row0 + ky) * len + col0;
                        for (kx, &wx) in p.weights[0].iter().enumerate() {
                            let w = wy * wx;
                            let (av, bv) = (a[base + kx], b[base + kx]);
                            phi[0] += w * bv.re;
                            phi[1] += w * av.re;
                            phi[2] += w * av.im;
                            phi[3] += w * bv.im;
                        }
                    }
                    let [phi0, phi1, phi2, phi_z] = phi.map(f64::from);
                    fi[0] = -((yi[0] - center) * phi0 - phi1);
                    fi[1] = -((yi[1] - center) * phi0 - phi2);
                    *sqi = phi_z - 1.0;
                }
            });
        self.timings = Some(FftTimings {
            intervals,
            kernel: kernel_done - start,
            scatter: scatter_done - kernel_done,
            convolve: convolve_done - scatter_done,
            gather: convolve_done.elapsed(),
            attraction: Duration::ZERO,
        });
    }

    /// Timings of the last evaluation, if any.
    pub(crate) fn timings(&self) -> Option<FftTimings> {
        self.timings
    }

    /// Timings of the last evaluation, to add the attraction's.
    pub(crate) fn timings_mut(&mut self) -> Option<&mut FftTimings> {
        self.timings.as_mut()
    }

    /// The grid of the last evaluation.
    #[cfg(test)]
    pub(crate) fn geometry(&self) -> Option<GridGeometry> {
        self.geometry
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradient::{Objective, Workspace, evaluate, exact_repulsion};
    use crate::kl::kl_divergence_exact;
    use crate::rng::{Stream, rng, standard_normal};
    use crate::{Affinities, NegativeGradientMethod, perplexity_affinities};
    use loupe_knn::{Metric, exact_knn};

    /// A Gaussian mixture at the scale of a converged layout of `n` points: ten clusters on a
    /// ring, spread `≈ 1.3·√n` (a converged MNIST layout of 70,000 spans ≈ 150 units), with
    /// affinities of matching random input.
    fn mixture(n: usize, seed: u64) -> (Affinities, Vec<f64>) {
        let mut r = rng(seed, Stream::Jitter);
        let x: Vec<f32> = (0..n * 5).map(|_| standard_normal(&mut r) as f32).collect();
        let graph = exact_knn(&x, 5, 30, Metric::Euclidean).unwrap();
        let p = perplexity_affinities(&graph, 10.0);
        let radius = 0.45 * (n as f64).sqrt();
        let y = (0..n)
            .flat_map(|i| {
                let angle = (i % 10) as f64 * std::f64::consts::TAU / 10.0;
                let c = [radius * angle.cos(), radius * angle.sin()];
                let s = 0.12 * radius;
                [
                    c[0] + s * standard_normal(&mut r),
                    c[1] + s * standard_normal(&mut r),
                ]
            })
            .collect();
        (p, y)
    }

    fn norm(v: &[f64]) -> f64 {
        v.iter().map(|x| x * x).sum::<f64>().sqrt()
    }

    fn rel_diff(a: &[f64], b: &[f64]) -> f64 {
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
        norm(&d) / norm(b)
    }

    fn gradient(
        p: &Affinities,
        y: &[f64],
        method: NegativeGradientMethod,
        dof: f64,
    ) -> (Vec<f64>, f64) {
        let mut grad = vec![0.0; y.len()];
        let objective = Objective {
            method,
            theta: 0.5,
            dof,
            exaggeration: 1.0,
        };
        let kl = evaluate(y, p, objective, &mut Workspace::default(), &mut grad, true).unwrap();
        (grad, kl)
    }

    #[test]
    fn fft_gradient_and_z_are_close_to_exact() {
        let (p, y) = mixture(1_000, 3);
        for dof in [1.0, 0.5, 3.0] {
            // Repulsion and Z alone.
            let n = y.len() / 2;
            let (mut force, mut sum_q) = (vec![0.0; 2 * n], vec![0.0; n]);
            let mut fft = FftRepulsion::default();
            fft.repulsion(&y, dof, &mut force, &mut sum_q);
            let geometry = fft.geometry().unwrap();
            let (mut exact_force, mut exact_z) = (Vec::with_capacity(2 * n), 0.0);
            for i in 0..n {
                let (f, q) = exact_repulsion(&y, i, dof);
                exact_force.extend(f);
                exact_z += q;
            }
            let z: f64 = sum_q.iter().sum();
            let rep_err = rel_diff(&force, &exact_force);
            let z_err = (z - exact_z).abs() / exact_z;
            // The whole gradient and the KL.
            let (fft_grad, fft_kl) = gradient(&p, &y, NegativeGradientMethod::Fft, dof);
            let (exact_grad, exact_kl) = gradient(&p, &y, NegativeGradientMethod::Exact, dof);
            let grad_err = rel_diff(&fft_grad, &exact_grad);
            println!(
                "dof {dof}: {} intervals; repulsion {rep_err:.2e}, Z {z_err:.2e}, gradient \
                 {grad_err:.2e}, KL {fft_kl:.6} vs {exact_kl:.6} (direct {:.6})",
                geometry.intervals,
                kl_divergence_exact(&p, &y, dof)
            );
            assert!(rep_err < 1e-2, "repulsion error {rep_err}");
            assert!(grad_err < 1e-2, "gradient error {grad_err}");
            assert!(z_err < 1e-3, "Z error {z_err}");
            assert!((fft_kl - exact_kl).abs() < 1e-3 * exact_kl);
        }
    }

    #[test]
    fn coincident_and_tiny_layouts_stay_finite() {
        for y in [
            vec![0.5; 20],
            vec![0.0, 0.0, 1e-12, 0.0],
            vec![-3.0, 2.0, 7.0, -1.0],
        ] {
            let n = y.len() / 2;
            let (mut force, mut sum_q) = (vec![0.0; 2 * n], vec![0.0; n]);
            FftRepulsion::default().repulsion(&y, 1.0, &mut force, &mut sum_q);
            assert!(force.iter().chain(&sum_q).all(|v| v.is_finite()));
        }
    }
}
