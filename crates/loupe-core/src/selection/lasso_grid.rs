//! The acceleration grid behind [`super::Lasso`]: a crossing-number test that looks at a
//! handful of edges per point, and at none for most of them.
//!
//! The lasso's bounding box is cut into at most 512 × 512 cells; a row of cells is a band.
//! For each band, an edge either crosses it completely ("full") or starts or ends inside it
//! ("partial"). For a point in cell `(row, col)`:
//!
//! - a full edge wholly right of the cell crosses the point's ray for sure: the parity of
//!   those is stored per cell;
//! - a full edge wholly left of the cell never crosses it;
//! - full edges through (or next to) the cell are listed per cell and tested exactly;
//! - partial edges are listed per band, sorted by their rightmost column, and tested exactly
//!   until one lies wholly left of the point.
//!
//! A cell with nothing to test answers from one byte. Bands and column ranges are widened
//! by [`SLACK`] cells before classifying, and cells are at least
//! [`MIN_CELL_ULPS`] units in the last place wide, so rounding cannot misclassify; together
//! with `row`/`col` being monotone in the coordinates, the answer is exactly that of
//! [`Edge::crosses`] summed over all edges.

/// Grid cells per axis at most: the 512² per-cell class bytes (256 KiB) stay in cache, and
/// the grid is built in a couple of milliseconds.
const MAX_CELLS_PER_AXIS: usize = 512;
/// Grid cells per axis at least, so that small lassos still answer most points from a byte.
const MIN_CELLS_PER_AXIS: usize = 16;
/// Cells per axis per lasso vertex, before the caps above.
const CELLS_PER_VERTEX: usize = 4;
/// A cell is never narrower than this many units in the last place of its coordinates, so
/// that rounding moves a point or a crossing by far less than [`SLACK`].
const MIN_CELL_ULPS: f32 = 256.0;
/// Safety margin, in cells, added around every band and column range before classifying.
const SLACK: f32 = 0.125;
/// Class bit: the parity of full edges wholly right of the cell.
const PARITY: u8 = 1;
/// Class bit: points in this cell must test edges.
const MIXED: u8 = 2;

/// One non-horizontal polygon edge, oriented upwards, with its line in slope form.
#[derive(Debug, Clone, Copy)]
pub(super) struct Edge {
    y_lo: f32,
    y_hi: f32,
    x_at_lo: f32,
    dx_dy: f32,
}

impl Edge {
    /// `None` for horizontal edges: they never cross a horizontal ray.
    fn new(a: [f32; 2], b: [f32; 2]) -> Option<Self> {
        let ([x0, y0], [x1, y1]) = if a[1] < b[1] {
            (a, b)
        } else if a[1] > b[1] {
            (b, a)
        } else {
            return None;
        };
        Some(Self {
            y_lo: y0,
            y_hi: y1,
            x_at_lo: x0,
            dx_dy: (x1 - x0) / (y1 - y0),
        })
    }

    #[inline]
    fn x_at(self, y: f32) -> f32 {
        self.x_at_lo + (y - self.y_lo) * self.dx_dy
    }

    /// Whether the ray from `(x, y)` towards +x crosses this edge: `y_lo ≤ y < y_hi` and the
    /// crossing lies strictly to the right.
    #[inline]
    pub(super) fn crosses(self, x: f32, y: f32) -> bool {
        self.y_lo <= y && y < self.y_hi && x < self.x_at(y)
    }
}

/// The bounding box cut into `cols × rows` cells.
#[derive(Debug, Clone, Copy)]
struct Grid {
    min: [f32; 2],
    max: [f32; 2],
    cols: usize,
    rows: usize,
    /// Cells per unit along x and y.
    scale: [f32; 2],
}

impl Grid {
    #[inline]
    fn col(&self, x: f32) -> usize {
        (((x - self.min[0]) * self.scale[0]) as usize).min(self.cols - 1)
    }

    #[inline]
    fn row(&self, y: f32) -> usize {
        (((y - self.min[1]) * self.scale[1]) as usize).min(self.rows - 1)
    }

    /// Nominal lower boundary of band `r`.
    fn band_y(&self, r: usize) -> f32 {
        self.min[1] + r as f32 / self.scale[1]
    }

    /// Points outside the box are outside the polygon (every crossing lies within it); NaN
    /// coordinates fail every comparison.
    #[inline]
    fn inside_box(&self, x: f32, y: f32) -> bool {
        x >= self.min[0] && x <= self.max[0] && y >= self.min[1] && y <= self.max[1]
    }
}

