//! The "Find more like this" panel: label the clicked point (P / N / U), pick a strategy,
//! rank, judge the candidates one key each (their chips or pictures beside their scores),
//! and turn the similarity heat map's threshold into a selection. Also the plot markers of
//! labelled points and candidates.

use std::collections::HashMap;
use std::sync::Arc;

use loupe_core::Dataset;

use super::chip_thumbnails::ChipThumbnails;
use super::colouring::ColourSource;
use super::inspector::Inspector;
use super::session::{Command, Session};
use super::similar::{Label, StrategyChoice};
use super::vector_view::{VectorView, grey_picture};
use crate::imagery::ImagerySettings;

/// Edge of a candidate's picture, in points.
const THUMB: f32 = 40.0;
/// Most label markers drawn per frame (the rest are still labelled, and counted).
const MAX_MARKERS: usize = 20_000;
/// Colour of a positive's marker (a ring).
const POSITIVE: egui::Color32 = egui::Color32::from_rgb(60, 220, 90);
/// Colour of a negative's marker (a cross).
const NEGATIVE: egui::Color32 = egui::Color32::from_rgb(240, 70, 60);
/// Colour of a candidate's marker (a square).
const CANDIDATE: egui::Color32 = egui::Color32::from_rgb(80, 210, 255);

/// Pictures of the candidates: chips for geo rows, vector pictures for image vectors.
#[derive(Default)]
pub struct CandidateView {
    chips: ChipThumbnails,
    pictures: HashMap<usize, egui::TextureHandle>,
    pictures_of: Option<(*const Dataset, [usize; 2])>,
}

impl CandidateView {
    /// Once per frame: fetches the candidates' chips (geo data only).
    pub fn poll(
        &mut self,
        ctx: &egui::Context,
        session: &Session,
        settings: &ImagerySettings,
        repaint: &Arc<dyn Fn() + Send + Sync>,
    ) {
        let rows = session.similar.candidates.iter().map(|c| c.row).collect();
        self.chips
            .poll_rows(ctx, session.dataset.as_ref(), rows, settings, repaint);
    }

    /// A candidate's picture: its chip when it has one, else its vector as an image when
    /// vectors are images; nothing otherwise.
    fn picture_ui(
        &mut self,
        ui: &mut egui::Ui,
        dataset: &Arc<Dataset>,
        row: usize,
        view: VectorView,
        geo: bool,
    ) {
        if geo {
            self.chips.thumb_ui(ui, row, THUMB);
            return;
        }
        let VectorView::Image(shape) = view else {
            return;
        };
        let key = (Arc::as_ptr(dataset), shape);
        if self.pictures_of != Some(key) {
            self.pictures.clear();
            self.pictures_of = Some(key);
        }
        let texture = self.pictures.entry(row).or_insert_with(|| {
            ui.ctx().load_texture(
                format!("candidate_{row}"),
                grey_picture(dataset.row(row), shape),
                egui::TextureOptions::NEAREST,
            )
        });
        let [h, w] = shape;
        let scale = THUMB / h.max(w) as f32;
        ui.add(egui::Image::new((
            texture.id(),
            egui::vec2(w as f32 * scale, h as f32 * scale),
        )));
    }
}

/// Keys P, N and U label the selected point; F finds similar points. Not while a text
/// field has the keyboard.
pub fn label_keys(ctx: &egui::Context, session: &Session, commands: &mut Vec<Command>) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let pressed = |key| ctx.input(|i| i.key_pressed(key) && i.modifiers.is_none());
    if let Some(row) = session.selected {
        for (key, label) in [
            (egui::Key::P, Label::Positive),
            (egui::Key::N, Label::Negative),
            (egui::Key::U, Label::Unlabelled),
        ] {
            if pressed(key) {
                commands.push(Command::Label(row, label));
            }
        }
    }
    if pressed(egui::Key::F) && session.dataset.is_some() {
        commands.push(Command::FindSimilar);
    }
}

