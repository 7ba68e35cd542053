//! The keyword prefilter: one fast pass that proposes where rules may match.
//!
//! Why not one `RegexSet` of every rule? Measured on analytics NDJSON it runs
//! at 0.03–13 MB/s (design.md). Instead every rule names case-sensitive
//! *keywords* and each occurrence becomes a [`Candidate`] for only the rules
//! that named it. Keywords are found three ways:
//!
//! * **Word table** (nearly all keywords): a keyword that begins a word
//!   (`ghp_`, `datadog`, or `"first_name"` whose `first` follows a quote) is
//!   looked up at each word start (a letter after a byte that is not a letter
//!   or digit, or a capital after a lowercase letter: [`super::blocks`]) by a hash of its first
//!   three bytes there, then compared whole, bytes before the word included.
//!   The cost is one pass whatever the number of keywords. An earlier
//!   version ran aho-corasick's SIMD Teddy searcher, which stays fast only for
//!   64 literals: 125 keywords took two passes (0.37 s per 300 MB of dense
//!   NDJSON), 319 took five (0.9 s), the table takes 0.25 s for 319.
//! * **Anywhere literals**: keywords with fewer than three bytes from their
//!   first letter or digit (`%40`, `:AA`), or of rules that declare
//!   `keyword_match = "anywhere"` (a marker inside a token, `T3BlbkFJ`), go to
//!   a small aho-corasick automaton. When keyword A occurs inside keyword B
//!   there, B is dropped and its rules hang off A, so no two literals start at
//!   one position and restarting one byte after each hit finds all of them.
//! * **Single bytes** such as `@`: a `memchr` pass.

use super::blocks::BlockMasks;
use crate::rules::KeywordMatch;
use aho_corasick::{AhoCorasick, Input, MatchKind};
use anyhow::Result;

/// The most literals per aho-corasick automaton that keep its SIMD path.
const GROUP_SIZE: usize = 64;
/// Bits of the word table's hash.
const HASH_BITS: u32 = 18;

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

/// One rule's keywords and how they match.
#[derive(Debug, Clone)]
pub struct RuleKeywords {
    pub rule: u32,
    pub keywords: Vec<String>,
    pub how: KeywordMatch,
}

/// Compiled keyword matchers. Invariant: every rule with keywords is reachable
/// from at least one literal.
#[derive(Debug)]
pub struct Prefilter {
    table: WordTable,
    /// Automata of at most [`GROUP_SIZE`] anywhere literals, with the rules
    /// of each literal.
    groups: Vec<(AhoCorasick, Vec<Vec<u32>>)>,
    /// Single-byte keywords searched with memchr, with their rules.
    bytes: Vec<(u8, Vec<u32>)>,
    /// Every literal with its rules and matching (for `rules check`'s lints).
    kept: Vec<(Vec<u8>, Vec<u32>, KeywordMatch)>,
}

impl Prefilter {
    /// Builds the prefilter from each rule's keywords.
    pub fn new(rules: &[RuleKeywords]) -> Result<Self> {
        let mut table = Vec::new();
        let mut anywhere: Vec<(u32, &str)> = Vec::new();
        let mut anywhere_nocase: Vec<(u32, &str)> = Vec::new();
        for r in rules {
            for k in r.keywords.iter().filter(|k| !k.is_empty()) {
                match TableEntry::new(k.as_bytes(), r.how, r.rule) {
                    Some(e) => table.push(e),
                    // Case folding is ASCII only: a keyword without ASCII
                    // letters (`주민등록번호`) joins the case-sensitive
                    // automaton instead of needing one of its own.
                    None if r.how == KeywordMatch::WordIgnoreCase
                        && k.bytes().any(|b| b.is_ascii_alphabetic()) =>
                    {
                        anywhere_nocase.push((r.rule, k))
                    }
                    None => anywhere.push((r.rule, k)),
                }
            }
        }
        let mut kept: Vec<(Vec<u8>, Vec<u32>, KeywordMatch)> = Vec::new();
        let table = WordTable::new(table, &mut kept);
        let mut groups = Vec::new();
        let mut bytes = Vec::new();
        for (list, nocase) in [(anywhere, false), (anywhere_nocase, true)] {
            let how = if nocase {
                KeywordMatch::WordIgnoreCase
            } else {
                KeywordMatch::Anywhere
            };
            let reduced = reduce(&list);
            let mut multi = Vec::new();
            for (k, rules) in reduced {
                kept.push((k.clone(), rules.clone(), how));
                if k.len() == 1 && !nocase {
                    bytes.push((k[0], rules));
                } else {
                    multi.push((k, rules));
                }
            }
            for chunk in multi.chunks(GROUP_SIZE) {
                let ac = AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .ascii_case_insensitive(nocase)
                    .build(chunk.iter().map(|(k, _)| k))?;
                groups.push((ac, chunk.iter().map(|(_, r)| r.clone()).collect()));
            }
        }
        Ok(Prefilter {
            table,
            groups,
            bytes,
            kept,
        })
    }

