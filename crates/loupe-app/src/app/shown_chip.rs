//! A chip once downloaded: decoded on a named, short-lived thread (a 1280 px chip takes about
//! 10 ms, too long for a frame), uploaded as a texture, and drawn at the panel's width with its
//! attribution.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use loupe_imagery::{Chip, ChipView, RgbaChip};

/// A decoded chip on screen.
pub struct ShownChip {
    /// The row it belongs to.
    pub row: usize,
    /// The uploaded image.
    pub texture: egui::TextureHandle,
    /// Its size in pixels.
    pub size: [u32; 2],
    /// The provider's required attribution, shown under the image.
    pub attribution: String,
    /// Whether it came from the disk cache.
    pub from_cache: bool,
    /// How long decoding took (on the decode thread).
    pub decode_time: Duration,
    /// From click to texture.
    pub total_time: Duration,
    /// Pixel ↔ lon/lat mapping (XYZ chips), for the coordinates under the cursor.
    pub view: Option<ChipView>,
}

/// What the decode thread hands back.
pub(super) struct Decoded {
    pixels: RgbaChip,
    chip: Chip,
    took: Duration,
}

/// Decodes `chip` on its own thread, then calls `repaint`; the answer comes on the receiver
/// (dropping it, when another row was clicked meanwhile, is fine).
pub(super) fn spawn_decode(
    chip: Chip,
    repaint: Arc<dyn Fn() + Send + Sync>,
) -> Result<Receiver<Result<Decoded, String>>, String> {
    let (tx, result) = mpsc::sync_channel(1);
    let job = move || {
        let start = Instant::now();
        let decoded = chip
            .decode()
            .map(|pixels| Decoded {
                pixels,
                took: start.elapsed(),
                chip,
            })
            .map_err(|e| e.to_string());
        let _ = tx.try_send(decoded);
        repaint();
    };
    std::thread::Builder::new()
        .name("loupe-chip-decode".to_owned())
        .spawn(job)
        .map(|_| result)
        .map_err(|e| format!("cannot start the chip decoder: {e}"))
}

impl ShownChip {
    /// Uploads the pixels of row `row`'s chip, `since_click` after it was asked for.
    pub(super) fn upload(
        ctx: &egui::Context,
        row: usize,
        decoded: Decoded,
        since_click: Duration,
    ) -> Self {
        let Decoded { pixels, chip, took } = decoded;
        let size = [pixels.width as usize, pixels.height as usize];
        let image = egui::ColorImage::from_rgba_unmultiplied(size, &pixels.rgba);
        let texture = ctx.load_texture("inspector_chip", image, egui::TextureOptions::LINEAR);
        log::debug!(
            "chip of row {row}: {}×{} px, decoded in {took:?}, {since_click:?} from click{}",
            pixels.width,
            pixels.height,
            if chip.from_cache { " (cache)" } else { "" }
        );
        Self {
            row,
            texture,
            size: [pixels.width, pixels.height],
            attribution: chip.attribution,
            from_cache: chip.from_cache,
            decode_time: took,
            total_time: since_click,
            view: chip.view,
        }
    }

    /// The image at the panel's width (the lon/lat under the cursor on hover), the
    /// attribution under it, and what it cost.
    pub fn shown_chip_ui(&self, ui: &mut egui::Ui) {
        let [w, h] = self.size;
        let width = ui.available_width().max(1.0);
        let size = egui::vec2(width, width * h as f32 / w.max(1) as f32);
        let image = egui::Image::new((self.texture.id(), size)).sense(egui::Sense::hover());
        let response = ui.add(image);
        if let (Some(view), Some(pos)) = (self.view, response.hover_pos()) {
            let px = (pos - response.rect.min) * (w as f32 / size.x);
            let [lon, lat] = view.pixel_to_lonlat(f64::from(px.x), f64::from(px.y));
            response.on_hover_text(format!("lat {lat:.5}, lon {lon:.5}"));
        }
        ui.add(egui::Label::new(egui::RichText::new(&self.attribution).small()).wrap());
        let source = if self.from_cache {
            "from the cache"
        } else {
            "downloaded"
        };
        ui.label(
            egui::RichText::new(format!(
                "{w}×{h} px, {source}, decoded in {:.1} ms",
                self.decode_time.as_secs_f64() * 1e3
            ))
            .small()
            .weak(),
        );
    }
}
