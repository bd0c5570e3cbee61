//! Drawing the outline onto a locally composed chip: an anti-aliased stroke of a given width
//! (coverage from the exact distance of each pixel centre to the nearest edge) and an optional
//! even-odd fill.

use image::RgbaImage;

use crate::StrokeStyle;
use crate::simplify::seg_dist;

/// Radius of the ring drawn for a point outline, in stroke widths.
const POINT_RADIUS_STROKES: f64 = 2.0;

/// Burns `rings` (already in output pixel coordinates, closed) onto `img`.
///
/// Coverage per pixel is `clamp(w/2 + 0.5 − d, 0, 1)` with `d` the distance from the pixel
/// centre to the nearest segment: a one-pixel linear ramp at the stroke's edges, and since the
/// maximum over segments is taken, joins are round and never darkened twice.
pub(crate) fn burn_outline(
    img: &mut RgbaImage,
    rings: &[Vec<[f64; 2]>],
    stroke: &StrokeStyle,
    scale: f64,
) {
    let width = f64::from(stroke.width_px) * scale;
    if stroke.fill_opacity > 0.0 {
        fill_even_odd(img, rings, stroke.color, f64::from(stroke.fill_opacity));
    }
    if width <= 0.0 || stroke.opacity <= 0.0 {
        return;
    }
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut coverage = vec![0f32; w * h];
    let half = width / 2.0;
    for ring in rings {
        for seg in ring.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let reach = half + 1.0;
            let x_lo = (a[0].min(b[0]) - reach).floor().max(0.0);
            let x_hi = (a[0].max(b[0]) + reach).ceil().min(w as f64);
            let y_lo = (a[1].min(b[1]) - reach).floor().max(0.0);
            let y_hi = (a[1].max(b[1]) + reach).ceil().min(h as f64);
            if x_lo >= x_hi || y_lo >= y_hi {
                continue;
            }
            for y in y_lo as usize..y_hi as usize {
                for x in x_lo as usize..x_hi as usize {
                    let d = seg_dist([x as f64 + 0.5, y as f64 + 0.5], a, b);
                    let c = (half + 0.5 - d).clamp(0.0, 1.0) as f32;
                    let cell = &mut coverage[y * w + x];
                    *cell = cell.max(c);
                }
            }
        }
    }
    let opacity = f64::from(stroke.opacity);
    for (i, c) in coverage.into_iter().enumerate() {
        if c > 0.0 {
            let p = img.get_pixel_mut((i % w) as u32, (i / w) as u32);
            blend(&mut p.0, stroke.color, f64::from(c) * opacity);
        }
    }
}

/// Burns a point as a small circle (a 48-gon) around `centre`.
pub(crate) fn burn_point(img: &mut RgbaImage, centre: [f64; 2], stroke: &StrokeStyle, scale: f64) {
    let r = (f64::from(stroke.width_px) * scale * POINT_RADIUS_STROKES).max(6.0 * scale);
    let ring: Vec<[f64; 2]> = (0..=48)
        .map(|i| {
            let a = f64::from(i) / 48.0 * std::f64::consts::TAU;
            [centre[0] + r * a.cos(), centre[1] + r * a.sin()]
        })
        .collect();
    let no_fill = StrokeStyle {
        fill_opacity: 0.0,
        ..*stroke
    };
    burn_outline(img, &[ring], &no_fill, scale);
}

