//! The simulator on a perfectly separable toy set.

use loupe_similar::{
    NormalisedVectors, ProbeParams, SimilarError, SimulateParams, Strategy, simulate,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 30 rows near e₀ (the truth) and 70 near e₁, in 8-D.
fn toy() -> (NormalisedVectors, Vec<bool>) {
    let d = 8;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut raw = Vec::new();
    let mut truth = Vec::new();
    for i in 0..100 {
        let hot = i % 10 < 3;
        for j in 0..d {
            let base = if (j == 0 && hot) || (j == 1 && !hot) {
                1.0
            } else {
                0.0
            };
            raw.push(base + rng.random_range(-0.1..0.1));
        }
        truth.push(hot);
    }
    (
        NormalisedVectors::new(&raw, d).expect("valid toy set"),
        truth,
    )
}

fn params(seed: u64, noise: f64) -> SimulateParams {
    SimulateParams {
        start_pos: 1,
        start_neg: 1,
        per_iteration: 10,
        iterations: 6,
        label_noise: noise,
        seed,
    }
}

#[test]
fn every_strategy_reaches_full_recall_on_separable_data() {
    let (v, truth) = toy();
    for s in [
        Strategy::MeanCosine,
        Strategy::MaxCosine,
        Strategy::VotedNeighbours { per_positive: 10 },
        Strategy::Contrastive,
        Strategy::LinearProbe(ProbeParams::default()),
    ] {
        let recall = simulate(&v, &truth, s, &params(5, 0.0)).unwrap();
        assert_eq!(recall.len(), 6);
        assert!(recall.windows(2).all(|w| w[0] <= w[1]), "{s:?}: {recall:?}");
        assert!((recall[5] - 1.0).abs() < 1e-12, "{s:?}: {recall:?}");
    }
}

#[test]
fn simulation_is_deterministic_for_a_seed() {
    let (v, truth) = toy();
    let a = simulate(&v, &truth, Strategy::MaxCosine, &params(9, 0.2)).unwrap();
    let b = simulate(&v, &truth, Strategy::MaxCosine, &params(9, 0.2)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn simulation_input_errors() {
    let (v, truth) = toy();
    assert!(matches!(
        simulate(&v, &truth[..5], Strategy::MeanCosine, &params(1, 0.0)),
        Err(SimilarError::LengthMismatch { what: "truth", .. })
    ));
    assert_eq!(
        simulate(&v, &[false; 100], Strategy::MeanCosine, &params(1, 0.0)),
        Err(SimilarError::NoPositives)
    );
    assert!(matches!(
        simulate(&v, &truth, Strategy::MeanCosine, &params(1, 1.5)),
        Err(SimilarError::InvalidParameter {
            name: "label_noise",
            ..
        })
    ));
}
