//! `loupe embed`: the same engine as the app, headless, with a progress bar.

use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loupe_tsne::TsneEngine;

use crate::cli::EmbedArgs;

/// Reads the input, lays it out with t-SNE and writes the layout as Parquet.
pub fn run_embed(args: &EmbedArgs) -> anyhow::Result<()> {
    let options = loupe_data::ReadOptions {
        column: args.column.clone(),
        limit: args.limit,
    };
    let dataset = loupe_data::read_path(&args.input, &options)?;
    let params = args
        .tsne
        .to_params(dataset.dim())?
        .validate(dataset.n_rows())
        .context("invalid t-SNE parameters")?;

    let bar = if args.quiet {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
    } else {
        ProgressBar::new_spinner()
    };
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message(format!(
        "{}: {} rows × {} dims — preparing",
        dataset.name(),
        dataset.n_rows(),
        dataset.dim()
    ));
    let mut engine =
        TsneEngine::prepare(dataset.vectors(), dataset.dim(), &params, &mut |stage| {
            bar.set_message(format!("preparing: {stage}"));
        })?;

    bar.set_length(engine.total_iterations() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} it ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut last_kl: Option<f64> = None;
    while let Some(step) = engine.step() {
        if let Some(kl) = step.kl {
            last_kl = Some(kl);
        }
        bar.set_position(engine.iteration() as u64);
        let phase = &engine.phases()[engine.phase_index().min(engine.phases().len() - 1)];
        let kl_text = last_kl.map_or_else(String::new, |kl| format!(", KL {kl:.4}"));
        bar.set_message(format!("{}{kl_text}", phase.name));
    }
    let kl = engine.kl_divergence();
    bar.finish_with_message(format!("done, KL {kl:.4}"));

    loupe_data::write_layout_parquet(&args.out, &dataset, engine.positions())?;
    if !args.quiet {
        eprintln!(
            "wrote {} rows with x, y to {}",
            dataset.n_rows(),
            args.out.display()
        );
    }
    Ok(())
}
