//! JSON paths of byte offsets inside one JSON text (an NDJSON line).
//!
//! Matching never parses JSON; only for a line where something matched is the
//! line walked, once, by this small tokenizer, to name the string each match
//! lies in: `$.properties.$email`, `$.items[2].sku`, `$['odd key']`.
//! It tolerates malformed input: it names what it can and returns `None` for
//! offsets it cannot place.

use rustc_hash::FxHashMap;
use std::sync::Arc;

#[derive(Debug)]
enum Frame {
    /// An object and the byte range of the key of the member being read
    /// (None before the key). Keys stay ranges until a path is rendered.
    Object(Option<(usize, usize)>),
    /// An array and the index of the element being read.
    Array(usize),
}

/// Rendered paths by the raw bytes of their keys. An export's findings sit
/// in a handful of fields, so a path is rendered and allocated once per
/// cache instead of once per finding.
#[derive(Debug, Default)]
pub struct PathCache {
    /// The key being looked up (reused).
    raw: Vec<u8>,
    paths: FxHashMap<Vec<u8>, Arc<str>>,
}

/// Distinct paths a cache keeps before it starts over (memory stays
/// bounded when keys or array indices are all different).
const CACHE_PATHS: usize = 4096;

impl PathCache {
    /// The path of `stack`: each key length-prefixed, each index tagged, so
    /// two different stacks never share a key.
    fn path(&mut self, json: &[u8], stack: &[Frame]) -> Arc<str> {
        self.raw.clear();
        for f in stack {
            match f {
                Frame::Object(Some((a, b))) => {
                    self.raw.push(1);
                    self.raw.extend_from_slice(&((b - a) as u64).to_le_bytes());
                    self.raw.extend_from_slice(&json[*a..*b]);
                }
                Frame::Object(None) => {}
                Frame::Array(n) => {
                    self.raw.push(2);
                    self.raw.extend_from_slice(&(*n as u64).to_le_bytes());
                }
            }
        }
        if let Some(p) = self.paths.get(&self.raw) {
            return p.clone();
        }
        if self.paths.len() >= CACHE_PATHS {
            self.paths.clear();
        }
        let p: Arc<str> = render(json, stack).into();
        self.paths.insert(self.raw.clone(), p.clone());
        p
    }
}

/// For each offset in `offsets` (sorted ascending), the path of the JSON
/// string or scalar containing it, or `None`.
pub fn paths_at(json: &[u8], offsets: &[usize], cache: &mut PathCache) -> Vec<Option<Arc<str>>> {
    let mut out = vec![None; offsets.len()];
    walk(json, offsets, |i, _, _, stack| {
        out[i] = Some(cache.path(json, stack))
    });
    out
}

/// The JSON token (string with its quotes, or scalar) holding a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// A string (else a number, `true`, `false` or `null`).
    pub string: bool,
    /// A member name (a string followed by `:`).
    pub key: bool,
}

/// For each offset in `offsets` (sorted ascending), the string or scalar
/// token containing it, or `None`.
pub fn tokens_at(json: &[u8], offsets: &[usize]) -> Vec<Option<Token>> {
    paths_and_tokens_at(json, offsets, &mut PathCache::default()).1
}

/// [`paths_at`] and [`tokens_at`] in one walk (redaction needs both).
pub fn paths_and_tokens_at(
    json: &[u8],
    offsets: &[usize],
    cache: &mut PathCache,
) -> (Vec<Option<Arc<str>>>, Vec<Option<Token>>) {
    let mut paths = vec![None; offsets.len()];
    let mut tokens = vec![None; offsets.len()];
    walk(json, offsets, |i, start, end, stack| {
        let string = json[start] == b'"';
        paths[i] = Some(cache.path(json, stack));
        tokens[i] = Some(Token {
            start,
            end,
            string,
            key: string && is_key(json, end),
        })
    });
    (paths, tokens)
}

