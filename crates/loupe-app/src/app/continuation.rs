//! Going on from a finished layout: Refine (more phases on the same layout) and Add points
//! (rows from another file placed into the frozen layout, openTSNE's `transform`).

use std::sync::Arc;

use arrow_array::BooleanArray;
use loupe_core::Dataset;
use loupe_tsne::TransformParams;

use super::session::Session;

/// Name of the flag column that tells projected rows from the reference rows.
pub const PROJECTED_COLUMN: &str = "projected";

/// Rows added to a finished layout. They come after the reference rows, so the renderer
/// draws every row from `n_reference` on hollow.
#[derive(Debug, Clone)]
pub struct Projection {
    /// Rows of the reference dataset (the first rows of the shown dataset).
    pub n_reference: usize,
    /// The dataset before the rows were added, restored by Remove or Refine.
    pub reference: Arc<Dataset>,
    /// Where the added rows came from, for the side panel.
    pub source_name: String,
}

impl Session {
    /// Once a run's thread has ended, keeps its layout (for Refine and Add points) and its
    /// very last snapshot.
    pub(super) fn harvest_finished_run(&mut self) {
        if !self
            .run
            .as_ref()
            .is_some_and(super::layout_run::LayoutRun::is_finished)
        {
            return;
        }
        let Some(run) = self.run.take() else {
            return;
        };
        let joined = run.join_layout();
        self.finish_recording();
        match joined {
            Ok((snapshot, layout)) => {
                if let Some(snapshot) = snapshot {
                    self.accept_snapshot(snapshot);
                }
                // A transform hands back no layout: the reference layout stays.
                if layout.is_some() {
                    self.layout = layout;
                }
            }
            Err(err) => self.error = Some(format!("the run failed: {err}")),
        }
    }

    /// Places the rows of `added` into the finished layout.
    pub(super) fn add_points(&mut self, added: &Dataset) {
        let Some(layout) = &self.layout else {
            self.error = Some("adding points needs a finished (or stopped) layout".to_owned());
            return;
        };
        let reference = match (&self.projection, &self.dataset) {
            (Some(projection), _) => Arc::clone(&projection.reference),
            (None, Some(dataset)) => Arc::clone(dataset),
            (None, None) => return,
        };
        let expected = layout.space.input_dim();
        if added.dim() != expected {
            self.error = Some(format!(
                "{} has {}-dimensional vectors; the layout was made from {expected}-dimensional ones",
                added.name(),
                added.dim()
            ));
            return;
        }
        let n_reference = reference.n_rows();
        let flags: BooleanArray = (0..n_reference + added.n_rows())
            .map(|row| Some(row >= n_reference))
            .collect();
        let combined = Dataset::concat(
            format!("{} + {}", reference.name(), added.name()),
            &[&reference, added],
        )
        .and_then(|d| d.with_column(PROJECTED_COLUMN, Arc::new(flags)));
        let combined = match combined {
            Ok(combined) => combined,
            Err(err) => {
                self.error = Some(format!("could not add {}: {err}", added.name()));
                return;
            }
        };
        let spawned = loupe_tsne::spawn_transform(
            layout,
            added.vector_buffer(),
            &TransformParams::default(),
            self.on_update(),
        );
        if spawned.is_err() {
            self.adopt_run(spawned);
            return;
        }
        self.projection = Some(Projection {
            n_reference,
            reference,
            source_name: added.name().to_owned(),
        });
        self.swap_dataset(Arc::new(combined));
        self.adopt_run(spawned);
    }

    /// Back to the reference rows and their layout.
    pub(super) fn remove_projected(&mut self) {
        let Some(projection) = self.projection.take() else {
            return;
        };
        self.stop_run();
        let n = projection.n_reference;
        if let Some(snapshot) = &self.snapshot
            && snapshot.positions.len() > 2 * n
        {
            let mut reference = loupe_tsne::Snapshot::clone(snapshot);
            reference.positions = Arc::new(snapshot.positions[..2 * n].to_vec());
            self.snapshot = Some(Arc::new(reference));
        }
        self.swap_dataset(projection.reference);
    }

    /// Continues optimising the finished layout through the Refine schedule. Projected rows
    /// are dropped first: refining moves the reference, so their placement would be stale.
    pub(super) fn refine(&mut self) {
        if self.is_running() {
            self.error = Some("the layout is still running".to_owned());
            return;
        }
        let Some(layout) = &self.layout else {
            self.error =
                Some("Refine needs a finished (or stopped) layout: press Start first".to_owned());
            return;
        };
        let n_points = layout.space.n_points();
        let phases = self
            .params
            .phases_from_rows(&self.refine_phases.0, n_points);
        if phases.is_empty() {
            self.error = Some("the Refine schedule has no phases".to_owned());
            return;
        }
        if let Some(err) = phases.iter().find_map(|p| p.validate().err()) {
            self.error = Some(format!("invalid Refine schedule: {err}"));
            return;
        }
        self.remove_projected();
        let Some(layout) = self.layout.take() else {
            return;
        };
        let spawned = loupe_tsne::spawn_refine(layout, phases, self.on_update());
        self.adopt_run(spawned);
    }
}
