//! [`RgbaImage`]: an RGBA8 picture and the few drawing operations the composer needs.

use loupe_colour::Rgba;

/// An RGBA8 image, rows top to bottom, straight (not premultiplied) sRGB bytes: what the
/// renderer reads back and the encoders take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbaImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 4` bytes.
    pub pixels: Vec<u8>,
}

impl RgbaImage {
    /// An image filled with `colour`.
    pub fn filled(width: u32, height: u32, colour: Rgba) -> Self {
        let pixels = colour.repeat(width as usize * height as usize);
        Self {
            width,
            height,
            pixels,
        }
    }

    /// The pixel at `(x, y)`; `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<Rgba> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        Some([
            self.pixels[i],
            self.pixels[i + 1],
            self.pixels[i + 2],
            self.pixels[i + 3],
        ])
    }

    /// Mixes `colour` into the pixel at `(x, y)` with weight `alpha` (0 to 1); outside the
    /// image nothing happens.
    pub(crate) fn blend(&mut self, x: i64, y: i64, colour: Rgba, alpha: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let a = alpha.clamp(0.0, 1.0);
        if a <= 0.0 {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        for (c, &new) in self.pixels[i..i + 3].iter_mut().zip(&colour) {
            *c = (f32::from(*c) + (f32::from(new) - f32::from(*c)) * a).round() as u8;
        }
        self.pixels[i + 3] = 255;
    }

    /// Fills the rectangle `[x0, x1) × [y0, y1)` (clipped to the image) with `colour`, with
    /// fractional edges blended so thin bars do not snap between whole pixels.
    pub(crate) fn fill_rect(&mut self, [x0, y0]: [f32; 2], [x1, y1]: [f32; 2], colour: Rgba) {
        let (x0, x1) = (x0.max(0.0), x1.min(self.width as f32));
        let (y0, y1) = (y0.max(0.0), y1.min(self.height as f32));
        if x1 <= x0 || y1 <= y0 {
            return;
        }
        for y in y0.floor() as i64..y1.ceil() as i64 {
            let cover_y = (y1.min(y as f32 + 1.0) - y0.max(y as f32)).clamp(0.0, 1.0);
            for x in x0.floor() as i64..x1.ceil() as i64 {
                let cover_x = (x1.min(x as f32 + 1.0) - x0.max(x as f32)).clamp(0.0, 1.0);
                self.blend(x, y, colour, cover_x * cover_y);
            }
        }
    }

    /// An anti-aliased disc centred at `centre` (pixel-centre coordinates: pixel `(x, y)` spans
    /// `[x, x + 1)`).
    pub(crate) fn fill_disc(&mut self, centre: [f32; 2], radius: f32, colour: Rgba) {
        let r = radius.max(0.0);
        for y in (centre[1] - r - 1.0).floor() as i64..=(centre[1] + r + 1.0).ceil() as i64 {
            for x in (centre[0] - r - 1.0).floor() as i64..=(centre[0] + r + 1.0).ceil() as i64 {
                let d = ((x as f32 + 0.5 - centre[0]).powi(2)
                    + (y as f32 + 0.5 - centre[1]).powi(2))
                .sqrt();
                self.blend(x, y, colour, r + 0.5 - d);
            }
        }
    }

    /// Copies `other` with its top-left corner at `(x, y)`, clipped to this image.
    pub(crate) fn paste(&mut self, other: &Self, x: u32, y: u32) {
        if x >= self.width || y >= self.height {
            return;
        }
        let w = other.width.min(self.width - x) as usize;
        let rows = other.height.min(self.height - y) as usize;
        for row in 0..rows {
            let src = row * other.width as usize * 4;
            let dst = ((y as usize + row) * self.width as usize + x as usize) * 4;
            self.pixels[dst..dst + w * 4].copy_from_slice(&other.pixels[src..src + w * 4]);
        }
    }

    /// Draws a greyscale picture scaled (nearest neighbour) into the square `[x, x + side)²`,
    /// each pixel mixing `colour` over what is there by its intensity.
    pub(crate) fn tint_picture(
        &mut self,
        picture: &crate::LegendImage,
        [x, y]: [f32; 2],
        side: f32,
        colour: Rgba,
    ) {
        if picture.width == 0 || picture.height == 0 || side < 1.0 {
            return;
        }
        let scale = side / picture.width.max(picture.height) as f32;
        let (w, h) = (picture.width as f32 * scale, picture.height as f32 * scale);
        let (ox, oy) = (x + (side - w) / 2.0, y + (side - h) / 2.0);
        for py in oy.floor() as i64..(oy + h).ceil() as i64 {
            for px in ox.floor() as i64..(ox + w).ceil() as i64 {
                let sx = ((px as f32 + 0.5 - ox) / scale).floor();
                let sy = ((py as f32 + 0.5 - oy) / scale).floor();
                if sx < 0.0 || sy < 0.0 {
                    continue;
                }
                let (sx, sy) = (sx as u32, sy as u32);
                if sx >= picture.width || sy >= picture.height {
                    continue;
                }
                let luma = picture.luma[(sy * picture.width + sx) as usize];
                self.blend(px, py, colour, f32::from(luma) / 255.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawing_is_clipped_and_blended() {
        let mut image = RgbaImage::filled(8, 6, [0, 0, 0, 255]);
        image.fill_rect([-3.0, 1.0], [2.5, 2.0], [200, 100, 0, 255]);
        assert_eq!(image.pixel(0, 1), Some([200, 100, 0, 255]));
        assert_eq!(
            image.pixel(2, 1),
            Some([100, 50, 0, 255]),
            "half-covered edge"
        );
        assert_eq!(image.pixel(3, 1), Some([0, 0, 0, 255]));
        image.fill_disc([6.0, 4.0], 1.5, [0, 255, 0, 255]);
        assert_eq!(image.pixel(5, 3), Some([0, 255, 0, 255]));
        image.fill_disc([100.0, 100.0], 3.0, [255; 4]);
        let small = RgbaImage::filled(4, 4, [9, 9, 9, 255]);
        image.paste(&small, 6, 4);
        assert_eq!(image.pixel(7, 5), Some([9, 9, 9, 255]));
        assert_eq!(image.pixel(8, 5), None);
    }
}
