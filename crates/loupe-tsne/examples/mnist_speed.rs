//! Speed and quality on the demo digits:
//! `cargo run --release -p loupe-tsne --example mnist_speed -- [N=10000] [pca_dims=50] [seed=0]`
//! (`pca_dims` 0 uses the raw 784 pixels).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use loupe_tsne::{TsneEngine, TsneParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let n = args.first().copied().unwrap_or(10_000);
    let pca_dims = args.get(1).copied().unwrap_or(50);
    let seed = args.get(2).copied().unwrap_or(0) as u64;
    let (pixels, labels) = common::mnist(n);
    let params = TsneParams {
        pca_dims: (pca_dims > 0).then_some(pca_dims),
        seed,
        ..TsneParams::default()
    }
    .validate(labels.len())?;
    let start = Instant::now();
    let mut engine = TsneEngine::prepare(&pixels, 784, &params, &mut |stage| {
        println!("{:6.2} s  {stage:?}", start.elapsed().as_secs_f64());
    })?;
    println!("{:6.2} s  prepared", start.elapsed().as_secs_f64());
    let mut phase_start = Instant::now();
    let mut phase = 0;
    let mut phase_iters = 0;
    while let Some(info) = engine.step() {
        phase_iters += 1;
        if let Some(kl) = info.kl {
            println!("iteration {:4}  KL {kl:.4}", info.iteration);
        }
        if info.phase_iteration == params.phases()[phase].n_iter {
            let secs = phase_start.elapsed().as_secs_f64();
            println!(
                "phase {phase}: {phase_iters} iterations in {secs:.2} s = {:.1} it/s",
                f64::from(phase_iters) / secs
            );
            phase += 1;
            phase_iters = 0;
            phase_start = Instant::now();
        }
    }
    println!(
        "total {:.2} s; 10-NN label accuracy {:.4}",
        start.elapsed().as_secs_f64(),
        common::knn_label_accuracy(engine.positions(), &labels)
    );
    Ok(())
}
