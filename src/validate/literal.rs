//! Literal values, as opposed to references: `password = env.DB_PASSWORD`,
//! `secret: "#add-secret"`, `api_key = config.api_key` name where a secret
//! lives rather than holding one. Generic assignment rules (`password=`,
//! `api_key=`) need this; provider formats never look like references.

/// Words that name a credential: inside an identifier (`db_password`,
/// `getMasterUserPassword`, `#add-secret`) they mark a reference, but a
/// value that is only letters and digits holds them as part of a chosen
/// password (`Secret123`, `thisismypassword`).
const CREDENTIAL_WORDS: &[&str] = &["password", "passwd", "secret", "token"];

/// Parts that mark an expression or a lookup.
const REFERENCE_PARTS: &[&str] = &[
    "env.",
    "environ",
    "process.",
    "config.",
    "settings.",
    "getenv",
    "params.",
    "props.",
    "this.",
    "self.",
    "://",
    "%(",
    "../",
    "./",
];

/// True when `v` looks like a literal secret: neither a reference to one
/// ([`is_reference`]) nor a plain word or snake/kebab name ([`is_word`]).
pub fn is_literal(v: &[u8]) -> bool {
    !is_reference(v) && !is_word(v)
}

/// True when `v` names where a secret lives instead of holding one: an
/// expression or lookup (`env.X`, `config.db`, `../x`), a credential word
/// inside an identifier (`db_password`, `addPassword`), a sigil first
/// (`$VAR`, `#add-password`, `/path`), a constant name (`DB_PASS`), a
/// dotted identifier (`cfg.db.pass`) or an ARN. Empty values count too.
pub fn is_reference(v: &[u8]) -> bool {
    let Some(&first) = v.first() else {
        return true;
    };
    let lower = v.to_ascii_lowercase();
    let contains = |parts: &[&str]| {
        parts
            .iter()
            .any(|p| memchr::memmem::find(&lower, p.as_bytes()).is_some())
    };
    if contains(REFERENCE_PARTS) || (contains(CREDENTIAL_WORDS) && is_identifier(v)) {
        return true;
    }
    if matches!(
        first,
        b'$' | b'#' | b'/' | b'%' | b'@' | b':' | b'.' | b'!' | b'&' | b'*'
    ) {
        return true;
    }
    let all = |f: fn(&u8) -> bool| v.iter().all(f);
    let constant =
        all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_') && v.contains(&b'_');
    let dotted = all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
        && v.contains(&b'.')
        && !v.iter().any(u8::is_ascii_digit);
    constant || dotted || v.starts_with(b"arn:")
}

/// True for lowercase words and snake/kebab names (`not-set`, `add_user`,
/// `required`): labels and settings next to an `api_key`/`secret` key. Fourteen
/// or more letters in one run are a passphrase (`thisismypassword`).
fn is_word(v: &[u8]) -> bool {
    v.iter()
        .all(|b| b.is_ascii_lowercase() || matches!(b, b'-' | b'_'))
        && (v.len() < 14 || v.contains(&b'-') || v.contains(&b'_'))
}

/// True when `v` reads as a name in code rather than a typed value: it
/// joins parts with `.`, `_`, `-`, `:`, `/`, brackets or parentheses, is
/// written in capitals (`DB_PASSWORD`), or in camelCase (`addPassword`: a
/// lowercase letter followed by a capital).
fn is_identifier(v: &[u8]) -> bool {
    let joined = v.iter().any(|b| b"._-:/()[]".contains(b));
    let capitals = !v.iter().any(u8::is_ascii_lowercase);
    let camel = v
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    joined || capitals || camel
}

/// Which kinds of character a value holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct CharKinds {
    pub lower: bool,
    pub upper: bool,
    pub digit: bool,
    /// Anything but an ASCII letter or digit.
    pub symbol: bool,
}

impl CharKinds {
    /// The kinds of character in `v`, in one pass.
    pub fn of(v: &[u8]) -> Self {
        v.iter().fold(CharKinds::default(), |k, b| CharKinds {
            lower: k.lower || b.is_ascii_lowercase(),
            upper: k.upper || b.is_ascii_uppercase(),
            digit: k.digit || b.is_ascii_digit(),
            symbol: k.symbol || !b.is_ascii_alphanumeric(),
        })
    }

    /// How many of the four kinds are present.
    pub fn count(self) -> usize {
        [self.lower, self.upper, self.digit, self.symbol]
            .iter()
            .filter(|&&k| k)
            .count()
    }
}

/// True when `v` holds an uppercase letter, a lowercase letter and a digit.
pub fn is_mixed(v: &[u8]) -> bool {
    let k = CharKinds::of(v);
    k.upper && k.lower && k.digit
}

#[cfg(test)]
mod tests {
    use super::is_literal;

    #[test]
    fn references_are_not_literals() {
        for v in [
            "env.PERKEEP_TEST_PASSWORD",
            "process.env.X",
            "#add-password",
            "/en/enterprise/x",
            "not-set",
            "DB_PASSWORD_VALUE",
            "cfg.db.pass",
            "getMasterUserPassword",
            "cms_user_password",
            "SECRETTOKEN1",
            "confidential",
            "password",
            "arn:aws:iam::aws:policy/X",
            "${DB}",
            "",
        ] {
            assert!(!is_literal(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn words_are_not_references() {
        for v in ["open_sesame", "whiteduke", "goodspec", "welcome1"] {
            assert!(!super::is_reference(v.as_bytes()), "{v}");
        }
        assert!(!is_literal(b"open_sesame") && !is_literal(b"whiteduke"));
        for v in ["DB_PASS", "cfg.db.pass", "smtp_password", "$PASS", ""] {
            assert!(super::is_reference(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn mixed_needs_all_three_classes() {
        assert!(super::is_mixed(b"aB3"));
        assert!(!super::is_mixed(
            b"d151c7bc86d545dafe2c1de75e3a174623230a2a"
        ));
        assert!(!super::is_mixed(b"ABCdef"));
    }

    #[test]
    fn secrets_are_literals() {
        for v in [
            "S3cr3t-pa55",
            "hunter2xyz!",
            "Xk29fLmQ",
            "a8f5f167f44f4964e6c998dee827110c",
            "Secret123",
            "thisismypassword",
        ] {
            assert!(is_literal(v.as_bytes()), "{v}");
        }
    }
}
