//! Reads the structure of an MP4 file back: enough to check what [`super::Mp4Writer`] (or any
//! single-video-track muxer) wrote without a media framework.

use std::ops::Range;

use crate::VideoError;

/// The decoder configuration of an H.264 track (`avcC`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvcConfig {
    /// `profile_idc` (66 Baseline, 77 Main, 100 High).
    pub profile: u8,
    /// `level_idc` × 10 (e.g. 40 for level 4.0).
    pub level: u8,
    /// Bytes in each NAL unit's length prefix inside samples (1, 2 or 4).
    pub length_size: u8,
    /// Sequence parameter sets.
    pub sps: Vec<Vec<u8>>,
    /// Picture parameter sets.
    pub pps: Vec<Vec<u8>>,
}

/// One track of an MP4 file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrackInfo {
    /// Handler type from `hdlr`: `vide` for video.
    pub handler: [u8; 4],
    /// Sample entry type from `stsd`: `avc1` for H.264.
    pub codec: [u8; 4],
    /// Width and height from the visual sample entry.
    pub size: [u16; 2],
    /// Media clock ticks per second (`mdhd`).
    pub timescale: u32,
    /// Duration in media ticks (`mdhd`).
    pub duration: u64,
    /// `(sample count, ticks per sample)` runs (`stts`).
    pub sample_deltas: Vec<(u32, u32)>,
    /// Byte size of every sample (`stsz`).
    pub sample_sizes: Vec<u32>,
    /// 1-based sync (key) sample numbers (`stss`); `None` when every sample is a sync sample.
    pub sync_samples: Option<Vec<u32>>,
    /// `(first chunk, samples per chunk)` runs (`stsc`; sample description ignored).
    pub chunk_runs: Vec<(u32, u32)>,
    /// File offset of every chunk (`stco` or `co64`).
    pub chunk_offsets: Vec<u64>,
    /// The H.264 configuration, when the sample entry has one.
    pub avc: Option<AvcConfig>,
}

impl TrackInfo {
    /// Number of samples (frames, for video).
    pub fn sample_count(&self) -> usize {
        self.sample_sizes.len()
    }

    /// Where each sample lies in the file, from the chunk offsets, chunk runs and sizes.
    pub fn sample_ranges(&self) -> Result<Vec<Range<u64>>, VideoError> {
        let mut ranges = Vec::with_capacity(self.sample_sizes.len());
        let mut sizes = self.sample_sizes.iter();
        for (chunk_index, &offset) in self.chunk_offsets.iter().enumerate() {
            let chunk_number = chunk_index as u32 + 1;
            let per_chunk = self
                .chunk_runs
                .iter()
                .rev()
                .find(|(first, _)| *first <= chunk_number)
                .map_or(0, |&(_, n)| n);
            let mut at = offset;
            for _ in 0..per_chunk {
                let Some(&size) = sizes.next() else {
                    return Err(bad("stsc/stco describe more samples than stsz"));
                };
                ranges.push(at..at + u64::from(size));
                at += u64::from(size);
            }
        }
        if ranges.len() != self.sample_sizes.len() {
            return Err(bad(&format!(
                "the chunks hold {} samples but stsz lists {}",
                ranges.len(),
                self.sample_sizes.len()
            )));
        }
        Ok(ranges)
    }
}

/// What [`inspect_mp4`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mp4Info {
    /// The `ftyp` major brand.
    pub major_brand: [u8; 4],
    /// The `ftyp` compatible brands.
    pub compatible_brands: Vec<[u8; 4]>,
    /// Movie duration in milliseconds-or-whatever (`mvhd` timescale units) and that timescale.
    pub movie_duration: (u64, u32),
    /// Every `trak`.
    pub tracks: Vec<TrackInfo>,
    /// Payload byte ranges of every `mdat` box.
    pub mdat: Vec<Range<u64>>,
    /// Top-level box types in file order.
    pub top_level: Vec<[u8; 4]>,
}

fn bad(reason: &str) -> VideoError {
    VideoError::BadMp4 {
        reason: reason.to_owned(),
    }
}

/// One box: its type, body (after the header) and where the body starts in the file.
struct Atom<'a> {
    kind: [u8; 4],
    body: &'a [u8],
    body_offset: u64,
}

