//! The space a layout's neighbour search saw, kept after the run so that new rows can be
//! brought into it (openTSNE's `transform` needs the reference rows *and* the PCA that
//! reduced them).

use std::borrow::Cow;
use std::sync::Arc;

use loupe_core::VectorBuffer;
use loupe_knn::Metric;

use crate::rng::{Stream, rng};
use crate::{Pca, TsneError};

/// The reference rows of a layout in the space its kNN search ran in, with the PCA (if any)
/// that maps raw input rows there.
///
/// Cheap to clone: the rows are shared. Without a reduction the rows *are* the caller's
/// input buffer, so keeping an `InputSpace` costs nothing extra; with one it holds the `N ×
/// pca_dims` reduced rows (200 MB for a million rows at 50 components).
#[derive(Debug, Clone)]
pub struct InputSpace {
    pca: Option<Arc<Pca>>,
    input_dim: usize,
    data: VectorBuffer,
    dim: usize,
    metric: Metric,
}

impl InputSpace {
    /// Reduces `vectors` (`N × input_dim`) to `pca_dims` principal components when that is
    /// smaller than `input_dim` (calling `on_reduce` first, for progress), else keeps them.
    pub(crate) fn reduce(
        vectors: VectorBuffer,
        input_dim: usize,
        pca_dims: Option<usize>,
        metric: Metric,
        seed: u64,
        on_reduce: impl FnOnce() -> Result<(), TsneError>,
    ) -> Result<Self, TsneError> {
        match pca_dims {
            Some(d) if d < input_dim => {
                on_reduce()?;
                let pca =
                    Pca::fit_stream(&vectors, input_dim, d, &mut rng(seed, Stream::PcaReduce))?;
                let data = VectorBuffer::from(pca.transform(&vectors));
                Ok(Self {
                    pca: Some(Arc::new(pca)),
                    input_dim,
                    data,
                    dim: d,
                    metric,
                })
            }
            _ => Ok(Self {
                pca: None,
                input_dim,
                data: vectors,
                dim: input_dim,
                metric,
            }),
        }
    }

    /// The reference rows in the search space, `N × dim()`.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// [`Self::data`], shared.
    pub fn data_buffer(&self) -> VectorBuffer {
        self.data.clone()
    }

    /// Columns of the search space (the PCA's components, or the input's width).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Columns of raw input rows.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// Rows in the reference.
    pub fn n_points(&self) -> usize {
        self.data.len() / self.dim.max(1)
    }

    /// The metric the neighbour search used.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Whether a PCA reduction sits in front of the search.
    pub fn is_reduced(&self) -> bool {
        self.pca.is_some()
    }

    /// Maps raw rows (`M × input_dim()`) into the search space with the fitted PCA (the
    /// reference's mean and axes, never refitted), or returns them as they are.
    pub fn project<'a>(&self, rows: &'a [f32]) -> Result<Cow<'a, [f32]>, TsneError> {
        let m = rows.len() / self.input_dim.max(1);
        if self.input_dim == 0 || m * self.input_dim != rows.len() {
            return Err(TsneError::InputShape {
                len: rows.len(),
                n_points: m,
                dim: self.input_dim,
            });
        }
        if let Some(pos) = rows.iter().position(|v| !v.is_finite()) {
            return Err(TsneError::NonFinite {
                row: pos / self.input_dim,
            });
        }
        Ok(match &self.pca {
            Some(pca) => Cow::Owned(pca.transform(rows)),
            None => Cow::Borrowed(rows),
        })
    }
}
