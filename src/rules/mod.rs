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
pub mod context_rule;
pub mod field_rule;
pub mod fragment;
mod load;

pub use load::{load_rule_set, load_rules, parse_rule_file, RuleSource};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
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
    /// Runs of digits with separators (` -./()`) that fit the rule's
    /// `shape`: cards, phones, SSNs, IBANs, IPv4 addresses.
    Digits,
    /// A `:` between hexadecimal digits: IPv6 addresses.
    Hexcolon,
}

/// Where a rule's keywords may match (see `engine::prefilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeywordMatch {
    /// At the start of a word, case-sensitive: after a byte that is not a
    /// letter or digit, or a capital after a lowercase letter. A keyword
    /// that begins with punctuation (`"first_name"`, `-----BEGIN`) matches
    /// wherever it occurs.
    #[default]
    Word,
    /// At the start of a word, ignoring ASCII case (`datadog` finds
    /// `DATADOG_API_KEY` and `DatadogKey`).
    WordIgnoreCase,
    /// Anywhere, even inside a word (a marker in the middle of a token).
    Anywhere,
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
    /// Literals, at least one of which lies inside or just before every
    /// match. Empty only when `trigger` is set.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Where the keywords match: at word starts (default), ignoring case,
    /// or anywhere.
    #[serde(default)]
    pub keyword_match: KeywordMatch,
    /// Shared trigger for keyword-less rules.
    #[serde(default)]
    pub trigger: Option<Trigger>,
    /// For `trigger = "digits"`: what a digit cluster must look like.
    #[serde(default)]
    pub shape: Option<ShapeSpec>,
    /// Regex (Unicode off); capture group 1 is the sensitive value, or the
    /// whole match when the pattern has no group. Generated for field rules.
    #[serde(default)]
    pub pattern: String,
    /// Field-aware rule: the field (JSON key, CSV column, Parquet column)
    /// names whose values are this kind of data (`first_name`, `$city`).
    /// Matched case-insensitively against the last part of a column path; in
    /// NDJSON the quoted key itself is the keyword (see [`field_rule`]).
    #[serde(default)]
    pub fields: Vec<String>,
    /// Context rule: words that name the vendor or key (`datadog`,
    /// `dd_api_key`); the rule finds `value` assigned to a key starting with
    /// one of them (see [`context_rule`]).
    #[serde(default)]
    pub context: Vec<String>,
    /// For field and context rules: a regex every plausible value matches whole.
    #[serde(default)]
    pub value: Option<String>,
    /// For field rules: the value may be an unquoted JSON number (`"lat": 48.85`).
    #[serde(default)]
    pub numeric: bool,
    /// The data category reported in summaries (`pii.location`); defaults to
    /// the first two parts of the id.
    #[serde(default)]
    pub kind: Option<String>,
    /// Active only for exports of this vendor (`--preset`, or recognised).
    #[serde(default)]
    pub preset: Option<String>,
    /// Validator names, each optionally with an argument: `entropy:3.5`.
    #[serde(default)]
    pub validate: Vec<String>,
    #[serde(default)]
    pub normalize: Normalize,
    #[serde(default)]
    pub preview: Preview,
    /// Bytes searched around a keyword hit: `N` on each side, or `[before, after]`.
    #[serde(default)]
    pub window: Window,
    /// A match may span lines (PEM blocks); windows are then clamped to the
    /// chunk rather than to the line.
    #[serde(default)]
    pub multiline: bool,
    /// The value and its context never hold whitespace, quotes or `<>`
    /// (a URL with its credentials): windows are then clamped to the run of
    /// other bytes around the keyword, so an `@` of every email address does
    /// not send 200 bytes of its event to the regex.
    #[serde(default)]
    pub token: bool,
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
    /// Embedded in the binary (filled in by the loader): known to compile,
    /// so compiled on first use.
    #[serde(skip)]
    pub builtin: bool,
}

/// Bytes searched before and after a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Window {
    Both(usize),
    Split([usize; 2]),
}

impl Default for Window {
    fn default() -> Self {
        Window::Both(256)
    }
}

impl Window {
    /// Bytes before the hit.
    pub fn before(self) -> usize {
        match self {
            Window::Both(n) | Window::Split([n, _]) => n,
        }
    }
    /// Bytes after the hit's end.
    pub fn after(self) -> usize {
        match self {
            Window::Both(n) | Window::Split([_, n]) => n,
        }
    }
}

/// The shape a digit cluster must have for a keyword-less rule's regex to be
/// worth running; see `engine::trigger::Shape`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShapeSpec {
    /// Inclusive range of digit counts of the value.
    pub digits: [u32; 2],
    /// Plain digit runs never hold the value (unless right after `+`).
    #[serde(default)]
    pub separated: bool,
    /// Digits the value may start with (empty: any).
    #[serde(default)]
    pub first_digits: String,
    /// Longest group of consecutive digits (0: any).
    #[serde(default)]
    pub max_group: u32,
    /// The bytes that may follow a plain run of digits holding the value
    /// (empty: any): a Finnish code written `020594X903P` has its century
    /// letter right after six digits, so hex ids and durations of six
    /// digits followed by anything else open no window.
    #[serde(default)]
    pub plain_then: String,
    /// Digits in the value's first group (0: any): the `DDMMYY` of a
    /// Finnish code, where the middle groups of UUIDs have four.
    #[serde(default)]
    pub first_group: u32,
    /// Least number of `.` separators.
    #[serde(default)]
    pub min_dots: u32,
    /// Two capital letters stand right before the digits (`DE89…`), or
    /// before one space (`AB 12 34 56 C`).
    #[serde(default)]
    pub caps_before: bool,
    /// A `$` stands right before the digits (`$6$…` crypt hashes).
    #[serde(default)]
    pub dollar_before: bool,
    /// The separators the value may contain, e.g. `"-"` or `" -.()"` (empty: any of ` -./()`).
    #[serde(default)]
    pub separators: String,
    /// Four groups joined by dots alone (`203.0.113.7`, `99.0.4844.51`)
    /// may hold the value; `false` for values that never have that shape
    /// (phone numbers), so IP addresses and versions open no window.
    #[serde(default = "yes")]
    pub dotted_quads: bool,
    /// A dotted quad that fits the shape, with no letter, digit or `_` on
    /// either side, is the value itself (IPv4): no regex runs for it. `rules
    /// check` holds such a rule to its examples like any other.
    #[serde(default)]
    pub quad_value: bool,
}

fn yes() -> bool {
    true
}

impl Rule {
    /// The data category reported in summaries.
    pub fn kind(&self) -> String {
        match &self.kind {
            Some(k) => k.clone(),
            None => self.id.split('.').take(2).collect::<Vec<_>>().join("."),
        }
    }
}

/// A vendor export preset: how to recognise the vendor's files, and which
/// fields name the user a record is about. Its field rules carry
/// `preset = "<id>"`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub id: String,
    pub name: String,
    /// Keys (JSON) or column names that all appear in the vendor's files.
    pub detect: Vec<String>,
    /// Fields identifying the record's user, most specific first.
    #[serde(default)]
    pub subject: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

impl Preset {
    /// True when `names` (keys or columns seen in a file) hold every
    /// `detect` key.
    pub fn recognises(&self, mut has: impl FnMut(&str) -> bool) -> bool {
        !self.detect.is_empty() && self.detect.iter().all(|d| has(d))
    }

    /// The first preset that recognises a file (see [`Preset::recognises`]).
    pub fn detect(presets: &[Preset], mut has: impl FnMut(&str) -> bool) -> Option<&Preset> {
        presets.iter().find(|p| p.recognises(&mut has))
    }
}
