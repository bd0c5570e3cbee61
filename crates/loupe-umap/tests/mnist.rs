//! UMAP on 2,000 real MNIST digits separates the classes, and the fuzzy graph is calibrated.
//!
//! Reference, measured with umap-learn 0.5.12 (`UMAP(random_state=s)`, seeds 0–2) on the same
//! digits reduced by scikit-learn's PCA to 50, scored with the same leave-one-out 10-NN vote as
//! [`common::knn_label_accuracy`]: every 5th of the 10,000 demo digits 0.900, 0.9005, 0.908
//! (the PCA-50 input itself: 0.919); the *first* 2,000 digits, a hard slice, 0.8585 and 0.855
//! (raw pixels, seeds 0–1).

mod common;

use loupe_knn::{Metric, exact_knn};
use loupe_umap::{
    InitOutcome, MIN_K_DIST_SCALE, PrepareStage, UmapEngine, UmapParams, fuzzy_simplicial_set,
    smooth_knn_dist,
};

/// Runs umap-learn's defaults (after PCA to 50, as the app does for wide data) to the end and
/// returns the 10-NN label accuracy of the layout.
fn default_run((pixels, labels): (Vec<f32>, Vec<u8>), pca_dims: Option<usize>) -> f64 {
    let n = labels.len();
    let params = UmapParams {
        pca_dims,
        ..UmapParams::default()
    }
    .validate(n)
    .expect("valid parameters");
    assert_eq!(params.n_epochs(), 500);
    let mut stages = Vec::new();
    let mut engine =
        UmapEngine::prepare(&pixels, 784, &params, &mut |s| stages.push(s)).expect("prepare");
    assert_eq!(
        stages.last(),
        Some(&PrepareStage::Initialization),
        "{stages:?}"
    );
    assert!(
        matches!(engine.init_outcome(), InitOutcome::Spectral { .. }),
        "{:?}",
        engine.init_outcome()
    );
    // The initial layout fills [0, 10]² as umap-learn's does.
    assert!(engine.positions().iter().all(|v| (0.0..=10.0).contains(v)));
    let mut epochs = 0;
    while let Some(info) = engine.step() {
        epochs += 1;
        assert_eq!(info.epoch, epochs);
        assert!(info.learning_rate > 0.0 && info.learning_rate <= 1.0);
    }
    assert_eq!(epochs, 500);
    assert!(engine.is_finished());
    assert!(engine.positions().iter().all(|v| v.is_finite()));
    let accuracy = common::knn_label_accuracy(engine.positions(), &labels);
    println!("MNIST {n} (PCA {pca_dims:?}): 10-NN label accuracy {accuracy:.4}");
    accuracy
}

#[test]
fn two_thousand_digits_reach_ninety_percent_label_accuracy() {
    let digits = common::mnist_every(5);
    assert_eq!(digits.1.len(), 2_000);
    let accuracy = default_run(digits, Some(50));
    assert!(accuracy >= 0.90, "10-NN label accuracy {accuracy}");
}

#[test]
fn first_two_thousand_digits_match_umap_learn() {
    let accuracy = default_run(common::mnist(2_000), None);
    assert!(accuracy >= 0.84, "10-NN label accuracy {accuracy}");
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
        assert_eq!(
            rho.to_bits(),
            d[0].to_bits(),
            "ρ is the nearest neighbour's distance"
        );
        let mean = d.iter().map(|&v| f64::from(v)).sum::<f64>() / 15.0;
        if f64::from(local.sigmas[i]) <= MIN_K_DIST_SCALE * mean * 1.000_001 {
            continue; // floored: the sum cannot reach the target
        }
        let sum: f64 = d
            .iter()
            .map(|&v| (-(f64::from(v - rho).max(0.0)) / f64::from(local.sigmas[i])).exp())
            .sum();
        assert!(
            (sum - target).abs() < 1e-3,
            "point {i}: Σ = {sum}, log2(15) = {target}"
        );
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
