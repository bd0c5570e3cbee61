//! [`Palette`]: up to 256 colours and a fast, exact nearest-colour lookup for GIF frames.

use crate::VideoError;

/// Colours a GIF frame may use, with a lazily filled lookup from any RGB colour to its nearest
/// palette entry.
///
/// Rendered frames hold few distinct colours (the background, the points' colours and their
/// anti-aliased blends, text greys), and most pixels repeat their neighbour's colour, so the
/// lookup remembers every colour it has answered (a 2²⁴-entry table filled on first use, whose
/// untouched pages the operating system never even allocates) instead of searching the
/// palette for each of a million pixels per frame. Colours in the palette map to themselves
/// exactly, so the background never shifts.
pub struct Palette {
    colours: Vec<[u8; 3]>,
    /// Nearest entry of each 24-bit colour, valid where `known` has its bit set.
    nearest: Vec<u8>,
    known: Vec<u64>,
}

impl Clone for Palette {
    /// Clones the colours; the lookup starts empty again.
    fn clone(&self) -> Self {
        Self::from_checked(self.colours.clone())
    }
}

impl std::fmt::Debug for Palette {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Palette")
            .field("colours", &self.colours.len())
            .finish_non_exhaustive()
    }
}

impl Palette {
    /// A palette of exactly these colours (1 to 256; repeats are kept but never chosen).
    pub fn new(colours: Vec<[u8; 3]>) -> Result<Self, VideoError> {
        if colours.is_empty() || colours.len() > 256 {
            return Err(VideoError::BadPalette {
                count: colours.len(),
            });
        }
        Ok(Self::from_checked(colours))
    }

    fn from_checked(colours: Vec<[u8; 3]>) -> Self {
        Self {
            colours,
            nearest: vec![0; 1 << 24],
            known: vec![0; (1 << 24) / 64],
        }
    }

    /// `fixed` colours kept exactly, plus up to `256 − fixed.len()` more learnt from
    /// `rgba_samples` with NeuQuant (Dekker 1994): for frames whose colours are not all known
    /// in advance (continuous colour maps, photographs in a legend).
    pub fn learn(fixed: &[[u8; 3]], rgba_samples: &[u8]) -> Result<Self, VideoError> {
        let mut colours = fixed.to_vec();
        let room = 256_usize.saturating_sub(colours.len());
        let pixels = rgba_samples.len() / 4;
        if room >= 2 && pixels > 0 {
            // Sample factor 10 (NeuQuant's default quality) on at most a few million pixels.
            let quant = color_quant::NeuQuant::new(10, room, &rgba_samples[..pixels * 4]);
            for rgba in quant.color_map_rgba().chunks_exact(4) {
                let c = [rgba[0], rgba[1], rgba[2]];
                if !colours.contains(&c) {
                    colours.push(c);
                }
            }
        }
        colours.truncate(256);
        Self::new(colours)
    }

    /// The colours, in index order.
    pub fn colours(&self) -> &[[u8; 3]] {
        &self.colours
    }

    /// The index of the palette colour nearest to `rgb` (weighted RGB distance, green counting
    /// most, as the eye does).
    pub fn index_of(&mut self, rgb: [u8; 3]) -> u8 {
        let key = (usize::from(rgb[0]) << 16) | (usize::from(rgb[1]) << 8) | usize::from(rgb[2]);
        let (word, bit) = (key / 64, 1_u64 << (key % 64));
        if self.known[word] & bit != 0 {
            return self.nearest[key];
        }
        let index = self.search(rgb);
        self.nearest[key] = index;
        self.known[word] |= bit;
        index
    }

    fn search(&self, rgb: [u8; 3]) -> u8 {
        let distance = |c: &[u8; 3]| {
            let d = |i: usize| i32::from(c[i]) - i32::from(rgb[i]);
            2 * d(0) * d(0) + 4 * d(1) * d(1) + 3 * d(2) * d(2)
        };
        let best = self
            .colours
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| distance(c))
            .map_or(0, |(i, _)| i);
        best as u8
    }

    /// Maps RGBA pixels to palette indices (alpha ignored), reusing the answer for runs of one
    /// colour.
    pub fn index_pixels(&mut self, rgba: &[u8], out: &mut Vec<u8>) {
        out.clear();
        out.reserve(rgba.len() / 4);
        let mut last: Option<([u8; 3], u8)> = None;
        for px in rgba.chunks_exact(4) {
            let rgb = [px[0], px[1], px[2]];
            let index = match last {
                Some((colour, index)) if colour == rgb => index,
                _ => {
                    let index = self.index_of(rgb);
                    last = Some((rgb, index));
                    index
                }
            };
            out.push(index);
        }
    }

    /// The colours as GIF wants them: `r g b r g b …`, padded to a power of two (at least 2).
    pub(crate) fn flat(&self) -> Vec<u8> {
        let len = self.colours.len().next_power_of_two().max(2);
        let mut flat: Vec<u8> = self.colours.iter().flatten().copied().collect();
        flat.resize(len * 3, 0);
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_colours_map_to_themselves() {
        let colours: Vec<[u8; 3]> = (0..=255_u8)
            .map(|i| [i, i.wrapping_mul(7), 255 - i])
            .collect();
        let mut palette = Palette::new(colours.clone()).expect("256 colours");
        for (i, &c) in colours.iter().enumerate() {
            assert_eq!(palette.index_of(c), i as u8);
        }
        // A close neighbour of a dark background stays with the background.
        let mut dark = Palette::new(vec![[27, 27, 27], [40, 35, 30], [255, 0, 0]]).expect("ok");
        assert_eq!(dark.index_of([27, 27, 27]), 0);
        assert_eq!(dark.index_of([28, 27, 26]), 0);
        assert_eq!(dark.index_of([250, 10, 0]), 2);
    }

    #[test]
    fn sizes_are_checked_and_learning_keeps_fixed_colours() {
        assert!(Palette::new(Vec::new()).is_err());
        assert!(Palette::new(vec![[0; 3]; 257]).is_err());
        let fixed = [[27, 27, 27], [255, 255, 255]];
        let samples: Vec<u8> = (0..4096_u32)
            .flat_map(|i| [(i % 256) as u8, (i / 16) as u8, 128, 255])
            .collect();
        let palette = Palette::learn(&fixed, &samples).expect("learnt");
        assert_eq!(&palette.colours()[..2], &fixed);
        assert!(palette.colours().len() > 100, "{}", palette.colours().len());
        assert!(palette.colours().len() <= 256);
        assert_eq!(palette.flat().len() % 3, 0);
    }
}
