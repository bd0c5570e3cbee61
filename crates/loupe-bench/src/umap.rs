//! `loupe-bench umap` and `umap-report`: Loupe's UMAP against umap-learn 0.5 on the input
//! `prepare` wrote, scored by the same code (`scripts/bench-umap`).
//!
//! Loupe's time covers everything from the PCA-50 matrix in memory to the final layout: the
//! kNN search, the fuzzy simplicial set, the spectral initialisation and every SGD epoch.
//! umap-learn's side (`scripts/bench_umap.py`) is timed twice: *cold*, a fresh process with
//! an empty numba cache, from `import umap` to the end of `fit_transform` (numba compilation
//! included); and *warm*, a second `fit_transform` in a process that has already run one.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use loupe_umap::{PrepareStage, UmapEngine, UmapParams};

use crate::files::{Record, read_f32, write_f32};
use crate::metrics::{brute_force_knn, label_accuracy, preservation_from, sample_points};
use crate::prepare::names;
use crate::report::{
    LABEL_POINTS, PRESERVATION_POINTS, QUALITY_K, SAMPLE_SEED, cell, machine, median,
};
use crate::run::{peak_rss_mib, run_stem};

/// The preset name in file names and records.
pub const PRESET: &str = "umap";
/// Tools in table order: the reference first.
const TOOLS: [(&str, &str); 3] = [
    (
        "umap-learn-cold",
        "umap-learn, cold (fresh process, numba compiling)",
    ),
    (
        "umap-learn-warm",
        "umap-learn, warm (second fit in one process)",
    ),
    ("loupe", "Loupe"),
];
/// The floor: Loupe's total at most this fraction of umap-learn's warm time…
pub const FLOOR_TIME_FRACTION: f64 = 1.0 / 3.0;
/// …with preservation and label accuracy at most this much below umap-learn's.
pub const FLOOR_QUALITY_SLACK: f64 = 0.01;

/// Runs Loupe's UMAP (umap-learn's defaults, seed 0) on the data prepared in `data_dir` and
/// writes `{out_dir}/loupe-umap-{run}.{f32,json}`.
pub fn run(data_dir: &Path, out_dir: &Path, run_id: usize, threads: usize) -> Result<Record> {
    let meta = Record::read(&data_dir.join(names::META))?;
    let (Some(n), Some(dim)) = (meta.get_num("n"), meta.get_num("dim")) else {
        bail!("{} lacks n or dim", data_dir.join(names::META).display());
    };
    let (n, dim) = (n as usize, dim as usize);
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let data = read_f32(&data_dir.join(names::DATA), Some(n * dim))?;
    let params = UmapParams::default().validate(n)?;

    let start = Instant::now();
    let mut marks: Vec<(PrepareStage, Instant)> = Vec::new();
    let mut engine = UmapEngine::prepare(&data, dim, &params, &mut |stage| {
        marks.push((stage, Instant::now()));
    })?;
    let prepared = Instant::now();
    while engine.step().is_some() {}
    let total_s = start.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    let at = |stage: PrepareStage| {
        marks
            .iter()
            .find(|(s, _)| *s == stage)
            .map_or(start, |(_, t)| *t)
    };
    let knn_s = (at(PrepareStage::Affinities) - at(PrepareStage::NearestNeighbors)).as_secs_f64();
    let graph_s = (at(PrepareStage::Initialization) - at(PrepareStage::Affinities)).as_secs_f64();
    let init_s = (prepared - at(PrepareStage::Initialization)).as_secs_f64();
    let sgd_s = total_s - (prepared - start).as_secs_f64();
    println!(
        "loupe umap: kNN {knn_s:.2} s, fuzzy graph {graph_s:.2} s, init {init_s:.2} s \
         ({:?}), SGD {sgd_s:.2} s ({} epochs), total {total_s:.2} s, peak RSS {peak:.0} MiB",
        engine.init_outcome(),
        engine.n_epochs()
    );
    let stem = run_stem(out_dir, "loupe", PRESET, run_id);
    write_f32(&stem.with_extension("f32"), engine.positions())?;
    let mut record = Record::default();
    record
        .str("tool", "loupe")
        .str("preset", PRESET)
        .str("status", "ok")
        .num("run", run_id as f64)
        .num("n", n as f64)
        .num("threads", threads as f64)
        .num("knn_s", knn_s)
        .num("graph_s", graph_s)
        .num("init_s", init_s)
        .num("sgd_s", sgd_s)
        .num("total_s", total_s)
        .num("peak_rss_mib", peak)
        .num("n_epochs", engine.n_epochs() as f64);
    record.write(&stem.with_extension("json"))?;
    Ok(record)
}

