//! The left panel: dataset, t-SNE parameters and controls, colouring, point style.

use loupe_tsne::RunStatus;

use loupe_ingest::Stage;

use super::colouring::{self, ColourSource, Structure};
use super::files_ui;
use super::palette;
use super::plot_view::PlotView;
use super::selection_ui;
use super::session::{Command, Session};
use crate::cli::{GradientArg, MethodArg, MetricArg, PhaseList, PhaseRow, PresetArg, TsneArgs};

/// Draws the side panel; changes to parameters are edited in place, actions become commands.
pub fn side_panel_ui(
    ui: &mut egui::Ui,
    session: &mut Session,
    plot: &mut PlotView,
    commands: &mut Vec<Command>,
) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        dataset_ui(ui, session);
        files_ui::path_ui(ui, session, commands);
        ui.separator();
        layout_params_ui(ui, session);
        run_controls_ui(ui, session, commands);
        continuation_ui(ui, session, commands);
        ui.separator();
        color_by_ui(ui, session, commands);
        ui.separator();
        selection_ui::selection_ui(ui, session, commands);
        ui.separator();
        selection_ui::clusters_ui(ui, session, commands);
        ui.separator();
        super::filters::filters_ui(ui, session, commands);
        ui.separator();
        files_ui::export_ui(ui, session, plot.visible_data_rect(), commands);
        ui.separator();
        ui.heading("Points");
        ui.add(egui::Slider::new(&mut plot.point_radius_px, 0.5..=12.0).text("size (px)"));
        ui.add(egui::Slider::new(&mut plot.opacity, 0.05..=1.0).text("opacity"));
        ui.checkbox(&mut plot.show_class_labels, "class names at medians");
        if ui.button("Fit to window").clicked() {
            plot.auto_fit = true;
        }
    });
}

fn dataset_ui(ui: &mut egui::Ui, session: &Session) {
    ui.heading("Data");
    if let Some(job) = &session.loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.add(egui::Label::new(format!("loading {}", job.source.describe())).truncate());
        });
        if let Some(progress) = job.progress() {
            let stage = match progress.stage {
                Stage::ReadingCache => "reading the cache",
                Stage::ReadingFiles => "reading files",
                Stage::Combining => "combining",
                Stage::WritingCache => "writing the cache",
            };
            let fraction = progress.done as f32 / progress.total.max(1) as f32;
            ui.add(egui::ProgressBar::new(fraction).text(format!(
                "{stage} {}/{} · {} rows",
                progress.done, progress.total, progress.rows
            )));
        }
    }
    match &session.dataset {
        Some(dataset) => {
            ui.add(egui::Label::new(egui::RichText::new(dataset.name()).strong()).truncate());
            ui.label(format!(
                "{} rows × {} dims (column '{}')",
                dataset.n_rows(),
                dataset.dim(),
                dataset.vector_column()
            ));
            if let Some(report) = &session.load_report {
                load_report_ui(ui, report);
            }
            let skipped = loupe_data::skipped_null_vectors(dataset);
            if skipped > 0 {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{skipped} rows without a vector were skipped"),
                );
            }
        }
        None if session.loading.is_none() => {
            ui.label("No data: File > Open…");
        }
        None => {}
    }
    if let Some(error) = &session.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
}

/// What a file or folder load found: failed files with their reasons, geometry warnings, the
/// cache. Opens by itself when something went wrong.
fn load_report_ui(ui: &mut egui::Ui, report: &loupe_ingest::LoadReport) {
    if !report.failed.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "{} of {} files could not be loaded",
                report.failed.len(),
                report.failed.len() + report.files.len()
            ),
        );
    }
    egui::CollapsingHeader::new("Load report")
        .default_open(!report.failed.is_empty())
        .show(ui, |ui| {
            ui.add(egui::Label::new(egui::RichText::new(report.to_string()).small()).wrap());
        });
}

/// The method switch, then its parameters.
fn layout_params_ui(ui: &mut egui::Ui, session: &mut Session) {
    ui.horizontal(|ui| {
        ui.heading("Layout");
        ui.selectable_value(&mut session.method, MethodArg::Tsne, "t-SNE");
        ui.selectable_value(&mut session.method, MethodArg::Umap, "UMAP")
            .on_hover_text("umap-learn 0.5's UMAP: fuzzy kNN graph, spectral start, SGD");
    });
    match session.method {
        MethodArg::Tsne => {
            tsne_params_ui(ui, session);
            phases_ui(ui, &mut session.params);
        }
        MethodArg::Umap => umap_params_ui(ui, session),
    }
}

