//! A safe front for `matrixmultiply`'s single-precision GEMM.
//!
//! The kNN search and the PCA in `loupe-tsne` spend nearly all their time in dense matrix
//! products. `matrixmultiply` provides fast, runtime-dispatched SIMD kernels, but only through a
//! raw-pointer API; this module checks every shape and stride against the slices once, so the
//! single `unsafe` call in the workspace's numeric code lives here and nowhere else.

/// A read-only, strided view of a dense `rows × cols` matrix of `f32`.
#[derive(Debug, Clone, Copy)]
pub struct MatRef<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// A view with arbitrary (non-negative) strides; `None` when an element would fall outside
    /// `data`.
    pub fn new(
        data: &'a [f32],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> Option<Self> {
        if rows > 0 && cols > 0 {
            let last = (rows - 1)
                .checked_mul(row_stride)?
                .checked_add((cols - 1).checked_mul(col_stride)?)?;
            if last >= data.len() {
                return None;
            }
        }
        Some(Self {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        })
    }

    /// The first `rows × cols` values of `data` read row by row; `None` when `data` is too short.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Option<Self> {
        Self::new(data, rows, cols, cols, 1)
    }

    /// The transpose, without copying.
    #[must_use]
    pub fn t(self) -> Self {
        Self {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
}

/// `C ← α·A·B + β·C`, where `C` is `a.rows() × b.cols()`, row-major with leading dimension
/// `ldc` (≥ `b.cols()`), stored in `c`.
///
/// When `beta` is zero, `C` need not be initialised (NaNs in it are overwritten). Panics when
/// the shapes disagree or `c` is too short: those are programming errors, not input errors.
pub fn gemm(alpha: f32, a: MatRef<'_>, b: MatRef<'_>, beta: f32, c: &mut [f32], ldc: usize) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "gemm: inner dimensions differ");
    if m == 0 || n == 0 {
        return;
    }
    assert!(
        ldc >= n,
        "gemm: leading dimension of C is smaller than its width"
    );
    let needed = (m - 1)
        .checked_mul(ldc)
        .and_then(|x| x.checked_add(n))
        .expect("gemm: C's size overflows usize");
    assert!(c.len() >= needed, "gemm: C is too short");
    if k == 0 {
        for row in c.chunks_mut(ldc).take(m) {
            for v in &mut row[..n] {
                *v = if beta == 0.0 { 0.0 } else { *v * beta };
            }
        }
        return;
    }
    // Every stride is bounded by a slice length, so it fits in `isize`.
    let s = |x: usize| x as isize;
    #[expect(
        unsafe_code,
        reason = "matrixmultiply has only a raw-pointer API; MatRef::new and the asserts above \
                  guarantee every element of A, B and C addressed by these shapes and strides \
                  lies inside its slice, C's elements do not alias (ldc ≥ n, unit column \
                  stride), and `c` is borrowed mutably for the whole call"
    )]
    // SAFETY: see the `expect` reason above.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.data.as_ptr(),
            s(a.row_stride),
            s(a.col_stride),
            b.data.as_ptr(),
            s(b.row_stride),
            s(b.col_stride),
            beta,
            c.as_mut_ptr(),
            s(ldc),
            1,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(clippy::float_cmp, reason = "small integers are exact in f32")]
    fn matches_naive_product_with_transposed_operand() {
        // A is 2×3, B is given as its 4×3 transpose.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let bt = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let mut c = [f32::NAN; 8];
        gemm(
            1.0,
            MatRef::row_major(&a, 2, 3).unwrap(),
            MatRef::row_major(&bt, 4, 3).unwrap().t(),
            0.0,
            &mut c,
            4,
        );
        assert_eq!(c, [1.0, 2.0, 3.0, 6.0, 4.0, 5.0, 6.0, 15.0]);
    }

    #[test]
    fn rejects_views_outside_the_slice() {
        assert!(MatRef::row_major(&[0.0; 5], 2, 3).is_none());
        assert!(MatRef::new(&[0.0; 6], 2, 3, 3, 1).is_some());
        assert!(MatRef::new(&[0.0; 6], 0, 3, 100, 1).is_some());
    }
}
