//! Small text helpers shared by the test-runner parsers: ANSI stripping, timestamps, paths,
//! and the bounded message/details every check carries.

use super::{MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded, first_line, push_bounded};

/// Separator between nested suite names in `Check::suite_path`.
pub(crate) const SUITE_SEPARATOR: &str = " › ";

/// Removes ANSI escape sequences (colours in Jest, Playwright and mocha messages).
pub(crate) fn strip_ansi(s: &str) -> String {
    if !s.contains('\u{1b}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            // CSI: ESC [ parameters… final byte in @..~
            Some('[') => {
                chars.next();
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            // OSC: ESC ] … BEL or ESC \
            Some(']') => {
                chars.next();
                while let Some(d) = chars.next() {
                    if d == '\u{7}' {
                        break;
                    }
                    if d == '\u{1b}' {
                        chars.next();
                        break;
                    }
                }
            }
            Some(_) => {
                chars.next();
            }
            None => {}
        }
    }
    out
}

/// A short message: the first non-blank line, without colours, bounded.
pub(crate) fn message_of(s: &str) -> String {
    first_line(&strip_ansi(s))
}

/// Builds a check's `details`: the failure text, then captured output under a marker.
pub(crate) fn details_of(failure: &str, output: &str) -> String {
    let failure = strip_ansi(failure.trim());
    let output = strip_ansi(output.trim());
    let mut details = bounded(&failure, MAX_DETAILS_BYTES);
    append_output(&mut details, &output);
    details
}

/// Appends captured output to `details` under a marker, within the details bound; empty
/// output adds nothing.
pub(crate) fn append_output(details: &mut String, output: &str) {
    if !output.is_empty() && details.len() < MAX_DETAILS_BYTES {
        if !details.is_empty() {
            push_bounded(details, "\n\n", MAX_DETAILS_BYTES);
        }
        push_bounded(details, "--- output ---\n", MAX_DETAILS_BYTES);
        push_bounded(details, output, MAX_DETAILS_BYTES);
    }
}

/// A bounded note (run-level problem that is not a test).
pub(crate) fn note(s: String) -> String {
    let mut s = strip_ansi(&s);
    super::truncate_on_char(&mut s, MAX_MESSAGE_BYTES + 256);
    s
}

/// Joins non-empty parts with the suite separator.
pub(crate) fn join_path<'s>(parts: impl IntoIterator<Item = &'s str>) -> String {
    let mut out = String::new();
    for p in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push_str(SUITE_SEPARATOR);
        }
        out.push_str(p);
    }
    out
}

/// `scope::name`, or `name` alone when there is no scope.
pub(crate) fn check_id(scope: &str, name: &str) -> String {
    if scope.is_empty() { name.to_string() } else { format!("{scope}::{name}") }
}

/// Last component of a `/` or `\` path.
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The directory prefix (ending in a separator) shared by every path, so test files can be
/// shown relative to the project instead of the CI machine's checkout directory.
pub(crate) fn common_dir<'p>(paths: impl IntoIterator<Item = &'p str>) -> String {
    let mut common: Option<&str> = None;
    for p in paths {
        let dir = match p.rfind(['/', '\\']) {
            Some(i) => &p[..=i],
            None => "",
        };
        common = Some(match common {
            None => dir,
            Some(c) => {
                let n = c.bytes().zip(dir.bytes()).take_while(|(a, b)| a == b).count();
                // Cut back to the last separator so a shared partial name is not removed.
                let cut = c[..n].rfind(['/', '\\']).map_or(0, |i| i + 1);
                &c[..cut]
            }
        });
    }
    common.unwrap_or("").to_string()
}

/// `path` without the prefix `dir` (from [`common_dir`]).
pub(crate) fn relative<'p>(path: &'p str, dir: &str) -> &'p str {
    path.strip_prefix(dir).filter(|r| !r.is_empty()).unwrap_or(path)
}

