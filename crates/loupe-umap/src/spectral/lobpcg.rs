//! LOBPCG (Knyazev 2001, "Toward the optimal preconditioned eigensolver: locally optimal
//! block preconditioned conjugate gradient method") for the largest eigenpairs of the
//! normalised adjacency `M`, constrained to the complement of its known top eigenvector
//! `v₀ = √d / ‖√d‖`.
//!
//! Each iteration makes two passes over the `N × block` arrays and one sparse product:
//! `M·R` for the residuals `R = M·X − X·Θ`; one pass that accumulates the Gram matrices
//! `SᵀS` and `Sᵀ·M·S` of the basis `S = [X R P]` (and `v₀ᵀS`, which removes the `v₀`
//! component without another pass, since `M·v₀ = v₀`); and one pass that forms the new
//! `X`, `M·X`, `P`, `M·P` and `R` from the small Rayleigh–Ritz solution. The small generalised
//! problem is solved after scaling the basis to unit columns and dropping directions whose
//! Gram eigenvalue is negligible (SVQB, Stathopoulos & Wu 2002), so a nearly dependent
//! basis near convergence shrinks instead of blowing up. All reductions run over fixed
//! chunks added in order: the result is the same on any number of threads.

use loupe_tsne::symmetric_eigen;
use rayon::prelude::*;

use super::block::Block;
use super::{
    Normalised, SPECTRAL_MAX_ITERATIONS, SPECTRAL_TOLERANCE, SpectralFailure, SpectralReport,
};
use crate::rng::{Stream, rng, standard_normal};

/// Rows per parallel task and per partial sum.
const CHUNK: usize = 2048;
/// Largest block the fixed-size row buffers hold.
pub(super) const MAX_BLOCK: usize = 8;
/// A basis direction whose Gram eigenvalue (after scaling to unit columns) is below this
/// fraction of the largest is dropped.
const DROP_BELOW: f64 = 1e-12;

/// The iteration's arrays, each `N × m`.
struct State {
    x: Block,
    ax: Block,
    r: Block,
    ar: Block,
    p: Block,
    ap: Block,
    theta: Vec<f64>,
    has_p: bool,
}

/// The `want` eigenvectors of `op` with the largest eigenvalues below the trivial one,
/// iterating a block of `m ≤ MAX_BLOCK` vectors.
pub(super) fn lobpcg(
    op: &Normalised<'_>,
    m: usize,
    want: usize,
    seed: u64,
) -> Result<(Block, SpectralReport), SpectralFailure> {
    let n = op.graph.n_points();
    debug_assert!(want <= m && m <= MAX_BLOCK && 3 * m < n);
    let mut r = rng(seed, Stream::Spectral);
    let mut x = Block {
        data: (0..n * m).map(|_| standard_normal(&mut r)).collect(),
        cols: m,
    };
    x.project_out(&op.trivial);
    x.orthonormalise();
    if x.cols < m {
        return Err(SpectralFailure::NotConverged {
            iterations: 0,
            residual: f64::INFINITY,
        });
    }
    let mut ax = Block::zeros(n, m);
    op.apply_into(&x, &mut ax);
    // A first Rayleigh–Ritz on X alone.
    let (coef, theta) =
        small_ritz(&x.gram(&x), &x.gram(&ax), m, m).ok_or(SpectralFailure::NotConverged {
            iterations: 0,
            residual: f64::INFINITY,
        })?;
    let mut state = State {
        x: x.times(&coef, m),
        ax: ax.times(&coef, m),
        r: Block::zeros(n, m),
        ar: Block::zeros(n, m),
        p: Block::zeros(n, m),
        ap: Block::zeros(n, m),
        theta,
        has_p: false,
    };
    let mut next = [
        Block::zeros(n, m),
        Block::zeros(n, m),
        Block::zeros(n, m),
        Block::zeros(n, m),
        Block::zeros(n, m),
    ];
    let mut residual = f64::INFINITY;
    // Later residuals come out of `update`'s pass, which has the new X and M·X at hand.
    state.residuals();
    for iteration in 0..SPECTRAL_MAX_ITERATIONS {
        op.apply_into(&state.r, &mut state.ar);
        let k = if state.has_p { 3 * m } else { 2 * m };
        let (mut g, mut h, s) = state.grams(&op.trivial, k);
        // Remove the v₀ components: S' = S − v₀·s gives S'ᵀS' = SᵀS − sᵀs and, as M·v₀ = v₀,
        // S'ᵀ·M·S' = Sᵀ·M·S − sᵀs.
        for i in 0..k {
            for j in 0..k {
                g[i * k + j] -= s[i] * s[j];
                h[i * k + j] -= s[i] * s[j];
            }
        }
        residual = (0..want)
            .map(|j| g[(m + j) * k + m + j].max(0.0).sqrt())
            .fold(0.0, f64::max);
        if residual < SPECTRAL_TOLERANCE {
            return Ok((
                state.x.times(&first_columns(m, want), want),
                SpectralReport {
                    iterations: iteration,
                    residual,
                },
            ));
        }
        let solved = small_ritz(&g, &h, k, m).or_else(|| {
            // Without the search directions the basis is better conditioned.
            let k2 = 2 * m;
            let (g2, h2) = (leading(&g, k, k2), leading(&h, k, k2));
            small_ritz(&g2, &h2, k2, m).map(|(c, t)| {
                let mut padded = vec![0.0; k * m];
                padded[..k2 * m].copy_from_slice(&c);
                (padded, t)
            })
        });
        let Some((coef, theta)) = solved else {
            break;
        };
        state.theta = theta;
        state.update(&coef, &s, &op.trivial, k, &mut next);
        state.has_p = true;
    }
    Err(SpectralFailure::NotConverged {
        iterations: SPECTRAL_MAX_ITERATIONS,
        residual,
    })
}