/// UMAP's parameters, then those it shares with t-SNE.
fn umap_params_ui(ui: &mut egui::Ui, session: &mut Session) {
    let umap = &mut session.umap;
    egui::Grid::new("umap_params")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let label = ui.label("neighbours");
            ui.add(egui::DragValue::new(&mut umap.n_neighbors).range(2..=500))
                .labelled_by(label.id)
                .on_hover_text("n_neighbors, the point itself included");
            ui.end_row();
            let label = ui.label("min dist");
            ui.add(
                egui::DragValue::new(&mut umap.min_dist)
                    .range(0.0..=10.0)
                    .speed(0.01),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("spread");
            ui.add(
                egui::DragValue::new(&mut umap.spread)
                    .range(0.01..=10.0)
                    .speed(0.01),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("epochs");
            ui.horizontal(|ui| {
                let mut auto = umap.epochs.is_none();
                if ui
                    .checkbox(&mut auto, "auto")
                    .on_hover_text("500 up to 10,000 points, 200 above (umap-learn)")
                    .changed()
                {
                    umap.epochs = if auto { None } else { Some(200) };
                }
                if let Some(epochs) = &mut umap.epochs {
                    ui.add(egui::DragValue::new(epochs).range(1..=100_000))
                        .labelled_by(label.id);
                }
            });
            ui.end_row();
            shared_params_rows(ui, &mut session.params);
        });
}

