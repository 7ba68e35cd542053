//! Unescaped views of lines that contain backslash escapes.
//!
//! Exports and logs carry JSON strings, where a PEM key is written with `\n`,
//! an email as `jane\u0040example.org` and quotes as `\"`. Matching runs on the
//! raw bytes first; a line holding a backslash is then also decoded into a
//! *view* (JSON escapes resolved) with a map from every view byte back to the
//! raw byte it came from, the view is scanned, and only matches that cover an
//! escape are kept (the others were already found in the raw bytes).

/// A decoded line and its map back to raw offsets.
/// Invariant: `map.len() == view.len() + 1`; `map[i]` is the raw offset of the
/// escape (or byte) that produced `view[i]`, and `map[view.len()]` the raw end.
#[derive(Debug, Default)]
pub struct View {
    pub view: Vec<u8>,
    pub map: Vec<u32>,
}

impl View {
    /// Decodes `raw` (one line) into this view; returns false when the line has
    /// no escape that changes anything.
    pub fn build(&mut self, raw: &[u8]) -> bool {
        self.view.clear();
        self.map.clear();
        let mut changed = false;
        let mut i = 0;
        while i < raw.len() {
            // Copy the run up to the next backslash in bulk.
            let next = memchr::memchr(b'\\', &raw[i..]).map_or(raw.len(), |p| i + p);
            self.view.extend_from_slice(&raw[i..next]);
            self.map.extend(i as u32..next as u32);
            if next == raw.len() {
                break;
            }
            let (bytes, used) = decode_escape(&raw[next..]);
            changed |= used > 1;
            bytes.push_to(&mut self.view, &mut self.map, next as u32);
            i = next + used;
        }
        self.map.push(raw.len() as u32);
        changed
    }

    /// The raw span of the view span `start..end`.
    pub fn raw_span(&self, start: usize, end: usize) -> (usize, usize) {
        (self.map[start] as usize, self.map[end] as usize)
    }
}

/// Up to four decoded bytes.
enum Decoded {
    One(u8),
    Utf8([u8; 4], usize),
}

impl Decoded {
    fn push_to(&self, view: &mut Vec<u8>, map: &mut Vec<u32>, at: u32) {
        match self {
            Decoded::One(b) => {
                view.push(*b);
                map.push(at);
            }
            Decoded::Utf8(buf, n) => {
                view.extend_from_slice(&buf[..*n]);
                map.extend(std::iter::repeat_n(at, *n));
            }
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

    #[test]
    fn decodes_and_maps_back() {
        let raw = br#"{"e":"jane\u0040x.org","k":"a\nb","q":"\"hi\" \ud83d\ude00 \d"}"#;
        let mut v = View::default();
        assert!(v.build(raw));
        let text = String::from_utf8(v.view.clone()).unwrap();
        assert_eq!(
            text,
            "{\"e\":\"jane@x.org\",\"k\":\"a\nb\",\"q\":\"\"hi\" \u{1F600} \\d\"}"
        );
        let at = text.find("jane@x.org").unwrap();
        let (s, e) = v.raw_span(at, at + "jane@x.org".len());
        assert_eq!(&raw[s..e], br"jane\u0040x.org");
        assert_eq!(v.map.len(), v.view.len() + 1);
    }

    #[test]
    fn unchanged_lines_report_false() {
        let mut v = View::default();
        assert!(!v.build(b"plain line with a \\ lone backslash at the end\\"));
    }
}
