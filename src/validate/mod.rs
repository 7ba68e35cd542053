//! Validators: checks a regex cannot express, run on each regex match to
//! remove false positives (checksums, structure, entropy, context).
//!
//! A validator sees the value and the bytes around it ([`Ctx`]), so context
//! rules such as "not the `120.0.6099.109` after `Chrome/`" live here too.
//! Each validator is one small file; [`Validator::parse`] maps the names used
//! in rule files (`luhn`, `entropy:3.5`, ...) to them.

mod basic_auth;
mod email;
mod entropy;
mod github;
mod iban;
mod ip;
mod jwt;
mod literal;
mod luhn;
mod national_id;
mod nino;
mod pem_b64;
mod phone;
mod placeholder;
mod ssn;

pub use entropy::shannon_entropy;
pub use github::{github_checksum, github_checksum_ok};
pub use iban::{iban_ok, mod97};
pub use luhn::luhn_ok;
pub use phone::warm_up as warm_up_phone_plans;
pub use placeholder::{contains, is_redacted, is_redaction_token};

use anyhow::{bail, Result};

/// A byte regex `\b` counts as part of a word with Unicode off:
/// `[0-9A-Za-z_]`.
pub fn is_word_byte(b: &u8) -> bool {
    b.is_ascii_alphanumeric() || *b == b'_'
}

/// A match under validation: the value span inside the searched bytes.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The bytes that were searched (a record or chunk).
    pub hay: &'a [u8],
    /// Start of the value in `hay`.
    pub start: usize,
    /// End (exclusive) of the value in `hay`.
    pub end: usize,
}

impl<'a> Ctx<'a> {
    /// The value bytes.
    pub fn value(&self) -> &'a [u8] {
        &self.hay[self.start..self.end]
    }
    /// The byte just before the value, if any.
    pub fn before(&self) -> Option<u8> {
        self.start.checked_sub(1).map(|i| self.hay[i])
    }
    /// The byte just after the value, if any.
    pub fn after(&self) -> Option<u8> {
        self.hay.get(self.end).copied()
    }
}

/// One named check. `check` returns true when the value is plausible.
#[derive(Debug, Clone, PartialEq)]
pub enum Validator {
    /// Luhn checksum over the digits (payment cards).
    Luhn,
    /// IBAN country length and mod-97 check.
    Iban,
    /// GitHub token CRC32 checksum in the last six characters.
    GithubCrc32,
    /// JWT: three parts, the header decodes to a JSON object with `alg`.
    Jwt,
    /// Shannon entropy (bits per byte) at least this high.
    Entropy(f64),
    /// Parses as an IPv4/IPv6 address, is not loopback/unspecified/broadcast,
    /// and is not part of a version string.
    Ip,
    /// US SSN area, group and serial rules.
    Ssn,
    /// The base64 of `user:password` with a real password (HTTP Basic).
    BasicAuth,
    /// Strong enough to be a chosen password (see `entropy::password_like`).
    Password,
    /// Not a placeholder (`xxxx`, `example`, `<token>`, `dummy`, ...).
    NotPlaceholder,
    /// Not a template (`${VAR}`, `<password>`, `xxxx`, a field name), but
    /// weak real passwords (`secret`, `admin`) pass: for connection strings.
    NotTemplate,
    /// No counting run (`1234567890`, `abcdefghij`): for generic rules,
    /// where such values are docs and test fixtures.
    NoSequence,
    /// A phone number valid in a real numbering plan.
    Phone,
    /// An email whose domain ends in a real top-level domain, not a file
    /// suffix, and that is not the `user:pass@host` part of a URL.
    Email,
    /// Not one group of a longer run of space- or dash-separated digit groups
    /// (the middle of an IBAN is neither a card nor a phone number).
    Standalone,
    /// A field value that says something: not `unknown`, `(not set)`, `n/a`,
    /// `null`, `none`, `-`, `0`, nor only zeros and separators.
    Known,
    /// Not a reference to a secret (`env.DB_PASSWORD`, `$PASS`,
    /// `db_password`, `DB_PASS`); plain words pass: for password keys, whose
    /// values are passwords however weak.
    NotReference,
    /// Not a word that describes a password (`incorrect`, `required`,
    /// `expired`) nor a label (`Passwort`): for password keys and passwords
    /// quoted in sentences.
    NotStatus,
    /// A literal value, not a reference to one (`env.DB_PASSWORD`,
    /// `#add-password`, `DB_PASS`): for generic assignment rules.
    Literal,
    /// Upper- and lowercase letters and digits together, as generated keys
    /// have (a hex digest or a word does not).
    Mixed,
    /// At least one digit (identifiers next to a context word, not words).
    HasDigit,
    /// At least one uppercase letter (random base62 keys: a Stripe key
    /// always has one, a Paystack key's lowercase hex body never does).
    HasUpper,
    /// A UK National Insurance prefix HMRC issues.
    Nino,
    /// A MAC address that names a device: not all zeros nor the broadcast
    /// `ff:ff:ff:ff:ff:ff`.
    Mac,
    /// A national identity or registry number of the scheme: check digits
    /// and embedded dates (`id:nhs`, `id:pesel`; see `national_id`).
    NationalId(national_id::Scheme),
    /// Base64 whose first characters decode to a PEM private-key header.
    PemBase64,
}

