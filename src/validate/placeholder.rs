//! Placeholder values people write in docs, templates and config samples:
//! `xxxx`, `<your-key>`, `example`, `dummy`, `${TOKEN}`, `changeme`.

const WORDS: &[&str] = &[
    "example",
    "xxxx",
    "dummy",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "changeme",
    "change_me",
    "redacted",
    "sample",
    "insert",
    "replace",
    "fake",
    "secret_here",
    "token_here",
    "key_here",
    "foobar",
    "****",
    "....",
    "0000000000",
    "1234567890",
    "abcdefghij",
];

/// Whole values that are only ever placeholders (`user:password@host`).
const EXACT: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "test",
    "user",
    "admin",
    "root",
    "null",
    "none",
    "undefined",
    "changeit",
    "xxx",
];

/// True when the value looks like a placeholder rather than a real secret.
pub fn is_placeholder(v: &[u8]) -> bool {
    if EXACT.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(v)) {
        return true;
    }
    if v.iter()
        .any(|b| matches!(b, b'<' | b'>' | b'{' | b'}' | b'$'))
    {
        return true;
    }
    let lower: Vec<u8> = v.iter().map(u8::to_ascii_lowercase).collect();
    if WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    {
        return true;
    }
    // A long run of one repeated character: `AAAAAAAAAAAA`, `000000000000`.
    let longest_run = lower
        .chunk_by(|a, b| a == b)
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    longest_run >= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for (v, ph) in [
            ("sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", true),
            ("<your-api-key>", true),
            ("${GITHUB_TOKEN}", true),
            ("AKIAIOSFODNN7EXAMPLE", true),
            ("dummy-token-value", true),
            ("Password", true),
            ("AAAAAAAAAAAAAAAAAAAA", true),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", false),
            ("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", false),
        ] {
            assert_eq!(is_placeholder(v.as_bytes()), ph, "{v}");
        }
    }
}
