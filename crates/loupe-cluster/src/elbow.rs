//! Inertia over a range of k, for choosing k by eye ("elbow" plot).

use std::ops::ControlFlow;

use crate::{KMeansParams, ParamError};

/// One point of an elbow plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElbowPoint {
    /// Number of clusters.
    pub k: usize,
    /// Inertia of the fit with `k` clusters.
    pub inertia: f64,
}

/// Fits k-means once per value in `ks` (in that order) with `base`'s other parameters, and
/// returns the inertias for an elbow plot.
///
/// After each fit, `progress(done, total, point)` is called; returning
/// [`ControlFlow::Break`] stops there and returns the points so far, so a GUI can show
/// progress and cancel. Every `k` is validated (and the data once) before the first fit.
pub fn elbow(
    data: &[f32],
    dim: usize,
    ks: &[usize],
    base: &KMeansParams,
    mut progress: impl FnMut(usize, usize, ElbowPoint) -> ControlFlow<()>,
) -> Result<Vec<ElbowPoint>, ParamError> {
    let (&first, rest) = ks.split_first().ok_or(ParamError::NoClusterCounts)?;
    let n_points = KMeansParams { k: first, ..*base }.validate(data, dim)?;
    for &k in rest {
        KMeansParams { k, ..*base }.validate_shape(n_points)?;
    }
    let mut points = Vec::with_capacity(ks.len());
    for (done, &k) in ks.iter().enumerate() {
        let fit = crate::fit_checked(&KMeansParams { k, ..*base }, data, dim, n_points);
        let point = ElbowPoint {
            k,
            inertia: fit.inertia(),
        };
        points.push(point);
        if progress(done + 1, ks.len(), point).is_break() {
            break;
        }
    }
    Ok(points)
}
