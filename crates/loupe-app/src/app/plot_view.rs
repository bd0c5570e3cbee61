//! The scatter plot: camera, pan/zoom, hover, click, class labels, and the GPU points.

use loupe_render::{Camera, Highlight, PointFrame, pack_rgba};

use super::inspector::selection_title;
use super::lasso_tool::{PlotTool, SelectDrag, tool_bar_ui};
use super::session::{Command, Session};

/// Camera and interaction state of the plot.
pub struct PlotView {
    /// Data → screen mapping.
    pub camera: Camera,
    /// Follow the layout as it grows (on until the user pans or zooms).
    pub auto_fit: bool,
    /// Point radius in screen points.
    pub point_radius_px: f32,
    /// Global opacity of the points.
    pub opacity: f32,
    /// Draw each class's name at the median of its points.
    pub show_class_labels: bool,
    /// Where the plot was drawn last frame, in screen points.
    pub rect: egui::Rect,
    /// What a drag does: pan, lasso or box.
    pub tool: PlotTool,
    /// The lasso or box being dragged.
    drag: SelectDrag,
    /// Shows the pinned comparison layout instead of the live one.
    pinned: bool,
}

impl Default for PlotView {
    fn default() -> Self {
        Self {
            camera: Camera::default(),
            auto_fit: true,
            point_radius_px: 2.5,
            opacity: 0.85,
            show_class_labels: true,
            rect: egui::Rect::NOTHING,
            tool: PlotTool::default(),
            drag: SelectDrag::default(),
            pinned: false,
        }
    }
}

impl PlotView {
    /// The data rectangle the plot shows now (min, max), for a picture of the current view.
    pub fn visible_data_rect(&self) -> ([f32; 2], [f32; 2]) {
        let a = self.to_data(self.rect.min);
        let b = self.to_data(self.rect.max);
        (
            [a[0].min(b[0]), a[1].min(b[1])],
            [a[0].max(b[0]), a[1].max(b[1])],
        )
    }

    /// The plot of the layout pinned for comparison (drawn by a renderer of its own).
    pub fn pinned() -> Self {
        Self {
            pinned: true,
            ..Self::default()
        }
    }

    /// The positions this plot shows and their generation.
    fn shown(&self, session: &Session) -> Option<(std::sync::Arc<Vec<f32>>, u64)> {
        if self.pinned {
            let comparison = session.comparison.as_ref()?;
            Some((comparison.positions.clone(), comparison.generation))
        } else {
            Some((session.positions()?.clone(), session.positions_generation))
        }
    }

    /// Screen position (egui points) of a row in the layout this plot shows.
    pub fn screen_pos_of(&self, session: &Session, row: usize) -> Option<egui::Pos2> {
        let (positions, _) = self.shown(session)?;
        let p = [*positions.get(2 * row)?, *positions.get(2 * row + 1)?];
        Some(self.to_screen(p))
    }

    fn to_screen(&self, p: [f32; 2]) -> egui::Pos2 {
        let [x, y] = self.camera.screen_from_data(p, self.rect);
        egui::pos2(x, y)
    }

    fn to_data(&self, pos: egui::Pos2) -> [f32; 2] {
        self.camera.data_from_screen([pos.x, pos.y], self.rect)
    }

    fn size(&self) -> [f32; 2] {
        [self.rect.width(), self.rect.height()]
    }

    /// Draws the plot and handles its input.
    pub fn plot_ui(
        &mut self,
        ui: &mut egui::Ui,
        session: &mut Session,
        has_renderer: bool,
        commands: &mut Vec<Command>,
    ) {
        let (rect, response) =
            ui.allocate_exact_size(ui.available_size(), egui::Sense::click_and_drag());
        self.rect = rect;
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 0.0, egui::Color32::from_gray(12));

