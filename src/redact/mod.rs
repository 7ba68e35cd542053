//! Redaction: what replaces a sensitive value, and where.
//!
//! The scan finds values; this stage decides their replacement text from a
//! [`Policy`] (a [`Mode`] per rule, chosen globally, per category, per data
//! kind or per rule id) and turns matches into byte [`edit::Edit`]s that keep
//! the container valid: [`json`] escapes replacements inside JSON strings and
//! widens `drop` to the whole value, [`csv`] rewrites whole cells with the
//! file's quoting, [`parquet`] rewrites column values. [`output`] maps inputs
//! to the mirrored output tree and writes every file atomically.
//!
//! `hash` tokens are the finding fingerprint's first 8 bytes, so a token in
//! a redacted copy joins with the findings report of the same key.

pub mod csv;
pub mod edit;
pub mod json;
pub mod output;
pub mod parquet;
pub mod zip;

use crate::decode::{jsonpath, Match};
use crate::finding::{normalize, preview, Fingerprinter};
use crate::rules::{Category, Normalize, Preview, Rule};
use anyhow::{bail, Result};
use edit::Edit;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// How a value is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A label naming the kind: `[EMAIL]`, `[SECRET:github]`.
    Mask,
    /// What analysts need and nothing more: `j***@gmail.com`, `****4242`,
    /// `203.0.113.x`.
    Partial,
    /// A keyed deterministic token: `tok_email_3f9a1c2b0d4e5f60`.
    Hash,
    /// Structured formats: the field becomes null (CSV: empty). Text falls
    /// back to `mask`.
    Drop,
}

impl Mode {
    /// Parses `mask`, `partial`, `hash` or `drop`.
    pub fn parse(s: &str) -> Result<Mode> {
        Ok(match s {
            "mask" => Mode::Mask,
            "partial" => Mode::Partial,
            "hash" => Mode::Hash,
            "drop" => Mode::Drop,
            _ => bail!("unknown redaction mode {s:?} (known: mask, partial, hash, drop)"),
        })
    }
}

/// Which mode applies to which rule: a default, and overrides keyed by a
/// category (`pii`), a data kind (`pii.email`), a rule id or an id prefix
/// (`secret.github`). The longest matching key wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub default: Mode,
    pub overrides: BTreeMap<String, Mode>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            default: Mode::Mask,
            overrides: BTreeMap::new(),
        }
    }
}

/// The `[redact]` table of a config file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    redact: Option<RedactTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactTable {
    mode: Option<Mode>,
    #[serde(default)]
    modes: BTreeMap<String, Mode>,
}

impl Policy {
    /// Reads the `[redact]` table of a TOML config file:
    /// `mode = "hash"` and `[redact.modes]` with `pii = "partial"`.
    pub fn from_config(path: &Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
        let cfg: ConfigFile = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: not a valid config: {e}", path.display()))?;
        let t = cfg.redact.unwrap_or(RedactTable {
            mode: None,
            modes: BTreeMap::new(),
        });
        Ok(Policy {
            default: t.mode.unwrap_or(Mode::Mask),
            overrides: t.modes,
        })
    }

    /// Adds `KEY=MODE` overrides (from `--mode-for`).
    pub fn with_overrides(mut self, specs: &[String]) -> Result<Policy> {
        for s in specs {
            let Some((k, m)) = s.split_once('=') else {
                bail!("--mode-for {s:?}: expected KEY=MODE, e.g. pii=partial");
            };
            self.overrides
                .insert(k.trim().to_string(), Mode::parse(m.trim())?);
        }
        Ok(self)
    }

    /// The mode for `rule`.
    pub fn mode_for(&self, rule: &Rule) -> Mode {
        let kind = rule.kind();
        let under = |key: &str, name: &str| {
            name == key || (name.starts_with(key) && name.as_bytes().get(key.len()) == Some(&b'.'))
        };
        self.overrides
            .iter()
            .filter(|(k, _)| under(k, &rule.id) || under(k, &kind))
            .max_by_key(|(k, _)| k.len())
            .map_or(self.default, |(_, m)| *m)
    }
}

/// Replacement text per rule, under one policy and one key.
pub struct Replacer {
    fp: Fingerprinter,
    rules: Vec<RuleRedaction>,
}

struct RuleRedaction {
    mode: Mode,
    label: String,
    token_kind: String,
    preview: Preview,
    normalize: Normalize,
}