/// A partial edge of a band, with the last column it can affect.
#[derive(Debug, Clone, Copy)]
struct BandEdge {
    edge: Edge,
    last_col: u32,
}

/// How one edge meets one band, and the columns it may cross there.
struct Span {
    edge: usize,
    row: usize,
    full: bool,
    c0: usize,
    c1: usize,
}

/// A polygon with area, ready for point tests.
#[derive(Debug, Clone)]
pub(super) struct EdgeGrid {
    grid: Grid,
    edges: Vec<Edge>,
    /// Per cell, row-major: [`PARITY`] and [`MIXED`] bits.
    class: Vec<u8>,
    /// Per cell (plus a sentinel): start of its list in `cell_edges`.
    cell_start: Vec<u32>,
    cell_edges: Vec<u32>,
    /// Per band (plus a sentinel): start of its list in `band_edges`.
    band_start: Vec<u32>,
    /// Per band, partial edges by decreasing `last_col`.
    band_edges: Vec<BandEdge>,
}

impl EdgeGrid {
    /// `None` when the polygon cannot enclose anything: fewer than three vertices, or all on
    /// one horizontal or vertical line. Vertices must be finite.
    pub(super) fn new(points: &[[f32; 2]]) -> Option<Self> {
        if points.len() < 3 {
            return None;
        }
        let mut min = [f32::INFINITY; 2];
        let mut max = [f32::NEG_INFINITY; 2];
        for p in points {
            for a in 0..2 {
                min[a] = min[a].min(p[a]);
                max[a] = max[a].max(p[a]);
            }
        }
        let extent = [max[0] - min[0], max[1] - min[1]];
        if !(extent[0] > 0.0 && extent[1] > 0.0) {
            return None;
        }
        let edges: Vec<Edge> = (0..points.len())
            .filter_map(|i| Edge::new(points[i], points[(i + 1) % points.len()]))
            .collect();
        let target =
            (CELLS_PER_VERTEX * points.len()).clamp(MIN_CELLS_PER_AXIS, MAX_CELLS_PER_AXIS);
        let cells_along = |a: usize| {
            let ulp = min[a].abs().max(max[a].abs()) * f32::EPSILON;
            let finest = (extent[a] / (MIN_CELL_ULPS * ulp)) as usize;
            target.min(finest).max(1)
        };
        // A single cell (every edge tested) is the fallback should the lists not fit u32.
        for (cols, rows) in [(cells_along(0), cells_along(1)), (1, 1)] {
            let grid = Grid {
                min,
                max,
                cols,
                rows,
                scale: [cols as f32 / extent[0], rows as f32 / extent[1]],
            };
            let spans = spans(&grid, &edges);
            let Some((cell_start, cell_edges, parity)) = cell_lists(&grid, &spans) else {
                continue;
            };
            let (band_start, band_edges) = band_lists(&grid, &edges, &spans);
            let class = (0..rows * cols)
                .map(|cell| {
                    let band = band_start[cell / cols] as usize;
                    let partial = band_start[cell / cols + 1] as usize > band
                        && band_edges[band].last_col as usize >= cell % cols;
                    let listed = cell_start[cell + 1] > cell_start[cell];
                    u8::from(parity[cell]) * PARITY + u8::from(partial || listed) * MIXED
                })
                .collect();
            return Some(Self {
                grid,
                edges,
                class,
                cell_start,
                cell_edges,
                band_start,
                band_edges,
            });
        }
        None
    }

    /// Even-odd inside test; false outside the bounding box and for NaN coordinates.
    #[inline]
    pub(super) fn contains(&self, x: f32, y: f32) -> bool {
        if !self.grid.inside_box(x, y) {
            return false;
        }
        let (row, col) = (self.grid.row(y), self.grid.col(x));
        let cell = row * self.grid.cols + col;
        let class = self.class[cell];
        if class & MIXED == 0 {
            return class & PARITY != 0;
        }
        self.refine(x, y, row, col, class & PARITY != 0)
    }

    /// The exact tests of a mixed cell.
    fn refine(&self, x: f32, y: f32, row: usize, col: usize, mut inside: bool) -> bool {
        let cell = row * self.grid.cols + col;
        let listed = self.cell_start[cell] as usize..self.cell_start[cell + 1] as usize;
        for &e in &self.cell_edges[listed] {
            inside ^= self.edges[e as usize].crosses(x, y);
        }
        let band = self.band_start[row] as usize..self.band_start[row + 1] as usize;
        for b in &self.band_edges[band] {
            if (b.last_col as usize) < col {
                break;
            }
            inside ^= b.edge.crosses(x, y);
        }
        inside
    }

