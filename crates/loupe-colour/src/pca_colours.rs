//! Colourings from principal components: PCA → RGB and PCA-24 bits.

use std::ops::ControlFlow;

use loupe_tsne::Pca;
use rayon::prelude::*;

use crate::input::check_vectors;
use crate::progress::Reporter;
use crate::stats::{FLAT, column, percentile, percentile_pair, robust_scales, unit_to_byte};
use crate::{ColourError, Rgba, opaque};

/// Percentiles mapped to a channel's 0 and 255: a few extreme points saturate rather than
/// squeeze the rest into a narrow band.
pub(crate) const CHANNEL_PERCENTILES: (f64, f64) = (1.0, 99.0);

/// Rows coloured per parallel task.
const CHUNK: usize = 16_384;

/// Components packed by [`pca_bits`]: 8 bits per channel.
const BITS: usize = 24;

/// Colours each row by its first three principal components as red, green and blue.
///
/// Each component is mapped linearly from its 1st–99th percentile onto `0..=255` and clipped,
/// so the strongest directions of variation in the original space become hue and brightness
/// differences in the picture: points with similar colours are similar along the main axes
/// even when the layout puts them apart. A component with (almost) no spread — fewer than
/// three dimensions, constant or duplicate rows — leaves its channel at the middle, 128.
/// Axis signs follow `loupe_tsne::Pca` (each axis's largest entry positive); deterministic
/// for `seed`.
pub fn pca_rgb(
    vectors: &[f32],
    dim: usize,
    seed: u64,
    mut progress: impl FnMut(f64) -> ControlFlow<()>,
) -> Result<Vec<Rgba>, ColourError> {
    check_vectors(vectors, dim)?;
    let mut report = Reporter::new(&mut progress);
    report.report(0.0)?;
    let (scores, width) = pca_scores(vectors, dim, 3, seed)?;
    report.report(0.7)?;
    let colours = rgb_from_scores(&scores, width);
    report.report(1.0)?;
    Ok(colours)
}

/// Colours each row by which side of the median it falls on each of its first 24 principal
/// components: a 24-bit code shown as an RGB colour.
///
/// Bit order: component 0 is the most significant bit of red (bit 7 of R), component 7 the
/// least significant bit of red, components 8–15 fill green and 16–23 blue the same way. A
/// bit is 1 when the row's score is strictly above the component's median. Points that share
/// a colour sit in the same orthant of the 24-D principal subspace; the first components
/// dominate, so the coarse split is in red. Components beyond the dimension, and components
/// with (almost) no spread, give 0 bits. Deterministic for `seed`.
pub fn pca_bits(
    vectors: &[f32],
    dim: usize,
    seed: u64,
    mut progress: impl FnMut(f64) -> ControlFlow<()>,
) -> Result<Vec<Rgba>, ColourError> {
    check_vectors(vectors, dim)?;
    let mut report = Reporter::new(&mut progress);
    report.report(0.0)?;
    let (scores, width) = pca_scores(vectors, dim, BITS, seed)?;
    report.report(0.7)?;
    let stats: Vec<(f64, f64)> = (0..width)
        .into_par_iter()
        .map(|j| {
            let mut col = column(&scores, width, j);
            let median = percentile(&mut col, 50.0).unwrap_or(0.0);
            let (lo, hi) = percentile_pair(&mut col, CHANNEL_PERCENTILES).unwrap_or((0.0, 0.0));
            (median, hi - lo)
        })
        .collect();
    let widest = stats.iter().map(|s| s.1).fold(0.0, f64::max);
    // A flat component's threshold is +∞: every bit 0.
    let thresholds: Vec<f64> = stats
        .iter()
        .map(|&(median, spread)| {
            if spread <= FLAT * widest {
                f64::INFINITY
            } else {
                median
            }
        })
        .collect();
    report.report(0.85)?;
    let colours = scores
        .par_chunks(CHUNK * width)
        .flat_map_iter(|chunk| {
            chunk.chunks_exact(width).map(|row| {
                let mut code = 0_u32;
                for (j, (&v, &t)) in row.iter().zip(&thresholds).enumerate() {
                    if f64::from(v) > t {
                        code |= 1 << (BITS - 1 - j);
                    }
                }
                let [_, r, g, b] = code.to_be_bytes();
                opaque(r, g, b)
            })
        })
        .collect();
    report.report(1.0)?;
    Ok(colours)
}