/// A value's replacement: the mode applied and the unescaped text (for
/// `drop`, the mask label: what stands where a field cannot be dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub mode: Mode,
    pub text: Vec<u8>,
}

impl Replacer {
    /// Replacements for `rules` (in engine order) under `policy`, hash
    /// tokens keyed with `key` (the fingerprint key).
    pub fn new<'a>(rules: impl IntoIterator<Item = &'a Rule>, policy: &Policy, key: &[u8]) -> Self {
        let rules = rules
            .into_iter()
            .map(|r| RuleRedaction {
                mode: policy.mode_for(r),
                label: label(r),
                token_kind: token_kind(r),
                preview: r.preview,
                normalize: r.normalize,
            })
            .collect();
        Replacer {
            fp: Fingerprinter::new(key),
            rules,
        }
    }

    /// What replaces `value`, found by rule `rule`.
    pub fn replace(&self, rule: u32, value: &[u8]) -> Replacement {
        let r = &self.rules[rule as usize];
        let text = match r.mode {
            Mode::Mask | Mode::Drop => r.label.clone().into_bytes(),
            Mode::Partial => partial(r.preview, value).into_bytes(),
            Mode::Hash => {
                let fp = match r.normalize {
                    Normalize::None => self.fp.fingerprint(value),
                    n => self.fp.fingerprint(&normalize(n, value)),
                };
                format!("tok_{}_{}", r.token_kind, hex::encode(&fp[..8])).into_bytes()
            }
        };
        Replacement { mode: r.mode, text }
    }

    /// The mask label of rule `rule` (used where a mode cannot apply).
    pub fn label(&self, rule: u32) -> &str {
        &self.rules[rule as usize].label
    }
}

/// How a stream's bytes hold their values (what a replacement must keep).
pub enum StreamKind<'a> {
    /// Plain text: replaced as is.
    Text,
    /// A binary file: replaced by as many bytes, so offsets stay valid.
    Binary,
    /// NDJSON or a JSON document: per match, the JSON token holding it
    /// (None where unknown: a line cut by a chunk boundary).
    Json(&'a [Option<jsonpath::Token>]),
}

/// The edits replacing every match in `data` (a chunk of a stream).
pub fn stream_edits(rep: &Replacer, data: &[u8], matches: &[Match], kind: StreamKind) -> Vec<Edit> {
    let value = |m: &Match| {
        rep.replace(
            m.rule,
            m.decoded.as_deref().unwrap_or(&data[m.start..m.end]),
        )
    };
    let mut edits: Vec<Edit> = match kind {
        StreamKind::Text => matches
            .iter()
            .map(|m| {
                let mut text = value(m).text;
                // A multi-line value (a PEM block) leaves its line breaks,
                // so line numbers in the report still hold in the copy.
                let breaks = memchr::memchr_iter(b'\n', &data[m.start..m.end]).count();
                text.resize(text.len() + breaks, b'\n');
                Edit::new(m.start, m.end, text)
            })
            .collect(),
        StreamKind::Binary => matches
            .iter()
            .map(|m| {
                let mut text = value(m).text;
                text.resize(m.end - m.start, b'*');
                Edit::new(m.start, m.end, text)
            })
            .collect(),
        StreamKind::Json(tokens) => matches
            .iter()
            .zip(tokens)
            .map(|(m, &t)| json::edit(m.start, m.end, t, value(m)))
            .collect(),
    };
    edit::merge(&mut edits);
    edits
}

/// `[EMAIL]` for `pii.email`, `[SECRET:github]` for `secret.github`.
fn label(r: &Rule) -> String {
    let kind = r.kind();
    let tail = kind.split_once('.').map_or(kind.as_str(), |(_, t)| t);
    match r.category {
        Category::Pii => format!("[{}]", tail.to_ascii_uppercase().replace('.', "_")),
        Category::Secret => format!("[SECRET:{tail}]"),
    }
}