/// Walks `json` once, calling `place(i, token_start, token_end, stack)` for
/// each offset `offsets[i]` that lies in a string or scalar token.
fn walk(json: &[u8], offsets: &[usize], mut place: impl FnMut(usize, usize, usize, &[Frame])) {
    let mut next = 0; // first offset not yet placed
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < json.len() && next < offsets.len() {
        let c = json[i];
        let (tok_start, tok_end) = match c {
            b'{' => {
                stack.push(Frame::Object(None));
                (i, i + 1)
            }
            b'[' => {
                stack.push(Frame::Array(0));
                (i, i + 1)
            }
            b'}' | b']' => {
                stack.pop();
                (i, i + 1)
            }
            b',' => {
                next_member(&mut stack);
                (i, i + 1)
            }
            b'"' => {
                let end = string_end(json, i);
                if let Some(Frame::Object(k @ None)) = stack.last_mut() {
                    if let Some(colon) = colon_after(json, end) {
                        *k = Some((i + 1, end.saturating_sub(1).max(i + 1)));
                        // The key's `:` is stepped over with it (a token of
                        // its own would hold no offset anyway).
                        if offsets.get(next).is_some_and(|&o| o < end) {
                            next = place_in(offsets, next, (i, end), &stack, &mut place);
                        }
                        i = colon + 1;
                        continue;
                    }
                }
                (i, end)
            }
            c if c.is_ascii_whitespace() || c == b':' => (i, i + 1),
            _ => (i, scalar_end(json, i)),
        };
        if offsets.get(next).is_some_and(|&o| o < tok_end) {
            if matches!(c, b'{' | b'[' | b'}' | b']' | b',' | b':') || c.is_ascii_whitespace() {
                // Punctuation holds no value: offsets on it are passed over.
                while offsets.get(next).is_some_and(|&o| o < tok_end) {
                    next += 1;
                }
            } else {
                next = place_in(offsets, next, (tok_start, tok_end), &stack, &mut place);
            }
        }
        i = tok_end;
        // The `,` after a value is stepped over with it.
        if c != b',' && json.get(i) == Some(&b',') {
            next_member(&mut stack);
            i += 1;
        }
    }
}

/// A `,`: the next element of an array, or the next member of an object.
fn next_member(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Array(n)) => *n += 1,
        Some(Frame::Object(k)) => *k = None,
        None => {}
    }
}

/// Places the offsets from `offsets[next]` on that lie before the token's
/// end (those before its start lay in punctuation: passed over); returns
/// the first offset past the token.
fn place_in(
    offsets: &[usize],
    mut next: usize,
    (start, end): (usize, usize),
    stack: &[Frame],
    place: &mut impl FnMut(usize, usize, usize, &[Frame]),
) -> usize {
    while next < offsets.len() && offsets[next] < end {
        if offsets[next] >= start {
            place(next, start, end, stack);
        }
        next += 1;
    }
    next
}

/// Index just past the closing quote of the string starting at `start`.
/// An event's strings are short (ids, names, versions), so each step looks
/// at the next 16 bytes inline (SSE2 on x86_64) instead of calling `memchr2`,
/// whose set-up cost more than the search (31 instructions per string).
pub(crate) fn string_end(json: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < json.len() {
        let Some(off) = next_quote_or_backslash(json, i) else {
            return json.len();
        };
        i += off;
        if json[i] == b'"' {
            return i + 1;
        }
        i += 2;
    }
    json.len()
}

/// Offset from `i` of the next quote or backslash in `json`, if any.
#[inline]
fn next_quote_or_backslash(json: &[u8], mut i: usize) -> Option<usize> {
    let from = i;
    #[cfg(target_arch = "x86_64")]
    while let Some(block) = json.get(i..i + 16) {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; the load reads the
        // 16 bytes of `block`.
        let m = unsafe {
            let v = _mm_loadu_si128(block.as_ptr() as *const __m128i);
            let hits = _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)),
            );
            _mm_movemask_epi8(hits) as u32
        };
        if m != 0 {
            return Some(i - from + m.trailing_zeros() as usize);
        }
        i += 16;
    }
    memchr::memchr2(b'"', b'\\', &json[i.min(json.len())..]).map(|off| i - from + off)
}

