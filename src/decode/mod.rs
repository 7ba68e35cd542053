//! Decoding: from a decompressed byte stream to scannable records.
//!
//! Formats here are line-based (text logs, NDJSON) or binary. Streams are cut
//! into [`chunk::Chunk`]s at newlines so chunks scan in parallel; a record is a
//! line, and for NDJSON a match's JSON path is worked out only for the lines
//! that matched ([`jsonpath`]). A buffer holding backslash escapes is
//! scanned with them decoded ([`escape::Unescaped`]).

pub mod chunk;
pub mod csv;
pub mod escape;
pub mod jsondoc;
pub mod jsonpath;
pub mod parquet;
pub mod table;

use crate::engine::{Engine, Hit, Scratch};
use escape::Unescaped;

/// How a stream's records are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Lines of text (logs, CSV-like text, anything printable).
    Text,
    /// One JSON value per line: findings carry JSON paths.
    Ndjson,
    /// Not text (NUL bytes): only printable runs are scanned.
    Binary,
    /// A delimited table (CSV/TSV) with this delimiter and a header row.
    Csv(u8),
    /// One JSON document (an object or array, often one huge line): findings
    /// carry JSON paths with array indexes.
    JsonDoc,
    /// An Apache Parquet file.
    Parquet,
    /// A zip archive (its members are scanned as inputs of their own).
    Zip,
}

impl Format {
    /// The lowercase name used in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Ndjson => "ndjson",
            Format::Binary => "binary",
            Format::Csv(b'\t') => "tsv",
            Format::Csv(_) => "csv",
            Format::JsonDoc => "json",
            Format::Parquet => "parquet",
            Format::Zip => "zip",
        }
    }
}

/// Chooses the format from the first bytes of the decoded stream and the
/// name: `PAR1` means Parquet; a `.csv`/`.tsv` name a table; NUL bytes mean
/// binary; a first line that is a whole JSON object means NDJSON, while an
/// array or an object that goes on past its first line (pretty-printed, or
/// one enormous line) is a JSON document; a header row followed by lines
/// with as many fields is a table; anything else is text.
pub fn sniff_format(head: &[u8], name: &str) -> Format {
    if head.starts_with(b"PAR1") || head.starts_with(b"PARE") {
        return Format::Parquet;
    }
    if let Some(d) = csv::delimiter_by_name(name) {
        return Format::Csv(d);
    }
    if memchr::memchr(0, head).is_some() {
        return Format::Binary;
    }
    match json_shape(head) {
        Some(f) => return f,
        None if name.to_ascii_lowercase().contains(".json") && !name.contains(".jsonl") => {
            return Format::JsonDoc
        }
        None => {}
    }
    if let Some(d) = csv::sniff_delimiter(head) {
        return Format::Csv(d);
    }
    let lower = name.to_ascii_lowercase();
    let by_name = [
        ".ndjson",
        ".jsonl",
        ".ndjson.gz",
        ".jsonl.gz",
        ".ndjson.zst",
        ".jsonl.zst",
    ]
    .iter()
    .any(|s| lower.ends_with(s));
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &body[i..]);
    let line_is_object = first.is_some_and(|f| {
        let line = &f[..memchr::memchr(b'\n', f).unwrap_or(f.len())];
        line.first() == Some(&b'{')
            && (line.trim_ascii_end().last() == Some(&b'}') || line.len() == f.len())
    });
    if line_is_object || by_name {
        Format::Ndjson
    } else {
        Format::Text
    }
}

/// NDJSON or a JSON document, from the first non-blank byte: `[` starts a
/// document; `{` starts NDJSON when its first line is a whole object that
/// ends within `head`, else a document.
fn json_shape(head: &[u8]) -> Option<Format> {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    let f = &body[start..];
    match f[0] {
        b'[' => Some(Format::JsonDoc),
        b'{' => {
            let nl = memchr::memchr(b'\n', f)?;
            let line = f[..nl].trim_ascii_end();
            if line.last() == Some(&b'}') {
                Some(Format::Ndjson)
            } else {
                Some(Format::JsonDoc)
            }
        }
        _ => None,
    }
}