        let Some((positions, generation)) = self.shown(session) else {
            let message = if session.loading.is_some() {
                "loading…"
            } else if session.is_running() {
                "computing neighbours and affinities…"
            } else {
                "open a dataset and press Start"
            };
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                message,
                egui::FontId::proportional(16.0),
                egui::Color32::from_gray(160),
            );
            return;
        };

        self.handle_navigation(ui, &response);
        let modifiers = ui.input(|i| i.modifiers);
        let (camera, plot_rect) = (self.camera, self.rect);
        self.drag.update(
            self.tool,
            &response,
            modifiers,
            &positions,
            |p| camera.data_from_screen([p.x, p.y], plot_rect),
            commands,
        );
        if response.hovered() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            commands.push(Command::ClearSelection);
        }
        if self.auto_fit
            && let Some((lo, hi)) = loupe_core::bounds_2d(&positions)
        {
            self.camera.fit(lo, hi, self.rect, 0.05);
        }

        // Hover and click (the hovered row is shared: both plots of a comparison ring it).
        if let Some(pointer) = response.hover_pos() {
            let [x, y] = self.to_data(pointer);
            let radius = (self.point_radius_px + 4.0) / self.camera.pixels_per_unit;
            session.hovered = if self.pinned {
                session.pick_pinned(x, y, radius)
            } else {
                session
                    .pick(x, y, radius)
                    .filter(|&r| session.is_visible(r))
            };
        }
        if response.clicked() {
            commands.push(Command::Select(session.hovered));
        }

        if has_renderer {
            let mut highlights = Vec::new();
            if let Some(row) = session.hovered {
                highlights.push(Highlight {
                    index: row as u32,
                    color: pack_rgba(255, 255, 255, 255),
                    radius_px: self.point_radius_px + 4.0,
                });
            }
            if let Some(row) = session.selected {
                highlights.push(Highlight {
                    index: row as u32,
                    color: pack_rgba(255, 210, 0, 255),
                    radius_px: self.point_radius_px + 6.0,
                });
            }
            if session.clusters.show_exemplars {
                let n = session.n_rows() as u32;
                highlights.extend(session.clusters.exemplars.iter().filter(|&&r| r < n).map(
                    |&index| Highlight {
                        index,
                        color: pack_rgba(255, 255, 255, 220),
                        radius_px: self.point_radius_px + 3.0,
                    },
                ));
            }
            let frame = PointFrame {
                positions: positions.clone(),
                positions_generation: generation,
                colors: session.colors.clone(),
                colors_generation: session.colors_generation,
                camera: self.camera,
                viewport_px: self.size(),
                point_radius_px: self.point_radius_px,
                opacity: self.opacity,
                highlights,
                hollow_from: session.hollow_from(),
            };
            painter.add(loupe_render::points_paint_callback_for(
                u64::from(self.pinned),
                rect,
                frame,
            ));
        } else {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "no GPU renderer available",
                egui::FontId::proportional(16.0),
                egui::Color32::from_gray(160),
            );
        }

        let (camera, plot_rect) = (self.camera, self.rect);
        super::similar_ui::paint_markers(
            &painter,
            session,
            &positions,
            self.point_radius_px,
            |p| {
                let [x, y] = camera.screen_from_data(p, plot_rect);
                egui::pos2(x, y)
            },
        );
        self.drag.paint(self.tool, &painter);
        tool_bar_ui(ui, rect, &mut self.tool);

        if self.show_class_labels {
            let labels = match (&session.comparison, self.pinned) {
                (Some(comparison), true) => &comparison.class_labels,
                _ => &session.class_labels,
            };
            for label in labels {
                class_label_ui(&painter, self.to_screen(label.position), label);
            }
        }
        self.comparison_title_ui(ui, session, commands);

        if let (Some(row), Some(dataset)) = (session.hovered, session.dataset.clone()) {
            let title = selection_title(session, row);
            response.on_hover_ui_at_pointer(|ui| {
                ui.label(egui::RichText::new(title).strong());
                for (column, value) in dataset.row_text(row).into_iter().take(8) {
                    ui.label(format!("{column}: {value}"));
                }
            });
        }
    }

    /// While comparing: which layout each plot shows, and the button that closes the pinned
    /// one.
    fn comparison_title_ui(
        &self,
        ui: &mut egui::Ui,
        session: &Session,
        commands: &mut Vec<Command>,
    ) {
        let Some(comparison) = &session.comparison else {
            return;
        };
        let title = if self.pinned {
            comparison.title.clone()
        } else {
            let iteration = session.snapshot.as_ref().map_or(0, |s| s.iteration);
            format!(
                "current: {}, iteration {iteration}",
                session.run_description
            )
        };
        let at = egui::pos2(self.rect.left() + 10.0, self.rect.top() + 36.0);
        let width = (self.rect.width() - 20.0).max(80.0);
        egui::Area::new(egui::Id::unique(("comparison_title", self.pinned)))
            .fixed_pos(at)
            .pivot(egui::Align2::LEFT_TOP)
            .order(egui::Order::Foreground)
            .show(ui.ctx(), |ui| {
                ui.set_max_width(width);
                ui.horizontal(|ui| {
                    if self.pinned && ui.small_button("close").clicked() {
                        commands.push(Command::CloseComparison);
                    }
                    ui.add(egui::Label::new(egui::RichText::new(title).strong()).truncate());
                });
            });
    }

    fn handle_navigation(&mut self, ui: &egui::Ui, response: &egui::Response) {
        if response.dragged() && self.tool == PlotTool::Pan {
            let delta = response.drag_delta();
            if delta != egui::Vec2::ZERO {
                self.camera.pan_by_px([delta.x, delta.y]);
                self.auto_fit = false;
            }
        }
        if response.double_clicked() {
            self.auto_fit = true;
        }
        if let Some(pointer) = response.hover_pos() {
            let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let factor = (scroll / 200.0).exp() * pinch;
            if (factor - 1.0).abs() > 1e-4 {
                self.camera
                    .zoom_around([pointer.x, pointer.y], factor, self.rect);
                self.auto_fit = false;
            }
        }
    }
}

/// A class name on a dark pill so it reads over points of any colour, including its own.
fn class_label_ui(painter: &egui::Painter, center: egui::Pos2, label: &super::session::ClassLabel) {
    let galley = painter.layout_no_wrap(
        label.name.clone(),
        egui::FontId::proportional(22.0),
        super::palette::to_egui(label.rgb),
    );
    let rect = egui::Rect::from_center_size(center, galley.size()).expand2(egui::vec2(5.0, 1.0));
    painter.rect_filled(rect, 4.0, egui::Color32::from_black_alpha(190));
    painter.galley(
        rect.min + egui::vec2(5.0, 1.0),
        galley,
        egui::Color32::WHITE,
    );
}
