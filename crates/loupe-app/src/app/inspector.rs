//! The right panel: everything about the selected point.

use std::sync::Arc;

use super::chip_panel::ChipPanel;
use super::chip_thumbnails::ChipThumbnails;
use super::session::{Command, Session};
use super::vector_view::VectorSettings;

/// The inspector's own state: the chip of a geo row and how vectors are drawn.
pub struct Inspector {
    /// The satellite chip of the selected geo row, and the imagery settings.
    pub chips: ChipPanel,
    /// Picture or line plot of the selected row's vector.
    pub vector: VectorSettings,
    /// Chips of a lasso selection's first rows.
    pub thumbnails: ChipThumbnails,
    /// Pictures of the similarity candidates.
    pub candidates: super::similar_ui::CandidateView,
    repaint: Arc<dyn Fn() + Send + Sync>,
}

impl Inspector {
    /// An inspector that asks for a repaint of `ctx` when a chip arrives.
    pub fn new(ctx: &egui::Context) -> Self {
        let ctx = ctx.clone();
        let repaint: Arc<dyn Fn() + Send + Sync> = Arc::new(move || ctx.request_repaint());
        Self {
            chips: ChipPanel::new(Arc::clone(&repaint)),
            vector: VectorSettings::default(),
            thumbnails: ChipThumbnails::default(),
            candidates: super::similar_ui::CandidateView::default(),
            repaint,
        }
    }

    /// Once per frame, before the UI: follows the selection (fetching its chip).
    pub fn poll(&mut self, ctx: &egui::Context, session: &Session) {
        self.chips.poll(ctx, session);
        self.thumbnails
            .poll(ctx, session, self.chips.settings(), &self.repaint);
        self.candidates
            .poll(ctx, session, self.chips.settings(), &self.repaint);
    }
}

/// Draws the inspector for the selected row: its class; the satellite chip for geo rows, else
/// the vector as a picture or a line plot; then all its columns.
pub fn inspector_ui(
    ui: &mut egui::Ui,
    session: &Session,
    inspector: &mut Inspector,
    commands: &mut Vec<Command>,
) {
    ui.heading("Inspector");
    if let Some(selection) = &session.selection.current {
        inspector.thumbnails.thumbnails_ui(ui, selection.count());
    }
    let (Some(dataset), Some(row)) = (&session.dataset, session.selected) else {
        ui.label("Click a point to inspect it.");
        return;
    };
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(selection_title(session, row)).strong());
        if ui
            .small_button("clear")
            .on_hover_text("clear selection")
            .clicked()
        {
            commands.push(Command::Select(None));
        }
    });
    if let Some(&[x, y]) = session
        .positions()
        .and_then(|positions| positions.get(2 * row..2 * row + 2))
    {
        ui.label(format!("x {x:.3}, y {y:.3}"));
    }
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        if inspector.chips.is_geo(dataset) {
            inspector.chips.chip_ui(ui);
            egui::CollapsingHeader::new("Vector")
                .default_open(false)
                .show(ui, |ui| inspector.vector.vector_ui(ui, dataset, row));
        } else {
            inspector.vector.vector_ui(ui, dataset, row);
        }
        ui.separator();
        // Name above value: long values (URLs, paths) wrap instead of squeezing a grid.
        for (column, value) in dataset.row_text(row) {
            ui.label(egui::RichText::new(column).small().weak());
            ui.add(egui::Label::new(value).wrap());
            ui.add_space(4.0);
        }
    });
}

/// "Row 17 · label 7": the row and, when points are coloured by a column, its class.
pub fn selection_title(session: &Session, row: usize) -> String {
    match &session.categories {
        Some(categories) => {
            let class = categories
                .codes
                .get(row)
                .copied()
                .flatten()
                .map_or("null", |code| categories.names[code as usize].as_str());
            format!("Row {row} · {} {class}", categories.column)
        }
        None => format!("Row {row}"),
    }
}
