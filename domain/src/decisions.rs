//! Go/no-go decisions a person records: their kinds and how they read.

/// Decisions a person may record.
pub const DECISION_KINDS: &[&str] = &["go", "conditional_go", "no_go"];

/// "GO", "CONDITIONAL GO" or "NO-GO" for a decision kind (anything unknown reads as NO-GO,
/// the cautious reading).
pub fn decision_label(kind: &str) -> &'static str {
    match kind {
        "go" => "GO",
        "conditional_go" => "CONDITIONAL GO",
        _ => "NO-GO",
    }
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
}
