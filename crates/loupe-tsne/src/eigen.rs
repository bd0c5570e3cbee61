//! A small dense symmetric eigensolver: PCA's Rayleigh–Ritz step here, and `FastICA`'s
//! symmetric decorrelation in `loupe-colour`, which calls this one rather than keeping its own.

/// Eigen-decomposition of a symmetric `n × n` matrix (row-major, destroyed) by cyclic Jacobi
/// rotations. Returns the eigenvalues and the eigenvectors as the columns of an `n × n`
/// row-major matrix. `n` is the small subspace size, so `O(n³)` per sweep is negligible
/// (cyclic Jacobi: Golub & Van Loan, "Matrix Computations", §8.5).
pub fn symmetric_eigen(a: &mut [f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|p| ((p + 1)..n).map(move |r| (p, r)))
            .map(|(p, r)| a[p * n + r] * a[p * n + r])
            .sum();
        let total: f64 = a.iter().map(|x| x * x).sum();
        if off <= 1e-30 * total || off == 0.0 {
            break;
        }
        for p in 0..n {
            for r in (p + 1)..n {
                let apr = a[p * n + r];
                if apr == 0.0 {
                    continue;
                }
                let theta = (a[r * n + r] - a[p * n + p]) / (2.0 * apr);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akr) = (a[k * n + p], a[k * n + r]);
                    a[k * n + p] = c * akp - s * akr;
                    a[k * n + r] = s * akp + c * akr;
                }
                for k in 0..n {
                    let (apk, ark) = (a[p * n + k], a[r * n + k]);
                    a[p * n + k] = c * apk - s * ark;
                    a[r * n + k] = s * apk + c * ark;
                }
                for k in 0..n {
                    let (vkp, vkr) = (v[k * n + p], v[k * n + r]);
                    v[k * n + p] = c * vkp - s * vkr;
                    v[k * n + r] = s * vkp + c * vkr;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises() {
        let orig = [4.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 0.5, 1.0];
        let mut a = orig;
        let (vals, vecs) = symmetric_eigen(&mut a, 3);
        for j in 0..3 {
            for i in 0..3 {
                let av: f64 = (0..3).map(|k| orig[i * 3 + k] * vecs[k * 3 + j]).sum();
                assert!((av - vals[j] * vecs[i * 3 + j]).abs() < 1e-10);
            }
        }
    }
}
