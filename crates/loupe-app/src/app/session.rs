//! The app's state and logic, separate from the widgets that draw it.
//!
//! Everything that changes state goes through [`Session::handle`] with a [`Command`], so a click,
//! a key and a headless test take the same path.

use std::sync::Arc;
use std::time::Instant;

use loupe_core::{Categories, Dataset};
use loupe_tsne::{FinishedLayout, RunStatus, Snapshot};

use super::clusters::ClusterState;
use super::colouring::ColouringState;
use super::continuation::Projection;
use super::export::{ExportJob, TrajectoryRecording, TrajectorySettings};
use super::filters::FilterState;
use super::layout_run::LayoutRun;
use super::loader::{DataSource, LoadJob};
use super::palette;
use super::picker::Picker;
use super::selection::SelectionState;
use super::similar::SimilarState;
use super::timeline::TimelineState;
use super::views::SavedView;
use crate::cli::{MethodArg, PhaseList, PhaseRow, TsneArgs, UmapArgs};

pub use super::command::{Command, LoadPurpose};

/// Per-category label drawn at the median position of its points.
#[derive(Debug, Clone)]
pub struct ClassLabel {
    /// Category name.
    pub name: String,
    /// Median x and y of the category's points, in data units.
    pub position: [f32; 2],
    /// The category's colour.
    pub rgb: [u8; 3],
}

/// Everything the app knows, minus widget state.
pub struct Session {
    /// The loaded dataset.
    pub dataset: Option<Arc<Dataset>>,
    /// A load in progress.
    pub loading: Option<LoadJob>,
    /// The last error to show the user (load failures, parameter errors).
    pub error: Option<String>,
    /// The layout method Start runs.
    pub method: MethodArg,
    /// t-SNE parameters as edited in the side panel (metric, seed and PCA also for UMAP).
    pub params: TsneArgs,
    /// UMAP parameters as edited in the side panel.
    pub umap: UmapArgs,
    /// The current (or last) run.
    pub run: Option<LayoutRun>,
    /// What made the layout shown ("UMAP, seed 0, 15 neighbours"), for titles.
    pub run_description: String,
    /// The newest snapshot taken from the run.
    pub snapshot: Option<Arc<Snapshot>>,
    /// Bumped for every new layout seen, across runs and datasets, so the renderer and the
    /// picker know when positions changed.
    pub positions_generation: u64,
    /// The column points are coloured by.
    pub color_by: Option<String>,
    /// The decoded colour column.
    pub categories: Option<Categories>,
    /// Packed colours for the renderer.
    pub colors: Arc<Vec<u32>>,
    /// Bumped whenever `colors` changes.
    pub colors_generation: u64,
    /// Class names at their median positions, for the current layout.
    pub class_labels: Vec<ClassLabel>,
    /// The selected row.
    pub selected: Option<usize>,
    /// The hovered row.
    pub hovered: Option<usize>,
    /// Builds the picking index off the UI thread.
    pub picker: Option<Picker>,
    /// Start t-SNE as soon as a dataset has loaded.
    pub autostart: bool,
    /// Which points a multi-stage run has placed so far (`None`: all of them).
    pub placed: Option<Arc<Vec<bool>>>,
    /// What the load in progress is for.
    pub load_purpose: LoadPurpose,
    /// The last finished (or stopped) layout of the reference rows: what Refine continues
    /// and what added points are placed against.
    pub layout: Option<FinishedLayout>,
    /// Rows added to the layout from another file, when there are any.
    pub projection: Option<Projection>,
    /// The schedule Refine runs.
    pub refine_phases: PhaseList,
    /// A file path typed in the side panel (where no file dialog can be shown).
    pub path_text: String,
    /// What the last file or folder load found (files failed, warnings, cache).
    pub load_report: Option<loupe_ingest::LoadReport>,
    /// Where loads cache their result (tests point it at a temporary folder).
    pub cache_policy: loupe_ingest::CachePolicy,
    /// How files opened or added from the app are read (the command line's flags, then the
    /// side panel's "Reading" section).
    pub read_options: loupe_data::ReadOptions,
    /// The selected rows, kept selections, isolation.
    pub selection: SelectionState,
    /// k-means jobs and results.
    pub clusters: ClusterState,
    /// Active filters and the rows passing them.
    pub filters: FilterState,
    /// Numeric and structure colourings.
    pub colouring: ColouringState,
    /// Positive/negative labels, candidates and the similarity heat map.
    pub similar: SimilarState,
    /// The current run's recorded iterations and their replay.
    pub timeline: TimelineState,
    /// Pictures and films of the layout: settings and the export running.
    pub video: super::video_export::VideoState,
    /// The recall simulator's settings and result.
    pub simulation: super::simulate_ui::SimulationState,
    /// A layout pinned beside the live one for comparison.
    pub comparison: Option<super::compare::Comparison>,
    /// Views left for a re-run on a selection, innermost last.
    pub views: Vec<SavedView>,
    /// Where "Export layout" writes.
    pub export_path: String,
    /// The last success worth telling (an export written), shown until the next one.
    pub notice: Option<String>,
    /// A layout export in progress.
    pub export: Option<ExportJob>,
    /// Whether (and where) runs record their trajectory.
    pub trajectory: TrajectorySettings,
    /// The recording of the current run's trajectory.
    pub(super) recording: Option<Arc<std::sync::Mutex<TrajectoryRecording>>>,
    pub(super) labels_generation: u64,
    pub(super) repaint: Arc<dyn Fn() + Send + Sync>,
    frame_times: FrameTimes,
}

