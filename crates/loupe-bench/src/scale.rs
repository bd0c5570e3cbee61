//! `loupe-bench scale`: time and peak memory of the standard run as N grows.
//!
//! Each size is built from the prepared MNIST-70k PCA-50 input: the first N rows when N is at
//! most the prepared count, otherwise every prepared row replicated with small seeded Gaussian
//! jitter (σ = 1 % of each dimension's standard deviation) so that all points are distinct.
//! Every size runs in a fresh child process (this binary re-executed with the hidden
//! `scale-one` subcommand), so the kernel's high-water mark `VmHWM` is that size's own peak
//! RSS. The schedule is [`TsneParams::default`] (250 iterations at exaggeration 12, 500 at 1,
//! Auto kNN, FFT repulsion) unless `--n-iter` shortens the second phase, which the table
//! then says in its title and in every row.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use loupe_tsne::TsneParams;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::files::{Record, read_f32};
use crate::prepare::names;
use crate::run::peak_rss_mib;

/// Jitter of replicated rows, as a fraction of each dimension's standard deviation.
pub const JITTER_FRACTION: f64 = 0.01;
/// Seed of the jitter.
pub const JITTER_SEED: u64 = 7;
/// Iterations at the end of the schedule whose mean time is the "late" s/iteration.
pub const LATE_ITERS: usize = 50;

/// Parses a size list like `10000,70000,250000,1000000` (`_` separators allowed).
pub fn parse_sizes(text: &str) -> Result<Vec<usize>> {
    text.split(',')
        .map(|s| {
            let s = s.trim().replace('_', "");
            let n: usize = s.parse().with_context(|| format!("bad size {s:?}"))?;
            if n < 2 {
                bail!("size {n} is below 2 points");
            }
            Ok(n)
        })
        .collect()
}

