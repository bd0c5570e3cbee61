//! The timeline: every run's iterations kept in memory (`loupe_core::Timeline`, 16-bit
//! quantised, within a budget the user sets) and replayed under the plot — scrub, play,
//! pause, speed, phase starts marked. A replayed frame *is* the layout while it is shown:
//! `Session::positions` returns it, so hover, click, selection, colours and exports follow.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use loupe_core::{LatestSlot, Timeline};
use loupe_tsne::{IterationObserver, Snapshot};

use super::export::TrajectoryRecording;
use super::session::{Command, Session};

/// Default memory budget of a run's timeline, in MiB.
pub const DEFAULT_BUDGET_MIB: usize = 1024;
/// Default replay speed, frames per second.
const DEFAULT_SPEED: f32 = 30.0;

/// The timeline of the current run, shared with the engine thread that fills it.
pub type SharedTimeline = Arc<Mutex<Option<Timeline>>>;

/// A recorded frame being shown instead of the live layout.
pub struct Replay {
    /// Which kept frame.
    pub index: usize,
    /// Its iteration.
    pub iteration: usize,
    /// Its decoded positions.
    pub positions: Arc<Vec<f32>>,
    /// Advancing by itself.
    pub playing: bool,
    /// Fractional frames owed by the clock.
    owed: f32,
    last_tick: Instant,
}

/// What the session knows about timelines.
pub struct TimelineState {
    /// Memory budget of a run's timeline, MiB (takes effect at the next run).
    pub budget_mib: usize,
    /// Replay speed, frames per second.
    pub speed: f32,
    /// The current run's timeline (empty until its first iteration).
    pub recorded: SharedTimeline,
    /// The frame shown instead of the live layout, if any.
    pub replay: Option<Replay>,
    /// Why the timeline is not recording (a budget too small), shown under the scrubber.
    pub problem: Arc<LatestSlot<String>>,
    /// Whether the first phase is marked yet.
    first_marked: bool,
    /// How many of the run's phase starts are marked.
    starts_marked: usize,
    /// A timeline export in progress: its outcome when done.
    pub export: Option<Arc<LatestSlot<Result<String, String>>>>,
}

impl Default for TimelineState {
    fn default() -> Self {
        Self {
            budget_mib: DEFAULT_BUDGET_MIB,
            speed: DEFAULT_SPEED,
            recorded: Arc::new(Mutex::new(None)),
            replay: None,
            problem: Arc::new(LatestSlot::new()),
            first_marked: false,
            starts_marked: 0,
            export: None,
        }
    }
}

