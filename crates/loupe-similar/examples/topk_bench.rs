//! Times `NormalisedVectors::new` and exact top-k for one query; prints one JSON object.
//!
//! ```text
//! topk_bench [--file PATH | --rows N --seed S] --dim D [--k K] [--repeats R] [--query-row I] [--many M]
//! ```
//!
//! `--file` reads a raw little-endian `f32` file of `N × D` values (as written by
//! `scripts/bench_similar.py generate`); otherwise `N` rows of uniform `[-1, 1)` values are
//! generated from the seed. The query is row `I` of the input. Normalisation is timed apart
//! from the query; the query time is the median of `R` runs. With `--many M`, also times
//! `top_k_many` for rows `0..M` as queries (one pass for all of them), median of `R`.

use std::time::Instant;

use loupe_similar::NormalisedVectors;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Command-line settings.
struct Args {
    file: Option<String>,
    rows: usize,
    dim: usize,
    seed: u64,
    k: usize,
    repeats: usize,
    query_row: usize,
    many: usize,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        file: None,
        rows: 100_000,
        dim: 768,
        seed: 0,
        k: 100,
        repeats: 5,
        query_row: 0,
        many: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = || value.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--file" => a.file = Some(value.clone()),
            "--rows" => a.rows = num()?,
            "--dim" => a.dim = num()?,
            "--seed" => a.seed = num()? as u64,
            "--k" => a.k = num()?,
            "--repeats" => a.repeats = num()?.max(1),
            "--query-row" => a.query_row = num()?,
            "--many" => a.many = num()?,
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(a)
}

fn load(a: &Args) -> Result<Vec<f32>, String> {
    if let Some(path) = &a.file {
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        return Ok(bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(a.seed);
    Ok((0..a.rows * a.dim)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect())
}

fn main() -> Result<(), String> {
    let a = parse()?;
    let t = Instant::now();
    let raw = load(&a)?;
    let load_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let v = NormalisedVectors::new(&raw, a.dim).map_err(|e| e.to_string())?;
    let normalise_s = t.elapsed().as_secs_f64();
    let query = raw[a.query_row * a.dim..(a.query_row + 1) * a.dim].to_vec();
    let many: Vec<Vec<f32>> = (0..a.many.min(v.rows()))
        .map(|r| raw[r * a.dim..(r + 1) * a.dim].to_vec())
        .collect();
    drop(raw);

    let mut times = Vec::with_capacity(a.repeats);
    let mut top = Vec::new();
    for _ in 0..a.repeats {
        let t = Instant::now();
        top = v.top_k(&query, a.k, |_| false).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
    }
    let median = median_of(&times);
    let refs: Vec<&[f32]> = many.iter().map(Vec::as_slice).collect();
    let mut many_times = Vec::new();
    for _ in 0..if refs.is_empty() { 0 } else { a.repeats } {
        let t = Instant::now();
        v.top_k_many(&refs, a.k, |_| false)
            .map_err(|e| e.to_string())?;
        many_times.push(t.elapsed().as_secs_f64());
    }
    let many_median = if many_times.is_empty() {
        0.0
    } else {
        median_of(&many_times)
    };
    let list = |xs: &[String]| xs.join(", ");
    let times_s: Vec<String> = times.iter().map(|t| format!("{t:.6}")).collect();
    let head: Vec<String> = top.iter().take(10).map(|(r, _)| r.to_string()).collect();
    println!(
        "{{\"tool\": \"loupe\", \"rows\": {}, \"dim\": {}, \"k\": {}, \"threads\": {}, \
         \"load_s\": {load_s:.6}, \"normalise_s\": {normalise_s:.6}, \"topk_median_s\": {median:.6}, \
         \"topk_times_s\": [{}], \"many\": {}, \"many_median_s\": {many_median:.6}, \"top10\": [{}]}}",
        v.rows(),
        v.dim(),
        a.k,
        rayon::current_num_threads(),
        list(&times_s),
        refs.len(),
        list(&head),
    );
    Ok(())
}

/// Median of a non-empty list of times.
fn median_of(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}
