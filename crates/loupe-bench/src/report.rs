//! `loupe-bench report`: scores every run's layout with the same code and prints one table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::files::{Record, read_f32, read_u32};
use crate::metrics::{
    brute_force_knn, knn_recall, label_accuracy, preservation_from, sample_points,
};
use crate::prepare::names;

/// Points whose 10-NN preservation is measured.
pub const PRESERVATION_POINTS: usize = 5_000;
/// Points whose 10-NN label vote is measured.
pub const LABEL_POINTS: usize = 10_000;
/// Neighbours in both quality measures.
pub const QUALITY_K: usize = 10;
/// Seed of both samples (the same rows for every tool).
pub const SAMPLE_SEED: u64 = 0;

/// Tools in table order: the reference first.
const TOOLS: [(&str, &str); 2] = [("opentsne", "openTSNE 1.0.4"), ("loupe", "Loupe")];

/// One run, scored.
#[derive(Debug, Clone, Default)]
struct Scored {
    record: Record,
    recall: Option<f64>,
    preservation: f64,
    label_accuracy: f64,
}

pub(crate) fn median(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[m]
    } else {
        f64::midpoint(values[m - 1], values[m])
    })
}

pub(crate) fn cell(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

/// The machine line: logical CPUs and CPU model.
pub(crate) fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or_else(String::new, |kib| {
            format!(", {:.0} GiB RAM", kib / 1024.0 / 1024.0)
        });
    format!("{cpus} logical CPUs ({model}){mem}")
}