impl Session {
    /// A session that calls `repaint` whenever a background thread has news.
    pub fn new(repaint: Arc<dyn Fn() + Send + Sync>, autostart: bool) -> Self {
        let picker_repaint = Arc::clone(&repaint);
        let picker = match Picker::new(move || picker_repaint()) {
            Ok(picker) => Some(picker),
            Err(err) => {
                log::error!("could not start the picking thread: {err}");
                None
            }
        };
        Self {
            dataset: None,
            loading: None,
            error: None,
            method: MethodArg::default(),
            params: TsneArgs::default(),
            umap: UmapArgs::default(),
            run: None,
            run_description: String::new(),
            snapshot: None,
            positions_generation: 0,
            color_by: None,
            categories: None,
            colors: Arc::new(Vec::new()),
            colors_generation: 0,
            class_labels: Vec::new(),
            selected: None,
            hovered: None,
            picker,
            autostart,
            placed: None,
            load_purpose: LoadPurpose::Open,
            layout: None,
            projection: None,
            refine_phases: PhaseList(vec![PhaseRow {
                n_iter: 250,
                exaggeration: 1.0,
                momentum: 0.8,
            }]),
            path_text: String::new(),
            load_report: None,
            cache_policy: loupe_ingest::CachePolicy::default(),
            read_options: loupe_data::ReadOptions::default(),
            selection: SelectionState::default(),
            clusters: ClusterState::default(),
            filters: FilterState::default(),
            colouring: ColouringState::default(),
            similar: SimilarState::default(),
            timeline: TimelineState::default(),
            comparison: None,
            simulation: super::simulate_ui::SimulationState::default(),
            video: super::video_export::VideoState::default(),
            views: Vec::new(),
            export_path: String::new(),
            notice: None,
            export: None,
            trajectory: TrajectorySettings::default(),
            recording: None,
            labels_generation: u64::MAX,
            repaint,
            frame_times: FrameTimes::default(),
        }
    }

    /// Once per frame, before any UI: takes finished loads, new snapshots and pick indices.
    pub fn poll(&mut self) {
        self.frame_times.tick();
        if let Some(job) = &self.loading
            && let Some(result) = job.poll()
        {
            let source = job.source.describe();
            self.loading = None;
            match (result, self.load_purpose) {
                (Ok(loaded), LoadPurpose::Open) => {
                    self.set_dataset(loaded.dataset);
                    self.load_report = loaded.report;
                }
                (Ok(loaded), LoadPurpose::AddPoints) => self.add_points(&loaded.dataset),
                (Err(message), _) => {
                    self.error = Some(format!("could not open {source}: {message}"));
                }
            }
        }
        if let Some(snapshot) = self.run.as_ref().and_then(LayoutRun::latest) {
            self.accept_snapshot(snapshot);
        }
        self.harvest_finished_run();
        self.poll_export();
        self.poll_clusters();
        self.poll_colouring();
        self.poll_similar();
        self.poll_timeline();
        self.poll_simulation();
        self.poll_video();
        self.advance_replay();
        if let Some(positions) = self.positions().cloned() {
            let generation = self.positions_generation;
            if let Some(picker) = &mut self.picker {
                picker.offer(generation, &positions);
            }
            if self.labels_generation != generation {
                self.labels_generation = generation;
                self.class_labels = self.class_labels_for(&positions);
                if let Some(comparison) = &self.comparison {
                    let pinned = self.class_labels_for(&comparison.positions);
                    if let Some(comparison) = &mut self.comparison {
                        comparison.class_labels = pinned;
                    }
                }
            }
        }
    }

