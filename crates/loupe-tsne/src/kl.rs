//! The KL divergence `KL(P‖Q) = Σ_{i≠j} p_ij ln(p_ij / q_ij)`, the t-SNE objective (van der
//! Maaten & Hinton 2008, eq. 2).

use crate::Affinities;
use crate::gradient::kernel;

/// openTSNE's report of the error during an exaggerated phase: the error evaluated with
/// `α·P` (which is `α·KL + α·ln α`) is mapped back to the KL of the true P as
/// `error/α − ln α` (`gradient_descent.__call__`).
#[expect(
    clippy::float_cmp,
    reason = "openTSNE corrects only when exaggeration != 1 exactly"
)]
pub fn correct_for_exaggeration(raw: f64, exaggeration: f64) -> f64 {
    if exaggeration == 1.0 {
        raw
    } else {
        raw / exaggeration - exaggeration.ln()
    }
}

/// The exact KL divergence of layout `y` (`N × 2`) in `O(N²)`, for tests and small data.
pub fn kl_divergence_exact(p: &Affinities, y: &[f64], dof: f64) -> f64 {
    let n = p.n_points();
    let d2 = |i: usize, j: usize| {
        let (dx, dy) = (y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]);
        dx * dx + dy * dy
    };
    let z: f64 = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| j != i)
                .map(|j| kernel(d2(i, j), dof).0)
                .sum::<f64>()
        })
        .sum();
    (0..n)
        .map(|i| {
            let (cols, vals) = p.row(i);
            cols.iter()
                .zip(vals)
                .filter(|&(_, &pij)| pij > 0.0)
                .map(|(&j, &pij)| pij * (pij * z / kernel(d2(i, j as usize), dof).0).ln())
                .sum::<f64>()
        })
        .sum()
}
