//! Each strategy on small hand-made examples whose order can be stated by hand.

use loupe_similar::{Label, NormalisedVectors, ProbeParams, SimilarError, Strategy};

/// Unit 2-D rows at the given angles (degrees).
fn circle(angles: &[f32]) -> NormalisedVectors {
    let raw: Vec<f32> = angles
        .iter()
        .flat_map(|a| {
            let r = a.to_radians();
            [r.cos(), r.sin()]
        })
        .collect();
    NormalisedVectors::new(&raw, 2).expect("valid rows")
}

fn order(v: &NormalisedVectors, labels: &[Label], s: Strategy) -> Vec<usize> {
    v.rank(labels, s, 10)
        .expect("rankable labels")
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

use Label::{Negative as N, Positive as P, Unlabelled as U};

// Rows: 0° P, 90° P, then candidates 45°, 12°, 80°, 200°, and a 100° row (negative or not).
const ANGLES: [f32; 7] = [0.0, 90.0, 45.0, 12.0, 80.0, 200.0, 100.0];

#[test]
fn mean_cosine_prefers_the_middle_of_the_pool() {
    let v = circle(&ANGLES);
    // Mean direction is 45°: distances 0°, 33°, 35°, 55° (100°), 155°.
    let labels = [P, P, U, U, U, U, U];
    assert_eq!(
        order(&v, &labels, Strategy::MeanCosine),
        vec![2, 3, 4, 6, 5]
    );
}

#[test]
fn max_cosine_prefers_rows_near_any_positive() {
    let v = circle(&ANGLES);
    // Nearest positive: 80° is 10° off 90°, 100° is 10° off too (tie → smaller index 4),
    // 12° is 12° off 0°, 45° is 45° off, 200° is 110° off 90°.
    let labels = [P, P, U, U, U, U, U];
    assert_eq!(order(&v, &labels, Strategy::MaxCosine), vec![4, 6, 3, 2, 5]);
}

#[test]
fn voted_neighbours_counts_votes_then_mean_cosine() {
    let v = circle(&ANGLES);
    let labels = [P, P, U, U, U, U, N];
    // per_positive 1: 0° votes 12° (row 3), 90° votes 80° (row 4). Tie on one vote broken by
    // mean cosine: row 3 (cos12+cos78)/2 ≈ 0.593 > row 4 (cos80+cos10)/2 ≈ 0.579; then
    // zero votes by mean cosine: 45° (0.707), 200° (−0.64).
    let s1 = Strategy::VotedNeighbours { per_positive: 1 };
    assert_eq!(order(&v, &labels, s1), vec![3, 4, 2, 5]);
    // per_positive 2: both vote for 45° (row 2), which now leads with two votes.
    let s2 = Strategy::VotedNeighbours { per_positive: 2 };
    assert_eq!(order(&v, &labels, s2), vec![2, 3, 4, 5]);
    assert!(matches!(
        v.rank(&labels, Strategy::VotedNeighbours { per_positive: 0 }, 3),
        Err(SimilarError::InvalidParameter {
            name: "per_positive",
            ..
        })
    ));
}

#[test]
fn contrastive_moves_away_from_negatives_and_falls_back_to_mean() {
    let v = circle(&ANGLES);
    // d = (½, ½) − (cos100°, sin100°) ≈ (0.674, −0.485), angle ≈ −35.7°; candidates are
    // 47.7° (12°), 80.7° (45°), 115.7° (80°), 124.3° (200°) away.
    let labels = [P, P, U, U, U, U, N];
    assert_eq!(order(&v, &labels, Strategy::Contrastive), vec![3, 2, 4, 5]);
    let no_neg = [P, P, U, U, U, U, U];
    assert_eq!(
        v.rank(&no_neg, Strategy::Contrastive, 10).unwrap(),
        v.rank(&no_neg, Strategy::MeanCosine, 10).unwrap()
    );
    assert_eq!(
        v.scores(&no_neg, Strategy::Contrastive).unwrap(),
        v.scores(&no_neg, Strategy::MeanCosine).unwrap()
    );
}

#[test]
fn linear_probe_orders_by_the_separating_direction() {
    let raw = [
        1.0, 0.1, 0.0, // P
        1.0, -0.1, 0.0, // P
        -1.0, 0.1, 0.0, // N
        -1.0, -0.1, 0.0, // N
        0.9, 0.3, 0.0, // x ≈ 0.95
        0.2, 1.0, 0.0, // x ≈ 0.20
        -0.5, 1.0, 0.0, // x ≈ −0.45
        -1.0, 0.0, 0.2, // x ≈ −0.98
    ];
    let v = NormalisedVectors::new(&raw, 3).unwrap();
    let labels = [P, P, N, N, U, U, U, U];
    let params = ProbeParams {
        l2: 0.01,
        epochs: 300,
        unlabelled_as_negatives: false,
        seed: 1,
    };
    let s = Strategy::LinearProbe(params);
    assert_eq!(order(&v, &labels, s), vec![4, 5, 6, 7]);
    let scores = v.scores(&labels, s).unwrap();
    assert!(scores[0] > 0.5 && scores[1] > 0.5 && scores[2] < 0.5 && scores[3] < 0.5);
    assert_eq!(scores, v.scores(&labels, s).unwrap(), "deterministic");

    let one_class = [P, P, U, U, U, U, U, U];
    assert_eq!(
        v.rank(&one_class, s, 3),
        Err(SimilarError::OneClass {
            positives: 2,
            negatives: 0
        })
    );
    let weak = Strategy::LinearProbe(ProbeParams {
        unlabelled_as_negatives: true,
        ..params
    });
    assert_eq!(v.rank(&one_class, weak, 1).unwrap()[0].0, 4);
    let bad = Strategy::LinearProbe(ProbeParams {
        epochs: 0,
        ..params
    });
    assert!(matches!(
        v.rank(&labels, bad, 1),
        Err(SimilarError::InvalidParameter { name: "epochs", .. })
    ));
}

#[test]
fn label_errors() {
    let v = circle(&ANGLES);
    let all = [
        Strategy::MeanCosine,
        Strategy::MaxCosine,
        Strategy::VotedNeighbours { per_positive: 2 },
        Strategy::Contrastive,
        Strategy::LinearProbe(ProbeParams::default()),
    ];
    for s in all {
        assert_eq!(v.rank(&[U; 7], s, 3), Err(SimilarError::NoPositives));
        assert_eq!(
            v.rank(&[P, P, N, N, N, N, N], s, 3),
            Err(SimilarError::AllLabelled { rows: 7 })
        );
        assert_eq!(
            v.rank(&[P, U], s, 3),
            Err(SimilarError::LengthMismatch {
                what: "labels",
                expected: 7,
                found: 2
            })
        );
    }
    // Opposite positives cancel: the mean has no direction.
    let opposite = circle(&[0.0, 180.0, 90.0]);
    assert_eq!(
        opposite.rank(&[P, P, U], Strategy::MeanCosine, 1),
        Err(SimilarError::ZeroQuery {
            what: "mean of positives"
        })
    );
}

#[test]
fn undefined_rows_get_the_minimum_score_and_never_rank() {
    let raw = [1.0, 0.0, 0.0, 0.0, 0.6, 0.8, -1.0, 0.0, f32::NAN, 1.0];
    let v = NormalisedVectors::new(&raw, 2).unwrap();
    let labels = [P, U, U, U, U];
    for s in [
        Strategy::MeanCosine,
        Strategy::MaxCosine,
        Strategy::VotedNeighbours { per_positive: 3 },
    ] {
        let scores = v.scores(&labels, s).unwrap();
        assert!(scores.iter().all(|x| x.is_finite()));
        let min = scores[0].min(scores[2]).min(scores[3]);
        assert_eq!(scores[1].to_bits(), min.to_bits());
        assert_eq!(scores[4].to_bits(), min.to_bits());
        assert_eq!(
            v.rank(&labels, s, 10)
                .unwrap()
                .into_iter()
                .map(|(r, _)| r)
                .collect::<Vec<_>>(),
            vec![2, 3]
        );
    }
    assert_eq!(
        v.rank(&[P, P, U, U, U], Strategy::MeanCosine, 1),
        Err(SimilarError::UndefinedRow { row: 1 })
    );
}
