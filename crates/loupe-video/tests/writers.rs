//! The writers end to end: files written, then read back with independent decoders (OpenH264's
//! own decoder for the MP4, the `gif` crate's decoder for the GIF).

use std::path::Path;

use loupe_video::{
    GifWriter, Mp4Options, Mp4Writer, Palette, Quality, VideoError, inspect_mp4, nal_unit_types,
    write_png,
};
use openh264::decoder::Decoder;
use openh264::formats::YUVSource as _;

const W: u32 = 96;
const H: u32 = 64;
const BACKGROUND: [u8; 3] = [27, 27, 27];
const SQUARE: [u8; 3] = [230, 60, 40];

/// Frame `k`: the background with a 16 × 16 square whose left edge is at `8 + 4k`.
fn frame(k: u32) -> Vec<u8> {
    let mut rgba = Vec::with_capacity((W * H * 4) as usize);
    for y in 0..H {
        for x in 0..W {
            let inside = (8 + 4 * k..24 + 4 * k).contains(&x) && (24..40).contains(&y);
            let c = if inside { SQUARE } else { BACKGROUND };
            rgba.extend_from_slice(&[c[0], c[1], c[2], 255]);
        }
    }
    rgba
}

fn close(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= tolerance)
}

/// BT.709 limited-range Y′CbCr → RGB, the inverse of what the writer does.
fn rgb_from_yuv(y: u8, u: u8, v: u8) -> [u8; 3] {
    let y = (f32::from(y) - 16.0) * 255.0 / 219.0;
    let cb = (f32::from(u) - 128.0) * 255.0 / 224.0;
    let cr = (f32::from(v) - 128.0) * 255.0 / 224.0;
    let r = y + 1.5748 * cr;
    let b = y + 1.8556 * cb;
    let g = (y - 0.2126 * r - 0.0722 * b) / 0.7152;
    [r, g, b].map(|c| c.round().clamp(0.0, 255.0) as u8)
}

#[test]
fn mp4_is_h264_with_one_sample_per_frame_and_decodes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("run.mp4");
    let frames = 12;
    let options = Mp4Options {
        fps: 30,
        quality: Quality::ConstantQp(20),
        keyframe_every: 5,
    };
    let mut writer = Mp4Writer::create(&path, W, H, &options).expect("create");
    for k in 0..frames {
        writer.push_rgba(&frame(k)).expect("frame");
    }
    assert!(!path.exists(), "nothing at the destination before finish");
    let summary = writer.finish().expect("finish");
    let bytes = std::fs::read(&path).expect("read back");
    assert_eq!(summary.frames, frames as usize);
    assert_eq!(summary.bytes, bytes.len() as u64);

    let info = inspect_mp4(&bytes).expect("valid MP4");
    assert_eq!(&info.major_brand, b"isom");
    assert!(info.compatible_brands.contains(b"avc1"));
    assert_eq!(info.top_level, [*b"ftyp", *b"mdat", *b"moov"]);
    assert_eq!(
        info.movie_duration,
        (400, 1000),
        "12 frames at 30 fps = 400 ms"
    );
    assert_eq!(info.tracks.len(), 1);
    let track = &info.tracks[0];
    assert_eq!(&track.handler, b"vide");
    assert_eq!(&track.codec, b"avc1");
    assert_eq!(track.size, [W as u16, H as u16]);
    assert_eq!(track.sample_count(), frames as usize);
    assert_eq!(track.sample_deltas, [(frames, 1000)]);
    assert_eq!(track.timescale, 30_000);
    assert_eq!(track.duration, u64::from(frames) * 1000);
    let sync = track.sync_samples.as_ref().expect("stss");
    assert_eq!(sync.first(), Some(&1), "the first frame is a keyframe");
    assert!(sync.len() >= 2, "a keyframe every 5 frames: {sync:?}");
    let avc = track.avc.as_ref().expect("avcC");
    assert_eq!(avc.length_size, 4);
    assert_eq!(avc.sps.len(), 1);
    assert_eq!(avc.pps.len(), 1);
    assert_eq!(avc.sps[0][0] & 0x1f, 7, "an SPS NAL unit");
    assert_eq!(avc.pps[0][0] & 0x1f, 8, "a PPS NAL unit");
    assert_eq!(avc.profile, avc.sps[0][1]);

    // The samples tile the mdat payload exactly.
    let ranges = track.sample_ranges().expect("sample offsets");
    assert_eq!(info.mdat.len(), 1);
    let mdat = &info.mdat[0];
    assert_eq!(ranges.first().map(|r| r.start), Some(mdat.start));
    assert_eq!(ranges.last().map(|r| r.end), Some(mdat.end));
    assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));

    // The first sample is an IDR picture; later non-key samples are not.
    let sample = |i: usize| &bytes[ranges[i].start as usize..ranges[i].end as usize];
    assert!(nal_unit_types(sample(0), 4).expect("NALs").contains(&5));
    assert!(!nal_unit_types(sample(1), 4).expect("NALs").contains(&5));

    // OpenH264's decoder reads the stream back: the square is where it was drawn.
    let mut decoder = Decoder::new().expect("decoder");
    let annex_b = |nal: &[u8]| [&[0, 0, 0, 1][..], nal].concat();
    let mut decoded = 0;
    for i in 0..frames as usize {
        let mut packet = Vec::new();
        if i == 0 {
            packet.extend(annex_b(&avc.sps[0]));
            packet.extend(annex_b(&avc.pps[0]));
        }
        let mut s = sample(i);
        while let Some((len, rest)) = s.split_first_chunk::<4>() {
            let len = u32::from_be_bytes(*len) as usize;
            packet.extend(annex_b(&rest[..len]));
            s = &rest[len..];
        }
        let Some(yuv) = decoder.decode(&packet).expect("decodes") else {
            continue;
        };
        assert_eq!(yuv.dimensions(), (W as usize, H as usize));
        let (sy, su, _) = yuv.strides();
        let at = |x: usize, y: usize| {
            rgb_from_yuv(
                yuv.y()[y * sy + x],
                yuv.u()[(y / 2) * su + x / 2],
                yuv.v()[(y / 2) * su + x / 2],
            )
        };
        let k = i;
        let centre = at(16 + 4 * k, 32);
        assert!(close(centre, SQUARE, 12), "frame {i}: square {centre:?}");
        let outside = at(80.min(8 + 4 * k + 40), 8);
        assert!(
            close(outside, BACKGROUND, 8),
            "frame {i}: background {outside:?}"
        );
        decoded += 1;
    }
    assert_eq!(decoded, frames, "every sample decodes to a picture");
}