/// One tool's runs, scored.
#[derive(Debug, Default)]
struct Scores {
    total: Vec<f64>,
    rss: Vec<f64>,
    preservation: Vec<f64>,
    label_accuracy: Vec<f64>,
    stages: BTreeMap<&'static str, Vec<f64>>,
}

/// Medians of one tool: (total, preservation, label accuracy).
type Summary = (Option<f64>, Option<f64>, Option<f64>);

/// Scores every UMAP run in `runs_dir` and returns the markdown table.
pub fn report(data_dir: &Path, runs_dir: &Path) -> Result<String> {
    let meta = Record::read(&data_dir.join(names::META))?;
    let (Some(n), Some(dim)) = (meta.get_num("n"), meta.get_num("dim")) else {
        bail!("{} lacks n or dim", data_dir.join(names::META).display());
    };
    let (n, dim) = (n as usize, dim as usize);
    let data = read_f32(&data_dir.join(names::DATA), Some(n * dim))?;
    let labels = std::fs::read(data_dir.join(names::LABELS))
        .with_context(|| format!("reading {}", data_dir.join(names::LABELS).display()))?;
    if labels.len() != n {
        bail!("{} labels for {n} points", labels.len());
    }
    let pres_sample = sample_points(n, PRESERVATION_POINTS, SAMPLE_SEED);
    let label_sample = sample_points(n, LABEL_POINTS, SAMPLE_SEED + 1);
    let high_nn = brute_force_knn(&data, dim, &pres_sample, QUALITY_K);

    let mut scores: BTreeMap<String, Scores> = BTreeMap::new();
    let mut threads = None;
    let entries =
        std::fs::read_dir(runs_dir).with_context(|| format!("listing {}", runs_dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let record = Record::read(&path)?;
        let (Some(tool), Some(PRESET), Some(run)) = (
            record.get_str("tool"),
            record.get_str("preset"),
            record.get_num("run"),
        ) else {
            continue;
        };
        if record.get_str("status") != Some("ok") {
            continue;
        }
        threads = threads.or(record.get_num("threads"));
        let stem = run_stem(runs_dir, tool, PRESET, run as usize);
        let layout = read_f32(&stem.with_extension("f32"), Some(2 * n))?;
        eprintln!("scoring {tool} run {run}");
        let s = scores.entry(tool.to_owned()).or_default();
        s.preservation.push(preservation_from(
            &high_nn,
            &layout,
            &pres_sample,
            QUALITY_K,
        ));
        s.label_accuracy
            .push(label_accuracy(&layout, &labels, &label_sample, QUALITY_K));
        s.total.extend(record.get_num("total_s"));
        s.rss.extend(record.get_num("peak_rss_mib"));
        for key in ["knn_s", "graph_s", "init_s", "sgd_s"] {
            if let Some(v) = record.get_num(key) {
                s.stages.entry(key).or_default().push(v);
            }
        }
    }
    if scores.is_empty() {
        bail!("no UMAP run records in {}", runs_dir.display());
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "MNIST, N = {n}, scaled to [0, 1], PCA {} → {dim} (one input file for both tools), \
         umap-learn's defaults on both sides (n_neighbors 15, min_dist 0.1, spectral init, \
         {} epochs).  ",
        meta.get_num("input_dim").unwrap_or(f64::NAN),
        loupe_umap::default_epochs(n)
    );
    let _ = writeln!(out, "Machine: {}.  ", machine());
    let _ = writeln!(
        out,
        "Threads: {} for every tool. Times are medians over runs; quality from the same Rust \
         code for every layout: 10-NN preservation over {} points, 10-NN label accuracy over \
         {} points.\n",
        threads.map_or_else(|| "?".to_owned(), |t| format!("{t}")),
        pres_sample.len(),
        label_sample.len()
    );
    let _ = writeln!(
        out,
        "| tool | runs | total (s) | peak RSS (MiB) | 10-NN preservation | 10-NN label acc. |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let mut summary: BTreeMap<&str, Summary> = BTreeMap::new();
    for (tool, label) in TOOLS {
        let Some(s) = scores.get(tool) else {
            continue;
        };
        let row = (
            median(s.total.clone()),
            median(s.preservation.clone()),
            median(s.label_accuracy.clone()),
        );
        summary.insert(tool, row);
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {} |",
            s.total.len().max(s.preservation.len()),
            cell(row.0, 2),
            cell(median(s.rss.clone()), 0),
            cell(row.1, 3),
            cell(row.2, 3),
        );
    }
    let loupe = summary.get("loupe").copied();
    for reference in ["umap-learn-warm", "umap-learn-cold"] {
        if let (Some((Some(r), ..)), Some((Some(l), ..))) = (summary.get(reference), loupe) {
            let _ = writeln!(
                out,
                "| time {reference} ÷ Loupe | | **{:.2}×** | | | |",
                r / l
            );
        }
    }
    if let Some(s) = scores.get("loupe") {
        let stage = |k: &str| cell(s.stages.get(k).and_then(|v| median(v.clone())), 2);
        let _ = writeln!(
            out,
            "\nLoupe's time: kNN {} s, fuzzy simplicial set {} s, spectral initialisation {} s, \
             SGD {} s.",
            stage("knn_s"),
            stage("graph_s"),
            stage("init_s"),
            stage("sgd_s")
        );
    }
    if let (Some(w), Some(l)) = (summary.get("umap-learn-warm").copied(), loupe) {
        let _ = writeln!(out, "\n{}", floor_verdict(w, l));
    }
    Ok(out)
}

/// Whether Loupe meets the floor against umap-learn's warm run, in one sentence.
fn floor_verdict(warm: Summary, loupe: Summary) -> String {
    let (Some(wt), Some(wp), Some(wa)) = warm else {
        return "Floor: umap-learn's warm run is incomplete.".to_owned();
    };
    let (Some(lt), Some(lp), Some(la)) = loupe else {
        return "Floor: Loupe's run is incomplete.".to_owned();
    };
    let time_ok = lt <= FLOOR_TIME_FRACTION * wt;
    let pres_ok = lp >= wp - FLOOR_QUALITY_SLACK;
    let acc_ok = la >= wa - FLOOR_QUALITY_SLACK;
    let mark = |ok: bool| if ok { "met" } else { "NOT met" };
    format!(
        "Floor (Loupe ≤ ⅓ of umap-learn's warm time, quality within {FLOOR_QUALITY_SLACK} or \
         better): time {} ({lt:.2} s against {:.2} s), preservation {} ({lp:.3} vs {wp:.3}), \
         label accuracy {} ({la:.3} vs {wa:.3}).",
        mark(time_ok),
        FLOOR_TIME_FRACTION * wt,
        mark(pres_ok),
        mark(acc_ok),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_verdict_names_each_part() {
        let text = floor_verdict(
            (Some(21.0), Some(0.106), Some(0.974)),
            (Some(6.0), Some(0.100), Some(0.973)),
        );
        assert!(
            text.contains("time met") && text.contains("preservation met"),
            "{text}"
        );
        let text = floor_verdict(
            (Some(21.0), Some(0.106), Some(0.974)),
            (Some(8.0), Some(0.09), Some(0.96)),
        );
        assert!(
            text.contains("time NOT met") && text.contains("label accuracy NOT met"),
            "{text}"
        );
    }
}