/// Splits `data` (which starts at file offset `base`) into boxes.
fn atoms(data: &[u8], base: u64) -> Result<Vec<Atom<'_>>, VideoError> {
    let mut out = Vec::new();
    let mut at = 0_usize;
    while at < data.len() {
        let rest = &data[at..];
        let header = rest
            .get(..8)
            .ok_or_else(|| bad("a box header is cut short"))?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = [header[4], header[5], header[6], header[7]];
        let (size, header_len) = match size32 {
            0 => (rest.len() as u64, 8),
            1 => {
                let large = rest
                    .get(8..16)
                    .ok_or_else(|| bad("a 64-bit box size is cut short"))?;
                (u64::from_be_bytes(large.try_into().unwrap_or([0; 8])), 16)
            }
            n => (u64::from(n), 8),
        };
        let name = String::from_utf8_lossy(&kind).into_owned();
        if size < header_len as u64 || size > rest.len() as u64 {
            return Err(bad(&format!(
                "box '{name}' claims {size} bytes; {} remain",
                rest.len()
            )));
        }
        let size = size as usize;
        out.push(Atom {
            kind,
            body: &rest[header_len..size],
            body_offset: base + (at + header_len) as u64,
        });
        at += size;
    }
    Ok(out)
}

/// A cursor over a box body with bounds-checked big-endian reads.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8], what: &'static str) -> Self {
        Self { data, at: 0, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], VideoError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.data.len());
        let Some(end) = end else {
            return Err(bad(&format!("'{}' is cut short", self.what)));
        };
        let out = &self.data[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, VideoError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, VideoError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, VideoError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, VideoError> {
        let hi = self.u32()?;
        let lo = self.u32()?;
        Ok((u64::from(hi) << 32) | u64::from(lo))
    }

    fn kind(&mut self) -> Result<[u8; 4], VideoError> {
        let b = self.take(4)?;
        Ok([b[0], b[1], b[2], b[3]])
    }

    /// Version byte and flags of a full box.
    fn version(&mut self) -> Result<u8, VideoError> {
        let v = self.u8()?;
        self.take(3)?;
        Ok(v)
    }

    fn rest(&self) -> &'a [u8] {
        &self.data[self.at..]
    }

    fn offset(&self) -> usize {
        self.at
    }

    /// `count` entries, refusing counts the body cannot hold (`entry_bytes` each).
    fn count(&mut self, entry_bytes: usize) -> Result<usize, VideoError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(entry_bytes) > self.data.len() - self.at {
            return Err(bad(&format!(
                "'{}' lists more entries than it holds",
                self.what
            )));
        }
        Ok(n)
    }
}

/// Parses the box structure of an MP4 file held in memory.
///
/// Checks every size against the bytes present, so a truncated or corrupt file is a
/// [`VideoError::BadMp4`] naming the box, never a panic.
pub fn inspect_mp4(bytes: &[u8]) -> Result<Mp4Info, VideoError> {
    let mut info = Mp4Info::default();
    for atom in atoms(bytes, 0)? {
        info.top_level.push(atom.kind);
        match &atom.kind {
            b"ftyp" => {
                let mut r = Reader::new(atom.body, "ftyp");
                info.major_brand = r.kind()?;
                r.u32()?;
                while !r.rest().is_empty() {
                    info.compatible_brands.push(r.kind()?);
                }
            }
            b"mdat" => info
                .mdat
                .push(atom.body_offset..atom.body_offset + atom.body.len() as u64),
            b"moov" => read_moov(&atom, &mut info)?,
            _ => {}
        }
    }
    if info.top_level.first() != Some(b"ftyp") {
        return Err(bad("the file does not start with an 'ftyp' box"));
    }
    Ok(info)
}

