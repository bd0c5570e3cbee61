//! The Barnes–Hut quad tree (van der Maaten 2014, "Accelerating t-SNE using tree-based
//! algorithms", §4.2), rebuilt every iteration into a reused arena.
//!
//! Geometry and criteria follow openTSNE's `quad_tree.pyx`: the root is the square spanning the
//! layout's bounding box (side = the larger extent, centred on the box); a point goes to child
//! `(x > cx) | (y > cy) << 1`; a point within 1e-6 (in every coordinate) of a leaf's centre of
//! mass is merged into that leaf instead of splitting it further. Two deliberate differences
//! keep the tree's mass exact where openTSNE's loses some: a point close to an *internal*
//! node's centre of mass still descends to a leaf (openTSNE absorbs it into the internal node,
//! where it is skipped once the node is opened), and splitting a leaf that holds merged
//! duplicates moves all of them to the child (openTSNE moves one).

/// Points closer than this in every coordinate share a leaf (openTSNE's limit on branching).
const MERGE_DISTANCE: f64 = 1e-6;
/// Safety net for pathological floating-point cases: deeper insertions merge into the leaf.
const MAX_DEPTH: usize = 64;
/// Marks a leaf (the root, index 0, is never anyone's child).
const LEAF: u32 = 0;

/// The fields read by the force traversal, packed in 32 bytes.
#[derive(Debug, Clone, Copy)]
struct Node {
    center_of_mass: [f64; 2],
    /// Side of the node's square.
    length: f64,
    count: u32,
    /// Index of the first of four consecutive children, or [`LEAF`].
    first_child: u32,
}

/// A quad tree over a 2-D layout; [`QuadTree::build`] reuses the arena's memory.
#[derive(Debug, Default, Clone)]
pub(crate) struct QuadTree {
    nodes: Vec<Node>,
    /// Geometric centre of each node; only needed while inserting.
    centers: Vec<[f64; 2]>,
}

impl QuadTree {
    /// Rebuilds the tree over `y` (interleaved x, y), inserting points in index order.
    pub(crate) fn build(&mut self, y: &[f64]) {
        self.nodes.clear();
        self.centers.clear();
        let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in y.chunks_exact(2) {
            for d in 0..2 {
                min[d] = min[d].min(p[d]);
                max[d] = max[d].max(p[d]);
            }
        }
        let length = (max[0] - min[0]).max(max[1] - min[1]).max(0.0);
        self.push_node(
            [f64::midpoint(max[0], min[0]), f64::midpoint(max[1], min[1])],
            length,
        );
        for p in y.chunks_exact(2) {
            self.insert([p[0], p[1]]);
        }
    }

    fn push_node(&mut self, center: [f64; 2], length: f64) {
        self.nodes.push(Node {
            center_of_mass: [0.0; 2],
            length,
            count: 0,
            first_child: LEAF,
        });
        self.centers.push(center);
    }

    fn insert(&mut self, p: [f64; 2]) {
        let mut idx = 0;
        for depth in 0.. {
            let node = self.nodes[idx];
            let is_leaf = node.first_child == LEAF;
            if is_leaf
                && (node.count == 0
                    || is_close(node.center_of_mass, p, MERGE_DISTANCE)
                    || depth >= MAX_DEPTH)
            {
                add_mass(&mut self.nodes[idx], p, 1);
                return;
            }
            let center = self.centers[idx];
            if is_leaf {
                // Split, and sink the leaf's existing points into the matching child.
                let first = self.nodes.len();
                let quarter = node.length / 4.0;
                for child in 0..4 {
                    let dx = if child & 1 == 0 { -quarter } else { quarter };
                    let dy = if child & 2 == 0 { -quarter } else { quarter };
                    self.push_node([center[0] + dx, center[1] + dy], node.length / 2.0);
                }
                self.nodes[idx].first_child = first as u32;
                let sink = first + child_index(center, node.center_of_mass);
                self.nodes[sink].center_of_mass = node.center_of_mass;
                self.nodes[sink].count = node.count;
            }
            add_mass(&mut self.nodes[idx], p, 1);
            idx = self.nodes[idx].first_child as usize + child_index(center, p);
        }
    }

