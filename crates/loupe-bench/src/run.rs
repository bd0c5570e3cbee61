//! `loupe-bench run`: one timed Loupe t-SNE run on the prepared input.
//!
//! Timings follow openTSNE's split: *affinities* = kNN search + perplexity calibration,
//! *init* = PCA initialisation, *optimisation* = every gradient-descent iteration. Peak RSS is
//! the kernel's high-water mark (`VmHWM`) read before anything else runs after optimisation.
//! The engine does not hand out its kNN graph, so for recall the same search (same method,
//! same seed, hence the same graph: `loupe-knn` is deterministic) is run once more after the
//! timed run and saved; it is not counted in any time or in the peak RSS.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use loupe_knn::knn;
use loupe_tsne::{Metric, PrepareStage, RecipeEngine, TsneEngine, TsneParams, ValidTsneParams};

use crate::files::{Record, read_f32, write_f32, write_u32};
use crate::prepare::names;

/// A benchmark recipe; each is a row of the table for every tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// openTSNE's `TSNE()` defaults: perplexity 30, 250 iterations at exaggeration 12, 500 at 1.
    Standard,
    /// The Clay notebook's multi-stage recipe (cosine): a 10 % sample at perplexity 500, every
    /// other point placed on its nearest sample point, then perplexity 50 on all points at
    /// exaggeration 12 → 10 → 6 → 4. openTSNE's side runs in `scripts/bench_opentsne.py`,
    /// Loupe's in `loupe-tsne`'s `RecipeEngine`.
    ClayMultistage,
}

impl Preset {
    /// The name used in file names, the Python runner's flag and the table.
    pub fn name(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::ClayMultistage => "clay-multistage",
        }
    }
}

/// Where a run's files go: `{dir}/{tool}-{preset}-{run}.{json,f32,knn.u32}`.
pub fn run_stem(dir: &Path, tool: &str, preset: &str, run: usize) -> PathBuf {
    dir.join(format!("{tool}-{preset}-{run}"))
}

/// Peak resident set size of this process so far, in MiB (`VmHWM`; `NaN` off Linux).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Runs `preset` on the data prepared in `data_dir`, writing the run's files into `out_dir`.
pub fn run(
    preset: Preset,
    data_dir: &Path,
    out_dir: &Path,
    run_id: usize,
    threads: usize,
) -> Result<Record> {
    let meta = Record::read(&data_dir.join(names::META))?;
    let (Some(n), Some(dim)) = (meta.get_num("n"), meta.get_num("dim")) else {
        bail!("{} lacks n or dim", data_dir.join(names::META).display());
    };
    let (n, dim) = (n as usize, dim as usize);
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let stem = run_stem(out_dir, "loupe", preset.name(), run_id);
    let mut record = Record::default();
    record
        .str("tool", "loupe")
        .str("preset", preset.name())
        .num("run", run_id as f64)
        .num("n", n as f64)
        .num("threads", threads as f64);
    if preset == Preset::ClayMultistage {
        return run_recipe(data_dir, n, dim, &stem, record);
    }
    let params = TsneParams::default();
    let data = read_f32(&data_dir.join(names::DATA), Some(n * dim))?;
    let valid = params.validate(n)?;

    let start = Instant::now();
    let (mut engine, times) = timed_prepare(&data, dim, &valid)?;
    let PrepareTimes {
        knn: knn_s,
        p: p_s,
        affinities: affinities_s,
        init: init_s,
    } = times;
    let opt_start = Instant::now();
    while engine.step().is_some() {}
    let optimisation_s = opt_start.elapsed().as_secs_f64();
    let total_s = start.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    let kl = engine.last_kl().map_or(f64::NAN, |(_, kl)| kl);
    println!(
        "loupe {}: affinities {affinities_s:.1} s (kNN {knn_s:.1} s), init {init_s:.2} s, \
         optimisation {optimisation_s:.1} s, total {total_s:.1} s, KL {kl:.4}, peak RSS {peak:.0} MiB",
        preset.name()
    );
    write_f32(&stem.with_extension("f32"), engine.positions())?;
    record
        .str("status", "ok")
        .str("metric", "euclidean")
        .str(
            "gradient",
            &format!("{:?}", engine.negative_gradient_method()),
        )
        .num("knn_s", knn_s)
        .num("p_s", p_s)
        .num("affinities_s", affinities_s)
        .num("init_s", init_s)
        .num("optimisation_s", optimisation_s)
        .num("total_s", total_s)
        .num("kl", kl)
        .num("peak_rss_mib", peak)
        .num("k", valid.k_neighbors() as f64);
    drop(engine);

    let p = valid.params();
    let graph = knn(
        &data,
        dim,
        valid.k_neighbors(),
        p.metric,
        p.knn_method.with_seed(p.seed),
    )?;
    write_u32(&stem.with_extension("knn.u32"), &graph.indices)?;
    record.str(
        "knn_method",
        &format!("{:?}", p.knn_method.resolve(n, valid.k_neighbors())),
    );
    record.write(&stem.with_extension("json"))?;
    Ok(record)
}

