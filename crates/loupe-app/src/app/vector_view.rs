//! A row's vector in the inspector: as a grey-scale picture when the vectors are images (the
//! dataset's guess, or a height × width the user sets), else as a line plot over the
//! dimension index — spectra and embeddings read well that way.

use std::sync::{Arc, Weak};

use loupe_core::Dataset;

/// Most points drawn in the line plot; longer vectors are reduced to per-bucket min and max,
/// which keeps every spike visible.
const MAX_PLOT_POINTS: usize = 4096;

/// How a vector is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorView {
    /// A picture of height × width pixels.
    Image([usize; 2]),
    /// A line plot, x = dimension index.
    Plot,
}

/// The user's choice of view for the current dataset, and what was drawn last.
pub struct VectorSettings {
    dataset: Weak<Dataset>,
    /// Draw vectors as pictures of `shape`.
    pub as_image: bool,
    /// Height × width of the picture; must multiply to the dimension.
    pub shape: [usize; 2],
    /// What the inspector drew last frame.
    pub drawn: Option<VectorView>,
}

impl Default for VectorSettings {
    fn default() -> Self {
        Self {
            dataset: Weak::new(),
            as_image: false,
            shape: [1, 1],
            drawn: None,
        }
    }
}

impl VectorSettings {
    /// Starts from the dataset's own guess when the dataset changes.
    fn follow(&mut self, dataset: &Arc<Dataset>) {
        if std::ptr::eq(self.dataset.as_ptr(), Arc::as_ptr(dataset)) {
            return;
        }
        self.dataset = Arc::downgrade(dataset);
        self.as_image = dataset.image_shape().is_some();
        self.shape = dataset
            .image_shape()
            .unwrap_or_else(|| squarest_shape(dataset.dim()));
        self.drawn = None;
    }

    /// The view for vectors of dimension `dim`: a picture only when the shape fits.
    pub fn view(&self, dim: usize) -> VectorView {
        let [h, w] = self.shape;
        if self.as_image && h.checked_mul(w) == Some(dim) {
            VectorView::Image(self.shape)
        } else {
            VectorView::Plot
        }
    }

    /// The shape controls and the vector of `row`.
    pub fn vector_ui(&mut self, ui: &mut egui::Ui, dataset: &Arc<Dataset>, row: usize) {
        self.follow(dataset);
        let dim = dataset.dim();
        ui.checkbox(&mut self.as_image, "view vector as image");
        if self.as_image {
            // On a line of their own, so the inspector keeps its width.
            ui.horizontal(|ui| {
                let [h, w] = &mut self.shape;
                let label = ui.label("H");
                ui.add(egui::DragValue::new(h).range(1..=dim))
                    .labelled_by(label.id);
                let label = ui.label("× W");
                ui.add(egui::DragValue::new(w).range(1..=dim))
                    .labelled_by(label.id);
            });
        }
        let view = self.view(dim);
        if self.as_image && view == VectorView::Plot {
            let [h, w] = self.shape;
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{h} × {w} = {} is not the dimension {dim}", h * w),
            );
        }
        match view {
            VectorView::Image(shape) => vector_image_ui(ui, dataset, row, shape),
            VectorView::Plot => vector_plot_ui(ui, dataset.row(row)),
        }
        self.drawn = Some(view);
    }
}

/// The factorisation `h × w = dim` with `h ≤ w` closest to a square (768 → 24 × 32).
pub fn squarest_shape(dim: usize) -> [usize; 2] {
    let mut h = dim.isqrt().max(1);
    while h > 1 && !dim.is_multiple_of(h) {
        h -= 1;
    }
    [h, dim / h]
}

/// What a cached vector picture shows: dataset name, row, shape.
type ImageKey = (String, usize, [usize; 2]);

/// Draws a row's vector as a grey-scale picture, scaled to the panel width.
fn vector_image_ui(ui: &mut egui::Ui, dataset: &Dataset, row: usize, [height, width]: [usize; 2]) {
    let id = egui::Id::unique("inspector_image");
    let key = (dataset.name().to_owned(), row, [height, width]);
    let cached: Option<(ImageKey, egui::TextureHandle)> = ui.data(|d| d.get_temp(id));
    let texture = match cached {
        Some((cached_key, texture)) if cached_key == key => texture,
        _ => {
            let image = grey_picture(dataset.row(row), [height, width]);
            let texture =
                ui.ctx()
                    .load_texture("inspector_image", image, egui::TextureOptions::NEAREST);
            ui.data_mut(|d| d.insert_temp(id, (key, texture.clone())));
            texture
        }
    };
    let side = ui.available_width().min(224.0);
    let scale = side / width.max(height) as f32;
    let size = egui::vec2(width as f32 * scale, height as f32 * scale);
    ui.add(egui::Image::new((texture.id(), size)));
}

/// A vector as a grey-scale picture, its minimum black and its maximum white.
pub(super) fn grey_picture(values: &[f32], [height, width]: [usize; 2]) -> egui::ColorImage {
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
    egui::ColorImage::from_gray([width, height], &pixels)
}

/// Draws a row's vector as a line over the dimension index.
fn vector_plot_ui(ui: &mut egui::Ui, values: &[f32]) {
    let points = plot_points(values, MAX_PLOT_POINTS);
    fixed_plot("inspector_vector_plot", 160.0).show(ui, |plot| {
        plot.line(egui_plot::Line::new(
            "vector",
            egui_plot::PlotPoints::new(points),
        ));
    });
}

/// A plot that stays put: inside a scrolling panel, drag and scroll belong to the panel.
pub(super) fn fixed_plot(id: &str, height: f32) -> egui_plot::Plot<'_> {
    egui_plot::Plot::new(id)
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
}

/// `(index, value)` pairs; above `max` values, the min and max of each of `max / 2` buckets.
fn plot_points(values: &[f32], max: usize) -> Vec<[f64; 2]> {
    if values.len() <= max {
        return values
            .iter()
            .enumerate()
            .map(|(i, &v)| [i as f64, f64::from(v)])
            .collect();
    }
    let buckets = (max / 2).max(1);
    let per = values.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(2 * buckets);
    for (b, chunk) in values.chunks(per).enumerate() {
        let start = b * per;
        let (mut lo, mut hi) = ((0, f32::INFINITY), (0, f32::NEG_INFINITY));
        for (i, &v) in chunk.iter().enumerate() {
            if v < lo.1 {
                lo = (i, v);
            }
            if v > hi.1 {
                hi = (i, v);
            }
        }
        let (first, second) = if lo.0 <= hi.0 { (lo, hi) } else { (hi, lo) };
        out.push([(start + first.0) as f64, f64::from(first.1)]);
        out.push([(start + second.0) as f64, f64::from(second.1)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_plot_reduction() {
        assert_eq!(squarest_shape(768), [24, 32]);
        assert_eq!(squarest_shape(784), [28, 28]);
        assert_eq!(squarest_shape(13), [1, 13]);
        let short = plot_points(&[1.0, 3.0, 2.0], 10);
        assert_eq!(short, vec![[0.0, 1.0], [1.0, 3.0], [2.0, 2.0]]);
        let mut long = vec![0.0_f32; 10_000];
        long[5_000] = 9.0;
        let reduced = plot_points(&long, 100);
        assert!(reduced.len() <= 100);
        assert!(reduced.contains(&[5_000.0, 9.0]), "the spike survives");
    }
}
