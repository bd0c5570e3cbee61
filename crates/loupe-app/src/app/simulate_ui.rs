//! The recall simulator in the app: "which strategy would find my class fastest?" asked of
//! the dataset on screen (a label column and one of its values play the user's intent), run
//! on a worker thread with progress and cancel, or read back from `loupe simulate`'s
//! `recall.csv`; shown as the CLI's plot is drawn — a thin line per run, a thick mean per
//! strategy — with the summary table under it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use loupe_core::LatestSlot;
use loupe_similar::{Experiment, ExperimentParams, NormalisedVectors, Strategy};

use super::session::{Command, Session};

/// Strategy names offered, in the order `loupe simulate` lists them.
const STRATEGIES: [&str; 5] = ["mean", "max", "voted", "contrastive", "probe"];

/// A simulation being computed.
struct SimulationJob {
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    result: Arc<LatestSlot<Result<Experiment, String>>>,
}

impl Drop for SimulationJob {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The simulator's settings and its last result.
pub struct SimulationState {
    /// The label column that says what the user is looking for.
    pub column: String,
    /// The value of that column the user wants more of.
    pub positive: String,
    /// Which strategies run (in [`STRATEGIES`] order).
    pub strategies: [bool; 5],
    /// Simulated users per strategy.
    pub runs: usize,
    /// True positives and negatives labelled before the first ranking.
    pub start: [usize; 2],
    /// Candidates judged per iteration.
    pub per_iteration: usize,
    /// The recall the summary counts iterations to.
    pub target_recall: f64,
    /// A `recall.csv` (or its folder) to show instead of running.
    pub open_path: String,
    /// The experiment shown.
    pub result: Option<Arc<Experiment>>,
    /// Whether the plot window is open.
    pub show_plot: bool,
    job: Option<SimulationJob>,
}

impl Default for SimulationState {
    fn default() -> Self {
        Self {
            column: String::new(),
            positive: String::new(),
            strategies: [true; 5],
            runs: 5,
            start: [3, 3],
            per_iteration: 25,
            target_recall: 0.95,
            open_path: String::new(),
            result: None,
            show_plot: false,
            job: None,
        }
    }
}

impl SimulationState {
    /// Fraction done of the running simulation, if one runs.
    pub fn progress(&self) -> Option<f32> {
        self.job
            .as_ref()
            .map(|job| f32::from_bits(job.progress.load(Ordering::Relaxed)))
    }

