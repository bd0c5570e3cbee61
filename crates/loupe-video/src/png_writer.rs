//! [`PngWriter`] and [`write_png`]: one RGBA image to a PNG file.

use std::io::Write as _;
use std::path::Path;

use crate::pending::Pending;
use crate::{VideoError, check_frame};

/// A PNG file opened before its picture exists, so an unwritable destination fails before
/// anything is rendered; [`Self::write`] encodes the picture and moves the file into place.
pub struct PngWriter {
    pending: Pending,
    width: u32,
    height: u32,
}

impl PngWriter {
    /// Checks the size and creates the file's temporary sibling.
    pub fn create(path: &Path, width: u32, height: u32) -> Result<Self, VideoError> {
        if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
            return Err(VideoError::BadSize {
                format: "PNG",
                width,
                height,
                reason: "each side must be at least 1 pixel",
            });
        }
        Ok(Self {
            pending: Pending::create(path)?,
            width,
            height,
        })
    }

    /// Writes `width × height` RGBA pixels (rows top to bottom, straight alpha) as an 8-bit
    /// RGBA PNG tagged sRGB, so viewers show the colours as rendered; returns the file size.
    pub fn write(self, rgba: &[u8]) -> Result<u64, VideoError> {
        check_frame(rgba, self.width, self.height, 0)?;
        let Self {
            pending,
            width,
            height,
        } = self;
        let encoding = |e: png::EncodingError| VideoError::Encoding {
            format: "PNG",
            message: e.to_string(),
            path: pending.path().to_path_buf(),
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
        let bytes = out
            .get_ref()
            .metadata()
            .map_err(|e| pending.failed(e))?
            .len();
        drop(out);
        pending.persist()?;
        Ok(bytes)
    }
}

/// Writes one picture as a PNG ([`PngWriter`] in one call).
pub fn write_png(path: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<(), VideoError> {
    check_frame(rgba, width, height, 0)?;
    PngWriter::create(path, width, height)?.write(rgba)?;
    Ok(())
}
