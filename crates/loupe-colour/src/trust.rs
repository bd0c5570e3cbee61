//! The layout-trust map: where the 2-D picture misrepresents the original neighbourhoods.

use std::num::NonZero;
use std::ops::ControlFlow;

use kiddo::SquaredEuclidean;
use kiddo::immutable::float::kdtree::ImmutableKdTree;
use rayon::prelude::*;

use crate::input::{check_percentiles, check_positions, check_vectors};
use crate::progress::Reporter;
use crate::stats::{Scale, percentile_pair};
use crate::{Colormap, ColourError, Rgba};

/// Points per kd-tree leaf (kiddo's default; the picking index uses the same).
const LEAF: usize = 32;
/// Points between progress reports (and cancellation checks).
const BLOCK: usize = 65_536;
/// Points per parallel task within a block.
const TASK: usize = 512;

/// Settings of [`trust_map`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrustParams {
    /// Layout neighbours averaged per point (fewer when there are fewer other points).
    pub k: usize,
    /// Percentiles `(lo, hi)` of the distortion mapped to the colormap's ends: a few extreme
    /// points saturate instead of flattening the rest.
    pub clip_percentiles: (f64, f64),
    /// The map; sequential, so "more distorted" reads as brighter.
    pub colormap: Colormap,
}

impl Default for TrustParams {
    /// 10 neighbours, clipped to the 2nd–98th percentiles, viridis.
    fn default() -> Self {
        Self {
            k: 10,
            clip_percentiles: (2.0, 98.0),
            colormap: Colormap::Viridis,
        }
    }
}

/// Per-point local distortion of a layout and its colours.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustMap {
    /// For each point, the mean original-space (euclidean) distance to its `k` nearest
    /// neighbours in the layout; 0 for a lone point.
    pub distortion: Vec<f32>,
    /// The distortion values at the colormap's ends (the clip percentiles), for a colour bar.
    pub range: (f64, f64),
    /// One colour per point.
    pub colours: Vec<Rgba>,
}

/// Colours each point by how far apart, in the original space, its layout neighbours are.
///
/// t-SNE keeps close things close but may also place unrelated points side by side (seams
/// between clusters, points squeezed into the wrong cluster). For every point this takes its
/// `k` nearest other points in the 2-D layout (a kd-tree, kiddo's `ImmutableKdTree`;
/// duplicate positions count as neighbours at distance 0) and averages their euclidean
/// distances to it in the original `dim`-dimensional space. High values (bright in viridis)
/// mark where the picture lies. `positions` are interleaved `[x0, y0, x1, y1, …]` for the same
/// points as `vectors`.
pub fn trust_map(
    vectors: &[f32],
    dim: usize,
    positions: &[f32],
    params: &TrustParams,
    mut progress: impl FnMut(f64) -> ControlFlow<()>,
) -> Result<TrustMap, ColourError> {
    let n = check_vectors(vectors, dim)?;
    let n_positions = check_positions(positions)?;
    if n != n_positions {
        return Err(ColourError::PointCountMismatch {
            vectors: n,
            positions: n_positions,
        });
    }
    if params.k == 0 {
        return Err(ColourError::ZeroNeighbours);
    }
    check_percentiles(params.clip_percentiles)?;
    let mut report = Reporter::new(&mut progress);
    report.report(0.0)?;
    let k = params.k.min(n - 1);
    let mut distortion = vec![0.0_f32; n];
    if let Some(k) = NonZero::new(k) {
        let points: Vec<[f32; 2]> = positions.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
        let tree: ImmutableKdTree<f32, u32, 2, LEAF> = ImmutableKdTree::new_from_slice(&points);
        report.report(0.1)?;
        for (b, block) in distortion.chunks_mut(BLOCK).enumerate() {
            block.par_chunks_mut(TASK).enumerate().for_each(|(t, out)| {
                let start = b * BLOCK + t * TASK;
                for (i, d) in (start..).zip(out.iter_mut()) {
                    *d = mean_distance(vectors, dim, &tree, &points, i, k);
                }
            });
            report.stage(0.1, 0.95, ((b + 1) * BLOCK).min(n) as f64 / n as f64)?;
        }
    }
    let mut values: Vec<f64> = distortion.iter().map(|&d| f64::from(d)).collect();
    let range = percentile_pair(&mut values, params.clip_percentiles).unwrap_or((0.0, 0.0));
    let scale = Scale::new(range, false);
    let lut = params.colormap.lut();
    let colours = distortion
        .par_iter()
        .map(|&d| Colormap::lookup(lut, scale.apply(f64::from(d))))
        .collect();
    report.report(1.0)?;
    Ok(TrustMap {
        distortion,
        range,
        colours,
    })
}

/// Mean original-space distance from point `i` to its `k` nearest other layout points.
fn mean_distance(
    vectors: &[f32],
    dim: usize,
    tree: &ImmutableKdTree<f32, u32, 2, LEAF>,
    points: &[[f32; 2]],
    i: usize,
    k: NonZero<usize>,
) -> f32 {
    let found = tree.nearest_n::<SquaredEuclidean>(&points[i], k.saturating_add(1));
    let row = &vectors[i * dim..(i + 1) * dim];
    // Drop the point itself; if duplicates crowded it out of the results, drop the farthest.
    let sum: f64 = found
        .iter()
        .map(|nb| nb.item as usize)
        .filter(|&j| j != i)
        .take(k.get())
        .map(|j| f64::from(distance(row, &vectors[j * dim..(j + 1) * dim])))
        .sum();
    (sum / k.get() as f64) as f32
}

/// Euclidean distance, summed in eight lanes so the compiler vectorises it.
fn distance(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0_f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ar, br) = (a8.remainder(), b8.remainder());
    for (x, y) in a8.zip(b8) {
        for l in 0..8 {
            let d = x[l] - y[l];
            lanes[l] += d * d;
        }
    }
    let tail: f32 = ar.iter().zip(br).map(|(x, y)| (x - y) * (x - y)).sum();
    (lanes.iter().sum::<f32>() + tail).sqrt()
}
