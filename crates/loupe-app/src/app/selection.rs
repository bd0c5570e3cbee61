//! Selections in the session: the rows picked with the lasso or the box (combined by the
//! modifier keys' [`SelectionMode`]), named selections kept for later, and isolating a
//! selection. The plot shows the selection through the point colours: the rest dimmed, or
//! hidden when isolated.

use loupe_core::{NamedSelections, Selection, SelectionMode};

use super::palette;
use super::session::Session;

/// What the session knows about selected rows.
#[derive(Debug, Default)]
pub struct SelectionState {
    /// The current selection, over the dataset's rows (including projected ones).
    pub current: Option<Selection>,
    /// Selections kept under a name, to re-apply or combine later.
    pub named: NamedSelections,
    /// Hide every row outside the selection.
    pub isolated: bool,
    /// The name typed for "Keep as".
    pub name_text: String,
    /// Where "Export" writes the selected rows.
    pub export_path: String,
}

impl Session {
    /// Combines `picked` into the current selection (an empty current selection counts as
    /// none, so Add starts from nothing and Subtract or Intersect leave nothing).
    pub(super) fn select_rows(&mut self, picked: &Selection, mode: SelectionMode) {
        let n = self.n_rows();
        if picked.n_rows() != n {
            return;
        }
        // Filtered rows are never picked.
        let filtered;
        let picked = match &self.filters.passing {
            Some(passing) if passing.n_rows() == n => {
                filtered = picked.intersect(passing).unwrap_or_else(|_| picked.clone());
                &filtered
            }
            _ => picked,
        };
        let mut current = self
            .selection
            .current
            .take()
            .filter(|s| s.n_rows() == n)
            .unwrap_or_else(|| Selection::empty(n));
        if let Err(err) = current.apply(mode, picked) {
            self.error = Some(format!("selection: {err}"));
        }
        self.selection.current = (!current.is_empty()).then_some(current);
        if self.selection.current.is_none() {
            self.selection.isolated = false;
        }
        self.refresh_colors();
    }

    /// The selected rows (in order) and the dataset of just those rows; on failure the reason
    /// is shown, prefixed with `what`.
    pub(super) fn selected_subset(
        &mut self,
        what: &str,
    ) -> Option<(Vec<usize>, loupe_core::Dataset)> {
        let (Some(dataset), Some(selection)) = (&self.dataset, &self.selection.current) else {
            self.error = Some(format!("{what}: select some points first (lasso or box)"));
            return None;
        };
        let rows = selection.to_indices();
        match dataset.take_rows(&rows) {
            Ok(subset) => Some((rows, subset)),
            Err(err) => {
                self.error = Some(format!("{what}: {err}"));
                None
            }
        }
    }

    /// Forgets the current selection (Esc).
    pub(super) fn clear_selection(&mut self) {
        self.selection.current = None;
        self.selection.isolated = false;
        self.refresh_colors();
    }

    /// Keeps the current selection under `name` (replacing one of that name).
    pub(super) fn keep_selection(&mut self, name: &str) {
        let Some(current) = self.selection.current.clone() else {
            self.error = Some("select some points first (lasso or box)".to_owned());
            return;
        };
        if let Err(err) = self.selection.named.keep(name.trim(), current) {
            self.error = Some(format!("keep selection: {err}"));
        }
    }

    /// Applies a named selection to the current one.
    pub(super) fn apply_named(&mut self, name: &str, mode: SelectionMode) {
        match self.selection.named.get(name).cloned() {
            Some(named) if named.n_rows() == self.n_rows() => self.select_rows(&named, mode),
            Some(_) => {
                self.error = Some(format!(
                    "selection {name:?} was made on another set of rows"
                ));
            }
            None => self.error = Some(format!("no selection named {name:?}")),
        }
    }

    /// Shows only the selected rows, or everything again.
    pub(super) fn set_isolated(&mut self, isolated: bool) {
        self.selection.isolated = isolated && self.selection.current.is_some();
        self.refresh_colors();
    }

    /// Called when the rows change (a new dataset, rows added or removed): selections over
    /// other rows no longer apply.
    pub(super) fn forget_selection_if_rows_changed(&mut self) {
        let n = self.n_rows();
        if self
            .selection
            .current
            .as_ref()
            .is_some_and(|s| s.n_rows() != n)
        {
            self.selection.current = None;
            self.selection.isolated = false;
        }
        if self
            .filters
            .passing
            .as_ref()
            .is_some_and(|p| p.n_rows() != n)
        {
            // Rows were added or removed: filters built on the old columns no longer apply.
            self.filters = super::filters::FilterState::default();
        }
    }

    /// Recomputes the rows passing the filters (after an edit) and the colours.
    pub(super) fn refilter(&mut self) {
        let n = self.n_rows();
        self.filters.update(n);
        self.refresh_colors();
    }

    /// Dims (or, isolated, hides) every point outside the selection, and greys (or hides)
    /// every point the filters leave out.
    pub(super) fn apply_selection_to_colors(&self, colors: &mut [u32]) {
        if let Some(passing) = &self.filters.passing
            && passing.n_rows() == colors.len()
        {
            for (row, color) in colors.iter_mut().enumerate() {
                if !passing.contains(row) {
                    *color = if self.filters.hide {
                        0
                    } else {
                        palette::greyed(*color)
                    };
                }
            }
        }
        let Some(selection) = &self.selection.current else {
            return;
        };
        if selection.n_rows() != colors.len() {
            return;
        }
        for (row, color) in colors.iter_mut().enumerate() {
            if !selection.contains(row) {
                *color = if self.selection.isolated {
                    *color & 0x00ff_ffff
                } else {
                    palette::dimmed(*color)
                };
            }
        }
    }

    /// Whether `row` is drawn (not hidden by an isolated selection), for hover and click.
    pub fn is_visible(&self, row: usize) -> bool {
        let shown_by_selection = !self.selection.isolated
            || self
                .selection
                .current
                .as_ref()
                .is_none_or(|s| s.contains(row));
        self.filters.passes(row) && shown_by_selection
    }
}
