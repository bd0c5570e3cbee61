//! Colouring by a numeric column.

use rayon::prelude::*;

use crate::stats::{Scale, percentile_pair};
use crate::{Colormap, ColourError, Rgba};

/// Percentiles of the automatic range: the extreme 1 % at each end saturate instead of
/// squashing everyone else into one colour.
const AUTO_PERCENTILES: (f64, f64) = (1.0, 99.0);

/// Values coloured per parallel task (lookups only, no reduction).
const CHUNK: usize = 16_384;

/// Colours of a numeric column and the range they span.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericColours {
    /// One colour per value; missing values are [`crate::MISSING`].
    pub colours: Vec<Rgba>,
    /// The values at the colormap's two ends, for the colour bar's labels: the caller's range,
    /// or the 1st and 99th percentiles of the finite values (`None` when every value is
    /// missing). Values outside it take the end colours. When `lo == hi` every present value
    /// takes the map's middle colour.
    pub range: Option<(f64, f64)>,
}

/// Paints `values` with `colormap` over `range` (automatic: the 1st–99th percentiles of the
/// finite values).
///
/// Missing values are NaN or ±∞ (a numeric column's nulls, converted by the caller); they are
/// painted [`crate::MISSING`] and ignored by the automatic range. A given range must be finite
/// with `lo ≤ hi`. For a diverging map centred on zero, pass a symmetric range, e.g. built
/// from [`percentile_range`].
pub fn numeric_colours(
    values: &[f64],
    range: Option<(f64, f64)>,
    colormap: Colormap,
) -> Result<NumericColours, ColourError> {
    if let Some((lo, hi)) = range
        && !(lo.is_finite() && hi.is_finite() && lo <= hi)
    {
        return Err(ColourError::InvalidRange { lo, hi });
    }
    let range = match range {
        Some(r) => Some(r),
        None => percentile_range(values, AUTO_PERCENTILES)?,
    };
    let Some(r) = range else {
        return Ok(NumericColours {
            colours: vec![crate::MISSING; values.len()],
            range: None,
        });
    };
    let scale = Scale::new(r, false);
    let lut = colormap.lut();
    let colours = values
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            chunk.iter().map(|&v| {
                if v.is_finite() {
                    Colormap::lookup(lut, scale.apply(v))
                } else {
                    crate::MISSING
                }
            })
        })
        .collect();
    Ok(NumericColours { colours, range })
}

/// The `(lo, hi)` percentiles (each in `[0, 100]`, `lo ≤ hi`) of the finite entries of
/// `values`, linearly interpolated between order statistics like NumPy's default; `None` when
/// no entry is finite. Lets the app build its own range (symmetric about zero for a diverging
/// map, or the trust map's clip) from the same statistic as the automatic one.
pub fn percentile_range(
    values: &[f64],
    percentiles: (f64, f64),
) -> Result<Option<(f64, f64)>, ColourError> {
    crate::input::check_percentiles(percentiles)?;
    let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    Ok(percentile_pair(&mut finite, percentiles))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MISSING;

    #[test]
    fn automatic_range_is_robust_and_reported() {
        let mut values: Vec<f64> = (0..=100).map(f64::from).collect();
        values.push(1e9); // an outlier must not flatten everyone else
        values.push(f64::NAN);
        let out = numeric_colours(&values, None, Colormap::Viridis).unwrap();
        let (lo, hi) = out.range.unwrap();
        assert!((lo - 1.01).abs() < 1e-9, "{lo}");
        assert!((hi - 99.99).abs() < 1e-9, "{hi}");
        let lut = Colormap::Viridis.lut();
        assert_eq!(out.colours[0], lut[0]);
        assert_eq!(out.colours[101], lut[255]);
        assert_eq!(out.colours[102], MISSING);
        let t = (50.0 - lo) / (hi - lo);
        assert_eq!(out.colours[50], lut[(t * 255.0).round() as usize]);
    }

    #[test]
    fn explicit_range_clips_and_flat_range_is_mid() {
        let out = numeric_colours(
            &[-1.0, 0.0, 0.5, 1.0, 2.0],
            Some((0.0, 1.0)),
            Colormap::CoolWarm,
        )
        .unwrap();
        let lut = Colormap::CoolWarm.lut();
        assert_eq!(
            out.colours,
            vec![lut[0], lut[0], lut[128], lut[255], lut[255]]
        );
        let flat = numeric_colours(&[3.0, 3.0, f64::INFINITY], None, Colormap::Viridis).unwrap();
        assert_eq!(flat.range, Some((3.0, 3.0)));
        assert_eq!(flat.colours, vec![lut_mid(), lut_mid(), MISSING]);
    }

    fn lut_mid() -> Rgba {
        Colormap::Viridis.lut()[128]
    }

    #[test]
    fn all_missing_and_bad_ranges() {
        let out = numeric_colours(&[f64::NAN; 3], None, Colormap::Viridis).unwrap();
        assert_eq!(out.range, None);
        assert_eq!(out.colours, vec![MISSING; 3]);
        assert!(
            numeric_colours(&[], None, Colormap::Viridis)
                .unwrap()
                .colours
                .is_empty()
        );
        assert_eq!(
            numeric_colours(&[1.0], Some((2.0, 1.0)), Colormap::Viridis),
            Err(ColourError::InvalidRange { lo: 2.0, hi: 1.0 })
        );
        assert!(percentile_range(&[1.0], (50.0, 101.0)).is_err());
    }
}
