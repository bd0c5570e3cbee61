//! The commands widgets send to the [`Session`] and the one place that applies them, so a
//! click, a key and a headless test take the same path.

use super::clusters::ClusterSpace;
use super::colouring::ColourSource;
use super::filters::Filter;
use super::loader::DataSource;
use super::session::Session;

/// What the UI asks the session to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Load a dataset (replacing the current one).
    Open(DataSource),
    /// Start a new t-SNE run with the current parameters (stopping any running one).
    Start,
    /// Pause the running optimisation.
    Pause,
    /// Resume a paused optimisation.
    Resume,
    /// Stop the run, keeping its last layout.
    Stop,
    /// Colour points by this categorical column, or uniformly.
    ColorBy(Option<String>),
    /// Select a row (shown in the inspector), or clear the selection.
    Select(Option<usize>),
    /// Continue optimising the finished layout through [`Session::refine_phases`].
    Refine,
    /// Load rows from another file and place them into the finished layout (openTSNE's
    /// `transform`), drawn hollow as "projected".
    AddPoints(DataSource),
    /// Drop the projected rows, back to the reference dataset and layout.
    RemoveProjected,
    /// Write the current layout (all columns plus `x`, `y`) to this file: CSV when it ends
    /// in `.csv`, else (Geo)Parquet.
    ExportLayout(std::path::PathBuf),
    /// Apply the trajectory settings now: start recording the running run (from its next
    /// iteration), or stop and save the recording when they are off.
    RecordTrajectory,
    /// Combine rows picked on the plot (lasso or box) into the selection.
    SelectRows(loupe_core::Selection, loupe_core::SelectionMode),
    /// Forget the selection.
    ClearSelection,
    /// Keep the selection under a name.
    KeepSelection(String),
    /// Combine a kept selection into the current one.
    ApplyNamed(String, loupe_core::SelectionMode),
    /// Forget a kept selection.
    ForgetNamed(String),
    /// Hide (true) or show again (false) the points outside the selection.
    Isolate(bool),
    /// k-means with this many clusters; the labels become a column and the colouring.
    KMeans(ClusterSpace, usize),
    /// The elbow curve: k-means inertia for a range of k.
    Elbow(ClusterSpace),
    /// Filter on this column (categorical, numeric or date).
    AddFilter(String),
    /// Drop the filter at this index.
    RemoveFilter(usize),
    /// The filters were edited in place: recompute which rows pass.
    FiltersChanged,
    /// Select the rows of one category of the colour column.
    SelectCategory(usize, loupe_core::SelectionMode),
    /// Hide or show one category of the colour column (through a filter on that column).
    ToggleCategory(usize),
    /// Colour by a numeric column or a structure colouring (computed in the background).
    ColourBySource(ColourSource),
    /// Write the selected rows (with `x`, `y`) to this file (.parquet, .csv, .geojson).
    ExportSelection(std::path::PathBuf),
    /// Lay out the selected rows on their own, in a view of their own.
    RerunOnSelection,
    /// Return to the view a selection was taken from.
    BackToParentView,
    /// Label a row positive, negative or unlabelled (keys P, N, U on the selected point).
    Label(usize, super::similar::Label),
    /// Forget every label.
    ClearLabels,
    /// Rank the unlabelled rows by the chosen strategy and show the best as candidates.
    FindSimilar,
    /// Select the rows whose similarity score is at least this (the heat map's threshold).
    SelectByScore(f32),
    /// Show the recorded frame at (or just before) this iteration instead of the live layout.
    ReplayAt(usize),
    /// Play (true) or pause (false) the replay of the recorded iterations.
    ReplayPlay(bool),
    /// Back from a replayed frame to the live layout.
    ReplayLive,
    /// Write every recorded iteration of the run to this Parquet file.
    ExportTimeline(std::path::PathBuf),
    /// Pin the current layout beside the plot for comparison; with `true`, also start a new
    /// run with the next seed.
    PinForComparison(bool),
    /// Close the pinned plot.
    CloseComparison,
    /// Write the current view (the plot's visible data rectangle, min and max) as a PNG of
    /// the chosen size, rendered offscreen.
    ExportPicture(std::path::PathBuf, [f32; 2], [f32; 2]),
    /// Write the run recorded in the timeline as a film (.mp4 or .gif).
    ExportFilm(std::path::PathBuf),
    /// Run the recall simulator with the settings of its section.
    RunSimulation,
    /// Stop the running simulation.
    CancelSimulation,
    /// Show a `recall.csv` written by `loupe simulate` (or its folder).
    OpenSimulation(std::path::PathBuf),
}

