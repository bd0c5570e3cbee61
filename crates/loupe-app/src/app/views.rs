//! Views: re-running t-SNE on a selection alone (the hyperspectral seed's "split by category
//! and re-run" workflow) opens the selected rows as a view of their own; the view they came
//! from is kept, layout and all, and "Back" returns to it exactly as it was.

use std::sync::Arc;

use loupe_core::Dataset;
use loupe_tsne::{FinishedLayout, Snapshot};

use super::continuation::Projection;
use super::session::Session;

/// A view left for a sub-view: what it showed and what it can go on from.
pub struct SavedView {
    /// Its rows.
    pub dataset: Arc<Dataset>,
    /// Its last layout.
    pub snapshot: Option<Arc<Snapshot>>,
    /// What Refine and Add points continue from.
    layout: Option<FinishedLayout>,
    /// Rows added to it, if any.
    projection: Option<Projection>,
    /// Its colour column.
    color_by: Option<String>,
}

impl Session {
    /// Lays out the selected rows on their own, keeping the current view to come back to.
    pub(super) fn rerun_on_selection(&mut self) {
        let Some(dataset) = self.dataset.clone() else {
            return;
        };
        let Some((rows, subset)) = self.selected_subset("re-run on selection") else {
            return;
        };
        if rows.len() < 4 {
            self.error = Some("select at least 4 points to lay them out".to_owned());
            return;
        }
        self.stop_run();
        self.views.push(SavedView {
            dataset,
            snapshot: self.snapshot.take(),
            layout: self.layout.take(),
            projection: self.projection.take(),
            color_by: self.color_by.clone(),
        });
        let color_by = self.color_by.clone();
        self.show_dataset(Arc::new(subset));
        if color_by.is_some() {
            self.handle(super::session::Command::ColorBy(color_by));
        }
        self.start_run();
    }

    /// Returns to the view a selection was taken from.
    pub(super) fn back_to_parent_view(&mut self) {
        let Some(saved) = self.views.pop() else {
            return;
        };
        self.stop_run();
        self.show_dataset(saved.dataset);
        self.snapshot = saved.snapshot;
        self.layout = saved.layout;
        self.projection = saved.projection;
        self.positions_generation += 1;
        self.handle(super::session::Command::ColorBy(saved.color_by));
    }
}
