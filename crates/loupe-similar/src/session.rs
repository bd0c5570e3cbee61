//! One simulated user: start labels, then a page of candidates labelled per iteration.
//!
//! Shared by [`crate::simulate`] and [`crate::run_experiment`], so both replay the same loop
//! with the same random draws.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::SimilarError;
use crate::ranker::Ranker;
use crate::strategy::{Label, Strategy};
use crate::vectors::NormalisedVectors;

/// The ground truth, sorted once into the rows that count: truly positive and truly negative
/// rows with a defined direction (an undefined row can never be shown, so it cannot count
/// against recall).
pub(crate) struct Truth<'a> {
    rows: &'a [bool],
    positives: Vec<usize>,
    negatives: Vec<usize>,
}

impl<'a> Truth<'a> {
    /// Checks the length and that there is something to find.
    pub(crate) fn new(v: &NormalisedVectors, truth: &'a [bool]) -> Result<Self, SimilarError> {
        if truth.len() != v.rows() {
            return Err(SimilarError::LengthMismatch {
                what: "truth",
                expected: v.rows(),
                found: truth.len(),
            });
        }
        let (positives, negatives): (Vec<usize>, Vec<usize>) = (0..v.rows())
            .filter(|&r| v.is_defined(r))
            .partition(|&r| truth[r]);
        if positives.is_empty() {
            return Err(SimilarError::NoPositives);
        }
        Ok(Self {
            rows: truth,
            positives,
            negatives,
        })
    }

    /// Truly positive rows with a defined direction: recall's denominator.
    pub(crate) fn positives(&self) -> usize {
        self.positives.len()
    }
}

/// How the simulated user behaves; checked by [`Self::check`] before anything runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserParams {
    pub start_pos: usize,
    pub start_neg: usize,
    pub per_iteration: usize,
    pub label_noise: f64,
}

impl UserParams {
    /// `start_pos ≥ 1`, `per_iteration ≥ 1`, `label_noise ∈ [0, 1]`.
    pub(crate) fn check(&self) -> Result<(), SimilarError> {
        if self.start_pos == 0 {
            return Err(SimilarError::InvalidParameter {
                name: "start_pos",
                reason: "must be at least 1",
            });
        }
        if self.per_iteration == 0 {
            return Err(SimilarError::InvalidParameter {
                name: "per_iteration",
                reason: "must be at least 1",
            });
        }
        if !(0.0..=1.0).contains(&self.label_noise) {
            return Err(SimilarError::InvalidParameter {
                name: "label_noise",
                reason: "must be within [0, 1]",
            });
        }
        Ok(())
    }
}

/// A user part-way through a session.
pub(crate) struct Session<'a> {
    vectors: &'a NormalisedVectors,
    truth: &'a Truth<'a>,
    user: UserParams,
    labels: Vec<Label>,
    ranker: Ranker,
    rng: ChaCha8Rng,
    /// Truly positive rows labelled positive.
    found: usize,
}

impl<'a> Session<'a> {
    /// Labels `start_pos` random true positives and `start_neg` random true negatives (fewer
    /// when there are not that many), drawn from a generator seeded with `seed`.
    pub(crate) fn start(
        vectors: &'a NormalisedVectors,
        truth: &'a Truth<'a>,
        strategy: Strategy,
        user: UserParams,
        seed: u64,
    ) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut labels = vec![Label::Unlabelled; vectors.rows()];
        let pos = &truth.positives;
        let neg = &truth.negatives;
        let start_pos = user.start_pos.min(pos.len());
        for i in rand::seq::index::sample(&mut rng, pos.len(), start_pos) {
            labels[pos[i]] = Label::Positive;
        }
        for i in rand::seq::index::sample(&mut rng, neg.len(), user.start_neg.min(neg.len())) {
            labels[neg[i]] = Label::Negative;
        }
        Self {
            vectors,
            truth,
            user,
            labels,
            ranker: Ranker::new(strategy, vectors.rows()),
            rng,
            found: start_pos,
        }
    }

    /// `|truly positive ∧ labelled positive| / |truly positive|`, over rows with a direction.
    pub(crate) fn recall(&self) -> f64 {
        self.found as f64 / self.truth.positives() as f64
    }

    /// Shows the next `per_iteration` candidates and labels them truthfully, each label
    /// flipped with probability `label_noise` (one draw per candidate, noise or not, so the
    /// draws do not depend on the noise level). `Ok(false)` when nothing was left to show.
    pub(crate) fn step(&mut self) -> Result<bool, SimilarError> {
        let shown = match self
            .ranker
            .rank(self.vectors, &self.labels, self.user.per_iteration)
        {
            Ok(shown) => shown,
            Err(SimilarError::AllLabelled { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        for (r, _) in shown {
            let flip = self.rng.random::<f64>() < self.user.label_noise;
            let truly = self.truth.rows[r];
            self.labels[r] = if truly == flip {
                Label::Negative
            } else {
                if truly {
                    self.found += 1;
                }
                Label::Positive
            };
        }
        Ok(true)
    }
}
