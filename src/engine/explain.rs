//! Why a value was or was not reported: `leakscope rules why`.
//!
//! A user who expected a finding, or a rule author tuning a rule, needs to
//! know which step dropped a value. The scan keeps no such trail (it would
//! cost the hot path), so this runs the steps again on a small text, apart:
//! every rule's regex over the whole text, then for each value its pattern
//! matches, the first step that dropped it: a validator (named), a
//! redaction marker, no keyword or trigger near it, or a more confident
//! rule that found the same bytes.

use super::{value_span, Engine, Hit};
use crate::validate::{is_redacted, Ctx, Validator};
use regex_automata::Input;

/// What became of one value a rule's pattern matches.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A finding.
    Reported,
    /// The first of the rule's validators that rejected it.
    Rejected(Validator),
    /// It sits inside a redaction marker (`[REDACTED:…]`, `tok_…`).
    Redacted,
    /// The rule's keywords or trigger never proposed this part of the text,
    /// so its regex did not run there.
    NotProposed,
    /// A more confident rule (or another rule of the same kind) reported
    /// the same bytes: this index names it.
    Dominated(u32),
}

/// One value a rule's pattern matches, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub rule: u32,
    pub start: usize,
    pub end: usize,
    pub outcome: Outcome,
}

impl Engine {
    /// Every value some rule's pattern matches in `hay`, in rule order, each
    /// with what the scan made of it. The text is taken as it is (JSON
    /// escapes are not decoded). Compiles every rule: for short texts.
    pub fn explain(&self, hay: &[u8]) -> Vec<Verdict> {
        let (proposed, reported) = self.hits_before_and_after_dominance(hay);
        let mut out = Vec::new();
        for rule in 0..self.rules.len() as u32 {
            for (start, end) in self.pattern_values(rule, hay) {
                let hit = Hit { start, end, rule };
                let outcome = if reported.contains(&hit) {
                    Outcome::Reported
                } else if proposed.contains(&hit) {
                    Outcome::Dominated(dominating(&reported, &hit))
                } else {
                    self.dropped_by(rule, hay, start, end)
                };
                out.push(Verdict {
                    rule,
                    start,
                    end,
                    outcome,
                });
            }
        }
        // A reported value the whole-text pattern runs did not list (a
        // window's edge can change where a match starts): listed too.
        for h in &reported {
            if !out
                .iter()
                .any(|v| (v.rule, v.start, v.end) == (h.rule, h.start, h.end))
            {
                out.push(Verdict {
                    rule: h.rule,
                    start: h.start,
                    end: h.end,
                    outcome: Outcome::Reported,
                });
            }
        }
        out.sort_by_key(|v| (v.rule, v.start, v.end));
        out
    }

    /// The validated hits of a scan of `hay`, and those left after
    /// [`Engine::drop_dominated`].
    fn hits_before_and_after_dominance(&self, hay: &[u8]) -> (Vec<Hit>, Vec<Hit>) {
        let mut scratch = self.scratch();
        let mut proposed = Vec::new();
        self.propose(hay, &mut scratch, &mut proposed);
        let touched = std::mem::take(&mut scratch.touched);
        let windows = std::mem::take(&mut scratch.windows);
        for &rule in &touched {
            for &(start, end) in &windows[rule as usize] {
                self.confirm(rule, hay, start, end, &mut scratch, &mut proposed);
            }
        }
        scratch.touched = touched;
        scratch.windows = windows;
        scratch.clear_windows();
        self.give_back(scratch);
        let mut reported = proposed.clone();
        self.drop_dominated(&mut reported, 0);
        (proposed, reported)
    }

    /// The value spans of every match of `rule`'s regex over all of `hay`.
    fn pattern_values(&self, rule: u32, hay: &[u8]) -> Vec<(usize, usize)> {
        let cr = &self.rules[rule as usize];
        let re = cr.regex();
        let mut cache = re.create_cache();
        let mut slots = vec![None; 2 * (cr.groups() + 1)];
        let mut spans = Vec::new();
        let mut at = 0;
        while at < hay.len() {
            let input = Input::new(hay).range(at..);
            if re
                .search_slots_with(&mut cache, &input, &mut slots)
                .is_none()
            {
                break;
            }
            let (Some(s), Some(e)) = (slots[0], slots[1]) else {
                break;
            };
            at = e.get().max(s.get() + 1);
            match value_span(&slots, cr.groups()) {
                Some((s, e)) if s < e => spans.push((s.get(), e.get())),
                _ => {}
            }
        }
        spans
    }