impl State {
    /// `R = M·X − X·Θ`.
    fn residuals(&mut self) {
        let m = self.x.cols;
        let theta = &self.theta;
        self.r
            .data
            .par_chunks_mut(CHUNK * m)
            .zip(self.x.data.par_chunks(CHUNK * m))
            .zip(self.ax.data.par_chunks(CHUNK * m))
            .for_each(|((r, x), ax)| {
                for ((r, x), ax) in r
                    .chunks_exact_mut(m)
                    .zip(x.chunks_exact(m))
                    .zip(ax.chunks_exact(m))
                {
                    for j in 0..m {
                        r[j] = ax[j] - theta[j] * x[j];
                    }
                }
            });
    }

    /// Row `i` of `S = [X R P]` and of `M·S`, the first `k` columns.
    #[inline]
    fn rows(&self, i: usize, k: usize) -> ([f64; 3 * MAX_BLOCK], [f64; 3 * MAX_BLOCK]) {
        let m = self.x.cols;
        let (mut s, mut a) = ([0.0; 3 * MAX_BLOCK], [0.0; 3 * MAX_BLOCK]);
        for (part, (b, ab)) in [
            (&self.x, &self.ax),
            (&self.r, &self.ar),
            (&self.p, &self.ap),
        ]
        .into_iter()
        .enumerate()
        .take(k / m)
        {
            copy_row(&mut s[part * m..], b.row(i));
            copy_row(&mut a[part * m..], ab.row(i));
        }
        (s, a)
    }

