//! Whole-value matchers for field rules' `value` patterns.
//!
//! A vendor export has several field values in every event (`$city`,
//! `$os`, `$browser`…), and each is checked against its rule's `value`
//! pattern as a whole. Most such patterns are a byte class repeated
//! (`[A-Za-z0-9$@._:\-]{1,200}`), or one class and then a repeated class
//! (`[A-Za-z][A-Za-z .'\-]{1,79}`). Those are matched with byte tables in one
//! pass over the value, without a regex search and its per-call set-up;
//! any other pattern keeps its regex, anchored at both ends.

use anyhow::Result;
use regex_automata::meta;
use regex_syntax::hir::{Class, Hir, HirKind};

/// A field value pattern, compiled.
#[derive(Debug)]
pub enum FieldValue {
    Classes(ClassRun),
    Regex(meta::Regex),
}

/// `first` (when set) once, then `min..=max` bytes of `rest`.
#[derive(Debug)]
pub struct ClassRun {
    first: Option<Box<[bool; 256]>>,
    rest: Box<[bool; 256]>,
    min: usize,
    max: usize,
}

impl FieldValue {
    /// The matcher of `value` (a rule's pattern without anchors).
    pub fn new(value: &str) -> Result<Self> {
        if let Some(run) = class_run(value) {
            return Ok(FieldValue::Classes(run));
        }
        Ok(FieldValue::Regex(super::compile_pattern(&format!(
            r"\A(?:{value})\z"
        ))?))
    }

    /// True when all of `v` matches the pattern.
    pub fn is_match(&self, v: &[u8]) -> bool {
        match self {
            FieldValue::Classes(run) => run.is_match(v),
            FieldValue::Regex(re) => re.is_match(v),
        }
    }
}

impl ClassRun {
    fn is_match(&self, v: &[u8]) -> bool {
        let rest = match &self.first {
            Some(first) => match v.split_first() {
                Some((&b, rest)) if first[b as usize] => rest,
                _ => return false,
            },
            None => v,
        };
        (self.min..=self.max).contains(&rest.len()) && rest.iter().all(|&b| self.rest[b as usize])
    }
}

/// The pattern as a [`ClassRun`], when it is one: a class repeated, a
/// class, or a class followed by a class repeated (greedy or not: the
/// whole value must match either way).
fn class_run(value: &str) -> Option<ClassRun> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(value)
        .ok()?;
    match hir.kind() {
        HirKind::Concat(parts) => match parts.as_slice() {
            [first, rest] => {
                let (rest, min, max) = repeated_class(rest)?;
                Some(ClassRun {
                    first: Some(byte_table(first)?),
                    rest,
                    min,
                    max,
                })
            }
            _ => None,
        },
        _ => {
            let (rest, min, max) = repeated_class(&hir)?;
            Some(ClassRun {
                first: None,
                rest,
                min,
                max,
            })
        }
    }
}

/// A class, once or repeated a bounded number of times.
fn repeated_class(hir: &Hir) -> Option<(Box<[bool; 256]>, usize, usize)> {
    match hir.kind() {
        HirKind::Repetition(r) => {
            let max = r.max?;
            Some((byte_table(&r.sub)?, r.min as usize, max as usize))
        }
        _ => Some((byte_table(hir)?, 1, 1)),
    }
}

/// The bytes a class (or single literal byte) matches, as a table.
fn byte_table(hir: &Hir) -> Option<Box<[bool; 256]>> {
    let mut table = Box::new([false; 256]);
    match hir.kind() {
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.iter() {
                (r.start()..=r.end()).for_each(|b| table[b as usize] = true);
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.iter() {
                let end = u8::try_from(u32::from(r.end()))
                    .ok()
                    .filter(|e| e.is_ascii())?;
                (r.start() as u8..=end).for_each(|b| table[b as usize] = true);
            }
        }
        HirKind::Literal(l) if l.0.len() == 1 => table[l.0[0] as usize] = true,
        _ => return None,
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each built-in field rule's value pattern: the table matcher (where it
    /// applies) answers like the anchored regex on generated strings of
    /// every length up to past its bound, half drawn from the pattern's own
    /// classes (some with one byte changed), half from a mixed alphabet.
    #[test]
    fn class_runs_answer_like_the_anchored_regex() {
        let rules = crate::rules::load_rules(&crate::rules::RuleSource {
            builtin: true,
            extra: vec![],
        })
        .unwrap();
        let mut tables = 0;
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"aZ09 .-_:$@/()+,;'\"\\\t\x80\xC3\xFFhttps";
        for rule in rules.iter().filter(|r| !r.fields.is_empty()) {
            let Some(value) = &rule.value else { continue };
            let Some(run) = class_run(value) else {
                continue;
            };
            tables += 1;
            let re = crate::engine::compile_pattern(&format!(r"\A(?:{value})\z")).unwrap();
            let mut samples: Vec<Vec<u8>> = Vec::new();
            for len in (0..=run.max + 2).filter(|l| *l < 90 || l.abs_diff(run.max) < 3) {
                for k in 0..6 {
                    let pick = |k: u64| alphabet[(k % alphabet.len() as u64) as usize];
                    let mut s: Vec<u8> = (0..len).map(|_| pick(next())).collect();
                    // Half the samples are drawn from the pattern's own
                    // classes (so many match), some then with one byte
                    // changed.
                    if k % 2 == 0 {
                        let from = |t: &[bool; 256], r: u64| {
                            let bytes: Vec<u8> = (0..=255u8).filter(|&b| t[b as usize]).collect();
                            bytes[(r % bytes.len() as u64) as usize]
                        };
                        for (i, b) in s.iter_mut().enumerate() {
                            *b = match (&run.first, i) {
                                (Some(f), 0) => from(f, next()),
                                _ => from(&run.rest, next()),
                            };
                        }
                        if k == 4 && len > 0 {
                            let at = (next() % len as u64) as usize;
                            s[at] = pick(next());
                        }
                    }
                    samples.push(s);
                }
            }
            for s in &samples {
                assert_eq!(
                    run.is_match(s),
                    re.is_match(s),
                    "{} on {:?}",
                    rule.id,
                    String::from_utf8_lossy(s)
                );
            }
            assert!(samples.iter().any(|s| run.is_match(s)), "{}", rule.id);
        }
        assert!(tables >= 6, "only {tables} value patterns became tables");
    }

    #[test]
    fn other_patterns_keep_their_regex() {
        for p in [
            r"https?://[^\s]{3,20}",
            r"[a-z]+",
            r"[a-z]{2}[0-9]{2}[a-z]",
            r"ab",
        ] {
            assert!(class_run(p).is_none(), "{p}");
            assert!(matches!(FieldValue::new(p).unwrap(), FieldValue::Regex(_)));
        }
        let run = FieldValue::new(r"[A-Z][a-z]{1,3}").unwrap();
        assert!(matches!(run, FieldValue::Classes(_)));
        assert!(run.is_match(b"Ab") && run.is_match(b"Abcd"));
        assert!(!run.is_match(b"A") && !run.is_match(b"Abcde") && !run.is_match(b"ab"));
    }
}
