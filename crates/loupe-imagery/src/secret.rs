//! The Mapbox access token and the masking that keeps it out of every string we print.

use std::fmt;

use crate::ChipError;

/// Name of the environment variable the app reads the Mapbox token from.
pub const TOKEN_ENV_VAR: &str = "MAPBOX_token";

/// What a masked token looks like in URLs, errors and `Debug` output.
pub(crate) const MASK: &str = "***";

/// A Mapbox access token.
///
/// Wrapped so that `Debug` and `Display` can never print it: the token is a credential billed
/// to the user, and chips, errors and logs get copied around.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token after trimming whitespace; rejects an empty one or one with characters that
    /// cannot appear in a query string (Mapbox tokens are `pk.`/`sk.` plus base64url and dots).
    pub fn new(token: impl Into<String>) -> Result<Self, ChipError> {
        let token = token.into().trim().to_owned();
        if token.is_empty() {
            return Err(ChipError::spec("the Mapbox access token is empty"));
        }
        if !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        {
            return Err(ChipError::spec(
                "the Mapbox access token has characters other than letters, digits, '.', '-', '_'",
            ));
        }
        Ok(Self(token))
    }

    /// The raw token, only for building the request URL.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken({MASK})")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Reads the token from `MAPBOX_token`; `None` when unset, empty or malformed, so the caller
/// can fall back to a token-free tile provider.
pub fn token_from_env() -> Option<AccessToken> {
    std::env::var(TOKEN_ENV_VAR)
        .ok()
        .and_then(|t| AccessToken::new(t).ok())
}

/// Replaces the value of every `access_token=` parameter in `text` with `***`.
///
/// Applied to every URL and to every foreign message (client errors, server bodies) before it
/// goes into a [`ChipError`]: servers and HTTP clients like to echo the request URL.
pub(crate) fn mask_secrets(text: &str) -> String {
    const KEY: &str = "access_token=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find_ignore_ascii_case(rest, KEY) {
        let value_start = i + KEY.len();
        out.push_str(&rest[..value_start]);
        out.push_str(MASK);
        let value = &rest[value_start..];
        let end = value
            .find(|c: char| {
                matches!(c, '&' | '#' | '"' | '\'' | ')' | '>' | '<') || c.is_whitespace()
            })
            .unwrap_or(value.len());
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

/// Byte index of the first ASCII-case-insensitive occurrence of `needle` in `haystack`.
fn find_ignore_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.len() > h.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_token_parameter() {
        let s = "GET https://x/a?access_token=pk.abc.def&padding=10 and ACCESS_TOKEN=sk.zz)";
        let m = mask_secrets(s);
        assert_eq!(
            m,
            "GET https://x/a?access_token=***&padding=10 and ACCESS_TOKEN=***)"
        );
    }

    #[test]
    fn token_debug_and_display_are_masked() {
        let t = AccessToken::new(" pk.secret123 ").unwrap();
        assert_eq!(t.expose(), "pk.secret123");
        assert!(!format!("{t:?}{t}").contains("secret"));
        assert!(AccessToken::new("  ").is_err());
        assert!(AccessToken::new("pk.a&b").is_err());
    }
}