/// Locks a shared timeline (a panicked writer leaves usable data).
pub fn lock(shared: &SharedTimeline) -> std::sync::MutexGuard<'_, Option<Timeline>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Session {
    /// Starts a fresh timeline for the run just adopted and attaches the observer.
    pub(super) fn start_timeline(&mut self) {
        self.stop_replay();
        self.timeline.recorded = Arc::new(Mutex::new(None));
        self.timeline.first_marked = false;
        self.timeline.starts_marked = 0;
        self.timeline.problem = Arc::new(LatestSlot::new());
        self.install_observer();
    }

    /// Attaches one observer to the run that feeds the timeline and, when recording to a
    /// file, the trajectory file: a run has one observer slot.
    pub(super) fn install_observer(&self) {
        let Some(run) = &self.run else {
            return;
        };
        let timeline = Arc::clone(&self.timeline.recorded);
        let problem = Arc::clone(&self.timeline.problem);
        let budget = self.timeline.budget_mib.saturating_mul(1 << 20);
        let recording: Option<Arc<Mutex<TrajectoryRecording>>> = self.recording.clone();
        let mut failed = false;
        let observer: IterationObserver = Box::new(move |iteration, positions| {
            if !failed {
                let mut kept = lock(&timeline);
                if kept.is_none() {
                    match Timeline::new(positions.len() / 2, budget) {
                        Ok(fresh) => *kept = Some(fresh),
                        Err(err) => {
                            problem.publish(format!("timeline off: {err}"));
                            failed = true;
                        }
                    }
                }
                if let Some(kept) = kept.as_mut() {
                    kept.push(iteration, positions);
                }
            }
            if let Some(recording) = &recording {
                recording
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .append(iteration, positions);
            }
        });
        run.observe(Some(observer));
    }

    /// Marks where phases and stages start: the first from the first snapshot, the others
    /// from the run's kept phase-start snapshots (never skipped, unlike the latest-wins
    /// snapshots), each at its first iteration.
    pub(super) fn mark_phases(&mut self, snapshot: &Snapshot) {
        let mut timeline = lock(&self.timeline.recorded);
        let Some(timeline) = timeline.as_mut() else {
            return;
        };
        if !self.timeline.first_marked && !snapshot.phase_name.is_empty() {
            self.timeline.first_marked = true;
            timeline.mark(0, phase_label(snapshot));
        }
        let starts = self
            .run
            .as_ref()
            .map(super::layout_run::LayoutRun::phase_starts)
            .unwrap_or_default();
        for start in starts.iter().skip(self.timeline.starts_marked) {
            // The snapshot comes after the phase's first iteration.
            timeline.mark(start.iteration.saturating_sub(1), phase_label(start));
        }
        self.timeline.starts_marked = starts.len();
    }

    /// Shows the recorded frame at (or just before) `iteration`.
    pub(super) fn replay_at(&mut self, iteration: usize) {
        let found = {
            let guard = lock(&self.timeline.recorded);
            guard.as_ref().and_then(|timeline| {
                let index = timeline.index_at(iteration).unwrap_or(0);
                Some((index, timeline.iteration(index)?, timeline.frame(index)?))
            })
        };
        let Some((index, iteration, positions)) = found else {
            return;
        };
        if positions.len() != 2 * self.n_rows() {
            return;
        }
        let playing = self.timeline.replay.as_ref().is_some_and(|r| r.playing);
        self.timeline.replay = Some(Replay {
            index,
            iteration,
            positions: Arc::new(positions),
            playing,
            owed: 0.0,
            last_tick: Instant::now(),
        });
        self.positions_generation += 1;
    }

    /// Back to the live (or last) layout.
    pub(super) fn stop_replay(&mut self) {
        if self.timeline.replay.take().is_some() {
            self.positions_generation += 1;
        }
    }

    /// Play or pause the replay (play starts from the beginning when not replaying, or when
    /// at the end).
    pub(super) fn play_replay(&mut self, play: bool) {
        let (len, last) = {
            let guard = lock(&self.timeline.recorded);
            let len = guard.as_ref().map_or(0, Timeline::len);
            (
                len,
                guard
                    .as_ref()
                    .and_then(|t| t.iteration(len.checked_sub(1)?)),
            )
        };
        if len == 0 {
            return;
        }
        if play {
            let at_end = self
                .timeline
                .replay
                .as_ref()
                .is_none_or(|r| r.index + 1 >= len);
            if at_end {
                self.replay_at(0);
            }
        } else if self.timeline.replay.is_none()
            && let Some(last) = last
        {
            self.replay_at(last);
        }
        if let Some(replay) = &mut self.timeline.replay {
            replay.playing = play;
            replay.last_tick = Instant::now();
            replay.owed = 0.0;
        }
    }

    /// Advances a playing replay by the clock; stops at the last frame.
    pub(super) fn advance_replay(&mut self) {
        let Some(replay) = &mut self.timeline.replay else {
            return;
        };
        if !replay.playing {
            return;
        }
        let now = Instant::now();
        replay.owed += now.duration_since(replay.last_tick).as_secs_f32() * self.timeline.speed;
        replay.last_tick = now;
        let steps = replay.owed.floor() as usize;
        if steps == 0 {
            return;
        }
        replay.owed -= steps as f32;
        let next = replay.index + steps;
        let target = {
            let guard = lock(&self.timeline.recorded);
            guard.as_ref().map(|t| {
                let last = t.len().saturating_sub(1);
                (next.min(last), next >= last, t.iteration(next.min(last)))
            })
        };
        let Some((_, at_end, Some(iteration))) = target else {
            return;
        };
        self.replay_at(iteration);
        if at_end && let Some(replay) = &mut self.timeline.replay {
            replay.playing = false;
        }
    }

    /// Writes every kept frame of the timeline as a trajectory Parquet (`index`, `x`, `y`,
    /// the colour column as `label`, `epoch`) on a background thread.
    pub(super) fn export_timeline(&mut self, path: PathBuf) {
        let shared = Arc::clone(&self.timeline.recorded);
        let labels = self.color_by.as_ref().and_then(|column| {
            self.dataset
                .as_ref()
                .and_then(|d| d.metadata().column_by_name(column).cloned())
        });
        let slot = Arc::new(LatestSlot::new());
        let result = Arc::clone(&slot);
        let repaint = Arc::clone(&self.repaint);
        let spawned = std::thread::Builder::new()
            .name("loupe-export".to_owned())
            .spawn(move || {
                result.publish(write_timeline(&shared, &path, labels));
                repaint();
            });
        match spawned {
            Ok(_) => self.timeline.export = Some(slot),
            Err(err) => self.error = Some(format!("could not start the export: {err}")),
        }
    }

    /// Takes a finished timeline export's outcome.
    pub(super) fn poll_timeline(&mut self) {
        if let Some(problem) = self.timeline.problem.take() {
            self.error = Some((*problem).clone());
        }
        let Some(outcome) = self.timeline.export.as_ref().and_then(|slot| slot.take()) else {
            return;
        };
        self.timeline.export = None;
        match (*outcome).clone() {
            Ok(message) => self.notice = Some(message),
            Err(message) => self.error = Some(message),
        }
    }
}

