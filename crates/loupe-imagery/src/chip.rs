//! A finished chip, its decoded pixels and (for XYZ chips) its georeference.

use std::fmt;
use std::path::PathBuf;

use image::RgbaImage;

use crate::tile_math::{lonlat_to_world_px, world_px_to_lonlat};
use crate::xyz::CropPlan;
use crate::{ChipError, ImageFormat};

/// Georeference of a locally composed (XYZ) chip: how its pixels map to Web Mercator, so the
/// app can show the lon/lat under the cursor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChipView {
    /// Tile zoom the chip was composed at.
    pub zoom: u8,
    /// Global pixel coordinates (at `zoom`) of the image's top-left corner.
    pub origin_world_px: [f64; 2],
    /// Global pixels per image pixel, per axis.
    pub world_px_per_px: [f64; 2],
}

impl ChipView {
    pub(crate) fn from_plan(plan: &CropPlan) -> Self {
        Self {
            zoom: plan.zoom,
            origin_world_px: [plan.x0 as f64, plan.y0 as f64],
            world_px_per_px: [
                f64::from(plan.src_w) / f64::from(plan.out_w),
                f64::from(plan.src_h) / f64::from(plan.out_h),
            ],
        }
    }

    /// Image pixel coordinates (x right, y down; pixel centres at +0.5) of a lon/lat.
    pub fn lonlat_to_pixel(&self, lon: f64, lat: f64) -> [f64; 2] {
        let [x, y] = lonlat_to_world_px(lon, lat, self.zoom);
        [
            (x - self.origin_world_px[0]) / self.world_px_per_px[0],
            (y - self.origin_world_px[1]) / self.world_px_per_px[1],
        ]
    }

    /// Lon/lat of an image pixel position.
    pub fn pixel_to_lonlat(&self, x: f64, y: f64) -> [f64; 2] {
        world_px_to_lonlat(
            self.origin_world_px[0] + x * self.world_px_per_px[0],
            self.origin_world_px[1] + y * self.world_px_per_px[1],
            self.zoom,
        )
    }
}

/// A finished chip: the encoded image as served (Mapbox) or composed (XYZ, PNG).
#[derive(Clone)]
pub struct Chip {
    /// Encoded image bytes.
    pub bytes: Vec<u8>,
    /// Their format.
    pub format: ImageFormat,
    /// True when it came from the disk cache.
    pub from_cache: bool,
    /// The cache file, when cached.
    pub cache_path: Option<PathBuf>,
    /// What must be shown next to it.
    pub attribution: String,
    /// Pixel ↔ lon/lat mapping, for XYZ chips.
    pub view: Option<ChipView>,
}

impl fmt::Debug for Chip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chip")
            .field("bytes", &self.bytes.len())
            .field("format", &self.format)
            .field("from_cache", &self.from_cache)
            .field("cache_path", &self.cache_path)
            .field("view", &self.view)
            .finish_non_exhaustive()
    }
}

/// Decoded RGBA8 pixels, row-major, for a texture upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbaChip {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 4` bytes.
    pub rgba: Vec<u8>,
}

impl Chip {
    /// Decodes the image (the app turns this into a texture).
    pub fn decode(&self) -> Result<RgbaChip, ChipError> {
        let img = decode(&self.bytes, self.format, "chip")?;
        Ok(RgbaChip {
            width: img.width(),
            height: img.height(),
            rgba: img.into_raw(),
        })
    }
}

/// Fully decodes an image (catching truncated bodies) into RGBA8.
pub(crate) fn decode(
    bytes: &[u8],
    format: ImageFormat,
    host: &str,
) -> Result<RgbaImage, ChipError> {
    image::load_from_memory_with_format(bytes, format.to_image())
        .map(image::DynamicImage::into_rgba8)
        .map_err(|e| ChipError::Decode {
            host: host.to_owned(),
            format: format.extension().to_owned(),
            reason: e.to_string(),
        })
}
