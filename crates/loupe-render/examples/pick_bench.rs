//! Compares kd-tree crates for hover picking: build time and 1000 nearest-neighbour queries.
//!
//! `cargo run --release -p loupe-render --example pick_bench`
//!
//! The numbers decide which crate `PickIndex` uses; they are copied into its doc comment.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kiddo::SquaredEuclidean;
use kiddo::immutable::float::kdtree::ImmutableKdTree;

const QUERIES: usize = 1000;

/// One benchmark: (points, queries) → (build time, query time, checksum).
type Bench = fn(&[[f32; 2]], &[[f32; 2]]) -> (Duration, Duration, usize);

/// Deterministic uniform points in the unit square (no `rand` dependency needed).
fn random_points(n: usize, seed: u64) -> Vec<[f32; 2]> {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    (0..n).map(|_| [next(), next()]).collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Best of `repeats` runs of `f`, which returns (build time, query time, checksum).
fn best_of(repeats: usize, mut f: impl FnMut() -> (Duration, Duration, usize)) -> (f64, f64) {
    let mut best = (f64::INFINITY, f64::INFINITY);
    for _ in 0..repeats {
        let (build, query, checksum) = f();
        black_box(checksum);
        best = (best.0.min(ms(build)), best.1.min(ms(query)));
    }
    best
}

fn bench_kdtree(points: &[[f32; 2]], queries: &[[f32; 2]]) -> (Duration, Duration, usize) {
    let start = Instant::now();
    let mut tree: kdtree::KdTree<f32, u32, [f32; 2]> = kdtree::KdTree::new(2);
    for (i, p) in points.iter().enumerate() {
        tree.add(*p, i as u32).expect("finite point");
    }
    let build = start.elapsed();
    let start = Instant::now();
    let mut checksum = 0;
    for q in queries {
        let hit = tree
            .nearest(q, 1, &kdtree::distance::squared_euclidean)
            .expect("valid query");
        checksum += *hit[0].1 as usize;
    }
    (build, start.elapsed(), checksum)
}

fn bench_kiddo_mutable(points: &[[f32; 2]], queries: &[[f32; 2]]) -> (Duration, Duration, usize) {
    let start = Instant::now();
    let mut tree: kiddo::float::kdtree::KdTree<f32, u32, 2, 32, u32> =
        kiddo::float::kdtree::KdTree::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        tree.add(p, i as u32);
    }
    let build = start.elapsed();
    let start = Instant::now();
    let mut checksum = 0;
    for q in queries {
        checksum += tree.nearest_one::<SquaredEuclidean>(q).item as usize;
    }
    (build, start.elapsed(), checksum)
}

fn bench_kiddo_immutable(points: &[[f32; 2]], queries: &[[f32; 2]]) -> (Duration, Duration, usize) {
    let start = Instant::now();
    let tree: ImmutableKdTree<f32, u32, 2, 32> = ImmutableKdTree::new_from_slice(points);
    let build = start.elapsed();
    let start = Instant::now();
    let mut checksum = 0;
    for q in queries {
        checksum += tree.nearest_one::<SquaredEuclidean>(q).item as usize;
    }
    (build, start.elapsed(), checksum)
}

fn bench_pick_index(points: &[[f32; 2]], queries: &[[f32; 2]]) -> (Duration, Duration, usize) {
    let flat: Vec<f32> = points.iter().flatten().copied().collect();
    let start = Instant::now();
    let index = loupe_render::PickIndex::new(&flat);
    let build = start.elapsed();
    let start = Instant::now();
    let mut checksum = 0;
    for q in queries {
        checksum += index.nearest(q[0], q[1]).map_or(0, |hit| hit.0);
    }
    (build, start.elapsed(), checksum)
}

fn main() {
    let queries = random_points(QUERIES, 42);
    println!("| points | structure | build (ms) | {QUERIES} nearest (ms) |");
    println!("|---|---|---|---|");
    for n in [10_000, 1_000_000] {
        let points = random_points(n, n as u64);
        let repeats = if n > 100_000 { 3 } else { 10 };
        let rows: [(&str, Bench); 4] = [
            ("kdtree 0.8", bench_kdtree),
            ("kiddo 5 KdTree", bench_kiddo_mutable),
            ("kiddo 5 ImmutableKdTree", bench_kiddo_immutable),
            ("PickIndex (as shipped)", bench_pick_index),
        ];
        for (name, bench) in rows {
            let (build, query) = best_of(repeats, || bench(&points, &queries));
            println!("| {n} | {name} | {build:.2} | {query:.3} |");
        }
    }
}
