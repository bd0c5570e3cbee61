//! The side panel's Selection and Clusters sections: what the lasso caught (count, the
//! colour column's histogram, the date range, the rows themselves), named selections, and
//! k-means with its elbow plot.

use arrow_array::Array;
use arrow_schema::DataType;
use loupe_core::{Dataset, Selection, SelectionMode};

use super::clusters::{ClusterSpace, ELBOW_KS, QUICK_KS};
use super::palette;
use super::session::{Command, Session};

/// Rows listed in the selection's grid; the count says how many more there are.
const GRID_ROWS: usize = 200;
/// Categories shown in the selection's histogram.
const HISTOGRAM_BARS: usize = 12;

/// The Selection section: empty-state hint, or everything about the selected rows.
pub fn selection_ui(ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
    ui.heading("Selection");
    if let Some(parent) = session.views.last() {
        let text = format!(
            "Back to {} ({} rows)",
            parent.dataset.name(),
            parent.dataset.n_rows()
        );
        if ui.button(text).clicked() {
            commands.push(Command::BackToParentView);
        }
    }
    let (Some(dataset), Some(selection)) = (&session.dataset, &session.selection.current) else {
        ui.label(
            egui::RichText::new("lasso or box on the plot (tools top-left) to select points")
                .small()
                .weak(),
        );
        named_ui(ui, session, commands);
        return;
    };
    ui.label(format!(
        "{} of {} points selected",
        selection.count(),
        dataset.n_rows()
    ));
    ui.horizontal(|ui| {
        let mut isolated = session.selection.isolated;
        if ui
            .checkbox(&mut isolated, "isolate")
            .on_hover_text("hide every point outside the selection")
            .changed()
        {
            commands.push(Command::Isolate(isolated));
        }
        if ui
            .button("Clear")
            .on_hover_text("Esc on the plot")
            .clicked()
        {
            commands.push(Command::ClearSelection);
        }
    });
    if let Some(categories) = &session.categories {
        histogram_ui(ui, categories, selection);
    }
    if let Some(range) = date_range(dataset, selection) {
        ui.label(format!("dates: {range}"));
    }
    ui.horizontal(|ui| {
        if ui
            .button(format!("Re-run {} on selection", session.method.name()))
            .on_hover_text("lay out these rows on their own; Back returns to this view")
            .clicked()
        {
            commands.push(Command::RerunOnSelection);
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("export to");
        ui.add(
            egui::TextEdit::singleline(&mut session.selection.export_path)
                .hint_text(".parquet, .csv or .geojson")
                .desired_width(120.0),
        )
        .labelled_by(label.id);
        let path = session.selection.export_path.trim().to_owned();
        if ui
            .add_enabled(!path.is_empty(), egui::Button::new("Export selection"))
            .on_hover_text("the selected rows with all their columns and x, y")
            .clicked()
        {
            commands.push(Command::ExportSelection(path.into()));
        }
    });
    egui::CollapsingHeader::new(format!("rows ({})", selection.count()))
        .default_open(false)
        .show(ui, |ui| rows_ui(ui, dataset, selection));
    ui.horizontal(|ui| {
        let label = ui.label("keep as");
        ui.add(
            egui::TextEdit::singleline(&mut session.selection.name_text)
                .hint_text("name")
                .desired_width(100.0),
        )
        .labelled_by(label.id);
        let name = session.selection.name_text.trim().to_owned();
        if ui
            .add_enabled(!name.is_empty(), egui::Button::new("Keep"))
            .clicked()
        {
            commands.push(Command::KeepSelection(name));
        }
    });
    named_ui(ui, session, commands);
}

/// The kept selections, each with buttons to re-apply or combine it.
fn named_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    if session.selection.named.is_empty() {
        return;
    }
    egui::Grid::new("named_selections")
        .num_columns(2)
        .show(ui, |ui| {
            for (name, selection) in session.selection.named.iter() {
                ui.label(format!("{name} ({})", selection.count()));
                ui.horizontal(|ui| {
                    for (text, mode, hint) in [
                        ("=", SelectionMode::Replace, "select exactly these"),
                        ("+", SelectionMode::Add, "add to the selection"),
                        ("-", SelectionMode::Subtract, "remove from the selection"),
                        ("&", SelectionMode::Intersect, "keep only the overlap"),
                    ] {
                        if ui.small_button(text).on_hover_text(hint).clicked() {
                            commands.push(Command::ApplyNamed(name.to_owned(), mode));
                        }
                    }
                    if ui.small_button("forget").clicked() {
                        commands.push(Command::ForgetNamed(name.to_owned()));
                    }
                });
                ui.end_row();
            }
        });
}

