//! OpenH264 behind a small interface: I420 planes in, one MP4 sample (length-prefixed NAL
//! units) plus the parameter sets out.

use openh264::OpenH264API;
use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, QpRange,
    RateControlMode, UsageType, VuiConfig,
};
use openh264::formats::YUVSlices;

use crate::yuv::I420;

/// NAL unit types (ITU-T H.264 table 7-1) the muxer cares about.
pub(crate) const NAL_IDR: u8 = 5;
pub(crate) const NAL_SPS: u8 = 7;
pub(crate) const NAL_PPS: u8 = 8;

/// How hard the encoder tries to keep detail, in the two ways H.264 encoders are usually
/// driven.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quality {
    /// One quantiser for every frame, 1 (near lossless, large) to 51 (blocky, tiny); like
    /// x264's `--crf`, lower is better. 20–26 suits scatter plots: thin, saturated points on a
    /// flat background show blocking early.
    ConstantQp(u8),
    /// A target bit rate in kilobits per second; the encoder picks quantisers to meet it.
    BitrateKbps(u32),
}

impl Quality {
    pub(crate) fn validate(self) -> Result<Self, String> {
        match self {
            Self::ConstantQp(qp) if !(1..=51).contains(&qp) => Err(format!(
                "the H.264 quantiser must be 1 (best) to 51 (smallest), not {qp}"
            )),
            Self::BitrateKbps(kbps) if !(10..=200_000).contains(&kbps) => Err(format!(
                "the bit rate must be 10 to 200000 kbit/s, not {kbps}"
            )),
            other => Ok(other),
        }
    }
}

/// One encoded picture: its NAL units without start codes.
pub(crate) struct Picture {
    /// `[len][nal][len][nal]…` with 4-byte big-endian lengths: an MP4 sample.
    pub(crate) sample: Vec<u8>,
    /// Whether the picture is an IDR picture (decodable on its own: a sync sample).
    pub(crate) keyframe: bool,
    /// The sequence parameter set, when this picture carried one.
    pub(crate) sps: Option<Vec<u8>>,
    /// The picture parameter set, when this picture carried one.
    pub(crate) pps: Option<Vec<u8>>,
}

/// An OpenH264 encoder configured for one size, frame rate and quality.
pub(crate) struct H264Encoder {
    encoder: Encoder,
    planes: I420,
}

impl H264Encoder {
    pub(crate) fn new(
        width: u32,
        height: u32,
        fps: u32,
        quality: Quality,
        keyframe_every: u32,
    ) -> Result<Self, openh264::Error> {
        let config = EncoderConfig::new()
            // OpenH264 rejects its "non-real-time" camera mode; real-time is its tested path.
            .usage_type(UsageType::CameraVideoRealTime)
            .max_frame_rate(FrameRate::from_hz(fps as f32))
            // Every rendered frame is a frame of the video: none may be dropped.
            .skip_frames(false)
            .complexity(Complexity::Medium)
            .intra_frame_period(IntraFramePeriod::from_num_frames(keyframe_every))
            // The planes are BT.709 limited range (see `yuv`); say so in the stream.
            .vui(VuiConfig::bt709())
            .num_threads(0);
        let config = match quality {
            // Quality mode with the quantiser pinned: every frame at the same QP. The bit rate
            // is only the rate controller's starting guess.
            Quality::ConstantQp(qp) => config
                .rate_control_mode(RateControlMode::Quality)
                .bitrate(BitRate::from_bps(20_000_000))
                .qp(QpRange::new(qp, qp)),
            Quality::BitrateKbps(kbps) => config
                .rate_control_mode(RateControlMode::Bitrate)
                .bitrate(BitRate::from_bps(kbps.saturating_mul(1000))),
        };
        let mut encoder = Encoder::with_api_config(OpenH264API::from_source(), config)?;
        silence(&mut encoder);
        Ok(Self {
            encoder,
            planes: I420::new(width as usize, height as usize),
        })
    }

