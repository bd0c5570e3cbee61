//! Short names for the strategies, shared by the command line, the app and result files.

use std::fmt;
use std::str::FromStr;

use crate::error::SimilarError;
use crate::probe::ProbeParams;
use crate::strategy::Strategy;

/// Votes per positive when `voted` is named without a count: enough neighbours that a pool
/// of a few positives spreads its votes over more than one page of candidates.
pub const DEFAULT_PER_POSITIVE: usize = 10;

impl FromStr for Strategy {
    type Err = SimilarError;

    /// `mean`, `max`, `voted` (10 votes per positive) or `voted:K`, `contrastive`, `probe`
    /// (default [`ProbeParams`]); case-insensitive, surrounding spaces ignored. These are the
    /// names `loupe similar --strategy` and `loupe simulate --strategies` take and that
    /// result files carry, so one parser serves all of them.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = text.trim().to_ascii_lowercase();
        let unknown = || SimilarError::UnknownStrategy {
            name: text.trim().to_owned(),
        };
        let strategy = match name.as_str() {
            "mean" => Self::MeanCosine,
            "max" => Self::MaxCosine,
            "voted" => Self::VotedNeighbours {
                per_positive: DEFAULT_PER_POSITIVE,
            },
            "contrastive" => Self::Contrastive,
            "probe" => Self::LinearProbe(ProbeParams::default()),
            other => {
                let count = other.strip_prefix("voted:").ok_or_else(unknown)?;
                Self::VotedNeighbours {
                    per_positive: count.trim().parse().map_err(|_| unknown())?,
                }
            }
        };
        strategy.validate()?;
        Ok(strategy)
    }
}

impl fmt::Display for Strategy {
    /// The short name [`Strategy::from_str`] reads back: `voted` spells out a count other
    /// than the default (`voted:20`); a probe is `probe` whatever its parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MeanCosine => f.write_str("mean"),
            Self::MaxCosine => f.write_str("max"),
            Self::VotedNeighbours {
                per_positive: DEFAULT_PER_POSITIVE,
            } => f.write_str("voted"),
            Self::VotedNeighbours { per_positive } => write!(f, "voted:{per_positive}"),
            Self::Contrastive => f.write_str("contrastive"),
            Self::LinearProbe(_) => f.write_str("probe"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for name in ["mean", "max", "voted", "voted:3", "contrastive", "probe"] {
            let s: Strategy = name.parse().unwrap();
            assert_eq!(s.to_string(), name);
        }
        assert_eq!(
            " Voted:10 ".parse::<Strategy>().unwrap().to_string(),
            "voted"
        );
        assert_eq!(
            "meen".parse::<Strategy>(),
            Err(SimilarError::UnknownStrategy {
                name: "meen".to_owned()
            })
        );
        assert!("voted:x".parse::<Strategy>().is_err());
        assert!(matches!(
            "voted:0".parse::<Strategy>(),
            Err(SimilarError::InvalidParameter {
                name: "per_positive",
                ..
            })
        ));
    }
}
