//! Token-free XYZ tile providers: URL templates, zoom limits and their required attribution.

use crate::ChipError;
use crate::tile_math::MAX_ZOOM;

/// An XYZ (slippy-map) tile source of 256-px Web Mercator tiles.
///
/// Every provider's licence requires its attribution to be shown next to the imagery; it is
/// carried here so the app and CLI cannot forget it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XyzProvider {
    id: String,
    template: String,
    max_zoom: u8,
    attribution: String,
    subdomains: Vec<String>,
}

impl XyzProvider {
    /// Esri World Imagery (no token; attribution required; about 0.3–0.5 m in cities, we stop
    /// at zoom 19 where coverage is global). Note the `{z}/{y}/{x}` order.
    pub fn esri_world_imagery() -> Self {
        Self {
            id: "esri-world-imagery".to_owned(),
            template:
                "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
                    .to_owned(),
            max_zoom: 19,
            attribution: "Powered by Esri. Source: Esri, Maxar, Earthstar Geographics, and the GIS User Community"
                .to_owned(),
            subdomains: Vec::new(),
        }
    }

    /// EOX Sentinel-2 cloudless 2020 (no token; 10 m imagery, so zoom ≤ 14; attribution
    /// required by its CC BY-NC-SA 4.0 licence).
    pub fn eox_s2cloudless_2020() -> Self {
        Self {
            id: "eox-s2cloudless-2020".to_owned(),
            template: "https://tiles.maps.eox.at/wmts/1.0.0/s2cloudless-2020_3857/default/g/{z}/{y}/{x}.jpg"
                .to_owned(),
            max_zoom: 14,
            attribution: "Sentinel-2 cloudless - https://s2maps.eu by EOX IT Services GmbH (Contains modified Copernicus Sentinel data 2020)"
                .to_owned(),
            subdomains: Vec::new(),
        }
    }

    /// Any template with `{z}`, `{x}`, `{y}` (and optionally `{s}`, filled from `subdomains`
    /// by `(x + y) mod n`). `id` names the provider in the cache key; `attribution` is what
    /// its terms ask to be displayed.
    pub fn custom(
        id: &str,
        template: &str,
        max_zoom: u8,
        attribution: &str,
        subdomains: &[&str],
    ) -> Result<Self, ChipError> {
        if id.trim().is_empty() {
            return Err(ChipError::spec("tile provider id is empty"));
        }
        if !(template.starts_with("https://") || template.starts_with("http://")) {
            return Err(ChipError::spec(format!(
                "tile template {template:?} is not an http(s) URL"
            )));
        }
        for key in ["{z}", "{x}", "{y}"] {
            if !template.contains(key) {
                return Err(ChipError::spec(format!(
                    "tile template {template:?} lacks {key}"
                )));
            }
        }
        if template.contains("{s}") && subdomains.is_empty() {
            return Err(ChipError::spec(format!(
                "tile template {template:?} uses {{s}} but no subdomains were given"
            )));
        }
        if max_zoom > MAX_ZOOM {
            return Err(ChipError::spec(format!(
                "max zoom {max_zoom} is above {MAX_ZOOM}"
            )));
        }
        Ok(Self {
            id: id.trim().to_owned(),
            template: template.to_owned(),
            max_zoom,
            attribution: attribution.to_owned(),
            subdomains: subdomains.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    /// Stable name, part of the cache key.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The URL template.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// Deepest zoom the provider serves.
    pub fn max_zoom(&self) -> u8 {
        self.max_zoom
    }

    /// The attribution the provider requires next to its imagery.
    pub fn attribution(&self) -> &str {
        &self.attribution
    }

    /// URL of tile `(x, y)` at `zoom`.
    pub fn tile_url(&self, zoom: u8, x: u32, y: u32) -> String {
        let mut url = self
            .template
            .replace("{z}", &zoom.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string());
        if !self.subdomains.is_empty() {
            let i = ((u64::from(x) + u64::from(y)) % self.subdomains.len() as u64) as usize;
            url = url.replace("{s}", &self.subdomains[i]);
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(
            XyzProvider::esri_world_imagery().tile_url(3, 1, 2),
            "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/3/2/1"
        );
        assert_eq!(
            XyzProvider::eox_s2cloudless_2020().tile_url(14, 100, 200),
            "https://tiles.maps.eox.at/wmts/1.0.0/s2cloudless-2020_3857/default/g/14/200/100.jpg"
        );
        let p =
            XyzProvider::custom("t", "http://{s}.x/{z}/{x}/{y}.png", 18, "©", &["a", "b"]).unwrap();
        assert_eq!(p.tile_url(5, 3, 4), "http://b.x/5/3/4.png");
        assert!(XyzProvider::custom("t", "http://x/{z}/{x}.png", 18, "", &[]).is_err());
        assert!(XyzProvider::custom("t", "http://{s}.x/{z}/{x}/{y}", 18, "", &[]).is_err());
        assert!(!XyzProvider::eox_s2cloudless_2020().attribution().is_empty());
    }
}
