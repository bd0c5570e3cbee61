//! Replays the "find more like this" loop with a simulated user, to compare strategies.

use crate::error::SimilarError;
use crate::session::{Session, Truth, UserParams};
use crate::strategy::Strategy;
use crate::vectors::NormalisedVectors;

/// Settings of one simulated session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulateParams {
    /// Truly positive rows the user starts from (at least 1), drawn at random.
    pub start_pos: usize,
    /// Truly negative rows labelled at the start (fewer if there are not enough).
    pub start_neg: usize,
    /// Candidates shown and labelled per iteration (at least 1).
    pub per_iteration: usize,
    /// Number of iterations.
    pub iterations: usize,
    /// Probability in `[0, 1]` that the user gives the wrong label to a shown candidate.
    pub label_noise: f64,
    /// Seed of the start sample and of the label noise.
    pub seed: u64,
}

/// Simulates a user who starts from `start_pos` true positives and `start_neg` true
/// negatives, and at each iteration labels the top `per_iteration` candidates of `strategy`
/// truthfully, except that each label is flipped with probability `label_noise`.
///
/// Returns the recall after each iteration: `|{i : truth(i) ∧ labelled positive}| /
/// |{i : truth(i) ∧ row i defined}|` (the start positives count). If every row becomes
/// labelled, the remaining iterations repeat the last recall. Deterministic for a seed.
///
/// The same loop as one run of [`crate::run_experiment`] (which also records the recall of
/// the start labels and can stop at a target), with the same incremental ranking.
pub fn simulate(
    vectors: &NormalisedVectors,
    truth: &[bool],
    strategy: Strategy,
    params: &SimulateParams,
) -> Result<Vec<f64>, SimilarError> {
    let user = UserParams {
        start_pos: params.start_pos,
        start_neg: params.start_neg,
        per_iteration: params.per_iteration,
        label_noise: params.label_noise,
    };
    user.check()?;
    strategy.validate()?;
    let truth = Truth::new(vectors, truth)?;
    let mut session = Session::start(vectors, &truth, strategy, user, params.seed);
    let mut out = Vec::with_capacity(params.iterations);
    for _ in 0..params.iterations {
        session.step()?;
        out.push(session.recall());
    }
    Ok(out)
}
