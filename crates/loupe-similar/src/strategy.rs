//! Ranking strategies: from positive/negative labels to a score per row.

use crate::error::SimilarError;
use crate::probe::{ProbeParams, probe_scores};
use crate::select::par_top_k;
use crate::vectors::{NormalisedVectors, normalise};

/// What the user said about a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Label {
    /// Not judged yet: a candidate.
    #[default]
    Unlabelled,
    /// "More like this."
    Positive,
    /// "Not this."
    Negative,
}

/// How labels become a score per row. Higher scores rank first; every strategy only ever
/// surfaces unlabelled rows with a defined direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strategy {
    /// Cosine to the normalised mean of the positives' unit vectors,
    /// `s(x) = x·m / ‖m‖` with `m = Σ_{p∈P} p / |P|` (a Rocchio query without negatives).
    /// Fast: one pass, like a single-point query.
    MeanCosine,
    /// Nearest-to-any-positive: `s(x) = max_{p∈P} x·p`. Keeps multi-modal pools apart
    /// where the mean would fall between modes. Costs `|P|` passes of dot products.
    MaxCosine,
    /// Each positive's exact top-`per_positive` unlabelled neighbours vote; a row's score is
    /// its number of votes plus `(1 + c̄)/4 ∈ [0, ½]`, where `c̄ = mean_{p∈P} x·p`, so votes
    /// dominate and ties are broken by mean cosine. Labelled rows get no votes.
    VotedNeighbours {
        /// How many neighbours each positive votes for (at least 1).
        per_positive: usize,
    },
    /// Rocchio-style contrast: cosine to `d = mean(P) − mean(Q)` over the positives' `P` and
    /// negatives' `Q` unit vectors (Rocchio 1971 with β = γ = 1). With no (defined)
    /// negatives it is exactly [`Strategy::MeanCosine`]. It does not subtract the max cosine
    /// to negatives.
    Contrastive,
    /// L2-regularised logistic regression on the labelled rows; the score is the predicted
    /// probability of "positive". See [`ProbeParams`].
    LinearProbe(ProbeParams),
}

impl Strategy {
    /// Checks the strategy's own parameters (`per_positive ≥ 1`; the probe's `l2` finite and
    /// non-negative, `epochs ≥ 1`), so a long experiment fails before it starts rather than at
    /// its first ranking.
    pub fn validate(&self) -> Result<(), SimilarError> {
        match *self {
            Self::VotedNeighbours { per_positive: 0 } => Err(SimilarError::InvalidParameter {
                name: "per_positive",
                reason: "must be at least 1",
            }),
            Self::LinearProbe(params) => params.validate(),
            _ => Ok(()),
        }
    }
}

/// Below this norm a mean of unit vectors (norm ≤ 1, or ≤ 2 for a difference of means) is
/// treated as cancelled out: its direction is rounding noise, not a query.
const CANCELLED_NORM: f64 = 1e-5;

/// Zeroes a derived direction whose norm is below [`CANCELLED_NORM`], so that `normalise`
/// reports it as having no direction instead of amplifying rounding error.
fn cancelled(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt();
    if norm < CANCELLED_NORM {
        v.fill(0.0);
    }
    v
}

/// Labelled rows gathered once per request.
pub(crate) struct Pools {
    pub positives: Vec<usize>,
    pub negatives: Vec<usize>,
    pub unlabelled: usize,
}

impl NormalisedVectors {
    /// Sorts `labels` into positives and defined negatives; positives must have a direction.
    /// Undefined negatives are ignored (they carry no direction to contrast with).
    pub(crate) fn pools(&self, labels: &[Label]) -> Result<Pools, SimilarError> {
        if labels.len() != self.rows() {
            return Err(SimilarError::LengthMismatch {
                what: "labels",
                expected: self.rows(),
                found: labels.len(),
            });
        }
        let mut pools = Pools {
            positives: Vec::new(),
            negatives: Vec::new(),
            unlabelled: 0,
        };
        for (row, &label) in labels.iter().enumerate() {
            match label {
                Label::Positive => {
                    self.check_query_row(row)?;
                    pools.positives.push(row);
                }
                Label::Negative if self.is_defined(row) => pools.negatives.push(row),
                Label::Unlabelled if self.is_defined(row) => pools.unlabelled += 1,
                Label::Negative | Label::Unlabelled => {}
            }
        }
        if pools.positives.is_empty() {
            return Err(SimilarError::NoPositives);
        }
        Ok(pools)
    }

    /// `Σ_{r∈rows} row(r) / |rows|` (not normalised); zero for an empty set.
    pub(crate) fn mean_of(&self, rows: &[usize]) -> Vec<f32> {
        let mut m = vec![0.0_f64; self.dim()];
        for &r in rows {
            for (a, &x) in m.iter_mut().zip(self.row(r)) {
                *a += f64::from(x);
            }
        }
        let inv = if rows.is_empty() {
            0.0
        } else {
            1.0 / rows.len() as f64
        };
        m.iter().map(|&a| (a * inv) as f32).collect()
    }

