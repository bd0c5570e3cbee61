//! The bitset behind every selection, and the algebra the selection tools need.

/// Why a selection operation was refused.
///
/// Both variants are caller mistakes that the app can report instead of crashing: a row index
/// from a stale list, or two selections made over different datasets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// A row index at or beyond the number of rows.
    #[error("row {row} is out of range for a selection over {n_rows} rows")]
    RowOutOfRange {
        /// The offending index.
        row: usize,
        /// Rows the selection ranges over.
        n_rows: usize,
    },
    /// Set operations need both selections to range over the same rows.
    #[error("cannot combine a selection over {left} rows with one over {right} rows")]
    SizeMismatch {
        /// Rows of the selection being changed.
        left: usize,
        /// Rows of the other selection.
        right: usize,
    },
}

/// How a new selection (a lasso, a box, a category) combines with the current one.
///
/// These are the modifier-key semantics of the plot: a plain drag replaces, Shift adds,
/// Alt subtracts, and Shift+Alt keeps only the overlap, as in common image editors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SelectionMode {
    /// The new selection replaces the current one.
    #[default]
    Replace,
    /// Union: rows in either selection.
    Add,
    /// Difference: rows of the current selection not in the new one.
    Subtract,
    /// Intersection: rows in both selections.
    Intersect,
}

/// A set of rows out of `n_rows`, stored as one bit per row.
///
/// A bitset costs N/8 bytes whatever is selected (125 kB for a million rows), makes every set
/// operation a pass over machine words, and can be handed to the renderer as-is. Bits past
/// `n_rows` in the last word are always zero, so counts and complements need no masking.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Selection {
    words: Vec<u64>,
    n_rows: usize,
}

impl Selection {
    /// No rows selected: the state after loading a dataset or pressing Escape.
    pub fn empty(n_rows: usize) -> Self {
        Self {
            words: vec![0; n_rows.div_ceil(64)],
            n_rows,
        }
    }

    /// Every row selected ("select all").
    pub fn full(n_rows: usize) -> Self {
        Self::from_words(n_rows, vec![u64::MAX; n_rows.div_ceil(64)])
    }

    /// The rows for which `pick(row)` is true, in one pass: selection by category, by value
    /// range, or by any other per-row predicate.
    pub fn from_fn(n_rows: usize, mut pick: impl FnMut(usize) -> bool) -> Self {
        let mut words = vec![0; n_rows.div_ceil(64)];
        for (w, word) in words.iter_mut().enumerate() {
            let base = w * 64;
            for bit in 0..(n_rows - base).min(64) {
                *word |= u64::from(pick(base + bit)) << bit;
            }
        }
        Self { words, n_rows }
    }

    /// The rows listed in `indices` (any order, repeats allowed): restoring a saved selection
    /// or importing a list of ids. Refuses the whole list if one index is out of range.
    pub fn from_indices(n_rows: usize, indices: &[usize]) -> Result<Self, SelectionError> {
        let mut selection = Self::empty(n_rows);
        for &row in indices {
            selection.insert(row)?;
        }
        Ok(selection)
    }

    /// The points of `positions` (interleaved `[x0, y0, x1, y1, …]`) for which `pick(x, y)`
    /// is true, built 64 rows per word; a trailing unpaired value is ignored.
    pub(super) fn from_points(positions: &[f32], mut pick: impl FnMut(f32, f32) -> bool) -> Self {
        let n_rows = positions.len() / 2;
        let mut words = vec![0u64; n_rows.div_ceil(64)];
        for (word, chunk) in words.iter_mut().zip(positions.chunks(128)) {
            for (bit, p) in chunk.chunks_exact(2).enumerate() {
                *word |= u64::from(pick(p[0], p[1])) << bit;
            }
        }
        Self { words, n_rows }
    }

    /// Wraps whole words, clearing bits past `n_rows`.
    fn from_words(n_rows: usize, mut words: Vec<u64>) -> Self {
        debug_assert_eq!(words.len(), n_rows.div_ceil(64));
        if !n_rows.is_multiple_of(64)
            && let Some(last) = words.last_mut()
        {
            *last &= (1u64 << (n_rows % 64)) - 1;
        }
        Self { words, n_rows }
    }