/// What a finished load is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadPurpose {
    /// Replace the dataset.
    Open,
    /// Project the rows into the current layout.
    AddPoints,
}

impl Session {
    /// Applies one command.
    pub fn handle(&mut self, command: Command) {
        match command {
            Command::Open(source) => {
                self.stop_run();
                self.start_load(source, LoadPurpose::Open);
            }
            Command::AddPoints(source) => {
                if self.layout.is_none() || self.is_running() {
                    self.error =
                        Some("adding points needs a finished (or stopped) layout".to_owned());
                } else {
                    self.start_load(source, LoadPurpose::AddPoints);
                }
            }
            Command::Refine => self.refine(),
            Command::RemoveProjected => self.remove_projected(),
            Command::ExportLayout(path) => self.export_layout(path),
            Command::SelectRows(picked, mode) => self.select_rows(&picked, mode),
            Command::ClearSelection => self.clear_selection(),
            Command::KeepSelection(name) => self.keep_selection(&name),
            Command::ApplyNamed(name, mode) => self.apply_named(&name, mode),
            Command::ForgetNamed(name) => {
                self.selection.named.remove(&name);
            }
            Command::Isolate(isolated) => self.set_isolated(isolated),
            Command::KMeans(space, k) => self.start_kmeans(space, k),
            Command::Elbow(space) => self.start_elbow(space),
            Command::AddFilter(column) => {
                match self.dataset.as_ref().and_then(|d| Filter::new(d, &column)) {
                    Some(filter) => self.filters.filters.push(filter),
                    None => {
                        self.error = Some(format!(
                            "{column} cannot be filtered (not a category, number or date)"
                        ));
                    }
                }
                self.refilter();
            }
            Command::RemoveFilter(index) => {
                if index < self.filters.filters.len() {
                    self.filters.filters.remove(index);
                }
                self.refilter();
            }
            Command::FiltersChanged => self.refilter(),
            Command::SelectCategory(code, mode) => self.select_category(code, mode),
            Command::ToggleCategory(code) => self.toggle_category(code),
            Command::ColourBySource(source) => self.colour_by_source(source),
            Command::ExportSelection(path) => self.export_selection(path),
            Command::RerunOnSelection => self.rerun_on_selection(),
            Command::BackToParentView => self.back_to_parent_view(),
            Command::Label(row, label) => self.set_label(row, label),
            Command::ClearLabels => self.clear_labels(),
            Command::FindSimilar => self.find_similar(),
            Command::SelectByScore(threshold) => self.select_by_score(threshold),
            Command::ReplayAt(iteration) => self.replay_at(iteration),
            Command::ReplayPlay(play) => self.play_replay(play),
            Command::ReplayLive => self.stop_replay(),
            Command::ExportTimeline(path) => self.export_timeline(path),
            Command::PinForComparison(reseed) => self.pin_for_comparison(reseed),
            Command::CloseComparison => self.close_comparison(),
            Command::ExportPicture(path, min, max) => self.export_png(path, (min, max)),
            Command::ExportFilm(path) => self.export_video(path),
            Command::RunSimulation => self.run_simulation(),
            Command::CancelSimulation => self.cancel_simulation(),
            Command::OpenSimulation(path) => self.open_simulation(&path),
            Command::RecordTrajectory => {
                if self.trajectory.enabled {
                    if self.recording.is_none() {
                        self.record_trajectory_if_enabled();
                    }
                } else {
                    self.finish_recording();
                    self.install_observer();
                }
            }
            Command::Start => self.start_run(),
            Command::Pause => {
                if let Some(run) = &self.run {
                    run.pause();
                }
            }
            Command::Resume => {
                if let Some(run) = &self.run {
                    run.resume();
                }
            }
            Command::Stop => {
                if let Some(run) = &self.run {
                    run.cancel();
                }
            }
            Command::ColorBy(column) => {
                self.forget_colouring();
                self.set_color_by(column.as_deref());
            }
            Command::Select(row) => {
                self.selected = row.filter(|&r| r < self.n_rows());
            }
        }
    }
}
