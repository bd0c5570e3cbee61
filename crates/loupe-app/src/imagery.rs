//! Chip imagery settings shared by the app's inspector and `loupe chips`: which provider, how
//! the chip looks, where the cache is, and the Mapbox token — turned into the engine's
//! [`ChipService`] in one place so that a flag means the same in the window and the terminal.

use std::fmt;
use std::path::PathBuf;

use anyhow::Context as _;
use loupe_imagery::{
    AccessToken, ChipCache, ChipService, ChipSpec, DEFAULT_CACHE_MAX_BYTES, DEFAULT_MAPBOX_API,
    DEFAULT_MAPBOX_STYLE, HttpClient, HttpConfig, ImagerySource, MapboxStatic, StrokeStyle,
    TOKEN_ENV_VAR, XyzProvider,
};

use crate::cli::{ImageryArgs, ProviderArg};

/// Environment variable that overrides the default chip cache folder (tests point it at a
/// temporary folder so they never touch the user's cache).
pub const CACHE_DIR_ENV_VAR: &str = "LOUPE_CHIP_CACHE_DIR";

/// Deepest zoom asked of a custom XYZ server: 19 is where global imagery stops.
const CUSTOM_MAX_ZOOM: u8 = 19;

/// Everything that decides which picture a row gets.
///
/// `Debug` is written by hand and never prints a token: settings end up in logs and bug
/// reports.
#[derive(Clone, PartialEq)]
pub struct ImagerySettings {
    /// Which provider.
    pub provider: ProviderArg,
    /// Mapbox `user/style_id`.
    pub mapbox_style: String,
    /// Mapbox API base URL (a proxy or test server instead of `api.mapbox.com`).
    pub mapbox_api: String,
    /// Template of a custom XYZ server, `{z}`/`{x}`/`{y}`.
    pub tile_template: String,
    /// Attribution shown under chips from the custom XYZ server.
    pub tile_attribution: String,
    /// Chip width and height in pixels (1–1280).
    pub size_px: u32,
    /// Outline colour, sRGB.
    pub stroke_color: [u8; 3],
    /// Outline width in pixels.
    pub stroke_width: f32,
    /// The chip cache folder; `None`: no cache.
    pub cache_dir: Option<PathBuf>,
    /// Token from `MAPBOX_token`, read once at start.
    env_token: Option<AccessToken>,
    /// Token typed in the app; wins over the environment.
    typed_token: Option<AccessToken>,
}

impl fmt::Debug for ImagerySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImagerySettings")
            .field("provider", &self.provider)
            .field("mapbox_style", &self.mapbox_style)
            .field("mapbox_api", &self.mapbox_api)
            .field("tile_template", &self.tile_template)
            .field("size_px", &self.size_px)
            .field("cache_dir", &self.cache_dir)
            .field("has_token", &self.token().is_some())
            .finish_non_exhaustive()
    }
}

impl Default for ImagerySettings {
    /// Mapbox when `MAPBOX_token` is set, else Esri; 512 px chips with the engine's red
    /// outline; the default cache folder.
    fn default() -> Self {
        let env_token = loupe_imagery::token_from_env();
        let stroke = StrokeStyle::default();
        Self {
            provider: if env_token.is_some() {
                ProviderArg::Mapbox
            } else {
                ProviderArg::Esri
            },
            mapbox_style: DEFAULT_MAPBOX_STYLE.to_owned(),
            mapbox_api: DEFAULT_MAPBOX_API.to_owned(),
            tile_template: String::new(),
            tile_attribution: String::new(),
            size_px: ChipSpec::default().width_px,
            stroke_color: stroke.color,
            stroke_width: stroke.width_px,
            cache_dir: resolve_cache_dir(None),
            env_token,
            typed_token: None,
        }
    }
}

impl ImagerySettings {
    /// The settings the command line asks for; `cache_dir` is the `--chip-cache-dir` /
    /// `--cache-dir` flag. Contradictory flags are an error; a missing token is not (the app
    /// can be given one later; [`ImagerySettings::source`] reports it).
    pub fn from_args(args: &ImageryArgs, cache_dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut settings = Self::default();
        settings.provider = match (args.provider, &args.tile_url) {
            (None | Some(ProviderArg::Xyz), Some(_)) => ProviderArg::Xyz,
            (Some(p), Some(_)) => {
                anyhow::bail!("--tile-url goes with --provider xyz, not {p:?}")
            }
            (Some(ProviderArg::Xyz), None) => {
                anyhow::bail!("--provider xyz needs --tile-url TEMPLATE")
            }
            (Some(p), None) => p,
            (None, None) => settings.provider,
        };
        if let Some(template) = &args.tile_url {
            settings.tile_template.clone_from(template);
            settings.tile_attribution = default_attribution(template);
        }
        settings.mapbox_api.clone_from(&args.mapbox_api);
        settings.mapbox_style.clone_from(&args.style);
        settings.cache_dir = resolve_cache_dir(cache_dir);
        Ok(settings)
    }

