//! The desktop app: an eframe shell around a [`Session`].

mod chip_panel;
mod chip_settings;
mod chip_thumbnails;
mod clusters;
mod colouring;
mod command;
mod compare;
mod continuation;
mod export;
mod files_ui;
mod filters;
mod inspector;
mod lasso_tool;
mod layout_run;
mod loader;
mod palette;
mod picker;
mod plot_view;
mod selection;
mod selection_ui;
mod session;
mod shown_chip;
mod side_panel;
mod similar;
mod similar_ui;
mod simulate_ui;
mod status_bar;
mod timeline;
mod vector_view;
mod video_export;
mod views;

use std::sync::Arc;

pub use chip_panel::ChipPanel;
pub use clusters::ClusterSpace;
pub use colouring::{ColourSource, Structure};
pub use compare::Comparison;
pub use continuation::{PROJECTED_COLUMN, Projection};
pub use export::{ExportJob, TrajectorySettings};
pub use filters::{Filter, FilterKind, FilterState};
pub use inspector::Inspector;
pub use lasso_tool::PlotTool;
pub use layout_run::LayoutRun;
pub use loader::DataSource;
pub use plot_view::PlotView;
pub use session::{ClassLabel, Command, LoadPurpose, Session};
pub use shown_chip::ShownChip;
pub use similar::{Candidate, LABEL_COLUMN, Label, SCORE_COLUMN, StrategyChoice};
pub use simulate_ui::SimulationState;
pub use timeline::{DEFAULT_BUDGET_MIB, Replay, TimelineState};
pub use vector_view::{VectorSettings, VectorView};
pub use video_export::{VideoSettings, VideoState};

use crate::cli::OpenArgs;

