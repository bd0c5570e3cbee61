//! The initial layout: PCA, rescaled and jittered as openTSNE's `initialization.pca` does.

use crate::rng::{Stream, rng, standard_normal};

/// Standard deviation of the first coordinate after rescaling (openTSNE's `rescale`): a tiny
/// initial layout lets early exaggeration form clusters before repulsion spreads them.
pub const INIT_STD: f64 = 1e-4;
/// Standard deviation of the jitter that separates coincident points (openTSNE: 1 % of the
/// rescaled first coordinate's standard deviation, i.e. 1e-6).
pub const JITTER_STD: f64 = 1e-6;

/// Turns 2-D PCA scores (`N × 2`, interleaved) into openTSNE's initial layout: both columns
/// divided by `std(column 0) / 1e-4` (population std), then `1e-6·N(0, 1)` jitter added from
/// the seed's jitter stream.
///
/// When column 0 has no spread (all points equal along the first axis) the scores are left
/// unscaled instead of dividing by zero; the jitter still separates the points.
pub fn initial_layout(scores: &[f32], seed: u64) -> Vec<f64> {
    let mut y: Vec<f64> = scores.iter().map(|&v| f64::from(v)).collect();
    rescale(&mut y);
    let mut r = rng(seed, Stream::Jitter);
    for v in &mut y {
        *v += JITTER_STD * standard_normal(&mut r);
    }
    y
}

/// openTSNE's `initialization.rescale`: scales a layout (`N × 2`, interleaved) so that the
/// population standard deviation of its first column is [`INIT_STD`]. A layout without spread
/// along x is left as it is. Multi-stage recipes apply it to the placed layout before the
/// next stage's early exaggeration (Kobak & Berens 2019, "The art of using t-SNE for
/// single-cell transcriptomics": a small initial scale lets exaggeration act as it does from
/// a PCA start).
pub fn rescale(y: &mut [f64]) {
    let n = y.len() / 2;
    if n == 0 {
        return;
    }
    let mean = y.iter().step_by(2).sum::<f64>() / n as f64;
    let var = y.iter().step_by(2).map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    let std = var.sqrt();
    if std > 0.0 && std.is_finite() {
        let scale = INIT_STD / std;
        for v in y {
            *v *= scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_column_has_the_target_spread() {
        let scores: Vec<f32> = (0..1_000)
            .flat_map(|i| [i as f32, -(i as f32) * 0.5])
            .collect();
        let y = initial_layout(&scores, 3);
        let col0: Vec<f64> = y.iter().step_by(2).copied().collect();
        let mean = col0.iter().sum::<f64>() / 1_000.0;
        let std = (col0.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 1_000.0).sqrt();
        assert!((std / INIT_STD - 1.0).abs() < 1e-3);
        assert_eq!(y, initial_layout(&scores, 3));
        assert_ne!(y, initial_layout(&scores, 4));
    }
}