    /// The repulsive force on `point` (unnormalised: `−Σ_cells n·w^{(α+1)/α}·(y − com)`) and
    /// its share of the normaliser `Σ_cells n·w`, with `w = (1 + d²/α)^(−α)` for `α = dof`.
    ///
    /// openTSNE's `_estimate_negative_gradient_single`: empty cells and the leaf holding the
    /// point itself are skipped; `d² = ε + ‖com − y‖²`; a cell is summarised when it is a leaf
    /// or `side / d < θ`.
    pub(crate) fn repulsion(&self, point: [f64; 2], theta: f64, dof: f64) -> ([f64; 2], f64) {
        let mut acc = Accumulator {
            point,
            theta_sq: theta * theta,
            dof,
            force: [0.0; 2],
            sum_q: 0.0,
        };
        if !self.nodes.is_empty() {
            self.visit(0, &mut acc);
        }
        (acc.force, acc.sum_q)
    }

    fn visit(&self, idx: usize, acc: &mut Accumulator) {
        let node = &self.nodes[idx];
        let is_leaf = node.first_child == LEAF;
        if node.count == 0 || (is_leaf && is_close(node.center_of_mass, acc.point, f64::EPSILON)) {
            return;
        }
        let diff = [
            acc.point[0] - node.center_of_mass[0],
            acc.point[1] - node.center_of_mass[1],
        ];
        let d2 = f64::EPSILON + diff[0] * diff[0] + diff[1] * diff[1];
        // side / √d² < θ  ⇔  side² < θ²·d² (both sides non-negative).
        if is_leaf || node.length * node.length < acc.theta_sq * d2 {
            let n = f64::from(node.count);
            let (w, w_rep) = crate::gradient::kernel(d2, acc.dof);
            acc.sum_q += n * w;
            acc.force[0] -= n * w_rep * diff[0];
            acc.force[1] -= n * w_rep * diff[1];
            return;
        }
        let first = node.first_child as usize;
        for child in first..first + 4 {
            self.visit(child, acc);
        }
    }

    #[cfg(test)]
    fn root_count(&self) -> u32 {
        self.nodes[0].count
    }

    #[cfg(test)]
    fn check_mass(&self, idx: usize) -> (u32, [f64; 2]) {
        let node = self.nodes[idx];
        if node.first_child == LEAF {
            let c = f64::from(node.count);
            return (
                node.count,
                [node.center_of_mass[0] * c, node.center_of_mass[1] * c],
            );
        }
        let mut total = (0, [0.0; 2]);
        for child in node.first_child as usize..node.first_child as usize + 4 {
            let (c, m) = self.check_mass(child);
            total.0 += c;
            total.1[0] += m[0];
            total.1[1] += m[1];
        }
        assert_eq!(total.0, node.count, "children's counts add up");
        let c = f64::from(node.count);
        assert!((total.1[0] - node.center_of_mass[0] * c).abs() < 1e-9 * c.max(1.0));
        total
    }
}

struct Accumulator {
    point: [f64; 2],
    theta_sq: f64,
    dof: f64,
    force: [f64; 2],
    sum_q: f64,
}

fn child_index(center: [f64; 2], p: [f64; 2]) -> usize {
    usize::from(p[0] > center[0]) | (usize::from(p[1] > center[1]) << 1)
}

fn is_close(a: [f64; 2], b: [f64; 2], eps: f64) -> bool {
    (a[0] - b[0]).abs() < eps && (a[1] - b[1]).abs() < eps
}

/// openTSNE's running centre-of-mass update, for `count` points at `p`.
fn add_mass(node: &mut Node, p: [f64; 2], count: u32) {
    let (n, m) = (f64::from(node.count), f64::from(count));
    for (com, &x) in node.center_of_mass.iter_mut().zip(&p) {
        *com = (*com * n + x * m) / (n + m);
    }
    node.count += count;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mass_is_conserved_with_duplicates() {
        let mut y = Vec::new();
        for i in 0..500 {
            let t = f64::from(i);
            y.extend([(t * 0.37).sin() * 10.0, (t * 0.11).cos() * 3.0]);
        }
        // Exact and near duplicates.
        y.extend([y[0], y[1], y[0] + 1e-9, y[1], y[2], y[3]]);
        let mut tree = QuadTree::default();
        tree.build(&y);
        assert_eq!(tree.root_count(), 503);
        tree.check_mass(0);
        // Rebuilding reuses the arena and gives the same tree.
        let nodes = tree.nodes.len();
        tree.build(&y);
        assert_eq!(tree.nodes.len(), nodes);
    }

    #[test]
    fn all_points_equal() {
        let mut tree = QuadTree::default();
        tree.build(&[1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
        assert_eq!(tree.nodes.len(), 1);
        assert_eq!(tree.root_count(), 3);
        assert_eq!(tree.repulsion([1.0, 2.0], 0.5, 1.0), ([0.0; 2], 0.0));
    }
}
