//! Rules: detection knowledge kept as data.
//!
//! Every rule lives in a TOML file under `patterns/` (embedded in the binary)
//! or in a user's `--rules DIR`. A rule names the literal *keywords* that must
//! appear near a match (the prefilter's anchors), a regex whose capture group 1
//! is the sensitive value, and *validators* that remove false positives a regex
//! cannot. Each rule carries its own positive and negative examples, which
//! `leakscope rules check` (and the test suite) runs through the real engine.
//!
//! This module only parses and describes rules; compiling them for scanning is
//! the engine's job, linting them is [`check`]'s.

pub mod check;
mod load;

pub use load::{load_rules, parse_rule_file, RuleSource};

use serde::{Deserialize, Serialize};

/// What kind of data a rule finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Credentials: API keys, tokens, passwords, private keys.
    Secret,
    /// Personal data: emails, phones, cards, identifiers, addresses.
    Pii,
}

impl Category {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Secret => "secret",
            Category::Pii => "pii",
        }
    }
}

/// How urgent a finding of this rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// How sure a match of this rule is to be real.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    #[default]
    Medium,
    High,
}

/// The shared trigger of a rule without keywords: a cheap byte-level scan
/// that proposes windows for such rules (see `engine::trigger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// Runs of digits with separators (` -./()`) whose digit count lies in
    /// the rule's `digits` range: cards, phones, SSNs, IBANs.
    Digits,
    /// A run of digits with at least three dots: IPv4 addresses.
    Dotted,
    /// A `:` between hexadecimal digits: IPv6 addresses.
    Hexcolon,
}

/// How a value is normalised before fingerprinting, so that the same identity
/// written differently (`Jane@X.org`, `jane%40x.org`) counts once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalize {
    /// The value as found.
    #[default]
    None,
    /// ASCII lowercase.
    Lower,
    /// Percent-decoded, then ASCII lowercase (URL-encoded emails).
    UrlDecodeLower,
    /// Digits only (cards, phones, SSNs); a leading `+` is kept.
    Digits,
    /// Letters and digits only, uppercase (IBANs).
    AlnumUpper,
}

/// How a value is masked in the `preview` field of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preview {
    /// A few leading characters, then `***` (identifies the token type only).
    #[default]
    Prefix,
    /// `ja***@gmail.com`: two characters of the local part and the domain.
    Email,
    /// `****4242`: the last four digits or characters.
    Last4,
    /// `203.0.***`: the first two parts of an address.
    Ip,
}

/// One rule as written in a rule file (all fields after parsing defaults).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id `<category>.<provider>.<name>`; unique across the rule set.
    pub id: String,
    /// Human name.
    pub name: String,
    /// What it finds and why it matters, one line.
    #[serde(default)]
    pub description: String,
    pub category: Category,
    pub severity: Severity,
    #[serde(default)]
    pub confidence: Confidence,
    /// Case-sensitive literals, at least one of which lies inside or just
    /// before every match. Empty only when `trigger` is set.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Shared trigger for keyword-less rules.
    #[serde(default)]
    pub trigger: Option<Trigger>,
    /// For `trigger = "digits"`: the inclusive range of digit counts.
    #[serde(default)]
    pub digits: Option<[u32; 2]>,
    /// Regex (Unicode off); capture group 1 is the sensitive value, or the
    /// whole match when the pattern has no group.
    pub pattern: String,
    /// Validator names, each optionally with an argument: `entropy:3.5`.
    #[serde(default)]
    pub validate: Vec<String>,
    #[serde(default)]
    pub normalize: Normalize,
    #[serde(default)]
    pub preview: Preview,
    /// Bytes searched on each side of a keyword hit.
    #[serde(default = "default_window")]
    pub window: usize,
    /// A match may span lines (PEM blocks); windows are then clamped to the
    /// chunk rather than to the line.
    #[serde(default)]
    pub multiline: bool,
    /// Documentation of the token or data format.
    #[serde(default)]
    pub references: Vec<String>,
    /// Texts in which this rule must find something.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Texts in which this rule must find nothing.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Which file the rule came from (filled in by the loader).
    #[serde(skip_deserializing, default)]
    pub origin: String,
}

fn default_window() -> usize {
    256
}
