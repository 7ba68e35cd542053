//! JSON paths of byte offsets inside one JSON text (an NDJSON line).
//!
//! Matching never parses JSON; only for a line where something matched is the
//! line walked, once, by this small tokenizer, to name the string each match
//! lies in: `$.properties.$email`, `$.items[2].sku`, `$['odd key']`.
//! It tolerates malformed input: it names what it can and returns `None` for
//! offsets it cannot place.

use rustc_hash::FxHashMap;
use std::mem::take;
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
    /// Reused by [`object_paths`]: bracket positions, string bitmaps and
    /// the open containers of the line being named.
    brackets: Vec<usize>,
    strings: Vec<u64>,
    stack: Vec<Frame>,
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
    object_paths(json, offsets, cache).unwrap_or_else(|| walked_paths(json, offsets, cache))
}

/// [`paths_at`] by the token walk.
fn walked_paths(json: &[u8], offsets: &[usize], cache: &mut PathCache) -> Vec<Option<Arc<str>>> {
    let mut out = vec![None; offsets.len()];
    walk(json, offsets, |i, _, _, stack| {
        out[i] = Some(cache.path(json, stack))
    });
    out
}

/// [`paths_at`] from the line's brackets alone, for the usual line: no
/// backslash, and no array on any offset's path. The token walk stops at
/// every key, value and comma of a line (about 26 mispredicted branches on
/// a 400-byte event); here the brackets outside strings are found 64 bytes
/// at a time (strings masked by a running XOR of the quotes), and each key
/// is read backwards from its value: an object's from its `{`, a member's
/// from the offset. `None` when the line does not fit or is not well formed
/// where it is read; the token walk then names it.
fn object_paths(
    json: &[u8],
    offsets: &[usize],
    cache: &mut PathCache,
) -> Option<Vec<Option<Arc<str>>>> {
    let end = (*offsets.last()? + 1).min(json.len());
    let (mut brackets, mut strings) = (take(&mut cache.brackets), take(&mut cache.strings));
    let mut stack = take(&mut cache.stack);
    let named = structure(&json[..end], &mut brackets, &mut strings).and_then(|()| {
        stack.clear();
        let mut next = brackets.iter().peekable();
        let mut out = Vec::with_capacity(offsets.len());
        for &at in offsets {
            while let Some(&b) = next.next_if(|&&b| b < at) {
                enter_or_leave(json, b, &mut stack)?;
            }
            let in_string = at < end && strings[at / 64] >> (at % 64) & 1 == 1;
            out.push(name_at(json, at, in_string, &mut stack, cache)?);
        }
        Some(out)
    });
    (cache.brackets, cache.strings, cache.stack) = (brackets, strings, stack);
    named
}

/// Fills `brackets` with the brackets (`{`, `[`, `}`, `]`) of `json`
/// outside strings, and `strings` with a bitmap per 64 bytes of the bytes
/// inside strings (an opening quote included, the closing one not). `None`
/// when `json` holds a backslash.
fn structure(json: &[u8], brackets: &mut Vec<usize>, strings: &mut Vec<u64>) -> Option<()> {
    brackets.clear();
    strings.clear();
    let mut inside = 0u64; // all ones while a string runs on into the next block
    for (b, block) in json.chunks(64).enumerate() {
        let [quotes, bracket, backslash] = block_classes(block);
        if backslash != 0 {
            return None;
        }
        let s = prefix_xor(quotes) ^ inside;
        inside = 0u64.wrapping_sub(s >> 63);
        strings.push(s);
        let mut m = bracket & !s;
        while m != 0 {
            brackets.push(64 * b + m.trailing_zeros() as usize);
            m &= m - 1;
        }
    }
    Some(())
}

/// Bit `k` set when an odd number of the bits `0..=k` of `x` are.
fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// Quotes, brackets and backslashes of up to 64 bytes, a bit per byte.
fn block_classes(block: &[u8]) -> [u64; 3] {
    match block.try_into() {
        Ok(full) => classes_of(full),
        Err(_) => {
            let mut padded = [b' '; 64];
            padded[..block.len()].copy_from_slice(block);
            classes_of(&padded)
        }
    }
}

