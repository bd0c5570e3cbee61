//! ISO/IEC 14496-12 (ISO base media file format) boxes for one H.264 video track, and the
//! avcC record of ISO/IEC 14496-15.
//!
//! Only what a single-track, constant-frame-rate video needs; every box is built in memory
//! (the sample tables of a few thousand frames are kilobytes) and its 32-bit size patched in
//! when its body is complete.

/// The 3 × 3 unity transformation matrix of `mvhd`/`tkhd` (16.16 and 2.30 fixed point).
const UNITY_MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];
/// Movie-header clock: milliseconds.
pub(crate) const MOVIE_TIMESCALE: u32 = 1000;

/// What `moov` describes.
pub(crate) struct Track<'a> {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Media clock ticks per second.
    pub(crate) timescale: u32,
    /// Ticks per frame.
    pub(crate) frame_ticks: u32,
    pub(crate) sample_sizes: &'a [u32],
    /// 1-based numbers of the IDR samples.
    pub(crate) sync_samples: &'a [u32],
    /// File offset of the first sample (all samples form one chunk).
    pub(crate) chunk_offset: u64,
    pub(crate) sps: &'a [u8],
    pub(crate) pps: &'a [u8],
}

/// Appends a box: 32-bit size, type, then what `body` writes.
pub(crate) fn write_box(out: &mut Vec<u8>, kind: [u8; 4], body: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&kind);
    body(out);
    let size = u32::try_from(out.len() - start).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&size.to_be_bytes());
}

/// Appends a "full box": a box whose body starts with a version byte and 24 bits of flags.
fn write_full_box(
    out: &mut Vec<u8>,
    kind: [u8; 4],
    version: u8,
    flags: u32,
    body: impl FnOnce(&mut Vec<u8>),
) {
    write_box(out, kind, |out| {
        out.push(version);
        out.extend_from_slice(&flags.to_be_bytes()[1..]);
        body(out);
    });
}