/// Bytes that end a number, `true`, `false` or `null`.
const ENDS_SCALAR: [bool; 256] = {
    let mut t = [false; 256];
    let stops = b",}]:\" \t\n\r\x0c";
    let mut i = 0;
    while i < stops.len() {
        t[stops[i] as usize] = true;
        i += 1;
    }
    t
};

/// Index just past the scalar (number, `true`, `false`, `null`) at `start`.
pub(crate) fn scalar_end(json: &[u8], start: usize) -> usize {
    json[start..]
        .iter()
        .position(|&b| ENDS_SCALAR[b as usize])
        .map_or(json.len(), |p| start + p.max(1))
}

/// A string is a key when the next non-space byte is `:`.
pub(crate) fn is_key(json: &[u8], after: usize) -> bool {
    colon_after(json, after).is_some()
}

/// The position of the `:` that follows `after` past spaces, if one does.
fn colon_after(json: &[u8], after: usize) -> Option<usize> {
    let from = after.min(json.len());
    let skip = json[from..].iter().position(|b| !b.is_ascii_whitespace())?;
    (json[from + skip] == b':').then_some(from + skip)
}

/// Renders the stack as a JSONPath: `$.a.b[3]['x y']`.
fn render(json: &[u8], stack: &[Frame]) -> String {
    use std::fmt::Write;
    let mut p = String::with_capacity(48);
    p.push('$');
    for f in stack {
        match f {
            Frame::Object(Some((a, b))) => match std::str::from_utf8(&json[*a..*b]) {
                Ok(key) => push_key(&mut p, key),
                Err(_) => push_key(&mut p, &String::from_utf8_lossy(&json[*a..*b])),
            },
            Frame::Object(None) => {}
            Frame::Array(n) => {
                let _ = write!(p, "[{n}]");
            }
        }
    }
    p
}

