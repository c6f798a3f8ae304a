//! Encoding: bytes to text, and repair of UTF-8 that was misread through a legacy code page.

use std::borrow::Cow;
use std::collections::HashMap;

use super::words::emoji_status;

/// UTF-8 (BOM dropped), else Windows-1252: a Markdown file saved by an old editor.
pub(super) fn decode(input: &[u8]) -> Cow<'_, str> {
    let input = crate::ingest::skip_bom(input);
    match std::str::from_utf8(input) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(input).0,
    }
}

/// Text after mojibake repair, and the code page it had been misread through.
pub struct Repaired<'a> {
    /// The repaired text (borrowed when nothing needed repair).
    pub text: Cow<'a, str>,
    /// Name of the code page undone, when a repair was made.
    pub code_page: Option<&'static str>,
}

/// The characters a code page gives bytes 0x80–0xFF, and back.
struct CodePage {
    name: &'static str,
    to_byte: HashMap<char, u8>,
    /// Bytes the code page leaves undefined, which converters often drop.
    undefined: Vec<u8>,
}

impl CodePage {
    fn new(name: &'static str, encoding: &'static encoding_rs::Encoding) -> CodePage {
        let mut to_byte = HashMap::new();
        let mut undefined = Vec::new();
        for b in 0x80u8..=0xFF {
            let one = [b];
            let (s, had_errors) = encoding.decode_without_bom_handling(&one);
            let c = s.chars().next().unwrap_or('\u{fffd}');
            // WHATWG's windows-1252 maps its five undefined bytes to C1 controls.
            if had_errors || c == '\u{fffd}' || ('\u{80}'..='\u{9f}').contains(&c) {
                undefined.push(b);
            }
            if !had_errors && c != '\u{fffd}' {
                to_byte.insert(c, b);
            }
        }
        CodePage { name, to_byte, undefined }
    }

    /// Mojibake marks: a UTF-8 lead byte's character followed by a continuation byte's.
    fn markers(&self, s: &str) -> usize {
        let mut n = 0;
        let mut prev_lead = false;
        for c in s.chars() {
            let byte = self.to_byte.get(&c).copied();
            if prev_lead && byte.is_some_and(|b| (0x80..=0xBF).contains(&b)) {
                n += 1;
            }
            prev_lead = byte.is_some_and(|b| (0xC2..=0xF4).contains(&b));
        }
        n
    }

    /// Re-encodes each run of this code page's high characters and decodes it as UTF-8,
    /// restoring a byte the misreading dropped where exactly one is missing.
    fn repair(&self, s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < chars.len() {
            let Some(&first) = self.to_byte.get(&chars[i]) else {
                out.push(chars[i]);
                i += 1;
                continue;
            };
            let mut bytes = vec![first];
            let mut j = i + 1;
            while let Some(&b) = chars.get(j).and_then(|c| self.to_byte.get(c)) {
                bytes.push(b);
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            let plain = self.decode_utf8(bytes.clone()).filter(|f| f.chars().count() < run.chars().count());
            // A no-break space (0xA0) ending a sequence is often saved as a plain space:
            // consume it when that restores a likelier character.
            let with_space = (chars.get(j) == Some(&' ') && ends_incomplete(&bytes))
                .then(|| {
                    bytes.push(0xA0);
                    self.decode_utf8(bytes)
                })
                .flatten();
            let score =
                |s: &Option<String>| s.as_ref().map(|s| s.chars().map(likely_symbol).map(u32::from).sum::<u32>());
            match (plain, with_space) {
                (p, Some(w)) if score(&p).is_none_or(|ps| score(&Some(w.clone())).unwrap_or(0) > ps) => {
                    out.push_str(&w);
                    j += 1;
                }
                (Some(p), _) => out.push_str(&p),
                _ => out.push_str(&run),
            }
            i = j;
        }
        out
    }

    fn decode_utf8(&self, bytes: Vec<u8>) -> Option<String> {
        let mut out = String::with_capacity(bytes.len());
        let mut pos = 0;
        // One pass: each invalid sequence is repaired once, so the work stays linear.
        loop {
            let err = match std::str::from_utf8(&bytes[pos..]) {
                Ok(s) => {
                    out.push_str(s);
                    return Some(out);
                }
                Err(e) => e,
            };
            let start = pos + err.valid_up_to();
            out.push_str(std::str::from_utf8(&bytes[pos..start]).ok()?);
            let want = match bytes[start] {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => return None,
            };
            let present = bytes[start + 1..].iter().take(want - 1).take_while(|b| (0x80..=0xBF).contains(*b)).count();
            if present + 2 != want {
                // Complete but invalid, or more than one byte missing: not a repairable misreading.
                return None;
            }
            let end = start + 1 + present;
            // The dropped byte may have been any continuation byte of the sequence.
            let (_, ch) = (start + 1..=end)
                .flat_map(|at| self.undefined.iter().map(move |&cand| (at, cand)))
                .filter_map(|(at, cand)| {
                    let mut seq = bytes[start..at].to_vec();
                    seq.push(cand);
                    seq.extend_from_slice(&bytes[at..end]);
                    let ch = std::str::from_utf8(&seq).ok()?.chars().next()?;
                    Some(((likely_symbol(ch), std::cmp::Reverse(at), std::cmp::Reverse(cand)), ch))
                })
                .max_by_key(|(key, _)| *key)?;
            out.push(ch);
            pos = end;
        }
    }
}

/// Whether `bytes` end inside a UTF-8 sequence that still needs continuation bytes.
fn ends_incomplete(bytes: &[u8]) -> bool {
    matches!(std::str::from_utf8(bytes), Err(e) if e.error_len().is_none())
}

/// How likely a restored character is in a report: emoji and symbols above letters.
fn likely_symbol(c: char) -> u8 {
    if emoji_status(c).is_some() || matches!(c, '🚨' | '🎉' | '🚀') {
        return 4;
    }
    match c as u32 {
        0xFE0F => 3,
        0x2600..=0x27BF | 0x1F300..=0x1FAFF | 0x2190..=0x21FF | 0x2B00..=0x2BFF => 2,
        0x2000..=0x206F => 1,
        _ => 0,
    }
}

/// Undoes UTF-8 text that was decoded as Windows-1252 or Mac Roman and saved again
/// (`âœ…`, `‚ùå`, `ðŸš¨`). Applied only when it leaves fewer mojibake marks.
pub fn repair_mojibake(s: &str) -> Repaired<'_> {
    let pages =
        [CodePage::new("Windows-1252", encoding_rs::WINDOWS_1252), CodePage::new("Mac Roman", encoding_rs::MACINTOSH)];
    let mut best: Option<(usize, String, &'static str)> = None;
    for page in &pages {
        let before = page.markers(s);
        if before == 0 {
            continue;
        }
        let fixed = page.repair(s);
        let after = page.markers(&fixed);
        if after < before && best.as_ref().is_none_or(|(gain, _, _)| before - after > *gain) {
            best = Some((before - after, fixed, page.name));
        }
    }
    match best {
        Some((_, fixed, name)) => Repaired { text: Cow::Owned(fixed), code_page: Some(name) },
        None => Repaired { text: Cow::Borrowed(s), code_page: None },
    }
}
