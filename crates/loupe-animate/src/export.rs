//! [`VideoSink`]: one destination for composed frames, whatever the format.

use std::path::{Path, PathBuf};

use loupe_video::{GifWriter, Mp4Options, Mp4Writer, Palette, PngWriter, Quality};

use crate::{AnimateError, RgbaImage};

/// What an export writes, from the output's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// H.264 in MP4 (`.mp4`, `.m4v`).
    Mp4,
    /// Animated GIF (`.gif`).
    Gif,
    /// One picture, the last frame (`.png`).
    Png,
}

impl ExportFormat {
    /// The format `path`'s extension names (case-insensitive), or
    /// [`AnimateError::UnknownFormat`].
    pub fn from_path(path: &Path) -> Result<Self, AnimateError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("mp4" | "m4v") => Ok(Self::Mp4),
            Some("gif") => Ok(Self::Gif),
            Some("png") => Ok(Self::Png),
            _ => Err(AnimateError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// Whether only the last frame is needed (a still picture).
    pub fn is_still(self) -> bool {
        self == Self::Png
    }
}

/// How [`VideoSink::create`] encodes.
#[derive(Clone, Debug)]
pub struct SinkOptions {
    /// Frame size in pixels.
    pub size: [u32; 2],
    /// Frames per second (MP4 and GIF).
    pub fps: u32,
    /// H.264 quantiser or bit rate (MP4).
    pub quality: Quality,
    /// The GIF's colours (see [`crate::FrameRenderer::gif_palette`]); `None` uses a uniform
    /// 252-colour palette.
    pub gif_palette: Option<Palette>,
}

impl SinkOptions {
    /// Options for frames drawn in `style` (its size and frame rate).
    pub fn for_style(
        style: &crate::AnimationStyle,
        quality: Quality,
        gif_palette: Option<Palette>,
    ) -> Self {
        Self {
            size: style.size,
            fps: style.fps,
            quality,
            gif_palette,
        }
    }
}

enum Sink {
    Mp4(Mp4Writer),
    Gif(GifWriter),
    Png {
        writer: PngWriter,
        last: Option<RgbaImage>,
    },
}

/// A file being written from composed frames: MP4, GIF or, keeping only the last frame, PNG.
///
/// Created before the first frame is rendered, so an unwritable path or a size the format
/// cannot hold is reported at once. Nothing appears at the path until [`Self::finish`]
/// succeeds.
pub struct VideoSink {
    sink: Sink,
    path: PathBuf,
    frames: usize,
}

impl VideoSink {
    /// Opens `path` in `format`.
    pub fn create(
        path: &Path,
        format: ExportFormat,
        options: SinkOptions,
    ) -> Result<Self, AnimateError> {
        let [w, h] = options.size;
        let sink = match format {
            ExportFormat::Mp4 => Sink::Mp4(Mp4Writer::create(
                path,
                w,
                h,
                &Mp4Options {
                    fps: options.fps,
                    quality: options.quality,
                    keyframe_every: options.fps.saturating_mul(2),
                },
            )?),
            ExportFormat::Gif => {
                let palette = match options.gif_palette {
                    Some(palette) => palette,
                    None => uniform_palette()?,
                };
                Sink::Gif(GifWriter::create(path, w, h, options.fps, palette)?)
            }
            ExportFormat::Png => Sink::Png {
                writer: PngWriter::create(path, w, h)?,
                last: None,
            },
        };
        Ok(Self {
            sink,
            path: path.to_path_buf(),
            frames: 0,
        })
    }

    /// Adds a frame (for PNG: replaces the picture to write).
    pub fn push(&mut self, frame: RgbaImage) -> Result<(), AnimateError> {
        match &mut self.sink {
            Sink::Mp4(writer) => writer.push_rgba(&frame.pixels)?,
            Sink::Gif(writer) => writer.push_rgba(&frame.pixels)?,
            Sink::Png { last, .. } => *last = Some(frame),
        }
        self.frames += 1;
        Ok(())
    }

    /// Frames pushed so far.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// The destination.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Completes the file and moves it into place; returns its size in bytes.
    pub fn finish(self) -> Result<u64, AnimateError> {
        Ok(match self.sink {
            Sink::Mp4(writer) => writer.finish()?.bytes,
            Sink::Gif(writer) => writer.finish()?,
            Sink::Png { writer, last } => {
                let Some(last) = last else {
                    return Err(loupe_video::VideoError::NoFrames { path: self.path }.into());
                };
                writer.write(&last.pixels)?
            }
        })
    }
}

/// Six levels of red and blue, seven of green: every colour within 26 levels of one entry.
fn uniform_palette() -> Result<Palette, AnimateError> {
    let level = |i: u8, n: u8| (u16::from(i) * 255 / u16::from(n - 1)) as u8;
    let mut colours = Vec::with_capacity(252);
    for r in 0..6 {
        for g in 0..7 {
            for b in 0..6 {
                colours.push([level(r, 6), level(g, 7), level(b, 6)]);
            }
        }
    }
    Ok(Palette::new(colours)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_extensions() {
        assert_eq!(
            ExportFormat::from_path(Path::new("a/RUN.MP4")).ok(),
            Some(ExportFormat::Mp4)
        );
        assert_eq!(
            ExportFormat::from_path(Path::new("run.gif")).ok(),
            Some(ExportFormat::Gif)
        );
        assert_eq!(
            ExportFormat::from_path(Path::new("view.png")).ok(),
            Some(ExportFormat::Png)
        );
        let err = ExportFormat::from_path(Path::new("run.avi")).expect_err("avi");
        assert!(err.to_string().contains(".mp4"), "{err}");
        assert!(ExportFormat::from_path(Path::new("run")).is_err());
        assert_eq!(uniform_palette().expect("palette").colours().len(), 252);
    }
}
