//! Checks on the plain-slice inputs, done before any work starts.

use rayon::prelude::*;

use crate::ColourError;

/// Rows checked per parallel task when scanning for non-finite values.
const CHECK_ROWS: usize = 4096;

/// Number of rows of a finite `N × dim` buffer, or why it is unusable.
pub(crate) fn check_vectors(vectors: &[f32], dim: usize) -> Result<usize, ColourError> {
    if dim == 0 {
        return Err(ColourError::ZeroDimension);
    }
    if !vectors.len().is_multiple_of(dim) {
        return Err(ColourError::RaggedBuffer {
            len: vectors.len(),
            dim,
        });
    }
    let n = vectors.len() / dim;
    if n == 0 {
        return Err(ColourError::EmptyInput);
    }
    if u32::try_from(n).is_err() {
        return Err(ColourError::TooManyPoints { n_points: n });
    }
    if let Some(row) = first_non_finite(vectors, dim) {
        return Err(ColourError::NonFiniteVector { row });
    }
    Ok(n)
}

/// Number of points of a finite interleaved `[x, y, …]` layout.
pub(crate) fn check_positions(positions: &[f32]) -> Result<usize, ColourError> {
    if !positions.len().is_multiple_of(2) {
        return Err(ColourError::RaggedBuffer {
            len: positions.len(),
            dim: 2,
        });
    }
    if let Some(point) = first_non_finite(positions, 2) {
        return Err(ColourError::NonFinitePosition { point });
    }
    Ok(positions.len() / 2)
}

/// Checks `0 ≤ lo ≤ hi ≤ 100`.
pub(crate) fn check_percentiles((lo, hi): (f64, f64)) -> Result<(), ColourError> {
    if (0.0..=100.0).contains(&lo) && (0.0..=100.0).contains(&hi) && lo <= hi {
        Ok(())
    } else {
        Err(ColourError::InvalidPercentiles { lo, hi })
    }
}

/// Index of the first row holding NaN or ±∞ (the same answer on any number of threads).
fn first_non_finite(values: &[f32], dim: usize) -> Option<usize> {
    let block = values
        .par_chunks(CHECK_ROWS * dim)
        .position_first(|block| block.iter().any(|v| !v.is_finite()))?;
    let rows = &values[block * CHECK_ROWS * dim..];
    let row = rows
        .chunks_exact(dim)
        .position(|row| row.iter().any(|v| !v.is_finite()))?;
    Some(block * CHECK_ROWS + row)
}