    /// Takes a snapshot the run published, unless it is the one already shown.
    pub(super) fn accept_snapshot(&mut self, snapshot: Arc<Snapshot>) {
        if self
            .snapshot
            .as_ref()
            .is_some_and(|old| Arc::ptr_eq(old, &snapshot))
        {
            return;
        }
        if let RunStatus::Failed(message) = &snapshot.status {
            let method = self
                .run
                .as_ref()
                .map_or("the layout", |r| r.method().name());
            self.error = Some(format!("{method} failed: {message}"));
        }
        self.mark_phases(&snapshot);
        // A replayed frame stays on screen while the run goes on.
        if !snapshot.positions.is_empty() && self.timeline.replay.is_none() {
            self.positions_generation += 1;
        }
        let placed_changed = match (&self.placed, &snapshot.placed) {
            (None, None) => false,
            (Some(old), Some(new)) => !Arc::ptr_eq(old, new),
            _ => true,
        };
        if placed_changed {
            self.placed.clone_from(&snapshot.placed);
            self.refresh_colors();
        }
        self.snapshot = Some(snapshot);
    }

    /// The current layout (interleaved x, y), when one exists for this dataset. While added
    /// points are being searched for, it holds the reference rows only (drawn alone).
    pub fn positions(&self) -> Option<&Arc<Vec<f32>>> {
        if let Some(replay) = &self.timeline.replay
            && replay.positions.len() == 2 * self.n_rows()
        {
            return Some(&replay.positions);
        }
        let snapshot = self.snapshot.as_ref()?;
        let len = snapshot.positions.len();
        let reference_only = self
            .projection
            .as_ref()
            .is_some_and(|p| len == 2 * p.n_reference);
        (len > 0 && (len == 2 * self.n_rows() || reference_only)).then_some(&snapshot.positions)
    }

    /// The first projected row, when rows were added to the layout.
    pub fn hollow_from(&self) -> Option<u32> {
        self.projection
            .as_ref()
            .and_then(|p| u32::try_from(p.n_reference).ok())
    }

    /// Rows in the loaded dataset (0 without one).
    pub fn n_rows(&self) -> usize {
        self.dataset.as_ref().map_or(0, |d| d.n_rows())
    }

    /// Frames per second of the UI, averaged over the last second.
    pub fn fps(&self) -> f64 {
        self.frame_times.fps()
    }

