//! `rules check`: proves a rule set is sound before it is used.
//!
//! Each rule's examples run through the real scanning path (prefilter,
//! windows, escape views, validators), so a wrong keyword fails as surely as a
//! wrong regex. Beyond the examples it rejects duplicate ids, malformed ids,
//! rules that do not compile, keyword-less rules without a trigger, keywords
//! too short to be selective, and rules that are slow on their own: too many
//! keyword hits, or too many regex windows (or window bytes), on a clean
//! sample export. Cost is counted rather than timed, so a verdict does not
//! depend on the machine or its load.

use super::Rule;
use crate::corpus::{Generator, Rates};
use crate::decode::{scan_buffer, BufScratch};
use crate::engine::Engine;
use std::collections::HashSet;

/// Most keyword hits per MiB of clean sample data a rule may have.
const MAX_HITS_PER_MIB: usize = 4000;
/// Most regex windows per MiB of clean sample data one rule may cause (the
/// busiest built-in, the IPv4 rule, has about 290).
const MAX_WINDOWS_PER_MIB: usize = 4000;
/// Most bytes those windows may cover per MiB of clean sample data (the
/// IPv4 rule: about 5 KiB).
const MAX_WINDOW_BYTES_PER_MIB: usize = 64 << 10;
/// Single-byte keywords allowed (each gets its own memchr pass).
const SINGLE_BYTE_KEYWORDS: &[&str] = &["@"];

/// One problem found, naming its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub rule: String,
    pub message: String,
}

fn problem(rule: &Rule, message: String) -> Problem {
    Problem {
        rule: rule.id.clone(),
        message: format!("{message} ({})", rule.origin),
    }
}

/// Checks `rules`; an empty result means the set is sound. With `cost`, the
/// per-rule regex-load lint runs too.
pub fn check_rules(rules: &[Rule], cost: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut sound = Vec::new();
    for r in rules {
        let before = problems.len();
        if !seen.insert(r.id.clone()) {
            problems.push(problem(r, "duplicate rule id".into()));
        }
        shape_problems(r, &mut problems);
        if problems.len() == before {
            let engine = Engine::new(std::slice::from_ref(r));
            if let Err(e) = engine.and_then(|e| e.compile_all()) {
                problems.push(problem(r, format!("{e:#}")));
            }
        }
        if problems.len() == before {
            sound.push(r.clone());
        }
    }
    let Ok(engine) = Engine::new(&sound) else {
        return problems;
    };
    example_problems(&engine, &mut problems);
    let sample = sample_export();
    hit_rate_problems(&engine, &sample, &mut problems);
    if cost {
        for r in &sound {
            load_problem(r, &sample, &mut problems);
        }
    }
    problems
}

fn shape_problems(r: &Rule, out: &mut Vec<Problem>) {
    let prefix = format!("{}.", r.category.as_str());
    if !r.id.starts_with(&prefix)
        || r.id.split('.').count() < 2
        || r.id.contains(char::is_whitespace)
    {
        out.push(problem(
            r,
            format!("id must look like {prefix}<provider>.<name>"),
        ));
    }
    for k in &r.keywords {
        if k.len() < 3 && !SINGLE_BYTE_KEYWORDS.contains(&k.as_str()) {
            out.push(problem(
                r,
                format!("keyword {k:?} is shorter than 3 bytes: too common to prefilter on"),
            ));
        }
    }
    if r.keywords.is_empty() && r.trigger.is_none() {
        out.push(problem(
            r,
            "no keywords: add anchor literals, or declare a keyword-less `trigger`".into(),
        ));
    }
    if r.examples.len() < 2 || r.negative_examples.is_empty() {
        out.push(problem(
            r,
            "needs at least two examples and one negative example".into(),
        ));
    }
    if r.description.trim().is_empty() {
        out.push(problem(
            r,
            "needs a description: what it finds and why it matters".into(),
        ));
    }
}

/// Runs every example through the full scanning path. A positive example
/// may be reported by another rule of the same kind on the same value (a
/// field rule's example names the number too, and the two report it once).
fn example_problems(engine: &Engine, out: &mut Vec<Problem>) {
    let mut scratch = BufScratch::new(engine);
    let mut matches = Vec::new();
    for (i, cr) in engine.rules().iter().enumerate() {
        let r = &cr.rule;
        let mut found = |text: &str, same_kind: bool| {
            matches.clear();
            scan_buffer(engine, text.as_bytes(), &mut scratch, &mut matches);
            matches
                .iter()
                .any(|m| m.rule as usize == i || (same_kind && engine.same_kind(m.rule, i as u32)))
        };
        for ex in &r.examples {
            if !found(ex, true) {
                out.push(problem(r, format!("example does not match: {ex:?}")));
            }
        }
        for ex in &r.negative_examples {
            if found(ex, false) {
                out.push(problem(r, format!("negative example matches: {ex:?}")));
            }
        }
    }
}

/// A clean 1 MiB Mixpanel-style export (no planted values).
fn sample_export() -> Vec<u8> {
    let mut buf = Vec::with_capacity(1 << 20);
    let rates = Rates {
        email: 0.0,
        ip: 0.0,
        secret: 0.0,
        pii: 0.0,
    };
    Generator::with_rates(0x5eed, rates).ndjson("sample", &mut buf, 1 << 20, 1);
    buf
}