    /// The plain crossing test over every edge, for checking the grid.
    #[cfg(test)]
    pub(super) fn contains_by_all_edges(&self, x: f32, y: f32) -> bool {
        self.grid.inside_box(x, y) && self.edges.iter().filter(|e| e.crosses(x, y)).count() % 2 == 1
    }
}

/// Every (edge, band) pair, in edge order, classified, with the columns it may cross.
fn spans(grid: &Grid, edges: &[Edge]) -> Vec<Span> {
    // Rounding moves a point's row, or a crossing's column, by a few ulps at most: under
    // 1/64 cell given MIN_CELL_ULPS. Margins of 1/8 cell cover that with room to spare.
    let margin = [SLACK / grid.scale[0], SLACK / grid.scale[1]];
    let mut spans = Vec::new();
    for (i, e) in edges.iter().enumerate() {
        let (r_lo, r_hi) = (grid.row(e.y_lo), grid.row(e.y_hi));
        for r in r_lo..=r_hi {
            let y0 = (grid.band_y(r) - margin[1]).clamp(e.y_lo, e.y_hi);
            let y1 = (grid.band_y(r + 1) + margin[1]).clamp(e.y_lo, e.y_hi);
            let (xa, xb) = (e.x_at(y0), e.x_at(y1));
            spans.push(Span {
                edge: i,
                row: r,
                // Strictly between the end rows, monotone `row` guarantees y_lo ≤ y < y_hi
                // for every point of the band.
                full: r_lo < r && r < r_hi,
                c0: grid.col(xa.min(xb) - margin[0]),
                c1: grid.col(xa.max(xb) + margin[0]),
            });
        }
    }
    spans
}

/// Per band, the partial edges by decreasing last column (CSR layout).
fn band_lists(grid: &Grid, edges: &[Edge], spans: &[Span]) -> (Vec<u32>, Vec<BandEdge>) {
    let mut lists: Vec<Vec<BandEdge>> = vec![Vec::new(); grid.rows];
    for s in spans.iter().filter(|s| !s.full) {
        lists[s.row].push(BandEdge {
            edge: edges[s.edge],
            last_col: s.c1 as u32,
        });
    }
    let mut start = Vec::with_capacity(grid.rows + 1);
    let mut flat = Vec::new();
    for mut list in lists {
        start.push(flat.len() as u32);
        list.sort_by_key(|b| std::cmp::Reverse(b.last_col));
        flat.extend(list);
    }
    start.push(flat.len() as u32);
    (start, flat)
}

/// Per cell, the full edges through or near it (CSR layout), and the parity of the full
/// edges wholly right of it. `None` if the lists would not fit `u32` offsets.
fn cell_lists(grid: &Grid, spans: &[Span]) -> Option<(Vec<u32>, Vec<u32>, Vec<bool>)> {
    let n_cells = grid.rows * grid.cols;
    let mut start = vec![0usize; n_cells + 1];
    let mut flips = vec![false; n_cells];
    for s in spans.iter().filter(|s| s.full) {
        let row = s.row * grid.cols;
        for count in &mut start[row + s.c0 + 1..=row + s.c1 + 1] {
            *count += 1;
        }
        // Cells left of c0 see this edge to their right.
        if s.c0 > 0 {
            flips[row + s.c0 - 1] ^= true;
        }
    }
    for c in 0..n_cells {
        start[c + 1] += start[c];
    }
    if u32::try_from(start[n_cells]).is_err() {
        return None;
    }
    let mut fill = start.clone();
    let mut list = vec![0u32; start[n_cells]];
    for s in spans.iter().filter(|s| s.full) {
        let row = s.row * grid.cols;
        for slot in &mut fill[row + s.c0..=row + s.c1] {
            list[*slot] = s.edge as u32;
            *slot += 1;
        }
    }
    let mut parity = flips;
    for r in 0..grid.rows {
        for c in (0..grid.cols.saturating_sub(1)).rev() {
            parity[r * grid.cols + c] ^= parity[r * grid.cols + c + 1];
        }
    }
    Some((start.into_iter().map(|s| s as u32).collect(), list, parity))
}
