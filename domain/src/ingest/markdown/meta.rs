//! Metadata: the run date and the phase named by a title.

use super::words::strip_marks;

/// `December 27, 2025`, `27 Dec 2025`; a full timestamp is kept as written.
pub(super) fn parse_date(s: &str) -> Option<String> {
    let s = s.trim();
    let ymd = |y: i64, m: u32, d: u32| {
        ((1..=12).contains(&m) && (1..=31).contains(&d) && (1900..=9999).contains(&y))
            .then(|| format!("{y:04}-{m:02}-{d:02}T00:00:00Z"))
    };
    let head: String = s.chars().take(10).collect();
    let parts: Vec<&str> = head.split(['-', '/']).collect();
    if parts.len() == 3
        && parts[0].len() == 4
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let (y, m, d) = (parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?);
        let rest = &s[head.len()..];
        if rest.starts_with('T') && rest.len() >= 9 {
            return Some(s.split_whitespace().next().unwrap_or(s).to_string());
        }
        return ymd(y, m, d);
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_end_matches(|c: char| {
                c.is_ascii_alphabetic() && w.chars().next().is_some_and(|f| f.is_ascii_digit())
            })
            .to_lowercase()
        })
        .take(4)
        .collect();
    let month = |w: &str| MONTHS.iter().position(|m| w.len() >= 3 && w.starts_with(m)).map(|p| p as u32 + 1);
    let num = |w: &str| w.parse::<i64>().ok();
    match words.as_slice() {
        [m, d, y, ..] if month(m).is_some() => ymd(num(y)?, month(m)?, u32::try_from(num(d)?).ok()?),
        [d, m, y, ..] if month(m).is_some() => ymd(num(y)?, month(m)?, u32::try_from(num(d)?).ok()?),
        _ => None,
    }
}

/// Phase name from the title: parts that only name the document ("Test Report", "Review &
/// Testing Report") are dropped, and report words trailing the phase ("Phase 4 Test Report").
pub(super) fn phase_from_title(title: &str) -> Option<String> {
    const DOC_WORDS: &[&str] =
        &["report", "review", "test", "tests", "testing", "results", "assessment", "summary", "&", "and", "-", "—"];
    let is_doc_word = |w: &str| DOC_WORDS.contains(&w.to_lowercase().as_str());
    let title = strip_marks(title);
    let parts: Vec<String> = title
        .split([':', '|'])
        .flat_map(|p| p.split(" - "))
        .flat_map(|p| p.split(" — "))
        .filter_map(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            let keep = words.len() - words.iter().rev().take_while(|w| is_doc_word(w)).count();
            let kept = words[..keep].join(" ");
            (!kept.is_empty()).then_some(kept)
        })
        .collect();
    if parts.is_empty() || !parts[0].to_lowercase().contains("phase") && !parts[0].to_lowercase().contains("sprint") {
        return None;
    }
    Some(parts.join(" — "))
}
