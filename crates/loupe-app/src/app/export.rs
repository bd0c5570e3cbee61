//! Taking results out of the app: the layout as Parquet or CSV (written on a background
//! thread, so a million rows never freeze the window) and the trajectory of a run, recorded
//! iteration by iteration on the engine thread into the long format the animated-UMAP seed
//! plots (`index`, `x`, `y`, `label`, `epoch`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use arrow_array::ArrayRef;
use loupe_core::{Dataset, LatestSlot};
use loupe_data::TrajectoryWriter;

use super::session::Session;
use crate::select::OutputFormat;

/// A layout being written; the outcome (a line for the status bar) appears when done.
pub struct ExportJob {
    result: Arc<LatestSlot<Result<String, String>>>,
}

impl ExportJob {
    /// Writes `dataset`'s columns plus `x`, `y` from `positions` to `path` on a thread named
    /// `loupe-export`: CSV (geometry as WKT) for `.csv`, GeoJSON features in lon/lat for
    /// `.geojson`/`.json`, else (Geo)Parquet.
    fn start(
        path: PathBuf,
        dataset: Arc<Dataset>,
        positions: Arc<Vec<f32>>,
        extra: Vec<(&'static str, ArrayRef)>,
        on_done: impl Fn() + Send + 'static,
    ) -> Self {
        let result = Arc::new(LatestSlot::new());
        let slot = Arc::clone(&result);
        let spawned = std::thread::Builder::new()
            .name("loupe-export".to_owned())
            .spawn(move || {
                // Unknown extensions are Parquet, as for `loupe embed`.
                let written = OutputFormat::from_path(&path)
                    .unwrap_or(OutputFormat::Parquet)
                    .write(&path, dataset.metadata(), &positions, &extra);
                slot.publish(
                    written
                        .map(|()| {
                            format!(
                                "wrote {} rows with x, y to {}",
                                dataset.n_rows(),
                                path.display()
                            )
                        })
                        .map_err(|e| format!("export failed: {e}")),
                );
                on_done();
            });
        if let Err(err) = spawned {
            result.publish(Err(format!("could not start the export thread: {err}")));
        }
        Self { result }
    }

    /// The outcome once the file is written (or failed).
    pub fn poll(&self) -> Option<Result<String, String>> {
        self.result.take().map(|r| (*r).clone())
    }
}

/// What the side panel's "record trajectory" controls ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectorySettings {
    /// Record the runs started from now on (and the one running, from its next iteration).
    pub enabled: bool,
    /// The Parquet file to write.
    pub path: String,
    /// Keep every k-th iteration (1 = all of them).
    pub every: usize,
}

impl Default for TrajectorySettings {
    fn default() -> Self {
        Self {
            enabled: false,
            path: String::new(),
            every: 1,
        }
    }
}

/// One run's trajectory being written: shared between the engine thread, which appends, and
/// the session, which finishes the file when the run ends.
pub struct TrajectoryRecording {
    path: PathBuf,
    every: usize,
    labels: Option<ArrayRef>,
    writer: Option<TrajectoryWriter>,
    error: Option<String>,
}

impl TrajectoryRecording {
    fn new(path: PathBuf, every: usize, labels: Option<ArrayRef>) -> Self {
        Self {
            path,
            every: every.max(1),
            labels,
            writer: None,
            error: None,
        }
    }

    /// Appends one iteration (every k-th); the file is created at the first one, sized by
    /// the positions, so runs that add points record all their rows. The first error stops
    /// the recording and is reported when the run ends; the run itself goes on.
    pub(super) fn append(&mut self, iteration: usize, positions: &[f32]) {
        if self.error.is_some() || !iteration.is_multiple_of(self.every) {
            return;
        }
        let rows = positions.len() / 2;
        if self.writer.is_none() {
            let labels = self.labels.take().filter(|l| l.len() == rows);
            match TrajectoryWriter::create(&self.path, rows, labels) {
                Ok(writer) => self.writer = Some(writer),
                Err(e) => {
                    self.error = Some(e.to_string());
                    return;
                }
            }
        }
        let epoch = u32::try_from(iteration).unwrap_or(u32::MAX);
        if let Some(writer) = &mut self.writer
            && let Err(e) = writer.append(epoch, positions)
        {
            self.error = Some(e.to_string());
            self.writer = None;
        }
    }

    /// Closes the file (it appears at its path only now) and says what was written.
    fn finish(&mut self) -> Result<String, String> {
        if let Some(error) = self.error.take() {
            return Err(format!("trajectory not saved: {error}"));
        }
        let Some(writer) = self.writer.take() else {
            return Err("trajectory not saved: the run ended before its first iteration".into());
        };
        let snapshots = writer.snapshots();
        writer
            .finish()
            .map(|()| {
                format!(
                    "trajectory: {snapshots} iterations written to {}",
                    self.path.display()
                )
            })
            .map_err(|e| format!("trajectory not saved: {e}"))
    }
}