/// The multi-stage recipe: every stage's preparation (kNN, affinities, placement, PCA) counts
/// as "affinities", every iteration of every stage as "optimisation".
fn run_recipe(
    data_dir: &Path,
    n: usize,
    dim: usize,
    stem: &Path,
    mut record: Record,
) -> Result<Record> {
    let params = TsneParams {
        metric: Metric::Cosine,
        ..TsneParams::default()
    };
    let recipe = loupe_tsne::Preset::ClayMultistage
        .recipe(&params)
        .validate(&params, n)?;
    let data: loupe_tsne::VectorBuffer =
        read_f32(&data_dir.join(names::DATA), Some(n * dim))?.into();

    let start = Instant::now();
    let mut engine = RecipeEngine::prepare(data.clone(), dim, &recipe, &mut |_| {})?;
    let mut preparation_s = start.elapsed().as_secs_f64();
    let mut optimisation_s = 0.0;
    loop {
        if engine.needs_next_stage() {
            let stage_start = Instant::now();
            engine.begin_next_stage(&mut |_| {}, &|| false)?;
            preparation_s += stage_start.elapsed().as_secs_f64();
        }
        let step_start = Instant::now();
        let stepped = engine.step()?;
        optimisation_s += step_start.elapsed().as_secs_f64();
        if stepped.is_none() {
            break;
        }
    }
    let total_s = start.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    let kl = engine.last_kl().map_or(f64::NAN, |(_, kl)| kl);
    println!(
        "loupe clay-multistage: preparation {preparation_s:.1} s, optimisation \
         {optimisation_s:.1} s, total {total_s:.1} s, KL {kl:.4}, peak RSS {peak:.0} MiB"
    );
    write_f32(&stem.with_extension("f32"), engine.positions())?;
    record
        .str("status", "ok")
        .str("metric", "cosine")
        .num("affinities_s", preparation_s)
        .num("init_s", 0.0)
        .num("optimisation_s", optimisation_s)
        .num("total_s", total_s)
        .num("kl", kl)
        .num("peak_rss_mib", peak);
    drop(engine);

    // Recall of the full-data stage's graph (perplexity 50 → k = 150), as for openTSNE.
    let full = TsneParams {
        perplexity: 50.0,
        ..params
    }
    .validate(n)?;
    let p = full.params();
    let graph = knn(
        &data,
        dim,
        full.k_neighbors(),
        p.metric,
        p.knn_method.with_seed(p.seed),
    )?;
    write_u32(&stem.with_extension("knn.u32"), &graph.indices)?;
    record.num("k", full.k_neighbors() as f64).str(
        "knn_method",
        &format!("{:?}", p.knn_method.resolve(n, full.k_neighbors())),
    );
    record.write(&stem.with_extension("json"))?;
    Ok(record)
}

/// Seconds spent in the stages of [`TsneEngine::prepare`], split as openTSNE's timings are.
#[derive(Debug, Clone, Copy)]
pub struct PrepareTimes {
    /// The kNN search alone.
    pub knn: f64,
    /// Perplexity calibration and symmetrisation of P.
    pub p: f64,
    /// Everything before initialisation (input PCA, kNN, P).
    pub affinities: f64,
    /// PCA initialisation of the layout.
    pub init: f64,
}

/// Prepares an engine, timing each stage from the engine's progress callbacks.
pub fn timed_prepare(
    data: &[f32],
    dim: usize,
    valid: &ValidTsneParams,
) -> Result<(TsneEngine, PrepareTimes)> {
    let start = Instant::now();
    let mut marks: Vec<(PrepareStage, Instant)> = Vec::new();
    let engine = TsneEngine::prepare(data, dim, valid, &mut |stage| {
        marks.push((stage, Instant::now()));
    })?;
    let prepared = Instant::now();
    let at = |stage: PrepareStage| {
        marks
            .iter()
            .find(|(s, _)| *s == stage)
            .map_or(start, |(_, t)| *t)
    };
    let times = PrepareTimes {
        knn: (at(PrepareStage::Affinities) - at(PrepareStage::NearestNeighbors)).as_secs_f64(),
        p: (at(PrepareStage::Initialization) - at(PrepareStage::Affinities)).as_secs_f64(),
        affinities: (at(PrepareStage::Initialization) - start).as_secs_f64(),
        init: (prepared - at(PrepareStage::Initialization)).as_secs_f64(),
    };
    Ok((engine, times))
}
