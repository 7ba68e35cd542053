//! `summary.json`: the counts a breach assessment needs, per rule, file and
//! field, and the number of *distinct* values (fingerprints) per rule and per
//! category — the affected identities and credentials.

use crate::finding::Finding;
use crate::scan::{FileOutcome, Status};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Fingerprints are already uniform random bits: hash them by their low 64.
#[derive(Default)]
pub struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A set of fingerprints cut to their first 64 bits: a million distinct
/// values collide with odds of about 1 in 36 million, and the sets stay half
/// the size (they are the largest memory of a big scan).
pub type FingerprintSet = HashSet<u64, BuildHasherDefault<FingerprintHasher>>;

/// The number of distinct fingerprints in the union of `sets`. The union is
/// counted in a sorted vector (8 bytes a value) rather than built as another
/// hash set (about 18, twice while it grows): on an export with millions of
/// distinct values this is the run's peak memory.
fn distinct_union<'a>(sets: impl Iterator<Item = &'a FingerprintSet>) -> u64 {
    let sets: Vec<&FingerprintSet> = sets.collect();
    if let [one] = sets.as_slice() {
        return one.len() as u64;
    }
    let mut all: Vec<u64> = Vec::with_capacity(sets.iter().map(|s| s.len()).sum());
    sets.iter().for_each(|s| all.extend(s.iter().copied()));
    all.sort_unstable();
    all.dedup();
    all.len() as u64
}

/// A rule's identity for reporting.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: String,
    pub category: &'static str,
    pub severity: &'static str,
    /// The data category (`pii.location`), shared by rules.
    pub kind: String,
}