fn read_moov(moov: &Atom<'_>, info: &mut Mp4Info) -> Result<(), VideoError> {
    for atom in atoms(moov.body, moov.body_offset)? {
        match &atom.kind {
            b"mvhd" => {
                let mut r = Reader::new(atom.body, "mvhd");
                let version = r.version()?;
                info.movie_duration = if version == 1 {
                    r.take(16)?;
                    let scale = r.u32()?;
                    (r.u64()?, scale)
                } else {
                    r.take(8)?;
                    let scale = r.u32()?;
                    (u64::from(r.u32()?), scale)
                };
            }
            b"trak" => {
                let mut track = TrackInfo::default();
                walk_track(&atom, &mut track)?;
                info.tracks.push(track);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Descends through `trak`/`mdia`/`minf`/`stbl`, reading the boxes that describe samples.
fn walk_track(parent: &Atom<'_>, track: &mut TrackInfo) -> Result<(), VideoError> {
    for atom in atoms(parent.body, parent.body_offset)? {
        let mut r = Reader::new(atom.body, "track box");
        match &atom.kind {
            b"mdia" | b"minf" | b"stbl" => walk_track(&atom, track)?,
            b"mdhd" => {
                let version = r.version()?;
                if version == 1 {
                    r.take(16)?;
                    track.timescale = r.u32()?;
                    track.duration = r.u64()?;
                } else {
                    r.take(8)?;
                    track.timescale = r.u32()?;
                    track.duration = u64::from(r.u32()?);
                }
            }
            b"hdlr" => {
                r.version()?;
                r.u32()?;
                track.handler = r.kind()?;
            }
            b"stsd" => read_stsd(&mut r, track)?,
            b"stts" => {
                r.version()?;
                for _ in 0..r.count(8)? {
                    track.sample_deltas.push((r.u32()?, r.u32()?));
                }
            }
            b"stss" => {
                r.version()?;
                let n = r.count(4)?;
                let sync = (0..n).map(|_| r.u32()).collect::<Result<_, _>>()?;
                track.sync_samples = Some(sync);
            }
            b"stsz" => {
                r.version()?;
                let fixed = r.u32()?;
                if fixed == 0 {
                    let n = r.count(4)?;
                    track.sample_sizes = (0..n).map(|_| r.u32()).collect::<Result<_, _>>()?;
                } else {
                    track.sample_sizes = vec![fixed; r.u32()? as usize];
                }
            }
            b"stsc" => {
                r.version()?;
                for _ in 0..r.count(12)? {
                    let first = r.u32()?;
                    let per_chunk = r.u32()?;
                    r.u32()?;
                    track.chunk_runs.push((first, per_chunk));
                }
            }
            b"stco" => {
                r.version()?;
                for _ in 0..r.count(4)? {
                    track.chunk_offsets.push(u64::from(r.u32()?));
                }
            }
            b"co64" => {
                r.version()?;
                for _ in 0..r.count(8)? {
                    track.chunk_offsets.push(r.u64()?);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The first sample entry: its type, size, and for `avc1`/`avc3` the `avcC` record.
fn read_stsd(r: &mut Reader<'_>, track: &mut TrackInfo) -> Result<(), VideoError> {
    r.version()?;
    if r.u32()? == 0 {
        return Err(bad("'stsd' has no sample entry"));
    }
    let entry_start = r.offset();
    let size = r.u32()? as usize;
    track.codec = r.kind()?;
    if track.handler != *b"vide" && track.handler != [0; 4] {
        return Ok(());
    }
    // The visual sample entry: 6 reserved, data reference, 16 pre-defined/reserved bytes,
    // width, height, then 50 more bytes before its child boxes.
    r.take(6 + 2 + 16)?;
    track.size = [r.u16()?, r.u16()?];
    r.take(50)?;
    let children_len = size
        .checked_sub(r.offset() - entry_start)
        .ok_or_else(|| bad("the sample entry is smaller than its fields"))?;
    let children = r.take(children_len)?;
    for atom in atoms(children, 0)? {
        if &atom.kind == b"avcC" {
            track.avc = Some(read_avcc(atom.body)?);
        }
    }
    Ok(())
}

fn read_avcc(body: &[u8]) -> Result<AvcConfig, VideoError> {
    let mut r = Reader::new(body, "avcC");
    if r.u8()? != 1 {
        return Err(bad("'avcC' has an unknown configuration version"));
    }
    let profile = r.u8()?;
    r.u8()?;
    let level = r.u8()?;
    let length_size = (r.u8()? & 0x3) + 1;
    let sets = |count: usize, r: &mut Reader<'_>| -> Result<Vec<Vec<u8>>, VideoError> {
        (0..count)
            .map(|_| {
                let len = r.u16()? as usize;
                Ok(r.take(len)?.to_vec())
            })
            .collect()
    };
    let sps_count = (r.u8()? & 0x1f) as usize;
    let sps = sets(sps_count, &mut r)?;
    let pps_count = r.u8()? as usize;
    let pps = sets(pps_count, &mut r)?;
    Ok(AvcConfig {
        profile,
        level,
        length_size,
        sps,
        pps,
    })
}

/// The NAL unit types (ITU-T H.264 table 7-1: 1 non-IDR slice, 5 IDR slice, 6 SEI, 7 SPS,
/// 8 PPS) of one sample whose NAL units carry `length_size`-byte big-endian lengths.
pub fn nal_unit_types(sample: &[u8], length_size: u8) -> Result<Vec<u8>, VideoError> {
    let n = usize::from(length_size);
    if !(1..=4).contains(&n) {
        return Err(bad("NAL length prefixes are 1 to 4 bytes"));
    }
    let mut types = Vec::new();
    let mut at = 0;
    while at < sample.len() {
        let prefix = sample
            .get(at..at + n)
            .ok_or_else(|| bad("a NAL length prefix is cut short"))?;
        let len = prefix
            .iter()
            .fold(0_usize, |acc, &b| (acc << 8) | usize::from(b));
        at += n;
        let nal = sample
            .get(at..at + len)
            .filter(|nal| !nal.is_empty())
            .ok_or_else(|| bad("a NAL unit is longer than its sample"))?;
        types.push(nal[0] & 0x1f);
        at += len;
    }
    Ok(types)
}
