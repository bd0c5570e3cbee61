//! GIF palettes for composed frames: the colours a frame can contain, known in advance.

use std::collections::HashMap;

use loupe_colour::Rgba;
use loupe_video::Palette;

use crate::{AnimateError, AnimationStyle};

/// Point colours up to this many get exact blend ramps; more (a continuous colour map) are
/// learnt with NeuQuant.
const RAMPED_COLOURS: usize = 24;
/// Steps of a ramp from the background to a colour (anti-aliased edges, translucency).
const MAX_RAMP_STEPS: usize = 8;

/// A palette for GIF frames drawn in `style` with points of `colours` (packed RGBA) and user
/// interface colours `ui` (text, bar).
///
/// A composed frame is the background plus blends of a few known colours over it: the edge
/// of an anti-aliased disc or glyph, translucent points, a tinted legend picture. So the
/// palette holds the background, ramps from it to each interface colour and to each point
/// colour (ending at the point's opacity), and the pure colours; with more than 24 point
/// colours the point part is learnt from their blends instead.
pub fn gif_palette(
    style: &AnimationStyle,
    ui: &[Rgba],
    colours: &[u32],
) -> Result<Palette, AnimateError> {
    let background = rgb(style.background);
    let mut fixed: Vec<[u8; 3]> = vec![background];
    let push = |c: [u8; 3], fixed: &mut Vec<[u8; 3]>| {
        if !fixed.contains(&c) {
            fixed.push(c);
        }
    };
    for &c in ui {
        for step in 1..=MAX_RAMP_STEPS {
            push(
                mix(background, rgb(c), step as f32 / MAX_RAMP_STEPS as f32),
                &mut fixed,
            );
        }
    }
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for &c in colours {
        *counts.entry(c | 0xff00_0000).or_default() += 1;
    }
    let mut distinct: Vec<(u32, usize)> = counts.into_iter().collect();
    // Most frequent first; ties by colour so the palette is the same on every run.
    distinct.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let opacity = style.opacity.clamp(0.0, 1.0);
    if distinct.len() <= RAMPED_COLOURS {
        let room = 256 - fixed.len().min(256);
        let steps = (room / (distinct.len() + 1).max(1)).clamp(1, MAX_RAMP_STEPS);
        for &(c, _) in &distinct {
            let c = rgb(c.to_le_bytes());
            for step in 1..=steps {
                push(
                    mix(background, c, opacity * step as f32 / steps as f32),
                    &mut fixed,
                );
            }
            push(c, &mut fixed);
        }
        fixed.truncate(256);
        return Ok(Palette::new(fixed)?);
    }
    let mut samples = Vec::new();
    for &(c, _) in distinct.iter().take(4096) {
        let c = rgb(c.to_le_bytes());
        for level in [0.25, 0.5, 0.75, 1.0] {
            let m = mix(background, c, opacity * level);
            samples.extend_from_slice(&[m[0], m[1], m[2], 255]);
        }
    }
    Ok(Palette::learn(&fixed, &samples)?)
}

fn rgb(c: Rgba) -> [u8; 3] {
    [c[0], c[1], c[2]]
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    [0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_classes_get_ramps_and_many_colours_are_learnt() {
        let style = AnimationStyle::default();
        let classes: Vec<u32> = (0..10)
            .map(|i| loupe_colour::pack(loupe_colour::category_colour(Some(i))))
            .collect();
        let palette = gif_palette(&style, &[[255; 4]], &classes).expect("palette");
        let colours = palette.colours();
        assert_eq!(colours[0], rgb(style.background));
        for &c in &classes {
            assert!(colours.contains(&rgb(c.to_le_bytes())), "{c:08x}");
        }
        assert!(colours.contains(&[255, 255, 255]));
        assert!(colours.len() <= 256);

        let many: Vec<u32> = (0..2000_u32).map(|i| 0xff00_0000 | (i * 2654)).collect();
        let learnt = gif_palette(&style, &[[255; 4]], &many).expect("palette");
        assert!(learnt.colours().len() > 100);
        assert_eq!(learnt.colours()[0], rgb(style.background));
    }
}