/// [`block_classes`] of a whole block.
#[inline]
fn classes_of(block: &[u8; 64]) -> [u64; 3] {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let mut out = [0u64; 3];
        for (k, sixteen) in block.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is part of the x86_64 baseline; the load reads
            // the 16 bytes of `sixteen`.
            let [q, b, s] = unsafe {
                let v = _mm_loadu_si128(sixteen.as_ptr() as *const __m128i);
                let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                // `{` and `[`, `}` and `]` differ only in bit 5.
                let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
                let fold_eq = |c: u8| _mm_cmpeq_epi8(folded, _mm_set1_epi8(c as i8));
                let bracket = _mm_or_si128(fold_eq(b'{'), fold_eq(b'}'));
                [eq(b'"'), bracket, eq(b'\\')].map(|m| _mm_movemask_epi8(m) as u32 as u64)
            };
            for (o, m) in out.iter_mut().zip([q, b, s]) {
                *o |= m << (16 * k);
            }
        }
        out
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut out = [0u64; 3];
        for (k, &c) in block.iter().enumerate() {
            let hits = [
                c == b'"',
                matches!(c, b'{' | b'[' | b'}' | b']'),
                c == b'\\',
            ];
            for (o, hit) in out.iter_mut().zip(hits) {
                *o |= u64::from(hit) << k;
            }
        }
        out
    }
}

/// Applies the bracket at `at` to the stack of open containers; an object
/// or array opened as a member's value names its parent's member first.
fn enter_or_leave(json: &[u8], at: usize, stack: &mut Vec<Frame>) -> Option<()> {
    match json[at] {
        b'{' | b'[' => {
            if glued_to_scalar(json, at) {
                return None;
            }
            if let Some(Frame::Object(key)) = stack.last_mut() {
                *key = Some(key_before(json, at)?);
            }
            stack.push(if json[at] == b'{' {
                Frame::Object(None)
            } else {
                Frame::Array(0)
            });
        }
        _ => {
            stack.pop()?;
        }
    }
    Some(())
}

/// The path of the token at `at` in the innermost open object: `Some(None)`
/// on punctuation or space, `None` when the fast path cannot tell.
fn name_at(
    json: &[u8],
    at: usize,
    in_string: bool,
    stack: &mut [Frame],
    cache: &mut PathCache,
) -> Option<Option<Arc<str>>> {
    if at >= json.len() {
        return Some(None);
    }
    let c = json[at];
    if !in_string && (b"{}[],:".contains(&c) || c.is_ascii_whitespace()) {
        // A `{` or `[` right after a scalar's byte is part of that scalar.
        return (!glued_to_scalar(json, at)).then_some(None);
    }
    if c == b'"' || stack.is_empty() || stack.iter().any(|f| matches!(f, Frame::Array(_))) {
        return None;
    }
    let key = if in_string {
        let open = memchr::memrchr(b'"', &json[..at])?;
        let close = at + memchr::memchr(b'"', &json[at..])?;
        match colon_after(json, close + 1) {
            Some(_) => member_key(json, open, close)?,
            None => key_before(json, open)?,
        }
    } else {
        let start = json[..at]
            .iter()
            .rposition(|&b| ENDS_SCALAR[b as usize] || b == b'{' || b == b'[')
            .map_or(0, |p| p + 1);
        key_before(json, start)?
    };
    let last = stack.len() - 1;
    stack[last] = Frame::Object(Some(key));
    Some(Some(cache.path(json, stack)))
}

/// True when the byte before `at` is inside a scalar: the token walk reads
/// a bracket there as part of it (`4[`), which only malformed JSON has.
fn glued_to_scalar(json: &[u8], at: usize) -> bool {
    at.checked_sub(1)
        .is_some_and(|p| !(ENDS_SCALAR[json[p] as usize] || json[p] == b'{' || json[p] == b'['))
}

/// The key of the member whose value starts at `value`: the string before
/// the `:` before it (spaces allowed around the colon).
fn key_before(json: &[u8], value: usize) -> Option<(usize, usize)> {
    let colon = last_non_space(json, value)?;
    let close = last_non_space(json, colon).filter(|_| json[colon] == b':')?;
    (json[close] == b'"').then_some(())?;
    member_key(json, memchr::memrchr(b'"', &json[..close])?, close)
}

