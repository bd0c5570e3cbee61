//! Shared test helpers: `loupe-tsne`'s (the demo MNIST digits and the 10-NN label accuracy,
//! one copy for both engines' tests) plus a spread sample of the digits.

#![allow(
    dead_code,
    unused_imports,
    reason = "each test binary uses a different subset"
)]

#[path = "../../../loupe-tsne/tests/common/mod.rs"]
mod tsne;

pub use tsne::{knn_label_accuracy, mnist};

/// Every `step`-th of the 10,000 demo digits (0, step, 2·step, …): a sample spread over the
/// whole file, whose first digits are a harder-than-average slice.
pub fn mnist_every(step: usize) -> (Vec<f32>, Vec<u8>) {
    let (pixels, labels) = mnist(usize::MAX);
    let dim = pixels.len() / labels.len();
    let picked: Vec<usize> = (0..labels.len()).step_by(step).collect();
    (
        picked
            .iter()
            .flat_map(|&i| pixels[i * dim..(i + 1) * dim].iter().copied())
            .collect(),
        picked.iter().map(|&i| labels[i]).collect(),
    )
}