/// Composites every frame of a GIF (frames are sub-rectangles) and returns the full pictures
/// with their delays.
fn decode_gif(path: &Path) -> (u16, u16, Vec<(Vec<u8>, u16)>, gif::Repeat) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(path).expect("open"))
        .expect("GIF header");
    let (w, h) = (decoder.width(), decoder.height());
    let mut canvas = vec![0_u8; usize::from(w) * usize::from(h) * 4];
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().expect("frame decodes") {
        for row in 0..usize::from(frame.height) {
            for col in 0..usize::from(frame.width) {
                let src = (row * usize::from(frame.width) + col) * 4;
                let dst = ((usize::from(frame.top) + row) * usize::from(w)
                    + usize::from(frame.left)
                    + col)
                    * 4;
                canvas[dst..dst + 4].copy_from_slice(&frame.buffer[src..src + 4]);
            }
        }
        frames.push((canvas.clone(), frame.delay));
    }
    let repeat = decoder.repeat();
    (w, h, frames, repeat)
}

#[test]
fn gif_decodes_to_the_frames_at_the_frame_rate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("run.gif");
    let palette = Palette::new(vec![BACKGROUND, SQUARE]).expect("palette");
    let mut writer = GifWriter::create(&path, W, H, 30, palette).expect("create");
    for k in 0..9 {
        writer.push_rgba(&frame(k)).expect("frame");
    }
    // Two identical frames at the end: shown longer, not stored twice.
    writer.push_rgba(&frame(8)).expect("frame");
    writer.push_rgba(&frame(8)).expect("frame");
    assert_eq!(writer.frames(), 11);
    let bytes = writer.finish().expect("finish");
    assert_eq!(bytes, std::fs::metadata(&path).expect("file").len());

    let (w, h, frames, repeat) = decode_gif(&path);
    assert_eq!((u32::from(w), u32::from(h)), (W, H));
    assert_eq!(repeat, gif::Repeat::Infinite);
    assert_eq!(frames.len(), 9, "the repeated frames merge into the last");
    let delays: Vec<u16> = frames.iter().map(|f| f.1).collect();
    assert_eq!(
        delays.iter().map(|&d| u32::from(d)).sum::<u32>(),
        37,
        "11 frames at 30 fps"
    );
    assert_eq!(&delays[..3], &[3, 4, 3]);
    for (k, (pixels, _)) in frames.iter().enumerate() {
        let at = |x: u32, y: u32| {
            let i = ((y * W + x) * 4) as usize;
            [pixels[i], pixels[i + 1], pixels[i + 2]]
        };
        assert_eq!(at(16 + 4 * k as u32, 32), SQUARE, "frame {k}");
        assert_eq!(
            at(4 * k as u32 + 4, 32),
            BACKGROUND,
            "frame {k} behind the square"
        );
        assert_eq!(at(90, 60), BACKGROUND);
    }
}

