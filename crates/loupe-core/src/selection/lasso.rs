//! Free-hand lasso selection over a 2-D layout.

use super::Selection;
use super::lasso_grid::EdgeGrid;

/// A lasso polygon prepared for fast point-in-polygon tests.
///
/// Build one per mouse release with [`Lasso::new`] and run [`Lasso::select`] over the
/// layout. Vertices are in layout coordinates; the polygon closes itself (last vertex back
/// to the first) and may be concave or self-intersecting.
///
/// Inside means the **even-odd rule**: a horizontal ray from the point towards +x crosses
/// the outline an odd number of times (Shimrat 1962; Haines 1994, "Point in polygon
/// strategies"). An edge counts when `y_lo ≤ y < y_hi` (half-open, so a ray through a vertex
/// counts it once, and horizontal edges never count) and the crossing lies strictly to the
/// right of the point. Where a mouse path loops over itself the overlap is crossed twice and
/// so is outside, as with SVG's `fill-rule: evenodd`; points exactly on the outline fall on
/// one side by these rules.
///
/// Testing every edge for every point would cost `N × V`; a grid over the lasso's bounding
/// box (see `lasso_grid.rs`) gives exactly the same answers while testing a handful of edges
/// per point, none for most: a million points take a few milliseconds on one core.
#[derive(Debug, Clone)]
pub struct Lasso {
    /// `None` when the lasso certainly encloses nothing.
    grid: Option<EdgeGrid>,
}

impl Lasso {
    /// Prepares the polygon through `vertices`. Non-finite vertices are dropped; fewer than
    /// three remaining give a lasso that selects nothing.
    pub fn new(vertices: &[[f32; 2]]) -> Self {
        let points: Vec<[f32; 2]> = vertices
            .iter()
            .copied()
            .filter(|p| p[0].is_finite() && p[1].is_finite())
            .collect();
        Self {
            grid: EdgeGrid::new(&points),
        }
    }

    /// True when the lasso certainly selects nothing (fewer than three finite vertices, or
    /// all on one horizontal or vertical line), so the app can treat it as a plain click.
    /// Other zero-area lassos (a back-and-forth stroke) also select nothing, found per point.
    pub fn is_empty(&self) -> bool {
        self.grid.is_none()
    }

    /// Whether the point `(x, y)` is inside (even-odd rule); NaN coordinates never are.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        self.grid.as_ref().is_some_and(|g| g.contains(x, y))
    }

    /// The rows of `positions` (interleaved `[x0, y0, x1, y1, …]`, the app's layout format)
    /// inside the lasso. A trailing unpaired value is ignored; NaN positions are never
    /// selected. Single-threaded: a million points fit a frame.
    pub fn select(&self, positions: &[f32]) -> Selection {
        match &self.grid {
            Some(grid) => Selection::from_points(positions, |x, y| grid.contains(x, y)),
            None => Selection::empty(positions.len() / 2),
        }
    }

    /// The plain crossing test over every edge, for checking the grid.
    #[cfg(test)]
    pub(super) fn contains_by_all_edges(&self, x: f32, y: f32) -> bool {
        self.grid
            .as_ref()
            .is_some_and(|g| g.contains_by_all_edges(x, y))
    }
}
