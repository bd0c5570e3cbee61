//! UMAP on 2,000 real MNIST digits separates the classes, and the fuzzy graph is calibrated.

mod common;

use loupe_knn::{Metric, exact_knn};
use loupe_umap::{
    InitOutcome, MIN_K_DIST_SCALE, UmapEngine, UmapParams, fuzzy_simplicial_set, smooth_knn_dist,
};

#[test]
fn two_thousand_digits_reach_ninety_percent_label_accuracy() {
    let (pixels, labels) = common::mnist(2_000);
    let n = labels.len();
    assert_eq!(n, 2_000);
    let params = UmapParams::default().validate(n).unwrap();
    assert_eq!(params.n_epochs(), 500);
    let mut stages = Vec::new();
    let mut engine = UmapEngine::prepare(&pixels, 784, &params, &mut |s| stages.push(s)).unwrap();
    assert_eq!(stages.len(), 3, "{stages:?}");
    assert!(
        matches!(engine.init_outcome(), InitOutcome::Spectral { .. }),
        "{:?}",
        engine.init_outcome()
    );
    // The initial layout fills [0, 10]² as umap-learn's does.
    let start = engine.positions().to_vec();
    assert!(start.iter().all(|v| (0.0..=10.0).contains(v)));
    let mut epochs = 0;
    while let Some(info) = engine.step() {
        epochs += 1;
        assert_eq!(info.epoch, epochs);
        assert!(info.learning_rate > 0.0 && info.learning_rate <= 1.0);
    }
    assert_eq!(epochs, 500);
    assert!(engine.is_finished());
    let positions = engine.positions();
    assert!(positions.iter().all(|v| v.is_finite()));
    let accuracy = common::knn_label_accuracy(positions, &labels);
    assert!(accuracy >= 0.90, "10-NN label accuracy {accuracy}");
}

#[test]
fn bandwidths_hit_log2_k_on_real_digits() {
    let (pixels, _) = common::mnist(500);
    let graph = exact_knn(&pixels, 784, 14, Metric::Euclidean).unwrap();
    let local = smooth_knn_dist(&graph, 1.0);
    let target = 15_f64.log2();
    let mut calibrated = 0;
    for i in 0..500 {
        let d = graph.neighbor_distances(i);
        let rho = local.rhos[i];
        assert_eq!(rho, d[0], "ρ is the nearest neighbour's distance");
        let mean = d.iter().map(|&v| f64::from(v)).sum::<f64>() / 15.0;
        if f64::from(local.sigmas[i]) <= MIN_K_DIST_SCALE * mean * 1.000_001 {
            continue; // floored: the sum cannot reach the target
        }
        let sum: f64 = d
            .iter()
            .map(|&v| (-(f64::from(v - rho).max(0.0)) / f64::from(local.sigmas[i])).exp())
            .sum();
        assert!((sum - target).abs() < 1e-3, "point {i}: Σ = {sum}, log2(15) = {target}");
        calibrated += 1;
    }
    assert!(calibrated > 490, "only {calibrated} points calibrated");
    // The union is symmetric and its memberships lie in (0, 1].
    let fuzzy = fuzzy_simplicial_set(&graph, &local, 1.0);
    for i in 0..500 {
        for (j, w) in fuzzy.row(i) {
            assert!(w > 0.0 && w <= 1.0);
            let back = fuzzy.row(j as usize).find(|&(c, _)| c as usize == i);
            assert_eq!(back.map(|(_, v)| v.to_bits()), Some(w.to_bits()));
        }
    }
}