    fn params(&self, seed: u64) -> Result<ExperimentParams, String> {
        let strategies: Vec<(String, Strategy)> = STRATEGIES
            .iter()
            .zip(self.strategies)
            .filter(|&(_, on)| on)
            .map(|(name, _)| {
                name.parse::<Strategy>()
                    .map(|s| ((*name).to_owned(), s))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        if strategies.is_empty() {
            return Err("simulate: tick at least one strategy".to_owned());
        }
        let params = ExperimentParams {
            strategies,
            runs: self.runs,
            start_pos: self.start[0],
            start_neg: self.start[1],
            per_iteration: self.per_iteration,
            max_iterations: 1,
            target_recall: self.target_recall,
            label_noise: 0.0,
            seed,
        };
        params.validate().map_err(|e| format!("simulate: {e}"))?;
        Ok(params)
    }
}

impl Session {
    /// Runs the simulator on the dataset shown, on a worker thread.
    pub(super) fn run_simulation(&mut self) {
        let Some(dataset) = self.dataset.clone() else {
            self.error = Some("simulate: open a dataset first".to_owned());
            return;
        };
        let state = &mut self.simulation;
        let mut params = match state.params(self.params.seed) {
            Ok(params) => params,
            Err(message) => {
                self.error = Some(message);
                return;
            }
        };
        let truth = match crate::simulate::truth_column(&dataset, &state.column, &state.positive) {
            Ok(truth) => truth,
            Err(err) => {
                self.error = Some(format!("simulate: {err:#}"));
                return;
            }
        };
        let progress = Arc::new(AtomicU32::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let result = Arc::new(LatestSlot::new());
        let (job_progress, job_cancel, slot) = (
            Arc::clone(&progress),
            Arc::clone(&cancel),
            Arc::clone(&result),
        );
        let repaint = Arc::clone(&self.repaint);
        let spawned = std::thread::Builder::new()
            .name("loupe-simulate".to_owned())
            .spawn(move || {
                let outcome = NormalisedVectors::new(dataset.vectors(), dataset.dim())
                    .map_err(|e| e.to_string())
                    .and_then(|vectors| {
                        let truth: Vec<bool> = truth
                            .iter()
                            .enumerate()
                            .map(|(r, &t)| t && vectors.is_defined(r))
                            .collect();
                        let positives = truth.iter().filter(|&&t| t).count();
                        let defined = vectors.defined_count();
                        if positives == 0 || positives == defined {
                            return Err(
                                "simulate: the value must be held by some rows with a vector, \
                                 not all of them"
                                    .to_owned(),
                            );
                        }
                        params.max_iterations = params.suggested_max_iterations(positives, defined);
                        loupe_similar::run_experiment(
                            &vectors,
                            &truth,
                            &params,
                            &mut |done, total| {
                                let fraction = done as f32 / total.max(1) as f32;
                                job_progress.store(fraction.to_bits(), Ordering::Relaxed);
                                !job_cancel.load(Ordering::Relaxed)
                            },
                        )
                        .map_err(|e| format!("simulate: {e}"))
                    });
                slot.publish(outcome);
                repaint();
            });
        match spawned {
            Ok(_) => {
                state.job = Some(SimulationJob {
                    progress,
                    cancel,
                    result,
                });
            }
            Err(err) => self.error = Some(format!("could not start the simulation: {err}")),
        }
    }

    /// Stops the running simulation.
    pub(super) fn cancel_simulation(&mut self) {
        self.simulation.job = None;
    }

    /// Shows a `recall.csv` written by `loupe simulate` (or the folder holding it).
    pub(super) fn open_simulation(&mut self, path: &std::path::Path) {
        match crate::simulate::read_recall_csv(path) {
            Ok(experiment) => {
                self.simulation.result = Some(Arc::new(experiment));
                self.simulation.show_plot = true;
            }
            Err(err) => self.error = Some(format!("{err:#}")),
        }
    }

    /// Takes a finished simulation.
    pub(super) fn poll_simulation(&mut self) {
        let Some(done) = self
            .simulation
            .job
            .as_ref()
            .and_then(|job| job.result.take())
        else {
            return;
        };
        self.simulation.job = None;
        match Arc::try_unwrap(done) {
            Ok(Ok(experiment)) => {
                self.simulation.result = Some(Arc::new(experiment));
                self.simulation.show_plot = true;
            }
            Ok(Err(message)) => {
                if !message.contains("cancel") {
                    self.error = Some(message);
                }
            }
            Err(_) => {}
        }
    }
}

/// The settings, Run / Cancel, and the path of a CLI result to open.
pub fn simulation_ui(ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
    let columns = session
        .dataset
        .as_ref()
        .map(|d| d.categorical_columns())
        .unwrap_or_default();
    let state = &mut session.simulation;
    if state.column.is_empty()
        && let Some(first) = columns.first()
    {
        state.column.clone_from(first);
    }
    egui::CollapsingHeader::new("Simulate: which strategy finds a class fastest?")
        .default_open(false)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("class column");
                egui::ComboBox::from_id_salt("simulate_column")
                    .selected_text(state.column.as_str())
                    .show_ui(ui, |ui| {
                        for column in &columns {
                            ui.selectable_value(&mut state.column, column.clone(), column);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                let label = ui.label("value");
                ui.add(egui::TextEdit::singleline(&mut state.positive).desired_width(60.0))
                    .labelled_by(label.id);
            });
            ui.horizontal_wrapped(|ui| {
                for (name, on) in STRATEGIES.iter().zip(state.strategies.iter_mut()) {
                    ui.checkbox(on, *name);
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label("runs");
                ui.add(egui::DragValue::new(&mut state.runs).range(1..=100))
                    .labelled_by(label.id);
                let label = ui.label("per iteration");
                ui.add(egui::DragValue::new(&mut state.per_iteration).range(1..=1000))
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                let label = ui.label("start +/-");
                ui.add(egui::DragValue::new(&mut state.start[0]).range(1..=1000))
                    .labelled_by(label.id);
                ui.add(egui::DragValue::new(&mut state.start[1]).range(0..=1000))
                    .labelled_by(label.id);
                let label = ui.label("target");
                ui.add(
                    egui::DragValue::new(&mut state.target_recall)
                        .range(0.01..=1.0)
                        .speed(0.01),
                )
                .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                if let Some(fraction) = state.progress() {
                    ui.add(egui::ProgressBar::new(fraction).desired_width(160.0));
                    if ui.button("Cancel").clicked() {
                        commands.push(Command::CancelSimulation);
                    }
                } else if ui
                    .add_enabled(
                        !state.positive.trim().is_empty(),
                        egui::Button::new("Run simulation"),
                    )
                    .on_hover_text(
                        "a simulated user starts from a few rows of this value and labels the \
                         candidates truthfully; recall after every iteration",
                    )
                    .clicked()
                {
                    commands.push(Command::RunSimulation);
                }
                if state.result.is_some() && ui.button("Show plot").clicked() {
                    state.show_plot = true;
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label("or open");
                ui.add(
                    egui::TextEdit::singleline(&mut state.open_path)
                        .hint_text("recall.csv of loupe simulate")
                        .desired_width(150.0),
                )
                .labelled_by(label.id);
                let path = state.open_path.trim().to_owned();
                if ui
                    .add_enabled(!path.is_empty(), egui::Button::new("Open"))
                    .clicked()
                {
                    commands.push(Command::OpenSimulation(path.into()));
                }
            });
        });
}

/// The plot window: recall against iteration, the summary table under it.
pub fn simulation_window(ctx: &egui::Context, session: &mut Session) {
    let state = &mut session.simulation;
    let Some(experiment) = state.result.clone() else {
        return;
    };
    let mut open = state.show_plot;
    egui::Window::new("Recall per iteration")
        .open(&mut open)
        .default_size([640.0, 520.0])
        .show(ctx, |ui| {
            ui.label(format!(
                "{} positives among {} rows · {} runs · {} labels per iteration",
                experiment.positives,
                experiment.rows,
                experiment.params.runs,
                experiment.params.per_iteration
            ));
            recall_plot_ui(ui, &experiment);
            summary_ui(ui, &experiment);
        });
    state.show_plot = open;
}

fn recall_plot_ui(ui: &mut egui::Ui, experiment: &Experiment) {
    let target = experiment.params.target_recall;
    egui_plot::Plot::new("recall_plot")
        .height(340.0)
        .x_axis_label("iteration")
        .y_axis_label("recall")
        .include_y(0.0)
        .include_y(1.0)
        .legend(egui_plot::Legend::default())
        .show(ui, |plot| {
            for (index, (name, _)) in experiment.params.strategies.iter().enumerate() {
                let [r, g, b] = crate::simulate::plot::strategy_colour(index);
                let faint = egui::Color32::from_rgba_unmultiplied(r, g, b, 60);
                for curve in experiment.curves.iter().filter(|c| &c.strategy == name) {
                    let points: Vec<[f64; 2]> = curve
                        .recall
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| [i as f64, v])
                        .collect();
                    // Same name as the mean: one legend entry per strategy hides or shows
                    // its runs with it.
                    plot.line(
                        egui_plot::Line::new(name.clone(), points)
                            .color(faint)
                            .width(1.0)
                            .allow_hover(false),
                    );
                }
                let mean: Vec<[f64; 2]> = experiment
                    .mean_curve(name)
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| [i as f64, v])
                    .collect();
                plot.line(
                    egui_plot::Line::new(name.clone(), mean)
                        .color(egui::Color32::from_rgb(r, g, b))
                        .width(3.0),
                );
            }
            plot.hline(
                egui_plot::HLine::new(format!("target {target}"), target)
                    .color(egui::Color32::from_gray(150)),
            );
        });
}

fn summary_ui(ui: &mut egui::Ui, experiment: &Experiment) {
    egui::Grid::new("simulation_summary")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            for heading in ["strategy", "reached", "median it.", "range", "final recall"] {
                ui.label(egui::RichText::new(heading).strong());
            }
            ui.end_row();
            for row in experiment.summary() {
                ui.label(&row.strategy);
                ui.label(format!("{}/{}", row.reached, row.runs));
                ui.label(
                    row.median_iterations
                        .map_or("–".to_owned(), |m| format!("{m:.0}")),
                );
                ui.label(match (row.min_iterations, row.max_iterations) {
                    (Some(lo), Some(hi)) => format!("{lo}–{hi}"),
                    _ => "–".to_owned(),
                });
                ui.label(format!("{:.3}", row.mean_final_recall));
                ui.end_row();
            }
        });
}
