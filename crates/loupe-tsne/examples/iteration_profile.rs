//! Where an iteration's time goes: runs the standard schedule on a prepared `N × 50` input
//! (`loupe-bench prepare` writes `bench-out/data/mnist_pca50.f32`) and prints, per 50
//! iterations, the wall time and the FFT repulsion's parts (kernel, scatter, convolve,
//! gather) against the attraction.
//!
//! `cargo run --release -p loupe-tsne --example iteration_profile [-- PATH]`

use std::time::{Duration, Instant};

use loupe_tsne::{TsneEngine, TsneParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench-out/data/mnist_pca50.f32".to_owned());
    let bytes = std::fs::read(&path)?;
    let data: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let dim = 50;
    let n = data.len() / dim;
    let params = TsneParams::default().validate(n)?;
    let start = Instant::now();
    let mut engine = TsneEngine::prepare(&data, dim, &params, &mut |_| {})?;
    println!(
        "N = {n}: prepared in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    let mut block = [Duration::ZERO; 6];
    let mut block_start = Instant::now();
    while let Some(info) = engine.step() {
        if let Some(t) = engine.fft_timings() {
            for (acc, d) in
                block
                    .iter_mut()
                    .zip([t.kernel, t.scatter, t.convolve, t.gather, t.attraction])
            {
                *acc += d;
            }
            block[5] = block[5].max(Duration::from_secs(t.intervals as u64));
        }
        if info.iteration % 50 == 0 {
            let ms = |d: Duration| d.as_secs_f64() * 1e3 / 50.0;
            println!(
                "it {:4}: {:6.2} ms/it | kernel {:5.2} scatter {:5.2} convolve {:5.2} gather {:5.2} attraction {:5.2} | intervals {}",
                info.iteration,
                ms(block_start.elapsed()),
                ms(block[0]),
                ms(block[1]),
                ms(block[2]),
                ms(block[3]),
                ms(block[4]),
                block[5].as_secs()
            );
            block = [Duration::ZERO; 6];
            block_start = Instant::now();
        }
    }
    println!("total {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}