/// The selected rows per category of the colour column, largest first.
fn histogram_ui(ui: &mut egui::Ui, categories: &loupe_core::Categories, selection: &Selection) {
    let mut counts = vec![0_usize; categories.names.len()];
    for row in selection {
        if let Some(Some(code)) = categories.codes.get(row) {
            counts[*code as usize] += 1;
        }
    }
    let mut bars: Vec<(usize, usize)> = counts
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, n)| n > 0)
        .collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let largest = bars.first().map_or(1, |b| b.1).max(1);
    ui.label(
        egui::RichText::new(format!("by {}", categories.column))
            .small()
            .weak(),
    );
    for &(code, n) in bars.iter().take(HISTOGRAM_BARS) {
        ui.horizontal(|ui| {
            let width = 120.0 * n as f32 / largest as f32;
            let (rect, _) = ui.allocate_exact_size(egui::vec2(120.0, 10.0), egui::Sense::hover());
            let bar = egui::Rect::from_min_size(rect.min, egui::vec2(width.max(1.0), 10.0));
            ui.painter()
                .rect_filled(bar, 2.0, palette::to_egui(palette::category_rgb(code)));
            ui.label(format!("{} {n}", categories.names[code]));
        });
    }
    if bars.len() > HISTOGRAM_BARS {
        ui.label(format!("… {} more", bars.len() - HISTOGRAM_BARS));
    }
}

/// The earliest and latest value of the first date or timestamp column over the selection.
fn date_range(dataset: &Dataset, selection: &Selection) -> Option<String> {
    let metadata = dataset.metadata();
    let index = metadata.schema().fields().iter().position(|f| {
        matches!(
            f.data_type(),
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(..)
        )
    })?;
    let column = metadata.column(index);
    let as_i64 = arrow_cast::cast(column, &DataType::Int64).ok()?;
    let values = as_i64.as_any().downcast_ref::<arrow_array::Int64Array>()?;
    let (mut lo, mut hi) = (None::<(i64, usize)>, None::<(i64, usize)>);
    for row in selection {
        if values.is_null(row) {
            continue;
        }
        let v = values.value(row);
        if lo.is_none_or(|(l, _)| v < l) {
            lo = Some((v, row));
        }
        if hi.is_none_or(|(h, _)| v > h) {
            hi = Some((v, row));
        }
    }
    let (lo, hi) = (lo?.1, hi?.1);
    let options = arrow_cast::display::FormatOptions::default();
    let formatter = arrow_cast::display::ArrayFormatter::try_new(column.as_ref(), &options).ok()?;
    Some(format!(
        "{} – {} ({})",
        formatter.value(lo),
        formatter.value(hi),
        metadata.schema().field(index).name()
    ))
}

/// The first selected rows: digit thumbnails for image vectors, else a line of text each.
fn rows_ui(ui: &mut egui::Ui, dataset: &Dataset, selection: &Selection) {
    egui::ScrollArea::vertical()
        .max_height(240.0)
        .id_salt("selection_rows")
        .show(ui, |ui| {
            if let Some(shape) = dataset.image_shape() {
                thumbnails_ui(ui, dataset, selection, shape);
            } else {
                for row in selection.iter().take(GRID_ROWS) {
                    let text: Vec<String> = dataset
                        .row_text(row)
                        .into_iter()
                        .take(3)
                        .map(|(c, v)| format!("{c}: {v}"))
                        .collect();
                    ui.label(egui::RichText::new(format!("{row}  {}", text.join("  "))).small());
                }
            }
            if selection.count() > GRID_ROWS {
                ui.label(format!("… {} more", selection.count() - GRID_ROWS));
            }
        });
}

/// A thumbnail sheet and what it shows (dataset, rows, selection size, first rows).
type SheetCache = ((String, usize, usize, Vec<usize>), egui::TextureHandle);

/// Columns of the thumbnail sheet.
const SHEET_COLUMNS: usize = 10;