fn tsne_params_ui(ui: &mut egui::Ui, session: &mut Session) {
    let params = &mut session.params;
    ui.horizontal(|ui| {
        ui.label("preset");
        ui.selectable_value(&mut params.preset, PresetArg::Standard, "standard");
        ui.selectable_value(
            &mut params.preset,
            PresetArg::ClayMultistage,
            "Clay multi-stage",
        )
        .on_hover_text(
            "10 % sample at perplexity 500, place the rest, then all points at perplexity 50 \
                 with exaggeration 12, 10, 6, 4 (cosine)",
        );
    });
    egui::Grid::new("tsne_params")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let label = ui.label("perplexity");
            ui.add(
                egui::DragValue::new(&mut params.perplexity)
                    .range(1.0..=500.0)
                    .speed(0.5),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("early exaggeration");
            ui.add(
                egui::DragValue::new(&mut params.early_exaggeration)
                    .range(1.0..=100.0)
                    .speed(0.1),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("… for iterations");
            ui.add(egui::DragValue::new(&mut params.early_exaggeration_iter).range(0..=10_000))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("iterations after");
            ui.add(egui::DragValue::new(&mut params.iterations).range(0..=100_000))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("learning rate");
            ui.horizontal(|ui| {
                let mut auto = params.learning_rate.eq_ignore_ascii_case("auto");
                if ui
                    .checkbox(&mut auto, "auto")
                    .on_hover_text("N / exaggeration, per phase (Belkina et al. 2019)")
                    .changed()
                {
                    if auto { "auto" } else { "200" }.clone_into(&mut params.learning_rate);
                }
                if !auto {
                    ui.add(
                        egui::TextEdit::singleline(&mut params.learning_rate).desired_width(60.0),
                    )
                    .labelled_by(label.id);
                }
            });
            ui.end_row();
            let label = ui.label("repulsion");
            egui::ComboBox::from_id_salt("gradient")
                .selected_text(gradient_name(params.gradient))
                .show_ui(ui, |ui| {
                    for g in [
                        GradientArg::Auto,
                        GradientArg::BarnesHut,
                        GradientArg::Fft,
                        GradientArg::Exact,
                    ] {
                        ui.selectable_value(&mut params.gradient, g, gradient_name(g));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("degrees of freedom");
            ui.add(
                egui::DragValue::new(&mut params.dof)
                    .range(0.05..=100.0)
                    .speed(0.01),
            )
            .labelled_by(label.id)
            .on_hover_text("1 = standard t-SNE; smaller = heavier tails (Kobak et al. 2019)");
            ui.end_row();
            shared_params_rows(ui, params);
        });
}

/// Metric, PCA and seed: the same for both methods.
fn shared_params_rows(ui: &mut egui::Ui, params: &mut TsneArgs) {
    let label = ui.label("metric");
    egui::ComboBox::from_id_salt("metric")
        .selected_text(match params.metric {
            MetricArg::Euclidean => "euclidean",
            MetricArg::Cosine => "cosine",
        })
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut params.metric, MetricArg::Euclidean, "euclidean");
            ui.selectable_value(&mut params.metric, MetricArg::Cosine, "cosine");
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("PCA before kNN");
    ui.add(egui::DragValue::new(&mut params.pca_dims).range(0..=1000))
        .labelled_by(label.id)
        .on_hover_text("reduce wider vectors to this many dimensions first (0 = off)");
    ui.end_row();
    let label = ui.label("seed");
    ui.add(egui::DragValue::new(&mut params.seed))
        .labelled_by(label.id);
    ui.end_row();
}

/// The schedule as an editable table: a custom list of phases replaces the early-exaggeration
/// and embedding phases of the standard preset.
fn phases_ui(ui: &mut egui::Ui, params: &mut TsneArgs) {
    egui::CollapsingHeader::new("Schedule (phases)")
        .default_open(false)
        .show(ui, |ui| {
            let mut custom = params.phases.is_some();
            if ui
                .checkbox(&mut custom, "custom phases")
                .on_hover_text("replace early exaggeration + embedding with your own phases")
                .changed()
            {
                params.phases = custom.then(|| {
                    PhaseList(vec![
                        PhaseRow {
                            n_iter: params.early_exaggeration_iter,
                            exaggeration: params.early_exaggeration,
                            momentum: 0.8,
                        },
                        PhaseRow {
                            n_iter: params.iterations,
                            exaggeration: 1.0,
                            momentum: 0.8,
                        },
                    ])
                });
            }
            let Some(PhaseList(rows)) = &mut params.phases else {
                return;
            };
            phase_rows_ui(ui, "phases", rows);
            ui.label(
                egui::RichText::new(
                    "learning rate per phase as set above (auto = N / exaggeration)",
                )
                .small()
                .weak(),
            );
        });
}

/// An editable table of phases with add/remove buttons.
fn phase_rows_ui(ui: &mut egui::Ui, id: &str, rows: &mut Vec<PhaseRow>) {
    let mut remove = None;
    egui::Grid::new(id).num_columns(4).show(ui, |ui| {
        let iterations = ui.label("iterations").id;
        let exaggeration = ui.label("exaggeration").id;
        let momentum = ui.label("momentum").id;
        ui.end_row();
        for (i, row) in rows.iter_mut().enumerate() {
            ui.add(egui::DragValue::new(&mut row.n_iter).range(0..=100_000))
                .labelled_by(iterations);
            ui.add(
                egui::DragValue::new(&mut row.exaggeration)
                    .range(0.1..=100.0)
                    .speed(0.1),
            )
            .labelled_by(exaggeration);
            ui.add(
                egui::DragValue::new(&mut row.momentum)
                    .range(0.0..=0.99)
                    .speed(0.01),
            )
            .labelled_by(momentum);
            if ui.small_button("remove").clicked() {
                remove = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = remove {
        rows.remove(i);
    }
    if ui.button("add phase").clicked() {
        rows.push(PhaseRow {
            n_iter: 250,
            exaggeration: 1.0,
            momentum: 0.8,
        });
    }
}

/// Refine and Add points, once a run has finished or been stopped.
fn continuation_ui(ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
    if let Some(projection) = &session.projection {
        let added = session.n_rows().saturating_sub(projection.n_reference);
        ui.label(format!(
            "{added} rows from {} projected into the layout (hollow)",
            projection.source_name
        ));
        if ui
            .add_enabled(
                !session.is_running(),
                egui::Button::new("Remove projected rows"),
            )
            .clicked()
        {
            commands.push(Command::RemoveProjected);
        }
    }
    if session.layout.is_none() || session.is_running() {
        return;
    }
    egui::CollapsingHeader::new("Refine this layout")
        .default_open(false)
        .show(ui, |ui| {
            phase_rows_ui(ui, "refine_phases", &mut session.refine_phases.0);
            if ui
                .button("Refine")
                .on_hover_text(
                    "continue optimising the current layout through these phases (same \
                     affinities; projected rows are removed first)",
                )
                .clicked()
            {
                commands.push(Command::Refine);
            }
        });
}

fn gradient_name(gradient: GradientArg) -> &'static str {
    match gradient {
        GradientArg::Auto => "auto",
        GradientArg::BarnesHut => "Barnes-Hut",
        GradientArg::Fft => "FFT interpolation",
        GradientArg::Exact => "exact (slow)",
    }
}

fn run_controls_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    let status = session.snapshot.as_ref().map(|s| &s.status);
    let running = session.is_running();
    let paused = matches!(status, Some(RunStatus::Paused));
    ui.horizontal(|ui| {
        if ui
            .add_enabled(session.dataset.is_some(), egui::Button::new("Start"))
            .on_hover_text("start a new run with these parameters")
            .clicked()
        {
            commands.push(Command::Start);
        }
        if paused {
            if ui.button("Resume").clicked() {
                commands.push(Command::Resume);
            }
        } else if ui
            .add_enabled(running, egui::Button::new("Pause"))
            .clicked()
        {
            commands.push(Command::Pause);
        }
        if ui.add_enabled(running, egui::Button::new("Stop")).clicked() {
            commands.push(Command::Stop);
        }
    });
    let has_layout = session.positions().is_some();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(has_layout, egui::Button::new("Pin to compare"))
            .on_hover_text(
                "keep this layout in a plot beside the live one (hover and selection are \
                 linked); then run again with other parameters",
            )
            .clicked()
        {
            commands.push(Command::PinForComparison(false));
        }
        if ui
            .add_enabled(has_layout, egui::Button::new("Pin + next seed"))
            .on_hover_text("pin this layout and start a run with the next seed beside it")
            .clicked()
        {
            commands.push(Command::PinForComparison(true));
        }
    });
}

fn color_by_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    ui.heading("Colour");
    let Some(dataset) = &session.dataset else {
        return;
    };
    let mut columns = dataset.categorical_columns();
    for name in dataset.column_names() {
        if name.starts_with("kmeans_") && !columns.contains(&name) {
            columns.push(name);
        }
    }
    let current = session.color_by.clone();
    let source = session.colouring.source.clone();
    let selected_text = match (&source, &current) {
        (Some(ColourSource::Numeric { column, .. }), _) | (None, Some(column)) => column.clone(),
        (Some(ColourSource::Structure(s)), _) => s.name().to_owned(),
        (Some(ColourSource::SimilarityScore), _) => "similarity to positives".to_owned(),
        (None, None) => "none".to_owned(),
    };
    egui::ComboBox::from_label("colour by")
        .selected_text(selected_text)
        .width(180.0)
        .show_ui(ui, |ui| {
            let plain = source.is_none();
            if ui
                .selectable_label(plain && current.is_none(), "none")
                .clicked()
            {
                commands.push(Command::ColorBy(None));
            }
            for column in columns {
                let selected = plain && current.as_deref() == Some(column.as_str());
                if ui.selectable_label(selected, &column).clicked() {
                    commands.push(Command::ColorBy(Some(column)));
                }
            }
            ui.separator();
            for column in colouring::numeric_columns(dataset) {
                let selected = matches!(&source,
                    Some(ColourSource::Numeric { column: c, .. }) if *c == column);
                if ui
                    .selectable_label(selected, format!("{column} (numeric)"))
                    .clicked()
                {
                    commands.push(Command::ColourBySource(ColourSource::Numeric {
                        column,
                        range: None,
                    }));
                }
            }
            ui.separator();
            for structure in Structure::ALL {
                let selected = source == Some(ColourSource::Structure(structure));
                if ui.selectable_label(selected, structure.name()).clicked() {
                    commands.push(Command::ColourBySource(ColourSource::Structure(structure)));
                }
            }
            let has_positives = session.similar.counts().0 > 0;
            let selected = source == Some(ColourSource::SimilarityScore);
            if ui
                .add_enabled(
                    has_positives,
                    egui::Button::selectable(selected, "similarity to positives"),
                )
                .on_disabled_hover_text("label a positive first (P on a clicked point)")
                .clicked()
            {
                commands.push(Command::ColourBySource(ColourSource::SimilarityScore));
            }
        });
    colouring::colour_bar_ui(ui, session, commands);
    if let Some(categories) = &session.categories {
        let hidden = session.hidden_categories();
        egui::Grid::new("legend").num_columns(3).show(ui, |ui| {
            for (code, (name, count)) in categories
                .names
                .iter()
                .zip(&categories.counts)
                .enumerate()
                .take(loupe_core::MAX_CATEGORIES)
            {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                ui.painter().circle_filled(
                    rect.center(),
                    5.0,
                    palette::to_egui(palette::category_rgb(code)),
                );
                let mut shown = !hidden.contains(&code);
                if ui
                    .checkbox(&mut shown, "")
                    .on_hover_text(format!("show or hide {name}"))
                    .changed()
                {
                    commands.push(Command::ToggleCategory(code));
                }
                let modifiers = ui.input(|i| i.modifiers);
                if ui
                    .add(egui::Label::new(format!("{name}  ({count})")).sense(egui::Sense::click()))
                    .on_hover_text("click to select these points (Shift adds, Alt subtracts)")
                    .clicked()
                {
                    commands.push(Command::SelectCategory(
                        code,
                        super::lasso_tool::mode_from(modifiers),
                    ));
                }
                ui.end_row();
            }
        });
        if categories.names.len() > loupe_core::MAX_CATEGORIES {
            ui.label(format!(
                "… {} more",
                categories.names.len() - loupe_core::MAX_CATEGORIES
            ));
        }
    }
}