    /// Uses `token` (typed by the user) instead of `MAPBOX_token`; `None` goes back to the
    /// environment's. A malformed token is refused without echoing it.
    pub fn set_typed_token(&mut self, token: Option<&str>) -> anyhow::Result<()> {
        self.typed_token = match token.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => Some(AccessToken::new(t)?),
            None => None,
        };
        Ok(())
    }

    /// The token in effect: typed, else from the environment.
    pub fn token(&self) -> Option<&AccessToken> {
        self.typed_token.as_ref().or(self.env_token.as_ref())
    }

    /// Whether the token in effect came from `MAPBOX_token`.
    pub fn token_from_env(&self) -> bool {
        self.typed_token.is_none() && self.env_token.is_some()
    }

    /// Forgets the environment's token (tests, and a user who wants Mapbox off).
    pub fn clear_env_token(&mut self) {
        self.env_token = None;
    }

    /// The imagery source, checked: a template, style and API base that the engine accepts,
    /// and a token for Mapbox (the error names `MAPBOX_token`).
    pub fn source(&self) -> anyhow::Result<ImagerySource> {
        Ok(match self.provider {
            ProviderArg::Mapbox => {
                let token = self.token().cloned().with_context(|| {
                    format!(
                        "Mapbox needs an access token: set the {TOKEN_ENV_VAR} environment \
                         variable (or type one in the app's Imagery settings)"
                    )
                })?;
                ImagerySource::Mapbox(
                    MapboxStatic::new(token)
                        .with_api_base(&self.mapbox_api)?
                        .with_style(self.mapbox_style.trim())?,
                )
            }
            ProviderArg::Esri => ImagerySource::Xyz(XyzProvider::esri_world_imagery()),
            ProviderArg::Eox => ImagerySource::Xyz(XyzProvider::eox_s2cloudless_2020()),
            ProviderArg::Xyz => {
                let template = self.tile_template.trim();
                if template.is_empty() {
                    anyhow::bail!("custom XYZ tiles need a URL template with {{z}}, {{x}}, {{y}}");
                }
                let attribution = if self.tile_attribution.trim().is_empty() {
                    default_attribution(template)
                } else {
                    self.tile_attribution.trim().to_owned()
                };
                ImagerySource::Xyz(XyzProvider::custom(
                    "custom-xyz",
                    template,
                    CUSTOM_MAX_ZOOM,
                    &attribution,
                    &[],
                )?)
            }
        })
    }

    /// Size and outline of every chip.
    pub fn spec(&self) -> ChipSpec {
        ChipSpec {
            width_px: self.size_px,
            height_px: self.size_px,
            stroke: StrokeStyle {
                color: self.stroke_color,
                width_px: self.stroke_width,
                ..StrokeStyle::default()
            },
            ..ChipSpec::default()
        }
    }

    /// The chip cache, when a folder is set (created if needed).
    pub fn open_cache(&self) -> anyhow::Result<Option<ChipCache>> {
        self.cache_dir
            .as_ref()
            .map(|dir| ChipCache::open(dir, DEFAULT_CACHE_MAX_BYTES))
            .transpose()
            .map_err(Into::into)
    }

    /// A service for these settings, with the cache when one can be opened.
    pub fn service(&self, http: HttpConfig) -> anyhow::Result<ChipService> {
        let source = self.source()?;
        Ok(ChipService::new(
            source,
            HttpClient::new(http),
            self.open_cache()?,
        ))
    }
}

/// The cache folder: the flag, else `LOUPE_CHIP_CACHE_DIR`, else the platform default.
pub fn resolve_cache_dir(flag: Option<PathBuf>) -> Option<PathBuf> {
    flag.or_else(|| {
        std::env::var_os(CACHE_DIR_ENV_VAR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .or_else(loupe_imagery::default_cache_dir)
}

/// "Tiles: host" for a custom template whose licence text the user has not typed.
fn default_attribution(template: &str) -> String {
    let host = template
        .split_once("://")
        .map_or(template, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    format!("Tiles: {host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(provider: Option<ProviderArg>, tile_url: Option<&str>) -> ImageryArgs {
        ImageryArgs {
            provider,
            tile_url: tile_url.map(str::to_owned),
            mapbox_api: DEFAULT_MAPBOX_API.to_owned(),
            style: DEFAULT_MAPBOX_STYLE.to_owned(),
        }
    }

    #[test]
    fn flags_pick_the_provider() {
        let xyz = ImagerySettings::from_args(&args(None, Some("http://h:1/{z}/{x}/{y}.png")), None)
            .expect("valid");
        assert_eq!(xyz.provider, ProviderArg::Xyz);
        assert_eq!(xyz.source().expect("valid").attribution(), "Tiles: h:1");
        assert!(
            ImagerySettings::from_args(&args(Some(ProviderArg::Esri), Some("http://x")), None)
                .is_err()
        );
        assert!(ImagerySettings::from_args(&args(Some(ProviderArg::Xyz), None), None).is_err());
        let eox =
            ImagerySettings::from_args(&args(Some(ProviderArg::Eox), None), None).expect("valid");
        assert!(eox.source().expect("valid").attribution().contains("EOX"));
    }

    #[test]
    fn mapbox_without_a_token_names_the_variable_and_debug_hides_the_token() {
        let mut s =
            ImagerySettings::from_args(&args(Some(ProviderArg::Mapbox), None), None).expect("ok");
        s.clear_env_token();
        let err = s.source().expect_err("no token").to_string();
        assert!(err.contains(TOKEN_ENV_VAR), "{err}");
        s.set_typed_token(Some(" pk.secret-value ")).expect("valid");
        assert!(s.source().is_ok());
        assert!(!format!("{s:?}").contains("secret"));
        assert!(s.set_typed_token(Some("pk.bad token&x")).is_err());
    }
}