/// The `n × dim` input: the first `n` rows of `base` (which holds `base.len() / dim` rows),
/// or `base` replicated with seeded Gaussian jitter of `JITTER_FRACTION` × the per-dimension
/// standard deviation when `n` exceeds the rows in `base`. Rows below the base count are
/// always the base rows unchanged.
pub fn build_input(base: &[f32], dim: usize, n: usize, seed: u64) -> Vec<f32> {
    let base_n = base.len() / dim;
    if n <= base_n {
        return base[..n * dim].to_vec();
    }
    let mut mean = vec![0.0_f64; dim];
    let mut sq = vec![0.0_f64; dim];
    for row in base.chunks_exact(dim) {
        for (d, &v) in row.iter().enumerate() {
            mean[d] += f64::from(v);
            sq[d] += f64::from(v) * f64::from(v);
        }
    }
    let sigma: Vec<f64> = (0..dim)
        .map(|d| {
            let m = mean[d] / base_n as f64;
            let var = (sq[d] / base_n as f64 - m * m).max(0.0);
            JITTER_FRACTION * var.sqrt()
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n * dim);
    out.extend_from_slice(base);
    for i in base_n..n {
        let row = &base[(i % base_n) * dim..(i % base_n + 1) * dim];
        for (d, &v) in row.iter().enumerate() {
            out.push((f64::from(v) + sigma[d] * gaussian(&mut rng)) as f32);
        }
    }
    out
}

/// A standard normal draw (Box–Muller).
fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The schedule of a scale run: the defaults, with the second phase cut to `n_iter` if given.
pub fn scale_params(n_iter: Option<usize>) -> TsneParams {
    let mut params = TsneParams::default();
    if let Some(n_iter) = n_iter {
        params.n_iter = n_iter;
    }
    params
}

/// One size, in this process: builds the input, runs the engine, writes the record to
/// `result`. Called by the hidden `scale-one` subcommand.
pub fn scale_one(
    data_dir: &Path,
    n: usize,
    n_iter: Option<usize>,
    threads: usize,
    result: &Path,
) -> Result<Record> {
    let meta = Record::read(&data_dir.join(names::META))?;
    let (Some(base_n), Some(dim)) = (meta.get_num("n"), meta.get_num("dim")) else {
        bail!("{} lacks n or dim", data_dir.join(names::META).display());
    };
    let (base_n, dim) = (base_n as usize, dim as usize);
    let build_start = Instant::now();
    let data = {
        let base = read_f32(&data_dir.join(names::DATA), Some(base_n * dim))?;
        build_input(&base, dim, n, JITTER_SEED)
    };
    let build_s = build_start.elapsed().as_secs_f64();
    let rss_input = peak_rss_mib();

    let params = scale_params(n_iter);
    let valid = params.validate(n)?;
    let start = Instant::now();
    let (mut engine, times) = crate::run::timed_prepare(&data, dim, &valid)?;
    let (knn_s, affinities_s, init_s) = (times.knn, times.affinities, times.init);
    let rss_prepared = peak_rss_mib();

    let iterations = engine.total_iterations();
    let mut step_s = Vec::with_capacity(iterations);
    let opt_start = Instant::now();
    loop {
        let t = Instant::now();
        if engine.step().is_none() {
            break;
        }
        step_s.push(t.elapsed().as_secs_f64());
    }
    let optimisation_s = opt_start.elapsed().as_secs_f64();
    let total_s = start.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    let late = &step_s[step_s.len().saturating_sub(LATE_ITERS)..];
    let late_s = late.iter().sum::<f64>() / late.len().max(1) as f64;
    let kl = engine.last_kl().map_or(f64::NAN, |(_, kl)| kl);
    println!(
        "scale N={n}: input {build_s:.1} s, kNN+affinities {affinities_s:.1} s (kNN {knn_s:.1} s), \
         init {init_s:.2} s, optimisation {optimisation_s:.1} s ({} iterations, late \
         {:.1} ms/it), total {total_s:.1} s, KL {kl:.4}, peak RSS {peak:.0} MiB (input \
         {rss_input:.0}, after prepare {rss_prepared:.0})",
        step_s.len(),
        late_s * 1e3
    );
    let mut record = Record::default();
    record
        .num("n", n as f64)
        .num("dim", dim as f64)
        .num("threads", threads as f64)
        .num("iterations", step_s.len() as f64)
        .num("early_iterations", params.early_exaggeration_iter as f64)
        .num("build_s", build_s)
        .num("knn_s", knn_s)
        .num("affinities_s", affinities_s)
        .num("init_s", init_s)
        .num("optimisation_s", optimisation_s)
        .num("total_s", total_s)
        .num("late_s_per_iter", late_s)
        .num("kl", kl)
        .num("rss_input_mib", rss_input)
        .num("rss_prepared_mib", rss_prepared)
        .num("peak_rss_mib", peak)
        .str(
            "gradient",
            &format!("{:?}", engine.negative_gradient_method()),
        )
        .str(
            "knn_method",
            &format!(
                "{:?}",
                valid.params().knn_method.resolve(n, valid.k_neighbors())
            ),
        );
    record.write(result)?;
    Ok(record)
}

/// Runs every size in a fresh child process and returns the markdown table.
pub fn scale(
    sizes: &[usize],
    data_dir: &Path,
    out: &Path,
    n_iter: Option<usize>,
    threads: usize,
) -> Result<String> {
    let exe = std::env::current_exe().context("locating this binary")?;
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut records = Vec::new();
    for &n in sizes {
        let result = dir.join(format!("scale-{n}.json"));
        let _ = std::fs::remove_file(&result);
        let mut cmd = Command::new(&exe);
        cmd.arg("scale-one")
            .arg("--n")
            .arg(n.to_string())
            .arg("--data")
            .arg(data_dir)
            .arg("--result")
            .arg(&result)
            .arg("--threads")
            .arg(threads.to_string());
        if let Some(it) = n_iter {
            cmd.arg("--n-iter").arg(it.to_string());
        }
        let status = cmd
            .status()
            .with_context(|| format!("running {}", exe.display()))?;
        if !status.success() {
            bail!("the N = {n} run failed: {status}");
        }
        records.push(Record::read(&result)?);
        // Keep a partial table on disk as sizes finish.
        std::fs::write(out, table(&records, n_iter, threads))
            .with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(table(&records, n_iter, threads))
}

/// The markdown table of finished sizes.
pub fn table(records: &[Record], n_iter: Option<usize>, threads: usize) -> String {
    let defaults = TsneParams::default();
    let mut out = String::new();
    match n_iter {
        None => {
            let _ = writeln!(
                out,
                "Schedule: default (standard) — {} iterations at exaggeration {} then {} at 1; \
                 Auto kNN, FFT repulsion; {threads} threads.\n",
                defaults.early_exaggeration_iter, defaults.early_exaggeration, defaults.n_iter
            );
        }
        Some(it) => {
            let _ = writeln!(
                out,
                "Schedule: **SHORTENED** — {} iterations at exaggeration {} then **{it}** at 1 \
                 (default {}); times, KL and s/iteration are of this shortened run; \
                 {threads} threads.\n",
                defaults.early_exaggeration_iter, defaults.early_exaggeration, defaults.n_iter
            );
        }
    }
    out.push_str(
        "| N | iterations | kNN + affinities (s) | optimisation (s) | total (s) | \
         s/iteration (last 50) | KL | peak RSS (MiB) | RSS bytes/point |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for r in records {
        let g = |k: &str| r.get_num(k).unwrap_or(f64::NAN);
        let n = g("n");
        let peak = g("peak_rss_mib");
        let mark = if n_iter.is_some() { " (short)" } else { "" };
        let _ = writeln!(
            out,
            "| {:.0} | {:.0}{mark} | {:.1} | {:.1} | {:.1} | {:.3} | {:.3} | {:.0} | {:.0} |",
            n,
            g("iterations"),
            g("affinities_s"),
            g("optimisation_s"),
            g("total_s"),
            g("late_s_per_iter"),
            g("kl"),
            peak,
            peak * 1024.0 * 1024.0 / n
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(
            parse_sizes("10000, 70_000,1000000").unwrap(),
            [10_000, 70_000, 1_000_000]
        );
        assert!(parse_sizes("10,x").is_err());
        assert!(parse_sizes("1").is_err());
    }

    #[test]
    fn input_is_prefix_or_jittered_replica() {
        let dim = 3;
        let base: Vec<f32> = (0..5 * dim).map(|i| (i * i % 7) as f32).collect();
        assert_eq!(build_input(&base, dim, 2, 1), base[..2 * dim]);
        let big = build_input(&base, dim, 12, 1);
        assert_eq!(big.len(), 12 * dim);
        assert_eq!(big[..5 * dim], base[..]);
        for i in 5..12 {
            let src = &base[(i % 5) * dim..(i % 5 + 1) * dim];
            let row = &big[i * dim..(i + 1) * dim];
            assert_ne!(row, src, "row {i} is not jittered");
            for (a, b) in row.iter().zip(src) {
                assert!((a - b).abs() < 0.5, "row {i} jitter too large");
            }
        }
        assert_eq!(big, build_input(&base, dim, 12, 1), "seeded");
    }

    #[test]
    fn table_labels_a_shortened_schedule() {
        let mut r = Record::default();
        r.num("n", 1000.0)
            .num("iterations", 350.0)
            .num("peak_rss_mib", 1.0);
        let short = table(std::slice::from_ref(&r), Some(100), 2);
        assert!(short.contains("SHORTENED") && short.contains("(short)"));
        assert!(short.contains("| 1049 |"), "{short}");
        assert!(!table(&[r], None, 2).contains("SHORTENED"));
    }
}