/// The string `open..=close` as a member's key: it opens the object or
/// follows a comma, as the token walk requires of a key (after a value with
/// no comma, malformed, the walk still names the member before).
fn member_key(json: &[u8], open: usize, close: usize) -> Option<(usize, usize)> {
    let before = last_non_space(json, open)?;
    matches!(json[before], b'{' | b',').then_some((open + 1, close))
}

/// The last byte before `end` that is not a space.
fn last_non_space(json: &[u8], end: usize) -> Option<usize> {
    json[..end].iter().rposition(|b| !b.is_ascii_whitespace())
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

    /// A random JSON value of at most `depth` levels, with odd keys,
    /// brackets and colons inside strings, and random spaces.
    fn random_json(rng: &mut fastrand::Rng, depth: u32, out: &mut String) {
        let space = |rng: &mut fastrand::Rng| ["", " ", "  ", "\t"][rng.usize(..4)];
        let text = |rng: &mut fastrand::Rng| {
            // The long part makes strings cross 64-byte blocks.
            let long = "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
            let parts = [
                "a", "b@x.io", "{", "}", "[", "]", ":", ",", " ", r#"k\""#, r"\u00e9", "é", long,
            ];
            let n = rng.usize(..5);
            (0..n)
                .map(|_| parts[rng.usize(..parts.len())])
                .collect::<String>()
        };
        match rng.u32(..if depth == 0 { 3 } else { 7 }) {
            0 => {
                out.push('"');
                let t = text(rng);
                // A `\` belongs to an escape only half the time.
                out.push_str(&if rng.bool() { t.replace('\\', "") } else { t });
                out.push('"');
            }
            1 => out.push_str(["42", "-1.5e3", "true", "null", "0"][rng.usize(..5)]),
            2 => out.push_str(&rng.u64(..1 << 40).to_string()),
            3..=5 => {
                out.push('{');
                for m in 0..rng.usize(..4) {
                    if m > 0 {
                        out.push(',');
                    }
                    out.push_str(space(rng));
                    let keys = ["a", "odd key", "$email", "x:y", "{b}", "[c]", "", "é"];
                    out.push_str(&format!("\"{}\"", keys[rng.usize(..keys.len())]));
                    out.push_str(space(rng));
                    out.push(':');
                    out.push_str(space(rng));
                    random_json(rng, depth - 1, out);
                    out.push_str(space(rng));
                }
                out.push('}');
            }
            _ => {
                out.push('[');
                for m in 0..rng.usize(..3) {
                    if m > 0 {
                        out.push(',');
                    }
                    random_json(rng, depth - 1, out);
                }
                out.push(']');
            }
        }
    }

    /// Wherever the bracket fast path names a line, it names it as the token
    /// walk does: every offset of random, cut-short and damaged lines.
    #[test]
    fn the_fast_path_agrees_with_the_token_walk() {
        let mut rng = fastrand::Rng::with_seed(7);
        let (mut fast, mut cache) = (0, PathCache::default());
        for case in 0..20_000 {
            let mut line = String::new();
            while !line.starts_with('{') {
                line.clear();
                random_json(&mut rng, 4, &mut line);
            }
            let mut json = line.into_bytes();
            match case % 4 {
                0 => json.truncate(rng.usize(..=json.len())),
                1 if !json.is_empty() => {
                    let at = rng.usize(..json.len());
                    json[at] = b"\"{}[],: x"[rng.usize(..9)];
                }
                _ => {}
            }
            // A few offsets (one the fast path cannot place sends the whole
            // line to the token walk), or every one.
            let mut offsets: Vec<usize> = if case % 3 == 0 {
                (0..json.len() + 2).collect()
            } else {
                (0..rng.usize(1..4))
                    .map(|_| rng.usize(..json.len() + 2))
                    .collect()
            };
            offsets.sort_unstable();
            offsets.dedup();
            let Some(got) = object_paths(&json, &offsets, &mut cache) else {
                continue;
            };
            let want = walked_paths(&json, &offsets, &mut PathCache::default());
            let text = |v: Vec<Option<Arc<str>>>| {
                v.into_iter()
                    .map(|p| p.map(|p| p.to_string()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                text(got.clone()),
                text(want),
                "{:?} at {offsets:?}",
                String::from_utf8_lossy(&json)
            );
            fast += usize::from(got.iter().any(Option::is_some));
        }
        assert!(fast > 2000, "the fast path named only {fast} lines");
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
