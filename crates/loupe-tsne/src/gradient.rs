//! The t-SNE gradient, split as openTSNE splits it: a repulsive half over all pairs (exact,
//! Barnes–Hut or FFT interpolation) that also yields the normaliser Z, and an attractive half
//! over the sparse P.
//!
//! Convention (openTSNE, `_tsne.pyx`): the gradient computed here is
//! `g_i = Σ_j α·p_ij·(1 + d_ij²/ν)⁻¹·(y_i − y_j) − (1/Z)·Σ_j (1 + d_ij²/ν)^−(ν+1)·(y_i − y_j)`
//! for exaggeration α and degrees of freedom ν, i.e. exactly **¼ of `∂KL/∂y_i`** (van der
//! Maaten & Hinton 2008, eq. 5, carry a factor 4 that openTSNE absorbs into the learning rate).
//! With `w_ij = (1 + d_ij²/ν)^−ν` the output similarities are `q_ij = w_ij / Z`,
//! `Z = Σ_{k≠l} w_kl`.

use std::time::Instant;

use rayon::prelude::*;

use crate::attraction;
use crate::bh_tree::QuadTree;
use crate::fft_gradient::{FftRepulsion, FftTimings};
use crate::{Affinities, NegativeGradientMethod};

/// Points per parallel task. Fixed, so that per-chunk partial sums (and therefore every
/// result) are identical whatever the thread count.
const CHUNK: usize = 256;

/// `(w, w_rep)` for a squared distance: the kernel `w = (1 + d²/ν)^−ν` that enters Z and the
/// repulsive weight `w^{(ν+1)/ν} = (1 + d²/ν)^−(ν+1)`.
#[inline]
#[expect(
    clippy::float_cmp,
    reason = "exactly ν = 1 takes the Cauchy fast path, as in openTSNE"
)]
pub(crate) fn kernel(d2: f64, dof: f64) -> (f64, f64) {
    if dof == 1.0 {
        let w = 1.0 / (1.0 + d2);
        (w, w * w)
    } else {
        let base = 1.0 / (1.0 + d2 / dof);
        let w = base.powf(dof);
        (w, w * base)
    }
}

/// Buffers reused across iterations so that evaluating the gradient allocates nothing.
#[derive(Debug, Default, Clone)]
pub(crate) struct Workspace {
    tree: QuadTree,
    fft: FftRepulsion,
    sum_q: Vec<f64>,
    attraction: attraction::AttractionBuffers,
}

impl Workspace {
    /// Phase timings of the last FFT repulsion, if the FFT method has run.
    pub(crate) fn fft_timings(&self) -> Option<FftTimings> {
        self.fft.timings()
    }
}

/// What shapes one gradient evaluation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Objective {
    pub method: NegativeGradientMethod,
    pub theta: f64,
    pub dof: f64,
    pub exaggeration: f64,
}

