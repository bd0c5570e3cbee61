//! Fallbacks and refusals: a disconnected graph, bad parameters, bad input.

use loupe_knn::{Metric, exact_knn};
use loupe_umap::{
    InitMethod, InitOutcome, ParamError, SpectralFailure, UmapEngine, UmapError, UmapParams,
};

/// Two tight clusters of `per` points each, 1,000 apart, in 3-D.
fn two_islands(per: usize) -> Vec<f32> {
    (0..2 * per)
        .flat_map(|i| {
            let (c, t) = ((i / per) as f32, (i % per) as f32);
            [1_000.0 * c + (t * 0.37).sin(), (t * 0.91).cos(), t * 0.01]
        })
        .collect()
}

#[test]
fn disconnected_graph_falls_back_to_pca() {
    let x = two_islands(300);
    let params = UmapParams {
        n_neighbors: 5,
        n_epochs: Some(30),
        ..UmapParams::default()
    }
    .validate(600)
    .unwrap();
    let mut engine = UmapEngine::prepare(&x, 3, &params, &mut |_| {}).unwrap();
    assert_eq!(engine.graph().components().0, 2);
    assert_eq!(
        engine.init_outcome(),
        &InitOutcome::PcaFallback {
            reason: SpectralFailure::Disconnected { components: 2 }
        }
    );
    // The PCA start keeps the islands apart along x.
    let start = engine.positions().to_vec();
    let mean_x =
        |r: std::ops::Range<usize>| r.clone().map(|i| start[2 * i]).sum::<f32>() / r.len() as f32;
    assert!((mean_x(0..300) - mean_x(300..600)).abs() > 5.0);
    while engine.step().is_some() {}
    assert!(engine.positions().iter().all(|v| v.is_finite()));

    // From a neighbour graph alone there are no vectors for PCA: the start is random.
    let graph = exact_knn(&x, 3, 4, Metric::Euclidean).unwrap();
    let engine = UmapEngine::from_knn(&graph, None, &params, &mut |_| {}).unwrap();
    assert!(matches!(
        engine.init_outcome(),
        InitOutcome::RandomFallback {
            reason: SpectralFailure::Disconnected { components: 2 }
        }
    ));
    // Asking for PCA without vectors is an error, not a panic.
    let pca = UmapParams {
        n_neighbors: 5,
        init: InitMethod::Pca,
        ..UmapParams::default()
    }
    .validate(600)
    .unwrap();
    assert!(matches!(
        UmapEngine::from_knn(&graph, None, &pca, &mut |_| {}),
        Err(UmapError::NoVectorsForPca)
    ));
}

#[test]
fn bad_parameters_and_input_are_errors() {
    let n = 50;
    let with = |f: fn(&mut UmapParams)| {
        let mut p = UmapParams::default();
        f(&mut p);
        p.validate(n)
    };
    assert!(matches!(
        with(|p| p.n_neighbors = 1),
        Err(ParamError::NeighborsOutOfRange { n_neighbors: 1, .. })
    ));
    assert!(matches!(
        with(|p| p.n_neighbors = 50),
        Err(ParamError::NeighborsOutOfRange {
            n_neighbors: 50,
            max: 49,
            ..
        })
    ));
    assert!(matches!(
        with(|p| p.min_dist = 2.0),
        Err(ParamError::MinDistAboveSpread { .. })
    ));
    let params = UmapParams {
        n_neighbors: 5,
        ..UmapParams::default()
    }
    .validate(n)
    .unwrap();
    let mut x: Vec<f32> = (0..n * 2).map(|i| (i as f32 * 0.7).sin()).collect();
    x[2 * 17 + 1] = f32::NAN;
    assert!(matches!(
        UmapEngine::prepare(&x, 2, &params, &mut |_| {}),
        Err(UmapError::NonFinite { row: 17 })
    ));
    assert!(matches!(
        UmapEngine::prepare(&x[..7], 2, &params, &mut |_| {}),
        Err(UmapError::InputShape { len: 7, .. })
    ));
    // A neighbour graph of the wrong width.
    let ok: Vec<f32> = (0..n * 2).map(|i| (i as f32 * 0.7).sin()).collect();
    let graph = exact_knn(&ok, 2, 6, Metric::Euclidean).unwrap();
    assert!(matches!(
        UmapEngine::from_knn(&graph, Some((&ok, 2)), &params, &mut |_| {}),
        Err(UmapError::GraphShape {
            k: 6,
            expected_k: 4,
            ..
        })
    ));
}

#[test]
fn tiny_and_degenerate_inputs_run() {
    // Three points (the fewest allowed), and forty identical points.
    for (x, dim) in [(vec![0.0_f32, 1.0, 5.0], 1), (vec![0.5_f32; 40 * 3], 3)] {
        let n = x.len() / dim;
        let params = UmapParams {
            n_neighbors: 2,
            n_epochs: Some(20),
            ..UmapParams::default()
        }
        .validate(n)
        .unwrap();
        let mut engine = UmapEngine::prepare(&x, dim, &params, &mut |_| {}).unwrap();
        while engine.step().is_some() {}
        assert!(engine.positions().iter().all(|v| v.is_finite()), "{x:?}");
    }
}
