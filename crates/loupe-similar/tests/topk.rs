//! Exact top-k against a brute-force reference, across k and thread counts.

use loupe_similar::{NormalisedVectors, SimilarError, dot};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Random rows with some exact duplicates (to force ties) and a few undefined rows.
fn data(n: usize, d: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut v: Vec<f32> = (0..n * d).map(|_| rng.random_range(-1.0..1.0)).collect();
    for i in (0..n).step_by(97) {
        let src = (i * 31 + 7) % n;
        let row: Vec<f32> = v[src * d..(src + 1) * d].to_vec();
        v[i * d..(i + 1) * d].copy_from_slice(&row);
    }
    v[5 * d..6 * d].fill(0.0);
    v[11 * d] = f32::NAN;
    v
}

fn brute(
    v: &NormalisedVectors,
    q: &[f32],
    k: usize,
    exclude: impl Fn(usize) -> bool,
) -> Vec<(usize, f32)> {
    let q = v.normalise_query(q).expect("non-zero query");
    let mut all: Vec<(usize, f32)> = (0..v.rows())
        .filter(|&r| v.is_defined(r) && !exclude(r))
        .map(|r| (r, dot(v.row(r), &q)))
        .collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(k);
    all
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool")
}

#[test]
fn top_k_matches_brute_force_for_several_k_and_threads() {
    let (n, d) = (10_000, 37);
    let raw = data(n, d, 7);
    let v = NormalisedVectors::new(&raw, d).unwrap();
    assert_eq!(v.defined_count(), n - 2);
    let exclude = |r: usize| r.is_multiple_of(13);
    for qrow in [0_usize, 194, 3333] {
        let q = raw[qrow * d..(qrow + 1) * d].to_vec();
        for k in [1_usize, 2, 10, 100, 4097, n + 5] {
            let want = brute(&v, &q, k, exclude);
            let one = pool(1).install(|| v.top_k(&q, k, exclude).unwrap());
            let three = pool(3).install(|| v.top_k(&q, k, exclude).unwrap());
            assert_eq!(one, want, "1 thread, k = {k}");
            assert_eq!(three, want, "3 threads, k = {k}");
        }
    }
}

#[test]
fn duplicates_tie_by_smaller_index() {
    let d = 4;
    let mut raw = vec![0.5_f32, 0.1, 0.2, 0.3];
    raw.extend_from_slice(&[1.0, 0.0, 0.0, 0.0]);
    raw.extend_from_slice(&[0.5, 0.1, 0.2, 0.3]);
    raw.extend_from_slice(&[0.5, 0.1, 0.2, 0.3]);
    let v = NormalisedVectors::new(&raw, d).unwrap();
    let got = v.top_k(&[0.5, 0.1, 0.2, 0.3], 3, |_| false).unwrap();
    let rows: Vec<usize> = got.iter().map(|&(r, _)| r).collect();
    assert_eq!(rows, vec![0, 2, 3]);
    assert_eq!(got[0].1.to_bits(), got[2].1.to_bits());
    let by_row = v.top_k_row(2, 2).unwrap();
    assert_eq!(
        by_row.iter().map(|&(r, _)| r).collect::<Vec<_>>(),
        vec![0, 3]
    );
}

#[test]
fn undefined_rows_never_rank_and_cannot_be_queries() {
    let d = 3;
    let raw = [
        1.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        f32::INFINITY,
        1.0,
        0.0,
        0.0,
        1.0,
        0.0,
    ];
    let v = NormalisedVectors::new(&raw, d).unwrap();
    assert!(!v.is_defined(1) && !v.is_defined(2));
    let got = v.top_k(&[1.0, 1.0, 0.0], 10, |_| false).unwrap();
    assert_eq!(got.iter().map(|&(r, _)| r).collect::<Vec<_>>(), vec![0, 3]);
    assert_eq!(
        v.top_k_row(1, 3),
        Err(SimilarError::UndefinedRow { row: 1 })
    );
    assert_eq!(
        v.top_k_row(2, 3),
        Err(SimilarError::UndefinedRow { row: 2 })
    );
    assert_eq!(
        v.top_k_row(9, 3),
        Err(SimilarError::RowOutOfRange { row: 9, rows: 4 })
    );
    assert_eq!(
        v.top_k(&[0.0, 0.0, 0.0], 3, |_| false),
        Err(SimilarError::ZeroQuery { what: "query" })
    );
    assert_eq!(
        v.top_k(&[1.0, 0.0], 3, |_| false),
        Err(SimilarError::QueryDimension {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(v.top_k(&[1.0, 0.0, 0.0], 0, |_| false), Ok(vec![]));
}

#[test]
fn bad_construction_inputs() {
    assert_eq!(
        NormalisedVectors::new(&[1.0, 2.0, 3.0], 2).unwrap_err(),
        SimilarError::RaggedVectors { len: 3, dim: 2 }
    );
    assert_eq!(
        NormalisedVectors::new(&[], 0).unwrap_err(),
        SimilarError::ZeroDimension { dim: 0 }
    );
    let v = NormalisedVectors::new(&[3.0, 4.0], 2).unwrap();
    assert!((v.row(0)[0] - 0.6).abs() < 1e-7 && (v.row(0)[1] - 0.8).abs() < 1e-7);
}

#[test]
fn top_k_many_equals_one_query_at_a_time() {
    let (n, d) = (9_000, 70);
    let raw = data(n, d, 11);
    let v = NormalisedVectors::new(&raw, d).unwrap();
    let queries: Vec<&[f32]> = [3_usize, 97, 4100, 8999]
        .iter()
        .map(|&r| &raw[r * d..(r + 1) * d])
        .collect();
    let exclude = |r: usize| r.is_multiple_of(7);
    for k in [1_usize, 50, 5000] {
        let want: Vec<Vec<(usize, f32)>> = queries
            .iter()
            .map(|q| v.top_k(q, k, exclude).unwrap())
            .collect();
        let one = pool(1).install(|| v.top_k_many(&queries, k, exclude).unwrap());
        let three = pool(3).install(|| v.top_k_many(&queries, k, exclude).unwrap());
        assert_eq!(one, want, "1 thread, k = {k}");
        assert_eq!(three, want, "3 threads, k = {k}");
    }
    let zero = vec![0.0_f32; d];
    assert_eq!(
        v.top_k_many(&[queries[0], &zero], 3, |_| false),
        Err(SimilarError::ZeroQuery { what: "query" })
    );
    assert_eq!(v.top_k_many(&[], 3, |_| false), Ok(vec![]));
}
