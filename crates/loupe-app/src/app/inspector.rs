//! The right panel: everything about the selected point.

use loupe_core::Dataset;

use super::session::{Command, Session};

/// Draws the inspector for the selected row: its class, all its columns, and the vector as an
/// image when the vectors are images.
pub fn inspector_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    ui.heading("Inspector");
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
    if let Some(shape) = dataset.image_shape() {
        vector_image_ui(ui, dataset, row, shape);
    }
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
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

/// Draws a row's vector as a grey-scale picture, scaled to the panel width.
fn vector_image_ui(ui: &mut egui::Ui, dataset: &Dataset, row: usize, [height, width]: [usize; 2]) {
    let id = egui::Id::unique("inspector_image");
    let key = (dataset.name().to_owned(), row);
    let cached: Option<((String, usize), egui::TextureHandle)> = ui.data(|d| d.get_temp(id));
    let texture = match cached {
        Some((cached_key, texture)) if cached_key == key => texture,
        _ => {
            let values = dataset.row(row);
            let (lo, hi) = values
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            let span = (hi - lo).max(f32::EPSILON);
            let pixels: Vec<u8> = values
                .iter()
                .map(|&v| (((v - lo) / span) * 255.0).round() as u8)
                .collect();
            let image = egui::ColorImage::from_gray([width, height], &pixels);
            let texture =
                ui.ctx()
                    .load_texture("inspector_image", image, egui::TextureOptions::NEAREST);
            ui.data_mut(|d| d.insert_temp(id, (key, texture.clone())));
            texture
        }
    };
    let side = ui.available_width().min(224.0);
    let size = egui::vec2(side, side * height as f32 / width as f32);
    ui.add(egui::Image::new((texture.id(), size)));
}
