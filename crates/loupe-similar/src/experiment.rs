//! Comparing strategies: many simulated users per strategy, their recall curves and a
//! summary of how fast each strategy finds the positives.
//!
//! One function, [`run_experiment`], serves `loupe simulate` and the app, so both report the
//! same numbers for the same seed. Each run is one simulated session (as [`crate::simulate`]):
//! run `r` draws its start labels and label noise from seed `seed + r`, so every strategy
//! starts its run `r` from the same labels (a paired comparison) and a rerun with the same
//! seed gives the same curves, bit for bit, on any number of threads.
//!
//! A run **stops early** once its recall reaches the target: the iterations after that would
//! only cost time (the expensive strategies' work grows with every positive found), and
//! "iterations to reach the target" is what the comparison is about. A curve is therefore as
//! long as its run; [`Experiment::mean_curve`] carries each run's last value forward.

use crate::error::SimilarError;
use crate::session::{Session, Truth, UserParams};
use crate::strategy::Strategy;
use crate::vectors::NormalisedVectors;

/// What to compare and how the simulated user behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentParams {
    /// The strategies, each under a unique, non-empty name (the name labels its curves and
    /// summary rows, so `voted:5` and `voted:20` can be compared side by side).
    pub strategies: Vec<(String, Strategy)>,
    /// Simulated users per strategy (at least 1).
    pub runs: usize,
    /// Truly positive rows each user starts from (at least 1), drawn at random.
    pub start_pos: usize,
    /// Truly negative rows labelled at the start (fewer if there are not enough).
    pub start_neg: usize,
    /// Candidates shown and labelled per iteration (at least 1).
    pub per_iteration: usize,
    /// The most iterations a run may take; see [`Self::suggested_max_iterations`].
    pub max_iterations: usize,
    /// A run stops once its recall reaches this, in `(0, 1]`.
    pub target_recall: f64,
    /// Probability in `[0, 1]` that the user labels a shown candidate wrongly.
    pub label_noise: f64,
    /// Run `r` uses seed `seed + r` (wrapping).
    pub seed: u64,
}

impl Default for ExperimentParams {
    /// All five strategies under their short names, 20 runs from 3 positives and 3
    /// negatives, 25 candidates per iteration, up to 400 iterations, target recall 0.95, no
    /// label noise, seed 0.
    fn default() -> Self {
        let strategies = ["mean", "max", "voted", "contrastive", "probe"]
            .into_iter()
            .filter_map(|name| Some((name.to_owned(), name.parse().ok()?)))
            .collect();
        Self {
            strategies,
            runs: 20,
            start_pos: 3,
            start_neg: 3,
            per_iteration: 25,
            max_iterations: 400,
            target_recall: 0.95,
            label_noise: 0.0,
            seed: 0,
        }
    }
}

impl ExperimentParams {
    /// Checks every parameter, so that a long experiment fails before its first run.
    pub fn validate(&self) -> Result<(), SimilarError> {
        if self.strategies.is_empty() {
            return Err(SimilarError::InvalidParameter {
                name: "strategies",
                reason: "name at least one strategy",
            });
        }
        for (i, (name, strategy)) in self.strategies.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(SimilarError::InvalidParameter {
                    name: "strategies",
                    reason: "every strategy needs a name",
                });
            }
            if self.strategies[..i].iter().any(|(other, _)| other == name) {
                return Err(SimilarError::InvalidParameter {
                    name: "strategies",
                    reason: "names must be unique",
                });
            }
            strategy.validate()?;
        }
        if self.runs == 0 {
            return Err(SimilarError::InvalidParameter {
                name: "runs",
                reason: "must be at least 1",
            });
        }
        if !(self.target_recall > 0.0 && self.target_recall <= 1.0) {
            return Err(SimilarError::InvalidParameter {
                name: "target_recall",
                reason: "must be within (0, 1]",
            });
        }
        self.user().check()
    }

    /// A `max_iterations` that lets a useful strategy reach the target: enough iterations to
    /// find `target × positives` rows at a precision of one in three, but never more than it
    /// takes to label every one of the `rows` rows with a direction. (MNIST, one digit of
    /// 7,141 among 70,000, 25 per iteration, target 0.95: 815 iterations, where a perfect
    /// strategy needs 272.)
    pub fn suggested_max_iterations(&self, positives: usize, rows: usize) -> usize {
        let per = self.per_iteration.max(1) as f64;
        let budget = (3.0 * self.target_recall.clamp(0.0, 1.0) * positives as f64 / per).ceil();
        let everything = (rows.saturating_sub(self.start_pos + self.start_neg) as f64 / per).ceil();
        (budget.min(everything) as usize).max(1)
    }

    fn user(&self) -> UserParams {
        UserParams {
            start_pos: self.start_pos,
            start_neg: self.start_neg,
            per_iteration: self.per_iteration,
            label_noise: self.label_noise,
        }
    }
}

