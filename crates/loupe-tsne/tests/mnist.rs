//! End-to-end quality on the demo digits with default parameters (PCA to 50 first, as the app
//! does for wide data; standard 250 + 500 schedule).
//!
//! Reference, measured on this machine with openTSNE 1.0.4 on the same input (scikit-learn
//! PCA-50, `neighbors="exact"`, `negative_gradient_method="bh"`, seeds 0–2), with the same
//! leave-one-out 10-NN vote as [`common::knn_label_accuracy`]:
//!
//! | digits | openTSNE KL      | openTSNE 10-NN acc. | Loupe KL (seed 0) | Loupe acc. | PCA-50 acc. |
//! |--------|------------------|---------------------|-------------------|------------|-------------|
//! | 2,000  | 1.2535 – 1.2661  | 0.8735 – 0.8830     | 1.2607            | 0.8785     | 0.8905      |
//! | 5,000  | 1.5529 – 1.5544  | 0.9236 – 0.9238     | 1.5501            | 0.9234     | 0.9338      |
//! | 10,000 | 1.7240           | 0.9555              | 1.7240            | 0.9569     | 0.9593      |
//!
//! The *first* 2,000 digits of the file are a hard slice: even their 50-D input scores below
//! 0.90, and so does openTSNE's layout. A seeded random sample of 2,000 of the 10,000 digits is
//! representative (openTSNE 1.0.4, seed 0, on numpy's `default_rng(0)` sample: 0.9225), and
//! there the 0.90 bar holds (Loupe over samples 0–4: 0.9305, 0.912, 0.9115, 0.915, 0.8995;
//! the test uses sample 0). The first-2,000 test holds Loupe to openTSNE's level instead.

mod common;

use std::time::Instant;

use loupe_tsne::{TsneEngine, TsneParams};

/// Runs the default schedule on the given digits; returns (10-NN accuracy, final KL).
fn default_run((pixels, labels): (Vec<f32>, Vec<u8>)) -> (f64, f64) {
    let start = Instant::now();
    let n = labels.len();
    let params = TsneParams {
        pca_dims: Some(50),
        ..TsneParams::default()
    }
    .validate(labels.len())
    .expect("valid parameters");
    let mut engine = TsneEngine::prepare(&pixels, 784, &params, &mut |_| {}).expect("prepare");
    let prepared = start.elapsed();
    let mut steps = 0;
    while engine.step().is_some() {
        steps += 1;
    }
    assert_eq!(steps, 750);
    assert!(engine.positions().iter().all(|v| v.is_finite()));
    let accuracy = common::knn_label_accuracy(engine.positions(), &labels);
    let (at, kl) = engine.last_kl().expect("KL at the end");
    assert_eq!(at, 750);
    println!(
        "MNIST {n}: prepare {:.2} s, total {:.2} s, KL {kl:.4}, 10-NN accuracy {accuracy:.4}",
        prepared.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    (accuracy, kl)
}

#[test]
fn mnist_2000_random_digits_reach_090() {
    let (accuracy, kl) = default_run(common::mnist_sample(2_000, 0));
    assert!(accuracy >= 0.90, "10-NN label accuracy {accuracy}");
    assert!(kl.is_finite() && kl < 1.4, "KL {kl}");
}

#[test]
fn mnist_first_2000_matches_opentsne() {
    let (accuracy, kl) = default_run(common::mnist(2_000));
    assert!(accuracy >= 0.86, "10-NN label accuracy {accuracy}");
    assert!((1.20..1.32).contains(&kl), "KL {kl}");
}

#[test]
fn mnist_5000_separates_the_digits() {
    let (accuracy, kl) = default_run(common::mnist(5_000));
    assert!(accuracy >= 0.90, "10-NN label accuracy {accuracy}");
    assert!((1.50..1.61).contains(&kl), "KL {kl}");
}
