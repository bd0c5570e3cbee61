//! [`write_png`]: one RGBA image to a PNG file.

use std::io::Write as _;
use std::path::Path;

use crate::pending::Pending;
use crate::{VideoError, check_frame};

/// Writes `width × height` RGBA pixels (rows top to bottom, straight alpha) as an 8-bit RGBA
/// PNG, tagged sRGB so viewers show the colours as rendered. The file appears at its path only
/// when complete.
pub fn write_png(path: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<(), VideoError> {
    if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(VideoError::BadSize {
            format: "PNG",
            width,
            height,
            reason: "each side must be at least 1 pixel",
        });
    }
    check_frame(rgba, width, height, 0)?;
    let pending = Pending::create(path)?;
    let encoding = |e: png::EncodingError| VideoError::Encoding {
        format: "PNG",
        message: e.to_string(),
        path: path.to_path_buf(),
    };
    let mut out = pending.writer()?;
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
        let mut writer = encoder.write_header().map_err(encoding)?;
        writer.write_image_data(rgba).map_err(encoding)?;
        writer.finish().map_err(encoding)?;
    }
    out.flush().map_err(|e| pending.failed(e))?;
    drop(out);
    pending.persist()
}
