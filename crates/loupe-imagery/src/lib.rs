//! Satellite "chips" for Loupe's inspector: given a geo row's lon/lat outline, produce a small
//! image of the ground under it with the outline drawn on top.
//!
//! Two ways to get the picture:
//! - **Mapbox Static Images** ([`MapboxStatic`], needs an access token): the crate builds the URL
//!   exactly per the API grammar (`/styles/v1/{user}/{style}/static/geojson(…)/[bbox]/{w}x{h}`,
//!   see <https://docs.mapbox.com/api/maps/static-images/>), and Mapbox draws the outline.
//! - **Token-free XYZ tiles** ([`XyzProvider`]: Esri World Imagery, EOX Sentinel-2 cloudless, or
//!   any `{z}/{x}/{y}` template): the crate picks a zoom, fetches and stitches 256-px Web
//!   Mercator (EPSG:3857) tiles, crops and resamples them, and burns the outline itself.
//!
//! Around that: a blocking HTTP layer with timeouts, bounded `429` retries and cancellation
//! ([`HttpClient`], [`CancelToken`]), an LRU disk cache with atomic writes ([`ChipCache`]), a
//! worker pool for the UI ([`ChipFetcher`]) and bounded-concurrency bulk download ([`prefetch`]).
//! Errors are one line each ([`ChipError`]); the Mapbox token never appears in an error, a log
//! line, a cache path or a cache file.
//!
//! Geometry comes in as plain `[lon, lat]` rings so that callers need no Loupe type.
//!
//! This crate must never depend on a GUI or GPU crate (egui, eframe, wgpu, winit), nor on
//! Arrow/Parquet: it is the pure engine that the app and the `loupe chips` CLI call. It never
//! installs a logger.

mod burn;
mod cache;
mod cancel;
mod chip;
mod error;
mod fetch;
mod fetcher;
mod http;
mod mapbox_url;
mod outline;
mod prefetch;
mod provider;
mod secret;
mod simplify;
mod sniff;
mod spec;
pub mod tile_math;
mod xyz;

pub use cache::{CacheKey, CachedChip, ChipCache, DEFAULT_CACHE_MAX_BYTES, default_cache_dir};
pub use cancel::CancelToken;
pub use chip::{Chip, ChipView, RgbaChip};
pub use error::ChipError;
pub use fetch::{ChipRequest, ChipService, ImagerySource};
pub use fetcher::{ChipFetcher, ChipTicket};
pub use http::{HttpClient, HttpConfig};
pub use mapbox_url::{
    DEFAULT_MAPBOX_API, DEFAULT_MAPBOX_STYLE, MAX_URL_CHARS, MapboxStatic, StaticUrl, static_url,
};
pub use outline::{LonLatBox, Outline};
pub use prefetch::{PrefetchProgress, Prefetched, prefetch};
pub use provider::XyzProvider;
pub use secret::{AccessToken, TOKEN_ENV_VAR, token_from_env};
pub use sniff::ImageFormat;
pub use spec::{ChipSpec, MAX_SIZE_PX, StrokeStyle};
