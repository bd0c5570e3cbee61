//! `loupe-bench`: Loupe's t-SNE against openTSNE 1.0.4 on MNIST-70k, driven by
//! `scripts/bench-tsne`, Loupe's UMAP against umap-learn 0.5, driven by `scripts/bench-umap`,
//! and Loupe's folder load against pyarrow and GeoPandas, driven by `scripts/bench-load`.
//!
//! * `prepare` reads MNIST, scales it to `[0, 1]`, reduces it to 50 dimensions once (so both
//!   tools embed the identical matrix) and writes the exact 90-NN graph for kNN recall.
//! * `run` times one Loupe run of a preset.
//! * `umap` times one Loupe UMAP run; `umap-report` scores every UMAP run (umap-learn's
//!   too, written by `scripts/bench_umap.py`) and prints its table.
//! * `scale` times the standard run and records its peak RSS for growing N (MNIST rows,
//!   replicated with jitter beyond 70k), one child process per size.
//! * `report` scores every run's layout (openTSNE's too, written by
//!   `scripts/bench_opentsne.py`) with the same code and prints one markdown table.
//! * `make-folder` writes a synthetic folder of Clay-like GeoParquet files.
//! * `load` times opening such a folder into one dataset and prints a JSON record.
//!
//! A benchmark tool, never a dependency of the app; it must not depend on a GUI or GPU crate.

#![allow(
    clippy::doc_markdown,
    reason = "GeoParquet, GeoPandas and PROJJSON are names, not code identifiers"
)]

