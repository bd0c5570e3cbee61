//! `approximate_knn` against `exact_knn`: recall, determinism and edge cases.

use loupe_knn::{ApproxParams, KnnGraph, KnnMethod, Metric, approximate_knn, exact_knn, knn};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` points in `dim` dimensions around 20 random centres (unit-variance clusters at
/// distance ~6 apart): the structure real embeddings have, and not trivially easy.
fn clustered(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<f32> = (0..20 * dim)
        .map(|_| rng.random_range(-3.0_f32..3.0))
        .collect();
    let mut out = Vec::with_capacity(n * dim);
    for _ in 0..n {
        let c = rng.random_range(0..20);
        for d in 0..dim {
            // Sum of uniforms: cheap, roughly Gaussian noise.
            let noise: f32 = (0..4).map(|_| rng.random_range(-0.5_f32..0.5)).sum();
            out.push(centres[c * dim + d] + noise);
        }
    }
    out
}

fn recall(exact: &KnnGraph, approx: &KnnGraph) -> f64 {
    let mut found = 0;
    for i in 0..exact.n_points() {
        let truth = exact.neighbors(i);
        found += approx
            .neighbors(i)
            .iter()
            .filter(|j| truth.contains(j))
            .count();
    }
    found as f64 / exact.indices.len() as f64
}

fn well_formed(graph: &KnnGraph) {
    for i in 0..graph.n_points() {
        let nbrs = graph.neighbors(i);
        assert!(
            nbrs.iter().all(|&j| j as usize != i),
            "row {i} lists itself"
        );
        let mut unique = nbrs.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), graph.k, "row {i} repeats a neighbour");
        let d = graph.neighbor_distances(i);
        assert!(d.windows(2).all(|d| d[0] <= d[1]), "row {i} unsorted");
    }
}

#[test]
fn recall_against_exact_on_clustered_data() {
    let (n, dim, k) = (4_000, 48, 30);
    let data = clustered(n, dim, 1);
    for metric in [Metric::Euclidean, Metric::Cosine] {
        let exact = exact_knn(&data, dim, k, metric).expect("exact");
        let approx =
            approximate_knn(&data, dim, k, metric, ApproxParams::default()).expect("approximate");
        well_formed(&approx);
        let r = recall(&exact, &approx);
        assert!(r >= 0.98, "{metric:?}: recall {r}");
        // Same distance function: a neighbour both found has the very same distance.
        for i in (0..n).step_by(97) {
            for (&j, &d) in approx.neighbors(i).iter().zip(approx.neighbor_distances(i)) {
                if let Some(s) = exact.neighbors(i).iter().position(|&e| e == j) {
                    assert_eq!(d.to_bits(), exact.neighbor_distances(i)[s].to_bits());
                }
            }
        }
    }
}

#[test]
fn same_graph_on_one_and_two_threads_and_for_a_seed() {
    let data = clustered(3_000, 20, 2);
    let params = ApproxParams {
        seed: 7,
        ..ApproxParams::default()
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| approximate_knn(&data, 20, 15, Metric::Euclidean, params).expect("knn"))
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(2));
    let other_seed = approximate_knn(
        &data,
        20,
        15,
        Metric::Euclidean,
        ApproxParams { seed: 8, ..params },
    )
    .expect("knn");
    well_formed(&other_seed);
}

#[test]
fn duplicates_get_distinct_neighbours_at_distance_zero() {
    // 600 points, each present three times.
    let base = clustered(600, 8, 3);
    let data: Vec<f32> = base
        .chunks(8)
        .flat_map(|row| row.iter().chain(row).chain(row).copied())
        .collect();
    let params = ApproxParams {
        leaf_size: 64,
        ..ApproxParams::default()
    };
    let approx = approximate_knn(&data, 8, 10, Metric::Euclidean, params).expect("knn");
    well_formed(&approx);
    let exact = exact_knn(&data, 8, 10, Metric::Euclidean).expect("knn");
    for i in 0..1_800 {
        // The two copies of a point come first, at distance 0.
        assert_eq!(&approx.neighbor_distances(i)[..2], &[0.0, 0.0]);
        assert_eq!(
            approx.neighbor_distances(i)[..2],
            exact.neighbor_distances(i)[..2]
        );
    }
    // Copies tie, so which copy is listed is arbitrary: count neighbours within the true
    // k-th distance instead.
    let within = (0..1_800)
        .map(|i| {
            let kth = exact.neighbor_distances(i)[9];
            approx
                .neighbor_distances(i)
                .iter()
                .filter(|&&d| d <= kth)
                .count()
        })
        .sum::<usize>();
    assert!(within as f64 >= 0.98 * 18_000.0, "{within}");
}

#[test]
fn small_inputs_and_large_k_fall_back_to_exact() {
    let data = clustered(200, 5, 4);
    let exact = exact_knn(&data, 5, 199, Metric::Euclidean).expect("knn");
    let approx =
        approximate_knn(&data, 5, 199, Metric::Euclidean, ApproxParams::default()).expect("knn");
    assert_eq!(exact, approx);
    let exact = exact_knn(&data[..3 * 5], 5, 1, Metric::Cosine).expect("knn");
    let approx = approximate_knn(
        &data[..3 * 5],
        5,
        1,
        Metric::Cosine,
        ApproxParams::default(),
    )
    .expect("knn");
    assert_eq!(exact, approx);
    assert!(approximate_knn(&data, 5, 200, Metric::Euclidean, ApproxParams::default()).is_err());
    assert!(approximate_knn(&data, 5, 0, Metric::Euclidean, ApproxParams::default()).is_err());
    // Many points, tiny leaves, k close to the leaf size: still k distinct neighbours.
    let data = clustered(2_000, 3, 5);
    let params = ApproxParams {
        n_trees: 1,
        leaf_size: 2,
        max_rounds: 1,
        fanout: 1,
        seed: 0,
    };
    well_formed(&approximate_knn(&data, 3, 40, Metric::Euclidean, params).expect("knn"));
}

#[test]
fn auto_is_exact_below_the_threshold() {
    let data = clustered(500, 6, 6);
    let auto = knn(&data, 6, 12, Metric::Euclidean, KnnMethod::default()).expect("knn");
    assert_eq!(
        auto,
        exact_knn(&data, 6, 12, Metric::Euclidean).expect("knn")
    );
    assert_eq!(
        KnnMethod::Auto { seed: 3 }.resolve(100, 90),
        KnnMethod::Exact
    );
    assert_eq!(
        KnnMethod::Auto { seed: 3 }.resolve(KnnMethod::AUTO_EXACT_BELOW, 90),
        KnnMethod::Approximate(ApproxParams {
            seed: 3,
            ..ApproxParams::default()
        })
    );
    // Small k (UMAP's) gets the lighter forest.
    assert_eq!(
        KnnMethod::Auto { seed: 3 }.resolve(KnnMethod::AUTO_EXACT_BELOW, 14),
        KnnMethod::Approximate(ApproxParams {
            seed: 3,
            ..ApproxParams::for_k(14)
        })
    );
    assert!(ApproxParams::for_k(14).n_trees < ApproxParams::default().n_trees);
    assert_eq!(
        KnnMethod::default().with_seed(9),
        KnnMethod::Auto { seed: 9 }
    );
}
