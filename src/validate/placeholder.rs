//! Placeholder values people write in docs, templates and config samples
//! (`xxxx`, `<your-key>`, `example`, `dummy`, `${TOKEN}`, `changeme`), and
//! values that stand next to a password key without being one: words that
//! describe it (`required`, `expired`), labels (`Passwort`), the
//! anonymous-FTP password (`guest@`).

use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

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
];

/// Counting runs people type to fill a field's length in docs and tests
/// (`1234567890`, `abcdefghij`, `0000000000`). A provider token with its own
/// prefix is reported even with such a run (the prefix and length are the
/// provider's format, and the peers' labelled examples are written that way);
/// generic assignment rules reject them with `no_sequence`.
const SEQUENCES: &[&str] = &["0000000000", "1234567890", "abcdefghij", "0123456789"];

/// True when the value holds a counting run (see [`SEQUENCES`]).
pub fn has_sequence(v: &[u8]) -> bool {
    static SET: LazyLock<AhoCorasick> = LazyLock::new(|| word_set(SEQUENCES));
    SET.is_match(&v.to_ascii_lowercase())
}

/// One automaton for a word list: values are checked for every finding of
/// the generic rules, and a `memmem` searcher built per word and per value
/// cost more than the search.
fn word_set(words: &[&str]) -> AhoCorasick {
    AhoCorasick::new(words).expect("a few literal words")
}

/// True when `needle` occurs in the short value `v` (a byte loop: building
/// a `memmem` searcher costs more than searching a value of a few bytes).
pub fn contains(v: &[u8], needle: &[u8]) -> bool {
    match needle.split_first() {
        None => true,
        Some((&first, rest)) => v
            .windows(needle.len())
            .any(|w| w[0] == first && &w[1..] == rest),
    }
}

/// Whole values that name the field instead of filling it
/// (`user:password@host`, `pwd=pass`): templates wherever they appear.
const FIELD_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "apikey",
    "api_key",
    "null",
    "none",
    "undefined",
    "xxx",
];

/// Whole values that are real but weak passwords (`secret`, `admin`,
/// `changeit`): placeholders in a generic `secret=` assignment, but a
/// working login in a connection string, where the `template` validator
/// keeps them.
const WEAK: &[&str] = &[
    "secret", "token", "test", "user", "admin", "root", "changeit",
];

/// Words that describe a password instead of being one, as a sentence
/// quotes them: `the password is "incorrect"`, `password was 'reset'`, or
/// name its type.
const STATUS_WORDS: &[&str] = &[
    "incorrect",
    "correct",
    "invalid",
    "valid",
    "wrong",
    "required",
    "optional",
    "mandatory",
    "needed",
    "missing",
    "empty",
    "blank",
    "expired",
    "hidden",
    "masked",
    "redacted",
    "encrypted",
    "hashed",
    "protected",
    "weak",
    "strong",
    "secure",
    "insecure",
    "changed",
    "updated",
    "reset",
    "saved",
    "stored",
    "sent",
    "disabled",
    "enabled",
    "locked",
    "unlocked",
    "unknown",
    "default",
    "temporary",
    "unset",
    "same",
    "different",
    "case-sensitive",
    // The value's type, as schemas and type checks name it
    // (`"password": "string"`, `typeof password === 'string'`).
    "string",
    "number",
    "integer",
    "boolean",
    "object",
    "function",
    "text",
    // Test results under a `pass` key.
    "passed",
    "failed",
    "skipped",
];

/// True when the value is a word that describes a password (see
/// [`STATUS_WORDS`]) or a label: one capitalised word, as translation files
/// map `"password"` to `"Passwort"`, `"Kennwort"` or `"Salasana"`.
pub fn describes_password(v: &[u8]) -> bool {
    let label =
        v.len() > 1 && v[0].is_ascii_uppercase() && v[1..].iter().all(u8::is_ascii_lowercase);
    label || equals_any(v, STATUS_WORDS)
}

fn equals_any(v: &[u8], words: &[&str]) -> bool {
    words.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(v))
}

/// True when the value looks like a placeholder rather than a real secret.
pub fn is_placeholder(v: &[u8]) -> bool {
    equals_any(v, WEAK) || is_anonymous_ftp(v) || is_template(v)
}

/// The password of anonymous FTP: by convention (RFC 1635) the user's email
/// address, or only its local part and `@` (`guest@`, `busybox@`). It
/// opens nothing.
fn is_anonymous_ftp(v: &[u8]) -> bool {
    v.len() > 1 && v.iter().position(|&b| b == b'@') == Some(v.len() - 1)
}