/// Opens the native window and runs until it is closed.
pub fn run_native(args: OpenArgs) -> anyhow::Result<()> {
    let read = args.read.read_options();
    let cache = args.read.cache_policy();
    let source = match args.input {
        Some(path) => DataSource::File {
            path,
            read: read.clone(),
        },
        None => DataSource::Demo {
            limit: args.read.limit,
        },
    };
    let autostart = !args.no_autostart;
    let tsne = args.tsne;
    let umap = args.umap;
    let method = args.method;
    let imagery = crate::imagery::ImagerySettings::from_args(&args.imagery, args.chip_cache_dir)?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Loupe")
            .with_inner_size([1400.0, 900.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    eframe::run_native(
        "Loupe",
        options,
        Box::new(move |cc| {
            let mut app = LoupeApp::new(cc, None, autostart);
            app.session.params = tsne;
            app.session.umap = umap;
            app.session.method = method;
            app.session.read_options = read;
            app.session.cache_policy = cache;
            app.inspector.chips.configure(imagery);
            app.session.handle(Command::Open(source));
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}

/// The eframe application.
pub struct LoupeApp {
    /// State and logic.
    pub session: Session,
    /// Camera and interaction state of the scatter plot.
    pub plot: PlotView,
    /// The pinned layout's plot, beside the live one while comparing.
    pub compare_plot: PlotView,
    /// Whether the GPU point renderer is available (false in a window without wgpu).
    pub has_renderer: bool,
    /// The right panel's chip and vector views.
    pub inspector: Inspector,
    file_dialog: Option<Arc<loupe_core::LatestSlot<Option<std::path::PathBuf>>>>,
    /// What the file chosen in the dialog is for.
    file_dialog_purpose: DialogPurpose,
    pending: Vec<Command>,
}

impl LoupeApp {
    /// Creates the app, installs the point renderer on eframe's wgpu device and starts loading
    /// `source`.
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        source: Option<DataSource>,
        autostart: bool,
    ) -> Self {
        let has_renderer = if let Some(render_state) = cc.wgpu_render_state.as_ref() {
            loupe_render::install(render_state);
            true
        } else {
            log::warn!("no wgpu render state: points cannot be drawn");
            false
        };
        cc.egui_ctx.set_theme(egui::Theme::Dark);
        let ctx = cc.egui_ctx.clone();
        let mut session = Session::new(Arc::new(move || ctx.request_repaint()), autostart);
        if let Some(source) = source {
            session.handle(Command::Open(source));
        }
        Self {
            session,
            plot: PlotView::default(),
            compare_plot: PlotView::pinned(),
            has_renderer,
            inspector: Inspector::new(&cc.egui_ctx),
            file_dialog: None,
            file_dialog_purpose: DialogPurpose::Load(LoadPurpose::Open),
            pending: Vec::new(),
        }
    }

    /// Queues a command for the next logic pass (what widgets do).
    pub fn queue(&mut self, command: Command) {
        self.pending.push(command);
    }

    fn menu_bar_ui(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open…").clicked() {
                    self.open_dialog(ui.ctx(), LoadPurpose::Open, false);
                    ui.close();
                }
                if ui
                    .button("Open folder…")
                    .on_hover_text(
                        "every .gpq/.parquet file in a folder as one dataset (Clay file names \
                         add mgrs and date columns); unreadable files are listed, not fatal",
                    )
                    .clicked()
                {
                    self.open_dialog(ui.ctx(), LoadPurpose::Open, true);
                    ui.close();
                }
                let can_add = self.session.layout.is_some() && !self.session.is_running();
                if ui
                    .add_enabled(can_add, egui::Button::new("Add points to layout…"))
                    .on_hover_text(
                        "place the rows of another file (same vector length) into the finished \
                         layout without moving it; they are drawn hollow",
                    )
                    .clicked()
                {
                    self.open_dialog(ui.ctx(), LoadPurpose::AddPoints, false);
                    ui.close();
                }
                let has_layout = self.session.positions().is_some();
                if ui
                    .add_enabled(has_layout, egui::Button::new("Export layout…"))
                    .on_hover_text("every column plus x, y, as (Geo)Parquet or CSV")
                    .clicked()
                {
                    self.save_dialog(ui.ctx());
                    ui.close();
                }
                if ui.button("Open demo (MNIST digits)").clicked() {
                    self.queue(Command::Open(DataSource::Demo { limit: None }));
                    ui.close();
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Fit layout to window").clicked() {
                    self.plot.auto_fit = true;
                    ui.close();
                }
            });
        });
    }

    /// Asks for a file or folder to load.
    fn open_dialog(&mut self, ctx: &egui::Context, purpose: LoadPurpose, folder: bool) {
        self.run_dialog(ctx, DialogPurpose::Load(purpose), move || {
            let dialog = rfd::FileDialog::new();
            if folder {
                return dialog.pick_folder();
            }
            dialog
                .add_filter(
                    "Embeddings",
                    &[
                        "parquet",
                        "gpq",
                        "geoparquet",
                        "arrow",
                        "feather",
                        "ipc",
                        "csv",
                        "tsv",
                        "npy",
                        "npz",
                        "gz",
                        "idx3-ubyte",
                    ],
                )
                .add_filter("All files", &["*"])
                .pick_file()
        });
    }

    /// Asks where to export the layout.
    fn save_dialog(&mut self, ctx: &egui::Context) {
        self.run_dialog(ctx, DialogPurpose::ExportLayout, || {
            rfd::FileDialog::new()
                .set_file_name("layout.parquet")
                .add_filter("Parquet (GeoParquet with geometry)", &["parquet"])
                .add_filter("CSV (geometry as WKT)", &["csv"])
                .save_file()
        });
    }

    /// The native file dialog blocks its thread, so it runs on its own.
    fn run_dialog(
        &mut self,
        ctx: &egui::Context,
        purpose: DialogPurpose,
        pick: impl FnOnce() -> Option<std::path::PathBuf> + Send + 'static,
    ) {
        self.file_dialog_purpose = purpose;
        let slot = Arc::new(loupe_core::LatestSlot::new());
        let thread_slot = Arc::clone(&slot);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("loupe-file-dialog".to_owned())
            .spawn(move || {
                thread_slot.publish(pick());
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.file_dialog = Some(slot),
            Err(err) => self.session.error = Some(format!("could not open a file dialog: {err}")),
        }
    }

    fn poll_file_dialog(&mut self) {
        let Some(slot) = &self.file_dialog else {
            return;
        };
        if let Some(picked) = slot.take() {
            self.file_dialog = None;
            match picked.as_ref() {
                Some(path) => {
                    let source = DataSource::File {
                        path: path.clone(),
                        read: self.session.read_options.clone(),
                    };
                    self.queue(match self.file_dialog_purpose {
                        DialogPurpose::Load(LoadPurpose::Open) => Command::Open(source),
                        DialogPurpose::Load(LoadPurpose::AddPoints) => Command::AddPoints(source),
                        DialogPurpose::ExportLayout => Command::ExportLayout(path.clone()),
                    });
                }
                None => {
                    // Cancelled, or no desktop portal to show a dialog: offer the path field.
                    self.session.error = Some(
                        "no file chosen (if no dialog appeared, type a path under File > Open a path)"
                            .to_owned(),
                    );
                }
            }
        }
    }
}

