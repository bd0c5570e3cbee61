//! The flags of `loupe animate`: where the frames come from, what the video looks like and how
//! it is encoded.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{MethodArg, ReadArgs, TsneArgs, UmapArgs};

/// What the legend panel shows.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LegendArg {
    /// Pictures for image-like vectors (MNIST), swatches for other categories, none when there
    /// is no colour column.
    Auto,
    /// One sample picture per class, tinted in its colour.
    Images,
    /// A colour swatch and the name of each class.
    Swatches,
    /// No legend.
    None,
}

/// Which part of the layout each frame shows.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CameraArg {
    /// The box holding every frame's points, the same for the whole video (fixed axes).
    Fixed,
    /// Each frame fits its own points.
    Follow,
}

/// A frame size, `WIDTHxHEIGHT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameSize(pub [u32; 2]);

/// Parses `1080x1080` (or `1920×1080`).
pub fn parse_size(text: &str) -> Result<FrameSize, String> {
    let (w, h) = text
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("{text:?} is not WIDTHxHEIGHT, e.g. 1080x1080"))?;
    let side = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|v| (64..=8192).contains(v))
            .ok_or_else(|| format!("{s:?} in {text:?}: each side must be 64 to 8192 pixels"))
    };
    Ok(FrameSize([side(w)?, side(h)?]))
}

/// Arguments of `loupe animate`.
#[derive(Debug, Args)]
pub struct AnimateArgs {
    /// A trajectory: Parquet with `index`, `x`, `y`, `epoch` and label columns (what `loupe
    /// embed --trajectory` and the app's Record runs write, or the seed's EPOCHS.parquet). With
    /// `--method`, a dataset to lay out instead (any format `loupe embed` reads).
    pub input: PathBuf,
    /// Lay INPUT out with this method and animate its iterations.
    #[arg(long, value_enum)]
    pub method: Option<MethodArg>,
    /// The output: `.mp4` (H.264), `.gif` (looping) or `.png` (the last frame only).
    #[arg(long)]
    pub out: PathBuf,
    /// Frames per second (GIF: at most 50).
    #[arg(long, default_value_t = 30)]
    pub fps: u32,
    /// Frame size in pixels, as `WIDTHxHEIGHT` (even numbers for MP4).
    #[arg(long, default_value = "1080x1080", value_parser = parse_size)]
    pub size: FrameSize,
    /// The column that colours the points and fills the legend (default: `label`, else the
    /// trajectory's first label column).
    #[arg(long, value_name = "COLUMN")]
    pub color_by: Option<String>,
    /// The legend panel beside the scatter.
    #[arg(long, value_enum, default_value_t = LegendArg::Auto)]
    pub legend: LegendArg,
    /// Use every K-th recorded epoch (with --method: record every K-th iteration); the first
    /// and the last are always kept.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub every: usize,
    /// H.264 quantiser, 1 (best, largest) to 51 (smallest); like x264's --crf.
    #[arg(
        long,
        value_name = "QP",
        default_value_t = 23,
        conflicts_with = "bitrate"
    )]
    pub quality: u8,
    /// An H.264 target bit rate in kbit/s instead of a fixed quantiser.
    #[arg(long, value_name = "KBPS")]
    pub bitrate: Option<u32>,
    /// The dataset whose rows the trajectory's `index` refers to, for `--legend images` when
    /// INPUT is a trajectory (a trajectory holds no vectors).
    #[arg(long, value_name = "FILE", conflicts_with = "method")]
    pub images: Option<PathBuf>,
    /// Fixed axes for the whole video, or fit every frame.
    #[arg(long, value_enum, default_value_t = CameraArg::Fixed)]
    pub camera: CameraArg,
    /// Point radius in pixels (default: from the frame size and the number of points).
    #[arg(long, value_name = "PX")]
    pub point_radius: Option<f32>,
    /// A title at the top left of every frame.
    #[arg(long)]
    pub title: Option<String>,
    /// With --method: also keep the recorded run as a trajectory Parquet file.
    #[arg(long, value_name = "FILE", requires = "method")]
    pub trajectory: Option<PathBuf>,
    /// Hide the progress bars.
    #[arg(long)]
    pub quiet: bool,
    /// How to read INPUT (with --method) or the --images dataset.
    #[command(flatten)]
    pub read: ReadArgs,
    /// t-SNE parameters (with --method tsne; metric, seed and PCA also with --method umap).
    #[command(flatten)]
    pub tsne: TsneArgs,
    /// UMAP parameters (with --method umap).
    #[command(flatten)]
    pub umap: UmapArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("1080x1080"), Ok(FrameSize([1080, 1080])));
        assert_eq!(parse_size("1920×1080"), Ok(FrameSize([1920, 1080])));
        assert!(parse_size("1080").is_err());
        assert!(parse_size("10x1080").is_err());
        assert!(parse_size("axb").is_err());
    }
}