/// Normalises a timestamp to RFC 3339 when it carries a date, a time and a zone
/// (`2021-06-28 20:23:41Z` → `2021-06-28T20:23:41Z`); `None` otherwise, rather than guess a
/// zone for local times.
pub(crate) fn rfc3339(raw: &str) -> Option<String> {
    let s = raw.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') || !digits(11..13) || b[13] != b':' || !digits(14..16) || b[16] != b':' {
        return None;
    }
    if !digits(17..19) {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if frac == 0 {
            return None;
        }
        i += frac;
    }
    let zone = &s[i..];
    let zone_ok = matches!(zone, "Z" | "z")
        || (zone.len() == 6
            && matches!(zone.as_bytes()[0], b'+' | b'-')
            && zone.as_bytes()[3] == b':'
            && zone.bytes().enumerate().all(|(k, c)| matches!(k, 0 | 3) || c.is_ascii_digit()));
    if !zone_ok {
        return None;
    }
    let mut out = s.to_string();
    out.replace_range(10..11, "T");
    if zone == "z" {
        out.replace_range(i.., "Z");
    }
    Some(out)
}

/// Unix milliseconds to an RFC 3339 UTC timestamp; `None` when out of a sane range.
pub(crate) fn rfc3339_from_ms(ms: f64) -> Option<String> {
    // Years 1970..=9999.
    if !ms.is_finite() || ms <= 0.0 || ms > 253_402_300_799_000.0 {
        return None;
    }
    Some(rfc3339_utc(ms as i64))
}

/// Unix milliseconds to an RFC 3339 UTC timestamp, for any millisecond count.
pub(crate) fn rfc3339_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (proleptic Gregorian), valid for any i64 day count in range.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A non-negative finite duration, or `None`.
pub(crate) fn duration(v: Option<f64>) -> Option<f64> {
    v.filter(|d| d.is_finite() && *d >= 0.0)
}

/// Bounded copy of a message that is already one line.
pub(crate) fn short(s: &str) -> String {
    bounded(s.trim(), MAX_MESSAGE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colours() {
        assert_eq!(strip_ansi("\u{1b}[31mred\u{1b}[39m plain \u{1b}[2m-\u{1b}[22m"), "red plain -");
        assert_eq!(strip_ansi("tail \u{1b}"), "tail ");
        assert_eq!(message_of("\n\u{1b}[1mError:\u{1b}[0m boom\nstack"), "Error: boom");
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339("2021-06-28 20:23:41Z").as_deref(), Some("2021-06-28T20:23:41Z"));
        assert_eq!(rfc3339("2021-02-26T10:36:33.7131022+02:00").as_deref(), Some("2021-02-26T10:36:33.7131022+02:00"));
        assert_eq!(rfc3339("2011-07-26 11:34:27"), None);
        assert_eq!(rfc3339("YYYY-MM-DDTHH:MM:SSZ"), None);
        assert_eq!(rfc3339("2021-06-28T20:23:41.Z"), None);
        assert_eq!(rfc3339_from_ms(1_610_634_223_445.0).as_deref(), Some("2021-01-14T14:23:43Z"));
        assert_eq!(rfc3339_from_ms(-1.0), None);
        assert_eq!(rfc3339_from_ms(f64::MAX), None);
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn paths() {
        let dir = common_dir(["/home/ci/app/test/a.test.js", "/home/ci/app/test/sub/b.test.js"]);
        assert_eq!(dir, "/home/ci/app/test/");
        assert_eq!(relative("/home/ci/app/test/sub/b.test.js", &dir), "sub/b.test.js");
        assert_eq!(common_dir(["/x/ab/c.js", "/x/ac/d.js"]), "/x/");
        assert_eq!(common_dir(["C:\\w\\t\\a.js"]), "C:\\w\\t\\");
        assert_eq!(basename("C:\\w\\t\\a.dll"), "a.dll");
        assert_eq!(join_path(["a", " ", "b"]), "a › b");
        assert_eq!(check_id("", "n"), "n");
    }
}
