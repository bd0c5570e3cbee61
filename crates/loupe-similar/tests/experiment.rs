//! The experiment runner: many simulated users per strategy on a separable toy set.

use loupe_similar::{
    ExperimentParams, NormalisedVectors, ProbeParams, SimilarError, SimulateParams, Strategy,
    run_experiment, simulate,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 30 rows near e₀ (the truth), 70 near e₁ and 2 all-zero rows, in 8-D.
fn toy() -> (NormalisedVectors, Vec<bool>) {
    let d = 8;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut raw = Vec::new();
    let mut truth = Vec::new();
    for i in 0..102 {
        let hot = i % 10 < 3 && i < 100;
        for j in 0..d {
            let base = if (j == 0 && hot) || (j == 1 && !hot) {
                1.0
            } else {
                0.0
            };
            raw.push(if i < 100 {
                base + rng.random_range(-0.1..0.1)
            } else {
                0.0
            });
        }
        truth.push(hot || i == 100);
    }
    (
        NormalisedVectors::new(&raw, d).expect("valid toy set"),
        truth,
    )
}

fn all_five() -> Vec<(String, Strategy)> {
    ["mean", "max", "voted:5", "contrastive", "probe"]
        .into_iter()
        .map(|name| (name.to_owned(), name.parse().expect("known name")))
        .collect()
}

fn params() -> ExperimentParams {
    ExperimentParams {
        strategies: all_five(),
        runs: 4,
        start_pos: 2,
        start_neg: 2,
        per_iteration: 5,
        max_iterations: 40,
        target_recall: 1.0,
        label_noise: 0.0,
        seed: 7,
    }
}

#[test]
fn every_strategy_finds_every_positive_and_runs_stop_at_the_target() {
    let (v, truth) = toy();
    let e = run_experiment(&v, &truth, &params(), &mut |_, _| true).unwrap();
    // The zero row labelled true does not count: it can never be shown.
    assert_eq!((e.positives, e.rows), (30, 102));
    assert_eq!(e.curves.len(), 5 * 4);
    for curve in &e.curves {
        assert!((curve.recall[0] - 2.0 / 30.0).abs() < 1e-12, "start recall");
        assert!((curve.final_recall() - 1.0).abs() < 1e-12, "{curve:?}");
        // Stops at the first iteration at the target: 28 to find, 5 a time, 6 at best.
        assert_eq!(curve.iterations_to(1.0), Some(curve.recall.len() - 1));
        assert!(curve.recall.len() > 6, "at least 6 iterations");
    }
    for s in e.summary() {
        assert_eq!((s.runs, s.reached), (4, 4), "{s:?}");
        assert!(s.median_iterations.unwrap() >= 6.0);
        assert!(s.q25_iterations <= s.median_iterations);
        assert!(s.median_iterations <= s.q75_iterations);
        let mean = e.mean_curve(&s.strategy);
        assert!((mean.last().unwrap() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn runs_are_reproducible_paired_and_follow_the_simulator() {
    let (v, truth) = toy();
    let p = ExperimentParams {
        label_noise: 0.1,
        target_recall: 0.9,
        ..params()
    };
    let a = run_experiment(&v, &truth, &p, &mut |_, _| true).unwrap();
    let b = run_experiment(&v, &truth, &p, &mut |_, _| true).unwrap();
    assert_eq!(a, b, "same seed, same curves");
    // Run r of every strategy starts from the same labels (seed + r): same start recall.
    for run in 0..4 {
        let starts: Vec<f64> = a
            .curves
            .iter()
            .filter(|c| c.run == run)
            .map(|c| c.recall[0])
            .collect();
        assert!(
            starts.windows(2).all(|w| w[0].to_bits() == w[1].to_bits()),
            "{starts:?}"
        );
    }
    // One run is one `simulate` session with seed + r, plus the start recall in front.
    let curve = &a.curves[4 + 2]; // max, run 2
    let simulated = simulate(
        &v,
        &truth,
        Strategy::MaxCosine,
        &SimulateParams {
            start_pos: 2,
            start_neg: 2,
            per_iteration: 5,
            iterations: curve.recall.len() - 1,
            label_noise: 0.1,
            seed: 7 + 2,
        },
    )
    .unwrap();
    assert_eq!(&curve.recall[1..], simulated.as_slice());
}

#[test]
fn progress_counts_every_iteration_and_can_cancel() {
    let (v, truth) = toy();
    let p = params();
    let mut seen = Vec::new();
    run_experiment(&v, &truth, &p, &mut |done, total| {
        seen.push((done, total));
        true
    })
    .unwrap();
    let total = 5 * 4 * 41;
    assert_eq!(seen.first(), Some(&(0, total)));
    assert_eq!(seen.last(), Some(&(total, total)));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "strictly rising");
    let mut calls = 0;
    let cancelled = run_experiment(&v, &truth, &p, &mut |_, _| {
        calls += 1;
        calls < 10
    });
    assert_eq!(cancelled, Err(SimilarError::Cancelled));
}

#[test]
fn parameters_are_checked_before_anything_runs() {
    let (v, truth) = toy();
    let check = |p: ExperimentParams, name: &str| {
        let mut called = false;
        let err = run_experiment(&v, &truth, &p, &mut |_, _| {
            called = true;
            true
        })
        .unwrap_err();
        assert!(
            matches!(err, SimilarError::InvalidParameter { name: n, .. } if n == name),
            "{err}"
        );
        assert!(!called, "nothing ran");
    };
    check(
        ExperimentParams {
            strategies: Vec::new(),
            ..params()
        },
        "strategies",
    );
    let mut twice = all_five();
    twice.push(("mean".to_owned(), Strategy::MaxCosine));
    check(
        ExperimentParams {
            strategies: twice,
            ..params()
        },
        "strategies",
    );
    check(
        ExperimentParams {
            runs: 0,
            ..params()
        },
        "runs",
    );
    check(
        ExperimentParams {
            target_recall: 0.0,
            ..params()
        },
        "target_recall",
    );
    check(
        ExperimentParams {
            label_noise: -0.5,
            ..params()
        },
        "label_noise",
    );
    check(
        ExperimentParams {
            strategies: vec![(
                "probe".to_owned(),
                Strategy::LinearProbe(ProbeParams {
                    epochs: 0,
                    ..ProbeParams::default()
                }),
            )],
            ..params()
        },
        "epochs",
    );
    assert_eq!(
        run_experiment(&v, &[false; 102], &params(), &mut |_, _| true),
        Err(SimilarError::NoPositives)
    );
}

#[test]
fn the_suggested_budget_reaches_the_target_at_a_third_precision() {
    let p = ExperimentParams::default();
    // MNIST, one digit: 0.95 × 7,141 positives at 25 a time and a third precision.
    assert_eq!(p.suggested_max_iterations(7141, 70_000), 815);
    // Never more than labelling every row takes.
    assert_eq!(p.suggested_max_iterations(90, 100), 4);
}

#[test]
fn experiment_types_can_move_to_a_worker_thread() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<NormalisedVectors>();
    send_sync::<ExperimentParams>();
    send_sync::<loupe_similar::Experiment>();
    send_sync::<loupe_similar::StrategySummary>();
}
