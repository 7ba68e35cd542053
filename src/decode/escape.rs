//! Buffers with their backslash escapes decoded.
//!
//! Exports and logs carry JSON strings, where a PEM key is written with `\n`,
//! an email as `jane\u0040example.org`, a URL as `https:\/\/…` and quotes as
//! `\"`. A buffer holding a backslash is decoded (JSON escapes resolved; other
//! backslashes kept) and the decoded text is scanned instead of the raw bytes;
//! each decoded escape is remembered, so a match maps back to the raw span it
//! came from.

/// A whole buffer with its backslash escapes decoded, scanned in place of
/// the raw bytes, and the decoded escapes' places to map spans back.
///
/// Decoding the whole buffer once costs a copy of it. Scanning the raw
/// bytes and then each escaped line again, decoded on its own, cost more:
/// a second engine pass per line, and exports written with `ensure_ascii`
/// or escaped slashes have an escape on most lines.
#[derive(Debug, Default)]
pub struct Unescaped {
    pub text: Vec<u8>,
    /// Each decoded escape, in order: where its bytes start in `text` and in
    /// the raw buffer, and how many bytes each has.
    escapes: Vec<Escape>,
}

#[derive(Debug, Clone, Copy)]
struct Escape {
    text: u32,
    raw: u32,
    text_len: u8,
    raw_len: u8,
}

impl Unescaped {
    /// Decodes `raw` into this buffer; returns false when no escape in it
    /// changes anything, or it is over 4 GiB (the raw bytes are then
    /// scanned as they are, and [`Unescaped::mapper`] maps every offset to
    /// itself).
    pub fn build(&mut self, raw: &[u8]) -> bool {
        self.text.clear();
        self.escapes.clear();
        if u32::try_from(raw.len()).is_err() {
            return false;
        }
        let mut i = 0;
        while let Some(p) = memchr::memchr(b'\\', &raw[i..]) {
            let at = i + p;
            let (bytes, used) = decode_escape(&raw[at..]);
            if used == 1 {
                // Not an escape: the backslash stays, copied with what follows.
                self.text.extend_from_slice(&raw[i..at + 1]);
                i = at + 1;
                continue;
            }
            self.text.extend_from_slice(&raw[i..at]);
            self.escapes.push(Escape {
                text: self.text.len() as u32,
                raw: at as u32,
                text_len: bytes.as_slice().len() as u8,
                raw_len: used as u8,
            });
            self.text.extend_from_slice(bytes.as_slice());
            i = at + used;
        }
        if self.escapes.is_empty() {
            return false;
        }
        self.text.extend_from_slice(&raw[i..]);
        true
    }

    /// A mapper from text offsets to raw ones (see [`Mapper`]).
    pub fn mapper(&self) -> Mapper<'_> {
        Mapper {
            escapes: &self.escapes,
            passed: 0,
        }
    }
}

/// Maps text offsets of an [`Unescaped`] buffer to raw offsets. Offsets
/// asked in increasing order cost a step forward each (the matches of a
/// buffer, sorted); one behind the last is found by binary search.
pub struct Mapper<'a> {
    escapes: &'a [Escape],
    /// How many escapes start at or before the last offset asked.
    passed: usize,
}

impl Mapper<'_> {
    /// The raw offset of text offset `t`: a byte decoded from an escape maps
    /// to the escape's first byte, the end of the text to the raw end.
    pub fn raw_at(&mut self, t: usize) -> usize {
        let starts_by = |k: usize| self.escapes[k].text as usize <= t;
        if self.passed > 0 && !starts_by(self.passed - 1) {
            self.passed = self.escapes.partition_point(|e| e.text as usize <= t);
        }
        while self.passed < self.escapes.len() && starts_by(self.passed) {
            self.passed += 1;
        }
        let Some(e) = self.passed.checked_sub(1).map(|k| self.escapes[k]) else {
            return t;
        };
        let (text, raw) = (e.text as usize, e.raw as usize);
        let (text_end, raw_end) = (text + e.text_len as usize, raw + e.raw_len as usize);
        if t < text_end {
            raw
        } else {
            raw_end + (t - text_end)
        }
    }
}

/// Up to four decoded bytes.
enum Decoded {
    One(u8),
    Utf8([u8; 4], usize),
}

impl Decoded {
    fn as_slice(&self) -> &[u8] {
        match self {
            Decoded::One(b) => std::slice::from_ref(b),
            Decoded::Utf8(buf, n) => &buf[..*n],
        }
    }
}

/// Decodes the escape at the start of `s` (which begins with `\`); returns the
/// bytes and how many raw bytes it used. Unknown escapes stay as they are.
fn decode_escape(s: &[u8]) -> (Decoded, usize) {
    let Some(&c) = s.get(1) else {
        return (Decoded::One(b'\\'), 1);
    };
    let simple = match c {
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'"' | b'\\' | b'/' | b'\'' => Some(c),
        b'b' => Some(8),
        b'f' => Some(12),
        _ => None,
    };
    if let Some(b) = simple {
        return (Decoded::One(b), 2);
    }
    if c == b'u' {
        if let Some((ch, used)) = decode_u(s) {
            let mut buf = [0u8; 4];
            let n = ch.encode_utf8(&mut buf).len();
            return (Decoded::Utf8(buf, n), used);
        }
    }
    (Decoded::One(b'\\'), 1)
}