    /// Appends every keyword occurrence in `hay`, as candidates, to `out`.
    pub fn candidates(&self, hay: &[u8], out: &mut Vec<Candidate>) {
        self.candidates_with(hay, &BlockMasks::of(hay), out);
    }

    /// [`Prefilter::candidates`] with the bitmaps of `hay` already made.
    pub fn candidates_with(&self, hay: &[u8], masks: &BlockMasks, out: &mut Vec<Candidate>) {
        self.table.candidates(hay, masks, out);
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

    /// The literals searched, each with its rules and how it matches.
    pub fn literals(&self) -> &[(Vec<u8>, Vec<u32>, KeywordMatch)] {
        &self.kept
    }

    /// How often each of [`Prefilter::literals`] occurs in `hay`, in the same
    /// order (for `rules check`'s hit-rate lint): one pass, each occurrence
    /// counted once however many rules it proposes.
    pub fn hits_per_literal(&self, hay: &[u8]) -> Vec<usize> {
        let mut found = Vec::new();
        self.candidates(hay, &mut found);
        let mut spans: Vec<(usize, usize)> = found.iter().map(|c| (c.pos, c.len)).collect();
        spans.sort_unstable();
        spans.dedup();
        self.kept
            .iter()
            .map(|(lit, _, how)| {
                spans
                    .iter()
                    .filter(|&&(pos, len)| {
                        let seen = &hay[pos..pos + len];
                        match how {
                            KeywordMatch::WordIgnoreCase => seen.eq_ignore_ascii_case(lit),
                            _ => seen == lit.as_slice(),
                        }
                    })
                    .count()
            })
            .collect()
    }
}

/// The part of keyword `k` looked up at word starts (from its first letter
/// or digit on), or `None` when it goes to the automaton instead: declared
/// `anywhere`, fewer than three bytes from its first letter or digit, or
/// beginning with a digit there (a table entry such as Salesforce's `00D`
/// would make the start of every number a lookup: 5% of a clean export's
/// scan). The automaton also finds such a keyword inside a word; the
/// rule's pattern keeps its own `\b`.
pub fn table_word(k: &[u8], how: KeywordMatch) -> Option<&[u8]> {
    let first = k.iter().position(u8::is_ascii_alphanumeric)?;
    let word = &k[first..];
    (how != KeywordMatch::Anywhere && word.len() >= 3 && !word[0].is_ascii_digit()).then_some(word)
}

/// A keyword looked up at word starts: `lead` (bytes before its first letter
/// or digit, compared before the start) and `word` (from there on).
#[derive(Debug)]
struct TableEntry {
    lead: Vec<u8>,
    word: Vec<u8>,
    /// `Word` or `WordIgnoreCase`.
    how: KeywordMatch,
    rules: Vec<u32>,
    /// The first 16 bytes of `word` as it would be read from the haystack
    /// (two little-endian words), after or-ing `fold` in ...
    quick: [u64; 2],
    /// ... and masking with `mask` (the bytes `word` has).
    mask: [u64; 2],
    /// `0x20` in every byte for case-insensitive keywords, else 0.
    fold: u64,
}

/// The bytes of a word start most keyword comparisons are decided by.
const QUICK: usize = 16;

impl TableEntry {
    /// `None` when the keyword cannot be looked up at word starts: fewer than
    /// three bytes from its first letter or digit, or declared `anywhere`.
    fn new(k: &[u8], how: KeywordMatch, rule: u32) -> Option<Self> {
        let word = table_word(k, how)?;
        let first = k.len() - word.len();
        let fold = if how == KeywordMatch::WordIgnoreCase {
            0x2020_2020_2020_2020
        } else {
            0
        };
        let mut bytes = [0u8; QUICK];
        let mut present = [0u8; QUICK];
        for (i, &b) in word.iter().take(QUICK).enumerate() {
            bytes[i] = b;
            present[i] = 0xff;
        }
        let half =
            |a: &[u8; QUICK], k: usize| u64::from_le_bytes(a[8 * k..8 * k + 8].try_into().unwrap());
        let mask = [half(&present, 0), half(&present, 1)];
        Some(TableEntry {
            lead: k[..first].to_vec(),
            word: word.to_vec(),
            how,
            rules: vec![rule],
            quick: [0, 1].map(|k| (half(&bytes, k) | fold) & mask[k]),
            mask,
            fold,
        })
    }

