//! What a frame looks like: [`AnimationStyle`], the legend's entries and the camera.

use loupe_colour::Rgba;

/// The app's canvas colour: the dark background categorical colours were chosen against.
pub const DARK_BACKGROUND: Rgba = [0x1b, 0x1b, 0x1b, 0xff];

/// What the legend panel beside the scatter shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Legend {
    /// One sample picture per class, tinted in the class colour, with its name (for
    /// image-like vectors such as MNIST digits; entries without a picture get a swatch).
    Images,
    /// A colour swatch and the name of each class.
    Swatches,
    /// No panel: the scatter takes the whole width.
    None,
}

/// The seed's layout, parameterised: the scatter on a dark background, an iteration progress
/// bar with "epoch i / n" above it, and a legend panel on the right.
#[derive(Clone, Debug, PartialEq)]
pub struct AnimationStyle {
    /// Width and height of every frame in pixels (even numbers for MP4).
    pub size: [u32; 2],
    /// Frames per second of a video made from the frames.
    pub fps: u32,
    /// The legend panel.
    pub legend: Legend,
    /// Whether to draw the "epoch i / n" line and the progress bar.
    pub progress_bar: bool,
    /// A title at the top left (e.g. "MNIST · t-SNE"); nothing when `None`.
    pub title: Option<String>,
    /// A heading above the legend (the colour column's name, e.g. "digit").
    pub legend_title: Option<String>,
    /// The canvas colour (straight sRGB RGBA8; alpha is ignored).
    pub background: Rgba,
    /// Point radius in pixels; `None` picks one from the image size and the point count
    /// ([`AnimationStyle::auto_point_radius`]).
    pub point_radius_px: Option<f32>,
    /// Opacity of the points, 0 to 1: below 1, dense regions read as denser.
    pub opacity: f32,
}

impl Default for AnimationStyle {
    /// The seed's preset: 1080 × 1080 at 30 fps, swatch legend, progress bar, dark canvas.
    fn default() -> Self {
        Self {
            size: [1080, 1080],
            fps: 30,
            legend: Legend::Swatches,
            progress_bar: true,
            title: None,
            legend_title: None,
            background: DARK_BACKGROUND,
            point_radius_px: None,
            opacity: 0.85,
        }
    }
}

impl AnimationStyle {
    /// A radius that keeps `points` points legible without merging into a blob: about 2 px
    /// for 30,000 points in 1080 px, scaling with the image and with the fourth root of the
    /// density, never under 0.8 px.
    pub fn auto_point_radius(size: [u32; 2], points: usize) -> f32 {
        let side = size[0].min(size[1]) as f32;
        let density = 30_000.0 / points.max(1) as f32;
        (side * 0.0018 * density.powf(0.25)).clamp(0.8, (side * 0.008).max(0.8))
    }

    /// The radius frames are drawn with for `points` points.
    pub fn radius_for(&self, points: usize) -> f32 {
        self.point_radius_px
            .unwrap_or_else(|| Self::auto_point_radius(self.size, points))
    }
}

/// A small greyscale picture for the legend (one sample of a class).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegendImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height` intensities, row by row; 0 is the panel colour, 255 the class colour.
    pub luma: Vec<u8>,
}

impl LegendImage {
    /// A picture from a vector laid out as `[height, width]` (MNIST's 784 values as 28 × 28),
    /// its values stretched from their minimum (dark) to their maximum (bright). `None` when
    /// the shape does not match the vector.
    pub fn from_vector(values: &[f32], [height, width]: [usize; 2]) -> Option<Self> {
        if height == 0 || width == 0 || height * width != values.len() {
            return None;
        }
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let lo = finite.clone().fold(f32::INFINITY, f32::min);
        let hi = finite.fold(f32::NEG_INFINITY, f32::max);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let luma = values
            .iter()
            .map(|&v| {
                if v.is_finite() {
                    ((v - lo) / span * 255.0).round().clamp(0.0, 255.0) as u8
                } else {
                    0
                }
            })
            .collect();
        Some(Self {
            width: u32::try_from(width).ok()?,
            height: u32::try_from(height).ok()?,
            luma,
        })
    }
}

/// One class in the legend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegendEntry {
    /// The class's name as shown (a digit, a land-cover type).
    pub label: String,
    /// Its colour, the one its points are drawn with.
    pub colour: Rgba,
    /// A sample picture, shown with [`Legend::Images`].
    pub image: Option<LegendImage>,
}

/// Which part of the layout the scatter shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CameraMode {
    /// The same box in every frame (the seed's fixed axes): pass the bounds of every frame of
    /// the run so nothing leaves the picture, or the app's visible rectangle for a PNG of the
    /// current view. The box is centred and scaled to fit, keeping the aspect ratio.
    Fixed {
        /// Smallest `x` and `y`.
        min: [f32; 2],
        /// Largest `x` and `y`.
        max: [f32; 2],
    },
    /// Each frame fits its own points: early iterations, still small, fill the picture too.
    FollowEachFrame,
}