/// PCA scores `N × width` with `width = min(components, dim)`.
pub(crate) fn pca_scores(
    vectors: &[f32],
    dim: usize,
    components: usize,
    seed: u64,
) -> Result<(Vec<f32>, usize), ColourError> {
    let pca = Pca::fit(vectors, dim, components.min(dim), seed).map_err(|e| ColourError::Pca {
        reason: e.to_string(),
    })?;
    Ok((pca.transform(vectors), pca.n_components()))
}

/// Columns 0, 1, 2 of `N × width` scores, robustly scaled, as R, G, B; a missing or flat
/// column gives 128.
pub(crate) fn rgb_from_scores(scores: &[f32], width: usize) -> Vec<Rgba> {
    let scales = robust_scales(scores, width, CHANNEL_PERCENTILES);
    scores
        .par_chunks(CHUNK * width)
        .flat_map_iter(|chunk| {
            chunk.chunks_exact(width).map(|row| {
                let channel = |k: usize| {
                    scales
                        .get(k)
                        .map_or(128, |s| unit_to_byte(s.apply(f64::from(row[k]))))
                };
                opaque(channel(0), channel(1), channel(2))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::no_progress;

    fn near(a: Rgba, b: [u8; 3]) -> bool {
        a[..3].iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 1) && a[3] == 255
    }

    /// Four points on the x and y axes: PC1 = +x (variance 6), PC2 = +y (variance ⅔), PC3 has
    /// no spread. Scores on PC1 are 3, −3, 0, 0, whose 1st/99th percentiles are ∓2.91, so red
    /// is 255, 0, ½, ½; likewise green on PC2; blue stays at the middle.
    #[test]
    fn pca_rgb_on_points_along_the_axes() {
        let x = [
            3.0, 0.0, 0.0, -3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0, 0.0_f32,
        ];
        let c = pca_rgb(&x, 3, 0, no_progress).unwrap();
        let want = [
            [255, 128, 128],
            [0, 128, 128],
            [128, 255, 128],
            [128, 0, 128],
        ];
        for (got, want) in c.iter().zip(want) {
            assert!(near(*got, want), "{c:?}");
        }
    }

    /// x scores 3, 1, −1, −3 (median 0) → PC1 bits 1, 1, 0, 0; y scores 1, −1, −1, 1 (median 0,
    /// uncorrelated with x, smaller variance) → PC2 bits 1, 0, 0, 1; PC3 (the zero column) has
    /// no spread → 0. Bits 23 and 22 are red's top two: 128 + 64, 128, 0, 64.
    #[test]
    fn pca_bits_on_known_medians() {
        let x = [
            3.0, 1.0, 0.0, 1.0, -1.0, 0.0, -1.0, -1.0, 0.0, -3.0, 1.0, 0.0_f32,
        ];
        let c = pca_bits(&x, 3, 0, no_progress).unwrap();
        assert_eq!(
            c,
            vec![
                opaque(192, 0, 0),
                opaque(128, 0, 0),
                opaque(0, 0, 0),
                opaque(64, 0, 0)
            ]
        );
    }

    #[test]
    fn pca_bits_uses_all_channels_in_high_dimension() {
        let (n, dim) = (400, 30);
        let x: Vec<f32> = (0..n * dim)
            .map(|i| ((i * 7919 % 1009) as f32 / 1009.0 - 0.5) * (1.0 + (i % dim) as f32))
            .collect();
        let c = pca_bits(&x, dim, 3, no_progress).unwrap();
        for ch in 0..3 {
            assert!(c.iter().any(|p| p[ch] != c[0][ch]), "channel {ch} constant");
        }
        assert_eq!(c, pca_bits(&x, dim, 3, no_progress).unwrap());
    }
}
