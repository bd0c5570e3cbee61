//! Compare two layouts of the same rows side by side: the current layout is pinned into a
//! second plot, then another run (another seed, perplexity or method) fills the first. Rows
//! are the same, so hover, selection, colours, filters and labels are linked for free: both
//! plots draw the session's one colour buffer and highlight its hovered and selected rows.

use std::sync::Arc;

use loupe_render::PickIndex;

use super::session::{ClassLabel, Session};

/// A pinned layout shown beside the live one.
pub struct Comparison {
    /// What it is ("t-SNE, seed 0, perplexity 30, iteration 750").
    pub title: String,
    /// Its positions, one pair per row of the dataset.
    pub positions: Arc<Vec<f32>>,
    /// Changes when the pinned positions change (for the renderer's upload).
    pub generation: u64,
    /// Nearest-point index for hover and click on the pinned plot.
    pub pick: PickIndex,
    /// Class names at their medians in the pinned layout.
    pub class_labels: Vec<ClassLabel>,
}

impl Session {
    /// Pins the current layout beside the plot; `then_reseed` also starts a new run with the
    /// next seed, the quickest "is this structure real?" check (switch the method before
    /// Start to compare t-SNE with UMAP).
    pub(super) fn pin_for_comparison(&mut self, then_reseed: bool) {
        let Some(positions) = self.positions().cloned() else {
            self.error = Some("compare: no layout to pin yet".to_owned());
            return;
        };
        if positions.len() != 2 * self.n_rows() {
            self.error = Some("compare: the layout is still being prepared".to_owned());
            return;
        }
        let iteration = self
            .timeline
            .replay
            .as_ref()
            .map(|r| r.iteration)
            .or_else(|| self.snapshot.as_ref().map(|s| s.iteration))
            .unwrap_or(0);
        let title = format!("pinned: {}, iteration {iteration}", self.run_description);
        self.positions_generation += 1;
        self.comparison = Some(Comparison {
            title,
            pick: PickIndex::new(&positions),
            class_labels: self.class_labels_for(&positions),
            generation: self.positions_generation,
            positions,
        });
        if then_reseed {
            self.params.seed = self.params.seed.wrapping_add(1);
            self.start_run();
        }
    }

    /// Closes the pinned plot.
    pub(super) fn close_comparison(&mut self) {
        self.comparison = None;
    }

    /// Drops the pinned layout when the rows it was made for are gone.
    pub(super) fn forget_comparison_if_rows_changed(&mut self) {
        if self
            .comparison
            .as_ref()
            .is_some_and(|c| c.positions.len() != 2 * self.n_rows())
        {
            self.comparison = None;
        }
    }

    /// The pinned plot's row nearest `(x, y)` within `radius`, visible rows only.
    pub fn pick_pinned(&self, x: f32, y: f32, radius: f32) -> Option<usize> {
        let comparison = self.comparison.as_ref()?;
        let (row, dist2) = comparison.pick.nearest(x, y)?;
        (row < self.n_rows() && dist2 <= radius * radius && self.is_visible(row)).then_some(row)
    }
}