    /// `SᵀS`, `Sᵀ·M·S` (both `k × k`) and `v₀ᵀS` over the first `k` columns of the basis.
    fn grams(&self, trivial: &Block, k: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let n = self.x.rows();
        let partial: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let (mut g, mut h, mut s) = (vec![0.0; k * k], vec![0.0; k * k], vec![0.0; k]);
                for i in chunk * CHUNK..n.min((chunk + 1) * CHUNK) {
                    let (row, a_row) = self.rows(i, k);
                    let (row, a_row) = (&row[..k], &a_row[..k]);
                    let v0 = trivial.data[i];
                    for (p, &sp) in row.iter().enumerate() {
                        s[p] += v0 * sp;
                        let (g_row, h_row) =
                            (&mut g[p * k..(p + 1) * k], &mut h[p * k..(p + 1) * k]);
                        // Both are symmetric (H in exact arithmetic): the upper triangles.
                        for q in p..k {
                            g_row[q] += sp * row[q];
                            h_row[q] += sp * a_row[q];
                        }
                    }
                }
                (g, h, s)
            })
            .collect();
        let (mut g, mut h, mut s) = (vec![0.0; k * k], vec![0.0; k * k], vec![0.0; k]);
        for (pg, ph, ps) in partial {
            g.iter_mut().zip(pg).for_each(|(t, v)| *t += v);
            h.iter_mut().zip(ph).for_each(|(t, v)| *t += v);
            s.iter_mut().zip(ps).for_each(|(t, v)| *t += v);
        }
        // Mirror the upper triangles.
        for p in 0..k {
            for q in 0..p {
                g[p * k + q] = g[q * k + p];
                h[p * k + q] = h[q * k + p];
            }
        }
        (g, h, s)
    }

    /// `X ← S'·C`, `M·X ← M·S'·C`, `P ← [R P]'·C₂`, `M·P ← M·[R P]'·C₂`, where `'` removes
    /// the `v₀` component and `C₂` is the part of `C` below the `X` rows; then the new
    /// residuals `R = M·X − X·Θ` with `self.theta` (already the new Ritz values), in the same
    /// pass, which saves one over the arrays.
    fn update(
        &mut self,
        coef: &[f64],
        s: &[f64],
        trivial: &Block,
        k: usize,
        next: &mut [Block; 5],
    ) {
        let m = self.x.cols;
        // v₀ coefficients of the new blocks: s·C and s₂·C₂.
        let mut sc = [0.0; MAX_BLOCK];
        let mut sc2 = [0.0; MAX_BLOCK];
        for (i, &si) in s.iter().enumerate().take(k) {
            for j in 0..m {
                sc[j] += si * coef[i * m + j];
                if i >= m {
                    sc2[j] += si * coef[i * m + j];
                }
            }
        }
        let [nx, nax, np, nap, nr] = next;
        let this = &*self;
        let theta = &self.theta;
        nx.data
            .par_chunks_mut(CHUNK * m)
            .zip(nax.data.par_chunks_mut(CHUNK * m))
            .zip(np.data.par_chunks_mut(CHUNK * m))
            .zip(nap.data.par_chunks_mut(CHUNK * m))
            .zip(nr.data.par_chunks_mut(CHUNK * m))
            .enumerate()
            .for_each(|(chunk, ((((x, ax), p), ap), r))| {
                for (local, ((((x, ax), p), ap), r)) in x
                    .chunks_exact_mut(m)
                    .zip(ax.chunks_exact_mut(m))
                    .zip(p.chunks_exact_mut(m))
                    .zip(ap.chunks_exact_mut(m))
                    .zip(r.chunks_exact_mut(m))
                    .enumerate()
                {
                    let i = chunk * CHUNK + local;
                    let (row, a_row) = this.rows(i, k);
                    let v0 = trivial.data[i];
                    for j in 0..m {
                        let (mut xs, mut axs, mut ps, mut aps) = (0.0, 0.0, 0.0, 0.0);
                        for q in 0..m {
                            let c = coef[q * m + j];
                            xs += row[q] * c;
                            axs += a_row[q] * c;
                        }
                        for q in m..k {
                            let c = coef[q * m + j];
                            ps += row[q] * c;
                            aps += a_row[q] * c;
                        }
                        x[j] = xs + ps - v0 * sc[j];
                        ax[j] = axs + aps - v0 * sc[j];
                        p[j] = ps - v0 * sc2[j];
                        ap[j] = aps - v0 * sc2[j];
                        r[j] = ax[j] - theta[j] * x[j];
                    }
                }
            });
        std::mem::swap(&mut self.x, nx);
        std::mem::swap(&mut self.ax, nax);
        std::mem::swap(&mut self.p, np);
        std::mem::swap(&mut self.ap, nap);
        std::mem::swap(&mut self.r, nr);
    }
}

