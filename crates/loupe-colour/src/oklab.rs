//! sRGB ↔ Oklab conversions, the colour space the maps and the palette are designed in.
//!
//! Oklab (Ottosson 2020, "A perceptual color space for image processing",
//! <https://bottosson.github.io/posts/oklab/>) predicts lightness, chroma and hue well with
//! simple maths: a 3×3 matrix to cone responses, a cube root, another 3×3 matrix. Euclidean
//! distance in it approximates perceived colour difference. The sRGB transfer curve is IEC
//! 61966-2-1.

use crate::{Rgba, opaque};

/// A colour in Oklab: lightness `l` in `[0, 1]`, opponent axes `a` (green–red) and `b`
/// (blue–yellow).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Lab {
    pub l: f64,
    pub a: f64,
    pub b: f64,
}

impl Lab {
    /// From lightness, chroma and hue in degrees (OKLCH).
    pub(crate) fn from_lch(l: f64, c: f64, hue_deg: f64) -> Self {
        let h = hue_deg.to_radians();
        Self {
            l,
            a: c * h.cos(),
            b: c * h.sin(),
        }
    }

    /// Euclidean distance, Oklab's estimate of the perceived difference.
    pub(crate) fn distance(self, other: Self) -> f64 {
        ((self.l - other.l).powi(2) + (self.a - other.a).powi(2) + (self.b - other.b).powi(2))
            .sqrt()
    }

    /// Component-wise `self + (other − self)·t`.
    pub(crate) fn lerp(self, other: Self, t: f64) -> Self {
        Self {
            l: self.l + (other.l - self.l) * t,
            a: self.a + (other.a - self.a) * t,
            b: self.b + (other.b - self.b) * t,
        }
    }
}

/// Linear-light sRGB (channels nominally in `[0, 1]`) to Oklab.
pub(crate) fn linear_to_lab([r, g, b]: [f64; 3]) -> Lab {
    let l = (0.412_221_470_8 * r + 0.536_332_536_3 * g + 0.051_445_992_9 * b).cbrt();
    let m = (0.211_903_498_2 * r + 0.680_699_545_1 * g + 0.107_396_956_6 * b).cbrt();
    let s = (0.088_302_461_9 * r + 0.281_718_837_6 * g + 0.629_978_700_5 * b).cbrt();
    Lab {
        l: 0.210_454_255_3 * l + 0.793_617_785_0 * m - 0.004_072_046_8 * s,
        a: 1.977_998_495_1 * l - 2.428_592_205_0 * m + 0.450_593_709_9 * s,
        b: 0.025_904_037_1 * l + 0.782_771_766_2 * m - 0.808_675_766_0 * s,
    }
}

/// Oklab to linear-light sRGB; channels may fall outside `[0, 1]` (out of gamut).
pub(crate) fn lab_to_linear(c: Lab) -> [f64; 3] {
    let l = (c.l + 0.396_337_777_4 * c.a + 0.215_803_757_3 * c.b).powi(3);
    let m = (c.l - 0.105_561_345_8 * c.a - 0.063_854_172_8 * c.b).powi(3);
    let s = (c.l - 0.089_484_177_5 * c.a - 1.291_485_548_0 * c.b).powi(3);
    [
        4.076_741_662_1 * l - 3.307_711_591_3 * m + 0.230_969_929_2 * s,
        -1.268_438_004_6 * l + 2.609_757_401_1 * m - 0.341_319_396_5 * s,
        -0.004_196_086_3 * l - 0.703_418_614_7 * m + 1.707_614_701_0 * s,
    ]
}

/// Whether linear RGB lies inside the sRGB gamut (with a hair of slack for rounding).
pub(crate) fn in_gamut(rgb: [f64; 3]) -> bool {
    rgb.iter().all(|&c| (-1e-9..=1.0 + 1e-9).contains(&c))
}

/// sRGB-encoded byte to linear light.
pub(crate) fn decode(byte: u8) -> f64 {
    let c = f64::from(byte) / 255.0;
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear light (clamped to `[0, 1]`) to an sRGB-encoded byte.
pub(crate) fn encode(linear: f64) -> u8 {
    let c = linear.clamp(0.0, 1.0);
    let v = if c <= 0.003_130_8 {
        12.92 * c
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    };
    (v * 255.0).round() as u8
}

/// Linear RGB of an sRGB colour.
pub(crate) fn rgba_to_linear(c: Rgba) -> [f64; 3] {
    [decode(c[0]), decode(c[1]), decode(c[2])]
}

/// Oklab of an sRGB colour.
pub(crate) fn rgba_to_lab(c: Rgba) -> Lab {
    linear_to_lab(rgba_to_linear(c))
}

/// The opaque sRGB colour nearest an Oklab colour (out-of-gamut channels clipped).
pub(crate) fn lab_to_rgba(c: Lab) -> Rgba {
    let [r, g, b] = lab_to_linear(c);
    opaque(encode(r), encode(g), encode(b))
}

/// Relative luminance `Y` (ITU-R BT.709 primaries) of linear RGB.
pub(crate) fn luminance([r, g, b]: [f64; 3]) -> f64 {
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_and_black_are_achromatic_extremes() {
        let w = rgba_to_lab(opaque(255, 255, 255));
        assert!((w.l - 1.0).abs() < 1e-6 && w.a.abs() < 1e-6 && w.b.abs() < 1e-6);
        let k = rgba_to_lab(opaque(0, 0, 0));
        assert!(k.l.abs() < 1e-9);
    }

    #[test]
    fn round_trips_bytes() {
        for c in [opaque(68, 1, 84), opaque(253, 231, 37), opaque(12, 200, 99)] {
            assert_eq!(lab_to_rgba(rgba_to_lab(c)), c);
        }
        for b in 0..=255 {
            assert_eq!(encode(decode(b)), b);
        }
    }
}
