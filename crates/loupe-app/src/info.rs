//! `loupe info PATH`, and the file-or-folder opening with a progress bar that the headless
//! subcommands share.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loupe_ingest::{OpenOptions, Opened, Progress, Stage};

use crate::cli::InfoArgs;

/// Prints what Loupe makes of a file or folder: rows, vectors, columns, geometry and CRS, and
/// the load report. Fails (non-zero exit, one-line reason) when nothing could be loaded.
pub fn run_info(args: &InfoArgs) -> anyhow::Result<()> {
    let opened = open_with_progress(&args.input, &args.read.open_options(), args.quiet)?;
    print!("{}", loupe_ingest::describe(&opened));
    Ok(())
}

/// Opens `path` (a file or a folder) through the cache, drawing a progress bar on stderr
/// unless `quiet`.
pub fn open_with_progress(
    path: &Path,
    options: &OpenOptions,
    quiet: bool,
) -> anyhow::Result<Opened> {
    let bar = if quiet {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = |p: &Progress| {
        let stage = match p.stage {
            Stage::ReadingCache => "reading the cache",
            Stage::ReadingFiles => "reading files",
            Stage::Combining => "combining",
            Stage::WritingCache => "writing the cache",
        };
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        bar.set_message(format!("{stage} ({} rows)", p.rows));
    };
    let opened = loupe_ingest::open(path, options, &report);
    bar.finish_and_clear();
    Ok(opened?)
}
