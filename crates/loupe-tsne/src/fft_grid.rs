//! Convolution of interpolation-node values with the t-SNE kernels by FFT (Linderman et al.
//! 2019, "Fast interpolation-based t-SNE", Nature Methods 16, 243–245, step 2).
//!
//! The kernel between nodes of an equispaced `m × m` grid is a two-level Toeplitz matrix; it is
//! embedded in a `2m × 2m` circulant one and applied by FFT (openTSNE's
//! `matrix_multiply_fft_2d`). openTSNE does this with four real 2-D FFT round trips in `f64`
//! on one thread; here the same products come from two complex round trips in `f32`, packed
//! so that no work is wasted:
//!
//! * both kernels — the repulsive `(1 + d²/ν)^−(ν+1)` and the normaliser's `(1 + d²/ν)^−ν`
//!   (Kobak et al. 2019, "Heavy-tailed kernels reveal a finer cluster structure in t-SNE
//!   visualisations") — are real and even, so one transform of `k_rep + i·k_z` yields both
//!   (real) spectra as its real and imaginary parts;
//! * grid `a = Σ x·w + i·Σ y·w` times the repulsive spectrum gives `φ₁ + i·φ₂`;
//! * grid `b = Σ w` (real) times `K_rep + i·K_z` gives `φ₀ + i·φ_Z`.
//!
//! Only the first `m` rows are non-zero before the transform and needed after it, so the row
//! passes skip the padding rows. Rows are transformed in parallel in fixed groups; every row's
//! transform is independent of the thread count, so results are deterministic. Plans and
//! buffers live as long as the grid size does: an iteration allocates nothing.

use std::sync::Arc;

use rayon::prelude::*;
use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

/// Rows per parallel task in the row passes.
const ROWS_PER_TASK: usize = 4;
/// Rows per parallel task (and cache block) in the transposes.
const TRANSPOSE_BLOCK: usize = 16;

const ZERO: Complex32 = Complex32::new(0.0, 0.0);

#[derive(Clone)]
struct Plans {
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    scratch_len: usize,
}

/// The FFT convolution state for one grid size; [`Convolver::resize`] re-plans on change.
#[derive(Clone, Default)]
pub(crate) struct Convolver {
    /// Nodes per axis, `m`.
    nodes: usize,
    plans: Option<Plans>,
    /// `m × 2m`: node values in, `φ₁ + i·φ₂` out (columns `≥ m` are padding).
    pub(crate) a: Vec<Complex32>,
    /// `m × 2m`: node values in, `φ₀ + i·φ_Z` out.
    pub(crate) b: Vec<Complex32>,
    /// `2m × 2m` work grid, transposed (frequency along x in rows).
    work: Vec<Complex32>,
    /// `2m × 2m` spectrum `K_rep + i·K_z`, transposed like `work`, scaled by `1/(2m)²`.
    spectrum: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

impl std::fmt::Debug for Convolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Convolver")
            .field("nodes", &self.nodes)
            .finish_non_exhaustive()
    }
}

impl Convolver {
    /// Prepares plans and buffers for `nodes` per axis (no-op when unchanged).
    pub(crate) fn resize(&mut self, nodes: usize) {
        if nodes == self.nodes && self.plans.is_some() {
            return;
        }
        let len = 2 * nodes;
        let mut planner = FftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(len);
        let inverse = planner.plan_fft_inverse(len);
        let scratch_len = forward
            .get_inplace_scratch_len()
            .max(inverse.get_inplace_scratch_len())
            .max(1);
        self.nodes = nodes;
        self.a.resize(nodes * len, ZERO);
        self.b.resize(nodes * len, ZERO);
        self.work.resize(len * len, ZERO);
        self.spectrum.resize(len * len, ZERO);
        self.scratch
            .resize(len.div_ceil(ROWS_PER_TASK) * scratch_len, ZERO);
        self.plans = Some(Plans {
            forward,
            inverse,
            scratch_len,
        });
    }

    /// Row length of the padded grids, `2m`.
    pub(crate) fn len(&self) -> usize {
        2 * self.nodes
    }

