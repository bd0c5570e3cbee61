//! `loupe similar`: the rows most like some given rows, ranked over the full-dimensional
//! vectors by one of `loupe_similar`'s strategies and written with all their columns — the
//! app's "find more like this" from a script.

use std::sync::Arc;

use anyhow::Context as _;
use arrow_array::{
    ArrayRef, Float32Array, RecordBatch, RecordBatchOptions, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use loupe_core::Dataset;
use loupe_similar::{Label, NormalisedVectors, SimilarError, Strategy};

use crate::cli::SimilarArgs;
use crate::select::OutputFormat;

/// The columns `loupe similar` puts in front of the input's own.
const RESULT_COLUMNS: [&str; 3] = ["rank", "row", "score"];

/// Reads the input, ranks its unlabelled rows and writes the best `k`; prints `ranked N of M
/// rows by STRATEGY → FILE`.
pub fn run_similar(args: &SimilarArgs) -> anyhow::Result<()> {
    let format = OutputFormat::from_path(&args.out).with_context(|| {
        format!(
            "--out {}: name the file .parquet, .csv or .geojson so Loupe knows what to write",
            args.out.display()
        )
    })?;
    let opened =
        crate::info::open_with_progress(&args.input, &args.read.open_options(), args.quiet)?;
    if !args.quiet && !opened.report.failed.is_empty() {
        eprintln!("{}", opened.report);
    }
    let dataset = opened.dataset;
    let vectors = normalise(&dataset, args.quiet)?;
    let n = dataset.n_rows();
    let positives = args.rows.resolve_flag(n, "--rows")?;
    for &row in &positives {
        if !vectors.is_defined(row) {
            anyhow::bail!(
                "--rows: row {row} has an all-zero (or non-finite) vector, so it has no \
                 direction to compare with; pick another row"
            );
        }
    }
    let negatives = match &args.negatives {
        Some(list) => list.resolve_flag(n, "--negatives")?,
        None => Vec::new(),
    };
    if let Some(row) = negatives.iter().find(|r| positives.contains(r)) {
        anyhow::bail!("row {row} is in both --rows and --negatives; give it once");
    }
    let mut labels = vec![Label::Unlabelled; n];
    for &row in &positives {
        labels[row] = Label::Positive;
    }
    for &row in &negatives {
        labels[row] = Label::Negative;
    }
    let ranked = vectors
        .rank(&labels, args.strategy, args.k as usize)
        .map_err(|e| explain(&e, args.strategy))?;
    let rows: Vec<usize> = ranked.iter().map(|&(row, _)| row).collect();
    let picked = dataset
        .take_rows(&rows)
        .with_context(|| format!("{}: picking the ranked rows", args.input.display()))?;
    let table = result_table(&ranked, picked.metadata(), args.quiet)?;
    format.write_rows(&args.out, &table)?;
    println!(
        "ranked {} of {n} rows by {} → {}",
        ranked.len(),
        args.strategy,
        args.out.display()
    );
    Ok(())
}

/// The dataset's vectors, normalised once; notes on stderr how many rows have no direction
/// (all-zero or non-finite vectors), which are never ranked, shown or counted.
pub(crate) fn normalise(dataset: &Dataset, quiet: bool) -> anyhow::Result<NormalisedVectors> {
    let vectors = NormalisedVectors::new(dataset.vectors(), dataset.dim())
        .context("normalising the vectors")?;
    let skipped = vectors.rows() - vectors.defined_count();
    if vectors.defined_count() == 0 {
        anyhow::bail!(
            "every one of the {} rows has an all-zero (or non-finite) vector: there is nothing \
             to compare",
            vectors.rows()
        );
    }
    if skipped > 0 && !quiet {
        eprintln!(
            "loupe: note: skipping {skipped} of {} rows whose vector is all zeros (or not \
             finite): they have no direction, so they are never ranked",
            vectors.rows()
        );
    }
    Ok(vectors)
}

/// The engine's refusal in the words of the command line.
fn explain(error: &SimilarError, strategy: Strategy) -> anyhow::Error {
    match error {
        SimilarError::AllLabelled { rows } => anyhow::anyhow!(
            "every one of the {rows} rows with a vector is in --rows or --negatives: nothing is \
             left to rank"
        ),
        SimilarError::ZeroQuery { what } => anyhow::anyhow!(
            "the {what} has no direction (the rows cancel out), so --strategy {strategy} cannot \
             rank; try --strategy max"
        ),
        other => anyhow::anyhow!("--strategy {strategy}: {other}"),
    }
}

/// `rank` (from 1), `row`, `score`, then the picked rows' own columns — less any already
/// named `rank`, `row` or `score` (an earlier result read back), which the fresh ones
/// replace. The schema's key/value metadata (a GeoParquet `geo` declaration) is kept.
fn result_table(
    ranked: &[(usize, f32)],
    metadata: &RecordBatch,
    quiet: bool,
) -> anyhow::Result<RecordBatch> {
    let rank: ArrayRef = Arc::new(UInt32Array::from_iter_values(
        (1..=ranked.len()).map(|r| u32::try_from(r).unwrap_or(u32::MAX)),
    ));
    let row: ArrayRef = Arc::new(UInt64Array::from_iter_values(
        ranked.iter().map(|&(r, _)| r as u64),
    ));
    let score: ArrayRef = Arc::new(Float32Array::from_iter_values(
        ranked.iter().map(|&(_, s)| s),
    ));
    let mut fields = vec![
        Arc::new(Field::new("rank", DataType::UInt32, false)),
        Arc::new(Field::new("row", DataType::UInt64, false)),
        Arc::new(Field::new("score", DataType::Float32, false)),
    ];
    let mut columns = vec![rank, row, score];
    let schema = metadata.schema();
    for (field, column) in schema.fields().iter().zip(metadata.columns()) {
        if RESULT_COLUMNS.contains(&field.name().as_str()) {
            if !quiet {
                eprintln!(
                    "loupe: note: the input's own `{}` column is replaced by the ranking's",
                    field.name()
                );
            }
            continue;
        }
        fields.push(Arc::clone(field));
        columns.push(Arc::clone(column));
    }
    let schema = Schema::new_with_metadata(fields, schema.metadata().clone());
    let options = RecordBatchOptions::new().with_row_count(Some(ranked.len()));
    Ok(RecordBatch::try_new_with_options(
        Arc::new(schema),
        columns,
        &options,
    )?)
}
