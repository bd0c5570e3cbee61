//! k-means behaviour through the public API.

mod common;

use std::ops::ControlFlow;

use common::{blobs, same_partition};
use loupe_cluster::{Algorithm, KMeansParams, MiniBatchParams, ParamError, elbow};

fn minibatch(refine_iter: usize) -> Algorithm {
    Algorithm::MiniBatch(MiniBatchParams {
        refine_iter,
        ..MiniBatchParams::default()
    })
}

#[test]
fn recovers_well_separated_blobs() {
    for (dim, algorithm, n) in [
        (2, Algorithm::Lloyd, 3_000),
        (24, Algorithm::Lloyd, 3_000),
        (2, minibatch(5), 30_000),
        (24, minibatch(5), 30_000),
    ] {
        let k = 6;
        let (data, truth) = blobs(n, dim, k, 15.0, 1);
        let fit = KMeansParams::new(k)
            .with_algorithm(algorithm)
            .fit(&data, dim)
            .unwrap();
        assert!(
            same_partition(fit.labels(), &truth),
            "{dim}-D, {algorithm:?}"
        );
        assert_eq!(fit.k(), k);
        assert_eq!(fit.cluster_sizes().iter().sum::<usize>(), n);
        assert!(fit.converged(), "{algorithm:?} in {dim}-D did not converge");
        // Each blob's centroid is its mean; the noise is unit, so inertia ≈ N · D.
        let per_coordinate = fit.inertia() / (n * dim) as f64;
        assert!((0.9..1.1).contains(&per_coordinate), "{per_coordinate}");
    }
}

#[test]
fn same_seed_gives_identical_results_on_any_thread_count() {
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    };
    let (one_thread, three_threads) = (pool(1), pool(3));
    for (dim, algorithm, n) in [
        (2, Algorithm::Lloyd, 5_000),
        (32, Algorithm::Lloyd, 5_000),
        (2, minibatch(3), 25_000),
        (32, minibatch(3), 25_000),
    ] {
        // One Gaussian cloud: no natural clusters, so many iterations and near-ties happen.
        let (data, _) = blobs(n, dim, 1, 0.0, 2);
        let params = KMeansParams::new(12).with_algorithm(algorithm).with_seed(7);
        let a = params.fit(&data, dim).unwrap();
        let b = params.fit(&data, dim).unwrap();
        let c = one_thread.install(|| params.fit(&data, dim)).unwrap();
        assert_eq!(a, b, "{dim}-D {algorithm:?}: two runs differ");
        assert_eq!(a, c, "{dim}-D {algorithm:?}: one thread differs");
        let d = three_threads.install(|| params.fit(&data, dim)).unwrap();
        assert_eq!(a, d, "{dim}-D {algorithm:?}: three threads differ");
        assert!(
            a.iterations() > 2,
            "{dim}-D {algorithm:?}: {} iterations",
            a.iterations()
        );
        let other = params.with_seed(8).fit(&data, dim).unwrap();
        assert_ne!(a.centroids(), other.centroids(), "the seed has no effect");
    }
}

#[test]
fn lloyd_inertia_never_increases() {
    for dim in [2, 20] {
        let (data, _) = blobs(4_000, dim, 10, 3.0, 3);
        let fit = KMeansParams::new(15)
            .with_algorithm(Algorithm::Lloyd)
            .with_tol(0.0)
            .fit(&data, dim)
            .unwrap();
        let history = fit.inertia_history();
        assert!(history.len() > 3, "{history:?}");
        for w in history.windows(2) {
            assert!(w[1] <= w[0] * (1.0 + 1e-6), "inertia rose: {history:?}");
        }
        assert_eq!(history.last(), Some(&fit.inertia()));
    }
}

#[test]
fn minibatch_comes_within_a_few_percent_of_lloyd() {
    for dim in [2, 16] {
        let (data, _) = blobs(40_000, dim, 10, 4.0, 4);
        let lloyd = KMeansParams::new(10)
            .with_algorithm(Algorithm::Lloyd)
            .fit(&data, dim)
            .unwrap();
        for refine in [0, 5] {
            let mb = KMeansParams::new(10)
                .with_algorithm(minibatch(refine))
                .fit(&data, dim)
                .unwrap();
            let ratio = mb.inertia() / lloyd.inertia();
            assert!(
                ratio < 1.03,
                "{dim}-D, refine {refine}: mini-batch/Lloyd = {ratio}"
            );
            assert!(mb.batches() > 10 && mb.batches() < 40 * 300);
            assert!(mb.iterations() <= refine);
        }
    }
}

