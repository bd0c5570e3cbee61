//! Composing a chip from XYZ tiles: which tiles, stitched where, cropped to the padded bbox in
//! Web Mercator pixels, resampled to the output size.

use image::imageops::{self, FilterType};
use image::{Rgba, RgbaImage};

use crate::outline::LonLatBox;
use crate::tile_math::{TILE_SIZE_PX, choose_zoom, lonlat_to_world_px};
use crate::{ChipError, ChipSpec};

/// Most tiles one chip may need (a 1280 px @2x chip at the worst resampling factor).
const MAX_TILES: usize = 400;

/// Colour of the parts of a chip beyond the Mercator world (polar regions).
const OUTSIDE_WORLD: Rgba<u8> = Rgba([64, 64, 64, 255]);

/// Where the chip sits in the world: a crop of the global pixel grid at `zoom`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CropPlan {
    /// Tile zoom level.
    pub zoom: u8,
    /// Top-left corner of the crop, global pixels at `zoom`.
    pub x0: i64,
    /// Top-left corner of the crop, global pixels at `zoom`.
    pub y0: i64,
    /// Crop size in source pixels (≥ 1).
    pub src_w: u32,
    /// Crop size in source pixels (≥ 1).
    pub src_h: u32,
    /// Output size in device pixels.
    pub out_w: u32,
    /// Output size in device pixels.
    pub out_h: u32,
}

impl CropPlan {
    /// Chooses the zoom and the crop so that `bbox` fits the chip inside its padding, centred,
    /// with the chip's aspect ratio.
    pub fn new(bbox: &LonLatBox, spec: &ChipSpec, max_zoom: u8) -> Self {
        let s = spec.scale();
        let (out_w, out_h) = (spec.width_px * s, spec.height_px * s);
        let pad = f64::from(spec.padding() * s);
        let inner_w = (f64::from(out_w) - 2.0 * pad).max(1.0);
        let inner_h = (f64::from(out_h) - 2.0 * pad).max(1.0);
        let zoom = choose_zoom(bbox, inner_w, inner_h, max_zoom);
        let [bx0, by0] = lonlat_to_world_px(bbox.min_lon, bbox.max_lat, zoom);
        let [bx1, by1] = lonlat_to_world_px(bbox.max_lon, bbox.min_lat, zoom);
        let (bw, bh) = ((bx1 - bx0).max(1e-9), (by1 - by0).max(1e-9));
        // Output pixels per source pixel so the bbox just fits the inner area.
        let k = (inner_w / bw).min(inner_h / bh);
        let (src_w, src_h) = (f64::from(out_w) / k, f64::from(out_h) / k);
        let (cx, cy) = (f64::midpoint(bx0, bx1), f64::midpoint(by0, by1));
        Self {
            zoom,
            x0: (cx - src_w / 2.0).round() as i64,
            y0: (cy - src_h / 2.0).round() as i64,
            src_w: src_w.round().max(1.0) as u32,
            src_h: src_h.round().max(1.0) as u32,
            out_w,
            out_h,
        }
    }

    /// Global pixel → output pixel.
    pub fn output_from_world(&self, world: [f64; 2]) -> [f64; 2] {
        [
            (world[0] - self.x0 as f64) * f64::from(self.out_w) / f64::from(self.src_w),
            (world[1] - self.y0 as f64) * f64::from(self.out_h) / f64::from(self.src_h),
        ]
    }

    /// Lon/lat → output pixel (exact Web Mercator projection).
    pub fn project(&self, lon: f64, lat: f64) -> [f64; 2] {
        self.output_from_world(lonlat_to_world_px(lon, lat, self.zoom))
    }

    /// Tile columns and rows covering the crop (columns may lie beyond the antimeridian and
    /// must be wrapped; rows outside the world have no tile).
    pub fn tile_ranges(&self) -> (std::ops::RangeInclusive<i64>, std::ops::RangeInclusive<i64>) {
        let t = i64::from(TILE_SIZE_PX);
        let xs = self.x0.div_euclid(t)..=(self.x0 + i64::from(self.src_w) - 1).div_euclid(t);
        let ys = self.y0.div_euclid(t)..=(self.y0 + i64::from(self.src_h) - 1).div_euclid(t);
        (xs, ys)
    }