/// A field as counted in the summary: array indexes become `[*]`
/// (`$[1834].properties.$email` → `$[*].properties.$email`), so a JSON
/// document counts per field, not per element.
pub fn field_key(field: &str) -> Cow<'_, str> {
    let b = field.as_bytes();
    let indexed = b.windows(2).any(|w| w[0] == b'[' && w[1].is_ascii_digit());
    if !indexed {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(']') {
            out.push('*');
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Running totals; turned into [`SummaryJson`] at the end.
#[derive(Default)]
pub struct Tally {
    /// Indexed by rule: findings, distinct fingerprints and distinct
    /// subjects (users); kinds and categories are unions of these.
    per_rule: Vec<(u64, FingerprintSet, FingerprintSet)>,
    per_file: BTreeMap<String, u64>,
    per_field: BTreeMap<String, u64>,
    per_cell: BTreeMap<(String, String, String), u64>,
    pub files: Vec<FileOutcome>,
    pub total: u64,
}

impl Tally {
    /// The rules with findings, grouped by `key` (category, kind).
    fn rules_by<K: Ord>(&self, key: impl Fn(usize) -> K) -> BTreeMap<K, Vec<usize>> {
        let mut groups: BTreeMap<K, Vec<usize>> = BTreeMap::new();
        for (r, (n, _, _)) in self.per_rule.iter().enumerate() {
            if *n > 0 {
                groups.entry(key(r)).or_default().push(r);
            }
        }
        groups
    }

    /// Findings of a group of rules.
    fn findings_of(&self, rs: &[usize]) -> u64 {
        rs.iter().map(|&r| self.per_rule[r].0).sum()
    }

    /// Findings and distinct values per category: the union of the per-rule
    /// fingerprint sets, so one value found by two rules counts once.
    fn by_category(&self, rules: &[RuleMeta]) -> BTreeMap<&'static str, CategoryCount> {
        self.rules_by(|r| rules[r].category)
            .into_iter()
            .map(|(c, rs)| {
                let count = CategoryCount {
                    findings: self.findings_of(&rs),
                    distinct: distinct_union(rs.iter().map(|&r| &self.per_rule[r].1)),
                };
                (c, count)
            })
            .collect()
    }

    /// Findings, distinct values and distinct users per kind: unions of the
    /// sets of the rules of that kind.
    fn by_kind(&self, rules: &[RuleMeta]) -> BTreeMap<String, KindCount> {
        self.rules_by(|r| rules[r].kind.as_str())
            .into_iter()
            .map(|(kind, rs)| {
                let users = distinct_union(rs.iter().map(|&r| &self.per_rule[r].2));
                let c = KindCount {
                    findings: self.findings_of(&rs),
                    distinct: distinct_union(rs.iter().map(|&r| &self.per_rule[r].1)),
                    users: (users > 0).then_some(users),
                };
                (kind.to_string(), c)
            })
            .collect()
    }

    /// Counts a batch of findings (one input's, in order).
    pub fn add(&mut self, rules: &[RuleMeta], batch: &[Finding]) {
        if self.per_rule.len() < rules.len() {
            self.per_rule.resize_with(rules.len(), Default::default);
        }
        // Group the batch by the shared path and field strings first (the
        // findings of one chunk share them), so each string is hashed and
        // normalised once per group, not once per finding. The groups are
        // kept in batch order: a JSON document's findings each have their
        // own field string, and reading them in hash order cost a cache
        // miss per finding.
        let mut shared: FxHashMap<(u32, *const u8, Option<*const u8>), usize> =
            FxHashMap::default();
        let mut groups: Vec<(&Finding, u64)> = Vec::new();
        for f in batch {
            let short = u64::from_le_bytes(f.fingerprint[..8].try_into().unwrap());
            let r = &mut self.per_rule[f.rule as usize];
            r.0 += 1;
            r.1.insert(short);
            if let Some(s) = f.subject {
                r.2.insert(u64::from_le_bytes(s[..8].try_into().unwrap()));
            }
            let field = f.location.field.as_deref().map(str::as_ptr);
            let key = (f.rule, f.location.path.as_ptr(), field);
            let next = groups.len();
            let g = *shared.entry(key).or_insert(next);
            if g == next {
                groups.push((f, 0));
            }
            groups[g].1 += 1;
        }
        let mut cells: FxHashMap<(u32, &str, Option<Cow<str>>), u64> = FxHashMap::default();
        for (f, n) in groups {
            let field = f.location.field.as_deref().map(field_key);
            *cells.entry((f.rule, &f.location.path, field)).or_default() += n;
        }
        for ((rule, path, field), n) in cells {
            *self.per_file.entry(path.to_string()).or_default() += n;
            if let Some(field) = &field {
                *self.per_field.entry(field.to_string()).or_default() += n;
            }
            let key = (
                rules[rule as usize].id.clone(),
                path.to_string(),
                field.unwrap_or_default().into_owned(),
            );
            *self.per_cell.entry(key).or_default() += n;
            self.total += n;
        }
    }
}

#[derive(Serialize)]
pub struct RuleCount {
    pub category: &'static str,
    pub severity: &'static str,
    pub findings: u64,
    /// Distinct normalised values (fingerprints).
    pub distinct: u64,
}

/// One data category: what a breach notice needs.
#[derive(Serialize)]
pub struct KindCount {
    pub findings: u64,
    /// Distinct values.
    pub distinct: u64,
    /// Distinct users (records' user ids, where a vendor preset names them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<u64>,
}

#[derive(Serialize)]
pub struct CategoryCount {
    pub findings: u64,
    pub distinct: u64,
}

#[derive(Serialize)]
pub struct Cell {
    pub rule: String,
    pub path: String,
    pub field: Option<String>,
    pub findings: u64,
}

#[derive(Serialize, Default)]
pub struct FileCounts {
    pub scanned: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Binary files whose printable strings were scanned.
    pub binary_strings: u64,
}

#[derive(Serialize)]
pub struct FileEntry {
    pub path: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    pub compression: Vec<&'static str>,
    pub bytes: u64,
    pub records: u64,
    pub findings: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The vendor preset applied to this input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Values replaced in this input's redacted copy (when one was written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<u64>,
}

/// What a run with redacted copies wrote.
#[derive(Serialize)]
pub struct RedactionJson {
    /// The folder holding the copies.
    pub output: String,
    /// The default mode and the overrides (`pii.email` → `hash`).
    pub mode: String,
    pub modes: BTreeMap<String, String>,
    /// The id of the key behind `hash` tokens (never the key).
    pub key_id: String,
    /// Copies written (inputs not fully scanned get none).
    pub files_written: u64,
    pub values_replaced: u64,
}

#[derive(Serialize)]
pub struct KeyJson {
    /// Where the fingerprint key came from (never the key itself).
    pub source: String,
    pub id: String,
}

/// The whole `summary.json` document.
#[derive(Serialize)]
pub struct SummaryJson {
    pub tool: &'static str,
    pub version: &'static str,
    /// False when any input failed or the run was interrupted.
    pub complete: bool,
    pub elapsed_ms: u64,
    pub bytes_scanned: u64,
    pub rules: usize,
    pub key: KeyJson,
    pub files: FileCounts,
    pub findings: u64,
    pub by_rule: BTreeMap<String, RuleCount>,
    pub by_category: BTreeMap<&'static str, CategoryCount>,
    /// Per data category (`pii.email`, `pii.location`): findings, distinct
    /// values and distinct affected users.
    pub by_kind: BTreeMap<String, KindCount>,
    pub by_file: BTreeMap<String, u64>,
    pub by_field: BTreeMap<String, u64>,
    /// Counts per rule × file × field.
    pub counts: Vec<Cell>,
    pub inputs: Vec<FileEntry>,
    /// Present when redacted copies were written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redaction: Option<RedactionJson>,
}

impl SummaryJson {
    /// Builds the document from the tally.
    pub fn build(t: &Tally, rules: &[RuleMeta], key: KeyJson, elapsed_ms: u64) -> Self {
        let mut files = FileCounts::default();
        let mut inputs: Vec<FileEntry> =
            t.files.iter().map(|o| file_entry(o, &mut files)).collect();
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        SummaryJson {
            tool: "leakscope",
            version: env!("CARGO_PKG_VERSION"),
            complete: files.failed == 0,
            elapsed_ms,
            bytes_scanned: t.files.iter().map(|f| f.bytes).sum(),
            rules: rules.len(),
            key,
            files,
            findings: t.total,
            by_rule: t
                .per_rule
                .iter()
                .enumerate()
                .filter(|(_, (n, _, _))| *n > 0)
                .map(|(r, (n, set, _))| {
                    let m = &rules[r];
                    let rc = RuleCount {
                        category: m.category,
                        severity: m.severity,
                        findings: *n,
                        distinct: set.len() as u64,
                    };
                    (m.id.clone(), rc)
                })
                .collect(),
            by_category: t.by_category(rules),
            by_kind: t.by_kind(rules),
            by_file: t.per_file.clone(),
            by_field: t.per_field.clone(),
            counts: t
                .per_cell
                .iter()
                .map(|((rule, path, field), n)| Cell {
                    rule: rule.clone(),
                    path: path.clone(),
                    field: (!field.is_empty()).then(|| field.clone()),
                    findings: *n,
                })
                .collect(),
            inputs,
            redaction: None,
        }
    }
}

fn file_entry(o: &FileOutcome, counts: &mut FileCounts) -> FileEntry {
    let (status, reason) = match &o.status {
        Status::Scanned => ("scanned", None),
        Status::Skipped(w) => ("skipped", Some(w.clone())),
        Status::Failed(w) => ("failed", Some(w.clone())),
    };
    match status {
        "scanned" => counts.scanned += 1,
        "skipped" => counts.skipped += 1,
        _ => counts.failed += 1,
    }
    if status == "scanned" && o.format == Some(crate::decode::Format::Binary) {
        counts.binary_strings += 1;
    }
    FileEntry {
        path: o.path.to_string(),
        status,
        format: o.format.map(|f| f.as_str()),
        compression: o.layers.clone(),
        bytes: o.bytes,
        records: o.records,
        findings: o.findings,
        reason,
        warnings: o.warnings.clone(),
        preset: o.preset.clone(),
        replaced: o.replaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
    use std::sync::Arc;

    #[test]
    fn fields_count_without_array_indexes() {
        assert_eq!(
            field_key("$[1834].properties.$email"),
            "$[*].properties.$email"
        );
        assert_eq!(field_key("$.items[3].tags[12]"), "$.items[*].tags[*]");
        assert!(matches!(field_key("$.properties.$email"), Cow::Borrowed(_)));
        assert_eq!(field_key("tags[]"), "tags[]");
        assert_eq!(field_key("props.a[b]"), "props.a[b]");
    }

    #[test]
    fn equal_names_count_together_whichever_string_holds_them() {
        let meta = |id: &str| RuleMeta {
            id: id.into(),
            category: "pii",
            severity: "low",
            kind: id.into(),
        };
        let rules = [meta("pii.a"), meta("pii.b")];
        let finding = |rule: u32, path: &Arc<str>, field: &str, n: u8| Finding {
            rule,
            location: Location {
                path: path.clone(),
                record: Some(1),
                field: Some(field.into()),
                start: 0,
                end: 1,
            },
            preview: Default::default(),
            fingerprint: [n; 32],
            value: None,
            subject: None,
        };
        let (a, b): (Arc<str>, Arc<str>) = ("a.ndjson".into(), "b.ndjson".into());
        let shared: Arc<str> = "$.ip".into();
        let mut same = finding(0, &a, "$.ip", 1);
        same.location.field = Some(shared.clone());
        let mut again = finding(0, &a, "$.ip", 2);
        again.location.field = Some(shared.clone());
        let mut other_rule = finding(1, &a, "$.ip", 5);
        other_rule.location.field = Some(shared);
        let batch = [
            same,
            again,
            other_rule,
            finding(0, &a, "$.ip", 1), // an equal name in another string
            finding(0, &b, "$.ip", 3), // another file
            finding(1, &a, "$[7].mail", 4), // another rule, an indexed name
            finding(1, &a, "$[12].mail", 4), // the same field, counted once
        ];
        let mut t = Tally::default();
        t.add(&rules, &batch);
        assert_eq!(t.total, 7);
        let files: Vec<(&str, u64)> = t.per_file.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(files, [("a.ndjson", 6), ("b.ndjson", 1)]);
        let fields: Vec<(&str, u64)> = t.per_field.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(fields, [("$.ip", 5), ("$[*].mail", 2)]);

        let cell = |r: &str, p: &str, f: &str| t.per_cell[&(r.into(), p.into(), f.into())];
        assert_eq!(cell("pii.a", "a.ndjson", "$.ip"), 3);
        assert_eq!(cell("pii.b", "a.ndjson", "$.ip"), 1);
        assert_eq!(cell("pii.b", "a.ndjson", "$[*].mail"), 2);
        assert_eq!((t.per_rule[0].0, t.per_rule[0].1.len()), (4, 3));
    }

    #[test]
    fn users_count_once_per_kind_whichever_rules_found_them() {
        let meta = |id: &str, kind: &str| RuleMeta {
            id: id.into(),
            category: "pii",
            severity: "low",
            kind: kind.into(),
        };
        // Two rules of one kind (a city and a country field), one of another.
        let rules = [
            meta("pii.city", "pii.location"),
            meta("pii.email", "pii.email"),
            meta("pii.country", "pii.location"),
        ];
        let path: Arc<str> = "a.ndjson".into();
        let finding = |rule: u32, user: u8| Finding {
            rule,
            location: Location {
                path: path.clone(),
                record: Some(1),
                field: None,
                start: 0,
                end: 1,
            },
            preview: Default::default(),
            fingerprint: [rule as u8; 32],
            value: None,
            subject: Some([user; 32]),
        };
        let mut t = Tally::default();
        t.add(
            &rules,
            &[finding(0, 1), finding(2, 1), finding(1, 1), finding(2, 2)],
        );
        t.add(&rules, &[finding(0, 3)]);
        let kinds = t.by_kind(&rules);
        assert_eq!(kinds["pii.location"].users, Some(3));
        assert_eq!(kinds["pii.location"].findings, 4);
        assert_eq!(kinds["pii.email"].users, Some(1));
    }
}
