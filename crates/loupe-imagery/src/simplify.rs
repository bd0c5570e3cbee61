//! Douglas–Peucker simplification of closed rings, to bring an overlong Mapbox URL under the
//! API's 8,192-character limit (Douglas & Peucker 1973, "Algorithms for the reduction of the
//! number of points required to represent a digitized line or its caricature").

/// Simplifies a closed ring (first vertex == last) with tolerance `tol` (degrees, planar).
///
/// A closed ring has no natural end points, so it is split at the vertex farthest from the
/// first; each half is simplified separately and keeps at least one interior vertex when it has
/// one, so the result stays a valid ring (≥ 4 positions) unless the input was smaller.
pub(crate) fn simplify_ring(ring: &[[f64; 2]], tol: f64) -> Vec<[f64; 2]> {
    let n = ring.len();
    if n <= 5 {
        return ring.to_vec();
    }
    let first = ring[0];
    let far = (1..n - 1)
        .max_by(|&a, &b| dist2(ring[a], first).total_cmp(&dist2(ring[b], first)))
        .unwrap_or(n / 2);
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[far] = true;
    keep[n - 1] = true;
    for (lo, hi) in [(0, far), (far, n - 1)] {
        mark(ring, lo, hi, tol, &mut keep);
        if hi > lo + 1 && !keep[lo + 1..hi].iter().any(|&k| k) {
            // Force the farthest interior vertex so the ring cannot collapse to a line.
            if let Some((i, _)) = farthest(ring, lo, hi) {
                keep[i] = true;
            }
        }
    }
    ring.iter()
        .zip(keep)
        .filter_map(|(&p, k)| k.then_some(p))
        .collect()
}

/// Iterative Douglas–Peucker on `ring[lo..=hi]`, marking kept vertices.
fn mark(ring: &[[f64; 2]], lo: usize, hi: usize, tol: f64, keep: &mut [bool]) {
    let mut stack = vec![(lo, hi)];
    while let Some((a, b)) = stack.pop() {
        if let Some((i, d)) = farthest(ring, a, b)
            && d > tol
        {
            keep[i] = true;
            stack.push((a, i));
            stack.push((i, b));
        }
    }
}

/// The interior vertex of `ring[a..=b]` farthest from segment a–b, with its distance.
fn farthest(ring: &[[f64; 2]], a: usize, b: usize) -> Option<(usize, f64)> {
    (a + 1..b)
        .map(|i| (i, seg_dist(ring[i], ring[a], ring[b])))
        .max_by(|x, y| x.1.total_cmp(&y.1))
}

/// Squared distance between two points.
fn dist2(p: [f64; 2], q: [f64; 2]) -> f64 {
    (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)
}

/// Distance from `p` to segment `a`–`b`.
pub(crate) fn seg_dist(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    dist2(p, [a[0] + t * dx, a[1] + t * dy]).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_collinear_and_small_wiggles_only() {
        // A 10 × 10 square with extra vertices on its edges, one of which wiggles by 0.01.
        let ring = vec![
            [0.0, 0.0],
            [5.0, 0.01],
            [10.0, 0.0],
            [10.0, 5.0],
            [10.0, 10.0],
            [5.0, 10.0],
            [0.0, 10.0],
            [0.0, 5.0],
            [0.0, 0.0],
        ];
        let s = simplify_ring(&ring, 0.1);
        assert_eq!(
            s,
            vec![
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 10.0],
                [0.0, 10.0],
                [0.0, 0.0]
            ]
        );
        // With a tolerance below the wiggle, the wiggle stays.
        assert!(simplify_ring(&ring, 0.001).contains(&[5.0, 0.01]));
    }

    #[test]
    fn never_collapses_a_ring() {
        let mut ring: Vec<[f64; 2]> = (0..100)
            .map(|i| {
                let a = f64::from(i) / 100.0 * std::f64::consts::TAU;
                [a.cos(), a.sin()]
            })
            .collect();
        ring.push(ring[0]);
        let s = simplify_ring(&ring, 1e9);
        assert!(s.len() >= 4, "{s:?}");
        assert_eq!(s.first(), s.last());
    }
}
