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

pub mod blocks;
pub mod explain;
pub mod fieldvalue;
pub mod prefilter;
pub mod trigger;

use crate::rules::{Category, Confidence, Rule, Trigger};
use crate::validate::{Ctx, Validator};
use anyhow::{bail, Context, Result};
use blocks::BlockMasks;
use prefilter::{Candidate, Prefilter, RuleKeywords};
use regex_automata::{meta, util::primitives::NonMaxUsize, util::syntax, Input};
use std::sync::{Mutex, OnceLock};
use trigger::Shape;

/// Largest compiled size allowed for one rule's regex.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// Rule index marking a hit [`Engine::drop_dominated`] removes.
const DROPPED: u32 = u32::MAX;

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

/// A rule ready to run.
#[derive(Debug)]
pub struct CompiledRule {
    /// The rule as written.
    pub rule: Rule,
    /// The regex, and how many of its capture groups may hold the value
    /// (see [`value_groups`]); worked out on first use for built-in rules
    /// (see [`compile_rule`]).
    pattern: OnceLock<(meta::Regex, usize)>,
    validators: Vec<Validator>,
    /// Field rules: the `value` pattern, matched against whole values.
    field_value: Option<fieldvalue::FieldValue>,
    /// A quoted-value field rule on one line: its keyword hits are read
    /// directly as `"key": "value"` (see [`Engine::field_hit`]).
    reads_field: bool,
    /// The first rule of the same kind, when a field rule and another rule
    /// report that kind (see [`group_kinds`]); `None` otherwise.
    kind_group: Option<u32>,
}

/// Per-thread buffers: one regex cache per rule, capture slots, candidates.
pub struct Scratch {
    /// Made on a rule's first window: most of hundreds of rules never run
    /// on a given input, and each cache costs tens of kilobytes.
    caches: Vec<Option<meta::Cache>>,
    slots: Vec<Option<NonMaxUsize>>,
    candidates: Vec<Candidate>,
    /// Byte-class bitmaps of the buffer, shared by prefilters and triggers.
    masks: BlockMasks,
    /// Windows per rule, each list in position order per source.
    windows: Vec<Vec<(usize, usize)>>,
    /// Rules with at least one window in this scan.
    touched: Vec<u32>,
    /// The vendor preset of the data being scanned: other presets' rules
    /// are not run (see [`Scratch::set_preset`]).
    /// `None` until set: every rule runs (rule checks, benchmarks).
    preset: Option<Option<String>>,
}

impl Scratch {
    /// Empties the windows [`Engine::propose`] filled.
    fn clear_windows(&mut self) {
        for &rule in &self.touched {
            self.windows[rule as usize].clear();
        }
        self.touched.clear();
    }

    /// Sets the vendor preset of the data scanned next.
    pub fn set_preset(&mut self, preset: Option<&str>) {
        if self.preset.as_ref().map(|p| p.as_deref()) != Some(preset) {
            self.preset = Some(preset.map(str::to_string));
        }
    }
}

/// All rules compiled, with the prefilters over their keywords.
pub struct Engine {
    rules: Vec<CompiledRule>,
    /// One prefilter for the rules of no preset, then one per vendor
    /// preset: data of no vendor (or another vendor) never pays for a
    /// preset's keywords.
    prefilters: Vec<(Option<String>, Prefilter)>,
    /// Keyword-less rules on digit clusters, in the order of their shapes
    /// in `gate`.
    digit_rules: Vec<u32>,
    /// The shape of each digit rule: drops the clusters none can use and
    /// tells which may use the others.
    gate: trigger::Gate,
    /// Keyword-less rules on hex/colon runs.
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

/// How many capture groups may hold the value (the first group that took
/// part in a match does, so a pattern may read `"(…)"|'(…)'|(\S+)`), or 0
/// when the whole match is the value (a group 1 alone or between zero-width
/// assertions, `\b(...)\b`, spans it too, and such rules skip the capture
/// phase, the costliest part of a match).
fn value_groups(pattern: &str) -> Result<usize> {
    use regex_syntax::hir::{Hir, HirKind};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .build()
        .parse(pattern)?;
    let is_group1 = |h: &Hir| matches!(h.kind(), HirKind::Capture(c) if c.index == 1);
    let whole = match hir.kind() {
        HirKind::Capture(c) => c.index == 1,
        HirKind::Concat(parts) => {
            parts.iter().filter(|p| is_group1(p)).count() == 1
                && parts
                    .iter()
                    .all(|p| is_group1(p) || matches!(p.kind(), HirKind::Look(_)))
        }
        _ => false,
    };
    Ok(if whole {
        0
    } else {
        hir.properties().explicit_captures_len()
    })
}

/// Compiles a rule's pattern, naming the rule in the error.
fn compile_rule_pattern(rule: &Rule) -> Result<(meta::Regex, usize)> {
    let groups = value_groups(&rule.pattern).with_context(|| bad_pattern(rule))?;
    let regex = compile_pattern(&rule.pattern).with_context(|| bad_pattern(rule))?;
    Ok((regex, groups))
}

/// The error context of a rule whose pattern does not parse or compile.
fn bad_pattern(rule: &Rule) -> String {
    format!(
        "rule {} ({}): pattern does not compile",
        rule.id, rule.origin
    )
}

/// Readies one rule. A built-in rule's pattern is parsed and compiled on
/// its first window (most rules never see one on a given input; compiling
/// all of them was a tenth of a second at start-up, and parsing them alone
/// a fiftieth); the test suite's rule check compiles every built-in. Rules
/// from `--rules` are compiled now, so a bad one fails before the scan starts.
fn compile_rule(rule: &Rule) -> Result<CompiledRule> {
    let pattern = OnceLock::new();
    if !rule.builtin {
        let _ = pattern.set(compile_rule_pattern(rule)?);
    }
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
    if rule.trigger == Some(Trigger::Digits) && rule.shape.is_none() {
        bail!(
            "rule {} ({}): trigger \"digits\" needs a `shape = {{ digits = [min, max] }}`",
            rule.id,
            rule.origin
        );
    }
    if validators.contains(&Validator::Phone) {
        crate::validate::warm_up_phone_plans();
    }
    let field_value = match rule.value.as_ref().filter(|_| !rule.fields.is_empty()) {
        Some(v) => Some(fieldvalue::FieldValue::new(v).with_context(|| {
            format!(
                "rule {} ({}): `value` does not compile",
                rule.id, rule.origin
            )
        })?),
        None => None,
    };
    let reads_field = field_value.is_some() && !rule.numeric && !rule.multiline;
    Ok(CompiledRule {
        rule: rule.clone(),
        pattern,
        validators,
        field_value,
        reads_field,
        kind_group: None,
    })
}

impl CompiledRule {
    /// The rule's regex, compiled now if it was not yet.
    fn regex(&self) -> &meta::Regex {
        &self.pattern().0
    }

