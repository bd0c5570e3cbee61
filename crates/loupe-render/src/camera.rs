//! The 2-D camera: which part of data space is shown, and at what scale.
//!
//! Pure maths with no GPU state, so the app can run hit tests, zoom and pan in its logic pass and
//! unit tests can check the transforms without an adapter.

use egui::Rect;

/// Smallest and largest zoom the camera accepts; keeps the transforms finite and invertible.
const MIN_PIXELS_PER_UNIT: f32 = 1e-12;
const MAX_PIXELS_PER_UNIT: f32 = 1e12;

/// A 2-D orthographic camera over data space.
///
/// Screen coordinates are in whatever unit the viewport rectangle is given in (egui points in the
/// app; the egui bridge rescales to physical pixels for the GPU). Data y points **up** on screen,
/// as in a scatter plot, while screen y points down, as in egui.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// Data-space point shown at the centre of the viewport.
    pub center: [f32; 2],
    /// Screen units (pixels or points) per data unit; always positive and finite.
    pub pixels_per_unit: f32,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            center: [0.0, 0.0],
            pixels_per_unit: 1.0,
        }
    }
}

impl Camera {
    /// Maps a data-space point to a screen position inside `viewport`.
    pub fn screen_from_data(&self, p: [f32; 2], viewport: Rect) -> [f32; 2] {
        let c = viewport.center();
        [
            c.x + (p[0] - self.center[0]) * self.pixels_per_unit,
            c.y - (p[1] - self.center[1]) * self.pixels_per_unit,
        ]
    }

    /// Maps a screen position (e.g. the pointer) back to data space; the inverse of
    /// [`Self::screen_from_data`].
    pub fn data_from_screen(&self, s: [f32; 2], viewport: Rect) -> [f32; 2] {
        let c = viewport.center();
        [
            self.center[0] + (s[0] - c.x) / self.pixels_per_unit,
            self.center[1] - (s[1] - c.y) / self.pixels_per_unit,
        ]
    }

