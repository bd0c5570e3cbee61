//! What the chip should look like: size, stroke, padding.

use crate::ChipError;

/// Largest width or height the Mapbox Static Images API accepts (and our XYZ path produces).
pub const MAX_SIZE_PX: u32 = 1280;

/// How the outline is drawn (`GeoJSON` "simplestyle" `stroke`, `stroke-width`, `stroke-opacity`
/// for Mapbox; the same values for the locally burned XYZ chip).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrokeStyle {
    /// Stroke colour, sRGB.
    pub color: [u8; 3],
    /// Stroke width in logical pixels.
    pub width_px: f32,
    /// Stroke opacity, 0–1.
    pub opacity: f32,
    /// Fill opacity, 0–1 (0: the ground inside the outline stays visible).
    pub fill_opacity: f32,
}

impl Default for StrokeStyle {
    /// Red `#f00000`, 10 px, opaque, no fill: readable on any satellite background.
    fn default() -> Self {
        Self {
            color: [0xf0, 0, 0],
            width_px: 10.0,
            opacity: 1.0,
            fill_opacity: 0.0,
        }
    }
}

impl StrokeStyle {
    /// The colour as `#rrggbb` (Mapbox wants it URL-encoded as `%23rrggbb`).
    pub fn hex(&self) -> String {
        let [r, g, b] = self.color;
        format!("#{r:02x}{g:02x}{b:02x}")
    }
}

/// Size and styling of one chip; part of the cache key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChipSpec {
    /// Output width in logical pixels, 1–1280.
    pub width_px: u32,
    /// Output height in logical pixels, 1–1280.
    pub height_px: u32,
    /// Double-resolution image (`@2x` for Mapbox; twice the pixels for XYZ).
    pub retina: bool,
    /// Outline style.
    pub stroke: StrokeStyle,
    /// Margin around the outline's bbox in logical pixels; `None`: the stroke width, so the
    /// half of the stroke that lies outside the polygon stays inside the image with room to
    /// spare.
    pub padding_px: Option<u32>,
}

impl Default for ChipSpec {
    /// 512 × 512, default stroke, automatic padding.
    fn default() -> Self {
        Self {
            width_px: 512,
            height_px: 512,
            retina: false,
            stroke: StrokeStyle::default(),
            padding_px: None,
        }
    }
}

impl ChipSpec {
    /// The padding actually used, logical pixels.
    pub fn padding(&self) -> u32 {
        self.padding_px
            .unwrap_or_else(|| self.stroke.width_px.max(0.0).ceil() as u32)
    }

    /// Device pixels per logical pixel (2 with `retina`).
    pub fn scale(&self) -> u32 {
        if self.retina { 2 } else { 1 }
    }

    /// Checks every field before any request is made.
    pub fn validate(&self) -> Result<(), ChipError> {
        for (name, v) in [("width", self.width_px), ("height", self.height_px)] {
            if !(1..=MAX_SIZE_PX).contains(&v) {
                return Err(ChipError::spec(format!(
                    "{name} {v} px is outside 1–{MAX_SIZE_PX}"
                )));
            }
        }
        let s = &self.stroke;
        if !(s.width_px.is_finite() && (0.0..=100.0).contains(&s.width_px)) {
            return Err(ChipError::spec(format!(
                "stroke width {} px is outside 0–100",
                s.width_px
            )));
        }
        for (name, v) in [("stroke", s.opacity), ("fill", s.fill_opacity)] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(ChipError::spec(format!(
                    "{name} opacity {v} is outside 0–1"
                )));
            }
        }
        let pad = self.padding();
        if 2 * u64::from(pad) >= u64::from(self.width_px.min(self.height_px)) {
            return Err(ChipError::spec(format!(
                "padding {pad} px leaves no room in a {}x{} chip",
                self.width_px, self.height_px
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_issue() {
        let s = ChipSpec::default();
        assert_eq!((s.width_px, s.height_px), (512, 512));
        assert_eq!(s.stroke.hex(), "#f00000");
        assert_eq!(s.padding(), 10);
        s.validate().unwrap();
    }

    #[test]
    fn validation() {
        let bad_size = ChipSpec {
            width_px: 1281,
            ..ChipSpec::default()
        };
        assert!(bad_size.validate().is_err());
        let bad_pad = ChipSpec {
            width_px: 20,
            height_px: 20,
            padding_px: Some(10),
            ..ChipSpec::default()
        };
        assert!(bad_pad.validate().is_err());
        let mut bad_opacity = ChipSpec::default();
        bad_opacity.stroke.opacity = 1.5;
        assert!(bad_opacity.validate().is_err());
    }
}