    /// How many capture groups of [`CompiledRule::regex`] may hold the
    /// value (the first that took part in a match does: one group per
    /// quoting style or format), or 0 when the whole match is the value.
    fn groups(&self) -> usize {
        self.pattern().1
    }

    fn pattern(&self) -> &(meta::Regex, usize) {
        self.pattern.get_or_init(|| {
            compile_rule_pattern(&self.rule).expect("built-in rules compile (rules check)")
        })
    }
}

impl Engine {
    /// Compiles every rule; fails on the first rule that does not compile.
    pub fn new(rules: &[Rule]) -> Result<Self> {
        let mut compiled = rules.iter().map(compile_rule).collect::<Result<Vec<_>>>()?;
        group_kinds(&mut compiled);
        let mut presets: Vec<Option<String>> = vec![None];
        for c in &compiled {
            if c.rule.preset.is_some() && !presets.contains(&c.rule.preset) {
                presets.push(c.rule.preset.clone());
            }
        }
        let prefilters = presets
            .into_iter()
            .map(|p| {
                let keywords: Vec<RuleKeywords> = compiled
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.rule.keywords.is_empty() && c.rule.preset == p)
                    .map(|(i, c)| RuleKeywords {
                        rule: i as u32,
                        keywords: c.rule.keywords.clone(),
                        how: c.rule.keyword_match,
                    })
                    .collect();
                Ok((p, Prefilter::new(&keywords)?))
            })
            .collect::<Result<Vec<_>>>()?;
        let by_trigger = |t: Trigger| {
            compiled
                .iter()
                .enumerate()
                .filter(move |(_, c)| c.rule.trigger == Some(t))
        };
        let (digit_rules, shapes): (Vec<u32>, Vec<Shape>) = by_trigger(Trigger::Digits)
            .filter_map(|(i, c)| c.rule.shape.as_ref().map(|s| (i as u32, shape_of(s))))
            .unzip();
        if shapes.len() > trigger::Gate::MAX_SHAPES {
            bail!(
                "{} rules have a digit shape; at most {} can",
                shapes.len(),
                trigger::Gate::MAX_SHAPES
            );
        }
        Ok(Engine {
            prefilters,
            gate: trigger::Gate::new(&shapes),
            digit_rules,
            hexcolon_rules: by_trigger(Trigger::Hexcolon)
                .map(|(i, _)| i as u32)
                .collect(),
            rules: compiled,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// True when rules `a` and `b` report one kind and a value found by
    /// both is reported once (see [`group_kinds`]).
    pub fn same_kind(&self, a: u32, b: u32) -> bool {
        let group = |r: u32| self.rules[r as usize].kind_group;
        group(a).is_some() && group(a) == group(b)
    }

    /// Compiles every rule not compiled yet; the first error, if any.
    pub fn compile_all(&self) -> Result<()> {
        for cr in &self.rules {
            if cr.pattern.get().is_none() {
                let _ = cr.pattern.set(compile_rule_pattern(&cr.rule)?);
            }
        }
        Ok(())
    }

    /// The engine of the built-in rules only.
    pub fn builtin() -> Result<Self> {
        Self::new(&crate::rules::load_rules(&crate::rules::RuleSource {
            builtin: true,
            extra: vec![],
        })?)
    }

    /// The compiled rules, indexed by [`Hit::rule`].
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The field rules that apply to values of `field` (a JSON path or
    /// column path) in an export of vendor `preset`.
    pub fn field_rules(&self, field: &str, preset: Option<&str>) -> Vec<u32> {
        (0..self.rules.len() as u32)
            .filter(|&i| {
                let r = &self.rules[i as usize].rule;
                !r.fields.is_empty()
                    && self.rule_active(i, preset)
                    && crate::rules::field_rule::field_matches(&r.fields, field)
            })
            .collect()
    }

    /// False for a preset's rule when scanning an export of another vendor.
    pub fn rule_active(&self, rule: u32, preset: Option<&str>) -> bool {
        match &self.rules[rule as usize].rule.preset {
            Some(p) => preset == Some(p.as_str()),
            None => true,
        }
    }

    /// True when `value`, the whole value of a field that names `rule`'s
    /// data, is plausibly such data (its `value` regex and validators).
    pub fn field_value_ok(&self, rule: u32, value: &[u8]) -> bool {
        let cr = &self.rules[rule as usize];
        let Some(re) = &cr.field_value else {
            return false;
        };
        let ctx = Ctx {
            hay: value,
            start: 0,
            end: value.len(),
        };
        !value.is_empty()
            && re.is_match(value)
            && cr.validators.iter().all(|v| v.check(&ctx))
            && !crate::validate::is_redacted(value, 0, value.len())
    }

    /// The keyword prefilters, of no preset and of each preset (for linting).
    pub fn prefilters(&self) -> impl Iterator<Item = &Prefilter> {
        self.prefilters.iter().map(|(_, p)| p)
    }

    /// Takes a scratch space from the pool (or makes one).
    pub fn scratch(&self) -> Scratch {
        if let Some(s) = self.pool.lock().unwrap().pop() {
            return s;
        }
        Scratch {
            caches: self.rules.iter().map(|_| None).collect(),
            slots: Vec::with_capacity(4),
            candidates: Vec::new(),
            masks: BlockMasks::default(),
            windows: vec![Vec::new(); self.rules.len()],
            touched: Vec::new(),
            preset: None,
        }
    }

    /// Returns a scratch space to the pool.
    pub fn give_back(&self, s: Scratch) {
        self.pool.lock().unwrap().push(s);
    }

    /// Appends every validated hit in `hay` to `out` (unordered).
    pub fn scan(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<Hit>) {
        let first_new = out.len();
        self.propose(hay, scratch, out);
        let windows = std::mem::take(&mut scratch.windows);
        let touched = std::mem::take(&mut scratch.touched);
        for &rule in &touched {
            for &(start, end) in &windows[rule as usize] {
                self.confirm(rule, hay, start, end, scratch, out);
            }
        }
        scratch.windows = windows;
        scratch.touched = touched;
        scratch.clear_windows();
        self.drop_dominated(out, first_new);
    }

    /// How much regex work `hay` asks of the rules: the number of merged
    /// windows and the bytes they cover, before any regex runs. A
    /// deterministic measure of a rule's cost for `rules check` (a timing
    /// would vary with the machine and its load).
    pub fn window_load(&self, hay: &[u8], scratch: &mut Scratch) -> (usize, usize) {
        let mut field_hits = Vec::new();
        self.propose(hay, scratch, &mut field_hits);
        let load = scratch
            .touched
            .iter()
            .flat_map(|&r| scratch.windows[r as usize].iter())
            .fold((0, 0), |(n, bytes), (s, e)| (n + 1, bytes + (e - s)));
        scratch.clear_windows();
        load
    }

    /// Fills `scratch.windows` (merged, per rule) and `scratch.touched`
    /// from the prefilters and triggers; field rules' hits go to `out`.
    fn propose(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<Hit>) {
        scratch.candidates.clear();
        scratch.masks.fill(hay);
        for (p, prefilter) in &self.prefilters {
            let active = match (p, &scratch.preset) {
                (None, _) | (_, None) => true,
                (Some(p), Some(now)) => now.as_deref() == Some(p.as_str()),
            };
            if active {
                prefilter.candidates_with(hay, &scratch.masks, &mut scratch.candidates);
            }
        }
        let mut windows = std::mem::take(&mut scratch.windows);
        let mut touched = std::mem::take(&mut scratch.touched);
        let mut add = |rule: u32, start: usize, end: usize| {
            let w = &mut windows[rule as usize];
            if w.is_empty() {
                touched.push(rule);
            }
            w.push((start, end));
        };
        self.keyword_windows(hay, &scratch.candidates, &mut add, out);
        self.trigger_windows(hay, &scratch.masks, &mut add, out);
        for &rule in &touched {
            merge_windows(&mut windows[rule as usize]);
        }
        scratch.windows = windows;
        scratch.touched = touched;
    }

    /// Removes from `out[from..]` each credential hit that overlaps a hit of
    /// a more confident credential rule: a generic `api_key=` rule or a
    /// by-context rule does not report again what a provider's own format
    /// already found. Personal data is left alone: an email inside a URL
    /// field is both an email and browsing history.
    ///
    /// Two hits of the same kind on the same span are one finding: the one
    /// of the later rule goes (a passport number in a `passport_number`
    /// field is found by the field rule and by the `passport` keyword rule).
    fn drop_dominated(&self, out: &mut Vec<Hit>, from: usize) {
        let hits = &mut out[from..];
        let plain = |h: &Hit| {
            let cr = &self.rules[h.rule as usize];
            cr.rule.confidence == Confidence::High && cr.kind_group.is_none()
        };
        if hits.len() < 2 || hits.iter().all(plain) {
            return;
        }
        // The hits come as a few dozen sorted runs (one per prefilter pass
        // and rule): the stable sort merges runs, the unstable one does not.
        hits.sort();
        for i in 0..hits.len() {
            for j in i + 1..hits.len() {
                if hits[j].start >= hits[i].end {
                    break;
                }
                let (a, b) = (hits[i], hits[j]);
                if a.rule == DROPPED || b.rule == DROPPED {
                    continue;
                }
                let (ca, cb) = (&self.rules[a.rule as usize], &self.rules[b.rule as usize]);
                if (a.start, a.end) == (b.start, b.end) && self.same_kind(a.rule, b.rule) {
                    hits[j].rule = DROPPED;
                    continue;
                }
                let (ra, rb) = (&ca.rule, &cb.rule);
                let secrets = ra.category == Category::Secret && rb.category == Category::Secret;
                if !secrets || ra.confidence == rb.confidence {
                    continue;
                }
                let weaker = if ra.confidence < rb.confidence { i } else { j };
                hits[weaker].rule = DROPPED;
            }
        }
        let mut at = from;
        out.retain(|h| {
            at += 1;
            at <= from || h.rule != DROPPED
        });
    }

    /// Turns keyword candidates into windows clamped to their line; field
    /// rules' candidates are read on the spot into `out`.
    fn keyword_windows(
        &self,
        hay: &[u8],
        candidates: &[Candidate],
        add: &mut impl FnMut(u32, usize, usize),
        out: &mut Vec<Hit>,
    ) {
        // The line of the last candidate: start, end, and where a window
        // may end (past the line when it opens a block).
        let mut line = (usize::MAX, 0usize, 0usize);
        for c in candidates {
            let cr = &self.rules[c.rule as usize];
            let rule = &cr.rule;
            let (lo, hi) = if rule.multiline {
                (0, hay.len())
            } else {
                if !(line.0 <= c.pos && c.pos < line.1) {
                    let (lo, hi) = line_bounds(hay, c.pos);
                    line = (lo, hi, block_end(hay, lo, hi));
                }
                (line.0, line.2)
            };
            let end = (c.pos + c.len + rule.window.after()).min(hi);
            if cr.reads_field {
                out.extend(self.field_hit(c, hay, end));
                continue;
            }
            let start = c.pos.saturating_sub(rule.window.before()).max(lo);
            if rule.token {
                let (start, end) = token_bounds(hay, start, c.pos, c.pos + c.len, end);
                add(c.rule, start, end);
                continue;
            }
            add(c.rule, start, end);
        }
    }

    /// A field rule's keyword is the quoted key itself, so its value is read
    /// straight after it: `"key"`, spaces, `:`, spaces, then a string that
    /// closes before `end` and is followed by what may follow a JSON value.
    /// The same hits as the completed pattern (see `rules::field_rule`)
    /// searched in a window, without a regex search per key: a vendor
    /// export has several such keys in every event.
    fn field_hit(&self, c: &Candidate, hay: &[u8], end: usize) -> Option<Hit> {
        let cr = &self.rules[c.rule as usize];
        let text = &hay[..end.max(c.pos + c.len)];
        let spaces = |mut i: usize| {
            while text.get(i).is_some_and(|&b| is_regex_space(b)) {
                i += 1;
            }
            i
        };
        let colon = spaces(c.pos + c.len);
        let open = spaces(colon + 1);
        if text.get(colon) != Some(&b':') || text.get(open) != Some(&b'"') {
            return None;
        }
        let start = open + 1;
        let close = start + memchr::memchr(b'"', &text[start..])?;
        let follows_value = match hay.get(close + 1) {
            None | Some(b'\n') => true,
            Some(&b) => is_regex_space(b) || b",}]\"".contains(&b),
        };
        let ctx = Ctx {
            hay,
            start,
            end: close,
        };
        let ok = follows_value
            && start < close
            && cr.field_value.as_ref()?.is_match(&hay[start..close])
            && cr.validators.iter().all(|v| v.check(&ctx))
            && !crate::validate::is_redacted(hay, start, close);
        ok.then_some(Hit {
            start,
            end: close,
            rule: c.rule,
        })
    }

    /// `hay[start..end]` as a hit of `rule` when its validators pass and it
    /// is not a redaction marker (what [`Engine::confirm`] does after a
    /// regex match).
    fn valid_hit(&self, rule: u32, hay: &[u8], start: usize, end: usize) -> Option<Hit> {
        let cr = &self.rules[rule as usize];
        let ctx = Ctx { hay, start, end };
        let ok = start < end
            && cr.validators.iter().all(|v| v.check(&ctx))
            && !crate::validate::is_redacted(hay, start, end);
        ok.then_some(Hit { start, end, rule })
    }

    /// Proposes windows for keyword-less rules from the shared triggers; a
    /// cluster that is a rule's value as it stands goes to `out` validated.
    fn trigger_windows(
        &self,
        hay: &[u8],
        masks: &BlockMasks,
        add: &mut impl FnMut(u32, usize, usize),
        out: &mut Vec<Hit>,
    ) {
        let pad = |r: u32, s: usize, e: usize| {
            let w = self.rules[r as usize].rule.window;
            (s.saturating_sub(w.before()), (e + w.after()).min(hay.len()))
        };
        if self.digit_rules.is_empty() && self.hexcolon_rules.is_empty() {
            return;
        }
        // Hex:colon runs are proposed from the same pass, once each.
        let mut colon_windows: Vec<(usize, usize)> = Vec::new();
        let mut resume = 0;
        let on_colon = (!self.hexcolon_rules.is_empty()).then_some(|pos: usize| {
            if pos >= resume {
                if let Some((s, e)) = trigger::hexcolon_run_at(hay, pos) {
                    resume = e;
                    colon_windows.push((s, e));
                }
            }
        });
        trigger::digit_clusters_and_colons(
            hay,
            masks,
            &self.gate,
            |c| {
                let mut candidates = c.candidates;
                while candidates != 0 {
                    let k = candidates.trailing_zeros();
                    candidates &= candidates - 1;
                    let (r, shape) = (self.digit_rules[k as usize], self.gate.shape(k));
                    if !c.fits_rest(shape, hay) {
                        continue;
                    }
                    if c.is_quad_value(shape, hay) {
                        out.extend(self.valid_hit(r, hay, c.start, c.end));
                    } else if self.plain_cluster_ok(r, &c, hay) {
                        let (s, e) = pad(r, c.start, c.end);
                        add(r, s, e);
                    }
                }
            },
            on_colon,
        );
        for (s, e) in colon_windows {
            for &r in &self.hexcolon_rules {
                let (s, e) = pad(r, s, e);
                add(r, s, e);
            }
        }
    }

    /// A plain digit cluster (no separators) is itself the value a digit rule
    /// would match (its pattern forbids neighbouring digits), so a checksum
    /// validator can reject it before the regex runs. Millions of order
    /// numbers and ids never reach the card regex this way.
    fn plain_cluster_ok(&self, rule: u32, c: &trigger::Cluster, hay: &[u8]) -> bool {
        let plain = c.is_plain();
        let cr = &self.rules[rule as usize];
        !plain
            || !cr.validators.contains(&Validator::Luhn)
            || crate::validate::luhn_ok(&hay[c.start..c.end])
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
        let cache = scratch.caches[rule as usize].get_or_insert_with(|| cr.regex().create_cache());
        scratch.slots.clear();
        scratch.slots.resize(2 * (cr.groups() + 1), None);
        let mut at = start;
        while at < end {
            let input = Input::new(hay).range(at..end);
            if cr
                .regex()
                .search_slots_with(cache, &input, &mut scratch.slots)
                .is_none()
            {
                break;
            }
            let whole_end = scratch.slots[1].map_or(end, |v| v.get());
            let whole_start = scratch.slots[0].map_or(at, |v| v.get());
            at = whole_end.max(whole_start + 1);
            let Some((s, e)) = value_span(&scratch.slots, cr.groups()) else {
                continue;
            };
            out.extend(self.valid_hit(rule, hay, s.get(), e.get()));
        }
    }
}

/// The span of the first of groups `1..=groups` that took part in the
/// match in `slots`, or of the whole match when `groups` is 0.
fn value_span(slots: &[Option<NonMaxUsize>], groups: usize) -> Option<(NonMaxUsize, NonMaxUsize)> {
    if groups == 0 {
        return slots[0].zip(slots[1]);
    }
    (1..=groups).find_map(|g| slots[2 * g].zip(slots[2 * g + 1]))
}

/// `hay[start..end]` narrowed to the bytes around the keyword at
/// `from..to` that are not whitespace, quotes or `<>` (see `Rule::token`).
fn token_bounds(hay: &[u8], start: usize, from: usize, to: usize, end: usize) -> (usize, usize) {
    let stop = |b: &u8| is_regex_space(*b) || b"\"'<>".contains(b);
    let lo = hay[start..from]
        .iter()
        .rposition(stop)
        .map_or(start, |i| start + i + 1);
    let hi = hay[to..end].iter().position(stop).map_or(end, |i| to + i);
    (lo, hi)
}

/// `\s` of a regex with Unicode off.
fn is_regex_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r')
}

/// The line around `pos`: from after the previous `\n` to before the next.
pub fn line_bounds(hay: &[u8], pos: usize) -> (usize, usize) {
    let lo = memchr::memrchr(b'\n', &hay[..pos]).map_or(0, |i| i + 1);
    let hi = memchr::memchr(b'\n', &hay[pos..]).map_or(hay.len(), |i| pos + i);
    (lo, hi)
}

/// Where a window on the line `lo..hi` may end. A line that opens a block
/// has its values on the lines inside it, so its windows run on, at most
/// [`BLOCK_REACH`] bytes further: to the closing `}` after a `{`
/// (`variable "okta_api_token" {` … `default = "…"`), and over the more
/// indented lines after a YAML key that ends its line (`jwt:` …
/// `  secret: "…"`). Any other line ends its windows.
fn block_end(hay: &[u8], lo: usize, hi: usize) -> usize {
    let cap = (hi + BLOCK_REACH).min(hay.len());
    match hay[lo..hi].trim_ascii_end().last() {
        Some(b'{') => memchr::memchr(b'}', &hay[hi..cap]).map_or(cap, |i| hi + i),
        Some(b':') => indented_block_end(hay, indent(&hay[lo..hi]), hi, cap),
        _ => hi,
    }
}

/// Blanks and tabs at the start of `line`.
fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()
}

/// The end of the last line before `cap` that follows `end` and is indented
/// deeper than `parent` (blank lines included): the children of a YAML key.
fn indented_block_end(hay: &[u8], parent: usize, mut end: usize, cap: usize) -> usize {
    while end < cap {
        let next = end + 1;
        let line_end = memchr::memchr(b'\n', &hay[next..cap]).map_or(cap, |i| next + i);
        let line = &hay[next..line_end];
        if !line.trim_ascii().is_empty() && indent(line) <= parent {
            break;
        }
        end = line_end;
    }
    end
}

/// How far past a block-opening line a window may reach.
const BLOCK_REACH: usize = 256;

/// Builds a trigger shape from a rule's `shape` table.
fn shape_of(s: &crate::rules::ShapeSpec) -> Shape {
    Shape {
        min_digits: s.digits[0],
        max_digits: s.digits[1],
        separated: s.separated,
        first_digits: s.first_digits.bytes().collect(),
        max_group: s.max_group,
        plain_then: Shape::then_set(&s.plain_then),
        first_group: s.first_group,
        caps_before: s.caps_before,
        dollar_before: s.dollar_before,
        min_dots: s.min_dots,
        separators: s
            .separators
            .bytes()
            .map(trigger::sep_bit)
            .fold(0, |a, b| a | b),
        refuse_dotted_quads: !s.dotted_quads,
        quad_value: s.quad_value,
    }
}

/// Sets each rule's `kind_group`: the index of the first rule reporting
/// the same kind, for kinds that a field rule and another rule both report
/// (the two can find one value twice; rules found by shape alone cannot).
fn group_kinds(rules: &mut [CompiledRule]) {
    let kinds: Vec<String> = rules.iter().map(|c| c.rule.kind()).collect();
    for i in 0..rules.len() {
        let same: Vec<usize> = (0..rules.len()).filter(|&j| kinds[j] == kinds[i]).collect();
        let has_field = same.iter().any(|&j| !rules[j].rule.fields.is_empty());
        rules[i].kind_group = (same.len() > 1 && has_field).then_some(same[0] as u32);
    }
}

/// Merges overlapping windows of one rule (sorting only when the sources
/// interleaved them).
fn merge_windows(w: &mut Vec<(usize, usize)>) {
    if w.len() < 2 {
        return;
    }
    if !w.is_sorted() {
        w.sort_unstable();
    }
    let mut out = 0;
    for i in 1..w.len() {
        let cur = w[i];
        let last = &mut w[out];
        if cur.0 <= last.1 {
            last.1 = last.1.max(cur.1);
        } else {
            out += 1;
            w[out] = cur;
        }
    }
    w.truncate(out + 1);
}

#[cfg(test)]
pub(crate) mod tests {
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