    /// The unit query direction for the strategies that are a single cosine, if any.
    fn direction(
        &self,
        pools: &Pools,
        strategy: Strategy,
    ) -> Result<Option<Vec<f32>>, SimilarError> {
        match strategy {
            Strategy::MeanCosine => normalise(
                &cancelled(self.mean_of(&pools.positives)),
                self.dim(),
                "mean of positives",
            )
            .map(Some),
            Strategy::Contrastive if pools.negatives.is_empty() => {
                self.direction(pools, Strategy::MeanCosine)
            }
            Strategy::Contrastive => {
                let p = self.mean_of(&pools.positives);
                let q = self.mean_of(&pools.negatives);
                let d: Vec<f32> = p.iter().zip(&q).map(|(a, b)| a - b).collect();
                normalise(&cancelled(d), self.dim(), "contrastive direction").map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Raw strategy scores (undefined rows hold an arbitrary value, fixed up by callers).
    fn raw_scores(
        &self,
        labels: &[Label],
        pools: &Pools,
        strategy: Strategy,
    ) -> Result<Vec<f32>, SimilarError> {
        if let Some(d) = self.direction(pools, strategy)? {
            return Ok(self.cosines(&d));
        }
        match strategy {
            Strategy::MaxCosine => Ok(self.max_cosines(&pools.positives)),
            Strategy::VotedNeighbours { per_positive } => {
                strategy.validate()?;
                let queries: Vec<&[f32]> = pools.positives.iter().map(|&p| self.row(p)).collect();
                let lists = self
                    .top_k_many_unit(&queries, per_positive, |r| labels[r] != Label::Unlabelled);
                let mut votes = vec![0_u32; self.rows()];
                for (r, _) in lists.into_iter().flatten() {
                    votes[r] += 1;
                }
                Ok(self.voted_scores(&pools.positives, &votes))
            }
            Strategy::LinearProbe(params) => probe_scores(self, labels, pools, params),
            Strategy::MeanCosine | Strategy::Contrastive => unreachable!("handled by direction"),
        }
    }

    /// `max_{p∈P} x·p` for every row: one blocked pass for all positives.
    fn max_cosines(&self, positives: &[usize]) -> Vec<f32> {
        let mut out = vec![f32::NEG_INFINITY; self.rows()];
        let queries: Vec<&[f32]> = positives.iter().map(|&p| self.row(p)).collect();
        self.max_update(&queries, &mut out);
        out
    }

    /// The [`Strategy::VotedNeighbours`] score of every row from its vote count:
    /// `votes + (1 + c̄)/4` with `c̄` the cosine to the (unnormalised) mean of the positives.
    /// One function for the one-shot ranking and the incremental one, so both give the same
    /// bits.
    pub(crate) fn voted_scores(&self, positives: &[usize], votes: &[u32]) -> Vec<f32> {
        let mean = self.mean_of(positives);
        self.cosines(&mean)
            .iter()
            .zip(votes)
            .map(|(&c, &v)| (1.0 + c) / 4.0 + v as f32)
            .collect()
    }

    /// A score per row for colouring the whole layout (heat map): finite for every row.
    ///
    /// Rows with an undefined direction get the minimum score over the defined rows (0 when
    /// no row is defined), so they sit at the cold end of any colour map without stretching
    /// it. Labelled rows are scored too.
    pub fn scores(&self, labels: &[Label], strategy: Strategy) -> Result<Vec<f32>, SimilarError> {
        let pools = self.pools(labels)?;
        let mut scores = self.raw_scores(labels, &pools, strategy)?;
        let min = scores
            .iter()
            .enumerate()
            .filter(|&(r, s)| self.is_defined(r) && s.is_finite())
            .map(|(_, &s)| s)
            .reduce(f32::min)
            .unwrap_or(0.0);
        for (r, s) in scores.iter_mut().enumerate() {
            if !self.is_defined(r) || !s.is_finite() {
                *s = min;
            }
        }
        Ok(scores)
    }

    /// The `k` best unlabelled rows under `strategy`, best first, ties by smaller row index,
    /// with their scores: the candidates the user is shown next.
    pub fn rank(
        &self,
        labels: &[Label],
        strategy: Strategy,
        k: usize,
    ) -> Result<Vec<(usize, f32)>, SimilarError> {
        let pools = self.pools(labels)?;
        if pools.unlabelled == 0 {
            return Err(SimilarError::AllLabelled {
                rows: self.defined_count(),
            });
        }
        let skip = |r: usize| labels[r] != Label::Unlabelled;
        if let Some(d) = self.direction(&pools, strategy)? {
            return Ok(self.top_k_unit(&d, k, skip));
        }
        let scores = self.raw_scores(labels, &pools, strategy)?;
        Ok(par_top_k(
            self.rows(),
            k,
            |r| scores[r],
            |r| !self.is_defined(r) || skip(r),
        )
        .into_iter()
        .map(|c| (c.row, c.score))
        .collect())
    }
}