    /// Evaluates `(k_rep, k_z)` for node offsets with squared distance `d²` (in layout units,
    /// given the node spacing) and stores the spectrum of `k_rep + i·k_z`.
    pub(crate) fn set_kernels(&mut self, spacing: f64, kernel: impl Fn(f64) -> (f64, f64) + Sync) {
        let Some(plans) = &self.plans else { return };
        let (m, len) = (self.nodes, self.len());
        let scale = 1.0 / (len * len) as f64;
        // Circulant embedding: index r stands for offset r (r < m), nothing (r = m) or
        // len − r (r > m). The grid is even in both axes, so only rows 0..=m are evaluated
        // and transformed, and only spectrum rows 0..=m are transformed: the rest mirror them.
        let offset = |r: usize| (r != m).then(|| if r < m { r } else { len - r });
        let top = &mut self.work[..(m + 1) * len];
        top.par_chunks_mut(len).enumerate().for_each(|(r, row)| {
            let Some(dr) = offset(r) else {
                row.fill(ZERO);
                return;
            };
            for (c, v) in row.iter_mut().enumerate() {
                *v = offset(c).map_or(ZERO, |dc| {
                    let d2 = ((dr * dr + dc * dc) as f64) * spacing * spacing;
                    let (rep, z) = kernel(d2);
                    Complex32::new((rep * scale) as f32, (z * scale) as f32)
                });
            }
        });
        rows_fft(
            top,
            len,
            &*plans.forward,
            &mut self.scratch,
            plans.scratch_len,
        );
        let (spectrum_top, spectrum_bottom) = self.spectrum.split_at_mut((m + 1) * len);
        transpose_even(top, m, len, spectrum_top);
        rows_fft(
            spectrum_top,
            len,
            &*plans.forward,
            &mut self.scratch,
            plans.scratch_len,
        );
        spectrum_bottom
            .par_chunks_mut(len)
            .enumerate()
            .for_each(|(i, row)| {
                row.copy_from_slice(&spectrum_top[(m - 1 - i) * len..(m - i) * len]);
            });
    }

    /// Convolves grids `a` and `b` (rows `< m`, columns `< m` filled, the rest zero) with the
    /// kernels of the last [`Self::set_kernels`], in place.
    pub(crate) fn convolve(&mut self) {
        let Some(plans) = &self.plans else { return };
        let (m, len) = (self.nodes, self.len());
        for (grid, complex_kernel) in [(&mut self.a, false), (&mut self.b, true)] {
            rows_fft(
                grid,
                len,
                &*plans.forward,
                &mut self.scratch,
                plans.scratch_len,
            );
            transpose_in(grid, m, len, &mut self.work);
            // Column transforms (rows of the transposed grid), product, inverse.
            self.work
                .par_chunks_mut(ROWS_PER_TASK * len)
                .zip(self.spectrum.par_chunks(ROWS_PER_TASK * len))
                .zip(self.scratch.par_chunks_mut(plans.scratch_len))
                .for_each(|((rows, kernel), scratch)| {
                    plans.forward.process_with_scratch(rows, scratch);
                    if complex_kernel {
                        for (v, k) in rows.iter_mut().zip(kernel) {
                            *v *= k;
                        }
                    } else {
                        for (v, k) in rows.iter_mut().zip(kernel) {
                            *v *= k.re;
                        }
                    }
                    plans.inverse.process_with_scratch(rows, scratch);
                });
            transpose_out(&self.work, len, m, grid);
            rows_fft(
                grid,
                len,
                &*plans.inverse,
                &mut self.scratch,
                plans.scratch_len,
            );
        }
    }
}

/// Transforms every row (length `len`) of `buf` in place, in parallel.
fn rows_fft(
    buf: &mut [Complex32],
    len: usize,
    fft: &dyn Fft<f32>,
    scratch: &mut [Complex32],
    scratch_len: usize,
) {
    buf.par_chunks_mut(ROWS_PER_TASK * len)
        .zip(scratch.par_chunks_mut(scratch_len))
        .for_each(|(rows, scratch)| fft.process_with_scratch(rows, scratch));
}

