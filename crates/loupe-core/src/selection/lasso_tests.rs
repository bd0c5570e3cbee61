//! The lasso against the textbook crossing-number test, on random polygons.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Lasso, Selection};

/// Plain even-odd crossing number over all edges, in f64 (the reference).
fn reference(poly: &[[f32; 2]], x: f32, y: f32) -> bool {
    let (x, y) = (f64::from(x), f64::from(y));
    let mut inside = false;
    for i in 0..poly.len() {
        let [xi, yi] = poly[i].map(f64::from);
        let [xj, yj] = poly[(i + poly.len() - 1) % poly.len()].map(f64::from);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
    }
    inside
}

/// Distance from a point to the polygon's outline, in f64.
fn distance_to_outline(poly: &[[f32; 2]], x: f32, y: f32) -> f64 {
    let p = [f64::from(x), f64::from(y)];
    (0..poly.len())
        .map(|i| {
            let a = poly[i].map(f64::from);
            let b = poly[(i + 1) % poly.len()].map(f64::from);
            let d = [b[0] - a[0], b[1] - a[1]];
            let len2 = d[0] * d[0] + d[1] * d[1];
            let t = if len2 > 0.0 {
                (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (p[0] - a[0] - t * d[0]).hypot(p[1] - a[1] - t * d[1])
        })
        .fold(f64::INFINITY, f64::min)
}

/// A concave polygon, star-shaped around `centre`, radii in `[0.3, 1] × radius`.
fn star(rng: &mut ChaCha8Rng, n: usize, centre: [f32; 2], radius: f32) -> Vec<[f32; 2]> {
    (0..n)
        .map(|i| {
            let angle = std::f32::consts::TAU * i as f32 / n as f32;
            let r = radius * rng.random_range(0.3..1.0f32);
            [centre[0] + r * angle.cos(), centre[1] + r * angle.sin()]
        })
        .collect()
}

/// Vertices anywhere in the box: heavily self-intersecting.
fn scribble(rng: &mut ChaCha8Rng, n: usize, lo: f32, hi: f32) -> Vec<[f32; 2]> {
    (0..n)
        .map(|_| [rng.random_range(lo..hi), rng.random_range(lo..hi)])
        .collect()
}

/// A mouse-like path: a smooth loop that winds around twice with a wobble, crossing itself.
fn double_loop(rng: &mut ChaCha8Rng, n: usize) -> Vec<[f32; 2]> {
    let wobble = rng.random_range(0.1..0.5f32);
    (0..n)
        .map(|i| {
            let t = 2.0 * std::f32::consts::TAU * i as f32 / n as f32;
            let r = 1.0 + wobble * (3.0 * t).sin() + 0.3 * (t / 2.0).cos();
            [r * t.cos(), 0.7 * r * t.sin()]
        })
        .collect()
}

fn random_polygon(rng: &mut ChaCha8Rng, seed: usize) -> Vec<[f32; 2]> {
    match seed % 3 {
        0 => {
            let n = rng.random_range(3..400);
            star(rng, n, [0.2, -0.1], 1.5)
        }
        1 => {
            let n = rng.random_range(3..60);
            scribble(rng, n, -2.0, 2.0)
        }
        _ => {
            let n = rng.random_range(20..500);
            double_loop(rng, n)
        }
    }
}

#[test]
fn agrees_with_the_plain_crossing_number_on_random_polygons() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let (mut compared, mut skipped, mut inside) = (0, 0, 0);
    for seed in 0..60 {
        let poly = random_polygon(&mut rng, seed);
        let lasso = Lasso::new(&poly);
        for _ in 0..3000 {
            let (x, y) = (
                rng.random_range(-2.5..2.5f32),
                rng.random_range(-2.5..2.5f32),
            );
            // Within rounding of the outline, the f32 and f64 answers may legitimately differ.
            if distance_to_outline(&poly, x, y) < 1e-4 {
                skipped += 1;
                continue;
            }
            let expected = reference(&poly, x, y);
            assert_eq!(
                lasso.contains(x, y),
                expected,
                "polygon {seed} ({} vertices), point ({x}, {y})",
                poly.len()
            );
            compared += 1;
            inside += usize::from(expected);
        }
    }
    assert!(skipped * 100 < compared, "{skipped} skipped of {compared}");
    assert!(inside * 10 > compared, "only {inside} of {compared} inside");
}

#[test]
fn grid_gives_exactly_the_all_edges_answer_on_edges_and_vertices() {
    // Integer vertices with many horizontal edges and shared y values; points on the lattice
    // land exactly on edges and vertices, where only consistent arithmetic agrees.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for case in 0..40 {
        let n = rng.random_range(3..80);
        let mut poly: Vec<[f32; 2]> = (0..n)
            .map(|_| {
                [
                    rng.random_range(0..12) as f32,
                    rng.random_range(0..12) as f32,
                ]
            })
            .collect();
        if case % 2 == 0 {
            // Rectilinear staircase: every other edge horizontal.
            poly = poly
                .windows(2)
                .flat_map(|w| [w[0], [w[1][0], w[0][1]]])
                .collect();
        }
        if case % 4 == 1 {
            // Tiny lasso far from the origin: cells hit the ulp floor.
            for p in &mut poly {
                *p = [10_000.0 + p[0] * 1e-3, -20_000.0 + p[1] * 1e-3];
            }
        }
        let lasso = Lasso::new(&poly);
        let (lo, hi) = bounds(&poly);
        for i in 0..=48 {
            for j in 0..=48 {
                let x = lo[0] + (hi[0] - lo[0]) * (i as f32 / 40.0 - 0.1);
                let y = lo[1] + (hi[1] - lo[1]) * (j as f32 / 40.0 - 0.1);
                assert_eq!(
                    lasso.contains(x, y),
                    lasso.contains_by_all_edges(x, y),
                    "case {case}, point ({x}, {y})"
                );
            }
        }
    }
}

