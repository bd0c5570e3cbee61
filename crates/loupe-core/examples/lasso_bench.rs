//! Times a lasso over a million points: the interactive budget for a mouse release.
//!
//!     cargo run --release -p loupe-core --example lasso_bench [-- <points> <vertices> <runs>]
//!
//! Points are uniform in [-1, 1]²; the lasso is a random star-shaped (concave) polygon around
//! the origin with radii in [0.3, 1], the worst realistic case: many edges cross every
//! horizontal line. Prints the median time of several runs, polygon preparation included.

use std::time::Instant;

use loupe_core::Lasso;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args().nth(i).map_or(default, |s| {
            s.parse().expect("arguments are positive integers")
        })
    };
    let (n_points, n_vertices, runs) = (arg(1, 1_000_000), arg(2, 400), arg(3, 9));
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let positions: Vec<f32> = (0..2 * n_points)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let lasso: Vec<[f32; 2]> = (0..n_vertices)
        .map(|i| {
            let angle = std::f32::consts::TAU * i as f32 / n_vertices as f32;
            let r = rng.random_range(0.3..1.0f32);
            [r * angle.cos(), r * angle.sin()]
        })
        .collect();
    let (mut total, mut prepare) = (Vec::new(), Vec::new());
    let mut count = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let prepared = Lasso::new(&lasso);
        prepare.push(start.elapsed().as_secs_f64() * 1e3);
        count = prepared.select(&positions).count();
        total.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let (total, prepare) = (summary(total), summary(prepare));
    println!(
        "lasso: {n_points} points, {n_vertices} vertices, {runs} runs: median {:.2} ms \
         (min {:.2}, max {:.2}), of which Lasso::new {:.2} ms; {count} selected",
        total[1], total[0], total[2], prepare[1]
    );
}

/// Minimum, median and maximum.
fn summary(mut times: Vec<f64>) -> [f64; 3] {
    times.sort_by(f64::total_cmp);
    [times[0], times[times.len() / 2], times[times.len() - 1]]
}
