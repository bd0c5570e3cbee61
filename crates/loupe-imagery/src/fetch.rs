//! One chip, end to end: cache lookup, Mapbox download or XYZ composition, validation, cache
//! write. Blocking; run it on a worker thread ([`crate::ChipFetcher`] does).

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use image::RgbaImage;

use crate::burn::{burn_outline, burn_point};
use crate::chip::decode;
use crate::http::{Service, host_of};
use crate::mapbox_url::static_url;
use crate::xyz::CropPlan;
use crate::{
    CacheKey, CancelToken, Chip, ChipCache, ChipError, ChipSpec, ChipView, HttpClient, ImageFormat,
    MapboxStatic, Outline, XyzProvider,
};

/// Default number of tiles downloaded at once for one XYZ chip.
const DEFAULT_TILE_CONCURRENCY: usize = 4;

/// Where chips come from.
#[derive(Clone, Debug, PartialEq)]
pub enum ImagerySource {
    /// Mapbox Static Images (token; Mapbox draws the outline).
    Mapbox(MapboxStatic),
    /// Token-free XYZ tiles (the outline is burned locally).
    Xyz(XyzProvider),
}

impl ImagerySource {
    /// The attribution the imagery's terms require next to the chip.
    pub fn attribution(&self) -> &str {
        match self {
            Self::Mapbox(m) => m.attribution(),
            Self::Xyz(p) => p.attribution(),
        }
    }

    /// Identity for the cache key: everything that changes the picture except the token.
    fn cache_id(&self) -> String {
        match self {
            Self::Mapbox(m) => format!("mapbox|{}|{}", m.api_base(), m.style()),
            Self::Xyz(p) => format!("xyz|{}|{}", p.id(), p.template()),
        }
    }
}

/// One chip to make: the outline and how to draw it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChipRequest {
    /// The geometry, lon/lat.
    pub outline: Outline,
    /// Size and style.
    pub spec: ChipSpec,
}

impl ChipRequest {
    /// Bundles an outline and a spec.
    pub fn new(outline: Outline, spec: ChipSpec) -> Self {
        Self { outline, spec }
    }
}

/// The crop of an XYZ chip.
fn plan(p: &XyzProvider, req: &ChipRequest) -> CropPlan {
    CropPlan::new(&req.outline.view_bbox(), &req.spec, p.max_zoom())
}

/// Makes chips from one source, with an optional cache. `Send + Sync`: share it in an `Arc`.
#[derive(Debug)]
pub struct ChipService {
    source: ImagerySource,
    http: HttpClient,
    cache: Option<ChipCache>,
    tile_concurrency: usize,
}

impl ChipService {
    /// A service for `source`; pass a cache to keep chips between runs.
    pub fn new(source: ImagerySource, http: HttpClient, cache: Option<ChipCache>) -> Self {
        Self {
            source,
            http,
            cache,
            tile_concurrency: DEFAULT_TILE_CONCURRENCY,
        }
    }

    /// How many tiles of one XYZ chip download at once (default 4; at least 1).
    #[must_use]
    pub fn with_tile_concurrency(mut self, n: usize) -> Self {
        self.tile_concurrency = n.max(1);
        self
    }

    /// The imagery source.
    pub fn source(&self) -> &ImagerySource {
        &self.source
    }

    /// The cache, if any.
    pub fn cache(&self) -> Option<&ChipCache> {
        self.cache.as_ref()
    }

    /// The cache key of a request (stable across runs; no token in it).
    pub fn cache_key(&self, req: &ChipRequest) -> CacheKey {
        CacheKey::for_chip(&self.source.cache_id(), &req.spec, &req.outline)
    }

    /// Returns the chip for `req`, from the cache or the network. Blocking; stops early with
    /// [`ChipError::Cancelled`] once `cancel` is set. Only a complete, decodable image is ever
    /// written to the cache.
    pub fn fetch(&self, req: &ChipRequest, cancel: &CancelToken) -> Result<Chip, ChipError> {
        req.spec.validate()?;
        cancel.check()?;
        let key = self.cache_key(req);
        let view = match &self.source {
            ImagerySource::Xyz(p) => Some(ChipView::from_plan(&plan(p, req))),
            ImagerySource::Mapbox(_) => None,
        };
        let attribution = self.source.attribution().to_owned();
        if let Some(cache) = &self.cache {
            match cache.get(&key) {
                Ok(Some(hit)) => {
                    return Ok(Chip {
                        bytes: hit.bytes,
                        format: hit.format,
                        from_cache: true,
                        cache_path: Some(hit.path),
                        attribution,
                        view,
                    });
                }
                Ok(None) => {}
                Err(e) => log::warn!("{e}"),
            }
        }
        let (bytes, format) = match &self.source {
            ImagerySource::Mapbox(m) => self.fetch_mapbox(m, req, cancel)?,
            ImagerySource::Xyz(p) => self.compose_xyz(p, req, cancel)?,
        };
        let cache_path = self.cache.as_ref().and_then(|c| match c.put(&key, &bytes) {
            Ok(path) => Some(path),
            Err(e) => {
                // The chip is still good; a full disk must not hide it.
                log::warn!("{e}");
                None
            }
        });
        Ok(Chip {
            bytes,
            format,
            from_cache: false,
            cache_path,
            attribution,
            view,
        })
    }