/// Writes the gradient for layout `y` into `grad` (both `N × 2`, interleaved).
///
/// When `eval_kl` is set, also returns openTSNE's error estimate for the exaggerated P:
/// `Σ α·p_ij·ln(α·p_ij / w_ij) + (Σ α·p_ij)·ln(Z + ε)`, where Z is the same (approximate, for
/// Barnes–Hut and FFT) normaliser the gradient used. It equals `α·KL + α·ln α`; see
/// [`crate::kl::correct_for_exaggeration`]. It is assembled as
/// `α·(Σ p·ln p + ln α·Σ p + ν·Σ p·ln(1 + d²/ν))`: the first two sums are constants of P
/// (in `f64`), the last comes out of the attraction pass (per row in `f32`). openTSNE's ε
/// guards inside the logarithm (`ln(α·p/(w + ε) + ε)`) are left out; they change nothing
/// for `p > 0`, and `p = 0` entries add 0 here.
pub(crate) fn evaluate(
    y: &[f64],
    p: &Affinities,
    objective: Objective,
    ws: &mut Workspace,
    grad: &mut [f64],
    eval_kl: bool,
) -> Option<f64> {
    let n = y.len() / 2;
    ws.sum_q.resize(n, 0.0);
    let Objective {
        method,
        theta,
        dof,
        exaggeration,
    } = objective;

    // Repulsion, unnormalised, and each point's share of Z.
    let method = method.resolve(n);
    match method {
        NegativeGradientMethod::Fft => ws.fft.repulsion(y, dof, grad, &mut ws.sum_q),
        NegativeGradientMethod::BarnesHut => ws.tree.build(y),
        _ => {}
    }
    let tree = &ws.tree;
    if method != NegativeGradientMethod::Fft {
        grad.par_chunks_mut(2 * CHUNK)
            .zip(ws.sum_q.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(chunk, (g, sq))| {
                for (t, (gi, sqi)) in g.chunks_exact_mut(2).zip(sq.iter_mut()).enumerate() {
                    let i = chunk * CHUNK + t;
                    let yi = [y[2 * i], y[2 * i + 1]];
                    let (force, sum_q) = if method == NegativeGradientMethod::BarnesHut {
                        tree.repulsion(yi, theta, dof)
                    } else {
                        exact_repulsion(y, i, dof)
                    };
                    gi.copy_from_slice(&force);
                    *sqi = sum_q;
                }
            });
    }
    let z: f64 = ws.sum_q.iter().sum();
    let inv_z = 1.0 / (z + f64::EPSILON);
    let attraction_start = Instant::now();

    // Normalise the repulsion and add the attraction (and, for the error, Σ p·ln(1 + d²/ν)).
    let log_terms = attraction::add_attraction(
        p,
        y,
        exaggeration,
        dof,
        inv_z,
        grad,
        &mut ws.attraction,
        eval_kl,
    );
    if let Some(t) = ws.fft.timings_mut() {
        t.attraction = attraction_start.elapsed();
    }
    // openTSNE's error estimate Σ α·p·ln(α·p / w) + (Σ α·p)·ln Z, from the constant
    // Σ p·ln p and Σ p and the pass's Σ p·ln(1 + d²/ν) = −Σ p·ln(w) / ν.
    log_terms.map(|log_terms| {
        let (p_ln_p, sum_p) = p.local().entropy();
        let alpha = exaggeration;
        alpha * (p_ln_p + alpha.ln() * sum_p + dof * log_terms)
            + alpha * sum_p * (z + f64::EPSILON).ln()
    })
}

