//! Ranking a pool of labels that only grows, keeping per-row state between rankings.
//!
//! A simulated (or real) user labels a page of candidates, asks for the next page, and so on:
//! between two rankings labels are only added. [`NormalisedVectors::rank`] starts from
//! scratch every time, which for two strategies costs far more than it needs to:
//!
//! * [`Strategy::MaxCosine`] is `max_{p∈P} x·p`, `|P|` passes over the rows. Kept as a running
//!   maximum per row, each ranking only passes over the rows for the positives added since
//!   the last one: over a whole session that is one pass per positive instead of one per
//!   positive *per iteration* (MNIST, one digit: ~7,000 passes instead of ~1,000,000).
//! * [`Strategy::VotedNeighbours`] needs each positive's nearest unlabelled rows. A positive's
//!   neighbour list is computed once, longer than needed; later rankings skip the entries that
//!   have been labelled since (labels only grow, so what is left is still the nearest
//!   unlabelled rows in order) and only a list that runs dry is searched again.
//!
//! The mean and contrastive strategies need one pass over the rows per ranking however they
//! are computed (their direction changes with every label), and their direction costs
//! `O(|P|·D)`, less than that pass: they are ranked from scratch, which keeps them identical
//! to [`NormalisedVectors::rank`] by construction.
//!
//! For those four, every ranking equals [`NormalisedVectors::rank`] for the same labels, bit
//! for bit, ties by the smaller row index (tested below, through whole sessions).
//!
//! [`Strategy::LinearProbe`] is the exception: trained from zero it costs `epochs` passes over
//! every labelled row per ranking (at MNIST scale, thousands of labels, minutes per simulated
//! run). The ranker keeps the weights and starts the next training from them with an eighth
//! of the steps: the first ranking is the one-shot ranking exactly, later ones train towards
//! the same optimum of a strongly convex loss from a start next to it, so they agree with the
//! one-shot ranking up to the optimiser's tolerance rather than bit for bit (tested below).

use crate::error::SimilarError;
use crate::probe::{Weights, probe_scores_from};
use crate::select::par_top_k;
use crate::strategy::{Label, Strategy};
use crate::vectors::NormalisedVectors;

/// A ranker for one strategy whose state follows a growing pool of labels.
pub(crate) struct Ranker {
    strategy: Strategy,
    /// Rows whose positive label is already part of the state.
    folded: Vec<bool>,
    state: State,
}

/// What each strategy keeps between rankings.
enum State {
    /// Ranked from scratch each time.
    Scratch,
    /// The probe's last weights, the next training's start.
    Probe { weights: Option<Weights> },
    /// `best[r] = max_{p folded} row(r)·p`.
    Max { best: Vec<f32> },
    /// Each folded positive's neighbour list, and a vote count per row (reused buffer).
    Voted {
        per_positive: usize,
        lists: Vec<Option<Neighbours>>,
        votes: Vec<u32>,
    },
}

/// A positive's nearest rows, best first, among the rows unlabelled when it was searched.
struct Neighbours {
    rows: Vec<usize>,
    /// The search returned fewer rows than asked: every candidate is in the list.
    complete: bool,
}

impl Neighbours {
    /// How many entries are still unlabelled, counting no further than `cap`.
    fn unlabelled(&self, labels: &[Label], cap: usize) -> usize {
        self.rows
            .iter()
            .filter(|&&r| labels[r] == Label::Unlabelled)
            .take(cap)
            .count()
    }
}

impl Ranker {
    /// A ranker with no labels folded in yet, for `rows` rows.
    pub(crate) fn new(strategy: Strategy, rows: usize) -> Self {
        Self {
            strategy,
            folded: vec![false; rows],
            state: Self::empty_state(strategy, rows),
        }
    }

    fn empty_state(strategy: Strategy, rows: usize) -> State {
        match strategy {
            Strategy::MaxCosine => State::Max {
                best: vec![f32::NEG_INFINITY; rows],
            },
            Strategy::VotedNeighbours { per_positive } => State::Voted {
                per_positive,
                lists: (0..rows).map(|_| None).collect(),
                votes: vec![0; rows],
            },
            Strategy::LinearProbe(_) => State::Probe { weights: None },
            Strategy::MeanCosine | Strategy::Contrastive => State::Scratch,
        }
    }