/// `email` for `pii.email`, `github` for `secret.github`: lowercase words
/// joined by `_`.
fn token_kind(r: &Rule) -> String {
    let kind = r.kind();
    let tail = kind.split_once('.').map_or(kind.as_str(), |(_, t)| t);
    tail.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The partial form: the report preview, except that an IPv4 address keeps
/// its /24 (`203.0.113.x`) and an IPv6 address its /48.
fn partial(kind: Preview, v: &[u8]) -> String {
    let s = String::from_utf8_lossy(v);
    if kind == Preview::Ip {
        let (sep, keep, total) = if s.contains(':') {
            (':', 3, 8)
        } else {
            ('.', 3, 4)
        };
        let parts: Vec<&str> = s.split(sep).filter(|p| !p.is_empty()).take(keep).collect();
        let mut out = parts.join(&sep.to_string());
        for _ in parts.len()..total {
            out.push(sep);
            out.push('x');
        }
        return out;
    }
    preview(kind, v).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, category: Category, preview: Preview) -> Rule {
        let mut r: Rule = toml::from_str(&format!(
            "id = '{id}'\nname = 'x'\ncategory = '{}'\nseverity = 'high'\n",
            category.as_str()
        ))
        .unwrap();
        r.preview = preview;
        r
    }

    #[test]
    fn longest_policy_key_wins() {
        let p = Policy::default()
            .with_overrides(&["pii=partial".into(), "pii.email=hash".into()])
            .unwrap();
        let email = rule("pii.email", Category::Pii, Preview::Email);
        let phone = rule("pii.phone", Category::Pii, Preview::Last4);
        let gh = rule("secret.github.token", Category::Secret, Preview::Prefix);
        assert_eq!(p.mode_for(&email), Mode::Hash);
        assert_eq!(p.mode_for(&phone), Mode::Partial);
        assert_eq!(p.mode_for(&gh), Mode::Mask);
        let p = p.with_overrides(&["secret.github=drop".into()]).unwrap();
        assert_eq!(p.mode_for(&gh), Mode::Drop);
        // A prefix must end at a dot: `pii.e` is not `pii.email`.
        let p = Policy::default()
            .with_overrides(&["pii.e=drop".into()])
            .unwrap();
        assert_eq!(p.mode_for(&email), Mode::Mask);
        assert!(Policy::default().with_overrides(&["pii".into()]).is_err());
    }

    #[test]
    fn replacements_per_mode() {
        let rules = [
            rule("pii.email", Category::Pii, Preview::Email),
            rule("secret.github.token", Category::Secret, Preview::Prefix),
            rule("pii.ipv4", Category::Pii, Preview::Ip),
        ];
        let mask = Replacer::new(&rules, &Policy::default(), b"k");
        assert_eq!(mask.replace(0, b"jane@gmail.com").text, b"[EMAIL]");
        assert_eq!(mask.replace(1, b"ghp_x").text, b"[SECRET:github]");
        let p = Policy {
            default: Mode::Partial,
            ..Policy::default()
        };
        let part = Replacer::new(&rules, &p, b"k");
        assert_eq!(part.replace(0, b"jane@gmail.com").text, b"ja***@gmail.com");
        assert_eq!(part.replace(2, b"203.0.113.42").text, b"203.0.113.x");
        let p = Policy {
            default: Mode::Hash,
            ..Policy::default()
        };
        let hash = Replacer::new(&rules, &p, b"k");
        let a = hash.replace(0, b"jane@gmail.com").text;
        assert!(a.starts_with(b"tok_email_") && a.len() == 26, "{a:?}");
        assert!(crate::validate::is_redaction_token(&a));
        assert_eq!(a, hash.replace(0, b"jane@gmail.com").text);
        assert_ne!(a, hash.replace(0, b"john@gmail.com").text);
        let other_key = Replacer::new(&rules, &p, b"other");
        assert_ne!(a, other_key.replace(0, b"jane@gmail.com").text);
    }

    #[test]
    fn config_file_modes() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("c.toml");
        std::fs::write(
            &f,
            "[redact]\nmode = \"hash\"\n[redact.modes]\npii = \"drop\"\n",
        )
        .unwrap();
        let p = Policy::from_config(&f).unwrap();
        assert_eq!(p.default, Mode::Hash);
        assert_eq!(p.overrides.get("pii"), Some(&Mode::Drop));
        std::fs::write(&f, "[redact]\nmode = \"blur\"\n").unwrap();
        let e = Policy::from_config(&f).unwrap_err().to_string();
        assert!(e.contains("c.toml"), "{e}");
    }

    #[test]
    fn partial_ipv6_keeps_48_bits() {
        assert_eq!(
            partial(Preview::Ip, b"2001:db8:85a3:8d3:1319:8a2e:370:7348"),
            "2001:db8:85a3:x:x:x:x:x"
        );
    }
}
