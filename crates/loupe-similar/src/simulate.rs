//! Replays the "find more like this" loop with a simulated user, to compare strategies.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::SimilarError;
use crate::strategy::{Label, Strategy};
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
pub fn simulate(
    vectors: &NormalisedVectors,
    truth: &[bool],
    strategy: Strategy,
    params: &SimulateParams,
) -> Result<Vec<f64>, SimilarError> {
    let n = vectors.rows();
    if truth.len() != n {
        return Err(SimilarError::LengthMismatch {
            what: "truth",
            expected: n,
            found: truth.len(),
        });
    }
    if params.start_pos == 0 {
        return Err(SimilarError::InvalidParameter {
            name: "start_pos",
            reason: "must be at least 1",
        });
    }
    if params.per_iteration == 0 {
        return Err(SimilarError::InvalidParameter {
            name: "per_iteration",
            reason: "must be at least 1",
        });
    }
    if !(0.0..=1.0).contains(&params.label_noise) {
        return Err(SimilarError::InvalidParameter {
            name: "label_noise",
            reason: "must be within [0, 1]",
        });
    }
    let pos: Vec<usize> = (0..n)
        .filter(|&r| truth[r] && vectors.is_defined(r))
        .collect();
    let neg: Vec<usize> = (0..n)
        .filter(|&r| !truth[r] && vectors.is_defined(r))
        .collect();
    if pos.is_empty() {
        return Err(SimilarError::NoPositives);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut labels = vec![Label::Unlabelled; n];
    for i in rand::seq::index::sample(&mut rng, pos.len(), params.start_pos.min(pos.len())) {
        labels[pos[i]] = Label::Positive;
    }
    for i in rand::seq::index::sample(&mut rng, neg.len(), params.start_neg.min(neg.len())) {
        labels[neg[i]] = Label::Negative;
    }
    let recall = |labels: &[Label]| {
        let found = pos
            .iter()
            .filter(|&&r| labels[r] == Label::Positive)
            .count();
        found as f64 / pos.len() as f64
    };
    let mut out = Vec::with_capacity(params.iterations);
    for _ in 0..params.iterations {
        match vectors.rank(&labels, strategy, params.per_iteration) {
            Ok(shown) => {
                for (r, _) in shown {
                    let flip = rng.random::<f64>() < params.label_noise;
                    labels[r] = if truth[r] == flip {
                        Label::Negative
                    } else {
                        Label::Positive
                    };
                }
            }
            Err(SimilarError::AllLabelled { .. }) => {}
            Err(e) => return Err(e),
        }
        out.push(recall(&labels));
    }
    Ok(out)
}