    /// The `k` best unlabelled rows for `labels`, as [`NormalisedVectors::rank`] returns them
    /// (for the probe, up to its training tolerance; see the module documentation). `labels` should only have gained labels since the last call; if a
    /// positive has lost its label the state is rebuilt from scratch, so the answer is right
    /// either way.
    pub(crate) fn rank(
        &mut self,
        v: &NormalisedVectors,
        labels: &[Label],
        k: usize,
    ) -> Result<Vec<(usize, f32)>, SimilarError> {
        self.strategy.validate()?;
        let pools = v.pools(labels)?;
        if pools.unlabelled == 0 {
            return Err(SimilarError::AllLabelled {
                rows: v.defined_count(),
            });
        }
        if matches!(self.state, State::Scratch) {
            return v.rank(labels, self.strategy, k);
        }
        if self.folded.len() != v.rows()
            || self
                .folded
                .iter()
                .zip(labels)
                .any(|(&f, &l)| f && l != Label::Positive)
        {
            *self = Self::new(self.strategy, v.rows());
        }
        let fresh: Vec<usize> = pools
            .positives
            .iter()
            .copied()
            .filter(|&p| !self.folded[p])
            .collect();
        for &p in &fresh {
            self.folded[p] = true;
        }
        let unlabelled = |r: usize| labels[r] == Label::Unlabelled;
        // The same selection as `rank`: best score first, ties by the smaller index.
        let top = |scores: &[f32]| {
            par_top_k(
                v.rows(),
                k,
                |r| scores[r],
                |r| !v.is_defined(r) || !unlabelled(r),
            )
            .into_iter()
            .map(|c| (c.row, c.score))
            .collect()
        };
        let strategy = self.strategy;
        match &mut self.state {
            State::Scratch => unreachable!("ranked from scratch above"),
            State::Probe { weights } => {
                let Strategy::LinearProbe(params) = strategy else {
                    unreachable!("probe state belongs to the probe")
                };
                Ok(top(&probe_scores_from(v, labels, &pools, params, weights)?))
            }
            State::Max { best } => {
                let queries: Vec<&[f32]> = fresh.iter().map(|&p| v.row(p)).collect();
                v.max_update(&queries, best);
                Ok(top(best))
            }
            State::Voted {
                per_positive,
                lists,
                votes,
            } => {
                let per_positive = *per_positive;
                let len = list_len(per_positive);
                // Lists close to running dry are searched again in the same pass as the new
                // positives' first searches: one pass over the rows serves all of them.
                let mut due = fresh;
                due.extend(pools.positives.iter().copied().filter(|&p| {
                    lists[p].as_ref().is_some_and(|list| {
                        !list.complete
                            && list.unlabelled(labels, 2 * per_positive) < 2 * per_positive
                    })
                }));
                search(v, labels, &due, len, lists);
                loop {
                    votes.fill(0);
                    let mut dry = Vec::new();
                    for &p in &pools.positives {
                        let Some(list) = &lists[p] else {
                            debug_assert!(false, "every folded positive has a list");
                            continue;
                        };
                        let mut given = 0;
                        for &r in list.rows.iter().filter(|&&r| unlabelled(r)) {
                            if given == per_positive {
                                break;
                            }
                            votes[r] += 1;
                            given += 1;
                        }
                        if given < per_positive && !list.complete {
                            dry.push(p);
                        }
                    }
                    if dry.is_empty() {
                        break;
                    }
                    // More than `per_positive` of a list were labelled in one go: searched
                    // again among today's unlabelled rows, so at least `per_positive` of
                    // them come back unless the list is complete; one more round at most.
                    search(v, labels, &dry, len, lists);
                }
                Ok(top(&v.voted_scores(&pools.positives, votes)))
            }
        }
    }
}

/// The length of a positive's neighbour list. A search costs one pass over the rows (the dot
/// products dominate while the list is short next to a block of rows), and a list whose
/// unlabelled entries run out costs another: a positive's nearest rows are mostly positives
/// the user labels soon, so lists are kept well beyond `per_positive`.
fn list_len(per_positive: usize) -> usize {
    (16 * per_positive).max(256)
}