/// A match in a buffer, in raw coordinates. `decoded` holds the value as
/// decoded from JSON escapes when the match covers one (see [`Unescaped`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub rule: u32,
    pub decoded: Option<Vec<u8>>,
}

/// Reusable buffers for [`scan_buffer`].
pub struct BufScratch {
    pub engine: Scratch,
    /// A reusable match list for callers.
    pub matches: Vec<Match>,
    hits: Vec<Hit>,
    unescaped: Unescaped,
}

impl BufScratch {
    /// Buffers for scanning with `engine`.
    pub fn new(engine: &Engine) -> Self {
        BufScratch {
            engine: engine.scratch(),
            matches: Vec::new(),
            hits: Vec::new(),
            unescaped: Unescaped::default(),
        }
    }
}

/// Scans `buf` (whole lines), its backslash escapes decoded when it has
/// any; returns matches sorted by position, in raw coordinates, without
/// duplicates. A match over an escape carries its decoded value.
pub fn scan_buffer(engine: &Engine, buf: &[u8], s: &mut BufScratch, out: &mut Vec<Match>) {
    s.hits.clear();
    let first = out.len();
    let text = match s.unescaped.build(buf) {
        true => &s.unescaped.text[..],
        false => buf,
    };
    engine.scan(text, &mut s.engine, &mut s.hits);
    // In order, each match maps back a step or two past the last (with no
    // escape decoded, to where it is).
    s.hits.sort_unstable();
    let (mut starts, mut ends) = (s.unescaped.mapper(), s.unescaped.mapper());
    for h in &s.hits {
        let (start, end) = (starts.raw_at(h.start), ends.raw_at(h.end));
        let decoded = (end - start != h.end - h.start).then(|| text[h.start..h.end].to_vec());
        out.push(Match {
            start,
            end,
            rule: h.rule,
            decoded,
        });
    }
    out[first..].sort();
    out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.rule == b.rule);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tests::FAKE;
    use crate::rules::parse_rule_file;

    /// The matches of `buf`, as (raw text, decoded value).
    fn matches(buf: &[u8]) -> Vec<(String, Option<String>)> {
        let engine = Engine::new(&parse_rule_file("t.toml", FAKE).unwrap()).unwrap();
        let mut s = BufScratch::new(&engine);
        let mut out = Vec::new();
        scan_buffer(&engine, buf, &mut s, &mut out);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        out.iter()
            .map(|m| (text(&buf[m.start..m.end]), m.decoded.as_deref().map(text)))
            .collect()
    }

    #[test]
    fn escaped_buffers_are_scanned_decoded_and_matches_map_back() {
        // Plain: found in the raw bytes.
        let plain = matches(b"a tok_abcd1234 b\n");
        assert_eq!(plain, [("tok_abcd1234".to_string(), None)]);
        // After escapes on the same and an earlier line, a match that covers
        // none still lands on its raw bytes.
        let got = matches(
            &[
                &br#"{"m":"\u00e9\n"}"#[..],
                br#"{"x":"\u00e9 tok_abcd1234"}"#,
            ]
            .join(&b'\n'),
        );
        assert_eq!(got, [("tok_abcd1234".to_string(), None)]);
        // A match that covers an escape carries its decoded value; one that
        // only an escape kept from matching (`\ntok_…`) is found too.
        let got = matches(br#"{"x":"tok_ab\u0063d1234","y":"\ntok_efgh5678"}"#);
        assert_eq!(
            got,
            [
                (
                    "tok_ab\\u0063d1234".to_string(),
                    Some("tok_abcd1234".to_string())
                ),
                ("tok_efgh5678".to_string(), None),
            ]
        );
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_format(b"{\"a\":1}\n{\"a\":2}\n", "x"), Format::Ndjson);
        assert_eq!(
            sniff_format(b"\xEF\xBB\xBF  {\"a\":1}\n", "x"),
            Format::Ndjson
        );
        assert_eq!(
            sniff_format(b"2025-01-01 INFO start\n", "app.log"),
            Format::Text
        );
        assert_eq!(sniff_format(b"plain", "events.jsonl"), Format::Ndjson);
        assert_eq!(sniff_format(b"ELF\0\0\x01", "a.out"), Format::Binary);
    }
}
