//! Checks an MP4 without ffmpeg: parses its boxes, decodes every H.264 sample with OpenH264's
//! decoder and writes the last picture as a PNG.
//!
//!     cargo run --release -p loupe-video --example mp4_check -- RUN.mp4 [LAST.png]

use std::path::PathBuf;

use openh264::decoder::Decoder;
use openh264::formats::YUVSource as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let input = args.next().ok_or("usage: mp4_check RUN.mp4 [LAST.png]")?;
    let png = args.next();
    let bytes = std::fs::read(&input)?;
    let info = loupe_video::inspect_mp4(&bytes)?;
    let track = info.tracks.first().ok_or("no track")?;
    let avc = track.avc.as_ref().ok_or("not H.264 (no avcC)")?;
    let length = usize::from(avc.length_size);
    println!(
        "{}: {} × {}, {} samples, {} keyframes, profile {} level {}, {:.2} s",
        input.display(),
        track.size[0],
        track.size[1],
        track.sample_count(),
        track
            .sync_samples
            .as_ref()
            .map_or(track.sample_count(), Vec::len),
        avc.profile,
        avc.level,
        track.duration as f64 / f64::from(track.timescale.max(1))
    );
    let annex_b = |nal: &[u8]| [&[0, 0, 0, 1][..], nal].concat();
    let mut decoder = Decoder::new()?;
    let mut decoded = 0;
    let mut last = None;
    for (i, range) in track.sample_ranges()?.into_iter().enumerate() {
        let mut sample = &bytes[range.start as usize..range.end as usize];
        let mut packet = Vec::new();
        if i == 0 {
            packet.extend(avc.sps.iter().chain(&avc.pps).flat_map(|p| annex_b(p)));
        }
        while sample.len() > length {
            let len = sample[..length]
                .iter()
                .fold(0, |acc, &b| (acc << 8) | usize::from(b));
            packet.extend(annex_b(&sample[length..length + len]));
            sample = &sample[length + len..];
        }
        if let Some(picture) = decoder.decode(&packet)? {
            decoded += 1;
            let (w, h) = picture.dimensions();
            let mut rgb = vec![0; w * h * 3];
            picture.write_rgb8(&mut rgb);
            last = Some((w, h, rgb));
        }
    }
    println!("decoded {decoded} pictures");
    if let (Some(path), Some((w, h, rgb))) = (png, last) {
        let rgba: Vec<u8> = rgb
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
        loupe_video::write_png(&path, w as u32, h as u32, &rgba)?;
        println!("last picture written to {}", path.display());
    }
    Ok(())
}