#[test]
fn png_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("view.png");
    write_png(&path, W, H, &frame(3)).expect("write");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&path).expect("open"),
    ));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("image");
    assert_eq!((info.width, info.height), (W, H));
    assert_eq!(&buf[..info.buffer_size()], frame(3).as_slice());
}

#[test]
fn bad_sizes_rates_and_paths_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mp4 = dir.path().join("a.mp4");
    let options = Mp4Options::default();
    let err = Mp4Writer::create(&mp4, 95, 64, &options)
        .err()
        .expect("odd width");
    assert!(err.to_string().contains("even"), "{err}");
    let err = Mp4Writer::create(&mp4, 4000, 4000, &options)
        .err()
        .expect("too big");
    assert!(err.to_string().contains("3840"), "{err}");
    let slow = Mp4Options { fps: 0, ..options };
    assert!(matches!(
        Mp4Writer::create(&mp4, W, H, &slow),
        Err(VideoError::BadFrameRate { .. })
    ));
    let blurry = Mp4Options {
        quality: Quality::ConstantQp(60),
        ..options
    };
    assert!(matches!(
        Mp4Writer::create(&mp4, W, H, &blurry),
        Err(VideoError::BadQuality { .. })
    ));
    let palette = || Palette::new(vec![[0, 0, 0]]).expect("palette");
    let err = GifWriter::create(&dir.path().join("a.gif"), W, H, 60, palette())
        .err()
        .expect("60 fps GIF");
    assert!(err.to_string().contains("50 frames per second"), "{err}");

    // A path under a file, and a missing folder: refused before any frame.
    let file = dir.path().join("plain.txt");
    std::fs::write(&file, b"x").expect("write");
    for path in [file.join("run.mp4"), dir.path().join("missing/run.mp4")] {
        let err = Mp4Writer::create(&path, W, H, &options)
            .err()
            .expect("unwritable");
        assert!(matches!(err, VideoError::Io { .. }), "{err}");
        assert!(err.to_string().contains("run.mp4"), "{err}");
        let err = GifWriter::create(&path.with_extension("gif"), W, H, 30, palette())
            .err()
            .expect("unwritable");
        assert!(matches!(err, VideoError::Io { .. }), "{err}");
    }
    assert!(write_png(&file.join("x.png"), W, H, &frame(0)).is_err());

    // Wrong frame length; finishing without frames; nothing left behind.
    let mut writer = Mp4Writer::create(&mp4, W, H, &options).expect("create");
    let err = writer.push_rgba(&[0; 12]).expect_err("short frame");
    assert!(matches!(err, VideoError::FrameSize { .. }), "{err}");
    let err = writer.finish().expect_err("no frames");
    assert!(matches!(err, VideoError::NoFrames { .. }), "{err}");
    let gif = GifWriter::create(&dir.path().join("a.gif"), W, H, 30, palette()).expect("gif");
    assert!(matches!(gif.finish(), Err(VideoError::NoFrames { .. })));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left, ["plain.txt"], "no partial files remain");
}

#[test]
fn bitrate_mode_writes_every_frame() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rate.mp4");
    let options = Mp4Options {
        fps: 25,
        quality: Quality::BitrateKbps(500),
        keyframe_every: 0,
    };
    let mut writer = Mp4Writer::create(&path, W, H, &options).expect("create");
    for k in 0..8 {
        writer.push_rgba(&frame(k)).expect("frame");
    }
    assert_eq!(writer.frames(), 8);
    writer.finish().expect("finish");
    let info = inspect_mp4(&std::fs::read(&path).expect("read")).expect("valid");
    let track = &info.tracks[0];
    assert_eq!(track.sample_count(), 8, "no frame skipped to meet the rate");
    assert_eq!(
        track.sync_samples.as_deref(),
        Some(&[1][..]),
        "one keyframe"
    );
}

#[test]
fn damaged_mp4_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("run.mp4");
    let mut writer = Mp4Writer::create(&path, W, H, &Mp4Options::default()).expect("create");
    for k in 0..3 {
        writer.push_rgba(&frame(k)).expect("frame");
    }
    writer.finish().expect("finish");
    let bytes = std::fs::read(&path).expect("read");
    for cut in [3, 20, bytes.len() / 2, bytes.len() - 7] {
        assert!(inspect_mp4(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    assert!(inspect_mp4(b"not an mp4 file at all").is_err());
    let mut corrupt = bytes.clone();
    corrupt[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(inspect_mp4(&corrupt).is_err());
}