/// One simulated user's recall, as it went.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// The strategy's name from [`ExperimentParams::strategies`].
    pub strategy: String,
    /// The run, `0..runs` (its seed is `seed + run`).
    pub run: usize,
    /// Recall after the start labels (index 0) and after each iteration; ends early when
    /// the target was reached or nothing was left to show.
    pub recall: Vec<f64>,
}

impl Curve {
    /// The first iteration whose recall is at least `target` (0 when the start labels
    /// already reach it), `None` when the run never got there.
    pub fn iterations_to(&self, target: f64) -> Option<usize> {
        self.recall.iter().position(|&r| r >= target)
    }

    /// The recall the run ended with.
    pub fn final_recall(&self) -> f64 {
        self.recall.last().copied().unwrap_or(0.0)
    }
}

/// How one strategy did over all its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategySummary {
    /// The strategy's name.
    pub strategy: String,
    /// Runs made.
    pub runs: usize,
    /// Runs that reached the target recall.
    pub reached: usize,
    /// Median iterations to the target over the runs that reached it (`None` if none did).
    /// Read it with `reached`: a strategy that often fails is not fast because its few
    /// successes were.
    pub median_iterations: Option<f64>,
    /// First quartile of the iterations to the target (linear interpolation, as NumPy's
    /// default), over the runs that reached it.
    pub q25_iterations: Option<f64>,
    /// Third quartile, likewise.
    pub q75_iterations: Option<f64>,
    /// Fewest iterations to the target.
    pub min_iterations: Option<usize>,
    /// Most iterations to the target among the runs that reached it.
    pub max_iterations: Option<usize>,
    /// Mean over runs of the recall each run ended with.
    pub mean_final_recall: f64,
}

/// The result of [`run_experiment`]: every run's curve, with what produced them.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// The parameters the experiment ran with.
    pub params: ExperimentParams,
    /// Truly positive rows with a direction: recall's denominator.
    pub positives: usize,
    /// Rows in the input, including any without a direction (never shown).
    pub rows: usize,
    /// One curve per strategy and run, strategy by strategy in the order of
    /// [`ExperimentParams::strategies`], runs in order.
    pub curves: Vec<Curve>,
}

impl Experiment {
    /// One row per strategy, in the order of [`ExperimentParams::strategies`].
    pub fn summary(&self) -> Vec<StrategySummary> {
        let target = self.params.target_recall;
        self.params
            .strategies
            .iter()
            .map(|(name, _)| {
                let curves: Vec<&Curve> = self.curves_of(name).collect();
                let mut hits: Vec<usize> = curves
                    .iter()
                    .filter_map(|c| c.iterations_to(target))
                    .collect();
                hits.sort_unstable();
                let finals: f64 = curves.iter().map(|c| c.final_recall()).sum();
                StrategySummary {
                    strategy: name.clone(),
                    runs: curves.len(),
                    reached: hits.len(),
                    median_iterations: quantile(&hits, 0.5),
                    q25_iterations: quantile(&hits, 0.25),
                    q75_iterations: quantile(&hits, 0.75),
                    min_iterations: hits.first().copied(),
                    max_iterations: hits.last().copied(),
                    mean_final_recall: if curves.is_empty() {
                        0.0
                    } else {
                        finals / curves.len() as f64
                    },
                }
            })
            .collect()
    }

    /// The mean recall of `strategy`'s runs at each iteration, as long as its longest run; a
    /// run that stopped early counts with its last recall. Empty for an unknown name.
    pub fn mean_curve(&self, strategy: &str) -> Vec<f64> {
        let curves: Vec<&Curve> = self.curves_of(strategy).collect();
        let len = curves.iter().map(|c| c.recall.len()).max().unwrap_or(0);
        (0..len)
            .map(|i| {
                let sum: f64 = curves
                    .iter()
                    .map(|c| c.recall.get(i).copied().unwrap_or_else(|| c.final_recall()))
                    .sum();
                sum / curves.len() as f64
            })
            .collect()
    }