    /// Encodes one RGBA frame (the caller checked its length).
    pub(crate) fn encode(&mut self, rgba: &[u8]) -> Result<Picture, openh264::Error> {
        self.planes.fill_from_rgba(rgba);
        let (w, h) = (self.planes.width, self.planes.height);
        let source = YUVSlices::new(
            (&self.planes.y, &self.planes.u, &self.planes.v),
            (w, h),
            (w, w / 2, w / 2),
        );
        let stream = self.encoder.encode(&source)?;
        let mut picture = Picture {
            sample: Vec::new(),
            keyframe: false,
            sps: None,
            pps: None,
        };
        for layer in (0..stream.num_layers()).filter_map(|i| stream.layer(i)) {
            for nal in (0..layer.nal_count()).filter_map(|i| layer.nal_unit(i)) {
                let nal = strip_start_code(nal);
                let Some(&header) = nal.first() else {
                    continue;
                };
                match header & 0x1f {
                    // Parameter sets go in the sample description (avcC), not the samples.
                    NAL_SPS => picture.sps = Some(nal.to_vec()),
                    NAL_PPS => picture.pps = Some(nal.to_vec()),
                    kind => {
                        picture.keyframe |= kind == NAL_IDR;
                        let len = u32::try_from(nal.len())
                            .map_err(|_| openh264::Error::msg("a NAL unit over 4 GiB"))?;
                        picture.sample.extend_from_slice(&len.to_be_bytes());
                        picture.sample.extend_from_slice(nal);
                    }
                }
            }
        }
        Ok(picture)
    }
}

/// Turns OpenH264's own logging off before the encoder is initialised.
///
/// Otherwise its parameter check prints a warning to stderr on every export (about frame
/// skipping, which we disable on purpose so that every frame becomes a sample), and the
/// `openh264` crate only lowers the log level after that check has run.
///
/// # Why the one `unsafe` block is sound
/// `raw_api` is `unsafe` only because arbitrary options could break the wrapper's
/// assumptions; `ENCODER_OPTION_TRACE_LEVEL` touches nothing but the logger (OpenH264 accepts it
/// before initialisation for exactly this purpose) and reads one `u32` through the pointer,
/// which points at a live local for the duration of the call. The encoder's own pointer is
/// valid because `encoder` was just created successfully.
fn silence(encoder: &mut Encoder) {
    let mut level: u32 = openh264_sys2::WELS_LOG_QUIET as u32;
    #[allow(
        unsafe_code,
        reason = "a single FFI option call; see the soundness note above"
    )]
    // SAFETY: see the function's documentation.
    let status = unsafe {
        encoder.raw_api().set_option(
            openh264_sys2::ENCODER_OPTION_TRACE_LEVEL,
            (&raw mut level).cast(),
        )
    };
    // A failure only means the warning is printed; the encoder works either way.
    debug_assert_eq!(status, 0, "OpenH264 refused the trace level");
}

/// A NAL unit without its Annex B start code (`00 00 01` or `00 00 00 01`).
pub(crate) fn strip_start_code(nal: &[u8]) -> &[u8] {
    nal.strip_prefix(&[0, 0, 0, 1])
        .or_else(|| nal.strip_prefix(&[0, 0, 1]))
        .unwrap_or(nal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_codes_of_both_lengths_are_removed() {
        assert_eq!(strip_start_code(&[0, 0, 0, 1, 0x65, 9]), &[0x65, 9]);
        assert_eq!(strip_start_code(&[0, 0, 1, 0x67]), &[0x67]);
        assert_eq!(strip_start_code(&[0x41, 0]), &[0x41, 0]);
    }

    #[test]
    fn quality_limits() {
        assert!(Quality::ConstantQp(0).validate().is_err());
        assert!(Quality::ConstantQp(52).validate().is_err());
        assert!(Quality::ConstantQp(22).validate().is_ok());
        assert!(Quality::BitrateKbps(5).validate().is_err());
        assert!(Quality::BitrateKbps(4000).validate().is_ok());
    }
}
