//! Web Mercator (EPSG:3857) tile math for 256-px XYZ tiles ("slippy map" scheme: tile (0, 0)
//! is the north-west corner, y grows southwards).
//!
//! At zoom `z` the world is `256 · 2^z` pixels square and
//! `x = (lon + 180) / 360 · W`, `y = (1 − ln(tan φ + sec φ) / π) / 2 · W`
//! (OpenStreetMap wiki "Slippy map tilenames"; EPSG Guidance Note 7-2, Popular Visualisation
//! Pseudo-Mercator). Latitudes are clamped to ±85.0511°, where the square world ends.

use crate::LonLatBox;

/// Side of one XYZ tile in pixels.
pub const TILE_SIZE_PX: u32 = 256;

/// Latitude where Web Mercator's square world ends: `atan(sinh(π))` in degrees.
pub const MAX_MERCATOR_LAT: f64 = 85.051_128_779_806_59;

/// Deepest zoom any provider is asked for (keeps `2^z · 256` well inside f64 precision).
pub const MAX_ZOOM: u8 = 24;

/// World size in pixels at `zoom`.
pub fn world_size_px(zoom: u8) -> f64 {
    f64::from(TILE_SIZE_PX) * f64::from(1u32 << zoom.min(MAX_ZOOM))
}

/// Projects lon/lat degrees to global pixel coordinates `[x, y]` at `zoom`.
pub fn lonlat_to_world_px(lon: f64, lat: f64, zoom: u8) -> [f64; 2] {
    let w = world_size_px(zoom);
    let phi = lat.clamp(-MAX_MERCATOR_LAT, MAX_MERCATOR_LAT).to_radians();
    let x = (lon + 180.0) / 360.0 * w;
    let y = (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / std::f64::consts::PI) / 2.0 * w;
    [x, y]
}

/// Inverse of [`lonlat_to_world_px`]: global pixel coordinates back to `[lon, lat]` degrees.
pub fn world_px_to_lonlat(x: f64, y: f64, zoom: u8) -> [f64; 2] {
    let w = world_size_px(zoom);
    let lon = x / w * 360.0 - 180.0;
    let n = std::f64::consts::PI * (1.0 - 2.0 * y / w);
    [lon, n.sinh().atan().to_degrees()]
}

/// The tile `(x, y)` containing lon/lat at `zoom` (clamped to the grid).
pub fn lonlat_to_tile(lon: f64, lat: f64, zoom: u8) -> (u32, u32) {
    let [x, y] = lonlat_to_world_px(lon, lat, zoom);
    let last = f64::from((1u32 << zoom.min(MAX_ZOOM)) - 1);
    let t = f64::from(TILE_SIZE_PX);
    (
        (x / t).floor().clamp(0.0, last) as u32,
        (y / t).floor().clamp(0.0, last) as u32,
    )
}

/// Zoom at which `bbox` spans about `inner_w_px × inner_h_px` (the chip minus its padding):
/// the integer zoom nearest to the exact fit, so tiles are resampled by a factor between
/// 1/√2 and √2, capped at `max_zoom` (the provider's deepest level).
pub fn choose_zoom(bbox: &LonLatBox, inner_w_px: f64, inner_h_px: f64, max_zoom: u8) -> u8 {
    let max_zoom = max_zoom.min(MAX_ZOOM);
    let [x0, y0] = lonlat_to_world_px(bbox.min_lon, bbox.max_lat, 0);
    let [x1, y1] = lonlat_to_world_px(bbox.max_lon, bbox.min_lat, 0);
    let (dx, dy) = ((x1 - x0).abs(), (y1 - y0).abs());
    // Scale from zoom-0 pixels to chip pixels that fits both axes.
    let fit = (inner_w_px / dx).min(inner_h_px / dy);
    if !fit.is_finite() || fit <= 0.0 {
        return max_zoom;
    }
    fit.log2().round().clamp(0.0, f64::from(max_zoom)) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn known_points() {
        // Null Island sits on the corner shared by the four zoom-1 tiles.
        let [x, y] = lonlat_to_world_px(0.0, 0.0, 1);
        assert!(close(x, 256.0, 1e-9) && close(y, 256.0, 1e-9));
        assert_eq!(lonlat_to_tile(0.0, 0.0, 1), (1, 1));
        assert_eq!(lonlat_to_tile(-0.1, 0.1, 1), (0, 0));
        assert_eq!(lonlat_to_tile(179.9, -85.0, 1), (1, 1));
        // Everything is tile (0, 0) at zoom 0.
        assert_eq!(lonlat_to_tile(-170.0, 80.0, 0), (0, 0));
        // lon −90 is a quarter of the way across.
        let [x, _] = lonlat_to_world_px(-90.0, 0.0, 2);
        assert!(close(x, 256.0, 1e-9));
        // The world's top edge is at 85.0511°; the zoom-2 row boundary y = 256 (a quarter of
        // the world) is at atan(sinh(π/2)) = 66.51326°.
        let [_, top] = lonlat_to_world_px(0.0, MAX_MERCATOR_LAT, 3);
        assert!(close(top, 0.0, 1e-6));
        let [_, y] = lonlat_to_world_px(0.0, 66.513_26, 2);
        assert!(close(y, 256.0, 1e-3), "{y}");
        // Latitude 45°: y = (1 − asinh(1)/π)/2 · 256 with asinh(1) = ln(1 + √2) = 0.881373587.
        let [_, y45] = lonlat_to_world_px(0.0, 45.0, 0);
        assert!(close(
            y45,
            (1.0 - 0.881_373_587 / std::f64::consts::PI) / 2.0 * 256.0,
            1e-6
        ));
        // The far corners are the last tile of the grid.
        assert_eq!(lonlat_to_tile(180.0, -90.0, 3), (7, 7));
    }

    #[test]
    fn inverse_round_trips() {
        for &(lon, lat) in &[(0.0, 0.0), (-167.07, 65.76), (151.2, -33.9), (179.0, 84.0)] {
            let [x, y] = lonlat_to_world_px(lon, lat, 13);
            let [lon2, lat2] = world_px_to_lonlat(x, y, 13);
            assert!(close(lon, lon2, 1e-9) && close(lat, lat2, 1e-9));
        }
    }

    #[test]
    fn zoom_choice() {
        // A box one zoom-0 pixel wide and tall (near the equator, where y ≈ x) fits 512 px at
        // zoom 9 (2^9 = 512).
        let px = 360.0 / 256.0;
        let b = LonLatBox {
            min_lon: 0.0,
            min_lat: 0.0,
            max_lon: px,
            max_lat: px,
        };
        assert_eq!(choose_zoom(&b, 512.0, 512.0, 19), 9);
        // Half as many pixels → one zoom less; the cap wins when lower.
        assert_eq!(choose_zoom(&b, 256.0, 256.0, 19), 8);
        assert_eq!(choose_zoom(&b, 512.0, 512.0, 5), 5);
        // The tighter axis decides.
        assert_eq!(choose_zoom(&b, 2048.0, 512.0, 19), 9);
    }
}