/// Fills the inside of `rings` (even-odd, so holes stay open) by scanlines through pixel centres.
fn fill_even_odd(img: &mut RgbaImage, rings: &[Vec<[f64; 2]>], color: [u8; 3], alpha: f64) {
    let (w, h) = (img.width(), img.height());
    let mut xs = Vec::new();
    for y in 0..h {
        let yc = f64::from(y) + 0.5;
        xs.clear();
        for seg in rings.iter().flat_map(|r| r.windows(2)) {
            let (a, b) = (seg[0], seg[1]);
            if (a[1] <= yc) != (b[1] <= yc) {
                xs.push(a[0] + (yc - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
            }
        }
        xs.sort_by(f64::total_cmp);
        for span in xs.chunks_exact(2) {
            let x0 = (span[0] - 0.5).ceil().max(0.0) as u32;
            let x1 = ((span[1] - 0.5).floor() + 1.0).clamp(0.0, f64::from(w)) as u32;
            for x in x0..x1 {
                blend(&mut img.get_pixel_mut(x, y).0, color, alpha);
            }
        }
    }
}

/// Source-over blend of an opaque colour at `alpha` onto an RGBA pixel.
fn blend(px: &mut [u8; 4], color: [u8; 3], alpha: f64) {
    for k in 0..3 {
        let v = f64::from(px[k]) * (1.0 - alpha) + f64::from(color[k]) * alpha;
        px[k] = v.round().clamp(0.0, 255.0) as u8;
    }
    px[3] = 255;
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    fn grey(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_pixel(w, h, Rgba([100, 100, 100, 255]))
    }

    #[test]
    fn stroke_is_on_the_edges_only() {
        let mut img = grey(100, 100);
        let square = vec![
            [20.0, 20.0],
            [80.0, 20.0],
            [80.0, 80.0],
            [20.0, 80.0],
            [20.0, 20.0],
        ];
        let stroke = StrokeStyle {
            width_px: 5.0,
            ..StrokeStyle::default()
        };
        burn_outline(&mut img, &[square], &stroke, 1.0);
        // On the edge (pixel centre 50.5, 20.5 is 0.5 px off the line: full coverage).
        assert_eq!(img.get_pixel(50, 20).0, [0xf0, 0, 0, 255]);
        assert_eq!(img.get_pixel(80, 50).0, [0xf0, 0, 0, 255]);
        // Well inside and outside: untouched.
        assert_eq!(img.get_pixel(50, 50).0, [100, 100, 100, 255]);
        assert_eq!(img.get_pixel(5, 5).0, [100, 100, 100, 255]);
        assert_eq!(img.get_pixel(50, 25).0, [100, 100, 100, 255]);
        // Anti-aliased rim: pixel centre 22.5 is 2.5 px from the line: coverage 2.5 + 0.5 − 2.5.
        let rim = img.get_pixel(50, 22).0;
        assert!(rim[0] > 100 && rim[0] < 0xf0 && rim[1] < 100, "{rim:?}");
    }

    #[test]
    fn fill_respects_holes() {
        let mut img = grey(100, 100);
        let outer = vec![
            [10.0, 10.0],
            [90.0, 10.0],
            [90.0, 90.0],
            [10.0, 90.0],
            [10.0, 10.0],
        ];
        let hole = vec![
            [40.0, 40.0],
            [60.0, 40.0],
            [60.0, 60.0],
            [40.0, 60.0],
            [40.0, 40.0],
        ];
        let stroke = StrokeStyle {
            width_px: 0.0,
            fill_opacity: 1.0,
            color: [0, 0, 255],
            ..StrokeStyle::default()
        };
        burn_outline(&mut img, &[outer, hole], &stroke, 1.0);
        assert_eq!(img.get_pixel(20, 20).0, [0, 0, 255, 255]);
        assert_eq!(img.get_pixel(50, 50).0, [100, 100, 100, 255]);
        assert_eq!(img.get_pixel(95, 50).0, [100, 100, 100, 255]);
    }

    #[test]
    fn point_is_a_ring() {
        let mut img = grey(100, 100);
        burn_point(&mut img, [50.0, 50.0], &StrokeStyle::default(), 1.0);
        // Radius 20 px: red at distance 20, centre untouched.
        assert_eq!(img.get_pixel(70, 50).0, [0xf0, 0, 0, 255]);
        assert_eq!(img.get_pixel(50, 50).0, [100, 100, 100, 255]);
    }
}