    /// Every tile to fetch as `(column, row, wrapped x for the URL, y)`.
    pub fn tiles(&self) -> Result<Vec<(i64, i64, u32, u32)>, ChipError> {
        let n = 1i64 << self.zoom;
        let (xs, ys) = self.tile_ranges();
        let count = (xs.end() - xs.start() + 1) * (ys.end() - ys.start() + 1);
        if count > MAX_TILES as i64 {
            return Err(ChipError::spec(format!(
                "the chip would need {count} tiles (limit {MAX_TILES})"
            )));
        }
        let mut out = Vec::new();
        for ty in ys.filter(|y| (0..n).contains(y)) {
            for tx in xs.clone() {
                out.push((tx, ty, tx.rem_euclid(n) as u32, ty as u32));
            }
        }
        Ok(out)
    }

    /// Stitches decoded tiles (`(column, row, image)`) into the crop and resamples it to the
    /// output size.
    pub fn compose(&self, tiles: &[(i64, i64, RgbaImage)]) -> RgbaImage {
        let mut canvas = RgbaImage::from_pixel(self.src_w, self.src_h, OUTSIDE_WORLD);
        let t = i64::from(TILE_SIZE_PX);
        for (tx, ty, img) in tiles {
            let resized;
            let tile = if img.dimensions() == (TILE_SIZE_PX, TILE_SIZE_PX) {
                img
            } else {
                // e.g. 512-px "retina" tiles: the grid is still 256 px per tile.
                resized = imageops::resize(img, TILE_SIZE_PX, TILE_SIZE_PX, FilterType::Triangle);
                &resized
            };
            imageops::replace(&mut canvas, tile, tx * t - self.x0, ty * t - self.y0);
        }
        if (self.src_w, self.src_h) == (self.out_w, self.out_h) {
            canvas
        } else {
            imageops::resize(&canvas, self.out_w, self.out_h, FilterType::CatmullRom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crop_centres_the_bbox_inside_the_padding() {
        let bbox = LonLatBox {
            min_lon: 10.0,
            min_lat: 45.0,
            max_lon: 10.05,
            max_lat: 45.03,
        };
        let spec = ChipSpec::default();
        let plan = CropPlan::new(&bbox, &spec, 19);
        let nw = plan.project(bbox.min_lon, bbox.max_lat);
        let se = plan.project(bbox.max_lon, bbox.min_lat);
        let pad = f64::from(spec.padding());
        // The tighter axis spans exactly the inner area (±1 px for the integer crop).
        let fits_x = (nw[0] - pad).abs() < 1.5 && (se[0] - (512.0 - pad)).abs() < 1.5;
        let fits_y = (nw[1] - pad).abs() < 1.5 && (se[1] - (512.0 - pad)).abs() < 1.5;
        assert!(fits_x || fits_y, "{nw:?} {se:?}");
        // And it is centred on both axes.
        assert!((nw[0] + se[0] - 512.0).abs() < 1.5 && (nw[1] + se[1] - 512.0).abs() < 1.5);
        // Resampling stays between 1/√2 and √2.
        let k = f64::from(plan.out_w) / f64::from(plan.src_w);
        assert!((0.70..=1.42).contains(&k), "{k}");
    }

    #[test]
    fn tiles_wrap_across_the_antimeridian_and_skip_outside_rows() {
        let plan = CropPlan {
            zoom: 1,
            x0: -100,
            y0: -50,
            src_w: 200,
            src_h: 100,
            out_w: 200,
            out_h: 100,
        };
        let tiles = plan.tiles().unwrap();
        // Columns −1 and 0 (−1 wraps to 1); row −1 does not exist.
        assert_eq!(tiles, vec![(-1, 0, 1, 0), (0, 0, 0, 0)]);
        let img = plan.compose(&[(
            0,
            0,
            RgbaImage::from_pixel(256, 256, Rgba([0, 200, 0, 255])),
        )]);
        assert_eq!(img.get_pixel(150, 80).0, [0, 200, 0, 255]);
        assert_eq!(img.get_pixel(150, 10).0, OUTSIDE_WORLD.0);
        assert_eq!(img.get_pixel(50, 80).0, OUTSIDE_WORLD.0);
    }
}