/// Appends `.key`, or `['key']` when the key is not a plain name.
pub fn push_key(p: &mut String, k: &str) {
    let plain = !k.is_empty()
        && !k.as_bytes()[0].is_ascii_digit()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'-');
    if plain {
        p.push('.');
        p.push_str(k);
    } else {
        p.push_str("['");
        p.push_str(&k.replace('\\', "\\\\").replace('\'', "\\'"));
        p.push_str("']");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_ends_past_escapes_and_block_edges() {
        // The end byte by byte: skip `\x` pairs, stop after the first `"`.
        let reference = |json: &[u8], start: usize| {
            let mut i = start + 1;
            while i < json.len() {
                match json[i] {
                    b'"' => return i + 1,
                    b'\\' => i += 2,
                    _ => i += 1,
                }
            }
            json.len()
        };
        let pieces: [&[u8]; 6] = [b"a", b"\\\"", b"\\\\", b"0123456789abcde", b"\"", b"\\"];
        for seed in 0..4000u32 {
            let mut json = b"\"".to_vec();
            let mut x = seed;
            for _ in 0..(seed % 9) {
                json.extend_from_slice(pieces[(x % 6) as usize]);
                x = x / 6 + seed % 7;
            }
            json.extend_from_slice(b"tail");
            assert_eq!(
                string_end(&json, 0),
                reference(&json, 0),
                "{:?}",
                String::from_utf8_lossy(&json)
            );
        }
    }

    #[test]
    fn scalars_end_at_json_punctuation_and_spaces() {
        for b in 0..=255u8 {
            let stop = matches!(b, b',' | b'}' | b']' | b':' | b'"') || b.is_ascii_whitespace();
            assert_eq!(ENDS_SCALAR[b as usize], stop, "byte {b}");
        }
    }

    /// Paths with a cache of their own, as strings.
    fn paths(json: &[u8], offsets: &[usize]) -> Vec<Option<String>> {
        let got = paths_at(json, offsets, &mut PathCache::default());
        got.into_iter().map(|p| p.map(|p| p.to_string())).collect()
    }

    fn path(json: &str, needle: &str) -> Option<String> {
        let at = json.find(needle).unwrap();
        paths(json.as_bytes(), &[at]).pop().unwrap()
    }

    #[test]
    fn one_cache_names_every_line_like_a_fresh_one() {
        let lines: [&[u8]; 7] = [
            br#"{"a":{"b":"x"}}"#,
            br#"{"ab":"x"}"#,
            br#"{"a":["x","y"]}"#,
            br#"{"a":[["x"]]}"#,
            br#"{"a\u0062":"x"}"#,
            br#"{"odd key":{"b":"x"}}"#,
            br#"{"a":{"b":"x"}}"#,
        ];
        let mut shared = PathCache::default();
        for round in 0..2 {
            for line in lines {
                let at: Vec<usize> = (0..line.len()).filter(|&i| line[i] == b'x').collect();
                let got: Vec<Option<String>> = paths_at(line, &at, &mut shared)
                    .into_iter()
                    .map(|p| p.map(|p| p.to_string()))
                    .collect();
                assert_eq!(
                    got,
                    paths(line, &at),
                    "round {round}: {}",
                    String::from_utf8_lossy(line)
                );
            }
        }
        assert_eq!(shared.paths.len(), 6);
        for n in 0..CACHE_PATHS + 10 {
            let line = format!(r#"{{"k{n}":"x"}}"#);
            let at = line.find('x').unwrap();
            let got = paths_at(line.as_bytes(), &[at], &mut shared);
            assert_eq!(got[0].as_deref(), Some(format!("$.k{n}").as_str()));
        }
        assert!(shared.paths.len() <= CACHE_PATHS);
    }

    #[test]
    fn table() {
        let j = r#"{"event":"x","properties":{"$email":"a@b.co","items":[{"sku":"s1"},{"sku":"S2"}],"odd key":"v1","n":42}}"#;
        assert_eq!(path(j, "a@b.co").as_deref(), Some("$.properties.$email"));
        assert_eq!(path(j, "S2").as_deref(), Some("$.properties.items[1].sku"));
        assert_eq!(path(j, "v1").as_deref(), Some("$.properties['odd key']"));
        assert_eq!(path(j, "42").as_deref(), Some("$.properties.n"));
        assert_eq!(path(j, "\"event\"").as_deref(), Some("$.event"));
        assert_eq!(path(r#"["a",["b","c"]]"#, "c").as_deref(), Some("$[1][1]"));
        assert_eq!(path(r#"{"a":"x\"y z"}"#, "z").as_deref(), Some("$.a"));
    }

    #[test]
    fn several_offsets_in_one_pass_and_malformed_input() {
        let j = br#"{"a":"one","b":["two"]}"#;
        let got = paths(j, &[6, 17]);
        assert_eq!(got, vec![Some("$.a".into()), Some("$.b[0]".into())]);
        assert_eq!(paths(b"not json at all", &[4]), vec![Some("$".into())]);
        // Offsets on punctuation or spaces name nothing; keys name themselves.
        let j = br#"{"k" : "v", "e@x.io": 1}"#;
        let colon = j.iter().position(|&b| b == b':').unwrap();
        let got = paths(j, &[2, colon, colon + 1, colon + 3, 13, 22]);
        let want = [
            Some("$.k"),
            None,
            None,
            Some("$.k"),
            Some("$['e@x.io']"),
            Some("$['e@x.io']"),
        ];
        assert_eq!(got, want.map(|w| w.map(String::from)));
        assert_eq!(paths(b"{\"a\":", &[40]), vec![None]);
    }
}