#[test]
fn exemplars_are_the_nearest_members() {
    let dim = 3;
    let (data, _) = blobs(2_000, dim, 7, 2.0, 5);
    let fit = KMeansParams::new(7).fit(&data, dim).unwrap();
    let row = |i: usize| &data[i * dim..(i + 1) * dim];
    let d2 =
        |a: &[f32], b: &[f32]| -> f32 { a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum() };
    for (c, exemplar) in fit.exemplars().iter().enumerate() {
        let e = exemplar.expect("no cluster is empty") as usize;
        assert_eq!(
            fit.labels()[e] as usize,
            c,
            "exemplar of {c} is not a member"
        );
        let centroid = fit.centroid(c).unwrap();
        let best = (0..2_000)
            .filter(|&i| fit.labels()[i] as usize == c)
            .map(|i| d2(row(i), centroid))
            .fold(f32::INFINITY, f32::min);
        assert!(d2(row(e), centroid) <= best * (1.0 + 1e-5) + 1e-6);
    }
    assert_eq!(fit.centroid(7), None);
}

#[test]
fn parameters_are_checked_before_running() {
    let data = [0.0_f32, 1.0, 2.0, 3.0, 4.0, 5.0];
    let p = KMeansParams::new(2);
    assert_eq!(p.fit(&data, 0), Err(ParamError::ZeroDimension));
    assert_eq!(
        p.fit(&data, 4),
        Err(ParamError::RaggedBuffer { len: 6, dim: 4 })
    );
    assert_eq!(p.fit(&[], 2), Err(ParamError::EmptyInput));
    assert_eq!(
        KMeansParams::new(0).fit(&data, 2),
        Err(ParamError::ZeroClusters)
    );
    assert_eq!(
        KMeansParams::new(4).fit(&data, 2),
        Err(ParamError::TooManyClusters { k: 4, n_points: 3 })
    );
    assert_eq!(
        p.with_max_iter(0).fit(&data, 2),
        Err(ParamError::ZeroIterations)
    );
    for tol in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            p.with_tol(tol).fit(&data, 2),
            Err(ParamError::InvalidTolerance { .. })
        ));
    }
    let zero_batch = Algorithm::MiniBatch(MiniBatchParams {
        batch_size: 0,
        ..MiniBatchParams::default()
    });
    assert_eq!(
        p.with_algorithm(zero_batch).fit(&data, 2),
        Err(ParamError::ZeroBatchSize)
    );
    let mut bad = data;
    bad[3] = f32::NAN;
    assert_eq!(p.fit(&bad, 2), Err(ParamError::NonFinite { row: 1 }));
    bad[3] = f32::NEG_INFINITY;
    assert_eq!(p.validate(&bad, 2), Err(ParamError::NonFinite { row: 1 }));
    assert_eq!(p.validate(&data, 2), Ok(3));
    // k = N and duplicate rows are fine.
    let dup = [1.0_f32, 1.0, 1.0, 1.0, 1.0, 1.0];
    let fit = KMeansParams::new(3).fit(&dup, 2).unwrap();
    assert!(fit.inertia().abs() < f64::EPSILON);
    assert_eq!(fit.labels().len(), 3);
}

#[test]
fn elbow_reports_each_k_with_progress_and_stops_on_request() {
    let dim = 2;
    let (data, _) = blobs(3_000, dim, 5, 12.0, 6);
    let ks: Vec<usize> = (1..=8).collect();
    let mut calls = Vec::new();
    let points = elbow(&data, dim, &ks, &KMeansParams::new(1), |done, total, p| {
        calls.push((done, total, p.k));
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(points.iter().map(|p| p.k).collect::<Vec<_>>(), ks);
    assert_eq!(calls.len(), 8);
    assert_eq!(calls[7], (8, 8, 8));
    // The elbow is at the true k: a steep drop before it, a flat tail after.
    let at = |k: usize| points[k - 1].inertia;
    assert!(at(4) > 2.0 * at(5), "{points:?}");
    assert!(at(5) < 1.3 * at(8), "{points:?}");

    let stopped = elbow(&data, dim, &ks, &KMeansParams::new(1), |done, _, _| {
        if done == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(stopped.len(), 3);
    assert_eq!(
        elbow(&data, dim, &[], &KMeansParams::new(1), |_, _, _| {
            ControlFlow::Continue(())
        }),
        Err(ParamError::NoClusterCounts)
    );
    assert_eq!(
        elbow(&data, dim, &[2, 0], &KMeansParams::new(1), |_, _, _| {
            ControlFlow::Continue(())
        }),
        Err(ParamError::ZeroClusters)
    );
}