    fn literal(&self) -> Vec<u8> {
        [self.lead.as_slice(), &self.word].concat()
    }

    /// True when the keyword occurs with its word part at `at`. Two masked
    /// compares of the first 16 bytes reject nearly every word start that
    /// only shares the first four (`Mac OS` for `mac address`, `https://www.`
    /// for `https://hooks.slack.com`); for a case-sensitive word of at most
    /// 16 bytes they are the whole comparison.
    #[inline]
    fn matches(&self, hay: &[u8], at: usize) -> bool {
        if let Some(b) = hay.get(at..at + QUICK) {
            let half = |k: usize| u64::from_le_bytes(b[8 * k..8 * k + 8].try_into().unwrap());
            let differs = |k: usize| (half(k) | self.fold) & self.mask[k] != self.quick[k];
            if differs(0) || differs(1) {
                return false;
            }
            if self.fold == 0 && self.word.len() <= QUICK {
                return self.lead.is_empty() || self.lead_matches(hay, at);
            }
        }
        self.full_match(hay, at)
    }

    /// The lead bytes stand right before `at` (case-sensitive keyword).
    fn lead_matches(&self, hay: &[u8], at: usize) -> bool {
        at >= self.lead.len() && hay[at - self.lead.len()..at] == self.lead[..]
    }