/// "embedding (exaggeration 1)", with the stage's name in a multi-stage run.
fn phase_label(snapshot: &Snapshot) -> String {
    if snapshot.stage_count > 1 {
        format!(
            "{}: {} (exaggeration {})",
            snapshot.stage_name, snapshot.phase_name, snapshot.exaggeration
        )
    } else {
        format!(
            "{} (exaggeration {})",
            snapshot.phase_name, snapshot.exaggeration
        )
    }
}

/// Decodes frame after frame (holding the lock for one frame at a time) into the file.
fn write_timeline(
    shared: &SharedTimeline,
    path: &std::path::Path,
    labels: Option<arrow_array::ArrayRef>,
) -> Result<String, String> {
    let fail = |e: loupe_data::DataError| format!("timeline export failed: {e}");
    let (frames, points) = {
        let guard = lock(shared);
        let timeline = guard
            .as_ref()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| "timeline export: nothing recorded yet".to_owned())?;
        (timeline.len(), timeline.points())
    };
    let labels = labels.filter(|l| l.len() == points);
    let mut writer = loupe_data::TrajectoryWriter::create(path, points, labels).map_err(fail)?;
    let mut positions = Vec::new();
    for index in 0..frames {
        let iteration = {
            let guard = lock(shared);
            let Some(timeline) = guard.as_ref() else {
                break;
            };
            // The run may have thinned the frames since: stop at what is there.
            if !timeline.frame_into(index, &mut positions) {
                break;
            }
            timeline.iteration(index).unwrap_or(0)
        };
        let epoch = u32::try_from(iteration).unwrap_or(u32::MAX);
        writer.append(epoch, &positions).map_err(fail)?;
    }
    let written = writer.snapshots();
    writer.finish().map_err(fail)?;
    Ok(format!(
        "timeline: {written} iterations of {points} points written to {}",
        path.display()
    ))
}

/// Height of the scrubber's track, in points.
const TRACK_HEIGHT: f32 = 18.0;