/// Copies a row of at most [`MAX_BLOCK`] values to the front of `dst`. A copy of a length
/// known at compile time is a few moves; one of a length known only at run time is a call to
/// `memcpy`, which at one call per row and part in every pass had taken a quarter of the
/// eigensolver's time.
#[inline]
fn copy_row(dst: &mut [f64], src: &[f64]) {
    #[inline]
    fn fixed<const L: usize>(dst: &mut [f64], src: &[f64]) {
        dst[..L].copy_from_slice(&src[..L]);
    }
    match src.len() {
        1 => fixed::<1>(dst, src),
        2 => fixed::<2>(dst, src),
        3 => fixed::<3>(dst, src),
        4 => fixed::<4>(dst, src),
        5 => fixed::<5>(dst, src),
        6 => fixed::<6>(dst, src),
        7 => fixed::<7>(dst, src),
        8 => fixed::<8>(dst, src),
        n => dst[..n].copy_from_slice(src),
    }
}

/// Rayleigh–Ritz in a basis with Gram matrix `g` and projected operator `h` (both `k × k`):
/// the coefficients (`k × keep`, row-major) of the `keep` Ritz vectors with the largest Ritz
/// values, and those values; `None` when fewer than `keep` directions survive.
fn small_ritz(g: &[f64], h: &[f64], k: usize, keep: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    // Unit columns first (a zero column, such as an absent P, is left out).
    let scale: Vec<f64> = (0..k)
        .map(|i| {
            let d = g[i * k + i];
            if d > 0.0 { d.sqrt().recip() } else { 0.0 }
        })
        .collect();
    let mut gs = vec![0.0; k * k];
    let mut hs = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            gs[i * k + j] = g[i * k + j] * scale[i] * scale[j];
            hs[i * k + j] = h[i * k + j] * scale[i] * scale[j];
        }
    }
    let (values, vectors) = symmetric_eigen(&mut gs, k);
    let largest = values.iter().copied().fold(0.0, f64::max);
    let mut kept: Vec<usize> = (0..k)
        .filter(|&j| values[j] > DROP_BELOW * largest && values[j] > 0.0)
        .collect();
    kept.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let q = kept.len();
    if q < keep {
        return None;
    }
    // T = U·Λ^(−1/2) (k × q): an orthonormal basis of the span, in coefficients.
    let mut t = vec![0.0; k * q];
    for (c, &j) in kept.iter().enumerate() {
        let f = values[j].sqrt().recip();
        for i in 0..k {
            t[i * q + c] = vectors[i * k + j] * f;
        }
    }
    // Tᵀ·Hs·T (q × q).
    let mut ht = vec![0.0; k * q];
    for i in 0..k {
        for c in 0..q {
            ht[i * q + c] = (0..k).map(|l| hs[i * k + l] * t[l * q + c]).sum();
        }
    }
    let mut small = vec![0.0; q * q];
    for a in 0..q {
        for c in 0..q {
            small[a * q + c] = (0..k).map(|i| t[i * q + a] * ht[i * q + c]).sum();
        }
    }
    for a in 0..q {
        for c in 0..a {
            let avg = 0.5 * (small[a * q + c] + small[c * q + a]);
            small[a * q + c] = avg;
            small[c * q + a] = avg;
        }
    }
    let (ritz, w) = symmetric_eigen(&mut small, q);
    let mut order: Vec<usize> = (0..q).collect();
    order.sort_by(|&a, &b| ritz[b].total_cmp(&ritz[a]).then(a.cmp(&b)));
    // C = D·T·W_top (k × keep).
    let mut coef = vec![0.0; k * keep];
    for (out, &j) in order.iter().take(keep).enumerate() {
        for i in 0..k {
            let v: f64 = (0..q).map(|c| t[i * q + c] * w[c * q + j]).sum();
            coef[i * keep + out] = v * scale[i];
        }
    }
    Some((coef, order.iter().take(keep).map(|&j| ritz[j]).collect()))
}

/// The leading `k2 × k2` block of a `k × k` matrix.
fn leading(a: &[f64], k: usize, k2: usize) -> Vec<f64> {
    (0..k2)
        .flat_map(|i| a[i * k..i * k + k2].iter().copied())
        .collect()
}

/// The first `want` columns of the `cols × cols` identity, as a `cols × want` matrix.
fn first_columns(cols: usize, want: usize) -> Vec<f64> {
    let mut c = vec![0.0; cols * want];
    for j in 0..want.min(cols) {
        c[j * want + j] = 1.0;
    }
    c
}