    /// A keyword rule and a digit rule, for tests here and elsewhere.
    pub(crate) const FAKE: &str = r#"
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
shape = { digits = [6, 6] }
pattern = '\b(\d{3}-\d{3})\b'
window = 2
"#;

    #[test]
    fn a_less_confident_credential_rule_does_not_repeat_a_finding() {
        let rules = r#"
[[rule]]
id = "secret.fake.tok"
name = "Fake token"
category = "secret"
severity = "high"
confidence = "high"
keywords = ["tok_"]
pattern = '\b(tok_[a-z0-9]{8})\b'

[[rule]]
id = "secret.generic.key"
name = "Any key"
category = "secret"
severity = "high"
confidence = "low"
keywords = ["key"]
pattern = 'key=([a-z0-9_]{6,})'

[[rule]]
id = "pii.fake.url"
name = "A URL field"
category = "pii"
severity = "low"
confidence = "low"
keywords = ["url="]
pattern = 'url=(\S+)'

[[rule]]
id = "pii.fake.mail"
name = "A mail"
category = "pii"
severity = "low"
confidence = "high"
keywords = ["@"]
pattern = '([a-z]+@[a-z]+)'
"#;
        let e = engine(rules);
        assert_eq!(
            values(&e, "key=tok_abc12345 key=other_value url=x?jane@acme"),
            vec![
                ("secret.fake.tok".into(), "tok_abc12345".into()),
                ("secret.generic.key".into(), "other_value".into()),
                ("pii.fake.url".into(), "x?jane@acme".into()),
                ("pii.fake.mail".into(), "jane@acme".into()),
            ]
        );
    }

