//! A linear probe: logistic regression on the labelled rows.
//!
//! Minimises the class-balanced, L2-regularised logistic loss
//! `L(w, b) = Σᵢ αᵢ·ℓ(yᵢ, w·xᵢ + b) + (λ/2)‖w‖²`, `ℓ(y, z) = log(1 + e^{−z}) ` for `y = 1` and
//! `log(1 + e^{z})` for `y = 0`, with `αᵢ = 1/(2|P|)` for positives and `1/(2|Q|)` for
//! negatives, so both classes weigh one half whatever their sizes. Training is Nesterov's
//! accelerated gradient descent (Nesterov 1983) with the safe step `1/L_f`, where
//! `L_f = ¼·Σ αᵢ(‖xᵢ‖² + 1) + λ = ½ + λ` bounds the gradient's Lipschitz constant for unit
//! rows (the logistic curvature is at most ¼). The gradient is summed over fixed chunks of
//! examples merged in order, so training is parallel yet bit-for-bit deterministic.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use rayon::prelude::*;

use crate::dot::dot_fn;
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

impl ProbeParams {
    /// Checks `l2` (finite, non-negative) and `epochs` (at least 1).
    pub fn validate(&self) -> Result<(), SimilarError> {
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return Err(SimilarError::InvalidParameter {
                name: "l2",
                reason: "must be finite and non-negative",
            });
        }
        if self.epochs == 0 {
            return Err(SimilarError::InvalidParameter {
                name: "epochs",
                reason: "must be at least 1",
            });
        }
        Ok(())
    }
}

/// Labelled examples per parallel piece of the gradient: enough work (256 rows × D
/// multiply-adds) to amortise a task, few enough pieces to merge cheaply.
const GRADIENT_CHUNK: usize = 256;

/// A warm-started training takes `epochs / WARM_FRACTION` steps: 25 of the default 200.
const WARM_FRACTION: usize = 8;

/// `σ(z) = 1 / (1 + e^{−z})`.
fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Trained probe weights `(w, b)`, kept between rankings to warm-start the next training.
pub(crate) type Weights = (Vec<f64>, f64);

/// Trains the probe from zero and returns the predicted probability `σ(w·x + b)` for every
/// row.
pub(crate) fn probe_scores(
    v: &NormalisedVectors,
    labels: &[Label],
    pools: &Pools,
    params: ProbeParams,
) -> Result<Vec<f32>, SimilarError> {
    let mut weights = None;
    probe_scores_from(v, labels, pools, params, &mut weights)
}

/// [`probe_scores`], starting from `weights` when given (and then training `epochs / 8`
/// steps, at least one, instead of `epochs`); `weights` is left holding the new weights.
///
/// The loss is strongly convex (λ > 0), so a start near the optimum needs few steps: when a
/// page of labels is added to many, the optimum moves little. This is what makes the probe
/// affordable in a long simulated session — training from zero costs `epochs` passes over
/// all labelled rows at every iteration, which at thousands of labels is minutes per run.
pub(crate) fn probe_scores_from(
    v: &NormalisedVectors,
    labels: &[Label],
    pools: &Pools,
    params: ProbeParams,
    weights: &mut Option<Weights>,
) -> Result<Vec<f32>, SimilarError> {
    params.validate()?;
    let negatives = training_negatives(v, labels, pools, params)?;
    let (w, b) = train(v, &pools.positives, &negatives, params, weights.take());
    let w32: Vec<f32> = w.iter().map(|&x| x as f32).collect();
    let scores = v.cosines(&w32);
    let out = scores
        .into_iter()
        .map(|z| sigmoid(f64::from(z) + b) as f32)
        .collect();
    *weights = Some((w, b));
    Ok(out)
}

/// The negatives to train on: the labelled ones, else (when allowed) a seeded sample of
/// unlabelled rows as weak negatives.
fn training_negatives(
    v: &NormalisedVectors,
    labels: &[Label],
    pools: &Pools,
    params: ProbeParams,
) -> Result<Vec<usize>, SimilarError> {
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
    Ok(negatives)
}

/// Nesterov-accelerated gradient descent on the balanced logistic loss; returns `(w, b)`.
/// A warm start (`start`) trains `epochs / 8` steps (at least one) with fresh momentum.
fn train(
    v: &NormalisedVectors,
    positives: &[usize],
    negatives: &[usize],
    params: ProbeParams,
    start: Option<Weights>,
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
    let (mut theta, epochs) = match start {
        Some((mut w, b)) if w.len() == dim => {
            w.push(b);
            (w, (params.epochs / WARM_FRACTION).max(1))
        }
        _ => (vec![0.0_f64; dim + 1], params.epochs),
    };
    let mut prev = theta.clone();
    let mut look = theta.clone();
    let mut grad = vec![0.0_f64; dim + 1];
    let mut look32 = vec![0.0_f32; dim];
    for t in 0..epochs {
        let momentum = t as f64 / (t as f64 + 3.0);
        for i in 0..=dim {
            look[i] = theta[i] + momentum * (theta[i] - prev[i]);
        }
        for (o, &x) in look32.iter_mut().zip(&look[..dim]) {
            *o = x as f32;
        }
        // Per-chunk partial gradients summed in chunk order: parallel, yet the same bits on
        // any number of threads.
        let bias = look[dim];
        let partials: Vec<Vec<f64>> = examples
            .par_chunks(GRADIENT_CHUNK)
            .map(|chunk| {
                let dot = dot_fn();
                let mut g = vec![0.0_f64; dim + 1];
                for &(r, y, alpha) in chunk {
                    let x = v.row(r);
                    let z = f64::from(dot(x, &look32)) + bias;
                    let e = alpha * (sigmoid(z) - y);
                    for (g, &xi) in g[..dim].iter_mut().zip(x) {
                        *g += e * f64::from(xi);
                    }
                    g[dim] += e;
                }
                g
            })
            .collect();
        grad.fill(0.0);
        for part in &partials {
            for (g, p) in grad.iter_mut().zip(part) {
                *g += p;
            }
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