/// The panel.
pub fn similar_ui(
    ui: &mut egui::Ui,
    session: &mut Session,
    inspector: &mut Inspector,
    commands: &mut Vec<Command>,
) {
    let Some(dataset) = session.dataset.clone() else {
        return;
    };
    egui::CollapsingHeader::new("Find more like this")
        .default_open(true)
        .show(ui, |ui| {
            labelling_ui(ui, session, commands);
            ranking_ui(ui, session, commands);
            if let Some(message) = &session.similar.message {
                ui.colored_label(egui::Color32::from_rgb(255, 190, 90), message);
            }
            candidates_ui(ui, session, &dataset, inspector, commands);
            heat_map_ui(ui, session, commands);
            super::simulate_ui::simulation_ui(ui, session, commands);
        });
    ui.separator();
}

/// The selected point's label, the buttons that set it, and the counts.
fn labelling_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    let similar = &session.similar;
    match session.selected {
        Some(row) => {
            let current = match similar.label(row) {
                Label::Positive => "positive",
                Label::Negative => "negative",
                Label::Unlabelled => "unlabelled",
            };
            ui.label(format!("row {row} is {current}"));
            ui.horizontal(|ui| {
                for (text, label, hint) in [
                    ("positive (P)", Label::Positive, "more like this"),
                    ("negative (N)", Label::Negative, "not this"),
                    (
                        "unlabel (U)",
                        Label::Unlabelled,
                        "forget this point's label",
                    ),
                ] {
                    if ui.small_button(text).on_hover_text(hint).clicked() {
                        commands.push(Command::Label(row, label));
                    }
                }
            });
        }
        None => {
            ui.label(
                egui::RichText::new("click a point, then P (positive) or N (negative)")
                    .small()
                    .weak(),
            );
        }
    }
    let (positives, negatives) = similar.counts();
    ui.horizontal(|ui| {
        ui.label(format!("{positives} positive · {negatives} negative"));
        if !similar.labelled.is_empty() && ui.small_button("clear labels").clicked() {
            commands.push(Command::ClearLabels);
        }
    });
}

