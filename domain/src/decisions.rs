//! Go/no-go decisions a person records: their kinds and how they read.

use serde::{Deserialize, Serialize};

/// A recorded go/no-go decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Ship.
    Go,
    /// Ship, on the conditions written with it.
    ConditionalGo,
    /// Do not ship.
    NoGo,
}

impl Decision {
    /// Every decision, most confident first.
    pub const ALL: [Decision; 3] = [Decision::Go, Decision::ConditionalGo, Decision::NoGo];

    /// The stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Go => "go",
            Decision::ConditionalGo => "conditional_go",
            Decision::NoGo => "no_go",
        }
    }

    /// Parses the stable name back.
    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// "GO", "CONDITIONAL GO" or "NO-GO".
    pub fn label(self) -> &'static str {
        match self {
            Decision::Go => "GO",
            Decision::ConditionalGo => "CONDITIONAL GO",
            Decision::NoGo => "NO-GO",
        }
    }
}

/// Decisions a person may record, by their stable names.
pub const DECISION_KINDS: &[&str] = &["go", "conditional_go", "no_go"];

/// The label of a decision kind given by its stable name (anything unknown reads as NO-GO,
/// the cautious reading).
pub fn decision_label(kind: &str) -> &'static str {
    Decision::parse(kind).unwrap_or(Decision::NoGo).label()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_label() {
        let labels: Vec<_> = DECISION_KINDS.iter().map(|k| decision_label(k)).collect();
        assert_eq!(labels, ["GO", "CONDITIONAL GO", "NO-GO"]);
        assert_eq!(decision_label("ship it"), "NO-GO");
    }

    #[test]
    fn names_round_trip_and_match_the_wire_words() {
        let names: Vec<_> = Decision::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(names, DECISION_KINDS);
        for d in Decision::ALL {
            assert_eq!(Decision::parse(d.as_str()), Some(d));
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
    }
}