fn hit_rate_problems(engine: &Engine, sample: &[u8], out: &mut Vec<Problem>) {
    for prefilter in engine.prefilters() {
        let counts = prefilter.hits_per_literal(sample);
        for ((lit, rules, _), hits) in prefilter.literals().iter().zip(counts) {
            if hits <= MAX_HITS_PER_MIB {
                continue;
            }
            for &r in rules {
                let rule = &engine.rules()[r as usize].rule;
                let msg = format!(
                    "keyword {:?} hits {hits} times per MiB of a clean export (limit {MAX_HITS_PER_MIB}): choose a more selective keyword",
                    String::from_utf8_lossy(lit)
                );
                out.push(problem(rule, msg));
            }
        }
    }
}

/// Windows and window bytes one rule alone asks its regex to search on the
/// clean sample, against [`MAX_WINDOWS_PER_MIB`] and
/// [`MAX_WINDOW_BYTES_PER_MIB`]. Counted, not timed: the same rule gets the
/// same verdict on any machine under any load.
fn load_problem(r: &Rule, sample: &[u8], out: &mut Vec<Problem>) {
    let Ok(engine) = Engine::new(std::slice::from_ref(r)) else {
        return;
    };
    let mut scratch = engine.scratch();
    let (windows, bytes) = engine.window_load(sample, &mut scratch);
    let mib = sample.len() as f64 / f64::from(1u32 << 20);
    let (per_mib, bytes_per_mib) = (windows as f64 / mib, bytes as f64 / mib);
    if per_mib > MAX_WINDOWS_PER_MIB as f64 || bytes_per_mib > MAX_WINDOW_BYTES_PER_MIB as f64 {
        out.push(problem(
            r,
            format!(
                "costly on its own: its regex would search {per_mib:.0} windows ({:.0} KiB) per MiB of a clean export (limits {MAX_WINDOWS_PER_MIB} windows, {} KiB): narrow its keywords, shape or window",
                bytes_per_mib / 1024.0,
                MAX_WINDOW_BYTES_PER_MIB >> 10
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    const GOOD: &str = r#"
[[rule]]
id = "secret.fake.tok"
name = "Fake"
category = "secret"
severity = "high"
description = "A fake token."
keywords = ["tok_"]
pattern = '\b(tok_[a-z]{8})\b'
examples = ['x tok_abcdefgh', '"t":"tok_qwertyui"']
negative_examples = ['tok_abc']
"#;

    fn problems(toml: &str) -> Vec<String> {
        check_rules(&parse_rule_file("t.toml", toml).unwrap(), false)
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn a_sound_rule_passes() {
        assert_eq!(problems(GOOD), Vec::<String>::new());
    }

    #[test]
    fn each_defect_is_reported() {
        let dup = format!("{GOOD}{GOOD}");
        assert!(problems(&dup).iter().any(|m| m.contains("duplicate")));
        let bad_example = GOOD.replace("x tok_abcdefgh", "x tok_ABCDEFGH");
        assert!(problems(&bad_example)
            .iter()
            .any(|m| m.contains("example does not match")));
        let bad_negative = GOOD.replace("'tok_abc'", "'tok_zzzzzzzz'");
        assert!(problems(&bad_negative)
            .iter()
            .any(|m| m.contains("negative example matches")));
        let no_kw = GOOD.replace(r#"keywords = ["tok_"]"#, "");
        assert!(problems(&no_kw).iter().any(|m| m.contains("no keywords")));
        let short = GOOD.replace(r#"["tok_"]"#, r#"["to"]"#);
        assert!(problems(&short)
            .iter()
            .any(|m| m.contains("shorter than 3")));
        let broken = GOOD.replace(r"'\b(tok_[a-z]{8})\b'", "'(unclosed'");
        assert!(problems(&broken)
            .iter()
            .any(|m| m.contains("does not compile")));
        let bad_id = GOOD.replace("secret.fake.tok", "pii.fake.tok");
        assert!(problems(&bad_id)
            .iter()
            .any(|m| m.contains("id must look like")));
    }

    #[test]
    fn rules_that_would_search_too_much_are_rejected() {
        let costly = |toml: &str| {
            check_rules(&parse_rule_file("t.toml", toml).unwrap(), true)
                .into_iter()
                .any(|p| p.message.contains("costly on its own"))
        };
        assert!(!costly(GOOD));
        // Every run of 1-20 digits of the export (timestamps, versions,
        // screen sizes) becomes a window of the whole line around it.
        let digits = GOOD
            .replace(
                r#"keywords = ["tok_"]"#,
                "trigger = \"digits\"\nshape = { digits = [1, 20] }\nwindow = 4096",
            )
            .replace(r"'\b(tok_[a-z]{8})\b'", r"'\b(tok_[a-z]{8}[0-9]+)\b'")
            .replace(
                "'x tok_abcdefgh', '\"t\":\"tok_qwertyui\"'",
                "'x tok_abcdefgh1', '\"t\":\"tok_qwertyui22\"'",
            );
        assert!(costly(&digits), "{digits}");
        // A selective keyword with a window of the whole buffer.
        let multiline = GOOD.replace("pattern =", "multiline = true\npattern =");
        let everywhere = multiline.replace(r#"["tok_"]"#, r#"["event"]"#);
        assert!(costly(&everywhere));
    }

    #[test]
    fn common_keywords_are_rejected() {
        let common = GOOD.replace(r#"["tok_"]"#, r#"["\",\""]"#);
        assert!(problems(&common).iter().any(|m| m.contains("hits")));
    }
}
