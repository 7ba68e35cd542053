//! The matching engine: rules compiled once, shared read-only by all threads.
//!
//! Scanning a buffer is three steps, cheapest first:
//! 1. the [`prefilter`] and the keyword-less [`trigger`]s propose candidates
//!    (a rule and a position) in one pass each over the bytes;
//! 2. each candidate becomes a bounded *window* around the hit, clamped to its
//!    line (or to the buffer for multi-line rules); overlapping windows of the
//!    same rule are merged so no byte is searched twice by one rule;
//! 3. the rule's regex (Unicode off) runs only inside its windows, seeing the
//!    bytes outside for look-around (`\b`), and each match passes the rule's
//!    validators before it becomes a [`Hit`].
//!
//! Regex caches and candidate buffers live in a per-thread [`Scratch`] taken
//! from a small pool, so the hot path does not allocate per record.

pub mod prefilter;
pub mod trigger;

use crate::rules::{Rule, Trigger};
use crate::validate::{Ctx, Validator};
use anyhow::{bail, Context, Result};
use prefilter::{Candidate, Prefilter};
use regex_automata::{meta, util::syntax, Input};
use std::sync::Mutex;

/// Largest compiled size allowed for one rule's regex.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// A confirmed, validated match: the value span of a rule in the haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Start of the value (capture group 1, or the whole match).
    pub start: usize,
    /// End (exclusive) of the value.
    pub end: usize,
    /// Index of the rule in [`Engine::rules`].
    pub rule: u32,
}

/// A rule ready to run. Invariant: `group` is a capture group of `regex`.
#[derive(Debug)]
pub struct CompiledRule {
    /// The rule as written.
    pub rule: Rule,
    regex: meta::Regex,
    /// 1 when the pattern has a capture group, else 0 (the whole match).
    group: usize,
    validators: Vec<Validator>,
}

/// Per-thread buffers: one regex cache per rule, capture slots, candidates.
pub struct Scratch {
    caches: Vec<meta::Cache>,
    slots: Vec<Option<regex_automata::util::primitives::NonMaxUsize>>,
    candidates: Vec<Candidate>,
    windows: Vec<(u32, usize, usize)>,
}

/// All rules compiled, with the prefilter over their keywords.
pub struct Engine {
    rules: Vec<CompiledRule>,
    prefilter: Prefilter,
    /// Rules per keyword-less trigger.
    digit_rules: Vec<u32>,
    dotted_rules: Vec<u32>,
    hexcolon_rules: Vec<u32>,
    pool: Mutex<Vec<Scratch>>,
}

/// Compiles one rule's pattern with Unicode off, multi-line anchors (so `$`
/// and `^` hold at the edges of a line-clamped window) and a size limit.
pub fn compile_pattern(pattern: &str) -> Result<meta::Regex> {
    meta::Regex::builder()
        .syntax(
            syntax::Config::new()
                .unicode(false)
                .utf8(false)
                .multi_line(true),
        )
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .onepass_size_limit(Some(REGEX_SIZE_LIMIT))
                .dfa_size_limit(Some(REGEX_SIZE_LIMIT)),
        )
        .build(pattern)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn compile_rule(rule: &Rule) -> Result<CompiledRule> {
    let regex = compile_pattern(&rule.pattern).with_context(|| {
        format!(
            "rule {} ({}): pattern does not compile",
            rule.id, rule.origin
        )
    })?;
    let group = usize::from(
        regex
            .group_info()
            .group_len(regex_automata::PatternID::ZERO)
            > 1,
    );
    let validators = rule
        .validate
        .iter()
        .map(|v| Validator::parse(v))
        .collect::<Result<Vec<_>>>()
        .with_context(|| format!("rule {} ({})", rule.id, rule.origin))?;
    if rule.keywords.is_empty() && rule.trigger.is_none() {
        bail!(
            "rule {} ({}) has no keywords and no trigger",
            rule.id,
            rule.origin
        );
    }
    if rule.trigger == Some(Trigger::Digits) && rule.digits.is_none() {
        bail!(
            "rule {} ({}): trigger \"digits\" needs a `digits = [min, max]` range",
            rule.id,
            rule.origin
        );
    }
    Ok(CompiledRule {
        rule: rule.clone(),
        regex,
        group,
        validators,
    })
}

