//! A linear probe: logistic regression on the labelled rows.
//!
//! Minimises the class-balanced, L2-regularised logistic loss
//! `L(w, b) = Σᵢ αᵢ·ℓ(yᵢ, w·xᵢ + b) + (λ/2)‖w‖²`, `ℓ(y, z) = log(1 + e^{−z}) ` for `y = 1` and
//! `log(1 + e^{z})` for `y = 0`, with `αᵢ = 1/(2|P|)` for positives and `1/(2|Q|)` for
//! negatives, so both classes weigh one half whatever their sizes. Training is Nesterov's
//! accelerated gradient descent (Nesterov 1983) with the safe step `1/L_f`, where
//! `L_f = ¼·Σ αᵢ(‖xᵢ‖² + 1) + λ = ½ + λ` bounds the gradient's Lipschitz constant for unit
//! rows (the logistic curvature is at most ¼). Serial, so bit-for-bit deterministic.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::dot::dot;
use crate::error::SimilarError;
use crate::strategy::{Label, Pools};
use crate::vectors::NormalisedVectors;

/// Parameters of [`crate::Strategy::LinearProbe`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeParams {
    /// L2 penalty `λ ≥ 0` on the weights (not the bias); keeps few labels from overfitting.
    pub l2: f32,
    /// Gradient steps (at least 1).
    pub epochs: usize,
    /// When there are no negatives, sample up to `max(10·|P|, 100)` unlabelled rows as weak
    /// negatives (most unlabelled rows are not positives). Without this, no negatives is a
    /// [`SimilarError::OneClass`] error.
    pub unlabelled_as_negatives: bool,
    /// Seed of the weak-negative sample, so the probe is deterministic.
    pub seed: u64,
}

impl Default for ProbeParams {
    /// λ = 0.01, 200 steps, weak negatives on, seed 0: a sensible first click.
    fn default() -> Self {
        Self {
            l2: 0.01,
            epochs: 200,
            unlabelled_as_negatives: true,
            seed: 0,
        }
    }
}

/// `σ(z) = 1 / (1 + e^{−z})`.
fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Trains the probe and returns the predicted probability `σ(w·x + b)` for every row.
pub(crate) fn probe_scores(
    v: &NormalisedVectors,
    labels: &[Label],
    pools: &Pools,
    params: ProbeParams,
) -> Result<Vec<f32>, SimilarError> {
    if !(params.l2 >= 0.0 && params.l2.is_finite()) {
        return Err(SimilarError::InvalidParameter {
            name: "l2",
            reason: "must be finite and non-negative",
        });
    }
    if params.epochs == 0 {
        return Err(SimilarError::InvalidParameter {
            name: "epochs",
            reason: "must be at least 1",
        });
    }
    let mut negatives = pools.negatives.clone();
    if negatives.is_empty() && params.unlabelled_as_negatives {
        let pool: Vec<usize> = (0..v.rows())
            .filter(|&r| labels[r] == Label::Unlabelled && v.is_defined(r))
            .collect();
        let want = (10 * pools.positives.len()).max(100).min(pool.len());
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let mut picked: Vec<usize> = rand::seq::index::sample(&mut rng, pool.len(), want)
            .into_iter()
            .map(|i| pool[i])
            .collect();
        picked.sort_unstable();
        negatives = picked;
    }
    if negatives.is_empty() {
        return Err(SimilarError::OneClass {
            positives: pools.positives.len(),
            negatives: 0,
        });
    }
    let (w, b) = train(v, &pools.positives, &negatives, params);
    let w32: Vec<f32> = w.iter().map(|&x| x as f32).collect();
    let scores = v.cosines(&w32);
    Ok(scores
        .into_iter()
        .map(|z| sigmoid(f64::from(z) + b) as f32)
        .collect())
}

/// Nesterov-accelerated gradient descent on the balanced logistic loss; returns `(w, b)`.
fn train(
    v: &NormalisedVectors,
    positives: &[usize],
    negatives: &[usize],
    params: ProbeParams,
) -> (Vec<f64>, f64) {
    let dim = v.dim();
    let l2 = f64::from(params.l2);
    let step = 1.0 / (0.5 + l2);
    let examples: Vec<(usize, f64, f64)> = positives
        .iter()
        .map(|&r| (r, 1.0, 0.5 / positives.len() as f64))
        .chain(
            negatives
                .iter()
                .map(|&r| (r, 0.0, 0.5 / negatives.len() as f64)),
        )
        .collect();
    // Parameters θ = (w, b) stored as one vector with the bias last.
    let mut theta = vec![0.0_f64; dim + 1];
    let mut prev = theta.clone();
    let mut look = theta.clone();
    let mut grad = vec![0.0_f64; dim + 1];
    let mut look32 = vec![0.0_f32; dim];
    for t in 0..params.epochs {
        let momentum = t as f64 / (t as f64 + 3.0);
        for i in 0..=dim {
            look[i] = theta[i] + momentum * (theta[i] - prev[i]);
        }
        for (o, &x) in look32.iter_mut().zip(&look[..dim]) {
            *o = x as f32;
        }
        grad.fill(0.0);
        for &(r, y, alpha) in &examples {
            let x = v.row(r);
            let z = f64::from(dot(x, &look32)) + look[dim];
            let e = alpha * (sigmoid(z) - y);
            for (g, &xi) in grad[..dim].iter_mut().zip(x) {
                *g += e * f64::from(xi);
            }
            grad[dim] += e;
        }
        for i in 0..dim {
            grad[i] += l2 * look[i];
        }
        prev.clone_from(&theta);
        for i in 0..=dim {
            theta[i] = look[i] - step * grad[i];
        }
    }
    let b = theta[dim];
    theta.truncate(dim);
    (theta, b)
}