/// Unnormalised repulsion on point `i` from every other point, and `Σ_j w_ij`.
pub(crate) fn exact_repulsion(y: &[f64], i: usize, dof: f64) -> ([f64; 2], f64) {
    let yi = [y[2 * i], y[2 * i + 1]];
    let mut force = [0.0; 2];
    let mut sum_q = 0.0;
    for (j, yj) in y.chunks_exact(2).enumerate() {
        if j == i {
            continue;
        }
        let diff = [yi[0] - yj[0], yi[1] - yj[1]];
        let (w, w_rep) = kernel(diff[0] * diff[0] + diff[1] * diff[1], dof);
        sum_q += w;
        force[0] -= w_rep * diff[0];
        force[1] -= w_rep * diff[1];
    }
    (force, sum_q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kl::kl_divergence_exact;
    use crate::perplexity_affinities;
    use crate::rng::{Stream, rng, standard_normal};
    use loupe_knn::{Metric, exact_knn};

    /// Random input → affinities, and a random layout of spread `scale`.
    fn problem(n: usize, k: usize, scale: f64, seed: u64) -> (Affinities, Vec<f64>) {
        let mut r = rng(seed, Stream::Jitter);
        let x: Vec<f32> = (0..n * 5).map(|_| standard_normal(&mut r) as f32).collect();
        let graph = exact_knn(&x, 5, k, Metric::Euclidean).unwrap();
        let p = perplexity_affinities(&graph, k as f64 / 3.0);
        // Clustered layout: four blobs, so Barnes–Hut has structure to summarise.
        let y = (0..n)
            .flat_map(|i| {
                let c = [(i % 4) as f64 * 3.0, (i % 4 / 2) as f64 * 3.0];
                [c[0], c[1]].map(|v| (v + standard_normal(&mut r)) * scale)
            })
            .collect();
        (p, y)
    }

    fn gradient(p: &Affinities, y: &[f64], method: NegativeGradientMethod, dof: f64) -> Vec<f64> {
        gradient_theta(p, y, method, dof, 0.5)
    }

    fn gradient_theta(
        p: &Affinities,
        y: &[f64],
        method: NegativeGradientMethod,
        dof: f64,
        theta: f64,
    ) -> Vec<f64> {
        let mut grad = vec![0.0; y.len()];
        let objective = Objective {
            method,
            theta,
            dof,
            exaggeration: 1.0,
        };
        evaluate(y, p, objective, &mut Workspace::default(), &mut grad, false);
        grad
    }

    #[test]
    fn analytic_gradient_is_a_quarter_of_the_kl_gradient() {
        // Central differences of KL(P‖Q) against 4 × the computed gradient (the factor the
        // openTSNE convention leaves out), for the Cauchy kernel and a heavier tail.
        for dof in [1.0, 0.6] {
            let (p, y) = problem(20, 9, 0.5, 5);
            let grad = gradient(&p, &y, NegativeGradientMethod::Exact, dof);
            let h = 1e-6;
            for c in 0..y.len() {
                let (mut plus, mut minus) = (y.clone(), y.clone());
                plus[c] += h;
                minus[c] -= h;
                let fd = (kl_divergence_exact(&p, &plus, dof)
                    - kl_divergence_exact(&p, &minus, dof))
                    / (2.0 * h);
                assert!(
                    (fd - 4.0 * grad[c]).abs() < 1e-6 * (1.0 + fd.abs()),
                    "coordinate {c}: finite difference {fd}, analytic {}",
                    4.0 * grad[c]
                );
            }
        }
    }

    #[test]
    fn barnes_hut_is_close_to_exact() {
        let (p, y) = problem(400, 30, 2.0, 9);
        let exact = gradient(&p, &y, NegativeGradientMethod::Exact, 1.0);
        let bh = gradient(&p, &y, NegativeGradientMethod::BarnesHut, 1.0);
        let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let diff: Vec<f64> = exact.iter().zip(&bh).map(|(a, b)| a - b).collect();
        let rel = norm(&diff) / norm(&exact);
        println!("Barnes–Hut relative gradient error {rel:.2e}");
        assert!(rel < 0.025, "relative error {rel}");
        // θ = 0 opens every cell: only the ε in d² separates it from the exact sum.
        for dof in [1.0, 0.6] {
            let exact = gradient(&p, &y, NegativeGradientMethod::Exact, dof);
            let bh = gradient_theta(&p, &y, NegativeGradientMethod::BarnesHut, dof, 0.0);
            let diff: Vec<f64> = exact.iter().zip(&bh).map(|(a, b)| a - b).collect();
            assert!(norm(&diff) < 1e-10 * norm(&exact));
        }
    }

    #[test]
    fn barnes_hut_kl_matches_exact_kl() {
        let (p, y) = problem(300, 30, 1.0, 2);
        let objective = Objective {
            method: NegativeGradientMethod::BarnesHut,
            theta: 0.5,
            dof: 1.0,
            exaggeration: 1.0,
        };
        let mut grad = vec![0.0; y.len()];
        let kl = evaluate(
            &y,
            &p,
            objective,
            &mut Workspace::default(),
            &mut grad,
            true,
        )
        .unwrap();
        let exact = kl_divergence_exact(&p, &y, 1.0);
        assert!((kl - exact).abs() < 0.01 * exact, "{kl} vs {exact}");
    }
}