/// Values by the names rule files give them, both ways.
struct Names<T: 'static>(&'static [(&'static str, T)]);

impl<T: PartialEq> Names<T> {
    fn value(&self, name: &str) -> Option<&'static T> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
    fn name(&self, value: &T) -> Option<&'static str> {
        self.0.iter().find(|(_, v)| v == value).map(|(n, _)| *n)
    }
    /// The names, comma-separated, for error messages.
    fn list(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|(n, _)| *n).collect();
        names.join(", ")
    }
}

/// The validators that take no argument, by the name rule files use.
const NAMED: Names<Validator> = Names(&[
    ("luhn", Validator::Luhn),
    ("iban", Validator::Iban),
    ("github_crc32", Validator::GithubCrc32),
    ("jwt", Validator::Jwt),
    ("password", Validator::Password),
    ("basic_auth", Validator::BasicAuth),
    ("ip", Validator::Ip),
    ("ssn", Validator::Ssn),
    ("placeholder", Validator::NotPlaceholder),
    ("template", Validator::NotTemplate),
    ("no_sequence", Validator::NoSequence),
    ("phone", Validator::Phone),
    ("email", Validator::Email),
    ("standalone", Validator::Standalone),
    ("known", Validator::Known),
    ("literal", Validator::Literal),
    ("not_reference", Validator::NotReference),
    ("not_status", Validator::NotStatus),
    ("mixed", Validator::Mixed),
    ("has_digit", Validator::HasDigit),
    ("has_upper", Validator::HasUpper),
    ("nino", Validator::Nino),
    ("mac", Validator::Mac),
    ("pem_b64", Validator::PemBase64),
]);

impl Validator {
    /// Parses a validator name as written in a rule file.
    pub fn parse(spec: &str) -> Result<Self> {
        let (name, arg) = match spec.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (spec, None),
        };
        Ok(match (name, arg, NAMED.value(name)) {
            (_, None, Some(v)) => v.clone(),
            ("entropy", Some(a), _) => match a.parse::<f64>() {
                Ok(t) if (0.0..=8.0).contains(&t) => Validator::Entropy(t),
                _ => bail!("entropy threshold {a:?} is not a number from 0 to 8"),
            },
            ("id", Some(a), _) => Validator::NationalId(national_id::Scheme::parse(a)?),
            _ => bail!(
                "unknown validator {spec:?} (known: {}, entropy:N, id:SCHEME)",
                NAMED.list()
            ),
        })
    }

    /// The name a rule file gives this validator (`placeholder`,
    /// `entropy:3.5`, `id:nhs`), for messages.
    pub fn name(&self) -> String {
        match self {
            Validator::Entropy(t) => format!("entropy:{t}"),
            Validator::NationalId(s) => format!("id:{}", s.name()),
            v => NAMED
                .name(v)
                .map_or_else(|| format!("{v:?}"), str::to_string),
        }
    }

    /// True when the match passes this validator.
    pub fn check(&self, ctx: &Ctx) -> bool {
        let v = ctx.value();
        match self {
            Validator::Luhn => luhn_ok(v),
            Validator::Iban => iban_ok(v),
            Validator::GithubCrc32 => github_checksum_ok(v),
            Validator::Jwt => jwt::jwt_ok(v),
            Validator::Entropy(t) => shannon_entropy(v) >= *t,
            Validator::Ip => ip::ip_ok(ctx),
            Validator::Ssn => ssn::ssn_ok(v),
            Validator::NotPlaceholder => !placeholder::is_placeholder(v),
            Validator::Password => entropy::password_like(v),
            Validator::BasicAuth => basic_auth::basic_auth_ok(v),
            Validator::NotTemplate => !placeholder::is_template(v),
            Validator::NoSequence => !placeholder::has_sequence(v),
            Validator::Phone => phone::phone_ok(v),
            Validator::Email => email::email_ok(ctx),
            Validator::Standalone => standalone(ctx),
            Validator::Known => known(v),
            Validator::Literal => literal::is_literal(v),
            Validator::NotStatus => !placeholder::describes_password(v),
            Validator::NotReference => !literal::is_reference(v),
            Validator::Mixed => literal::is_mixed(v),
            Validator::HasDigit => v.iter().any(u8::is_ascii_digit),
            Validator::HasUpper => v.iter().any(u8::is_ascii_uppercase),
            Validator::Nino => nino::nino_ok(v),
            Validator::Mac => mac_ok(v),
            Validator::NationalId(s) => s.valid(v),
            Validator::PemBase64 => pem_b64::private_key_ok(v),
        }
    }
}