/// Strategy, k and the Find button.
fn ranking_ui(ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
    let similar = &mut session.similar;
    ui.horizontal(|ui| {
        let label = ui.label("strategy");
        egui::ComboBox::from_id_salt("similar_strategy")
            .selected_text(similar.strategy.name())
            .width(190.0)
            .show_ui(ui, |ui| {
                for choice in StrategyChoice::ALL {
                    ui.selectable_value(&mut similar.strategy, choice, choice.name());
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        let label = ui.label("show");
        ui.add(egui::DragValue::new(&mut similar.k).range(1..=1000))
            .labelled_by(label.id);
        let (positives, _) = similar.counts();
        if ui
            .add_enabled(
                positives > 0 && similar.rank_job_idle(),
                egui::Button::new("Find similar"),
            )
            .on_hover_text(
                "rank every unlabelled point over the full vectors (F); judge the candidates \
                 with P / N",
            )
            .clicked()
        {
            commands.push(Command::FindSimilar);
        }
        if let Some(what) = similar.busy() {
            ui.spinner();
            ui.label(what);
        }
    });
    ui.horizontal(|ui| {
        ui.checkbox(&mut similar.auto_next, "next batch when all are judged");
        let mut markers = !similar.hide_markers;
        if ui
            .checkbox(&mut markers, "markers")
            .on_hover_text("ring positives, cross negatives, box candidates on the plot")
            .changed()
        {
            similar.hide_markers = !markers;
        }
    });
}

/// The candidates: picture, rank, row, score, and accept / reject.
fn candidates_ui(
    ui: &mut egui::Ui,
    session: &Session,
    dataset: &Arc<Dataset>,
    inspector: &mut Inspector,
    commands: &mut Vec<Command>,
) {
    let candidates = &session.similar.candidates;
    if candidates.is_empty() {
        return;
    }
    ui.label(format!(
        "{} candidates (select one and press P or N)",
        candidates.len()
    ));
    let geo = inspector.chips.is_geo(dataset);
    let view = inspector.vector.view(dataset.dim());
    egui::ScrollArea::vertical()
        .id_salt("similar_candidates")
        .max_height(300.0)
        .show(ui, |ui| {
            for (rank, candidate) in candidates.iter().enumerate() {
                let row = candidate.row;
                ui.horizontal(|ui| {
                    inspector.candidates.picture_ui(ui, dataset, row, view, geo);
                    let selected = session.selected == Some(row);
                    let text = format!("#{} row {row} · {:.3}", rank + 1, candidate.score);
                    if ui.selectable_label(selected, text).clicked() {
                        commands.push(Command::Select(Some(row)));
                    }
                    if ui
                        .small_button("accept")
                        .on_hover_text("label positive (P)")
                        .clicked()
                    {
                        commands.push(Command::Label(row, Label::Positive));
                    }
                    if ui
                        .small_button("reject")
                        .on_hover_text("label negative (N)")
                        .clicked()
                    {
                        commands.push(Command::Label(row, Label::Negative));
                    }
                });
            }
        });
}

/// Colour by similarity, the threshold slider and the selection it makes.
fn heat_map_ui(ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
    let (positives, _) = session.similar.counts();
    let showing = session.colouring.source == Some(ColourSource::SimilarityScore);
    if ui
        .add_enabled(
            positives > 0 && !showing,
            egui::Button::new("Colour by similarity"),
        )
        .on_hover_text("a heat map of how much every point is like the positives")
        .clicked()
    {
        commands.push(Command::ColourBySource(ColourSource::SimilarityScore));
    }
    let Some((lo, hi)) = session.similar.score_range() else {
        return;
    };
    let Some(scores) = session.similar.scores.clone() else {
        return;
    };
    let mut threshold = session.similar.threshold.clamp(lo, hi);
    ui.horizontal(|ui| {
        let label = ui.label("threshold");
        ui.add(egui::Slider::new(&mut threshold, lo..=hi).max_decimals(3))
            .labelled_by(label.id);
        session.similar.threshold = threshold;
    });
    let above = scores.iter().filter(|&&s| s >= threshold).count();
    ui.horizontal(|ui| {
        ui.label(format!("{above} points at or above"));
        if ui
            .button("Select")
            .on_hover_text("select the points scoring at least the threshold")
            .clicked()
        {
            commands.push(Command::SelectByScore(threshold));
        }
    });
}

/// Marks labelled points (a green ring for positives, a red cross for negatives) and the
/// candidates (a cyan square), so shape, not only colour, tells them apart.
pub fn paint_markers(
    painter: &egui::Painter,
    session: &Session,
    positions: &[f32],
    radius: f32,
    to_screen: impl Fn([f32; 2]) -> egui::Pos2,
) {
    let similar = &session.similar;
    if similar.hide_markers {
        return;
    }
    let clip = painter.clip_rect();
    let at = |row: usize| -> Option<egui::Pos2> {
        let p = [*positions.get(2 * row)?, *positions.get(2 * row + 1)?];
        let pos = to_screen(p);
        clip.contains(pos).then_some(pos)
    };
    let r = radius + 3.0;
    for &row in similar.labelled.iter().take(MAX_MARKERS) {
        let Some(pos) = at(row) else {
            continue;
        };
        if similar.label(row) == Label::Positive {
            painter.circle_stroke(pos, r, egui::Stroke::new(2.0, POSITIVE));
        } else {
            let stroke = egui::Stroke::new(2.0, NEGATIVE);
            painter.line_segment([pos + egui::vec2(-r, -r), pos + egui::vec2(r, r)], stroke);
            painter.line_segment([pos + egui::vec2(-r, r), pos + egui::vec2(r, -r)], stroke);
        }
    }
    for candidate in &similar.candidates {
        if let Some(pos) = at(candidate.row) {
            painter.rect_stroke(
                egui::Rect::from_center_size(pos, egui::vec2(2.0 * r, 2.0 * r)),
                1.0,
                egui::Stroke::new(1.5, CANDIDATE),
                egui::StrokeKind::Middle,
            );
        }
    }
}