/// `dst[c][r] = src[r][c]` for the `rows` rows of `src` (`rows × len`); `dst` is `len × len`
/// and its columns `≥ rows` are zeroed.
fn transpose_in(src: &[Complex32], rows: usize, len: usize, dst: &mut [Complex32]) {
    dst.par_chunks_mut(TRANSPOSE_BLOCK * len)
        .enumerate()
        .for_each(|(block, out)| {
            let c0 = block * TRANSPOSE_BLOCK;
            let width = out.len() / len;
            for (r, src_row) in src.chunks_exact(len).take(rows).enumerate() {
                for (dc, &v) in src_row[c0..c0 + width].iter().enumerate() {
                    out[dc * len + r] = v;
                }
            }
            for row in out.chunks_exact_mut(len) {
                row[rows..].fill(ZERO);
            }
        });
}

/// `dst[c][r] = src[r'][c]` with `r' = r` for `r ≤ m` and `2m − r` beyond (the even extension
/// of `src`'s rows `0..=m`), for the rows `c` of `dst`.
fn transpose_even(src: &[Complex32], m: usize, len: usize, dst: &mut [Complex32]) {
    dst.par_chunks_mut(TRANSPOSE_BLOCK * len)
        .enumerate()
        .for_each(|(block, out)| {
            let c0 = block * TRANSPOSE_BLOCK;
            let width = out.len() / len;
            for r in 0..len {
                let from = if r <= m { r } else { len - r };
                let src_row = &src[from * len..(from + 1) * len];
                for (dc, &v) in src_row[c0..c0 + width].iter().enumerate() {
                    out[dc * len + r] = v;
                }
            }
        });
}

/// `dst[r][c] = src[c][r]` for the `rows` rows of `dst` (`rows × len`); `src` is `len × len`.
fn transpose_out(src: &[Complex32], len: usize, rows: usize, dst: &mut [Complex32]) {
    dst[..rows * len]
        .par_chunks_mut(TRANSPOSE_BLOCK * len)
        .enumerate()
        .for_each(|(block, out)| {
            let r0 = block * TRANSPOSE_BLOCK;
            let height = out.len() / len;
            for (c, src_row) in src.chunks_exact(len).enumerate() {
                for (dr, &v) in src_row[r0..r0 + height].iter().enumerate() {
                    out[dr * len + c] = v;
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_direct_convolution() {
        let m = 7;
        let mut conv = Convolver::default();
        conv.resize(m);
        let len = conv.len();
        let spacing = 0.7;
        let kernel = |d2: f64| (1.0 / (1.0 + d2) / (1.0 + d2), 1.0 / (1.0 + d2));
        conv.set_kernels(spacing, kernel);
        let value = |r: usize, c: usize| ((r * 3 + c * 5) % 7) as f32 - 2.0;
        for r in 0..m {
            for c in 0..m {
                conv.a[r * len + c] = Complex32::new(value(r, c), value(c, r));
                conv.b[r * len + c] = Complex32::new(value(r, c), 0.0);
            }
        }
        conv.convolve();
        for r in 0..m {
            for c in 0..m {
                let mut want = [0.0f64; 4];
                for r2 in 0..m {
                    for c2 in 0..m {
                        let (dr, dc) = (r.abs_diff(r2), c.abs_diff(c2));
                        let d2 = ((dr * dr + dc * dc) as f64) * spacing * spacing;
                        let (rep, z) = kernel(d2);
                        want[0] += rep * f64::from(value(r2, c2));
                        want[1] += rep * f64::from(value(c2, r2));
                        want[2] += z * f64::from(value(r2, c2));
                        want[3] += rep * f64::from(value(r2, c2));
                    }
                }
                let (a, b) = (conv.a[r * len + c], conv.b[r * len + c]);
                let got = [a.re, a.im, b.im, b.re].map(f64::from);
                for (g, w) in got.iter().zip(want) {
                    assert!((g - w).abs() < 1e-5 * (1.0 + w.abs()), "{g} vs {w}");
                }
            }
        }
    }
}
