//! The fuzzy graph as a compressed sparse row matrix, and its connected components.

use rayon::prelude::*;

/// A symmetric weighted graph over N points in compressed sparse row form: row `i` lists
/// the neighbours `j ≠ i` with membership strength `w_ij > 0`, sorted by `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyGraph {
    row_ptr: Vec<usize>,
    cols: Vec<u32>,
    weights: Vec<f32>,
}

impl FuzzyGraph {
    /// Builds the graph from rows of `(column, weight)` sorted by column.
    pub(crate) fn from_rows(rows: &[Vec<(u32, f32)>]) -> Self {
        let mut row_ptr = Vec::with_capacity(rows.len() + 1);
        row_ptr.push(0);
        let total: usize = rows.iter().map(Vec::len).sum();
        let (mut cols, mut weights) = (Vec::with_capacity(total), Vec::with_capacity(total));
        for row in rows {
            for &(j, w) in row {
                cols.push(j);
                weights.push(w);
            }
            row_ptr.push(cols.len());
        }
        Self {
            row_ptr,
            cols,
            weights,
        }
    }

    /// Number of points, N.
    pub fn n_points(&self) -> usize {
        self.row_ptr.len() - 1
    }

    /// Number of stored (directed) entries; every undirected edge is stored twice.
    pub fn n_entries(&self) -> usize {
        self.cols.len()
    }

    /// Row `i`: `(neighbour, weight)` by increasing neighbour index.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (u32, f32)> + '_ {
        let range = self.row_ptr[i]..self.row_ptr[i + 1];
        self.cols[range.clone()]
            .iter()
            .copied()
            .zip(self.weights[range].iter().copied())
    }

    /// Row offsets: row `i` is entries `row_ptr[i] .. row_ptr[i + 1]`.
    pub fn row_ptr(&self) -> &[usize] {
        &self.row_ptr
    }

    /// Column (neighbour) of every entry.
    pub fn cols(&self) -> &[u32] {
        &self.cols
    }

    /// Weight of every entry.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// The largest weight (0 for a graph without edges).
    pub fn max_weight(&self) -> f32 {
        self.weights.iter().copied().fold(0.0, f32::max)
    }

    /// The graph without the entries lighter than `threshold`: umap-learn drops edges below
    /// `max_weight / n_epochs`, which would not be sampled even once.
    #[must_use]
    pub fn without_weights_below(&self, threshold: f32) -> Self {
        let mut row_ptr = Vec::with_capacity(self.row_ptr.len());
        row_ptr.push(0);
        let (mut cols, mut weights) = (Vec::new(), Vec::new());
        for i in 0..self.n_points() {
            for (j, w) in self.row(i) {
                if w >= threshold {
                    cols.push(j);
                    weights.push(w);
                }
            }
            row_ptr.push(cols.len());
        }
        Self {
            row_ptr,
            cols,
            weights,
        }
    }

    /// A breadth-first order of the points (each component from its smallest point, a
    /// point's neighbours in index order): neighbours end up close together, so that work
    /// over the edges touches memory near where it already is.
    pub(crate) fn locality_order(&self) -> Vec<u32> {
        let n = self.n_points();
        let mut seen = vec![false; n];
        let mut order = Vec::with_capacity(n);
        for start in 0..n {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            order.push(start as u32);
            let mut head = order.len() - 1;
            while head < order.len() {
                let i = order[head] as usize;
                head += 1;
                for &j in &self.cols[self.row_ptr[i]..self.row_ptr[i + 1]] {
                    if !seen[j as usize] {
                        seen[j as usize] = true;
                        order.push(j);
                    }
                }
            }
        }
        order
    }

    /// The same graph with point `order[r]` renamed `r` (rows still sorted by column).
    pub(crate) fn permuted(&self, order: &[u32]) -> Self {
        let mut rank = vec![0_u32; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let rows: Vec<Vec<(u32, f32)>> = order
            .par_iter()
            .map(|&i| {
                let mut row: Vec<(u32, f32)> = self
                    .row(i as usize)
                    .map(|(j, w)| (rank[j as usize], w))
                    .collect();
                row.sort_unstable_by_key(|&(j, _)| j);
                row
            })
            .collect();
        Self::from_rows(&rows)
    }

    /// Connected components: the number of them and each point's component, numbered by
    /// their smallest point (so the labels are deterministic).
    pub fn components(&self) -> (usize, Vec<u32>) {
        let n = self.n_points();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        for i in 0..n {
            for &j in &self.cols[self.row_ptr[i]..self.row_ptr[i + 1]] {
                let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j));
                if a != b {
                    // The smaller root wins, so a component's root is its smallest point.
                    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                    parent[hi as usize] = lo;
                }
            }
        }
        let mut label = vec![u32::MAX; n];
        let mut count = 0_u32;
        for i in 0..n {
            let root = find(&mut parent, i as u32) as usize;
            if label[root] == u32::MAX {
                label[root] = count;
                count += 1;
            }
            label[i] = label[root];
        }
        (count as usize, label)
    }
}

/// The root of `x` in a union–find forest, halving the path on the way.
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_filtering() {
        // 0–1 strong, 2–3 weak, 4 alone.
        let rows = vec![
            vec![(1, 1.0)],
            vec![(0, 1.0)],
            vec![(3, 0.1)],
            vec![(2, 0.1)],
            vec![],
        ];
        let g = FuzzyGraph::from_rows(&rows);
        assert_eq!(g.n_entries(), 4);
        let (count, labels) = g.components();
        assert_eq!((count, labels), (3, vec![0, 0, 1, 1, 2]));
        let strong = g.without_weights_below(0.5);
        assert_eq!(strong.n_entries(), 2);
        assert_eq!(strong.components().0, 4);
        assert!((g.max_weight() - 1.0).abs() < f32::EPSILON);
    }
}