    /// Rows the selection ranges over (selected or not).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of selected rows, for the status line and the inspector.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True when no row is selected.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Whether `row` is selected; false for rows out of range, so hover code needs no checks.
    pub fn contains(&self, row: usize) -> bool {
        self.words
            .get(row / 64)
            .is_some_and(|w| w >> (row % 64) & 1 == 1)
    }

    /// Selects `row` (a click); returns whether it was newly selected.
    pub fn insert(&mut self, row: usize) -> Result<bool, SelectionError> {
        if row >= self.n_rows {
            return Err(SelectionError::RowOutOfRange {
                row,
                n_rows: self.n_rows,
            });
        }
        let (word, bit) = (&mut self.words[row / 64], 1u64 << (row % 64));
        let added = *word & bit == 0;
        *word |= bit;
        Ok(added)
    }

    /// Deselects `row` (Alt+click); returns whether it was selected. Out of range is a no-op.
    pub fn remove(&mut self, row: usize) -> bool {
        let Some(word) = self.words.get_mut(row / 64) else {
            return false;
        };
        let bit = 1u64 << (row % 64);
        let removed = *word & bit != 0;
        *word &= !bit;
        removed
    }

    /// Selected rows in increasing order, without allocating.
    pub fn iter(&self) -> SelectionIter<'_> {
        SelectionIter {
            words: &self.words,
            next_word: 0,
            current: 0,
            base: 0,
        }
    }

    /// Selected rows as a sorted list: export, "copy ids", and the inverse of
    /// [`Self::from_indices`].
    pub fn to_indices(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.count());
        out.extend(self.iter());
        out
    }

    /// The bits, 64 rows per word, row `i` at bit `i % 64` of word `i / 64`: the form the
    /// renderer uploads to highlight selected points.
    pub fn as_words(&self) -> &[u64] {
        &self.words
    }

    /// Every row not selected ("invert selection").
    #[must_use]
    pub fn complement(&self) -> Self {
        Self::from_words(self.n_rows, self.words.iter().map(|w| !w).collect())
    }

    /// Rows in `self` or `other` (A ∪ B).
    pub fn union(&self, other: &Self) -> Result<Self, SelectionError> {
        self.combined(other, SelectionMode::Add)
    }

    /// Rows in both `self` and `other` (A ∩ B).
    pub fn intersect(&self, other: &Self) -> Result<Self, SelectionError> {
        self.combined(other, SelectionMode::Intersect)
    }

    /// Rows in `self` but not in `other` (A ∖ B).
    pub fn subtract(&self, other: &Self) -> Result<Self, SelectionError> {
        self.combined(other, SelectionMode::Subtract)
    }

    /// True when every row of `self` is also in `other`; false for different row counts.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.n_rows == other.n_rows
            && self
                .words
                .iter()
                .zip(&other.words)
                .all(|(a, b)| a & !b == 0)
    }

    /// Combines `other` into `self` as the modifier keys ask: the one entry point the lasso,
    /// box and category tools share.
    pub fn apply(&mut self, mode: SelectionMode, other: &Self) -> Result<(), SelectionError> {
        if self.n_rows != other.n_rows {
            return Err(SelectionError::SizeMismatch {
                left: self.n_rows,
                right: other.n_rows,
            });
        }
        let op: fn(u64, u64) -> u64 = match mode {
            SelectionMode::Replace => |_, b| b,
            SelectionMode::Add => |a, b| a | b,
            SelectionMode::Subtract => |a, b| a & !b,
            SelectionMode::Intersect => |a, b| a & b,
        };
        for (a, &b) in self.words.iter_mut().zip(&other.words) {
            *a = op(*a, b);
        }
        Ok(())
    }

    fn combined(&self, other: &Self, mode: SelectionMode) -> Result<Self, SelectionError> {
        let mut out = self.clone();
        out.apply(mode, other)?;
        Ok(out)
    }
}

impl<'a> IntoIterator for &'a Selection {
    type Item = usize;
    type IntoIter = SelectionIter<'a>;

    fn into_iter(self) -> SelectionIter<'a> {
        self.iter()
    }
}

/// Iterator over the selected rows of a [`Selection`], in increasing order.
#[derive(Debug, Clone)]
pub struct SelectionIter<'a> {
    words: &'a [u64],
    next_word: usize,
    current: u64,
    base: usize,
}