impl Engine {
    /// Compiles every rule; fails on the first rule that does not compile.
    pub fn new(rules: &[Rule]) -> Result<Self> {
        let compiled = rules.iter().map(compile_rule).collect::<Result<Vec<_>>>()?;
        let keywords: Vec<(u32, Vec<String>)> = compiled
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.rule.keywords.is_empty())
            .map(|(i, c)| (i as u32, c.rule.keywords.clone()))
            .collect();
        let by_trigger = |t: Trigger| -> Vec<u32> {
            compiled
                .iter()
                .enumerate()
                .filter(|(_, c)| c.rule.trigger == Some(t))
                .map(|(i, _)| i as u32)
                .collect()
        };
        Ok(Engine {
            prefilter: Prefilter::new(&keywords)?,
            digit_rules: by_trigger(Trigger::Digits),
            dotted_rules: by_trigger(Trigger::Dotted),
            hexcolon_rules: by_trigger(Trigger::Hexcolon),
            rules: compiled,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// The compiled rules, indexed by [`Hit::rule`].
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The keyword prefilter (for linting).
    pub fn prefilter(&self) -> &Prefilter {
        &self.prefilter
    }

    /// Takes a scratch space from the pool (or makes one).
    pub fn scratch(&self) -> Scratch {
        if let Some(s) = self.pool.lock().unwrap().pop() {
            return s;
        }
        Scratch {
            caches: self.rules.iter().map(|r| r.regex.create_cache()).collect(),
            slots: Vec::with_capacity(4),
            candidates: Vec::new(),
            windows: Vec::new(),
        }
    }

    /// Returns a scratch space to the pool.
    pub fn give_back(&self, s: Scratch) {
        self.pool.lock().unwrap().push(s);
    }

    /// Appends every validated hit in `hay` to `out` (unordered).
    pub fn scan(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<Hit>) {
        scratch.candidates.clear();
        scratch.windows.clear();
        self.prefilter.candidates(hay, &mut scratch.candidates);
        self.keyword_windows(hay, scratch);
        self.trigger_windows(hay, &mut scratch.windows);
        merge_windows(&mut scratch.windows);
        for i in 0..scratch.windows.len() {
            let (rule, start, end) = scratch.windows[i];
            self.confirm(rule, hay, start, end, scratch, out);
        }
    }

    /// Turns keyword candidates into windows clamped to their line.
    fn keyword_windows(&self, hay: &[u8], scratch: &mut Scratch) {
        let mut line = (usize::MAX, 0usize);
        for c in &scratch.candidates {
            let rule = &self.rules[c.rule as usize].rule;
            let (lo, hi) = if rule.multiline {
                (0, hay.len())
            } else {
                if !(line.0 <= c.pos && c.pos < line.1) {
                    line = line_bounds(hay, c.pos);
                }
                line
            };
            let start = c.pos.saturating_sub(rule.window).max(lo);
            let end = (c.pos + c.len + rule.window).min(hi);
            scratch.windows.push((c.rule, start, end));
        }
    }

    /// Proposes windows for keyword-less rules from the shared triggers.
    fn trigger_windows(&self, hay: &[u8], windows: &mut Vec<(u32, usize, usize)>) {
        let pad = |r: u32, s: usize, e: usize| {
            let w = self.rules[r as usize].rule.window;
            (r, s.saturating_sub(w), (e + w).min(hay.len()))
        };
        if !self.digit_rules.is_empty() || !self.dotted_rules.is_empty() {
            trigger::digit_clusters(hay, |c| {
                for &r in &self.digit_rules {
                    let [lo, hi] = self.rules[r as usize].rule.digits.unwrap_or([0, 0]);
                    if c.may_hold(lo, hi) {
                        windows.push(pad(r, c.start, c.end));
                    }
                }
                if c.dots >= 3 && c.may_hold(4, 12) {
                    windows.extend(self.dotted_rules.iter().map(|&r| pad(r, c.start, c.end)));
                }
            });
        }
        if !self.hexcolon_rules.is_empty() {
            trigger::hexcolon_runs(hay, |s, e| {
                windows.extend(self.hexcolon_rules.iter().map(|&r| pad(r, s, e)));
            });
        }
    }

    /// Runs one rule's regex over `hay[start..end]` and validates each match.
    fn confirm(
        &self,
        rule: u32,
        hay: &[u8],
        start: usize,
        end: usize,
        scratch: &mut Scratch,
        out: &mut Vec<Hit>,
    ) {
        let cr = &self.rules[rule as usize];
        let cache = &mut scratch.caches[rule as usize];
        scratch.slots.clear();
        scratch.slots.resize(2 * (cr.group + 1), None);
        let mut at = start;
        while at < end {
            let input = Input::new(hay).range(at..end);
            if cr
                .regex
                .search_slots_with(cache, &input, &mut scratch.slots)
                .is_none()
            {
                break;
            }
            let whole_end = scratch.slots[1].map_or(end, |v| v.get());
            let whole_start = scratch.slots[0].map_or(at, |v| v.get());
            at = whole_end.max(whole_start + 1);
            let (Some(s), Some(e)) = (scratch.slots[2 * cr.group], scratch.slots[2 * cr.group + 1])
            else {
                continue;
            };
            let ctx = Ctx {
                hay,
                start: s.get(),
                end: e.get(),
            };
            if ctx.start < ctx.end && cr.validators.iter().all(|v| v.check(&ctx)) {
                out.push(Hit {
                    start: ctx.start,
                    end: ctx.end,
                    rule,
                });
            }
        }
    }
}

/// The line around `pos`: from after the previous `\n` to before the next.
pub fn line_bounds(hay: &[u8], pos: usize) -> (usize, usize) {
    let lo = memchr::memrchr(b'\n', &hay[..pos]).map_or(0, |i| i + 1);
    let hi = memchr::memchr(b'\n', &hay[pos..]).map_or(hay.len(), |i| pos + i);
    (lo, hi)
}

/// Sorts windows by rule and start, and merges overlapping ones of a rule.
fn merge_windows(w: &mut Vec<(u32, usize, usize)>) {
    if w.len() < 2 {
        return;
    }
    w.sort_unstable();
    let mut out = 0;
    for i in 1..w.len() {
        let cur = w[i];
        let last = &mut w[out];
        if cur.0 == last.0 && cur.1 <= last.2 {
            last.2 = last.2.max(cur.2);
        } else {
            out += 1;
            w[out] = cur;
        }
    }
    w.truncate(out + 1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn engine(toml: &str) -> Engine {
        Engine::new(&parse_rule_file("test.toml", toml).unwrap()).unwrap()
    }

    fn values(e: &Engine, hay: &str) -> Vec<(String, String)> {
        let mut s = e.scratch();
        let mut hits = Vec::new();
        e.scan(hay.as_bytes(), &mut s, &mut hits);
        hits.sort();
        hits.iter()
            .map(|h| {
                (
                    e.rules()[h.rule as usize].rule.id.clone(),
                    hay[h.start..h.end].to_string(),
                )
            })
            .collect()
    }

    const FAKE: &str = r#"
[[rule]]
id = "secret.fake.tok"
name = "Fake token"
category = "secret"
severity = "high"
keywords = ["tok_"]
pattern = '\b(tok_[a-z0-9]{8})\b'
validate = ["placeholder"]
window = 32

[[rule]]
id = "pii.fake.num"
name = "Fake number"
category = "pii"
severity = "low"
trigger = "digits"
digits = [6, 6]
pattern = '\b(\d{3}-\d{3})\b'
window = 2
"#;

    #[test]
    fn keyword_window_regex_and_validator() {
        let e = engine(FAKE);
        assert_eq!(
            values(
                &e,
                "a tok_abc12345 b tok_xxxxxxxx tok_short 123-456 1234-567"
            ),
            vec![
                ("secret.fake.tok".into(), "tok_abc12345".into()),
                ("pii.fake.num".into(), "123-456".into()),
            ]
        );
    }

    #[test]
    fn windows_stay_on_their_line_and_word_boundaries_see_outside() {
        let e = engine(FAKE);
        // The match would need the previous line; `\b` sees the `x` before the window.
        assert!(values(&e, "xtok_abc12345").is_empty());
        assert_eq!(values(&e, "x\ntok_abc12345\ny").len(), 1);
        // A keyword far past the window: the value must be near the keyword.
        let far = format!("tok_ {} abc12345", " ".repeat(100));
        assert!(values(&e, &far).is_empty());
    }

    #[test]
    fn rules_without_keyword_or_trigger_are_rejected() {
        let rules = parse_rule_file(
            "t.toml",
            "[[rule]]\nid='a.b.c'\nname='x'\ncategory='pii'\nseverity='low'\npattern='x'\n",
        )
        .unwrap();
        assert!(Engine::new(&rules).is_err());
    }

    #[test]
    fn merge_windows_table() {
        let mut w = vec![(1, 5, 10), (0, 0, 4), (1, 8, 12), (1, 12, 14), (1, 20, 22)];
        merge_windows(&mut w);
        assert_eq!(w, vec![(0, 0, 4), (1, 5, 14), (1, 20, 22)]);
    }
}
