//! The keyword prefilter: one fast pass that proposes where rules may match.
//!
//! Why not one `RegexSet` of every rule? Measured on analytics NDJSON it runs
//! at 0.03–13 MB/s (design.md). Instead every rule names case-sensitive
//! *keywords*; aho-corasick finds them all at GB/s (its SIMD "Teddy" path stays
//! on for groups of at most 64 literals, so keywords are split into such
//! groups), single-byte keywords such as `@` get a `memchr` pass, and each hit
//! becomes a [`Candidate`] for only the rules that named it.
//!
//! Keywords are reduced before building: when keyword A occurs inside keyword
//! B, every occurrence of B contains one of A, so B is dropped and its rules
//! hang off A. After that no two keywords can start at the same position,
//! and restarting each search one byte after a hit's start finds every
//! occurrence even where keywords overlap.

use aho_corasick::{AhoCorasick, Input, MatchKind};
use anyhow::Result;

/// The most literals per aho-corasick automaton that keep its SIMD path.
const GROUP_SIZE: usize = 64;

/// A keyword occurrence and the rule it proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index of the rule in the engine.
    pub rule: u32,
    /// Start of the keyword in the haystack.
    pub pos: usize,
    /// Length of the keyword.
    pub len: usize,
}

/// Compiled keyword matchers. Invariant: every rule with keywords is reachable
/// from at least one kept keyword.
#[derive(Debug)]
pub struct Prefilter {
    /// Automata of at most [`GROUP_SIZE`] literals, with the rules of each literal.
    groups: Vec<(AhoCorasick, Vec<Vec<u32>>)>,
    /// Single-byte keywords searched with memchr, with their rules.
    bytes: Vec<(u8, Vec<u32>)>,
    /// Literals kept after reduction (for `rules check`'s hit-rate lint).
    kept: Vec<(Vec<u8>, Vec<u32>)>,
}

impl Prefilter {
    /// Builds the prefilter from `(rule index, keywords)` pairs.
    pub fn new(rule_keywords: &[(u32, Vec<String>)]) -> Result<Self> {
        let kept = reduce(rule_keywords);
        let mut groups = Vec::new();
        let mut bytes = Vec::new();
        let multi: Vec<&(Vec<u8>, Vec<u32>)> = kept
            .iter()
            .filter(|(k, rules)| {
                if k.len() == 1 {
                    bytes.push((k[0], rules.clone()));
                    false
                } else {
                    true
                }
            })
            .collect();
        for chunk in multi.chunks(GROUP_SIZE) {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(chunk.iter().map(|(k, _)| k))?;
            groups.push((ac, chunk.iter().map(|(_, r)| r.clone()).collect()));
        }
        Ok(Prefilter {
            groups,
            bytes,
            kept,
        })
    }

    /// Appends every keyword occurrence in `hay`, as candidates, to `out`.
    pub fn candidates(&self, hay: &[u8], out: &mut Vec<Candidate>) {
        for (ac, rules) in &self.groups {
            let mut at = 0;
            while let Some(m) = ac.find(Input::new(hay).range(at..)) {
                for &rule in &rules[m.pattern().as_usize()] {
                    out.push(Candidate {
                        rule,
                        pos: m.start(),
                        len: m.len(),
                    });
                }
                at = m.start() + 1;
            }
        }
        for (b, rules) in &self.bytes {
            for pos in memchr::memchr_iter(*b, hay) {
                out.extend(rules.iter().map(|&rule| Candidate { rule, pos, len: 1 }));
            }
        }
    }

    /// The literals searched after reduction, each with its rules.
    pub fn literals(&self) -> &[(Vec<u8>, Vec<u32>)] {
        &self.kept
    }
}

/// Drops every keyword that contains another, moving its rules to the keywords
/// it contains; returns the kept literals with their rules, sorted, deduplicated.
fn reduce(rule_keywords: &[(u32, Vec<String>)]) -> Vec<(Vec<u8>, Vec<u32>)> {
    let mut all: Vec<(Vec<u8>, u32)> = rule_keywords
        .iter()
        .flat_map(|(r, ks)| ks.iter().map(move |k| (k.as_bytes().to_vec(), *r)))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    all.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(&b.0)));
    let mut kept: Vec<(Vec<u8>, Vec<u32>)> = Vec::new();
    for (k, rule) in all {
        let inside: Vec<usize> = kept
            .iter()
            .enumerate()
            .filter(|(_, (a, _))| memchr::memmem::find(&k, a).is_some())
            .map(|(i, _)| i)
            .collect();
        if inside.is_empty() {
            kept.push((k, vec![rule]));
        }
        for i in inside {
            kept[i].1.push(rule);
        }
    }
    for (_, rules) in &mut kept {
        rules.sort_unstable();
        rules.dedup();
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(list: &[(u32, &[&str])]) -> Vec<(u32, Vec<String>)> {
        list.iter()
            .map(|(r, ks)| (*r, ks.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn reduction_moves_rules_to_contained_keywords() {
        let kept = reduce(&kw(&[(0, &["sk-"]), (1, &["sk-proj-"]), (2, &["ghp_"])]));
        assert_eq!(
            kept,
            vec![(b"sk-".to_vec(), vec![0, 1]), (b"ghp_".to_vec(), vec![2])]
        );
    }

    #[test]
    fn finds_every_occurrence_including_overlaps_and_bytes() {
        let p = Prefilter::new(&kw(&[(0, &["abab"]), (1, &["bab"]), (2, &["@"])])).unwrap();
        let mut out = Vec::new();
        p.candidates(b"xababab a@b", &mut out);
        let mut got: Vec<(u32, usize)> = out.iter().map(|c| (c.rule, c.pos)).collect();
        got.sort();
        // "bab" is inside "abab", so rule 0 hangs off "bab" (hits at 2 and 4).
        assert_eq!(got, vec![(0, 2), (0, 4), (1, 2), (1, 4), (2, 9)]);
    }

    #[test]
    fn many_keywords_split_into_groups() {
        let many: Vec<(u32, Vec<String>)> =
            (0..150).map(|i| (i, vec![format!("kw{i:03}_")])).collect();
        let p = Prefilter::new(&many).unwrap();
        assert_eq!(p.groups.len(), 3);
        let mut out = Vec::new();
        p.candidates(b"-- kw149_ kw000_ --", &mut out);
        let mut rules: Vec<u32> = out.iter().map(|c| c.rule).collect();
        rules.sort();
        assert_eq!(rules, vec![0, 149]);
    }
}
