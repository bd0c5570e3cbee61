//! The layout-trust map: where the 2-D picture misrepresents the original neighbourhoods.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::input::{check_percentiles, check_positions, check_vectors};
use crate::kdtree::{KdTree, Nearest};
use crate::progress::Reporter;
use crate::stats::{Scale, percentile_pair};
use crate::{Colormap, ColourError, Rgba};

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
/// `k` nearest other points in the 2-D layout (an implicit kd-tree; ties, such as duplicate
/// positions at distance 0, go to the lower index) and averages their euclidean
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
    if k > 0 {
        let tree = KdTree::new(positions);
        report.report(0.1)?;
        // Query in tree order (consecutive points are near each other, so their neighbours'
        // rows stay in cache), then scatter back to the original order.
        let points = tree.points();
        let mut in_order = vec![0.0_f32; n];
        for (b, block) in in_order.chunks_mut(BLOCK).enumerate() {
            block.par_chunks_mut(TASK).enumerate().for_each(|(t, out)| {
                let start = b * BLOCK + t * TASK;
                let mut best = Nearest::new(k);
                for (p, d) in points[start..].iter().zip(out.iter_mut()) {
                    tree.nearest(p.xy, p.id, &mut best);
                    *d = mean_distance(vectors, dim, p.id as usize, best.ids());
                }
            });
            report.stage(0.1, 0.95, ((b + 1) * BLOCK).min(n) as f64 / n as f64)?;
        }
        for (p, &d) in points.iter().zip(&in_order) {
            distortion[p.id as usize] = d;
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

/// Mean original-space distance from row `i` to the rows `neighbours`.
fn mean_distance(vectors: &[f32], dim: usize, i: usize, neighbours: &[u32]) -> f32 {
    let row = &vectors[i * dim..(i + 1) * dim];
    let sum: f64 = neighbours
        .iter()
        .map(|&j| {
            let j = j as usize;
            f64::from(distance(row, &vectors[j * dim..(j + 1) * dim]))
        })
        .sum();
    (sum / neighbours.len() as f64) as f32
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