fn bounds(poly: &[[f32; 2]]) -> ([f32; 2], [f32; 2]) {
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    for p in poly {
        for a in 0..2 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    (lo, hi)
}

#[test]
fn even_odd_rule_on_known_shapes() {
    // A pentagram drawn in one stroke: the tips are inside, the central pentagon is crossed
    // twice and so is outside under the even-odd rule.
    let star: Vec<[f32; 2]> = (0..5)
        .map(|i| {
            let a = std::f32::consts::FRAC_PI_2 + std::f32::consts::TAU * (2 * i) as f32 / 5.0;
            [a.cos(), a.sin()]
        })
        .collect();
    let lasso = Lasso::new(&star);
    assert!(
        !lasso.contains(0.0, 0.0),
        "centre of a pentagram is outside"
    );
    assert!(lasso.contains(0.0, 0.8), "a tip is inside");
    assert!(!lasso.contains(0.0, 1.1));
    // A "C": the notch is outside, the arms inside.
    let c = [
        [0.0, 0.0],
        [3.0, 0.0],
        [3.0, 1.0],
        [1.0, 1.0],
        [1.0, 2.0],
        [3.0, 2.0],
        [3.0, 3.0],
        [0.0, 3.0],
    ];
    let lasso = Lasso::new(&c);
    assert!(lasso.contains(0.5, 1.5) && lasso.contains(2.5, 0.5) && lasso.contains(2.5, 2.5));
    assert!(!lasso.contains(2.0, 1.5));
}

#[test]
fn degenerate_lassos_select_nothing() {
    let pos = [0.0, 0.0, 0.5, 0.5, 1.0, 1.0];
    for poly in [
        vec![],
        vec![[0.0, 0.0], [1.0, 1.0]],
        vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.5, 0.5]],
        vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]],
        vec![
            [0.0, 0.0],
            [f32::NAN, 1.0],
            [1.0, f32::INFINITY],
            [1.0, 0.0],
        ],
    ] {
        // The diagonal zig-zag has a bounding box, so only it is not known empty up front.
        let zig_zag = poly.len() == 4 && poly[1][0].is_finite();
        assert_eq!(Lasso::new(&poly).is_empty(), !zig_zag, "{poly:?}");
        let lasso = Lasso::new(&poly);
        assert!(lasso.select(&pos).is_empty(), "{poly:?}");
        assert!(!lasso.contains(0.5, 0.5));
    }
    // Non-finite vertices are dropped, not fatal: what remains is the unit square.
    let lasso = Lasso::new(&[
        [0.0, 0.0],
        [f32::NAN, 5.0],
        [1.0, 0.0],
        [1.0, 1.0],
        [0.0, 1.0],
    ]);
    assert!(lasso.contains(0.5, 0.5));
}

#[test]
fn select_matches_contains_and_skips_nan_positions() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let poly = star(&mut rng, 300, [0.0, 0.0], 1.0);
    let lasso = Lasso::new(&poly);
    let mut pos: Vec<f32> = (0..20_001)
        .map(|_| rng.random_range(-1.2..1.2f32))
        .collect();
    pos[10] = f32::NAN;
    pos[21] = f32::NAN;
    pos[0] = 0.0;
    pos[1] = 0.0;
    let selected = lasso.select(&pos);
    assert_eq!(selected.n_rows(), 10_000);
    let expected = Selection::from_fn(10_000, |i| lasso.contains(pos[2 * i], pos[2 * i + 1]));
    assert_eq!(selected, expected);
    assert!(selected.contains(0), "the star's centre is inside");
    assert!(
        !selected.contains(5) && !selected.contains(10),
        "NaN rows are never selected"
    );
    assert!(!lasso.contains(f32::NAN, 0.0) && !lasso.contains(0.0, f32::NAN));
    assert!(selected.count() > 1500 && selected.count() < 3500);
}