    #[test]
    fn a_field_rule_and_a_keyword_rule_of_one_kind_report_a_value_once() {
        let rules = r#"
[[rule]]
id = "pii.badge"
name = "Badge by keyword"
category = "pii"
severity = "high"
keywords = ["badge"]
pattern = 'badge\w*"?\s*[:=]\s*"?([0-9]{6})'

[[rule]]
id = "pii.badge_field"
name = "Badge by field"
category = "pii"
severity = "high"
fields = ["badge_no"]
value = '[0-9]{6}'
kind = "pii.badge"
"#;
        let e = engine(rules);
        assert_eq!(
            values(&e, r#"{"badge_no":"123456","other":"badge=654321"}"#),
            vec![
                ("pii.badge".into(), "123456".into()),
                ("pii.badge".into(), "654321".into()),
            ]
        );
    }

    #[test]
    fn field_values_are_read_like_the_completed_pattern() {
        let e = engine(
            r#"
[[rule]]
id = "pii.fake.city"
name = "City field"
category = "pii"
severity = "low"
fields = ["$city"]
value = '[A-Za-z][A-Za-z ]{1,20}'
window = 40
"#,
        );
        let cases: &[(&str, &[&str])] = &[
            (r#"{"$city": "Paris", "n": 1}"#, &["Paris"]),
            (r#"{"$city" :  "New York"}"#, &["New York"]),
            (r#"{"$city":"Lyon","$city":"Nice"}"#, &["Lyon", "Nice"]),
            (r#""$city":"Oslo""#, &["Oslo"]),
            (r#"{"$city":"Oslo"x}"#, &[]),
            (r#"{"$city": 12}"#, &[]),
            (r#"{"$city": ""}"#, &[]),
            (r#"{"$city": "P4ris"}"#, &[]),
            (r#"{"$city": "Pa"ris"}"#, &[]),
            (r#"{"$city": "Paris is a long name past the window"}"#, &[]),
            ("{\"$city\":\n\"Paris\"}", &[]),
        ];
        let cr = &e.rules()[0];
        assert!(cr.reads_field);
        for (hay, want) in cases {
            let got: Vec<String> = values(&e, hay).into_iter().map(|(_, v)| v).collect();
            assert_eq!(&got, want, "{hay}");
            // The same values as the completed pattern searched line by line.
            let by_regex: Vec<&str> = hay
                .lines()
                .flat_map(|l| {
                    let mut caps = cr.regex().create_captures();
                    cr.regex().captures(l.as_bytes(), &mut caps);
                    caps.get_group(1).map(|s| &l[s.range()])
                })
                .filter(|v| cr.field_value.as_ref().unwrap().is_match(v.as_bytes()))
                .collect();
            assert_eq!(
                got.first().map(String::as_str),
                by_regex.first().copied(),
                "{hay}"
            );
        }
    }

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
    fn windows_of_a_block_opening_line_reach_into_the_block() {
        let e = engine(
            r#"
[[rule]]
id = "secret.fake.block"
name = "Fake block value"
category = "secret"
severity = "high"
keywords = ["kv"]
pattern = 'kv(?s:.){0,40}?\b([a-z0-9]{8})\b'
window = 64
"#,
        );
        // `kv {` opens a block: the value on the next line is in its window.
        assert_eq!(
            values(&e, "kv {\n  abc12345\n}"),
            [("secret.fake.block".to_string(), "abc12345".to_string())]
        );
        // Not past the block's closing brace, nor from an ordinary line.
        assert!(values(&e, "kv {\n}\nabc12345").is_empty());
        assert!(values(&e, "kv ;\nabc12345").is_empty());
        // A YAML key ending its line: its more indented lines, not beyond.
        assert_eq!(values(&e, "kv:\n  x: 1\n\n  abc12345\n").len(), 1);
        assert!(values(&e, "kv:\n  x: 1\nother:\n  abc12345\n").is_empty());
        assert!(values(&e, "  kv:\n  abc12345\n").is_empty());
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
    fn builtin_rules_compile_on_first_use_and_others_at_once() {
        let too_big = r#"
[[rule]]
id = "secret.fake.huge"
name = "Too big"
category = "secret"
severity = "low"
keywords = ["k"]
pattern = 'k(\w{1000}){1000}'
"#;
        let mut rules = parse_rule_file("t.toml", too_big).unwrap();
        assert!(Engine::new(&rules).is_err(), "a --rules rule fails at once");
        rules[0].builtin = true;
        let e = Engine::new(&rules).expect("a built-in rule is not compiled yet");
        assert!(e.rules()[0].pattern.get().is_none());
        assert!(
            e.compile_all().is_err(),
            "rules check compiles it and fails"
        );
        let e = engine(FAKE);
        assert!(e.rules().iter().all(|r| r.pattern.get().is_some()));
    }

    #[test]
    fn value_groups_are_recognised() {
        let g = |p: &str| value_groups(p).unwrap();
        assert_eq!(g(r"\b(tok_[a-z]{8})\b"), 0);
        assert_eq!(g(r"(abc|def)"), 0);
        assert_eq!(g(r"abc"), 0);
        assert_eq!(g(r"(?:^|[^0-9])([0-9]{4})"), 1);
        assert_eq!(g(r"key=(\w+)"), 1);
        assert_eq!(g(r#"k="([^"]+)"|k=(\w+)"#), 2);
        assert!(value_groups(r"key=(\w+").is_err());
    }

    #[test]
    fn the_first_group_that_took_part_is_the_value() {
        let e = engine(
            r#"
[[rule]]
id = "secret.fake.quoted"
name = "Quoted or bare"
category = "secret"
severity = "high"
keywords = ["pw="]
pattern = '''pw=(?:"([^"\n]{4,})"|'([^'\n]{4,})'|([^\s"']{4,}))'''
"#,
        );
        let v = |t: &str| -> Vec<String> { values(&e, t).into_iter().map(|(_, v)| v).collect() };
        assert_eq!(v(r#"pw="a b'c" x"#), ["a b'c"]);
        assert_eq!(v(r#"pw='x"y z' x"#), [r#"x"y z"#]);
        assert_eq!(v("pw=bare1 x"), ["bare1"]);
    }

    #[test]
    fn merge_windows_table() {
        let mut w = vec![(5, 10), (20, 22), (8, 12), (12, 14), (0, 4)];
        merge_windows(&mut w);
        assert_eq!(w, vec![(0, 4), (5, 14), (20, 22)]);
    }

    #[test]
    fn quad_values_are_what_the_regex_would_find() {
        let rule = |direct: bool| {
            format!(
                r#"
[[rule]]
id = "pii.fake.ipv4"
name = "IPv4"
category = "pii"
severity = "low"
trigger = "digits"
shape = {{ digits = [4, 12], max_group = 3, min_dots = 3, separators = "./", quad_value = {direct} }}
pattern = '\b((?:[0-9]{{1,3}}\.){{3}}[0-9]{{1,3}})\b'
window = 4
"#
            )
        };
        let (direct, regex) = (engine(&rule(true)), engine(&rule(false)));
        let mut cases: Vec<String> = [
            "1.2.3.4",
            "a1.2.3.4",
            "Z1.2.3.4",
            "1.2.3.4a",
            "_1.2.3.4",
            "1.2.3.4_",
            "1.2.3.4.5",
            "v1.2.3.4",
            "+1.2.3.4",
            "1.2.3.4/24",
            "0 1.2.3.4",
            "1.2.3.4:80",
            "x=1.2.3.4,",
            "1.2.3.1234",
            "1..2.3.4",
            "-1.2.3.4-",
            "12.34.56.78 9.8.7.6",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // And digit groups of 1 to 4 digits joined by the bytes that matter
        // around a quad, mostly dots.
        let joins = [
            ".", ".", ".", ".", ".", ".", ".", ".", ".", "..", " ", "/", "a", "Z", "_", ":", "-",
            "+",
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..7 {
                s.push_str(joins[next(joins.len())]);
                for _ in 0..=next(3) + usize::from(next(8) == 0) {
                    s.push((b'0' + next(10) as u8) as char);
                }
            }
            cases.push(s);
        }
        let mut found = 0;
        for case in &cases {
            let (a, b) = (values(&direct, case), values(&regex, case));
            assert_eq!(a, b, "{case:?}");
            found += a.len();
        }
        assert!(found > 300, "the cases hold quads: {found}");
    }

    #[test]
    fn token_windows_stop_at_whitespace_quotes_and_angle_brackets() {
        let rule = |token: bool| {
            format!(
                r#"
[[rule]]
id = "secret.fake.url_password"
name = "URL password"
category = "secret"
severity = "high"
keywords = ["@"]
pattern = '://[a-z]+:([a-z0-9]+)@'
window = [60, 4]
token = {token}
"#
            )
        };
        let hay = b"{\"a\":\"see ftp://u:pw1@h\",\"mail\":\"jo@x.io\"} <b@c>";
        let (tokens, lines) = (engine(&rule(true)), engine(&rule(false)));
        let (n, bytes) = tokens.window_load(hay, &mut tokens.scratch());
        // `ftp://u:pw1@h`, `jo@x.io`, `b@c`: the runs around each `@`.
        assert_eq!((n, bytes), (3, 13 + 7 + 3));
        assert!(lines.window_load(hay, &mut lines.scratch()).1 > bytes);
        assert_eq!(
            values(&tokens, std::str::from_utf8(hay).unwrap()),
            values(&lines, std::str::from_utf8(hay).unwrap())
        );
        assert_eq!(values(&tokens, "x ftp://u:pw1@h y").len(), 1);
    }
}