/// `\uXXXX`, with a following low surrogate when the first is a high one.
fn decode_u(s: &[u8]) -> Option<(char, usize)> {
    let hex4 = |b: &[u8]| -> Option<u32> {
        let t = std::str::from_utf8(b.get(..4)?).ok()?;
        u32::from_str_radix(t, 16).ok()
    };
    let hi = hex4(s.get(2..)?)?;
    if (0xD800..0xDC00).contains(&hi) && s.get(6..8) == Some(b"\\u") {
        let lo = hex4(&s[8..])?;
        if (0xDC00..0xE000).contains(&lo) {
            let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return Some((char::from_u32(cp)?, 12));
        }
    }
    Some((char::from_u32(hi).unwrap_or('\u{FFFD}'), 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Unescaped {
        /// The raw span of the text span `start..end`.
        fn raw_span(&self, start: usize, end: usize) -> (usize, usize) {
            (self.mapper().raw_at(start), self.mapper().raw_at(end))
        }
    }

    #[test]
    fn decodes_and_maps_back() {
        let raw = br#"{"e":"jane\u0040x.org","k":"a\nb","q":"\"hi\" \ud83d\ude00 \d"}"#;
        let mut u = Unescaped::default();
        assert!(u.build(raw));
        let text = String::from_utf8(u.text.clone()).unwrap();
        assert_eq!(
            text,
            "{\"e\":\"jane@x.org\",\"k\":\"a\nb\",\"q\":\"\"hi\" \u{1F600} \\d\"}"
        );
        let at = text.find("jane@x.org").unwrap();
        let (s, e) = u.raw_span(at, at + "jane@x.org".len());
        assert_eq!(&raw[s..e], br"jane\u0040x.org");
        // Every byte of a multi-byte decode maps to its escape's start.
        let smile = text.find('\u{1F600}').unwrap();
        let esc = raw.windows(6).position(|w| w == br"\ud83d").unwrap();
        for k in 0..4 {
            assert_eq!(u.raw_span(smile + k, smile + 4), (esc, esc + 12));
        }
        assert_eq!(u.raw_span(text.len(), text.len()), (raw.len(), raw.len()));
    }

    #[test]
    fn unchanged_buffers_report_false() {
        let mut u = Unescaped::default();
        assert!(!u.build(b"plain line with a \\ lone backslash at the end\\"));
        assert!(!u.build(b"no backslash"));
    }

    /// Every text offset maps where a byte-by-byte map of the decode says.
    #[test]
    fn raw_offsets_agree_with_a_byte_map() {
        let pieces: [&[u8]; 7] = [
            b"ab",
            br"\n",
            br"\u0040",
            br"\x",
            b"\n",
            br"\ud83d\ude00",
            br"\u00e9",
        ];
        let mut u = Unescaped::default();
        for seed in 0..3000u32 {
            let (mut raw, mut text, mut map) = (Vec::new(), Vec::new(), Vec::new());
            let mut x = seed;
            for _ in 0..(seed % 11) {
                let piece = pieces[(x % 7) as usize];
                x = x / 7 + seed % 13;
                let (bytes, used) = decode_escape(piece);
                if piece[0] == b'\\' && used == piece.len() {
                    // An escape: its bytes map to its first byte.
                    map.extend(std::iter::repeat_n(raw.len(), bytes.as_slice().len()));
                    text.extend_from_slice(bytes.as_slice());
                } else {
                    map.extend(raw.len()..raw.len() + piece.len());
                    text.extend_from_slice(piece);
                }
                raw.extend_from_slice(piece);
            }
            if seed % 5 == 0 {
                // A lone backslash at the end stays.
                map.push(raw.len());
                text.push(b'\\');
                raw.push(b'\\');
            }
            map.push(raw.len());
            if !u.build(&raw) {
                assert_eq!(text, raw);
                continue;
            }
            assert_eq!(u.text, text, "{:?}", String::from_utf8_lossy(&raw));
            for (t, &want) in map.iter().enumerate() {
                let got = u.raw_span(t, t).0;
                assert_eq!(got, want, "{:?} at {t}", String::from_utf8_lossy(&raw));
            }
            // One mapper, asked in increasing order and then at random.
            let mut m = u.mapper();
            for (t, &want) in map.iter().enumerate() {
                assert_eq!(m.raw_at(t), want);
            }
            for k in 0..map.len() {
                let t = (k * 7 + seed as usize) % map.len();
                assert_eq!(
                    m.raw_at(t),
                    map[t],
                    "{:?} at {t}",
                    String::from_utf8_lossy(&raw)
                );
            }
        }
    }
}