fn u16be(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn u32be(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn zeros(out: &mut Vec<u8>, n: usize) {
    out.resize(out.len() + n, 0);
}

/// `ftyp`: ISO base media, with H.264 and MP4 v1 as compatible brands (what players check).
pub(crate) fn ftyp() -> Vec<u8> {
    let mut out = Vec::new();
    write_box(&mut out, *b"ftyp", |out| {
        out.extend_from_slice(b"isom");
        u32be(out, 0x200);
        for brand in [b"isom", b"iso2", b"avc1", b"mp41"] {
            out.extend_from_slice(brand);
        }
    });
    out
}

/// `moov`: the movie header and one video track whose samples are one chunk.
pub(crate) fn moov(track: &Track<'_>) -> Vec<u8> {
    let frames = track.sample_sizes.len() as u64;
    let media_duration = frames * u64::from(track.frame_ticks);
    let movie_duration =
        media_duration * u64::from(MOVIE_TIMESCALE) / u64::from(track.timescale.max(1));
    let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    let mut out = Vec::new();
    write_box(&mut out, *b"moov", |out| {
        write_full_box(out, *b"mvhd", 0, 0, |out| {
            zeros(out, 8); // creation and modification time: unknown
            u32be(out, MOVIE_TIMESCALE);
            u32be(out, clamp(movie_duration));
            u32be(out, 0x0001_0000); // rate 1.0
            u16be(out, 0x0100); // volume 1.0
            zeros(out, 10);
            for m in UNITY_MATRIX {
                u32be(out, m);
            }
            zeros(out, 24); // pre_defined
            u32be(out, 2); // next_track_ID
        });
        write_box(out, *b"trak", |out| {
            write_full_box(out, *b"tkhd", 0, 0x3, |out| {
                zeros(out, 8);
                u32be(out, 1); // track_ID
                zeros(out, 4);
                u32be(out, clamp(movie_duration));
                zeros(out, 8);
                zeros(out, 4); // layer, alternate_group
                zeros(out, 4); // volume (0 for video), reserved
                for m in UNITY_MATRIX {
                    u32be(out, m);
                }
                u32be(out, track.width << 16);
                u32be(out, track.height << 16);
            });
            write_box(out, *b"mdia", |out| mdia(out, track, clamp(media_duration)));
        });
    });
    out
}

fn mdia(out: &mut Vec<u8>, track: &Track<'_>, media_duration: u32) {
    write_full_box(out, *b"mdhd", 0, 0, |out| {
        zeros(out, 8);
        u32be(out, track.timescale);
        u32be(out, media_duration);
        u16be(out, 0x55c4); // ISO 639-2 "und", packed 5 bits per letter
        u16be(out, 0);
    });
    write_full_box(out, *b"hdlr", 0, 0, |out| {
        zeros(out, 4);
        out.extend_from_slice(b"vide");
        zeros(out, 12);
        out.extend_from_slice(b"Loupe video\0");
    });
    write_box(out, *b"minf", |out| {
        write_full_box(out, *b"vmhd", 0, 1, |out| zeros(out, 8));
        write_box(out, *b"dinf", |out| {
            write_full_box(out, *b"dref", 0, 0, |out| {
                u32be(out, 1);
                // Flag 1: the media data is in this file.
                write_full_box(out, *b"url ", 0, 1, |_| {});
            });
        });
        write_box(out, *b"stbl", |out| stbl(out, track));
    });
}

fn stbl(out: &mut Vec<u8>, track: &Track<'_>) {
    let frames = u32::try_from(track.sample_sizes.len()).unwrap_or(u32::MAX);
    write_full_box(out, *b"stsd", 0, 0, |out| {
        u32be(out, 1);
        write_box(out, *b"avc1", |out| avc1(out, track));
    });
    write_full_box(out, *b"stts", 0, 0, |out| {
        u32be(out, 1);
        u32be(out, frames);
        u32be(out, track.frame_ticks);
    });
    write_full_box(out, *b"stss", 0, 0, |out| {
        u32be(
            out,
            u32::try_from(track.sync_samples.len()).unwrap_or(u32::MAX),
        );
        for &s in track.sync_samples {
            u32be(out, s);
        }
    });
    write_full_box(out, *b"stsz", 0, 0, |out| {
        u32be(out, 0); // sizes differ: one entry per sample
        u32be(out, frames);
        for &s in track.sample_sizes {
            u32be(out, s);
        }
    });
    write_full_box(out, *b"stsc", 0, 0, |out| {
        u32be(out, 1);
        u32be(out, 1); // first chunk
        u32be(out, frames); // samples per chunk: all of them
        u32be(out, 1); // sample description
    });
    match u32::try_from(track.chunk_offset) {
        Ok(offset) => write_full_box(out, *b"stco", 0, 0, |out| {
            u32be(out, 1);
            u32be(out, offset);
        }),
        Err(_) => write_full_box(out, *b"co64", 0, 0, |out| {
            u32be(out, 1);
            out.extend_from_slice(&track.chunk_offset.to_be_bytes());
        }),
    }
}

/// The visual sample entry for H.264 with its decoder configuration and colour description.
fn avc1(out: &mut Vec<u8>, track: &Track<'_>) {
    zeros(out, 6);
    u16be(out, 1); // data_reference_index
    zeros(out, 16); // pre_defined, reserved
    u16be(out, u16::try_from(track.width).unwrap_or(u16::MAX));
    u16be(out, u16::try_from(track.height).unwrap_or(u16::MAX));
    u32be(out, 0x0048_0000); // 72 dpi
    u32be(out, 0x0048_0000);
    zeros(out, 4);
    u16be(out, 1); // frame_count
    let name = b"Loupe H.264";
    out.push(name.len() as u8);
    out.extend_from_slice(name);
    zeros(out, 31 - name.len());
    u16be(out, 0x0018); // depth: colour, no alpha
    u16be(out, 0xffff); // pre_defined = -1
    write_box(out, *b"avcC", |out| {
        out.push(1); // configurationVersion
        // profile_idc, constraint flags, level_idc: copied from the SPS.
        out.extend_from_slice(track.sps.get(1..4).unwrap_or(&[66, 0xc0, 40]));
        out.push(0xff); // 6 reserved bits, lengthSizeMinusOne = 3
        out.push(0xe1); // 3 reserved bits, one SPS
        u16be(out, u16::try_from(track.sps.len()).unwrap_or(u16::MAX));
        out.extend_from_slice(track.sps);
        out.push(1); // one PPS
        u16be(out, u16::try_from(track.pps.len()).unwrap_or(u16::MAX));
        out.extend_from_slice(track.pps);
        // High profiles append the chroma format and bit depths (4:2:0, 8 bits, no SPS
        // extensions); Baseline and Main end here.
        if matches!(track.sps.get(1), Some(100 | 110 | 122 | 144)) {
            out.extend_from_slice(&[0xfc | 1, 0xf8, 0xf8, 0]);
        }
    });
    // BT.709 primaries, transfer and matrix, limited range: the same as the stream's VUI.
    write_box(out, *b"colr", |out| {
        out.extend_from_slice(b"nclx");
        u16be(out, 1);
        u16be(out, 1);
        u16be(out, 1);
        out.push(0);
    });
    write_box(out, *b"pasp", |out| {
        u32be(out, 1);
        u32be(out, 1);
    });
}