/// True when the value is a template rather than a value: a marker
/// (`${VAR}`, `<password>`, `#{x}`), a placeholder word (`example`, `xxxx`),
/// a field name (`password`) or a long run of one character. Weak real
/// passwords (`secret`, `admin`) are not templates.
pub fn is_template(v: &[u8]) -> bool {
    if equals_any(v, FIELD_NAMES) {
        return true;
    }
    // Template markers: `<key>`, `{{token}}`, `${VAR}`, `#{var}`, `$(cmd)`,
    // `$VAR`, `%VAR%`, `{0}`. A `$` inside a word (`super$ecret`) is part of
    // a password, and a brace inside a random value (`…;_&k>qX??]G&{qT/…`)
    // part of the secret.
    let variable = v.first() == Some(&b'$')
        || (v.len() > 2 && v[0] == b'%' && v[v.len() - 1] == b'%')
        || [&b"${"[..], b"{{", b"#{", b"$("]
            .iter()
            .any(|m| contains(v, m));
    let enclosed = matches!(v.first(), Some(b'<' | b'{')) || matches!(v.last(), Some(b'>' | b'}'));
    if variable || enclosed {
        return true;
    }
    static SET: LazyLock<AhoCorasick> = LazyLock::new(|| word_set(WORDS));
    let lower = v.to_ascii_lowercase();
    if SET
        .find_overlapping_iter(&lower)
        .any(|m| written_as_word(v, m.start(), m.end()))
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

/// Values longer than this hold a placeholder word only where a word starts
/// (see [`written_as_word`]).
const LONG_VALUE: usize = 32;

/// True when the placeholder word found at `v[start..end]` is written the
/// way people write a word: lowercase, UPPERCASE or Capitalised, and, in a
/// value longer than [`LONG_VALUE`], where a word starts (at the start,
/// after a byte that is neither letter nor digit, or as the capital of a
/// camelCase word). A random token holds short words by chance: `…JfOObAr4…`
/// in a 164-character OpenAI key spells `foobar` case-insensitively, and `xxxx`
/// or `fake` turns up in about one 150-character base64 key in 3,500.
/// Words of seven letters or more (`example`, `yourKey`) count however
/// written: chance spells one in fewer than one key in a million.
fn written_as_word(v: &[u8], start: usize, end: usize) -> bool {
    let w = &v[start..end];
    if w.len() >= 7 {
        return true;
    }
    let lower = !w.iter().any(u8::is_ascii_uppercase);
    let upper = !w.iter().any(u8::is_ascii_lowercase);
    let capitalised = w[0].is_ascii_uppercase() && !w[1..].iter().any(u8::is_ascii_uppercase);
    if !(lower || upper || capitalised) {
        return false;
    }
    let word_start = match start.checked_sub(1).map(|i| v[i]) {
        None => true,
        Some(b) => {
            !b.is_ascii_alphanumeric() || (b.is_ascii_lowercase() && w[0].is_ascii_uppercase())
        }
    };
    v.len() <= LONG_VALUE || word_start
}

/// True when `hay[start..end]` is, or lies inside, text that leakscope's
/// redaction writes (`[EMAIL]`, `tok_email_3f9a1c2b0d4e5f60`, a partial form
/// with `***`), so a redacted copy scanned again reports nothing.
pub fn is_redacted(hay: &[u8], start: usize, end: usize) -> bool {
    let v = &hay[start..end];
    if is_redaction_token(v) || contains(v, b"***") {
        return true;
    }
    // The hex part of a token, or a token whose kind the match cut short
    // (a value with no word byte on either side is its whole word: done).
    let word = super::is_word_byte;
    let glued_before = start > 0 && word(&hay[start - 1]);
    if !glued_before && !hay.get(end).is_some_and(word) {
        return false;
    }
    let before = &hay[start.saturating_sub(48)..start];
    let word_start = before.iter().rposition(|b| !word(b)).map_or(0, |p| p + 1);
    let word_end = hay[end..]
        .iter()
        .position(|b| !word(b))
        .map_or(hay.len(), |p| end + p);
    let word_start = start - (before.len() - word_start);
    is_redaction_token(&hay[word_start..word_end])
}

/// `[EMAIL]`, `[SECRET:github]` or `tok_<kind>_<16 hex>`.
pub fn is_redaction_token(v: &[u8]) -> bool {
    if let Some(rest) = v.strip_prefix(b"tok_") {
        let hex = rest.rsplit(|&b| b == b'_').next().unwrap_or(b"");
        return rest.len() > hex.len() && hex.len() == 16 && hex.iter().all(u8::is_ascii_hexdigit);
    }
    v.len() > 2
        && v[0] == b'['
        && v[v.len() - 1] == b']'
        && v[1..v.len() - 1]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_:".contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_finds_a_needle_anywhere_and_only_whole() {
        for (v, needle, want) in [
            (&b"a***"[..], &b"***"[..], true),
            (b"***", b"***", true),
            (b"**", b"***", false),
            (b"*x**", b"***", false),
            (b"jane%40acme.io", b"%40", true),
            (b"jane%4", b"%40", false),
            (b"", b"", true),
            (b"abc", b"", true),
        ] {
            assert_eq!(contains(v, needle), want, "{:?} in {:?}", needle, v);
            assert_eq!(memchr::memmem::find(v, needle).is_some(), want);
        }
    }

    #[test]
    fn placeholder_words_count_as_people_write_them_not_as_chance_spells_them() {
        let written_as_words = [
            "AKIAIOSFODNN7EXAMPLE",
            "FakeValues99cl9bqJFVA3iFUm+yqVe08HxhXFE/",
            "tvly-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "YOUR_VERY_LONG_AND_SECURE_CLIENT_SECRET_GOES_HERE_1234",
            "sk-proj-aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sUyourKeyHere",
            "mydummytoken",
            "a-Sample-key",
        ];
        let spelled_by_chance = [
            "sk-proj-bOX9F_JfOObAr4GrDdZLGDgwgtRb-0yIsdopA7DW6Zsu",
            "q8ZxXxXr2LmNpQ4tVw6Yb8Cd0Ef2Gh4Ij6Kl8Mn0Op2Qr4St6Uv8",
            "T7fakeqR2LmNpQ4tVw6Yb8Cd0Ef2Gh4Ij6Kl8Mn0Op2Qr4St6Uv8",
            "xoxb-Qm3dummyZ9r2LmNpQ4tVw6Yb8Cd0Ef2Gh4Ij6Kl8Mn0Op2Q",
        ];
        for v in written_as_words {
            assert!(is_template(v.as_bytes()), "{v}");
        }
        for v in spelled_by_chance {
            assert!(!is_template(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn redaction_output_is_recognised() {
        let hay = b"pw=[SECRET:connection_string] u=tok_email_3f9a1c2b0d4e5f60 x";
        let at = |s: &str| {
            let i = memchr::memmem::find(hay, s.as_bytes()).unwrap();
            is_redacted(hay, i, i + s.len())
        };
        assert!(at("[SECRET:connection_string]"));
        assert!(at("3f9a1c2b0d4e5f60"));
        assert!(at("tok_email_3f9a1c2b0d4e5f60"));
        assert!(!at("pw"));
        assert!(is_redacted(b"ja***@gmail.com", 0, 15));
        assert!(!is_redaction_token(b"tok_3f9a1c2b0d4e5f60"));
    }

    #[test]
    fn sequences() {
        assert!(has_sequence(b"api_key_1234567890abcdef"));
        assert!(has_sequence(b"ABCDEFGHIJKL"));
        assert!(!has_sequence(b"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"));
    }

    #[test]
    fn table() {
        for (v, ph) in [
            ("sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", true),
            ("<your-api-key>", true),
            ("${GITHUB_TOKEN}", true),
            ("$DB_PASSWORD", true),
            ("super$ecret99", false),
            ("AKIAIOSFODNN7EXAMPLE", true),
            ("dummy-token-value", true),
            ("Password", true),
            ("AAAAAAAAAAAAAAAAAAAA", true),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", false),
            ("dop_v1_1234567890abcdef", false),
            ("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", false),
        ] {
            assert_eq!(is_placeholder(v.as_bytes()), ph, "{v}");
        }
    }

    #[test]
    fn status_words_describe_a_password() {
        for v in [
            "incorrect",
            "Required",
            "EXPIRED",
            "case-sensitive",
            "Passwort",
        ] {
            assert!(describes_password(v.as_bytes()), "{v}");
        }
        for v in ["blooberry", "centipede", "Winter2024", "incorrectly1"] {
            assert!(!describes_password(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn weak_passwords_are_not_templates() {
        for v in ["secret", "Admin", "changeit", "root", "busybox@"] {
            assert!(is_placeholder(v.as_bytes()), "{v}");
            assert!(!is_template(v.as_bytes()), "{v}");
        }
        // Braces and angle brackets inside a random value belong to it.
        assert!(!is_template(b"7`D'}/vYR)T;W5]EBrf;_&k>qX??]G&3CF=;@vyrV"));
        for v in [
            "password",
            "PWD",
            "${DB_PASS}",
            "<password>",
            "xxxxxxxx",
            "example123",
        ] {
            assert!(is_template(v.as_bytes()), "{v}");
        }
    }
}