/// What a file dialog's answer is for.
#[derive(Debug, Clone, Copy)]
enum DialogPurpose {
    Load(LoadPurpose),
    ExportLayout,
}

impl eframe::App for LoupeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_file_dialog();
        let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.queue(Command::Open(DataSource::File {
                path,
                read: self.session.read_options.clone(),
            }));
        }
        for command in std::mem::take(&mut self.pending) {
            self.session.handle(command);
        }
        self.session.poll();
        self.inspector.poll(ctx, &self.session);
        if self
            .session
            .timeline
            .replay
            .as_ref()
            .is_some_and(|r| r.playing)
        {
            ctx.request_repaint();
        } else if self.session.loading.is_some() || self.session.is_running() {
            // Keep the fps readout and spinner alive; new snapshots also request repaints.
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar_ui(ui));
        egui::Panel::bottom("status").show(ui, |ui| status_bar::status_bar_ui(ui, &self.session));
        let mut commands = Vec::new();
        egui::Panel::left("controls")
            .default_size(290.0)
            .size_range(240.0..=420.0)
            .show(ui, |ui| {
                side_panel::side_panel_ui(ui, &mut self.session, &mut self.plot, &mut commands);
            });
        egui::Panel::right("inspector")
            .default_size(300.0)
            .size_range(240.0..=600.0)
            .show(ui, |ui| {
                similar_ui::similar_ui(ui, &mut self.session, &mut self.inspector, &mut commands);
                inspector::inspector_ui(ui, &self.session, &mut self.inspector, &mut commands);
            });
        egui::Panel::bottom("timeline").show(ui, |ui| {
            timeline::timeline_ui(ui, &mut self.session, &mut commands);
        });
        self.session.hovered = None;
        simulate_ui::simulation_window(ui.ctx(), &mut self.session);
        egui::CentralPanel::no_frame().show(ui, |ui| {
            if self.session.comparison.is_some() {
                let whole = ui.max_rect();
                let gap = 4.0;
                let half = (whole.width() - gap) / 2.0;
                let left = egui::Rect::from_min_size(whole.min, egui::vec2(half, whole.height()));
                let right = egui::Rect::from_min_size(
                    whole.min + egui::vec2(half + gap, 0.0),
                    egui::vec2(half, whole.height()),
                );
                ui.scope_builder(egui::UiBuilder::new().max_rect(left), |ui| {
                    self.plot
                        .plot_ui(ui, &mut self.session, self.has_renderer, &mut commands);
                });
                ui.scope_builder(egui::UiBuilder::new().max_rect(right), |ui| {
                    self.compare_plot.plot_ui(
                        ui,
                        &mut self.session,
                        self.has_renderer,
                        &mut commands,
                    );
                });
            } else {
                self.plot
                    .plot_ui(ui, &mut self.session, self.has_renderer, &mut commands);
            }
        });
        similar_ui::label_keys(ui.ctx(), &self.session, &mut commands);
        if !commands.is_empty() {
            ui.ctx().request_repaint();
        }
        self.pending.extend(commands);
    }
}