/// Replaces the neighbour lists of `positives` by their `len` nearest currently unlabelled
/// rows, in one pass for all of them.
fn search(
    v: &NormalisedVectors,
    labels: &[Label],
    positives: &[usize],
    len: usize,
    lists: &mut [Option<Neighbours>],
) {
    if positives.is_empty() {
        return;
    }
    let queries: Vec<&[f32]> = positives.iter().map(|&p| v.row(p)).collect();
    let found = v.top_k_many_unit(&queries, len, |r| labels[r] != Label::Unlabelled);
    for (&p, found) in positives.iter().zip(found) {
        lists[p] = Some(Neighbours {
            complete: found.len() < len,
            rows: found.into_iter().map(|(r, _)| r).collect(),
        });
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::ProbeParams;

    /// Three clusters in 12-D, every fifth row an exact copy of the row before it (ties),
    /// and one all-zero row (no direction).
    fn clustered() -> (NormalisedVectors, Vec<bool>) {
        let (n, d) = (400, 12);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut raw: Vec<f32> = Vec::with_capacity(n * d);
        let mut truth = Vec::with_capacity(n);
        for i in 0..n {
            if i % 5 == 4 {
                let copy = raw[(i - 1) * d..i * d].to_vec();
                raw.extend_from_slice(&copy);
                truth.push(truth[i - 1]);
                continue;
            }
            let cluster = i % 3;
            for j in 0..d {
                let centre = if j == cluster { 1.0 } else { 0.2 };
                raw.push(if i == 7 {
                    0.0
                } else {
                    centre + rng.random_range(-0.6..0.6)
                });
            }
            truth.push(cluster == 0);
        }
        (NormalisedVectors::new(&raw, d).unwrap(), truth)
    }

    /// The strategies whose incremental rankings are exact.
    fn exact_strategies() -> [Strategy; 4] {
        [
            Strategy::MeanCosine,
            Strategy::MaxCosine,
            // Few votes per positive, so neighbour lists run dry and are searched again.
            Strategy::VotedNeighbours { per_positive: 2 },
            Strategy::Contrastive,
        ]
    }

    /// A session where the user labels the first 8 of each ranking from scratch, one in ten
    /// wrongly, and takes a positive back at iteration 30; `check` sees both rankings.
    fn session(
        v: &NormalisedVectors,
        truth: &[bool],
        strategy: Strategy,
        mut check: impl FnMut(usize, &[(usize, f32)], &[(usize, f32)]),
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut labels = vec![Label::Unlabelled; v.rows()];
        labels[0] = Label::Positive;
        labels[1] = Label::Negative;
        let mut ranker = Ranker::new(strategy, v.rows());
        for iteration in 0..45 {
            let scratch = v.rank(&labels, strategy, 40).unwrap();
            let incremental = ranker.rank(v, &labels, 40).unwrap();
            check(iteration, &incremental, &scratch);
            for &(r, _) in scratch.iter().take(8) {
                let flip = rng.random::<f64>() < 0.1;
                labels[r] = if truth[r] == flip {
                    Label::Negative
                } else {
                    Label::Positive
                };
            }
            if iteration == 30 {
                // A positive taken back: the state is rebuilt, the answer still right.
                labels[0] = Label::Unlabelled;
            }
        }
    }

    #[test]
    fn incremental_rankings_equal_ranking_from_scratch_through_a_session() {
        let (v, truth) = clustered();
        for strategy in exact_strategies() {
            session(&v, &truth, strategy, |iteration, incremental, scratch| {
                assert_eq!(incremental, scratch, "{strategy:?}, iteration {iteration}");
            });
        }
    }

    #[test]
    fn a_warm_started_probe_ranks_like_one_trained_from_zero() {
        let (v, truth) = clustered();
        let probe = Strategy::LinearProbe(ProbeParams::default());
        let mut worst = 40;
        session(&v, &truth, probe, |iteration, incremental, scratch| {
            if iteration == 0 {
                assert_eq!(incremental, scratch, "the first training starts from zero");
            }
            let shared = incremental
                .iter()
                .filter(|(r, _)| scratch.iter().any(|(s, _)| s == r))
                .count();
            worst = worst.min(shared);
        });
        assert!(worst >= 36, "top-40 lists share only {worst} rows");
    }

    #[test]
    fn rankers_report_what_rank_reports() {
        let (v, _) = clustered();
        let probe = Strategy::LinearProbe(ProbeParams::default());
        for strategy in exact_strategies().into_iter().chain([probe]) {
            let mut ranker = Ranker::new(strategy, v.rows());
            let none = vec![Label::Unlabelled; v.rows()];
            assert_eq!(ranker.rank(&v, &none, 3), Err(SimilarError::NoPositives));
            let mut all = vec![Label::Negative; v.rows()];
            all[0] = Label::Positive;
            assert!(matches!(
                ranker.rank(&v, &all, 3),
                Err(SimilarError::AllLabelled { .. })
            ));
        }
    }
}
