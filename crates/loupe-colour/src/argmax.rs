//! Argmax colourings: each row's dominant dimension as a category.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::input::check_vectors;
use crate::pca_colours::pca_scores;
use crate::progress::Reporter;
use crate::stats::{FLAT, column_moments};
use crate::{ColourError, Rgba, category_colour};

/// Rows handled per parallel task.
const CHUNK: usize = 16_384;

/// Which coordinates the argmax is taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgmaxOf {
    /// The raw vector: the dimension with the largest value (for non-negative features such
    /// as topic weights or activations, the dominant feature).
    Raw,
    /// Each dimension z-scored over all rows first, so a dimension with a large offset or
    /// scale cannot win everywhere: the dimension in which the row is most unusual.
    Standardised,
    /// The leading principal components, each z-scored: the main axis along which the row
    /// sits farthest out (a compact "which end of which axis" clustering).
    Pca {
        /// Components kept (at most the dimension); 10 is a good default.
        components: usize,
        /// Seed of the PCA.
        seed: u64,
    },
}

/// A category per row, with its colour, for a legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Categories {
    /// Category of each row: the winning dimension (or principal component) index, so the
    /// legend can say "dim 17" or "PC 3".
    pub index: Vec<u32>,
    /// [`category_colour`] of each row's index.
    pub colours: Vec<Rgba>,
    /// Number of possible categories (the dimension, or the components kept).
    pub n_categories: usize,
    /// Rows per category (`n_categories` entries), to order or prune a legend.
    pub counts: Vec<usize>,
}

/// Colours each row by the index of its largest coordinate after the transform in `of`.
/// Ties go to the lowest index; a dimension without spread z-scores to 0 everywhere.
pub fn argmax_colours(
    vectors: &[f32],
    dim: usize,
    of: ArgmaxOf,
    mut progress: impl FnMut(f64) -> ControlFlow<()>,
) -> Result<Categories, ColourError> {
    check_vectors(vectors, dim)?;
    if let ArgmaxOf::Pca { components: 0, .. } = of {
        return Err(ColourError::ZeroComponents);
    }
    let mut report = Reporter::new(&mut progress);
    report.report(0.0)?;
    let index = match of {
        ArgmaxOf::Raw => argmax_rows(vectors, dim, None),
        ArgmaxOf::Standardised => standardised_argmax(vectors, dim, 0.0),
        ArgmaxOf::Pca { components, seed } => {
            let (scores, width) = pca_scores(vectors, dim, components, seed)?;
            report.report(0.7)?;
            // Axes beyond the data's rank carry only rounding noise: treat them as flat.
            standardised_argmax(&scores, width, FLAT)
        }
    };
    report.report(0.9)?;
    let n_categories = match of {
        ArgmaxOf::Pca { components, .. } => components.min(dim),
        _ => dim,
    };
    let mut counts = vec![0; n_categories];
    for &i in &index {
        counts[i as usize] += 1;
    }
    let colours = index
        .par_iter()
        .map(|&i| category_colour(Some(i as usize)))
        .collect();
    report.report(1.0)?;
    Ok(Categories {
        index,
        colours,
        n_categories,
        counts,
    })
}

/// Argmax of z-scores; a column whose standard deviation is at most `floor` times the widest
/// one's (or zero) scores 0 everywhere.
fn standardised_argmax(rows: &[f32], width: usize, floor: f64) -> Vec<u32> {
    let (mean, std) = column_moments(rows, width);
    let widest = std.iter().copied().fold(0.0, f64::max);
    // A flat column scores 0 (scale 0); others (x − mean) / std.
    let scale: Vec<f64> = std
        .iter()
        .map(|&s| {
            if s > 0.0 && s > floor * widest {
                1.0 / s
            } else {
                0.0
            }
        })
        .collect();
    argmax_rows(rows, width, Some((&mean, &scale)))
}

/// Index of the largest `(x − mean)·scale` (or raw `x`) in each row; first on ties.
fn argmax_rows(rows: &[f32], width: usize, z: Option<(&[f64], &[f64])>) -> Vec<u32> {
    rows.par_chunks(CHUNK * width)
        .flat_map_iter(|chunk| {
            chunk.chunks_exact(width).map(move |row| {
                let mut best = (0, f64::NEG_INFINITY);
                for (j, &x) in row.iter().enumerate() {
                    let v = match z {
                        Some((mean, scale)) => (f64::from(x) - mean[j]) * scale[j],
                        None => f64::from(x),
                    };
                    if v > best.1 {
                        best = (j, v);
                    }
                }
                best.0 as u32
            })
        })
        .collect()
}
