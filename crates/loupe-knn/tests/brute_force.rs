//! `exact_knn` against a plain O(N²) search in f64.

use loupe_knn::{KnnError, KnnGraph, Metric, exact_knn};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_data(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // An offset makes ‖x‖² large relative to neighbour distances, stressing cancellation.
    (0..n * dim).map(|_| rng.random::<f32>() + 3.0).collect()
}

/// All distances from `i` in f64, in the metric's reported unit.
fn brute_distances(data: &[f32], dim: usize, i: usize, metric: Metric) -> Vec<(f64, u32)> {
    let row = |r: usize| -> Vec<f64> {
        let v: Vec<f64> = data[r * dim..(r + 1) * dim]
            .iter()
            .map(|&x| f64::from(x))
            .collect();
        match metric {
            Metric::Euclidean => v,
            Metric::Cosine => {
                let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                v.iter().map(|x| x / n).collect()
            }
        }
    };
    let x = row(i);
    let n = data.len() / dim;
    let mut out: Vec<(f64, u32)> = (0..n)
        .filter(|&j| j != i)
        .map(|j| {
            let d2: f64 = x.iter().zip(row(j)).map(|(a, b)| (a - b) * (a - b)).sum();
            let d = match metric {
                Metric::Euclidean => d2.sqrt(),
                Metric::Cosine => d2 / 2.0,
            };
            (d, j as u32)
        })
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    out
}

fn check_against_brute_force(data: &[f32], dim: usize, graph: &KnnGraph, metric: Metric) {
    let n = data.len() / dim;
    assert_eq!(graph.n_points(), n);
    for i in 0..n {
        let truth = brute_distances(data, dim, i, metric);
        let by_index: std::collections::HashMap<u32, f64> =
            truth.iter().map(|&(d, j)| (j, d)).collect();
        let nbrs = graph.neighbors(i);
        let dists = graph.neighbor_distances(i);
        for (slot, (&j, &d)) in nbrs.iter().zip(dists).enumerate() {
            assert_ne!(j as usize, i, "row {i} lists itself");
            let tol = 1e-5 * truth[slot].0.max(1e-3);
            // The slot-th distance is the true slot-th smallest distance …
            assert!(
                (f64::from(d) - truth[slot].0).abs() <= tol,
                "row {i} slot {slot}: {d} vs {}",
                truth[slot].0
            );
            // … and it really is the distance to the listed neighbour.
            assert!((f64::from(d) - by_index[&j]).abs() <= tol);
        }
        let mut unique = nbrs.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), graph.k, "row {i} repeats a neighbour");
        assert!(dists.windows(2).all(|w| w[0] <= w[1]), "row {i} unsorted");
    }
}

#[test]
fn euclidean_matches_brute_force() {
    // Sizes that are not multiples of the internal 128-row / 2048-column blocks.
    for &(n, dim, k) in &[(50, 3, 10), (300, 17, 45), (2_100, 8, 5), (700, 1, 20)] {
        let data = random_data(n, dim, n as u64);
        let graph = exact_knn(&data, dim, k, Metric::Euclidean).expect("knn");
        check_against_brute_force(&data, dim, &graph, Metric::Euclidean);
    }
}

#[test]
fn cosine_matches_brute_force() {
    for &(n, dim, k) in &[(200, 5, 30), (513, 40, 90)] {
        let data: Vec<f32> = random_data(n, dim, 7).iter().map(|v| v - 3.5).collect();
        let graph = exact_knn(&data, dim, k, Metric::Cosine).expect("knn");
        check_against_brute_force(&data, dim, &graph, Metric::Cosine);
    }
}

#[test]
fn ties_are_broken_by_index() {
    // Five copies of one point and one far point: every copy's neighbours are the other
    // copies in index order, at distance zero.
    let mut data = [1.0_f32, 2.0].repeat(5);
    data.extend([10.0, 10.0]);
    let g = exact_knn(&data, 2, 4, Metric::Euclidean).expect("knn");
    assert_eq!(g.neighbors(0), &[1, 2, 3, 4]);
    assert_eq!(g.neighbors(2), &[0, 1, 3, 4]);
    assert_eq!(g.neighbor_distances(2), &[0.0; 4]);
    assert_eq!(g.neighbors(5), &[0, 1, 2, 3]);
}

#[test]
fn same_result_on_one_and_two_threads() {
    let data = random_data(600, 12, 3);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| exact_knn(&data, 12, 15, Metric::Euclidean).expect("knn"))
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn bad_input_is_a_typed_error() {
    assert_eq!(
        exact_knn(&[0.0; 6], 0, 1, Metric::Euclidean),
        Err(KnnError::ZeroDimension)
    );
    assert!(matches!(
        exact_knn(&[0.0; 7], 2, 1, Metric::Euclidean),
        Err(KnnError::RaggedBuffer { len: 7, dim: 2 })
    ));
    assert!(matches!(
        exact_knn(&[0.0; 6], 2, 3, Metric::Euclidean),
        Err(KnnError::TooManyNeighbors { k: 3, n_points: 3 })
    ));
    assert_eq!(
        exact_knn(&[0.0; 6], 2, 0, Metric::Euclidean),
        Err(KnnError::ZeroNeighbors)
    );
    assert_eq!(
        exact_knn(&[0.0, 1.0, f32::NAN, 0.0], 2, 1, Metric::Cosine),
        Err(KnnError::NonFinite { row: 1 })
    );
}

#[test]
fn query_search_matches_brute_force_and_finds_exact_copies() {
    let dim = 13;
    let reference = random_data(700, dim, 11);
    let mut queries = random_data(150, dim, 12);
    // Query 5 is a copy of reference row 321.
    queries[5 * dim..6 * dim].copy_from_slice(&reference[321 * dim..322 * dim]);
    for metric in [Metric::Euclidean, Metric::Cosine] {
        let graph =
            loupe_knn::exact_query_knn(&queries, &reference, dim, 9, metric).expect("valid input");
        assert_eq!(graph.n_points(), 150);
        assert_eq!(graph.neighbors(5)[0], 321, "{metric:?}");
        assert!(graph.neighbor_distances(5)[0].abs() < 1e-6, "{metric:?}");
        // Appending the query to the reference and excluding it gives the brute-force truth.
        for q in [0, 5, 77, 149] {
            let mut joined = reference.clone();
            joined.extend_from_slice(&queries[q * dim..(q + 1) * dim]);
            let truth = brute_distances(&joined, dim, 700, metric);
            for (slot, &d) in graph.neighbor_distances(q).iter().enumerate() {
                let tol = 1e-5 * truth[slot].0.max(1e-3);
                assert!(
                    (f64::from(d) - truth[slot].0).abs() <= tol,
                    "{metric:?} query {q} slot {slot}: {d} vs {}",
                    truth[slot].0
                );
            }
        }
    }
    // k is clamped to the reference size; bad queries are typed errors.
    let small =
        loupe_knn::exact_query_knn(&queries, &reference[..3 * dim], dim, 10, Metric::Euclidean)
            .expect("clamped");
    assert_eq!(small.k, 3);
    let mut bad = queries.clone();
    bad[2 * dim] = f32::NAN;
    assert_eq!(
        loupe_knn::exact_query_knn(&bad, &reference, dim, 3, Metric::Euclidean),
        Err(KnnError::NonFinite { row: 2 })
    );
}