    /// Whether a run exists and has not ended.
    pub fn is_running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| !r.is_finished())
    }

    /// The nearest point to a data-space position within `radius` data units.
    pub fn pick(&mut self, x: f32, y: f32, radius: f32) -> Option<usize> {
        let n_rows = self.n_rows();
        let built = self.picker.as_mut()?.index()?;
        let (row, dist2) = built.index.nearest(x, y)?;
        (row < n_rows && dist2 <= radius * radius).then_some(row)
    }

    /// Which layout generation the current pick index was built from.
    pub fn pick_index_generation(&mut self) -> Option<u64> {
        Some(self.picker.as_mut()?.index()?.generation)
    }

    pub(super) fn start_load(&mut self, source: DataSource, purpose: LoadPurpose) {
        let repaint = Arc::clone(&self.repaint);
        self.loading = Some(LoadJob::start(
            source,
            self.cache_policy.clone(),
            move || repaint(),
        ));
        self.load_purpose = purpose;
        self.error = None;
    }

    fn set_dataset(&mut self, dataset: Dataset) {
        self.views.clear();
        self.load_report = None;
        self.show_dataset(Arc::new(dataset));
        if self.autostart {
            self.start_run();
        }
    }

    /// Shows `dataset` from scratch (no layout, selection, filter or colouring), without
    /// starting a run.
    pub(super) fn show_dataset(&mut self, dataset: Arc<Dataset>) {
        self.stop_run();
        self.stop_replay();
        self.comparison = None;
        self.timeline.recorded = Arc::new(std::sync::Mutex::new(None));
        self.layout = None;
        self.projection = None;
        self.snapshot = None;
        self.placed = None;
        self.selected = None;
        self.hovered = None;
        self.positions_generation += 1;
        if let Some(picker) = &mut self.picker {
            picker.clear(self.positions_generation + 1);
        }
        let color_by = dataset.categorical_columns().into_iter().next();
        self.dataset = Some(dataset);
        self.selection.current = None;
        self.selection.isolated = false;
        self.filters = FilterState::default();
        self.forget_colouring();
        self.clusters.exemplars.clear();
        self.clusters.elbow = None;
        self.similar_follow_dataset();
        self.set_color_by(color_by.as_deref());
    }

    /// Shows `dataset` in place of the current one without resetting the view: for the same
    /// rows with projected rows added or removed.
    pub(super) fn swap_dataset(&mut self, dataset: Arc<Dataset>) {
        self.stop_replay();
        self.hovered = None;
        self.selected = self.selected.filter(|&r| r < dataset.n_rows());
        self.positions_generation += 1;
        if let Some(picker) = &mut self.picker {
            picker.clear(self.positions_generation + 1);
        }
        let color_by = self.color_by.clone();
        self.dataset = Some(dataset);
        self.forget_selection_if_rows_changed();
        self.forget_comparison_if_rows_changed();
        self.similar_follow_dataset();
        self.set_color_by(color_by.as_deref());
    }

    /// Starts `run` as the current run, or shows why it could not start.
    pub(super) fn adopt_run<R: Into<LayoutRun>, E: std::fmt::Display>(
        &mut self,
        spawned: Result<R, E>,
    ) {
        match spawned {
            Ok(run) => {
                self.error = None;
                self.finish_recording();
                self.run = Some(run.into());
                self.start_timeline();
                self.record_trajectory_if_enabled();
            }
            Err(err) => self.error = Some(format!("could not start the run: {err}")),
        }
    }

    /// The callback a run calls after each snapshot.
    pub(super) fn on_update(&self) -> Box<dyn Fn() + Send + Sync> {
        let repaint = Arc::clone(&self.repaint);
        Box::new(move || repaint())
    }

    pub(super) fn set_color_by(&mut self, column: Option<&str>) {
        let Some(dataset) = &self.dataset else {
            return;
        };
        self.categories = column.and_then(|c| {
            dataset
                .categories(c)
                .or_else(|| super::clusters::cluster_column_categories(dataset, c))
        });
        self.color_by = self.categories.as_ref().map(|c| c.column.clone());
        self.refresh_colors();
        self.labels_generation = u64::MAX;
    }

    /// Rebuilds the per-point colours: the colour column, with points that a multi-stage run
    /// has not placed yet dimmed.
    pub(super) fn refresh_colors(&mut self) {
        let mut colors = match &self.colouring.painted {
            Some(painted) if painted.colours.len() == self.n_rows() => painted.colours.clone(),
            _ => palette::point_colors(
                self.categories.as_ref().map(|c| c.codes.as_slice()),
                self.n_rows(),
            ),
        };
        if let Some(placed) = &self.placed
            && placed.len() == colors.len()
        {
            for (color, &placed) in colors.iter_mut().zip(placed.iter()) {
                if !placed {
                    *color = palette::dimmed(*color);
                }
            }
        }
        self.apply_selection_to_colors(&mut colors);
        self.colors = Arc::new(colors);
        self.colors_generation += 1;
    }

    pub(super) fn start_run(&mut self) {
        self.stop_run();
        let Some(dataset) = &self.dataset else {
            self.error = Some("open a dataset first".to_owned());
            return;
        };
        self.run_description = self.describe_method();
        if self.method == MethodArg::Umap {
            let params =
                match self
                    .umap
                    .to_valid_params(&self.params, dataset.dim(), dataset.n_rows())
                {
                    Ok(params) => params,
                    Err(err) => {
                        self.error = Some(format!("{err:#}"));
                        return;
                    }
                };
            let spawned = loupe_umap::spawn_run(
                dataset.vector_buffer(),
                dataset.dim(),
                params,
                self.on_update(),
            );
            self.layout = None;
            self.projection = None;
            self.adopt_run(spawned);
            return;
        }
        let checked = self
            .params
            .to_recipe(dataset.dim(), dataset.n_rows())
            .and_then(|recipe| {
                let params = self
                    .params
                    .to_valid_params(dataset.dim(), dataset.n_rows())?;
                Ok((recipe, params))
            });
        let (recipe, params) = match checked {
            Ok(checked) => checked,
            Err(err) => {
                self.error = Some(format!("invalid t-SNE parameters: {err:#}"));
                return;
            }
        };
        let on_update = self.on_update();
        let spawned = match recipe {
            Some(recipe) => loupe_tsne::spawn_recipe_run(
                dataset.vector_buffer(),
                dataset.dim(),
                recipe,
                on_update,
            ),
            None => {
                loupe_tsne::spawn_run(dataset.vector_buffer(), dataset.dim(), params, on_update)
            }
        };
        self.layout = None;
        self.projection = None;
        self.adopt_run(spawned);
    }

    /// The method and its main parameters, as a title says them.
    pub(super) fn describe_method(&self) -> String {
        match self.method {
            MethodArg::Tsne => format!(
                "t-SNE, seed {}, perplexity {}",
                self.params.seed, self.params.perplexity
            ),
            MethodArg::Umap => format!(
                "UMAP, seed {}, {} neighbours, min dist {}",
                self.params.seed, self.umap.n_neighbors, self.umap.min_dist
            ),
        }
    }

    pub(super) fn stop_run(&mut self) {
        if let Some(run) = self.run.take() {
            run.cancel();
            // The engine notices cancellation within one iteration; joining keeps two runs
            // from competing for the cores.
            if let Err(err) = run.join_layout() {
                log::warn!("the run ended with an error: {err}");
            }
            self.finish_recording();
        }
    }

    pub(super) fn class_labels_for(&self, positions: &[f32]) -> Vec<ClassLabel> {
        let Some(categories) = &self.categories else {
            return Vec::new();
        };
        let mut xs: Vec<Vec<f32>> = vec![Vec::new(); categories.names.len()];
        let mut ys: Vec<Vec<f32>> = vec![Vec::new(); categories.names.len()];
        // Rows without a position yet (projected rows still being searched) are left out.
        for (row, code) in categories
            .codes
            .iter()
            .enumerate()
            .take(positions.len() / 2)
        {
            if let Some(code) = code {
                xs[*code as usize].push(positions[2 * row]);
                ys[*code as usize].push(positions[2 * row + 1]);
            }
        }
        categories
            .names
            .iter()
            .zip(xs.iter_mut().zip(ys.iter_mut()))
            .enumerate()
            .filter_map(|(code, (name, (x, y)))| {
                Some(ClassLabel {
                    name: name.clone(),
                    position: [median(x)?, median(y)?],
                    rgb: palette::category_rgb(code),
                })
            })
            .collect()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop_run();
    }
}

/// Median by selection, O(n); `None` for an empty slice.
fn median(values: &mut [f32]) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    Some(*m)
}

/// Frame timestamps of the last second, for the fps readout.
#[derive(Default)]
struct FrameTimes {
    times: std::collections::VecDeque<Instant>,
}

impl FrameTimes {
    fn tick(&mut self) {
        let now = Instant::now();
        self.times.push_back(now);
        while self
            .times
            .front()
            .is_some_and(|t| now.duration_since(*t).as_secs_f64() > 1.0)
        {
            self.times.pop_front();
        }
    }

    fn fps(&self) -> f64 {
        match (self.times.front(), self.times.back()) {
            (Some(first), Some(last)) if self.times.len() > 1 => {
                (self.times.len() - 1) as f64 / last.duration_since(*first).as_secs_f64().max(1e-6)
            }
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(3.0));
        assert_eq!(median(&mut []), None);
    }
}
