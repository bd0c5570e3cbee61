//! [`GifWriter`]: RGBA frames → an animated GIF that loops forever.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::palette::Palette;
use crate::pending::Pending;
use crate::{VideoError, check_frame};

/// GIF delays are whole hundredths of a second, and browsers slow any delay under 2 cs down to
/// 10 cs; 50 fps is therefore the fastest a GIF reliably plays.
const MAX_FPS: u32 = 50;

/// A frame held back until the next one shows whether it changed anything.
struct Held {
    /// Changed rectangle: left, top, width, height.
    rect: [u16; 4],
    pixels: Vec<u8>,
    /// Display time in hundredths of a second.
    delay_cs: u32,
}

/// Writes RGBA frames as an animated GIF with one global palette, looping forever.
///
/// Each frame after the first stores only the rectangle that changed since the previous one
/// (the legend and title of an animation never move), and a frame identical to the previous
/// one only lengthens its display time. Frame times follow `fps` exactly on average: delays
/// are whole hundredths of a second, so 30 fps alternates 3, 3 and 4 cs. The file appears at
/// its path only when [`Self::finish`] succeeds.
pub struct GifWriter {
    pending: Pending,
    encoder: gif::Encoder<BufWriter<File>>,
    palette: Palette,
    width: u32,
    height: u32,
    fps: u32,
    frames: usize,
    /// Palette indices of the previous frame, full size.
    previous: Vec<u8>,
    current: Vec<u8>,
    held: Option<Held>,
}

impl GifWriter {
    /// Checks the size (1 to 65,535 pixels a side) and frame rate (1 to 50), creates the
    /// file's temporary sibling and writes the header with `palette`.
    pub fn create(
        path: &Path,
        width: u32,
        height: u32,
        fps: u32,
        palette: Palette,
    ) -> Result<Self, VideoError> {
        let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
            return Err(bad_size(width, height));
        };
        if w == 0 || h == 0 {
            return Err(bad_size(width, height));
        }
        if !(1..=MAX_FPS).contains(&fps) {
            return Err(VideoError::BadFrameRate {
                format: "GIF",
                fps,
                reason: "frame delays are whole hundredths of a second and browsers slow \
                         delays under 2 cs to 10 cs, so give 1 to 50 frames per second",
            });
        }
        let pending = Pending::create(path)?;
        let out = pending.writer()?;
        let encoding = |e: gif::EncodingError| VideoError::Encoding {
            format: "GIF",
            message: e.to_string(),
            path: path.to_path_buf(),
        };
        let mut encoder = gif::Encoder::new(out, w, h, &palette.flat()).map_err(encoding)?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(encoding)?;
        Ok(Self {
            pending,
            encoder,
            palette,
            width,
            height,
            fps,
            frames: 0,
            previous: Vec::new(),
            current: Vec::new(),
            held: None,
        })
    }

    /// Adds one frame: `width × height` RGBA pixels, rows top to bottom (alpha ignored).
    pub fn push_rgba(&mut self, rgba: &[u8]) -> Result<(), VideoError> {
        check_frame(rgba, self.width, self.height, self.frames)?;
        self.palette.index_pixels(rgba, &mut self.current);
        let delay_cs = self.delay_cs(self.frames);
        self.frames += 1;
        let changed = if self.previous.is_empty() {
            Some([0, 0, self.width as u16, self.height as u16])
        } else {
            changed_rect(&self.previous, &self.current, self.width as usize)
        };
        match (changed, &mut self.held) {
            (None, Some(held)) => held.delay_cs += delay_cs,
            (None, None) => {}
            (Some(rect), _) => {
                self.flush_held()?;
                self.held = Some(Held {
                    rect,
                    pixels: crop(&self.current, self.width as usize, rect),
                    delay_cs,
                });
            }
        }
        std::mem::swap(&mut self.previous, &mut self.current);
        Ok(())
    }

    /// Hundredths of a second frame `k` is shown: the rounded end time minus the rounded
    /// start time, so the total never drifts from `frames / fps`.
    fn delay_cs(&self, k: usize) -> u32 {
        let at =
            |k: usize| ((k as u64 * 100 + u64::from(self.fps) / 2) / u64::from(self.fps)) as u32;
        at(k + 1) - at(k)
    }

    fn flush_held(&mut self) -> Result<(), VideoError> {
        let Some(held) = self.held.take() else {
            return Ok(());
        };
        let [left, top, width, height] = held.rect;
        let frame = gif::Frame {
            // A still longer than GIF's 655.35 s limit is shown for 655.35 s.
            delay: u16::try_from(held.delay_cs).unwrap_or(u16::MAX),
            dispose: gif::DisposalMethod::Keep,
            left,
            top,
            width,
            height,
            buffer: std::borrow::Cow::Owned(held.pixels),
            ..gif::Frame::default()
        };
        self.encoder
            .write_frame(&frame)
            .map_err(|e| VideoError::Encoding {
                format: "GIF",
                message: e.to_string(),
                path: self.pending.path().to_path_buf(),
            })
    }

    /// Frames added so far.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Writes the last frame and the trailer and moves the file into place; returns its size.
    pub fn finish(mut self) -> Result<u64, VideoError> {
        if self.frames == 0 {
            return Err(VideoError::NoFrames {
                path: self.pending.path().to_path_buf(),
            });
        }
        self.flush_held()?;
        let Self {
            pending, encoder, ..
        } = self;
        let out = encoder.into_inner().map_err(|e| VideoError::Encoding {
            format: "GIF",
            message: e.to_string(),
            path: pending.path().to_path_buf(),
        })?;
        let file = out
            .into_inner()
            .map_err(|e| pending.failed(e.into_error()))?;
        let bytes = file.metadata().map_err(|e| pending.failed(e))?.len();
        drop(file);
        pending.persist()?;
        Ok(bytes)
    }
}