    fn curves_of<'a>(&'a self, strategy: &'a str) -> impl Iterator<Item = &'a Curve> {
        self.curves.iter().filter(move |c| c.strategy == strategy)
    }
}

/// The `q`-quantile of sorted values, interpolating linearly between order statistics
/// (Hyndman & Fan 1996, type 7 — NumPy's default); `None` for no values.
fn quantile(sorted: &[usize], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = q * last as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let (a, b) = (sorted[lo] as f64, sorted[hi] as f64);
    Some(a + (h - lo as f64) * (b - a))
}

/// Runs `params.runs` simulated users for every strategy and records their recall curves.
///
/// `truth[r]` says whether row `r` is one the user is looking for; rows without a direction
/// are never shown and do not count. `progress(done, total)` is called on the caller's
/// thread before the first run and after every iteration, in units of iterations (the
/// recall of the start labels counts as one; a run that stops early counts its remaining
/// iterations as done); returning `false` stops the experiment with
/// [`SimilarError::Cancelled`].
///
/// Rankings are incremental (see `ranker.rs`): the max-cosine and voted strategies keep
/// per-row state between iterations, so a whole run costs about one pass over the rows per
/// positive found, and each ranking equals [`NormalisedVectors::rank`] for the same labels.
pub fn run_experiment(
    vectors: &NormalisedVectors,
    truth: &[bool],
    params: &ExperimentParams,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Experiment, SimilarError> {
    params.validate()?;
    let truth = Truth::new(vectors, truth)?;
    let per_run = params.max_iterations + 1;
    let total = params.strategies.len() * params.runs * per_run;
    let mut done = 0;
    if !progress(done, total) {
        return Err(SimilarError::Cancelled);
    }
    let mut curves = Vec::with_capacity(params.strategies.len() * params.runs);
    for (name, strategy) in &params.strategies {
        for run in 0..params.runs {
            let seed = params.seed.wrapping_add(run as u64);
            let mut session = Session::start(vectors, &truth, *strategy, params.user(), seed);
            let mut recall = vec![session.recall()];
            let run_start = done;
            done += 1;
            if !progress(done, total) {
                return Err(SimilarError::Cancelled);
            }
            while recall.len() <= params.max_iterations
                && session.recall() < params.target_recall
                && session.step()?
            {
                recall.push(session.recall());
                done += 1;
                if !progress(done, total) {
                    return Err(SimilarError::Cancelled);
                }
            }
            if done < run_start + per_run {
                done = run_start + per_run;
                if !progress(done, total) {
                    return Err(SimilarError::Cancelled);
                }
            }
            curves.push(Curve {
                strategy: name.clone(),
                run,
                recall,
            });
        }
    }
    Ok(Experiment {
        params: params.clone(),
        positives: truth.positives(),
        rows: vectors.rows(),
        curves,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[7], 0.25), Some(7.0));
        assert_eq!(quantile(&[1, 2, 3, 4], 0.5), Some(2.5));
        assert_eq!(quantile(&[1, 2, 3, 4], 0.25), Some(1.75));
        assert_eq!(quantile(&[1, 2, 3, 4], 0.75), Some(3.25));
        assert_eq!(quantile(&[10, 20, 40], 0.5), Some(20.0));
    }

    #[test]
    fn summary_and_mean_curve_follow_the_curves() {
        let curve = |run, recall: &[f64]| Curve {
            strategy: "a".to_owned(),
            run,
            recall: recall.to_vec(),
        };
        let e = Experiment {
            params: ExperimentParams {
                strategies: vec![("a".to_owned(), Strategy::MeanCosine)],
                runs: 3,
                target_recall: 0.9,
                ..ExperimentParams::default()
            },
            positives: 10,
            rows: 100,
            curves: vec![
                curve(0, &[0.1, 0.5, 0.9]),
                curve(1, &[0.1, 0.3, 0.6, 0.95]),
                curve(2, &[0.2, 0.4]),
            ],
        };
        let s = &e.summary()[0];
        assert_eq!((s.runs, s.reached), (3, 2));
        assert_eq!(s.median_iterations, Some(2.5));
        assert_eq!((s.min_iterations, s.max_iterations), (Some(2), Some(3)));
        assert!((s.mean_final_recall - (0.9 + 0.95 + 0.4) / 3.0).abs() < 1e-12);
        let mean = e.mean_curve("a");
        assert_eq!(mean.len(), 4);
        assert!((mean[3] - (0.9 + 0.95 + 0.4) / 3.0).abs() < 1e-12);
        assert!(e.mean_curve("b").is_empty());
    }
}