    /// The whole comparison, byte by byte.
    fn full_match(&self, hay: &[u8], at: usize) -> bool {
        let eq = |a: &[u8], b: &[u8]| {
            if self.how == KeywordMatch::WordIgnoreCase {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        at >= self.lead.len()
            && hay.len() - at >= self.word.len()
            && eq(&hay[at..at + self.word.len()], &self.word)
            && eq(&hay[at - self.lead.len()..at], &self.lead)
    }
}

/// Hash of the four bytes at a word start (`word`, little-endian), case
/// folded (`| 0x20`) so that case-insensitive keywords share a slot with
/// every spelling.
#[inline(always)]
fn hash4(word: u32) -> usize {
    ((word | 0x2020_2020).wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// 64 hashes of the word table: which have keywords, and how many of the
/// hashes before them do.
#[derive(Debug, Clone, Copy, Default)]
struct HashWord {
    set: u64,
    before: u32,
}

/// Keywords by the hash of their first four word bytes. A keyword of three
/// (`hf_`, `SG.`) is filed under every possible fourth byte. Keying on four
/// bytes matters: on dense NDJSON three-byte keys sent 30% of word starts to
/// a comparison (`app` of `AppleWebKit` for `apps.googleusercontent.com`).
/// A bit set says which hashes have any keyword (the test at each start);
/// each 64-bit word of it carries the number of set bits before it, so a
/// hash's rank among the set ones, and from it its entries in `slots`, is
/// one popcount away. An array of 2^18 slot offsets did the same in 1 MiB,
/// a core's whole L2, faulted in and zeroed at every start-up; the ranks
/// take 64 KiB.
#[derive(Debug)]
struct WordTable {
    /// Per 64 hashes: which have keywords, and how many hashes before
    /// these do.
    bits: Vec<HashWord>,
    entries: Vec<TableEntry>,
    /// Entry indices sorted by hash; `first[r]..first[r + 1]` are those of
    /// the hash of rank `r` (see [`WordTable::slots_of`]).
    slots: Vec<u32>,
    first: Vec<u32>,
    /// Entries of three word bytes, checked directly in the last three
    /// bytes of a buffer (where no fourth byte exists).
    short: Vec<u32>,
}

impl WordTable {
    fn new(mut list: Vec<TableEntry>, kept: &mut Vec<(Vec<u8>, Vec<u32>, KeywordMatch)>) -> Self {
        list.sort_by(|a, b| (&a.lead, &a.word, a.how as u8).cmp(&(&b.lead, &b.word, b.how as u8)));
        let mut entries: Vec<TableEntry> = Vec::new();
        for e in list {
            match entries.last_mut() {
                Some(l) if l.lead == e.lead && l.word == e.word && l.how == e.how => {
                    l.rules.extend(e.rules)
                }
                _ => entries.push(e),
            }
        }
        let mut keyed: Vec<(usize, u32)> = Vec::new();
        for (i, e) in entries.iter_mut().enumerate() {
            e.rules.sort_unstable();
            e.rules.dedup();
            kept.push((e.literal(), e.rules.clone(), e.how));
            let w = &e.word;
            let fourths: Vec<u8> = match w.get(3) {
                Some(&b) => vec![b],
                None => (0..=255).collect(),
            };
            for b in fourths {
                keyed.push((hash4(u32::from_le_bytes([w[0], w[1], w[2], b])), i as u32));
            }
        }
        keyed.sort_unstable();
        keyed.dedup();
        let mut bits = vec![HashWord::default(); (1usize << HASH_BITS) / 64];
        let mut first = Vec::new();
        for (i, &(h, _)) in keyed.iter().enumerate() {
            if i == 0 || keyed[i - 1].0 != h {
                bits[h / 64].set |= 1 << (h % 64);
                first.push(i as u32);
            }
        }
        first.push(keyed.len() as u32);
        let mut before = 0;
        for w in &mut bits {
            w.before = before;
            before += w.set.count_ones();
        }
        WordTable {
            bits,
            slots: keyed.iter().map(|&(_, i)| i).collect(),
            first,
            short: (0..entries.len() as u32)
                .filter(|&i| entries[i as usize].word.len() < 4)
                .collect(),
            entries,
        }
    }

    /// Looks up every word start of `masks` (no table word begins with a
    /// digit: see [`table_word`]).
    fn candidates(&self, hay: &[u8], masks: &BlockMasks, out: &mut Vec<Candidate>) {
        if self.entries.is_empty() {
            return;
        }
        for (b, &block) in masks.words().iter().enumerate() {
            let mut starts = block;
            while starts != 0 {
                let at = 64 * b + starts.trailing_zeros() as usize;
                starts &= starts - 1;
                match hay.get(at..at + 4) {
                    Some(four) => {
                        let h = hash4(u32::from_le_bytes([four[0], four[1], four[2], four[3]]));
                        let w = self.bits[h / 64];
                        if w.set >> (h % 64) & 1 == 1 {
                            self.verify(self.slots_of(w, h), hay, at, out);
                        }
                    }
                    None => self.verify(&self.short, hay, at, out),
                }
            }
        }
    }

    /// The entries of hash `h`, whose bit is set in `w`, its word: the set
    /// bits below it in `w`, plus those before `w`, give its rank.
    fn slots_of(&self, w: HashWord, h: usize) -> &[u32] {
        let below = w.set & ((1u64 << (h % 64)) - 1);
        let rank = (w.before + below.count_ones()) as usize;
        &self.slots[self.first[rank] as usize..self.first[rank + 1] as usize]
    }

    /// Compares the keywords `which` at word start `at` (the bit set already
    /// ruled out nearly every start). Kept out of line so the loop over word
    /// starts stays small.
    #[inline(never)]
    fn verify(&self, which: &[u32], hay: &[u8], at: usize, out: &mut Vec<Candidate>) {
        for &i in which {
            let e = &self.entries[i as usize];
            if e.matches(hay, at) {
                let pos = at - e.lead.len();
                let len = e.lead.len() + e.word.len();
                out.extend(e.rules.iter().map(|&rule| Candidate { rule, pos, len }));
            }
        }
    }
}

/// Drops every keyword that contains another, moving its rules to the keywords
/// it contains; returns the kept literals with their rules, sorted, deduplicated.
fn reduce(rule_keywords: &[(u32, &str)]) -> Vec<(Vec<u8>, Vec<u32>)> {
    let mut all: Vec<(Vec<u8>, u32)> = rule_keywords
        .iter()
        .map(|&(r, k)| (k.as_bytes().to_vec(), r))
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

    fn kw(list: &[(u32, &[&str])], how: KeywordMatch) -> Vec<RuleKeywords> {
        list.iter()
            .map(|(r, ks)| RuleKeywords {
                rule: *r,
                keywords: ks.iter().map(|s| s.to_string()).collect(),
                how,
            })
            .collect()
    }

    fn hits(p: &Prefilter, hay: &[u8]) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        p.candidates(hay, &mut out);
        let mut got: Vec<(u32, usize, usize)> =
            out.iter().map(|c| (c.rule, c.pos, c.len)).collect();
        got.sort();
        got
    }

    #[test]
    fn reduction_moves_rules_to_contained_keywords() {
        let kept = reduce(&[(0, "sk-"), (1, "sk-proj-"), (2, "ghp_")]);
        assert_eq!(
            kept,
            vec![(b"sk-".to_vec(), vec![0, 1]), (b"ghp_".to_vec(), vec![2])]
        );
    }

    #[test]
    fn anywhere_literals_find_every_occurrence_including_overlaps() {
        let p = Prefilter::new(&kw(
            &[(0, &["abab"]), (1, &["bab"])],
            KeywordMatch::Anywhere,
        ))
        .unwrap();
        // "bab" is inside "abab", so rule 0 hangs off "bab" (hits at 2 and 4).
        assert_eq!(
            hits(&p, b"xababab"),
            vec![(0, 2, 3), (0, 4, 3), (1, 2, 3), (1, 4, 3)]
        );
    }

    #[test]
    fn word_keywords_match_at_word_starts_only() {
        let p =
            Prefilter::new(&kw(&[(0, &["ghp_"]), (1, &["Secret"])], KeywordMatch::Word)).unwrap();
        let hay = b"t=ghp_1 xghp_2 clientSecret Secrets secret";
        assert_eq!(hits(&p, hay), vec![(0, 2, 4), (1, 21, 6), (1, 28, 6)]);
    }

    /// Every word start of every length of buffer is looked up, also the
    /// last three bytes (a three-byte keyword there has no fourth byte to
    /// hash, and those bytes may straddle two 64-byte blocks).
    #[test]
    fn word_starts_are_found_at_every_position_up_to_the_last_byte() {
        let p = Prefilter::new(&kw(&[(0, &["hf_"]), (1, &["abcd"])], KeywordMatch::Word)).unwrap();
        for len in 8..200 {
            for (word, rule) in [("hf_", 0), ("abcd", 1)] {
                for gap in 0..3 {
                    let mut hay = " x".repeat(len).into_bytes();
                    let at = len - word.len() - gap;
                    hay.truncate(len);
                    hay[at - 1] = b' ';
                    hay[at..at + word.len()].copy_from_slice(word.as_bytes());
                    let want = vec![(rule, at, word.len())];
                    assert_eq!(hits(&p, &hay), want, "{word} at {at} of {len}");
                    // Glued to the word before it, it is no word start.
                    hay[at - 1] = b'x';
                    assert_eq!(hits(&p, &hay), vec![], "x{word} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn keywords_beginning_with_a_digit_go_to_the_automaton() {
        let p = Prefilter::new(&kw(&[(0, &["00D"]), (1, &["ghp_"])], KeywordMatch::Word)).unwrap();
        assert_eq!(p.groups.len(), 1, "00D is searched by the automaton");
        assert_eq!(hits(&p, b"id=00Dx ghp_1"), vec![(0, 3, 3), (1, 8, 4)]);
    }

    #[test]
    fn leading_punctuation_is_compared_before_the_word() {
        let p = Prefilter::new(&kw(
            &[
                (0, &["\"first_name\""]),
                (1, &["-----BEGIN"]),
                (2, &["@", "%40"]),
            ],
            KeywordMatch::Word,
        ))
        .unwrap();
        let hay = b"{\"first_name\":1,\"$first_name\":2} -----BEGIN a%40b@c";
        assert_eq!(
            hits(&p, hay),
            vec![(0, 1, 12), (1, 33, 10), (2, 45, 3), (2, 49, 1)]
        );
    }

    #[test]
    fn ignore_case_finds_every_spelling() {
        let p = Prefilter::new(&kw(
            &[(0, &["datadog", "dd"])],
            KeywordMatch::WordIgnoreCase,
        ))
        .unwrap();
        let got = hits(&p, b"DATADOG_KEY myDatadogKey datadog xdatadog DD");
        assert_eq!(got, vec![(0, 0, 7), (0, 14, 7), (0, 25, 7), (0, 42, 2)]);
    }

    #[test]
    fn ignore_case_keywords_without_ascii_letters_share_the_exact_automaton() {
        let mut rules = kw(&[(0, &["주민등록번호"])], KeywordMatch::WordIgnoreCase);
        rules.extend(kw(&[(1, &["-us"])], KeywordMatch::Anywhere));
        let p = Prefilter::new(&rules).unwrap();
        // One automaton for `-us` and the Korean word, no folding one.
        assert_eq!(p.groups.len(), 1);
        let hay = "주민등록번호: 1 x-us1".as_bytes();
        assert_eq!(hits(&p, hay), vec![(0, 0, 18), (1, 23, 3)]);
    }

    #[test]
    fn many_keywords_in_one_table() {
        let many: Vec<RuleKeywords> = (0..400)
            .map(|i| RuleKeywords {
                rule: i,
                keywords: vec![format!("kw{i:03}_")],
                how: KeywordMatch::Word,
            })
            .collect();
        let p = Prefilter::new(&many).unwrap();
        assert!(p.groups.is_empty());
        let got: Vec<u32> = hits(&p, b"-- kw399_ kw000_ kw1234 --")
            .iter()
            .map(|h| h.0)
            .collect();
        assert_eq!(got, vec![0, 399]);
        // Each keyword is reached through its hash's rank, three-byte ones
        // (filed under every fourth byte) among them.
        let mut mixed = many;
        mixed.extend((0..40).map(|i| RuleKeywords {
            rule: 400 + i,
            keywords: vec![format!("{}{}_", (b'a' + i as u8 % 26) as char, i / 26)],
            how: KeywordMatch::Word,
        }));
        let p = Prefilter::new(&mixed).unwrap();
        for r in &mixed {
            let text = format!("-- {} --", r.keywords[0]);
            let got: Vec<u32> = hits(&p, text.as_bytes()).iter().map(|h| h.0).collect();
            assert_eq!(got, vec![r.rule], "{text}");
        }
    }

    #[test]
    fn quick_compare_agrees_with_the_byte_comparison() {
        let keywords: [(&str, KeywordMatch); 6] = [
            ("https://hooks.slack.com", KeywordMatch::Word),
            ("mac address", KeywordMatch::WordIgnoreCase),
            ("\"api_key\"", KeywordMatch::Word),
            ("hf_", KeywordMatch::Word),
            ("SECRET_ACCESS_KEY_ID", KeywordMatch::WordIgnoreCase),
            ("<add key", KeywordMatch::Word),
        ];
        let hay = b"https://hooks.slack.co https://hooks.slack.com/x Mac OS X MAC ADDRESS \
            mac_address \"api_key\" api_key\" hf_x hf secret_access_key_id \
            SECRET_ACCESS_KEY_IX <add key <add ke add key https://hooks.slack.com";
        for (k, how) in keywords {
            let e = TableEntry::new(k.as_bytes(), how, 0).unwrap();
            for at in 0..hay.len() {
                assert_eq!(e.matches(hay, at), e.full_match(hay, at), "{k:?} at {at}");
            }
            let found = (0..hay.len()).filter(|&at| e.matches(hay, at)).count();
            assert!(found >= 1, "{k:?} never found");
        }
    }
}
