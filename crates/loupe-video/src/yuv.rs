//! RGBA → I420 (planar Y′CbCr 4:2:0), ITU-R BT.709 coefficients, limited ("TV") range.
//!
//! BT.709 is what players assume for HD video and what the stream's VUI declares, so colours
//! survive the round trip; limited range (Y' 16–235, Cb/Cr 16–240) is what every player
//! handles. The sRGB bytes are used as they are (Y′CbCr is defined on gamma-encoded values).
//! Chroma is the mean of each 2 × 2 block's RGB, then converted.

/// Fixed-point scale of the coefficients: 16 fractional bits.
const SHIFT: u32 = 16;
const ROUND: i32 = 1 << (SHIFT - 1);

/// `round(c × 2^16)` of BT.709's limited-range matrix, rows Y', Cb, Cr, columns R', G', B'
/// (8-bit in, 8-bit out): Y' = 16 + 219/255 (0.2126 R' + 0.7152 G' + 0.0722 B'),
/// Cb = 128 + 224/255 (B' − Y')/1.8556, Cr = 128 + 224/255 (R' − Y')/1.5748.
const Y: [i32; 3] = [11_966, 40_254, 4_064];
const CB: [i32; 3] = [-6_596, -22_189, 28_784];
const CR: [i32; 3] = [28_784, -26_145, -2_639];

/// Three planes of one frame: `Y` at full size, `U` and `V` at half size each way.
pub(crate) struct I420 {
    pub(crate) y: Vec<u8>,
    pub(crate) u: Vec<u8>,
    pub(crate) v: Vec<u8>,
    pub(crate) width: usize,
    pub(crate) height: usize,
}

impl I420 {
    pub(crate) fn new(width: usize, height: usize) -> Self {
        debug_assert!(width.is_multiple_of(2) && height.is_multiple_of(2));
        Self {
            y: vec![0; width * height],
            u: vec![0; width * height / 4],
            v: vec![0; width * height / 4],
            width,
            height,
        }
    }

    /// Converts `rgba` (`width × height × 4` bytes, alpha ignored) into these planes.
    pub(crate) fn fill_from_rgba(&mut self, rgba: &[u8]) {
        let (w, h) = (self.width, self.height);
        debug_assert_eq!(rgba.len(), w * h * 4);
        for (row, y_row) in rgba.chunks_exact(w * 4).zip(self.y.chunks_exact_mut(w)) {
            for (px, out) in row.chunks_exact(4).zip(y_row) {
                *out = luma(i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
            }
        }
        let half = w / 2;
        for by in 0..h / 2 {
            let top = &rgba[(2 * by) * w * 4..(2 * by + 1) * w * 4];
            let bottom = &rgba[(2 * by + 1) * w * 4..(2 * by + 2) * w * 4];
            for bx in 0..half {
                let mut sum = [0_i32; 3];
                for row in [top, bottom] {
                    for px in row[bx * 8..bx * 8 + 8].chunks_exact(4) {
                        for (s, &c) in sum.iter_mut().zip(px) {
                            *s += i32::from(c);
                        }
                    }
                }
                // Mean of four pixels, kept with 2 extra bits until the end.
                let [r, g, b] = sum;
                self.u[by * half + bx] = chroma(CB, r, g, b);
                self.v[by * half + bx] = chroma(CR, r, g, b);
            }
        }
    }
}

fn luma(r: i32, g: i32, b: i32) -> u8 {
    let y = (Y[0] * r + Y[1] * g + Y[2] * b + ROUND) >> SHIFT;
    (16 + y).clamp(16, 235) as u8
}

/// One chroma sample from the sums of four pixels' channels.
fn chroma(k: [i32; 3], r4: i32, g4: i32, b4: i32) -> u8 {
    let c = (k[0] * r4 + k[1] * g4 + k[2] * b4 + 4 * ROUND) >> (SHIFT + 2);
    (128 + c).clamp(16, 240) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(rgb: [u8; 3]) -> (u8, u8, u8) {
        let mut frame = I420::new(2, 2);
        let rgba: Vec<u8> = (0..4).flat_map(|_| [rgb[0], rgb[1], rgb[2], 255]).collect();
        frame.fill_from_rgba(&rgba);
        (frame.y[0], frame.u[0], frame.v[0])
    }

    #[test]
    fn reference_colours_match_bt709() {
        // Black, white and the primaries, from BT.709's limited-range definition.
        assert_eq!(convert([0, 0, 0]), (16, 128, 128));
        assert_eq!(convert([255, 255, 255]), (235, 128, 128));
        assert_eq!(convert([255, 0, 0]), (63, 102, 240));
        assert_eq!(convert([0, 255, 0]), (173, 42, 26));
        assert_eq!(convert([0, 0, 255]), (32, 240, 118));
    }

    #[test]
    fn coefficients_are_the_standard_ones() {
        let scale = f64::from(1_u32 << SHIFT);
        let (kr, kb) = (0.2126, 0.0722);
        let kg = 1.0 - kr - kb;
        let ys = 219.0 / 255.0;
        let cs = 224.0 / 255.0;
        let expect = [
            [kr * ys, kg * ys, kb * ys],
            [
                -kr / (2.0 * (1.0 - kb)) * cs,
                -kg / (2.0 * (1.0 - kb)) * cs,
                0.5 * cs,
            ],
            [
                0.5 * cs,
                -kg / (2.0 * (1.0 - kr)) * cs,
                -kb / (2.0 * (1.0 - kr)) * cs,
            ],
        ];
        for (row, want) in [Y, CB, CR].iter().zip(expect) {
            for (&got, w) in row.iter().zip(want) {
                assert!(
                    (f64::from(got) - w * scale).abs() <= 1.0,
                    "{got} vs {}",
                    w * scale
                );
            }
        }
    }
}
