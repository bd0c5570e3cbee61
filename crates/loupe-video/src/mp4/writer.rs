//! [`Mp4Writer`]: RGBA frames → H.264 → an MP4 file, streamed.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use super::boxes::{self, Track};
use crate::h264::{H264Encoder, Quality};
use crate::pending::Pending;
use crate::{VideoError, check_frame};

/// OpenH264's largest picture (level 5.2): 3840 × 2160 either way round.
const MAX_LONG_SIDE: u32 = 3840;
const MAX_SHORT_SIDE: u32 = 2160;
/// The smallest picture OpenH264 accepts is one macroblock.
const MIN_SIDE: u32 = 16;
/// Frame rates beyond this are not what anyone means by an animation.
const MAX_FPS: u32 = 240;

/// How an MP4 is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mp4Options {
    /// Frames per second, 1 to 240.
    pub fps: u32,
    /// Quantiser or bit rate.
    pub quality: Quality,
    /// An IDR (key) frame every this many frames, so players can seek; 0 means only the first.
    pub keyframe_every: u32,
}

impl Default for Mp4Options {
    /// 30 fps at a constant quantiser of 23, a keyframe every two seconds.
    fn default() -> Self {
        Self {
            fps: 30,
            quality: Quality::ConstantQp(23),
            keyframe_every: 60,
        }
    }
}

/// What [`Mp4Writer::finish`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mp4Summary {
    /// Frames in the video.
    pub frames: usize,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// Encodes RGBA frames with H.264 and writes them as an MP4 file (one video track, constant
/// frame rate), without any system codec or ffmpeg.
///
/// The encoded frames go to disk as they come (the file holds `ftyp`, then `mdat`, then
/// `moov` with the sample tables, like ffmpeg without `+faststart`), so a long video never sits
/// in memory. The file appears at its path only when [`Self::finish`] succeeds; an error or a
/// drop before that removes it.
pub struct Mp4Writer {
    pending: Pending,
    out: BufWriter<File>,
    /// Boxed: OpenH264's bit-stream bookkeeping makes it kilobytes large.
    encoder: Box<H264Encoder>,
    width: u32,
    height: u32,
    fps: u32,
    /// Where the `mdat` box starts in the file (its size is patched in at the end).
    mdat_start: u64,
    written: u64,
    sample_sizes: Vec<u32>,
    sync_samples: Vec<u32>,
    sps: Option<Vec<u8>>,
    pps: Option<Vec<u8>>,
}

impl Mp4Writer {
    /// Checks the size and options, creates the file's temporary sibling and the encoder.
    ///
    /// Width and height must be even (4:2:0 chroma covers 2 × 2 pixels), at least 16 and at
    /// most 3840 × 2160 either way round (OpenH264's limit).
    pub fn create(
        path: &Path,
        width: u32,
        height: u32,
        options: &Mp4Options,
    ) -> Result<Self, VideoError> {
        check_size(width, height)?;
        if !(1..=MAX_FPS).contains(&options.fps) {
            return Err(VideoError::BadFrameRate {
                format: "MP4",
                fps: options.fps,
                reason: "give 1 to 240 frames per second",
            });
        }
        let quality = options
            .quality
            .validate()
            .map_err(|reason| VideoError::BadQuality { reason })?;
        let pending = Pending::create(path)?;
        let encoder = H264Encoder::new(width, height, options.fps, quality, options.keyframe_every)
            .map_err(|e| VideoError::Encoder {
                frame: 0,
                message: e.to_string(),
                path: path.to_path_buf(),
            })?;
        let mut out = pending.writer()?;
        let ftyp = boxes::ftyp();
        // `mdat` with a 64-bit size (size field 1, then the real size), patched in `finish`.
        let mut header = ftyp.clone();
        header.extend_from_slice(&1_u32.to_be_bytes());
        header.extend_from_slice(b"mdat");
        header.extend_from_slice(&0_u64.to_be_bytes());
        out.write_all(&header).map_err(|e| pending.failed(e))?;
        Ok(Self {
            mdat_start: ftyp.len() as u64,
            written: header.len() as u64,
            pending,
            out,
            encoder: Box::new(encoder),
            width,
            height,
            fps: options.fps,
            sample_sizes: Vec::new(),
            sync_samples: Vec::new(),
            sps: None,
            pps: None,
        })
    }

