//! Replacements inside JSON (NDJSON lines, JSON documents) that keep the
//! JSON valid and every other byte as it was.
//!
//! A value found inside a string is replaced in place, the replacement
//! escaped as JSON string content. A value that is a bare scalar (a phone
//! written as a number) becomes a JSON string. `drop` replaces the whole
//! string or scalar with `null`; on a member name, where `null` cannot
//! stand, it falls back to the mask label.

use super::edit::Edit;
use super::{Mode, Replacement};
use crate::decode::jsonpath::{is_key, scalar_end, string_end, Token};

/// The edit replacing `data[start..end]` (a match inside `token`, when its
/// token is known) with `rep` (whose text, for `drop`, is the mask label
/// used where the value cannot be nulled).
pub fn edit(start: usize, end: usize, token: Option<Token>, rep: Replacement) -> Edit {
    let quoted = |text: &[u8]| {
        let mut v = vec![b'"'];
        escape_into(&mut v, text);
        v.push(b'"');
        v
    };
    let whole = |t: Token, text: Vec<u8>| Edit::new(t.start, t.end, text);
    match token {
        Some(t) if rep.mode == Mode::Drop && !t.key => whole(t, b"null".to_vec()),
        Some(t) if !t.string => whole(t, quoted(&rep.text)),
        Some(t) if start <= t.start || end >= t.end => {
            // The match takes in a quote: rewrite the whole string.
            whole(t, quoted(&rep.text))
        }
        _ => {
            let mut text = Vec::with_capacity(rep.text.len() + 2);
            escape_into(&mut text, &rep.text);
            Edit::new(start, end, text)
        }
    }
}

/// Appends `text` escaped as JSON string content.
pub fn escape_into(out: &mut Vec<u8>, text: &[u8]) {
    for &b in text {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
}

/// The token holding `data[offset]` when the caller knows whether that byte
/// is inside a string (JSON documents, from the path tracker): the string's
/// opening quote is the nearest unescaped quote before it. `None` when the
/// token is not wholly inside `data` (a string cut by a chunk boundary, or
/// a quote whose escaping depends on bytes before `data`).
pub fn token_around(data: &[u8], offset: usize, in_string: bool) -> Option<Token> {
    if in_string {
        let mut i = offset;
        let open = loop {
            let q = memchr::memrchr(b'"', &data[..i])?;
            let backslashes = data[..q].iter().rev().take_while(|&&b| b == b'\\').count();
            if backslashes == q {
                return None; // the run of backslashes may go on before `data`
            }
            if backslashes % 2 == 0 {
                break q;
            }
            i = q;
        };
        let end = string_end(data, open);
        let closed = end > open + 1 && data.get(end - 1) == Some(&b'"') && {
            let before = data[open + 1..end - 1].iter().rev();
            before.take_while(|&&b| b == b'\\').count() % 2 == 0
        };
        return closed.then(|| Token {
            start: open,
            end,
            string: true,
            key: is_key(data, end),
        });
    }
    let start = data[..offset]
        .iter()
        .rposition(|&b| matches!(b, b',' | b'[' | b'{' | b':') || b.is_ascii_whitespace())?
        + 1;
    let end = scalar_end(data, start);
    (end < data.len()).then_some(Token {
        start,
        end,
        string: false,
        key: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::jsonpath::tokens_at;
    use crate::redact::edit::{apply, merge};

    fn rep(mode: Mode, text: &str) -> Replacement {
        Replacement {
            mode,
            text: text.into(),
        }
    }

    fn redact(line: &str, value: &str, r: Replacement) -> String {
        let start = line.find(value).unwrap();
        let end = start + value.len();
        let t = tokens_at(line.as_bytes(), &[start])[0];
        let mut edits = vec![edit(start, end, t, r)];
        merge(&mut edits);
        let s = String::from_utf8(apply(line.as_bytes(), &edits)).unwrap();
        serde_json::from_str::<serde_json::Value>(&s).expect("still JSON");
        s
    }

    #[test]
    fn keeps_json_valid_in_every_mode() {
        let line = r#"{"a":"mail jane@x.org now","n":14155552671,"b":1}"#;
        assert_eq!(
            redact(line, "jane@x.org", rep(Mode::Mask, "[EMAIL]")),
            r#"{"a":"mail [EMAIL] now","n":14155552671,"b":1}"#
        );
        assert_eq!(
            redact(line, "jane@x.org", rep(Mode::Drop, "[EMAIL]")),
            r#"{"a":null,"n":14155552671,"b":1}"#
        );
        assert_eq!(
            redact(line, "14155552671", rep(Mode::Mask, "[PHONE]")),
            r#"{"a":"mail jane@x.org now","n":"[PHONE]","b":1}"#
        );
        assert_eq!(
            redact(line, "jane@x.org", rep(Mode::Partial, "a\"b\\c")),
            r#"{"a":"mail a\"b\\c now","n":14155552671,"b":1}"#
        );
    }

    #[test]
    fn drop_on_a_key_masks_instead() {
        let line = r#"{"jane@x.org":1}"#;
        assert_eq!(
            redact(line, "jane@x.org", rep(Mode::Drop, "[EMAIL]")),
            r#"{"[EMAIL]":1}"#
        );
    }

    #[test]
    fn finds_the_string_around_an_offset() {
        let data = br#"[{"k":"a \"q\" jane@x.org"}, 123]"#;
        let at = 15;
        let t = token_around(data, at, true).unwrap();
        assert_eq!(&data[t.start..t.end], br#""a \"q\" jane@x.org""#);
        assert!(!t.key);
        let t = token_around(data, 30, false).unwrap();
        assert_eq!(&data[t.start..t.end], b"123");
        // A chunk that starts right after a backslash, or ends inside the
        // string: the token is not known.
        assert_eq!(token_around(&data[9..], 6, true), None);
        assert_eq!(token_around(&data[..20], 15, true), None);
    }
}
