//! Shared test helpers: the demo MNIST digits (read by `loupe-data`) and the 10-NN label
//! accuracy of a layout.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::PathBuf;

use arrow_array::{Array, UInt8Array};
use loupe_data::{ReadOptions, read_path};

/// The first `limit` MNIST test digits of the demo asset: pixels scaled to [0, 1]
/// (`N × 784`) and labels.
pub fn mnist(limit: usize) -> (Vec<f32>, Vec<u8>) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/t10k-images.idx3-ubyte.gz");
    let dataset = read_path(
        &path,
        &ReadOptions {
            limit: Some(limit),
            ..ReadOptions::default()
        },
    )
    .expect("the demo digits read");
    let labels = dataset
        .metadata()
        .column_by_name("label")
        .and_then(|c| c.as_any().downcast_ref::<UInt8Array>())
        .expect("labels next to the images");
    (dataset.vectors().to_vec(), labels.values().to_vec())
}

/// Every `step`-th of the 10,000 demo digits (0, step, 2·step, …): a sample spread over the
/// whole file, whose first digits are a harder-than-average slice.
pub fn mnist_every(step: usize) -> (Vec<f32>, Vec<u8>) {
    let (pixels, labels) = mnist(usize::MAX);
    let picked: Vec<usize> = (0..labels.len()).step_by(step).collect();
    (
        picked
            .iter()
            .flat_map(|&i| pixels[i * 784..(i + 1) * 784].iter().copied())
            .collect(),
        picked.iter().map(|&i| labels[i]).collect(),
    )
}

/// Leave-one-out accuracy of a majority vote among each point's 10 nearest neighbours in the
/// 2-D layout (ties go to the label of the nearest tied neighbour).
pub fn knn_label_accuracy(positions: &[f32], labels: &[u8]) -> f64 {
    let graph =
        loupe_knn::exact_knn(positions, 2, 10, loupe_knn::Metric::Euclidean).expect("2-D kNN");
    let correct = (0..labels.len())
        .filter(|&i| {
            let nbrs = graph.neighbors(i);
            let mut votes = [0_usize; 256];
            for &j in nbrs {
                votes[labels[j as usize] as usize] += 1;
            }
            let best = votes.iter().copied().max().unwrap_or(0);
            let winner = nbrs
                .iter()
                .map(|&j| labels[j as usize])
                .find(|&l| votes[l as usize] == best);
            winner == Some(labels[i])
        })
        .count();
    correct as f64 / labels.len() as f64
}