    /// Why a value the scan did not validate was dropped.
    fn dropped_by(&self, rule: u32, hay: &[u8], start: usize, end: usize) -> Outcome {
        let ctx = Ctx { hay, start, end };
        let validators = &self.rules[rule as usize].validators;
        if let Some(v) = validators.iter().find(|v| !v.check(&ctx)) {
            return Outcome::Rejected(v.clone());
        }
        if start < end && is_redacted(hay, start, end) {
            return Outcome::Redacted;
        }
        Outcome::NotProposed
    }
}

/// The reported hit that overlaps `hit` (the rule that dropped it).
fn dominating(reported: &[Hit], hit: &Hit) -> u32 {
    reported
        .iter()
        .find(|h| h.start < hit.end && hit.start < h.end)
        .map_or(hit.rule, |h| h.rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    const RULES: &str = r#"
[[rule]]
id = "secret.fake.tok"
name = "Fake token"
category = "secret"
severity = "high"
confidence = "high"
keywords = ["tok_"]
pattern = '\b(tok_[a-z0-9]{8})\b'
validate = ["placeholder"]

[[rule]]
id = "secret.fake.generic"
name = "Generic key"
category = "secret"
severity = "medium"
confidence = "low"
keywords = ["key="]
pattern = 'key=([a-z0-9_]{8,})'

[[rule]]
id = "pii.fake.num"
name = "Number"
category = "pii"
severity = "low"
keywords = ["num "]
pattern = '\b([0-9]{6})\b'
"#;

    fn engine() -> Engine {
        Engine::new(&parse_rule_file("fake.toml", RULES).unwrap()).unwrap()
    }

    fn outcomes(e: &Engine, text: &str) -> Vec<(String, String, Outcome)> {
        e.explain(text.as_bytes())
            .into_iter()
            .map(|v| {
                let id = e.rules()[v.rule as usize].rule.id.clone();
                (id, text[v.start..v.end].to_string(), v.outcome)
            })
            .collect()
    }

    #[test]
    fn each_value_says_which_step_dropped_it() {
        let e = engine();
        let got = outcomes(
            &e,
            "tok_a1b2c3d4 tok_xxxxxxxx key=tok_q9w8e7r6 123456\nnum 654321",
        );
        let tok = "secret.fake.tok".to_string();
        let generic = "secret.fake.generic".to_string();
        let num = "pii.fake.num".to_string();
        assert_eq!(
            got,
            vec![
                (tok.clone(), "tok_a1b2c3d4".into(), Outcome::Reported),
                (
                    tok.clone(),
                    "tok_xxxxxxxx".into(),
                    Outcome::Rejected(Validator::NotPlaceholder)
                ),
                (tok, "tok_q9w8e7r6".into(), Outcome::Reported),
                (generic, "tok_q9w8e7r6".into(), Outcome::Dominated(0)),
                // No `num ` keyword on the first number's line: never proposed.
                (num.clone(), "123456".into(), Outcome::NotProposed),
                (num, "654321".into(), Outcome::Reported),
            ]
        );
    }

    #[test]
    fn a_value_the_window_cut_short_is_listed_as_reported() {
        let rules = r#"
[[rule]]
id = "secret.fake.cut"
name = "Cut"
category = "secret"
severity = "high"
keywords = ["_tok"]
pattern = '([a-z]+_tok[0-9]{4})'
window = [2, 8]
"#;
        let e = Engine::new(&parse_rule_file("cut.toml", rules).unwrap()).unwrap();
        let got = outcomes(&e, "abcdef_tok1234");
        let cut = "secret.fake.cut".to_string();
        assert_eq!(
            got,
            vec![
                (cut.clone(), "abcdef_tok1234".into(), Outcome::NotProposed),
                (cut, "ef_tok1234".into(), Outcome::Reported),
            ]
        );
    }

    #[test]
    fn values_inside_redaction_markers_are_named_so() {
        let e = engine();
        // The hash-mode token of a value, as `leakscope redact` writes it.
        let got = outcomes(&e, "key=tok_email_0123456789abcdef");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2, Outcome::Redacted);
    }
}
