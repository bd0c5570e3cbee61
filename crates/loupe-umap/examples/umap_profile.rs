//! Where the time of a UMAP run goes, stage by stage, on a prepared benchmark input.
//!
//! `cargo run --release -p loupe-umap --example umap_profile -- DIR [N]`, where `DIR` holds
//! `mnist_pca50.f32` and `mnist_labels.u8` as written by `loupe-bench prepare`. Environment:
//! `UMAP_SEED`, `UMAP_KNN` (`exact` or `trees,leaf,rounds,fanout`), `UMAP_PROFILE_OUT` (write
//! the final layout as raw `f32`), `UMAP_PROFILE_NO_SCORE` (skip the closing 10-NN score, so a
//! profiler sees only the run).

use std::time::Instant;

use loupe_umap::{PrepareStage, UmapEngine, UmapParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: umap_profile DIR [N]")?);
    let bytes = std::fs::read(dir.join("mnist_pca50.f32"))?;
    let mut data: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let labels = std::fs::read(dir.join("mnist_labels.u8"))?;
    let dim = 50;
    let n = args
        .next()
        .map(|s| s.parse::<usize>())
        .transpose()?
        .unwrap_or(labels.len());
    data.truncate(n * dim);
    let seed = std::env::var("UMAP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let knn_method = match std::env::var("UMAP_KNN").ok().as_deref() {
        Some("exact") => loupe_umap::KnnMethod::Exact,
        Some(spec) => {
            let v: Vec<usize> = spec.split(',').filter_map(|s| s.parse().ok()).collect();
            loupe_umap::KnnMethod::Approximate(loupe_umap::ApproxParams {
                n_trees: v[0],
                leaf_size: v[1],
                max_rounds: v[2],
                fanout: v[3],
                seed,
            })
        }
        None => loupe_umap::KnnMethod::default(),
    };
    let params = UmapParams {
        seed,
        knn_method,
        ..UmapParams::default()
    }
    .validate(n)?;
    let start = Instant::now();
    let mut marks = Vec::new();
    let mut engine = UmapEngine::prepare(&data, dim, &params, &mut |s: PrepareStage| {
        marks.push((s, start.elapsed().as_secs_f64(), cpu_seconds()));
    })?;
    let prepared = start.elapsed().as_secs_f64();
    marks.push((PrepareStage::Placement, prepared, cpu_seconds()));
    for w in marks.windows(2) {
        println!(
            "{:>24}: {:.2} s (CPU {:.2} s)",
            w[0].0.to_string(),
            w[1].1 - w[0].1,
            w[1].2 - w[0].2
        );
    }
    println!("init: {:?}", engine.init_outcome());
    let g = engine.graph();
    let max = g.max_weight();
    let positive: f64 =
        g.weights().iter().map(|&w| f64::from(w / max)).sum::<f64>() * engine.n_epochs() as f64;
    println!(
        "graph entries: {}; positive samples ≈ {:.1} M, negative ≈ {:.1} M",
        g.n_entries(),
        positive / 1e6,
        5.0 * positive / 1e6
    );
    let sgd_start = Instant::now();
    let cpu_start = cpu_seconds();
    while engine.step().is_some() {}
    let sgd = sgd_start.elapsed().as_secs_f64();
    println!("SGD CPU time: {:.2} s", cpu_seconds() - cpu_start);
    println!(
        "SGD {} epochs: {sgd:.2} s; total {:.2} s",
        engine.n_epochs(),
        start.elapsed().as_secs_f64()
    );
    let positions = engine.positions();
    if let Ok(out) = std::env::var("UMAP_PROFILE_OUT") {
        let bytes: Vec<u8> = positions.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(out, bytes)?;
    }
    if std::env::var_os("UMAP_PROFILE_NO_SCORE").is_some() {
        return Ok(());
    }
    let graph = loupe_knn::exact_knn(positions, 2, 10, loupe_knn::Metric::Euclidean)?;
    let correct = (0..n)
        .filter(|&i| {
            let mut votes = [0_usize; 256];
            for &j in graph.neighbors(i) {
                votes[usize::from(labels[j as usize])] += 1;
            }
            let best = votes.iter().copied().max().unwrap_or(0);
            graph
                .neighbors(i)
                .iter()
                .map(|&j| labels[j as usize])
                .find(|&l| votes[usize::from(l)] == best)
                == Some(labels[i])
        })
        .count();
    println!(
        "10-NN label accuracy (all points): {:.4}",
        correct as f64 / n as f64
    );
    Ok(())
}

/// CPU time of this process so far (user + system, from `/proc/self/stat`; 0 elsewhere).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = after.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / 100.0)
        })
        .unwrap_or(0.0)
}
