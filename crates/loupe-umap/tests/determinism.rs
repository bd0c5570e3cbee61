//! A seed gives bit-identical layouts on one and two threads, and other seeds differ.

mod common;

use loupe_umap::{UmapEngine, UmapParams};

fn layout(pixels: &[f32], seed: u64, threads: usize) -> Vec<Vec<f32>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        let params = UmapParams {
            n_epochs: Some(60),
            seed,
            ..UmapParams::default()
        }
        .validate(pixels.len() / 784)
        .expect("valid parameters");
        let mut engine = UmapEngine::prepare(pixels, 784, &params, &mut |_| {}).expect("prepare");
        let mut epochs = vec![engine.positions().to_vec()];
        while engine.step().is_some() {
            epochs.push(engine.positions().to_vec());
        }
        epochs
    })
}

#[test]
fn same_seed_same_layout_on_one_and_two_threads() {
    let (pixels, _) = common::mnist(1_500);
    let one = layout(&pixels, 7, 1);
    let two = layout(&pixels, 7, 2);
    assert_eq!(one.len(), 61);
    // Every epoch, bit for bit (f32 equality would let −0 = 0 slip; compare the bits).
    for (epoch, (a, b)) in one.iter().zip(&two).enumerate() {
        let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "epoch {epoch} differs between 1 and 2 threads");
    }
    let other = layout(&pixels, 8, 2);
    assert_ne!(
        one.last(),
        other.last(),
        "another seed gives another layout"
    );
}