/// See [`Validator::Known`].
fn known(v: &[u8]) -> bool {
    const UNKNOWN: &[&str] = &[
        "unknown",
        "(not set)",
        "not set",
        "n/a",
        "na",
        "null",
        "none",
        "nil",
        "undefined",
        "-",
        "?",
        "(none)",
        "anonymous",
        "redacted",
        "[redacted]",
    ];
    let t = v.trim_ascii();
    !t.is_empty()
        && !UNKNOWN.iter().any(|u| u.as_bytes().eq_ignore_ascii_case(t))
        && t.iter()
            .any(|b| !matches!(b, b'0' | b'-' | b'.' | b':' | b' '))
}

/// See [`Validator::Mac`].
fn mac_ok(v: &[u8]) -> bool {
    let mut hex = v
        .iter()
        .filter(|b| b.is_ascii_hexdigit())
        .map(u8::to_ascii_lowercase);
    let first = hex.next();
    !matches!(first, Some(b'0' | b'f')) || hex.any(|b| Some(b) != first)
}

/// See [`Validator::Standalone`]: the value is rejected when it is glued,
/// by a separator it uses itself, to another digit group (`3704 0044 0532
/// 0130` inside `DE89 3704 0044 0532 0130 00`). A plain value in a list of
/// numbers stays.
fn standalone(ctx: &Ctx) -> bool {
    let value = ctx.value();
    let glued = |sep: Option<u8>, neighbour: Option<usize>| {
        sep.is_some_and(|s| matches!(s, b' ' | b'-') && value.contains(&s))
            && neighbour
                .and_then(|i| ctx.hay.get(i))
                .is_some_and(u8::is_ascii_digit)
    };
    !(glued(ctx.before(), ctx.start.checked_sub(2)) || glued(ctx.after(), Some(ctx.end + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_names_read_back_as_rule_files_write_them() {
        let mut specs: Vec<String> = NAMED.0.iter().map(|(n, _)| n.to_string()).collect();
        specs.extend(["entropy:3.5".into(), "id:nhs".into(), "id:kr_rrn".into()]);
        for spec in specs {
            let v = Validator::parse(&spec).unwrap();
            assert_eq!(v.name(), spec);
        }
        let unknown = Validator::parse("crc99").unwrap_err().to_string();
        assert!(unknown.contains("github_crc32") && unknown.contains("id:SCHEME"));
        assert!(Validator::parse("id:nope").is_err());
        assert!(Validator::parse("luhn:3").is_err());
    }

    #[test]
    fn standalone_rejects_groups_of_longer_runs() {
        let hay = b"DE89 3704 0044 0532 0130 00 | paid 4242 4242 4242 4242.";
        let at = |s: &str| {
            let start = memchr::memmem::find(hay, s.as_bytes()).unwrap();
            Ctx {
                hay,
                start,
                end: start + s.len(),
            }
        };
        assert!(!standalone(&at("3704 0044 0532 0130")));
        assert!(standalone(&at("4242 4242 4242 4242")));
        let list = b"4012888888881881 4012-8888-8888-1881";
        assert!(standalone(&Ctx {
            hay: list,
            start: 0,
            end: 16
        }));
    }

    #[test]
    fn mac_names_a_device() {
        assert!(mac_ok(b"3c:22:fb:8a:19:e4"));
        assert!(mac_ok(b"00:00:00:00:00:01"));
        assert!(!mac_ok(b"00:00:00:00:00:00"));
        assert!(!mac_ok(b"FF-FF-FF-FF-FF-FF"));
        assert!(!mac_ok(b"ffff.ffff.ffff"));
    }

    #[test]
    fn parse_names_and_arguments() {
        assert_eq!(Validator::parse("luhn").unwrap(), Validator::Luhn);
        assert_eq!(
            Validator::parse("entropy:3.5").unwrap(),
            Validator::Entropy(3.5)
        );
        assert!(Validator::parse("entropy:x").is_err());
        assert!(Validator::parse("entropy").is_err());
        assert!(Validator::parse("nope").is_err());
    }

    #[test]
    fn ctx_neighbours() {
        let c = Ctx {
            hay: b"a=xyz;",
            start: 2,
            end: 5,
        };
        assert_eq!(c.value(), b"xyz");
        assert_eq!(c.before(), Some(b'='));
        assert_eq!(c.after(), Some(b';'));
    }
}
