//! Picking many points on the plot: a free-hand lasso or a box dragged in screen space,
//! turned into layout coordinates and tested with `loupe_core`'s even-odd lasso. A plain drag
//! replaces the selection, Shift adds, Alt subtracts, Shift+Alt intersects; Esc clears.

use loupe_core::{Lasso, SelectionMode, select_box};

use super::session::Command;

/// What a drag on the plot does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlotTool {
    /// Drag pans (the default).
    #[default]
    Pan,
    /// Drag draws a free-hand lasso.
    Lasso,
    /// Drag draws a rectangle.
    Box,
}

/// A drag in progress, in screen points.
#[derive(Debug, Default)]
pub struct SelectDrag {
    path: Vec<egui::Pos2>,
}

/// Mouse paths are sampled every frame; points closer than this add nothing to a lasso.
const MIN_STEP_PX: f32 = 2.0;

impl SelectDrag {
    /// Follows the pointer while the drag lasts; on release, turns the shape into a
    /// selection command (with `data_from_screen` mapping points to layout coordinates).
    pub fn update(
        &mut self,
        tool: PlotTool,
        response: &egui::Response,
        modifiers: egui::Modifiers,
        positions: &[f32],
        data_from_screen: impl Fn(egui::Pos2) -> [f32; 2],
        commands: &mut Vec<Command>,
    ) {
        if tool == PlotTool::Pan {
            self.path.clear();
            return;
        }
        if response.drag_started() {
            self.path.clear();
            // A drag is recognised only once the pointer has moved: start where it was pressed.
            if let Some(origin) = response.ctx.input(|i| i.pointer.press_origin()) {
                self.path.push(origin);
            }
        }
        if response.dragged()
            && let Some(pos) = response.interact_pointer_pos()
            && self
                .path
                .last()
                .is_none_or(|last| last.distance(pos) >= MIN_STEP_PX)
        {
            self.path.push(pos);
        }
        if response.drag_stopped() {
            let path = std::mem::take(&mut self.path);
            let data: Vec<[f32; 2]> = path.iter().map(|&p| data_from_screen(p)).collect();
            let picked = match tool {
                PlotTool::Lasso if data.len() >= 3 => Lasso::new(&data).select(positions),
                PlotTool::Box if data.len() >= 2 => {
                    select_box(positions, data[0], data[data.len() - 1])
                }
                _ => return,
            };
            commands.push(Command::SelectRows(picked, mode_from(modifiers)));
        }
    }

    /// Draws the shape being dragged.
    pub fn paint(&self, tool: PlotTool, painter: &egui::Painter) {
        let stroke = egui::Stroke::new(1.5, egui::Color32::from_rgb(255, 210, 0));
        match (tool, self.path.as_slice()) {
            (PlotTool::Lasso, path) if path.len() >= 2 => {
                let mut closed = path.to_vec();
                closed.push(path[0]);
                painter.add(egui::Shape::line(closed, stroke));
            }
            (PlotTool::Box, [first, .., last]) => {
                painter.rect_stroke(
                    egui::Rect::from_two_pos(*first, *last),
                    0.0,
                    stroke,
                    egui::StrokeKind::Middle,
                );
            }
            _ => {}
        }
    }
}

/// The selection mode the held modifier keys ask for.
pub fn mode_from(modifiers: egui::Modifiers) -> SelectionMode {
    match (modifiers.shift, modifiers.alt) {
        (true, true) => SelectionMode::Intersect,
        (true, false) => SelectionMode::Add,
        (false, true) => SelectionMode::Subtract,
        (false, false) => SelectionMode::Replace,
    }
}

/// The tool buttons drawn over the plot's top-left corner.
pub fn tool_bar_ui(ui: &mut egui::Ui, rect: egui::Rect, tool: &mut PlotTool) {
    let area = egui::Rect::from_min_size(rect.min + egui::vec2(8.0, 8.0), egui::vec2(220.0, 24.0));
    let mut child = ui.new_child(egui::UiBuilder::new().max_rect(area));
    child.horizontal(|ui| {
        ui.selectable_value(tool, PlotTool::Pan, "pan")
            .on_hover_text("drag to pan, scroll to zoom");
        ui.selectable_value(tool, PlotTool::Lasso, "lasso").on_hover_text(
            "drag a free-hand lasso: Shift adds, Alt subtracts, Shift+Alt intersects, Esc clears",
        );
        ui.selectable_value(tool, PlotTool::Box, "box")
            .on_hover_text(
                "drag a rectangle: Shift adds, Alt subtracts, Shift+Alt intersects, Esc clears",
            );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers_choose_the_mode() {
        let with = |shift, alt| egui::Modifiers {
            shift,
            alt,
            ..egui::Modifiers::NONE
        };
        assert_eq!(mode_from(with(false, false)), SelectionMode::Replace);
        assert_eq!(mode_from(with(true, false)), SelectionMode::Add);
        assert_eq!(mode_from(with(false, true)), SelectionMode::Subtract);
        assert_eq!(mode_from(with(true, true)), SelectionMode::Intersect);
    }
}
