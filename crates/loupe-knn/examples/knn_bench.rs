//! Times `exact_knn` on N × D random data: `cargo run --release -p loupe-knn --example
//! knn_bench -- 10000 784 90`.

use std::time::Instant;

use loupe_knn::{Metric, exact_knn};
use rand::{Rng, SeedableRng};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let (n, dim, k) = match args[..] {
        [n, dim, k] => (n, dim, k),
        _ => (10_000, 784, 90),
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let data: Vec<f32> = (0..n * dim).map(|_| rng.random::<f32>()).collect();
    let start = Instant::now();
    let graph = exact_knn(&data, dim, k, Metric::Euclidean)?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "exact_knn N={n} D={dim} k={k}: {secs:.2} s ({:.1} GFLOP/s), first distance {}",
        2.0 * (n as f64).powi(2) * dim as f64 / secs / 1e9,
        graph.distances[0]
    );
    Ok(())
}