impl Iterator for SelectionIter<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.current == 0 {
            self.current = *self.words.get(self.next_word)?;
            self.base = self.next_word * 64;
            self.next_word += 1;
        }
        let bit = self.current.trailing_zeros() as usize;
        self.current &= self.current - 1;
        Some(self.base + bit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(n: usize, rows: &[usize]) -> Selection {
        Selection::from_indices(n, rows).unwrap()
    }

    #[test]
    fn indices_round_trip_sorted_and_deduplicated() {
        let s = sel(130, &[129, 3, 64, 3, 0, 63]);
        assert_eq!(s.to_indices(), vec![0, 3, 63, 64, 129]);
        assert_eq!(s.count(), 5);
        assert!(s.contains(129) && !s.contains(128) && !s.contains(1000));
        assert_eq!(s.iter().collect::<Vec<_>>(), s.to_indices());
    }

    #[test]
    fn out_of_range_rows_are_errors_not_panics() {
        assert_eq!(
            Selection::from_indices(10, &[2, 10]),
            Err(SelectionError::RowOutOfRange {
                row: 10,
                n_rows: 10
            })
        );
        let mut s = Selection::empty(10);
        assert!(s.insert(10).is_err());
        assert!(!s.remove(99));
        assert!(s.insert(9).unwrap());
        assert!(!s.insert(9).unwrap());
        assert!(s.remove(9));
        assert!(s.is_empty());
    }

    #[test]
    fn full_and_complement_respect_the_row_count() {
        for n in [0, 1, 63, 64, 65, 200] {
            assert_eq!(Selection::full(n).count(), n);
            assert_eq!(Selection::empty(n).complement(), Selection::full(n));
            let odd = Selection::from_fn(n, |i| i % 2 == 1);
            assert_eq!(odd.count(), n / 2);
            assert_eq!(odd.complement().count(), n - n / 2);
            assert!(odd.complement().intersect(&odd).unwrap().is_empty());
        }
    }

    #[test]
    fn modes_follow_the_modifier_keys() {
        let a = sel(100, &[1, 2, 3, 70]);
        let b = sel(100, &[3, 4, 70, 99]);
        let run = |mode| {
            let mut s = a.clone();
            s.apply(mode, &b).unwrap();
            s.to_indices()
        };
        assert_eq!(run(SelectionMode::Replace), vec![3, 4, 70, 99]);
        assert_eq!(run(SelectionMode::Add), vec![1, 2, 3, 4, 70, 99]);
        assert_eq!(run(SelectionMode::Subtract), vec![1, 2]);
        assert_eq!(run(SelectionMode::Intersect), vec![3, 70]);
    }

    #[test]
    fn algebra_laws_hold_on_random_selections() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for n in [0, 1, 63, 64, 65, 1000] {
            for _ in 0..20 {
                let density = rng.random_range(0.0..1.0);
                let a = Selection::from_fn(n, |_| rng.random_bool(density));
                let b = Selection::from_fn(n, |_| rng.random_bool(0.5));
                let union = a.union(&b).unwrap();
                let inter = a.intersect(&b).unwrap();
                let diff = a.subtract(&b).unwrap();
                assert!(a.is_subset(&union) && b.is_subset(&union));
                assert!(inter.is_subset(&a) && inter.is_subset(&b));
                assert!(diff.intersect(&b).unwrap().is_empty());
                assert_eq!(union.count() + inter.count(), a.count() + b.count());
                assert_eq!(diff.count() + inter.count(), a.count());
                assert_eq!(diff.union(&inter).unwrap(), a);
                // De Morgan, and the complement stays within the rows.
                let not_union = union.complement();
                assert_eq!(
                    not_union,
                    a.complement().intersect(&b.complement()).unwrap()
                );
                assert_eq!(not_union.count(), n - union.count());
                for row in 0..n {
                    assert_eq!(union.contains(row), a.contains(row) || b.contains(row));
                    assert_eq!(diff.contains(row), a.contains(row) && !b.contains(row));
                }
                assert_eq!(Selection::from_indices(n, &a.to_indices()).unwrap(), a);
            }
        }
    }

    #[test]
    fn mismatched_sizes_are_refused() {
        let mut a = Selection::empty(10);
        let b = Selection::full(11);
        let err = SelectionError::SizeMismatch {
            left: 10,
            right: 11,
        };
        assert_eq!(a.union(&b), Err(err.clone()));
        assert_eq!(a.apply(SelectionMode::Replace, &b), Err(err));
        assert!(!a.is_subset(&b));
    }
}
