//! The side panel's file controls: a typed path to open or add (with how to read it), and
//! where results go (the layout export and the trajectory recording). Typed paths work where
//! no desktop file dialog can be shown (a bare X server, a remote session) and in tests.

use loupe_data::BadRows;

use super::loader::DataSource;
use super::session::{Command, Session};

/// Rows of a typical Clay patch-level file pool to this many values.
const CLAY_EMBEDDING_DIM: usize = 768;

/// A typed path to open, or to add to the finished layout, and the reading options.
pub fn path_ui(ui: &mut egui::Ui, session: &mut Session, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("path");
        ui.add(
            egui::TextEdit::singleline(&mut session.path_text)
                .hint_text("file or folder to open or add")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    });
    let path = session.path_text.trim();
    let source = || DataSource::File {
        path: path.into(),
        read: session.read_options.clone(),
    };
    let can_add = session.layout.is_some() && !session.is_running();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!path.is_empty(), egui::Button::new("Open"))
            .clicked()
        {
            commands.push(Command::Open(source()));
        }
        if ui
            .add_enabled(!path.is_empty() && can_add, egui::Button::new("Add points"))
            .on_hover_text(
                "place this file's rows (same vector length) into the finished layout \
                 without moving it; they are drawn hollow",
            )
            .clicked()
        {
            commands.push(Command::AddPoints(source()));
        }
    });
    reading_ui(ui, session);
}

/// How files are read: the same choices as the command line's flags.
fn reading_ui(ui: &mut egui::Ui, session: &mut Session) {
    egui::CollapsingHeader::new("Reading options")
        .default_open(false)
        .show(ui, |ui| {
            let read = &mut session.read_options;
            ui.horizontal(|ui| {
                let label = ui.label("vector column");
                let mut column = read.column.clone().unwrap_or_default();
                if ui
                    .add(
                        egui::TextEdit::singleline(&mut column)
                            .hint_text("auto")
                            .desired_width(120.0),
                    )
                    .labelled_by(label.id)
                    .changed()
                {
                    let column = column.trim();
                    read.column = (!column.is_empty()).then(|| column.to_owned());
                }
            });
            ui.horizontal(|ui| {
                let mut limited = read.limit.is_some();
                ui.checkbox(&mut limited, "only the first rows");
                if limited {
                    let mut n = read.limit.unwrap_or(10_000);
                    ui.add(egui::DragValue::new(&mut n).range(1..=usize::MAX))
                        .on_hover_text("rows per file");
                    read.limit = Some(n);
                } else {
                    read.limit = None;
                }
            });
            ui.label("rows with NaN, nulls or the wrong length:");
            ui.radio_value(&mut read.bad_rows, BadRows::Stop, "stop and list them");
            ui.radio_value(
                &mut read.bad_rows,
                BadRows::Drop,
                "drop them (counted in the load report)",
            );
            ui.horizontal(|ui| {
                let mut pooled = read.mean_pool_to.is_some();
                ui.checkbox(&mut pooled, "mean-pool vectors to")
                    .on_hover_text(
                        "patch-level Clay embeddings (16 × 16 patches × 768 values) become \
                         their 768-value mean",
                    );
                if pooled {
                    let mut n = read.mean_pool_to.unwrap_or(CLAY_EMBEDDING_DIM);
                    ui.add(egui::DragValue::new(&mut n).range(1..=1_000_000))
                        .on_hover_text("values per vector after pooling");
                    read.mean_pool_to = Some(n);
                } else {
                    read.mean_pool_to = None;
                }
            });
            let mut cached = session.cache_policy != loupe_ingest::CachePolicy::Off;
            if ui
                .checkbox(&mut cached, "use the dataset cache")
                .on_hover_text("reopening unchanged files is near-instant")
                .changed()
            {
                session.cache_policy = if cached {
                    loupe_ingest::CachePolicy::Default
                } else {
                    loupe_ingest::CachePolicy::Off
                };
            }
        });
}

