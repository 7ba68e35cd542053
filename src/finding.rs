//! Findings: what was found where, in a form safe to write anywhere.
//!
//! A finding never holds the raw value unless the user asked (`--reveal`):
//! it holds a masked `preview` and a keyed HMAC-SHA256 `fingerprint` of the
//! *normalised* value, so the same email counts once across files, formats and
//! runs, and the report cannot be reversed by hashing a list of addresses
//! without the key.

use crate::rules::{Normalize, Preview};
use compact_str::CompactString;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::borrow::Cow;
use std::sync::Arc;

/// Where a finding is. `record` is 1-based (line for text and NDJSON) and
/// `None` for binary files, where `start`/`end` are offsets in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The input as given (plus `!member` inside archives).
    pub path: Arc<str>,
    pub record: Option<u64>,
    /// JSON path (`$.properties.$email`) for NDJSON, else `None`.
    pub field: Option<Arc<str>>,
    /// Byte span of the value inside the decoded record.
    pub start: u64,
    pub end: u64,
}

/// One finding. `rule` indexes the engine's rules.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: u32,
    pub location: Location,
    /// Masked value, safe to show.
    pub preview: CompactString,
    /// HMAC-SHA256 of the normalised value under the run's key.
    pub fingerprint: [u8; 32],
    /// The raw value, only with `--reveal`.
    pub value: Option<String>,
    /// Fingerprint of the user the record is about (from a vendor preset's
    /// user-id field), for counting affected people.
    pub subject: Option<[u8; 32]>,
}

/// Computes fingerprints with one key; cheap to clone per thread.
#[derive(Clone)]
pub struct Fingerprinter {
    mac: Hmac<Sha256>,
}

impl Fingerprinter {
    /// A fingerprinter keyed with `key`.
    pub fn new(key: &[u8]) -> Self {
        Fingerprinter {
            mac: Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length"),
        }
    }

    /// The fingerprint of an already normalised value.
    pub fn fingerprint(&self, normalised: &[u8]) -> [u8; 32] {
        let mut m = self.mac.clone();
        m.update(normalised);
        m.finalize().into_bytes().into()
    }
}

/// The canonical form of a value, so that spellings of one identity agree.
pub fn normalize(kind: Normalize, v: &[u8]) -> Vec<u8> {
    match kind {
        Normalize::None => v.to_vec(),
        Normalize::Lower => v.to_ascii_lowercase(),
        Normalize::UrlDecodeLower => percent_decode(v).to_ascii_lowercase(),
        Normalize::Digits => {
            let plus = v.first() == Some(&b'+');
            let mut out: Vec<u8> = plus.then_some(b'+').into_iter().collect();
            out.extend(v.iter().filter(|b| b.is_ascii_digit()));
            out
        }
        Normalize::AlnumUpper => v
            .iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(u8::to_ascii_uppercase)
            .collect(),
    }
}

