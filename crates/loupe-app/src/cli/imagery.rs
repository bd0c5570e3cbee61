//! Where satellite chips come from (shared by the app and `loupe chips`), and `loupe chips`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::ReadArgs;

/// Where satellite chips come from: shared by the app and `loupe chips`.
#[derive(Debug, Args, Clone)]
pub struct ImageryArgs {
    /// Imagery provider: Mapbox Static Images (needs `MAPBOX_token`), Esri World Imagery,
    /// EOX Sentinel-2 cloudless 2020, or the XYZ template of `--tile-url`. Default: `xyz`
    /// with `--tile-url`, else Mapbox when `MAPBOX_token` is set, else Esri.
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// XYZ tile URL template with `{z}`, `{x}`, `{y}` (implies `--provider xyz`).
    #[arg(long, value_name = "TEMPLATE")]
    pub tile_url: Option<String>,
    /// Mapbox API base URL, for a proxy or a test server.
    #[arg(long, value_name = "URL", default_value = loupe_imagery::DEFAULT_MAPBOX_API)]
    pub mapbox_api: String,
    /// Mapbox style, `user/style_id`.
    #[arg(long, value_name = "USER/STYLE", default_value = loupe_imagery::DEFAULT_MAPBOX_STYLE)]
    pub style: String,
}

impl Default for ImageryArgs {
    /// What the flags mean when none is given.
    fn default() -> Self {
        Self {
            provider: None,
            tile_url: None,
            mapbox_api: loupe_imagery::DEFAULT_MAPBOX_API.to_owned(),
            style: loupe_imagery::DEFAULT_MAPBOX_STYLE.to_owned(),
        }
    }
}

/// The imagery providers Loupe knows.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ProviderArg {
    /// Mapbox Static Images (token in `MAPBOX_token`; Mapbox draws the outline).
    Mapbox,
    /// Esri World Imagery tiles (no token).
    Esri,
    /// EOX Sentinel-2 cloudless 2020 tiles (no token; 10 m imagery).
    Eox,
    /// Any XYZ tile server, from `--tile-url`.
    Xyz,
}

/// Arguments of `loupe chips`.
#[derive(Debug, Args)]
pub struct ChipsArgs {
    /// A geo file (GeoParquet), or a folder of `.gpq`/`.parquet` files.
    pub input: PathBuf,
    /// How to read it.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Where the chips come from.
    #[command(flatten)]
    pub imagery: ImageryArgs,
    /// Chip width and height in pixels (at most 1280, the Mapbox limit).
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(32..=1280))]
    pub size: u32,
    /// Chip cache folder (default: `LOUPE_CHIP_CACHE_DIR`, else the platform cache folder
    /// plus `loupe/chips`, which the app reads too).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Which rows: `0,5,9`, `0-99` or a mix (`0-9,42`); all rows when omitted.
    #[arg(long, value_name = "ROWS", value_parser = parse_rows)]
    pub rows: Option<RowList>,
    /// Chips downloaded at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Row numbers chosen with `--rows`, as inclusive ranges in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowList(pub Vec<std::ops::RangeInclusive<usize>>);

impl RowList {
    /// Every row, in the order given (duplicates kept out), each checked against `n_rows`.
    pub fn resolve(&self, n_rows: usize) -> anyhow::Result<Vec<usize>> {
        self.resolve_flag(n_rows, "--rows")
    }

    /// [`Self::resolve`] for a list given with another flag, which the error names.
    pub fn resolve_flag(&self, n_rows: usize, flag: &str) -> anyhow::Result<Vec<usize>> {
        let mut seen = std::collections::BTreeSet::new();
        let mut rows = Vec::new();
        for range in &self.0 {
            if *range.end() >= n_rows {
                anyhow::bail!(
                    "{flag}: row {} is out of range (the dataset has {n_rows} rows, 0-{})",
                    range.end(),
                    n_rows.saturating_sub(1)
                );
            }
            rows.extend(range.clone().filter(|&r| seen.insert(r)));
        }
        Ok(rows)
    }
}

/// Parses `0,5,9`, `0-99` or a mix of both.
pub fn parse_rows(text: &str) -> Result<RowList, String> {
    let ranges = text
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let bad = || format!("{item:?} is not a row number or a range FIRST-LAST");
            let number = |s: &str| s.trim().parse::<usize>().map_err(|_| bad());
            match item.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (number(a)?, number(b)?);
                    if a > b {
                        return Err(format!("{item:?}: the range runs backwards"));
                    }
                    Ok(a..=b)
                }
                None => number(item).map(|r| r..=r),
            }
        })
        .collect::<Result<Vec<_>, String>>()?;
    if ranges.is_empty() {
        return Err("no rows given".to_owned());
    }
    Ok(RowList(ranges))
}