mod clay_like;
mod files;
mod load;
mod make_folder;
mod metrics;
mod prepare;
mod report;
mod run;
mod scale;
mod umap;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::make_folder::FolderSpec;
use crate::prepare::PrepareArgs;
use crate::run::Preset;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Loupe's benchmarks: t-SNE against openTSNE 1.0.4, UMAP against \
                            umap-learn 0.5, folder load against pyarrow and GeoPandas"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read MNIST, PCA to 50 dimensions, write the shared input and exact kNN graph(s).
    Prepare {
        /// Folder with the MNIST IDX files.
        #[arg(long, default_value = "../shared/data/mnist")]
        mnist: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "bench-out/data")]
        out: PathBuf,
        /// Use the first N of the 70,000 digits.
        #[arg(long)]
        n: Option<usize>,
        /// Also write the exact cosine graph (needed by cosine presets).
        #[arg(long)]
        cosine: bool,
        /// Worker threads (0 = all).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Time one Loupe run of a preset.
    Run {
        /// The recipe.
        #[arg(long, value_enum, default_value = "standard")]
        preset: Preset,
        /// Folder written by `prepare`.
        #[arg(long, default_value = "bench-out/data")]
        data: PathBuf,
        /// Folder for the run's layout, kNN graph and record.
        #[arg(long, default_value = "bench-out/runs")]
        out: PathBuf,
        /// Run number (runs alternate between tools).
        #[arg(long, default_value_t = 1)]
        run: usize,
        /// Worker threads, as openTSNE's `n_jobs`.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Time one Loupe UMAP run (umap-learn's defaults) on the prepared input.
    Umap {
        /// Folder written by `prepare`.
        #[arg(long, default_value = "bench-out/data")]
        data: PathBuf,
        /// Folder for the run's layout and record.
        #[arg(long, default_value = "bench-out/umap-runs")]
        out: PathBuf,
        /// Run number.
        #[arg(long, default_value_t = 1)]
        run: usize,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Score every UMAP run (Loupe's and umap-learn's) and print the table.
    UmapReport {
        /// Folder written by `prepare`.
        #[arg(long, default_value = "bench-out/data")]
        data: PathBuf,
        /// Folder with the runs' files.
        #[arg(long, default_value = "bench-out/umap-runs")]
        runs: PathBuf,
        /// Where to write the markdown table.
        #[arg(long, default_value = "bench-out/umap.md")]
        table: PathBuf,
        /// Worker threads for scoring (0 = all).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Time the standard run and its peak RSS for growing N, one child process per size.
    Scale {
        /// Comma-separated point counts.
        #[arg(long, default_value = "10000,70000,250000,1000000")]
        sizes: String,
        /// Folder written by `prepare`.
        #[arg(long, default_value = "bench-out/data")]
        data: PathBuf,
        /// Where to write the markdown table (per-size records go next to it).
        #[arg(long, default_value = "bench-out/scale.md")]
        out: PathBuf,
        /// Shorten the second (exaggeration 1) phase to this many iterations; the table is
        /// labelled as shortened. Default: the standard 500.
        #[arg(long)]
        n_iter: Option<usize>,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// One size of `scale`, in its own process (internal).
    #[command(hide = true)]
    ScaleOne {
        #[arg(long)]
        n: usize,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        result: PathBuf,
        #[arg(long)]
        n_iter: Option<usize>,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Score every run and print the table (also written to `--table`).
    Report {
        /// Folder written by `prepare`.
        #[arg(long, default_value = "bench-out/data")]
        data: PathBuf,
        /// Folder with the runs' files.
        #[arg(long, default_value = "bench-out/runs")]
        runs: PathBuf,
        /// Where to write the markdown table.
        #[arg(long, default_value = "bench-out/tsne.md")]
        table: PathBuf,
        /// Worker threads for scoring (0 = all).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Write a synthetic folder of Clay-like GeoParquet files (deterministic for the seed).
    MakeFolder {
        /// Output folder (created).
        #[arg(long)]
        out: PathBuf,
        /// Number of files.
        #[arg(long, default_value_t = 100)]
        files: usize,
        /// Rows over all files.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Values per embedding.
        #[arg(long, default_value_t = 768)]
        dim: usize,
        /// Seed of everything random.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Worker threads (0 = all).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Time opening a folder of (Geo)Parquet files into one dataset; prints a JSON record.
    Load {
        /// The folder.
        dir: PathBuf,
        /// Cache directory: empty, the open writes the cache; again, it reads it. Without
        /// this option the cache is off.
        #[arg(long)]
        cache: Option<PathBuf>,
        /// Worker threads (0 = all, as pyarrow uses).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
}

fn thread_pool(threads: usize) -> Result<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("loupe-bench-{i}"))
        .build_global()
        .context("starting the thread pool")
}

/// Writes a report's table, creating its folder.
fn write_table(table: &std::path::Path, text: &str) -> Result<()> {
    if let Some(dir) = table.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(table, text).with_context(|| format!("writing {}", table.display()))
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Prepare {
            mnist,
            out,
            n,
            cosine,
            threads,
        } => {
            thread_pool(threads)?;
            prepare::prepare(&PrepareArgs {
                mnist,
                out,
                n,
                cosine,
            })?;
        }
        Command::Run {
            preset,
            data,
            out,
            run,
            threads,
        } => {
            thread_pool(threads)?;
            run::run(preset, &data, &out, run, threads)?;
        }
        Command::Umap {
            data,
            out,
            run,
            threads,
        } => {
            thread_pool(threads)?;
            umap::run(&data, &out, run, threads)?;
        }
        Command::UmapReport {
            data,
            runs,
            table,
            threads,
        } => {
            thread_pool(threads)?;
            let text = umap::report(&data, &runs)?;
            print!("{text}");
            write_table(&table, &text)?;
        }
        Command::Scale {
            sizes,
            data,
            out,
            n_iter,
            threads,
        } => {
            let sizes = scale::parse_sizes(&sizes)?;
            let text = scale::scale(&sizes, &data, &out, n_iter, threads)?;
            print!("{text}");
        }
        Command::ScaleOne {
            n,
            data,
            result,
            n_iter,
            threads,
        } => {
            thread_pool(threads)?;
            scale::scale_one(&data, n, n_iter, threads, &result)?;
        }
        Command::Report {
            data,
            runs,
            table,
            threads,
        } => {
            thread_pool(threads)?;
            let text = report::report(&data, &runs)?;
            print!("{text}");
            write_table(&table, &text)?;
        }
        Command::MakeFolder {
            out,
            files,
            rows,
            dim,
            seed,
            threads,
        } => {
            thread_pool(threads)?;
            let written = make_folder::make_folder(&FolderSpec {
                out,
                files,
                rows,
                dim,
                seed,
            })?;
            println!("wrote {} files, {rows} rows of {dim} values", written.len());
        }
        Command::Load {
            dir,
            cache,
            threads,
        } => {
            thread_pool(threads)?;
            print!("{}", load::load(&dir, cache.as_deref())?.to_json());
        }
    }
    Ok(())
}