    /// Multiplies the zoom by `factor` while keeping the data point under `screen_pos` fixed,
    /// which is what users expect from scroll-wheel zoom.
    ///
    /// Non-finite or non-positive factors are ignored; the zoom is clamped to a finite range.
    pub fn zoom_around(&mut self, screen_pos: [f32; 2], factor: f32, viewport: Rect) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let anchor = self.data_from_screen(screen_pos, viewport);
        self.pixels_per_unit =
            (self.pixels_per_unit * factor).clamp(MIN_PIXELS_PER_UNIT, MAX_PIXELS_PER_UNIT);
        // Choose the centre so that `anchor` maps back onto `screen_pos`.
        let c = viewport.center();
        self.center = [
            anchor[0] - (screen_pos[0] - c.x) / self.pixels_per_unit,
            anchor[1] + (screen_pos[1] - c.y) / self.pixels_per_unit,
        ];
    }

    /// Moves the view so the content follows a drag of `delta_px` screen units.
    pub fn pan_by_px(&mut self, delta_px: [f32; 2]) {
        if !(delta_px[0].is_finite() && delta_px[1].is_finite()) {
            return;
        }
        self.center[0] -= delta_px[0] / self.pixels_per_unit;
        self.center[1] += delta_px[1] / self.pixels_per_unit;
    }

    /// Centres the bounding box `bounds_min..bounds_max` and zooms so it fills `viewport`,
    /// leaving `margin_frac` of the viewport (on each side) empty.
    ///
    /// Degenerate boxes (a single point, or non-finite bounds from an empty or broken dataset)
    /// keep the current zoom rather than producing an infinite one.
    pub fn fit(
        &mut self,
        bounds_min: [f32; 2],
        bounds_max: [f32; 2],
        viewport: Rect,
        margin_frac: f32,
    ) {
        let finite = bounds_min.iter().chain(&bounds_max).all(|v| v.is_finite());
        if !finite {
            return;
        }
        self.center = [
            0.5 * (bounds_min[0] + bounds_max[0]),
            0.5 * (bounds_min[1] + bounds_max[1]),
        ];
        let margin = if margin_frac.is_finite() {
            margin_frac.clamp(0.0, 0.45)
        } else {
            0.0
        };
        let usable = [
            viewport.width() * (1.0 - 2.0 * margin),
            viewport.height() * (1.0 - 2.0 * margin),
        ];
        let extent = [
            (bounds_max[0] - bounds_min[0]).abs(),
            (bounds_max[1] - bounds_min[1]).abs(),
        ];
        let candidates = (0..2)
            .filter(|&axis| extent[axis] > 0.0 && usable[axis] > 0.0)
            .map(|axis| usable[axis] / extent[axis]);
        if let Some(ppu) = candidates.reduce(f32::min)
            && ppu.is_finite()
        {
            self.pixels_per_unit = ppu.clamp(MIN_PIXELS_PER_UNIT, MAX_PIXELS_PER_UNIT);
        }
    }

    /// The affine map from data space to clip space for a viewport of `viewport_size` screen
    /// units: `clip = data * scale + offset`. Clip space has y up, like data space.
    pub fn to_clip_transform(&self, viewport_size: [f32; 2]) -> ([f32; 2], [f32; 2]) {
        let w = viewport_size[0].max(1.0);
        let h = viewport_size[1].max(1.0);
        let scale = [
            2.0 * self.pixels_per_unit / w,
            2.0 * self.pixels_per_unit / h,
        ];
        let offset = [-self.center[0] * scale[0], -self.center[1] * scale[1]];
        (scale, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::Camera;
    use egui::{Rect, pos2};

    fn viewport() -> Rect {
        Rect::from_min_max(pos2(100.0, 50.0), pos2(900.0, 650.0))
    }

    fn assert_close(a: [f32; 2], b: [f32; 2], tol: f32) {
        assert!(
            (a[0] - b[0]).abs() <= tol && (a[1] - b[1]).abs() <= tol,
            "{a:?} != {b:?} (tol {tol})"
        );
    }

    #[test]
    fn round_trip_screen_data() {
        let cam = Camera {
            center: [3.0, -2.0],
            pixels_per_unit: 37.5,
        };
        for p in [[0.0, 0.0], [3.0, -2.0], [-10.5, 7.25], [100.0, 100.0]] {
            let s = cam.screen_from_data(p, viewport());
            assert_close(cam.data_from_screen(s, viewport()), p, 1e-4);
        }
    }

    #[test]
    fn data_y_points_up() {
        let cam = Camera::default();
        let low = cam.screen_from_data([0.0, 0.0], viewport());
        let high = cam.screen_from_data([0.0, 1.0], viewport());
        assert!(high[1] < low[1], "larger data y must be higher on screen");
        assert_close(low, [500.0, 350.0], 0.0);
    }

    #[test]
    fn zoom_around_keeps_point_under_cursor_fixed() {
        let mut cam = Camera {
            center: [1.0, 2.0],
            pixels_per_unit: 10.0,
        };
        let cursor = [250.0, 600.0];
        let before = cam.data_from_screen(cursor, viewport());
        for factor in [1.25, 0.5, 3.0, 0.1] {
            cam.zoom_around(cursor, factor, viewport());
            assert_close(cam.data_from_screen(cursor, viewport()), before, 1e-4);
            assert_close(cam.screen_from_data(before, viewport()), cursor, 1e-2);
        }
        assert!((cam.pixels_per_unit - 10.0 * 1.25 * 0.5 * 3.0 * 0.1).abs() < 1e-4);
    }

    #[test]
    fn zoom_ignores_bad_factors() {
        let mut cam = Camera::default();
        for factor in [0.0, -2.0, f32::NAN, f32::INFINITY] {
            cam.zoom_around([10.0, 10.0], factor, viewport());
        }
        assert_eq!(cam, Camera::default());
    }

    #[test]
    fn pan_moves_content_with_the_drag() {
        let mut cam = Camera {
            center: [0.0, 0.0],
            pixels_per_unit: 4.0,
        };
        let p = [5.0, 5.0];
        let before = cam.screen_from_data(p, viewport());
        cam.pan_by_px([12.0, -8.0]);
        let after = cam.screen_from_data(p, viewport());
        assert_close(after, [before[0] + 12.0, before[1] - 8.0], 1e-4);
    }

    #[test]
    fn fit_shows_the_whole_box() {
        let mut cam = Camera::default();
        let (lo, hi) = ([-10.0, 0.0], [30.0, 5.0]);
        cam.fit(lo, hi, viewport(), 0.05);
        assert_close(cam.center, [10.0, 2.5], 1e-6);
        // Width is the limiting axis: 800 * 0.9 / 40.
        assert!((cam.pixels_per_unit - 18.0).abs() < 1e-4);
        // The limiting axis touches the margins exactly: 40 px of 800 on each side.
        assert_close(cam.screen_from_data(lo, viewport()), [140.0, 395.0], 1e-3);
        assert_close(cam.screen_from_data(hi, viewport()), [860.0, 305.0], 1e-3);
    }

    #[test]
    fn fit_degenerate_keeps_zoom() {
        let mut cam = Camera {
            center: [0.0, 0.0],
            pixels_per_unit: 7.0,
        };
        cam.fit([2.0, 3.0], [2.0, 3.0], viewport(), 0.1);
        assert_close(cam.center, [2.0, 3.0], 0.0);
        assert!((cam.pixels_per_unit - 7.0).abs() < f32::EPSILON);
        cam.fit(
            [f32::INFINITY, 0.0],
            [f32::NEG_INFINITY, 1.0],
            viewport(),
            0.1,
        );
        assert_close(cam.center, [2.0, 3.0], 0.0);
    }

    #[test]
    fn clip_transform_agrees_with_screen_transform() {
        let cam = Camera {
            center: [-4.0, 9.0],
            pixels_per_unit: 3.5,
        };
        let vp = viewport();
        let (scale, offset) = cam.to_clip_transform([vp.width(), vp.height()]);
        for p in [[0.0, 0.0], [-4.0, 9.0], [20.0, -13.0]] {
            let clip = [p[0] * scale[0] + offset[0], p[1] * scale[1] + offset[1]];
            let s = cam.screen_from_data(p, vp);
            // Clip [-1, 1] spans the viewport; clip y up, screen y down.
            let expected = [
                (s[0] - vp.min.x) / vp.width() * 2.0 - 1.0,
                1.0 - (s[1] - vp.min.y) / vp.height() * 2.0,
            ];
            assert_close(clip, expected, 1e-5);
        }
    }
}
