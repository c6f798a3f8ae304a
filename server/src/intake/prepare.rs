//! A report's bytes made ready to store: read within a limit, inflated when gzip, hashed,
//! parsed, and compressed for keeping.

use std::io::{Read, Write};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use flate2::read::MultiGzDecoder;
use readyboard_domain::ingest::{self, Format, IngestError};
use readyboard_domain::model::ParsedReport;
use readyboard_store::{EncodedChecks, NewReport};
use sha2::{Digest, Sha256};

use super::Intake;

/// Why a report's bytes were not taken in.
#[derive(Debug)]
pub enum Refusal {
    /// More than `limit` bytes (after decompression).
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A gzip body that does not inflate.
    BadGzip(String),
    /// The bytes do not read as a report.
    Unreadable(IngestError),
    /// The parsing threads have stopped.
    Stopped,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooLarge { limit } => write!(f, "larger than {limit} bytes"),
            Refusal::BadGzip(e) => write!(f, "not valid gzip: {e}"),
            Refusal::Unreadable(e) => write!(f, "{e}"),
            Refusal::Stopped => f.write_str("the intake threads have stopped"),
        }
    }
}

/// A report read and ready to store.
#[derive(Debug)]
pub struct Prepared {
    /// What the report says.
    pub parsed: ParsedReport,
    /// SHA-256 of its bytes (inflated), in hex: what duplicates are told by.
    pub content_hash: String,
    /// Its bytes, gzip-compressed, as kept for download.
    pub raw_gzip: Vec<u8>,
    /// Size of its bytes (inflated).
    pub raw_size: usize,
    /// Its checks encoded as stored, when the intake's threads did it ahead of the store.
    pub encoded_checks: Option<EncodedChecks>,
}

impl Prepared {
    /// The report this stores in `phase` of project `project_id` under `suite`: an existing
    /// phase, its kind and run as the artifact tells them, received now, no idempotency key.
    pub fn into_report(self, project_id: i64, phase: String, suite: String) -> NewReport {
        let Prepared { parsed, content_hash, raw_gzip, raw_size, encoded_checks } = self;
        NewReport {
            project_id,
            phase,
            phase_name: None,
            create_phase: false,
            suite,
            kind: parsed.placement.kind.clone(),
            run: parsed.run.clone(),
            started_at: artifact_time(parsed.run.started_at.as_deref()),
            finished_at: artifact_time(parsed.run.finished_at.as_deref()),
            received_at: readyboard_store::now_ms(),
            raw_gzip,
            raw_size: raw_size as i64,
            content_hash,
            idempotency_key: None,
            encoded_checks,
            parsed,
        }
    }
}

/// An artifact's own RFC 3339 timestamp in unix ms; one that does not read is dropped, not fatal.
pub fn artifact_time(value: Option<&str>) -> Option<i64> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    let t = time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// Reads a request body into one buffer sized from `Content-Length` (when given), so a large
/// upload is not copied through a series of growing buffers; refuses more than `limit`.
pub async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, Refusal> {
    use http_body_util::BodyExt;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    if declared > limit {
        return Err(Refusal::TooLarge { limit });
    }
    let mut buf = Vec::with_capacity(declared);
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| Refusal::TooLarge { limit })?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(Refusal::TooLarge { limit });
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.into())
}

/// Decompresses a gzip body, refusing to inflate past `limit` (gzip bombs).
///
/// Every member is read: concatenated gzip files (`cat a.gz b.gz`, `gzip` of a stream in
/// parts) are one valid gzip stream.
fn inflate(body: &[u8], limit: usize) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
    MultiGzDecoder::new(body)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| Refusal::BadGzip(e.to_string()))?;
    if out.len() > limit {
        return Err(Refusal::TooLarge { limit });
    }
    Ok(out)
}

/// Compresses bytes with gzip, fast: what is kept of every report, and what the upload
/// client sends.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 4), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Reads inflated bytes as a report, with nothing kept of them (what `readyboard check` needs).
pub fn read(data: &[u8], forced: Option<Format>) -> Result<ParsedReport, Refusal> {
    ingest::parse(data, forced).map_err(Refusal::Unreadable)
}

/// Hashes and parses inflated bytes.
fn hash_and_parse(data: &[u8], forced: Option<Format>) -> Result<(ParsedReport, String), Refusal> {
    Ok((read(data, forced)?, hex::encode(Sha256::digest(data))))
}

/// Prepares a report in the calling thread (the demo loader, tests).
pub fn prepare(data: &[u8], forced: Option<Format>) -> Result<Prepared, Refusal> {
    let (parsed, content_hash) = hash_and_parse(data, forced)?;
    Ok(Prepared { parsed, content_hash, raw_gzip: compress(data), raw_size: data.len(), encoded_checks: None })
}

impl Intake {
    /// Prepares a report on the intake threads: it is parsed and its checks encoded as
    /// stored while its bytes are compressed (a gzip body is kept as sent). `limit` bounds
    /// the inflated size. Take a turn with [`Intake::admit`] first.
    pub async fn prepare(
        &self,
        body: Bytes,
        gzipped: bool,
        forced: Option<Format>,
        limit: usize,
    ) -> Result<Prepared, Refusal> {
        let for_parse = body.clone();
        let parsed = self.run(move || {
            // Parse straight from the body; only a gzipped body needs a second buffer.
            let inflated;
            let data: &[u8] = if gzipped {
                inflated = inflate(&for_parse, limit)?;
                &inflated
            } else {
                &for_parse
            };
            if data.len() > limit {
                return Err(Refusal::TooLarge { limit });
            }
            let (parsed, hash) = hash_and_parse(data, forced)?;
            let encoded = EncodedChecks::of(&parsed.checks);
            Ok((parsed, hash, data.len(), encoded))
        });
        let compressed = self.run(move || if gzipped { body.to_vec() } else { compress(&body) });
        let (parsed, compressed) = tokio::join!(parsed, compressed);
        let (parsed, content_hash, raw_size, encoded) = parsed.ok_or(Refusal::Stopped)??;
        let raw_gzip = compressed.ok_or(Refusal::Stopped)?;
        Ok(Prepared { parsed, content_hash, raw_gzip, raw_size, encoded_checks: Some(encoded) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<testsuite name="s"><testcase classname="c" name="t"/></testsuite>"#;

    #[tokio::test]
    async fn a_gzip_body_of_several_members_is_one_report_and_is_kept_as_sent() {
        let half = REPORT.len() / 2;
        let mut body = compress(&REPORT.as_bytes()[..half]);
        body.extend(compress(&REPORT.as_bytes()[half..]));
        let intake = Intake::new(1, 1);
        let p = intake.prepare(body.clone().into(), true, None, 1 << 20).await.unwrap();
        assert_eq!((p.parsed.checks.len(), p.raw_size, p.raw_gzip), (1, REPORT.len(), body));
        assert_eq!(p.content_hash, prepare(REPORT.as_bytes(), None).unwrap().content_hash);
    }

    #[tokio::test]
    async fn the_limit_holds_after_inflating() {
        let bomb = compress(&vec![b' '; 4096]);
        let intake = Intake::new(1, 1);
        let r = intake.prepare(bomb.into(), true, None, 1024).await;
        assert!(matches!(r, Err(Refusal::TooLarge { limit: 1024 })), "{r:?}");
        let r = intake.prepare(Bytes::from_static(b"\x1f\x8b not gzip"), true, None, 1024).await;
        assert!(matches!(r, Err(Refusal::BadGzip(_))), "{r:?}");
    }
}