/// Where results go: the layout as Parquet/CSV, and the trajectory of runs.
pub fn export_ui(
    ui: &mut egui::Ui,
    session: &mut Session,
    view: ([f32; 2], [f32; 2]),
    commands: &mut Vec<Command>,
) {
    ui.heading("Export");
    ui.horizontal(|ui| {
        let label = ui.label("to");
        ui.add(
            egui::TextEdit::singleline(&mut session.export_path)
                .hint_text("layout.parquet or .csv")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    });
    let path = session.export_path.trim().to_owned();
    let has_layout = session.positions().is_some();
    if ui
        .add_enabled(
            !path.is_empty() && has_layout && session.export.is_none(),
            egui::Button::new("Export layout"),
        )
        .on_hover_text(
            "every column plus x, y; geometry stays GeoParquet (QGIS, GeoPandas) or becomes WKT \
             in CSV",
        )
        .clicked()
    {
        commands.push(Command::ExportLayout(path.clone().into()));
    }
    let recorded = super::timeline::lock(&session.timeline.recorded)
        .as_ref()
        .is_some_and(|t| !t.is_empty());
    if ui
        .add_enabled(
            !path.is_empty() && recorded && session.timeline.export.is_none(),
            egui::Button::new("Export timeline"),
        )
        .on_hover_text(
            "every recorded iteration of the run as Parquet: index, x, y, label (the colour \
             column), epoch",
        )
        .clicked()
    {
        commands.push(Command::ExportTimeline(path.clone().into()));
    }
    if session.export.is_some() || session.timeline.export.is_some() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("writing…");
        });
    }
    pictures_ui(ui, session, &path, view, commands);
    ui.horizontal(|ui| {
        let label = ui.label("timeline memory (MiB)");
        ui.add(egui::DragValue::new(&mut session.timeline.budget_mib).range(1..=65_536))
            .labelled_by(label.id)
            .on_hover_text(
                "each run keeps every iteration while this holds them, then every k-th; takes \
                 effect at the next run",
            );
    });
    let trajectory = &mut session.trajectory;
    let toggled = ui
        .checkbox(&mut trajectory.enabled, "record runs' trajectories")
        .on_hover_text(
            "one Parquet file with index, x, y, label, epoch per point per iteration (the \
             animated-layout format), saved when the run ends",
        )
        .changed();
    ui.horizontal(|ui| {
        let label = ui.label("to");
        ui.add(
            egui::TextEdit::singleline(&mut trajectory.path)
                .hint_text("trajectory.parquet")
                .desired_width(150.0),
        )
        .labelled_by(label.id);
        let label = ui.label("every");
        ui.add(egui::DragValue::new(&mut trajectory.every).range(1..=10_000))
            .labelled_by(label.id);
    });
    if toggled {
        commands.push(Command::RecordTrajectory);
    }
    if let Some(notice) = &session.notice {
        ui.label(egui::RichText::new(notice).small());
    }
}

/// A PNG of the current view and a film of the recorded run, rendered offscreen.
fn pictures_ui(
    ui: &mut egui::Ui,
    session: &mut Session,
    path: &str,
    view: ([f32; 2], [f32; 2]),
    commands: &mut Vec<Command>,
) {
    let settings = &mut session.video.settings;
    ui.horizontal(|ui| {
        let label = ui.label("size");
        ui.add(egui::DragValue::new(&mut settings.size[0]).range(64..=8192))
            .labelled_by(label.id);
        ui.add(egui::DragValue::new(&mut settings.size[1]).range(64..=8192))
            .labelled_by(label.id);
        let label = ui.label("fps");
        ui.add(egui::DragValue::new(&mut settings.fps).range(1..=60))
            .labelled_by(label.id);
    });
    ui.checkbox(&mut settings.image_legend, "legend with sample pictures")
        .on_hover_text("for image vectors; colour swatches otherwise");
    let busy = session.video.job.is_some();
    let extension = std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let has_layout = session.positions().is_some();
    let recorded = super::timeline::lock(&session.timeline.recorded)
        .as_ref()
        .is_some_and(|t| t.len() >= 2);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                !busy && has_layout && extension == "png",
                egui::Button::new("Export picture"),
            )
            .on_hover_text("the current view as a .png of this size, drawn offscreen")
            .on_disabled_hover_text("name the file .png")
            .clicked()
        {
            commands.push(Command::ExportPicture(path.into(), view.0, view.1));
        }
        if ui
            .add_enabled(
                !busy && recorded && (extension == "mp4" || extension == "gif"),
                egui::Button::new("Export film"),
            )
            .on_hover_text(
                "every recorded iteration as H.264 .mp4 or .gif: dark canvas, progress bar, \
                 legend",
            )
            .on_disabled_hover_text("name the file .mp4 or .gif (needs a recorded run)")
            .clicked()
        {
            commands.push(Command::ExportFilm(path.into()));
        }
    });
    if let Some(job) = &session.video.job {
        ui.add(egui::ProgressBar::new(job.progress()).text("rendering…"));
    }
}