/// The scrubber under the plot: play/pause, Live, the track with phase marks, the frame's
/// iteration, speed and memory.
pub fn timeline_ui(ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
    let (len, first, last, every, bytes, marks) = {
        let guard = lock(&session.timeline.recorded);
        let Some(timeline) = guard.as_ref().filter(|t| !t.is_empty()) else {
            ui.label(
                egui::RichText::new("timeline: every iteration of a run is recorded here")
                    .small()
                    .weak(),
            );
            return;
        };
        (
            timeline.len(),
            timeline.iteration(0).unwrap_or(0),
            timeline.iteration(timeline.len() - 1).unwrap_or(0),
            timeline.every(),
            timeline.bytes(),
            timeline.marks().to_vec(),
        )
    };
    let replay = session.timeline.replay.as_ref();
    let playing = replay.is_some_and(|r| r.playing);
    let shown = replay.map(|r| r.iteration);
    ui.horizontal(|ui| {
        if ui
            .button(if playing { "pause" } else { "play" })
            .on_hover_text("replay the recorded iterations")
            .clicked()
        {
            commands.push(Command::ReplayPlay(!playing));
        }
        if ui
            .add_enabled(shown.is_some(), egui::Button::new("live"))
            .on_hover_text("back to the current layout")
            .clicked()
        {
            commands.push(Command::ReplayLive);
        }
        let width = (ui.available_width() - 330.0).max(120.0);
        if let Some(iteration) = track_ui(ui, width, first, last, shown, &marks) {
            commands.push(Command::ReplayAt(iteration));
        }
        ui.label(match shown {
            Some(iteration) => format!("iteration {iteration} of {first}–{last}"),
            None => format!("live · {len} frames {first}–{last}"),
        });
        let label = ui.label("fps");
        ui.add(egui::DragValue::new(&mut session.timeline.speed).range(1.0..=240.0))
            .labelled_by(label.id);
        ui.label(
            egui::RichText::new(format!(
                "every {every} · {:.0} MiB",
                bytes as f64 / f64::from(1 << 20)
            ))
            .small()
            .weak(),
        )
        .on_hover_text(
            "frames kept in memory, 16-bit quantised per frame; when the budget fills, every \
             other frame is dropped",
        );
    });
}

/// The track: the replayed position as a handle, phase starts as ticks (hover for their
/// names); a click or drag returns the iteration under the pointer.
fn track_ui(
    ui: &mut egui::Ui,
    width: f32,
    first: usize,
    last: usize,
    shown: Option<usize>,
    marks: &[loupe_core::TimelineMark],
) -> Option<usize> {
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(width, TRACK_HEIGHT),
        egui::Sense::click_and_drag(),
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, "timeline"));
    let span = last.saturating_sub(first).max(1) as f32;
    let x_of = |iteration: usize| {
        rect.left() + rect.width() * (iteration.saturating_sub(first) as f32 / span).min(1.0)
    };
    let painter = ui.painter_at(rect.expand(2.0));
    let track = egui::Rect::from_center_size(rect.center(), egui::vec2(rect.width(), 4.0));
    painter.rect_filled(track, 2.0, egui::Color32::from_gray(70));
    let mut hovered_mark = None;
    for mark in marks {
        let x = x_of(mark.iteration);
        painter.line_segment(
            [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
            egui::Stroke::new(2.0, egui::Color32::from_rgb(255, 170, 60)),
        );
        if response.hover_pos().is_some_and(|p| (p.x - x).abs() <= 4.0) {
            hovered_mark = Some(mark);
        }
    }
    let handle = shown.map_or(rect.right(), x_of);
    painter.circle_filled(
        egui::pos2(handle, rect.center().y),
        6.0,
        if shown.is_some() {
            egui::Color32::from_rgb(90, 170, 255)
        } else {
            egui::Color32::from_gray(200)
        },
    );
    let response = match hovered_mark {
        Some(mark) => response.on_hover_text(format!("{}: {}", mark.iteration, mark.label)),
        None => response,
    };
    if (response.clicked() || response.dragged())
        && let Some(pointer) = response.interact_pointer_pos()
    {
        let t = ((pointer.x - rect.left()) / rect.width()).clamp(0.0, 1.0);
        return Some(first + (t * span).round() as usize);
    }
    None
}
