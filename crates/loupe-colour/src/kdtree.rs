//! An implicit 2-D kd-tree for all-points k-nearest-neighbour queries on a layout.
//!
//! The points are reordered so that every node is a contiguous range whose middle element is
//! the pivot, with smaller coordinates before and larger after, alternating x and y by depth (Bentley 1975, "Multidimensional binary search trees
//! used for associative searching"): no node storage, a parallel build by `rayon::join` on
//! disjoint halves, and leaf order doubling as a spatial order for the queries. Neighbours are
//! the `k` smallest by (squared distance, index), so ties — duplicate positions — resolve the
//! same way whatever the tree's shape.

/// Points per leaf.
const LEAF: usize = 16;
/// Ranges larger than this are split on two threads.
const PARALLEL_BUILD: usize = 16_384;

/// A layout point and its original index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point {
    pub xy: [f32; 2],
    pub id: u32,
}

/// The tree: points in tree order.
pub(crate) struct KdTree {
    points: Vec<Point>,
}

impl KdTree {
    /// Builds the tree from interleaved `[x0, y0, x1, y1, …]` positions.
    pub(crate) fn new(positions: &[f32]) -> Self {
        let mut points: Vec<Point> = positions
            .chunks_exact(2)
            .enumerate()
            .map(|(i, p)| Point {
                xy: [p[0], p[1]],
                id: i as u32,
            })
            .collect();
        build(&mut points, 0);
        Self { points }
    }

    /// The points in tree order: neighbours in this order are near in the plane.
    pub(crate) fn points(&self) -> &[Point] {
        &self.points
    }

    /// The `best.k` nearest points to `q` other than point `skip`, into `best` (cleared first).
    pub(crate) fn nearest(&self, q: [f32; 2], skip: u32, best: &mut Nearest) {
        best.len = 0;
        best.worst = f32::INFINITY;
        self.search(0, self.points.len(), 0, q, skip, best);
    }

    fn search(
        &self,
        lo: usize,
        hi: usize,
        depth: usize,
        q: [f32; 2],
        skip: u32,
        best: &mut Nearest,
    ) {
        if hi - lo <= LEAF {
            for p in &self.points[lo..hi] {
                if p.id != skip {
                    let (dx, dy) = (p.xy[0] - q[0], p.xy[1] - q[1]);
                    best.offer(dx * dx + dy * dy, p.id);
                }
            }
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let axis = depth & 1;
        let pivot = self.points[mid];
        let diff = q[axis] - pivot.xy[axis];
        // Left holds coordinates ≤ the pivot's, right ≥ it.
        let (near, far) = if diff < 0.0 {
            ((lo, mid), (mid + 1, hi))
        } else {
            ((mid + 1, hi), (lo, mid))
        };
        self.search(near.0, near.1, depth + 1, q, skip, best);
        // The pivot after the near side: by then the list holds close points, and a far
        // pivot is rejected on one comparison.
        if pivot.id != skip {
            let (dx, dy) = (pivot.xy[0] - q[0], pivot.xy[1] - q[1]);
            best.offer(dx * dx + dy * dy, pivot.id);
        }
        // Any point across the plane is at least |diff| away (exactly, in f32 too).
        if diff * diff <= best.worst() {
            self.search(far.0, far.1, depth + 1, q, skip, best);
        }
    }
}

/// Splits `points` at its middle element along the depth's axis, recursively.
fn build(points: &mut [Point], depth: usize) {
    if points.len() <= LEAF {
        return;
    }
    let axis = depth & 1;
    let mid = points.len() / 2;
    points.select_nth_unstable_by(mid, |a, b| a.xy[axis].total_cmp(&b.xy[axis]));
    // The middle element stays put as the node's pivot; the halves beside it are the children.
    let (left, rest) = points.split_at_mut(mid);
    let right = &mut rest[1..];
    if left.len() + right.len() > PARALLEL_BUILD {
        rayon::join(|| build(left, depth + 1), || build(right, depth + 1));
    } else {
        build(left, depth + 1);
        build(right, depth + 1);
    }
}

/// The best `k` candidates so far, sorted by (squared distance, index).
pub(crate) struct Nearest {
    k: usize,
    len: usize,
    /// `d2[k − 1]` once full, else ∞.
    worst: f32,
    d2: Vec<f32>,
    id: Vec<u32>,
}

impl Nearest {
    pub(crate) fn new(k: usize) -> Self {
        Self {
            k,
            len: 0,
            worst: f32::INFINITY,
            d2: vec![0.0; k],
            id: vec![0; k],
        }
    }

    /// Indices of the neighbours found, nearest first.
    pub(crate) fn ids(&self) -> &[u32] {
        &self.id[..self.len]
    }

    /// The squared distance a candidate must not exceed (∞ until `k` are found).
    fn worst(&self) -> f32 {
        self.worst
    }

    /// Keeps `(d2, id)` if it is among the `k` smallest seen.
    #[inline]
    fn offer(&mut self, d2: f32, id: u32) {
        // Most candidates are farther than the current k-th: reject them on one comparison.
        if d2 > self.worst {
            return;
        }
        self.insert(d2, id);
    }

    fn insert(&mut self, d2: f32, id: u32) {
        let key = (d2, id);
        let last = self.k - 1;
        if self.len == self.k && (self.d2[last], self.id[last]) <= key {
            return;
        }
        // Fill the first free slot (or overwrite the worst), then bubble towards the front.
        let mut at = self.len.min(last);
        while at > 0 && (self.d2[at - 1], self.id[at - 1]) > key {
            self.d2[at] = self.d2[at - 1];
            self.id[at] = self.id[at - 1];
            at -= 1;
        }
        self.d2[at] = d2;
        self.id[at] = id;
        self.len = (self.len + 1).min(self.k);
        if self.len == self.k {
            self.worst = self.d2[last];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: the k smallest (d², index) among the others.
    fn brute(pos: &[f32], i: usize, k: usize) -> Vec<u32> {
        let q = [pos[2 * i], pos[2 * i + 1]];
        let mut all: Vec<(f32, u32)> = (0..pos.len() / 2)
            .filter(|&j| j != i)
            .map(|j| {
                let (dx, dy) = (pos[2 * j] - q[0], pos[2 * j + 1] - q[1]);
                (dx * dx + dy * dy, j as u32)
            })
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all.iter().take(k).map(|p| p.1).collect()
    }

    #[test]
    fn matches_brute_force_with_duplicates_and_ties() {
        // A lattice (many equal distances) with repeated points.
        let pos: Vec<f32> = (0..1500)
            .flat_map(|i| [((i * 7) % 23) as f32, ((i * 13) % 17) as f32 * 0.5])
            .collect();
        let tree = KdTree::new(&pos);
        for k in [1, 5, 10, 40] {
            let mut best = Nearest::new(k);
            for p in tree.points() {
                tree.nearest(p.xy, p.id, &mut best);
                assert_eq!(best.ids(), brute(&pos, p.id as usize, k), "point {}", p.id);
            }
        }
    }

    #[test]
    fn fewer_points_than_k() {
        let pos = [0.0, 0.0, 1.0, 0.0, 5.0, 5.0];
        let tree = KdTree::new(&pos);
        let mut best = Nearest::new(10);
        tree.nearest([0.0, 0.0], 0, &mut best);
        assert_eq!(best.ids(), &[1, 2]);
    }
}