fn bad_size(width: u32, height: u32) -> VideoError {
    VideoError::BadSize {
        format: "GIF",
        width,
        height,
        reason: "each side must be 1 to 65535 pixels",
    }
}

/// The smallest rectangle (left, top, width, height) outside which `a` and `b` agree, or
/// `None` when they are equal.
fn changed_rect(a: &[u8], b: &[u8], width: usize) -> Option<[u16; 4]> {
    let rows: Vec<(usize, &[u8], &[u8])> = a
        .chunks_exact(width)
        .zip(b.chunks_exact(width))
        .enumerate()
        .filter(|(_, (ra, rb))| ra != rb)
        .map(|(y, (ra, rb))| (y, ra, rb))
        .collect();
    let (first, last) = (rows.first()?.0, rows.last()?.0);
    let mut left = width;
    let mut right = 0;
    for (_, ra, rb) in &rows {
        if let Some(l) = ra.iter().zip(*rb).position(|(x, y)| x != y) {
            left = left.min(l);
        }
        if let Some(r) = ra.iter().zip(*rb).rposition(|(x, y)| x != y) {
            right = right.max(r);
        }
    }
    Some([
        left as u16,
        first as u16,
        (right + 1 - left) as u16,
        (last + 1 - first) as u16,
    ])
}

fn crop(pixels: &[u8], width: usize, [left, top, w, h]: [u16; 4]) -> Vec<u8> {
    let (left, top, w, h) = (
        usize::from(left),
        usize::from(top),
        usize::from(w),
        usize::from(h),
    );
    let mut out = Vec::with_capacity(w * h);
    for row in pixels.chunks_exact(width).skip(top).take(h) {
        out.extend_from_slice(&row[left..left + w]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_rect_is_tight() {
        let a = vec![0_u8; 6 * 4];
        let mut b = a.clone();
        assert_eq!(changed_rect(&a, &b, 6), None);
        b[6 + 2] = 1; // (2, 1)
        b[2 * 6 + 4] = 1; // (4, 2)
        assert_eq!(changed_rect(&a, &b, 6), Some([2, 1, 3, 2]));
        assert_eq!(crop(&b, 6, [2, 1, 3, 2]), vec![1, 0, 0, 0, 0, 1]);
    }
}
