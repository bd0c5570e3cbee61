//! Rectangle ("box") selection over a 2-D layout.

use super::Selection;

/// The rows of `positions` (interleaved `[x0, y0, x1, y1, …]`) inside the axis-aligned box
/// with opposite corners `corner_a` and `corner_b`, given in either order, edges included.
///
/// A drag can start at any corner, hence the two free corners. Infinite corners give
/// half-open boxes; a NaN corner selects nothing, and NaN positions are never selected. A
/// trailing unpaired value in `positions` is ignored.
pub fn select_box(positions: &[f32], corner_a: [f32; 2], corner_b: [f32; 2]) -> Selection {
    let corners_valid = corner_a.iter().chain(&corner_b).all(|v| !v.is_nan());
    let lo = [corner_a[0].min(corner_b[0]), corner_a[1].min(corner_b[1])];
    let hi = [corner_a[0].max(corner_b[0]), corner_a[1].max(corner_b[1])];
    Selection::from_points(positions, |x, y| {
        corners_valid && x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_in_any_order_with_edges_inclusive() {
        let pos = [0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 1.0, 3.0, f32::NAN, 1.0, 1.5];
        let expect = vec![1, 2];
        for (a, b) in [
            ([1.0, 0.5], [2.0, 2.0]),
            ([2.0, 2.0], [1.0, 0.5]),
            ([1.0, 2.0], [2.0, 0.5]),
        ] {
            let s = select_box(&pos, a, b);
            assert_eq!(s.n_rows(), 5, "the unpaired trailing value is not a row");
            assert_eq!(s.to_indices(), expect);
        }
    }

    #[test]
    fn infinite_corners_are_half_planes_and_nan_corners_select_nothing() {
        let pos = [-5.0, 0.0, 5.0, 0.0, 5.0, 9.0];
        let right = select_box(&pos, [0.0, f32::NEG_INFINITY], [f32::INFINITY, 1.0]);
        assert_eq!(right.to_indices(), vec![1]);
        assert!(select_box(&pos, [f32::NAN, 0.0], [10.0, 10.0]).is_empty());
    }

    #[test]
    fn matches_a_per_point_check_on_many_points() {
        let pos: Vec<f32> = (0..2000)
            .map(|i| ((i * 7919) % 1000) as f32 / 100.0)
            .collect();
        let (a, b) = ([2.5, 7.0], [6.25, 1.0]);
        let s = select_box(&pos, a, b);
        for (i, p) in pos.chunks_exact(2).enumerate() {
            let inside = (2.5..=6.25).contains(&p[0]) && (1.0..=7.0).contains(&p[1]);
            assert_eq!(s.contains(i), inside, "point {i} at {p:?}");
        }
        assert!(s.count() > 100 && s.count() < 900);
    }
}