    /// Encodes one frame: `width × height` RGBA pixels, rows top to bottom (alpha ignored).
    pub fn push_rgba(&mut self, rgba: &[u8]) -> Result<(), VideoError> {
        let frame = self.sample_sizes.len();
        check_frame(rgba, self.width, self.height, frame)?;
        let picture = self.encoder.encode(rgba).map_err(|e| VideoError::Encoder {
            frame,
            message: e.to_string(),
            path: self.pending.path().to_path_buf(),
        })?;
        if picture.sample.is_empty() {
            return Err(VideoError::Encoder {
                frame,
                message: "the encoder returned no picture".to_owned(),
                path: self.pending.path().to_path_buf(),
            });
        }
        if self.sps.is_none() {
            self.sps = picture.sps;
        }
        if self.pps.is_none() {
            self.pps = picture.pps;
        }
        if picture.keyframe {
            self.sync_samples.push(frame as u32 + 1);
        }
        let size = u32::try_from(picture.sample.len()).map_err(|_| VideoError::Encoder {
            frame,
            message: "a frame over 4 GiB".to_owned(),
            path: self.pending.path().to_path_buf(),
        })?;
        self.out
            .write_all(&picture.sample)
            .map_err(|e| self.pending.failed(e))?;
        self.written += u64::from(size);
        self.sample_sizes.push(size);
        Ok(())
    }

    /// Frames encoded so far.
    pub fn frames(&self) -> usize {
        self.sample_sizes.len()
    }

    /// Writes the sample tables and moves the file into place.
    pub fn finish(mut self) -> Result<Mp4Summary, VideoError> {
        let (Some(sps), Some(pps)) = (self.sps.take(), self.pps.take()) else {
            return Err(VideoError::NoFrames {
                path: self.pending.path().to_path_buf(),
            });
        };
        let mdat_size = self.written - self.mdat_start;
        let moov = boxes::moov(&Track {
            width: self.width,
            height: self.height,
            timescale: self.fps * 1000,
            frame_ticks: 1000,
            sample_sizes: &self.sample_sizes,
            sync_samples: &self.sync_samples,
            chunk_offset: self.mdat_start + 16,
            sps: &sps,
            pps: &pps,
        });
        let failed = |e| VideoError::io(e, self.pending.path());
        self.out.write_all(&moov).map_err(failed)?;
        self.out
            .seek(SeekFrom::Start(self.mdat_start + 8))
            .map_err(failed)?;
        self.out
            .write_all(&mdat_size.to_be_bytes())
            .map_err(failed)?;
        self.out.flush().map_err(failed)?;
        let summary = Mp4Summary {
            frames: self.sample_sizes.len(),
            bytes: self.written + moov.len() as u64,
        };
        drop(self.out);
        self.pending.persist()?;
        Ok(summary)
    }
}

fn check_size(width: u32, height: u32) -> Result<(), VideoError> {
    let bad = |reason| {
        Err(VideoError::BadSize {
            format: "MP4",
            width,
            height,
            reason,
        })
    };
    if !width.is_multiple_of(2) || !height.is_multiple_of(2) {
        return bad("H.264 4:2:0 needs an even width and height");
    }
    if width.min(height) < MIN_SIDE {
        return bad("each side must be at least 16 pixels");
    }
    if width.max(height) > MAX_LONG_SIDE || width.min(height) > MAX_SHORT_SIDE {
        return bad("the H.264 encoder stops at 3840 × 2160 (either way round)");
    }
    Ok(())
}