impl Session {
    /// Writes the selected rows (all their columns, `x`, `y`) to `path`, in the format its
    /// extension names.
    pub(super) fn export_selection(&mut self, path: PathBuf) {
        let Some(positions) = self.positions().cloned() else {
            self.error = Some("export selection: no layout yet".to_owned());
            return;
        };
        if positions.len() != 2 * self.n_rows() {
            self.error = Some("the layout is still being prepared; export it once it runs".into());
            return;
        }
        let Some((rows, subset)) = self.selected_subset("export selection") else {
            return;
        };
        let xy: Vec<f32> = rows
            .iter()
            .flat_map(|&r| [positions[2 * r], positions[2 * r + 1]])
            .collect();
        let repaint = Arc::clone(&self.repaint);
        let extra = self.similar_columns(Some(&rows));
        self.export = Some(ExportJob::start(
            path,
            Arc::new(subset),
            Arc::new(xy),
            extra,
            move || {
                repaint();
            },
        ));
    }

    /// Starts writing the current layout (with any projected rows) to `path`.
    pub(super) fn export_layout(&mut self, path: PathBuf) {
        let (Some(dataset), Some(positions)) = (self.dataset.clone(), self.positions().cloned())
        else {
            self.error = Some("nothing to export yet: open a dataset and run a layout".to_owned());
            return;
        };
        if positions.len() != 2 * dataset.n_rows() {
            self.error = Some("the layout is still being prepared; export it once it runs".into());
            return;
        }
        let repaint = Arc::clone(&self.repaint);
        let extra = self.similar_columns(None);
        self.export = Some(ExportJob::start(
            path,
            dataset,
            positions,
            extra,
            move || {
                repaint();
            },
        ));
    }

    /// The "find more like this" columns an export carries: the labels when any row is
    /// labelled, the heat map's scores when computed; over `rows` or all rows.
    fn similar_columns(&self, rows: Option<&[usize]>) -> Vec<(&'static str, ArrayRef)> {
        let labels = self
            .similar
            .label_column(rows)
            .map(|column| (super::similar::LABEL_COLUMN, column));
        let scores = self
            .similar
            .score_column(rows)
            .map(|column| (super::similar::SCORE_COLUMN, column));
        labels.into_iter().chain(scores).collect()
    }

    /// Attaches a trajectory recording to the current run when the settings ask for one.
    pub(super) fn record_trajectory_if_enabled(&mut self) {
        if self.run.is_none() {
            return;
        }
        let settings = &self.trajectory;
        if !settings.enabled {
            return;
        }
        let path = settings.path.trim();
        if path.is_empty() {
            self.error = Some("record trajectory: type the Parquet file to write".to_owned());
            return;
        }
        let labels = self.color_by.as_ref().and_then(|column| {
            self.dataset
                .as_ref()
                .and_then(|d| d.metadata().column_by_name(column).cloned())
        });
        let recording = Arc::new(Mutex::new(TrajectoryRecording::new(
            PathBuf::from(path),
            settings.every,
            labels,
        )));
        self.recording = Some(recording);
        self.install_observer();
    }

    /// Finishes the recording of a run that ended, reporting the outcome.
    pub(super) fn finish_recording(&mut self) {
        let Some(recording) = self.recording.take() else {
            return;
        };
        let outcome = recording
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .finish();
        match outcome {
            Ok(message) => self.notice = Some(message),
            Err(message) => self.error = Some(message),
        }
    }

    /// Takes a finished export's outcome.
    pub(super) fn poll_export(&mut self) {
        if let Some(outcome) = self.export.as_ref().and_then(ExportJob::poll) {
            self.export = None;
            match outcome {
                Ok(message) => self.notice = Some(message),
                Err(message) => self.error = Some(message),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_keeps_every_kth_iteration_and_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trajectory.parquet");
        let mut recording = TrajectoryRecording::new(path.clone(), 2, None);
        for iteration in 1..=6 {
            recording.append(iteration, &[iteration as f32, 0.0, 1.0, 2.0]);
        }
        assert!(!path.exists(), "not before the run ends");
        let message = recording.finish().unwrap();
        assert!(message.contains("3 iterations"), "{message}");
        assert!(path.exists());

        let mut empty = TrajectoryRecording::new(dir.path().join("none.parquet"), 1, None);
        assert!(
            empty.finish().is_err(),
            "a run with no iteration writes nothing"
        );
    }
}