/// Scores every run in `runs_dir` against the data in `data_dir`; returns the markdown table.
pub fn report(data_dir: &Path, runs_dir: &Path) -> Result<String> {
    let meta = Record::read(&data_dir.join(names::META))?;
    let (Some(n), Some(dim), Some(exact_k)) = (
        meta.get_num("n"),
        meta.get_num("dim"),
        meta.get_num("exact_k"),
    ) else {
        bail!(
            "{} lacks n, dim or exact_k",
            data_dir.join(names::META).display()
        );
    };
    let (n, dim, exact_k) = (n as usize, dim as usize, exact_k as usize);
    let data = read_f32(&data_dir.join(names::DATA), Some(n * dim))?;
    let labels = std::fs::read(data_dir.join(names::LABELS))
        .with_context(|| format!("reading {}", data_dir.join(names::LABELS).display()))?;
    if labels.len() != n {
        bail!("{} labels for {n} points", labels.len());
    }
    let mut records: Vec<Record> = Vec::new();
    let entries =
        std::fs::read_dir(runs_dir).with_context(|| format!("listing {}", runs_dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            records.push(Record::read(&path)?);
        }
    }
    if records.is_empty() {
        bail!("no run records in {}", runs_dir.display());
    }

    let pres_sample = sample_points(n, PRESERVATION_POINTS, SAMPLE_SEED);
    let label_sample = sample_points(n, LABEL_POINTS, SAMPLE_SEED + 1);
    eprintln!(
        "scoring: exact {QUALITY_K}-NN of {} points in {dim}-d",
        pres_sample.len()
    );
    let high_nn = brute_force_knn(&data, dim, &pres_sample, QUALITY_K);
    let mut exact_graphs: BTreeMap<String, Vec<u32>> = BTreeMap::new();

    // (preset, tool) → scored runs.
    let mut groups: BTreeMap<(String, String), Vec<Scored>> = BTreeMap::new();
    let mut threads = BTreeMap::new();
    for record in records {
        let (Some(tool), Some(preset), Some(run)) = (
            record.get_str("tool"),
            record.get_str("preset"),
            record.get_num("run"),
        ) else {
            continue;
        };
        let key = (preset.to_owned(), tool.to_owned());
        if let Some(t) = record.get_num("threads") {
            threads.insert(tool.to_owned(), t);
        }
        if record.get_str("status") != Some("ok") {
            groups.entry(key).or_default().push(Scored {
                record,
                ..Scored::default()
            });
            continue;
        }
        let stem = crate::run::run_stem(runs_dir, tool, preset, run as usize);
        let layout = read_f32(&stem.with_extension("f32"), Some(2 * n))?;
        eprintln!("scoring {tool} {preset} run {run}");
        let preservation = preservation_from(&high_nn, &layout, &pres_sample, QUALITY_K);
        let label_acc = label_accuracy(&layout, &labels, &label_sample, QUALITY_K);
        let knn_path = stem.with_extension("knn.u32");
        let metric = record.get_str("metric").unwrap_or("euclidean").to_owned();
        let k = record.get_num("k").map(|k| k as usize);
        let recall = match k {
            Some(k) if k >= exact_k && knn_path.is_file() => {
                let exact_path = data_dir.join(names::exact_knn(&metric));
                if !exact_graphs.contains_key(&metric) && exact_path.is_file() {
                    exact_graphs.insert(metric.clone(), read_u32(&exact_path, Some(n * exact_k))?);
                }
                match exact_graphs.get(&metric) {
                    Some(exact) => {
                        let found = read_u32(&knn_path, Some(n * k))?;
                        // A wider graph (a larger perplexity) is scored on its nearest
                        // `exact_k` columns: rows are sorted by distance.
                        Some(knn_recall(exact, exact_k, &found, k))
                    }
                    None => None,
                }
            }
            _ => None,
        };
        groups.entry(key).or_default().push(Scored {
            record,
            recall,
            preservation,
            label_accuracy: label_acc,
        });
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "MNIST, N = {n}, scaled to [0, 1], PCA {} → {dim} (Loupe's PCA, seed {}), one input file \
         for both tools.  ",
        meta.get_num("input_dim").unwrap_or(f64::NAN),
        meta.get_num("pca_seed").unwrap_or(0.0)
    );
    let _ = writeln!(out, "Machine: {}.  ", machine());
    let thread_text: Vec<String> = TOOLS
        .iter()
        .filter_map(|(t, label)| threads.get(*t).map(|n| format!("{label} {n}")))
        .collect();
    let _ = writeln!(
        out,
        "Threads: {}. Times are medians over runs (tools alternated); quality from the same Rust \
         code for every layout: 10-NN preservation over {} points, 10-NN label accuracy over {} \
         points, kNN recall@{exact_k} against the exact graph.\n",
        thread_text.join(", "),
        pres_sample.len(),
        label_sample.len()
    );
    let _ = writeln!(
        out,
        "| preset | tool | runs | affinities (s) | init (s) | optimisation (s) | total (s) | KL | \
         peak RSS (MiB) | kNN recall | 10-NN preservation | 10-NN label acc. |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    let presets: Vec<String> = {
        let mut p: Vec<String> = groups.keys().map(|(p, _)| p.clone()).collect();
        p.dedup();
        // The standard preset first.
        p.sort_by_key(|name| (name != "standard", name.clone()));
        p
    };
    for preset in &presets {
        let mut medians: BTreeMap<&str, [Option<f64>; 3]> = BTreeMap::new();
        for (tool, label) in TOOLS {
            let Some(runs) = groups.get(&(preset.clone(), tool.to_owned())) else {
                continue;
            };
            let ok: Vec<&Scored> = runs
                .iter()
                .filter(|s| s.record.get_str("status") == Some("ok"))
                .collect();
            if ok.is_empty() {
                let status = runs
                    .first()
                    .and_then(|s| s.record.get_str("status"))
                    .unwrap_or("no result");
                let _ = writeln!(out, "| {preset} | {label} | 0 | {status} | | | | | | | | |");
                continue;
            }
            let med = |key: &str| median(ok.iter().filter_map(|s| s.record.get_num(key)).collect());
            let affinities = med("affinities_s");
            let optimisation = med("optimisation_s");
            let total = med("total_s");
            medians.insert(tool, [affinities, optimisation, total]);
            let recall = median(ok.iter().filter_map(|s| s.recall).collect());
            let preservation = median(ok.iter().map(|s| s.preservation).collect());
            let label_acc = median(ok.iter().map(|s| s.label_accuracy).collect());
            let _ = writeln!(
                out,
                "| {preset} | {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                ok.len(),
                cell(affinities, 1),
                cell(med("init_s"), 2),
                cell(optimisation, 1),
                cell(total, 1),
                cell(med("kl"), 3),
                cell(med("peak_rss_mib"), 0),
                cell(recall, 3),
                cell(preservation, 3),
                cell(label_acc, 3),
            );
        }
        if let (Some(r), Some(l)) = (medians.get("opentsne"), medians.get("loupe")) {
            let ratio = |i: usize| match (r[i], l[i]) {
                (Some(a), Some(b)) if b > 0.0 => format!("**{:.2}×**", a / b),
                _ => "–".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {preset} | time openTSNE ÷ Loupe | | {} | | {} | {} | | | | | |",
                ratio(0),
                ratio(1),
                ratio(2)
            );
        }
    }
    // Where the time of multi-stage runs went.
    for runs in groups.values() {
        for s in runs {
            if let (Some(stages), Some(tool), Some(preset)) = (
                s.record.get_str("stages"),
                s.record.get_str("tool"),
                s.record.get_str("preset"),
            ) {
                let run = s.record.get_num("run").unwrap_or(0.0);
                let _ = writeln!(out, "\n{tool} {preset} run {run} stages: {stages}.");
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_skip_missing_values() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, f64::NAN]), Some(2.5));
        assert_eq!(median(vec![]), None);
        assert_eq!(cell(None, 2), "–");
        assert_eq!(cell(Some(1.234), 2), "1.23");
    }
}