    fn fetch_mapbox(
        &self,
        m: &MapboxStatic,
        req: &ChipRequest,
        cancel: &CancelToken,
    ) -> Result<(Vec<u8>, ImageFormat), ChipError> {
        // ureq prints request paths (with our query string) at trace level only.
        if log::log_enabled!(target: "ureq::util", log::Level::Trace) {
            return Err(ChipError::spec(
                "trace logging is on for the `ureq` crate and would print the Mapbox token; \
                 lower `ureq` to debug",
            ));
        }
        let url = static_url(m, &req.spec, &req.outline)?;
        log::debug!("Mapbox chip: {url}");
        let (bytes, format) =
            self.http
                .get_image(url.expose(), Service::Mapbox { style: m.style() }, cancel)?;
        // A body cut short on a close-delimited response still sniffs as an image: decode it
        // once so that only complete images are ever cached.
        decode(&bytes, format, &host_of(url.expose()))?;
        Ok((bytes, format))
    }

    fn compose_xyz(
        &self,
        p: &XyzProvider,
        req: &ChipRequest,
        cancel: &CancelToken,
    ) -> Result<(Vec<u8>, ImageFormat), ChipError> {
        let plan = plan(p, req);
        let tiles = self.fetch_tiles(p, &plan, cancel)?;
        let mut img = plan.compose(&tiles);
        cancel.check()?;
        let scale = f64::from(req.spec.scale());
        if req.outline.is_point() {
            let [lon, lat] = req.outline.rings()[0][0];
            burn_point(&mut img, plan.project(lon, lat), &req.spec.stroke, scale);
        } else {
            let rings: Vec<Vec<[f64; 2]>> = req
                .outline
                .rings()
                .iter()
                .map(|r| r.iter().map(|&[lon, lat]| plan.project(lon, lat)).collect())
                .collect();
            burn_outline(&mut img, &rings, &req.spec.stroke, scale);
        }
        let rgb = image::DynamicImage::ImageRgba8(img).to_rgb8();
        let mut out = Cursor::new(Vec::new());
        rgb.write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| ChipError::Encode {
                reason: e.to_string(),
            })?;
        Ok((out.into_inner(), ImageFormat::Png))
    }

    /// Downloads and decodes the plan's tiles, a few at a time; the first error stops the rest.
    fn fetch_tiles(
        &self,
        p: &XyzProvider,
        plan: &CropPlan,
        cancel: &CancelToken,
    ) -> Result<Vec<(i64, i64, RgbaImage)>, ChipError> {
        let wanted = plan.tiles()?;
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let done: Mutex<Vec<(i64, i64, RgbaImage)>> = Mutex::new(Vec::with_capacity(wanted.len()));
        let first_error: Mutex<Option<ChipError>> = Mutex::new(None);
        let work = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(col, row, x, y)) = wanted.get(i) else {
                    return;
                };
                if failed.load(Ordering::Relaxed) {
                    return;
                }
                let url = p.tile_url(plan.zoom, x, y);
                let result = self
                    .http
                    .get_image(&url, Service::Tiles, cancel)
                    .and_then(|(bytes, format)| decode(&bytes, format, &host_of(&url)));
                match result {
                    Ok(img) => done
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((col, row, img)),
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        first_error
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .get_or_insert(e);
                        return;
                    }
                }
            }
        };
        std::thread::scope(|s| {
            let helpers = self.tile_concurrency.min(wanted.len()).saturating_sub(1);
            for i in 0..helpers {
                // Fewer helpers if the OS refuses a thread; the current thread works too.
                let _ = std::thread::Builder::new()
                    .name(format!("loupe-tiles-{i}"))
                    .spawn_scoped(s, work);
            }
            work();
        });
        if let Some(e) = first_error
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
        {
            return Err(e);
        }
        cancel.check()?;
        Ok(done.into_inner().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<ChipService>();
        check::<CancelToken>();
        check::<Chip>();
        check::<ChipError>();
    }
}