/// Decodes `%XX` escapes; malformed ones stay as they are.
pub fn percent_decode(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'%' && i + 2 < v.len() {
            if let Ok(b) =
                u8::from_str_radix(std::str::from_utf8(&v[i + 1..i + 3]).unwrap_or("zz"), 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

/// The longest value a [`Memo`] keeps (emails, IPs, phones, ids fit).
const MEMO_VALUE: usize = 48;
/// Slots of a [`Memo`] (a power of two): about 240 KB, within a core's L2.
const MEMO_SLOTS: usize = 2048;

/// Recent (preview, fingerprint) pairs by rule and value, for one thread.
/// An export repeats its values: a user's email or id in each of their
/// events, a handful of cities and browsers in millions of records. A
/// fingerprint costs two SHA-256 blocks and a preview a few allocations;
/// a repeat is a hash and a compare instead. Direct-mapped: a new value
/// takes its slot from whatever held it, so memory stays fixed. Raw values
/// live only here, in memory, as they do in the scanned buffers.
#[derive(Default)]
pub struct Memo {
    slots: Vec<MemoSlot>,
}

#[derive(Clone)]
struct MemoSlot {
    /// `hash | 1` of (rule, value); 0 for an empty slot.
    tag: u64,
    rule: u32,
    len: u8,
    value: [u8; MEMO_VALUE],
    preview: CompactString,
    fingerprint: [u8; 32],
}

impl Default for MemoSlot {
    fn default() -> Self {
        MemoSlot {
            tag: 0,
            rule: 0,
            len: 0,
            value: [0; MEMO_VALUE],
            preview: CompactString::default(),
            fingerprint: [0; 32],
        }
    }
}

impl Memo {
    /// The preview and fingerprint of `value` for `rule`, from the memo or
    /// from `make` (whose result is kept). `make` must depend only on
    /// `rule` and `value`.
    pub fn get_or_make(
        &mut self,
        rule: u32,
        value: &[u8],
        make: impl FnOnce() -> (CompactString, [u8; 32]),
    ) -> (CompactString, [u8; 32]) {
        if value.len() > MEMO_VALUE {
            return make();
        }
        if self.slots.is_empty() {
            self.slots = vec![MemoSlot::default(); MEMO_SLOTS];
        }
        let mut h = rustc_hash::FxHasher::default();
        std::hash::Hasher::write_u32(&mut h, rule);
        std::hash::Hasher::write(&mut h, value);
        let tag = std::hash::Hasher::finish(&h) | 1;
        let slot = &mut self.slots[(tag >> 32) as usize % MEMO_SLOTS];
        let held = &slot.value[..usize::from(slot.len)];
        if slot.tag == tag && slot.rule == rule && held == value {
            return (slot.preview.clone(), slot.fingerprint);
        }
        let (preview, fingerprint) = make();
        slot.tag = tag;
        slot.rule = rule;
        slot.len = value.len() as u8;
        slot.value[..value.len()].copy_from_slice(value);
        slot.preview = preview.clone();
        slot.fingerprint = fingerprint;
        (preview, fingerprint)
    }
}

/// A masked rendering of the value that identifies its kind, not its
/// content. Short enough to live inline (no allocation per finding).
pub fn preview(kind: Preview, v: &[u8]) -> CompactString {
    let s = String::from_utf8_lossy(v);
    match kind {
        Preview::Email => {
            let decoded = if crate::validate::contains(v, b"%40") {
                Cow::Owned(String::from_utf8_lossy(&percent_decode(v)).into_owned())
            } else {
                s
            };
            match decoded.rsplit_once('@') {
                Some((local, domain)) => {
                    concat(&[take(local, local.chars().count() / 2), "***@", domain])
                }
                None => prefix(&decoded),
            }
        }
        Preview::Last4 => {
            let alnum = s.bytes().filter(u8::is_ascii_alphanumeric).count();
            let keep = if alnum >= 10 { 4 } else { 2.min(alnum / 3) };
            let tail: Vec<char> = s
                .chars()
                .rev()
                .filter(char::is_ascii_alphanumeric)
                .take(keep)
                .collect();
            let mut out = CompactString::const_new("****");
            out.extend(tail.iter().rev());
            out
        }
        Preview::Ip => {
            let sep = if s.contains(':') { ':' } else { '.' };
            let cut = s.match_indices(sep).nth(1).map_or(s.len(), |(i, _)| i);
            concat(&[&s[..cut], if sep == ':' { ":***" } else { ".***" }])
        }
        Preview::Prefix => prefix(&s),
    }
}

/// At most `n` (and never more than 2) leading characters.
fn take(s: &str, n: usize) -> &str {
    let n = n.min(2);
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// At most a sixth of the value (never more than 8 characters), then `***`.
fn prefix(s: &str) -> CompactString {
    let keep = (s.chars().count() / 6).min(8);
    let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    concat(&[&s[..end], "***"])
}

/// The pieces joined (without the formatting machinery: a preview is made
/// for every finding).
fn concat(pieces: &[&str]) -> CompactString {
    let mut out = CompactString::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for p in pieces {
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_hide_the_value() {
        assert_eq!(
            preview(Preview::Email, b"jane.doe@gmail.com"),
            "ja***@gmail.com"
        );
        assert_eq!(
            preview(Preview::Email, b"jane%40example.org"),
            "ja***@example.org"
        );
        assert_eq!(preview(Preview::Last4, b"4242 4242 4242 4242"), "****4242");
        assert_eq!(preview(Preview::Ip, b"203.0.113.42"), "203.0.***");
        assert_eq!(
            preview(Preview::Prefix, b"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"),
            "ghp_u8***"
        );
        assert_eq!(preview(Preview::Prefix, b"short"), "***");
    }

    #[test]
    fn normalisation_joins_spellings() {
        assert_eq!(
            normalize(Normalize::UrlDecodeLower, b"Jane%40Example.org"),
            b"jane@example.org"
        );
        assert_eq!(
            normalize(Normalize::Lower, b"Jane@Example.org"),
            b"jane@example.org"
        );
        assert_eq!(
            normalize(Normalize::Digits, b"+1 (415) 555-2671"),
            b"+14155552671"
        );
        assert_eq!(
            normalize(Normalize::AlnumUpper, b"gb82 west 1234"),
            b"GB82WEST1234"
        );
    }

    #[test]
    fn fingerprints_depend_on_key_and_value() {
        let a = Fingerprinter::new(b"k1");
        let b = Fingerprinter::new(b"k2");
        assert_eq!(a.fingerprint(b"x"), a.fingerprint(b"x"));
        assert_ne!(a.fingerprint(b"x"), a.fingerprint(b"y"));
        assert_ne!(a.fingerprint(b"x"), b.fingerprint(b"x"));
    }

    /// The memo answers what `make` would, for every rule and value (also
    /// after slots were taken over, and for values too long to keep), and
    /// only calls `make` for a pair it does not hold.
    #[test]
    fn memo_answers_like_make_and_makes_repeats_once() {
        let fp = Fingerprinter::new(b"k");
        let make = |rule: u32, v: &[u8]| {
            let mut keyed = rule.to_le_bytes().to_vec();
            keyed.extend_from_slice(v);
            (preview(Preview::Prefix, v), fp.fingerprint(&keyed))
        };
        let mut memo = Memo::default();
        let made = std::cell::Cell::new(0);
        let long = [b'a'; MEMO_VALUE + 1];
        for _ in 0..2 {
            for (rule, v) in [
                (0, &b"jane@example.org"[..]),
                (1, b"jane@example.org"),
                (0, &long),
            ] {
                let got = memo.get_or_make(rule, v, || {
                    made.set(made.get() + 1);
                    make(rule, v)
                });
                assert_eq!(got, make(rule, v));
            }
        }
        // Two short pairs made once each; the long value made both times.
        assert_eq!(made.get(), 4);
        // Far more values than slots: every answer is still the right one.
        let values: Vec<String> = (0..3 * MEMO_SLOTS)
            .map(|i| format!("user{i}@x.io"))
            .collect();
        for round in 0..2 {
            for (i, v) in values.iter().enumerate() {
                let rule = (i % 3) as u32;
                let got = memo.get_or_make(rule, v.as_bytes(), || make(rule, v.as_bytes()));
                assert_eq!(got, make(rule, v.as_bytes()), "round {round}, {v}");
            }
        }
    }
}