/// The first selected rows' vectors as pictures, tiled into one texture that is rebuilt only
/// when the selection changes (one texture, not hundreds, per frame).
fn thumbnails_ui(
    ui: &mut egui::Ui,
    dataset: &Dataset,
    selection: &Selection,
    [height, width]: [usize; 2],
) {
    let rows: Vec<usize> = selection.iter().take(GRID_ROWS).collect();
    let id = egui::Id::unique("selection_sheet");
    let key = (
        dataset.name().to_owned(),
        dataset.n_rows(),
        selection.count(),
        rows.clone(),
    );
    let cached: Option<SheetCache> = ui.data(|d| d.get_temp(id));
    let texture = match cached {
        Some((cached_key, texture)) if cached_key == key => texture,
        _ => {
            let columns = SHEET_COLUMNS.min(rows.len()).max(1);
            let lines = rows.len().div_ceil(columns).max(1);
            let (sheet_w, sheet_h) = (columns * (width + 1), lines * (height + 1));
            let mut pixels = vec![0_u8; sheet_w * sheet_h];
            for (i, &row) in rows.iter().enumerate() {
                let values = dataset.row(row);
                let (lo, hi) = values
                    .iter()
                    .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                        (lo.min(v), hi.max(v))
                    });
                let span = (hi - lo).max(f32::EPSILON);
                let (x0, y0) = ((i % columns) * (width + 1), (i / columns) * (height + 1));
                for (j, &v) in values.iter().enumerate() {
                    let (x, y) = (x0 + j % width, y0 + j / width);
                    pixels[y * sheet_w + x] = (((v - lo) / span) * 255.0).round() as u8;
                }
            }
            let image = egui::ColorImage::from_gray([sheet_w, sheet_h], &pixels);
            let texture =
                ui.ctx()
                    .load_texture("selection_sheet", image, egui::TextureOptions::NEAREST);
            ui.data_mut(|d| d.insert_temp(id, (key, texture.clone())));
            texture
        }
    };
    let [w, h] = texture.size();
    let scale = (ui.available_width() / w as f32).min(2.0);
    ui.add(egui::Image::new((
        texture.id(),
        egui::vec2(w as f32 * scale, h as f32 * scale),
    )));
}

/// The Clusters section: k-means on the layout or the vectors, and the elbow plot.
pub fn clusters_ui(ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
    ui.heading("Clusters");
    let has_layout = session.positions().is_some();
    if let Some(job) = &session.clusters.job {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("{}…", job.what));
        });
    }
    let busy = session.clusters.job.is_some();
    for space in [ClusterSpace::Layout, ClusterSpace::Vectors] {
        let enabled = !busy && (space == ClusterSpace::Vectors || has_layout);
        ui.horizontal(|ui| {
            ui.label(match space {
                ClusterSpace::Layout => "k-means on layout",
                ClusterSpace::Vectors => "k-means on vectors",
            });
            for k in QUICK_KS {
                if ui
                    .add_enabled(enabled, egui::Button::new(k.to_string()).small())
                    .on_hover_text(format!("adds the column {}", space.column(k)))
                    .clicked()
                {
                    commands.push(Command::KMeans(space, k));
                }
            }
        });
    }
    ui.horizontal(|ui| {
        let label = ui.label("k");
        if session.clusters.custom_k == 0 {
            session.clusters.custom_k = 50;
        }
        ui.add(egui::DragValue::new(&mut session.clusters.custom_k).range(1..=100_000))
            .labelled_by(label.id);
        let k = session.clusters.custom_k;
        if ui
            .add_enabled(!busy && has_layout, egui::Button::new("on layout").small())
            .clicked()
        {
            commands.push(Command::KMeans(ClusterSpace::Layout, k));
        }
        if ui
            .add_enabled(!busy, egui::Button::new("on vectors").small())
            .clicked()
        {
            commands.push(Command::KMeans(ClusterSpace::Vectors, k));
        }
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy && has_layout, egui::Button::new("Elbow plot"))
            .on_hover_text(format!(
                "inertia of k-means on the layout for k in {ELBOW_KS:?}"
            ))
            .clicked()
        {
            commands.push(Command::Elbow(ClusterSpace::Layout));
        }
        ui.checkbox(&mut session.clusters.show_exemplars, "mark exemplars")
            .on_hover_text("ring the point nearest each centroid of the last fit");
    });
    if let Some(points) = &session.clusters.elbow {
        elbow_plot_ui(ui, points);
    }
}

/// Inertia against k (`egui_plot`): the bend of the curve suggests a k.
fn elbow_plot_ui(ui: &mut egui::Ui, points: &[loupe_cluster::ElbowPoint]) {
    let line: Vec<[f64; 2]> = points.iter().map(|p| [p.k as f64, p.inertia]).collect();
    super::vector_view::fixed_plot("elbow_plot", 140.0)
        .x_axis_label("k")
        .y_axis_label("inertia")
        .show(ui, |plot| {
            plot.line(egui_plot::Line::new(
                "inertia",
                egui_plot::PlotPoints::new(line.clone()),
            ));
            plot.points(egui_plot::Points::new("k", egui_plot::PlotPoints::new(line)).radius(3.0));
        });
}
