//! `loupe chips INPUT`: download the satellite chips of a geo dataset's rows into the chip
//! cache, a few at a time with a progress bar, one line per failed row.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loupe_imagery::{CancelToken, ChipRequest, HttpConfig, PrefetchProgress, prefetch};

use crate::cli::ChipsArgs;
use crate::imagery::ImagerySettings;
use crate::outlines::GeometryColumn;

/// Fetches (or finds in the cache) the chip of every chosen row. Prints `row N: reason` on
/// stderr for each failure and a summary on stdout; fails when any row failed.
pub fn run_chips(args: &ChipsArgs) -> anyhow::Result<()> {
    let mut settings = ImagerySettings::from_args(&args.imagery, args.cache_dir.clone())?;
    settings.size_px = args.size;
    // Settle the provider (token, template, style) before reading anything or sending a
    // request: a missing MAPBOX_token is reported at once.
    settings.source()?;
    if settings.cache_dir.is_none() {
        anyhow::bail!("this platform has no cache folder: pass --cache-dir DIR");
    }
    let service = settings.service(HttpConfig::default())?;

    let opened =
        crate::info::open_with_progress(&args.input, &args.read.open_options(), args.quiet)?;
    if !args.quiet && !opened.report.failed.is_empty() {
        eprintln!("{}", opened.report);
    }
    let dataset = opened.dataset;
    let Some(geometry) = GeometryColumn::find(&dataset) else {
        anyhow::bail!(
            "{} has no geometry column, so there is nothing to fetch chips for",
            args.input.display()
        );
    };
    let rows = match &args.rows {
        Some(list) => list.resolve(dataset.n_rows())?,
        None => (0..dataset.n_rows()).collect(),
    };

    // Rows without a usable outline fail here, without a request.
    let spec = settings.spec();
    let mut failures: Vec<(usize, String)> = Vec::new();
    let mut wanted = Vec::with_capacity(rows.len());
    let mut requests = Vec::with_capacity(rows.len());
    for &row in &rows {
        match geometry.outline(&dataset, row) {
            Ok(outline) => {
                wanted.push(row);
                requests.push(ChipRequest::new(outline, spec));
            }
            Err(reason) => failures.push((row, reason)),
        }
    }

    let bar = if args.quiet {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
    } else {
        ProgressBar::new(requests.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} chips ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let attribution = service.source().attribution().to_owned();
    bar.set_message(attribution.clone());
    let progress = |p: PrefetchProgress| {
        bar.set_position(p.done as u64);
        bar.set_message(format!("{} from cache, {} failed", p.from_cache, p.failed));
    };
    let results = prefetch(
        &service,
        &requests,
        args.concurrency as usize,
        &CancelToken::new(),
        &progress,
    );
    bar.finish_and_clear();

    let (mut fetched, mut from_cache) = (0, 0);
    for (&row, result) in wanted.iter().zip(results) {
        match result {
            Ok(p) if p.from_cache => from_cache += 1,
            Ok(_) => fetched += 1,
            Err(e) => failures.push((row, e.to_string())),
        }
    }
    failures.sort_by_key(|(row, _)| *row);
    for (row, reason) in &failures {
        eprintln!("row {row}: {reason}");
    }
    let cache = settings
        .cache_dir
        .as_deref()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    println!(
        "{} chips: {fetched} fetched, {from_cache} from cache, {} failed (cache: {cache}; \
         imagery: {attribution})",
        rows.len(),
        failures.len()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} of {} chips failed", failures.len(), rows.len())
    }
}
