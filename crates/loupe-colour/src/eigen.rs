//! Eigen-decomposition of small symmetric matrices (`FastICA`'s `m × m` decorrelation).

/// Eigenvalues and eigenvectors of the symmetric `m × m` row-major matrix `a`, by cyclic
/// Jacobi rotations (Golub & Van Loan, "Matrix Computations", §8.5): accurate to rounding for
/// the handful of rows `FastICA` needs. Returns `(values, vectors)` with eigenvector `k` in
/// column `k` of the row-major `vectors`.
pub(crate) fn symmetric_eigen(a: &[f64], m: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; m * m];
    for i in 0..m {
        v[i * m + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|i| (0..m).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * m + j] * a[i * m + j])
            .sum();
        let scale: f64 = (0..m).map(|i| a[i * m + i] * a[i * m + i]).sum();
        if off <= 1e-30 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                rotate(&mut a, &mut v, m, p, q);
            }
        }
    }
    let values = (0..m).map(|i| a[i * m + i]).collect();
    (values, v)
}

/// One Jacobi rotation zeroing `a[p][q]`, accumulated into `v`.
fn rotate(a: &mut [f64], v: &mut [f64], m: usize, p: usize, q: usize) {
    let apq = a[p * m + q];
    if apq == 0.0 {
        return;
    }
    let theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + theta.mul_add(theta, 1.0).sqrt());
    let c = 1.0 / t.mul_add(t, 1.0).sqrt();
    let s = t * c;
    for k in 0..m {
        let (akp, akq) = (a[k * m + p], a[k * m + q]);
        a[k * m + p] = c * akp - s * akq;
        a[k * m + q] = s * akp + c * akq;
    }
    for k in 0..m {
        let (apk, aqk) = (a[p * m + k], a[q * m + k]);
        a[p * m + k] = c * apk - s * aqk;
        a[q * m + k] = s * apk + c * aqk;
    }
    for k in 0..m {
        let (vkp, vkq) = (v[k * m + p], v[k * m + q]);
        v[k * m + p] = c * vkp - s * vkq;
        v[k * m + q] = s * vkp + c * vkq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconstructs_a_symmetric_matrix() {
        let a = [4.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 0.5, 5.0];
        let (w, v) = symmetric_eigen(&a, 3);
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3).map(|k| v[i * 3 + k] * w[k] * v[j * 3 + k]).sum();
                assert!((r - a[i * 3 + j]).abs() < 1e-12, "({i},{j})");
            }
        }
        let trace: f64 = w.iter().sum();
        assert!((trace - 12.0).abs() < 1e-12);
    }
}
