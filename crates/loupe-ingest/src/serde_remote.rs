//! Serde mirrors of the other crates' report types, so that a [`LoadReport`](crate::LoadReport)
//! can be stored in the cache file without those crates depending on serde.

use loupe_data::{DropReason, DroppedRow};
use loupe_geo::{Crs, Interpretation};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Mirror of [`Crs`]; serde checks at compile time that the variants match.
#[derive(Serialize, Deserialize)]
#[serde(remote = "Crs")]
pub(crate) enum CrsDef {
    DefaultCrs84,
    Unknown,
    Code {
        authority: String,
        code: String,
        name: Option<String>,
    },
    Named {
        name: String,
    },
    Unrecognised {
        text: String,
    },
}

/// Mirror of [`Interpretation`].
#[derive(Serialize, Deserialize)]
#[serde(remote = "Interpretation")]
pub(crate) enum InterpretationDef {
    AsDeclared,
    LonLatDegrees,
    CannotPlace,
}

/// `Option<Crs>` through [`CrsDef`].
pub(crate) mod option_crs {
    use super::{Crs, CrsDef, Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wrap(#[serde(with = "CrsDef")] Crs);

    #[allow(clippy::ref_option, reason = "the signature serde's `with` requires")]
    pub(crate) fn serialize<S: Serializer>(value: &Option<Crs>, s: S) -> Result<S::Ok, S::Error> {
        value.clone().map(Wrap).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Crs>, D::Error> {
        Ok(Option::<Wrap>::deserialize(d)?.map(|Wrap(crs)| crs))
    }
}

/// `Vec<DroppedRow>` through a mirror of [`DropReason`], which is `#[non_exhaustive]` and so
/// cannot be mirrored by `serde(remote)`.
pub(crate) mod dropped_rows {
    use super::{DropReason, DroppedRow, Serialize, Serializer};
    use serde::{Deserialize, Deserializer, ser::Error};

    #[derive(Serialize, Deserialize)]
    struct Row {
        row: usize,
        reason: Reason,
    }

    #[derive(Serialize, Deserialize)]
    enum Reason {
        NullVector,
        NullValue,
        NonFinite,
        Ragged { len: usize, expected: usize },
        Malformed,
    }

    pub(crate) fn serialize<S: Serializer>(rows: &[DroppedRow], s: S) -> Result<S::Ok, S::Error> {
        let mirrored = rows
            .iter()
            .map(|d| {
                let reason = match d.reason {
                    DropReason::NullVector => Reason::NullVector,
                    DropReason::NullValue => Reason::NullValue,
                    DropReason::NonFinite => Reason::NonFinite,
                    DropReason::Ragged { len, expected } => Reason::Ragged { len, expected },
                    DropReason::Malformed => Reason::Malformed,
                    // A reason added to loupe-data later: the cache write fails with a warning
                    // (the data is still returned) until a mirror variant is added here.
                    other => return Err(S::Error::custom(format!("unknown drop reason {other}"))),
                };
                Ok(Row { row: d.row, reason })
            })
            .collect::<Result<Vec<_>, _>>()?;
        mirrored.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<DroppedRow>, D::Error> {
        let rows = Vec::<Row>::deserialize(d)?;
        Ok(rows
            .into_iter()
            .map(|r| DroppedRow {
                row: r.row,
                reason: match r.reason {
                    Reason::NullVector => DropReason::NullVector,
                    Reason::NullValue => DropReason::NullValue,
                    Reason::NonFinite => DropReason::NonFinite,
                    Reason::Ragged { len, expected } => DropReason::Ragged { len, expected },
                    Reason::Malformed => DropReason::Malformed,
                },
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        #[serde(with = "dropped_rows")]
        rows: Vec<DroppedRow>,
        #[serde(with = "CrsDef")]
        crs: Crs,
        #[serde(with = "option_crs")]
        used: Option<Crs>,
        #[serde(with = "InterpretationDef")]
        interpretation: Interpretation,
    }

    #[test]
    fn every_known_variant_round_trips() {
        let reasons = [
            DropReason::NullVector,
            DropReason::NullValue,
            DropReason::NonFinite,
            DropReason::Ragged {
                len: 3,
                expected: 4,
            },
            DropReason::Malformed,
        ];
        let sample = Sample {
            rows: reasons
                .into_iter()
                .enumerate()
                .map(|(row, reason)| DroppedRow { row, reason })
                .collect(),
            crs: Crs::Code {
                authority: "EPSG".into(),
                code: "3857".into(),
                name: Some("WGS 84 / Pseudo-Mercator".into()),
            },
            used: Some(Crs::crs84()),
            interpretation: Interpretation::LonLatDegrees,
        };
        let json = serde_json::to_string(&sample).expect("serialises");
        let back: Sample = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, sample);
        for crs in [
            Crs::DefaultCrs84,
            Crs::Unknown,
            Crs::Named { name: "x".into() },
            Crs::Unrecognised { text: "y".into() },
        ] {
            let s = Sample {
                rows: Vec::new(),
                crs,
                used: None,
                interpretation: Interpretation::CannotPlace,
            };
            let back: Sample =
                serde_json::from_str(&serde_json::to_string(&s).expect("ser")).expect("de");
            assert_eq!(back, s);
        }
    }
}
