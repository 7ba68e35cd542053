//! Shared triggers for the few rules that have no keyword: numbers (cards,
//! phones, SSNs, IBANs, IPv4) and IPv6 addresses.
//!
//! One pass finds *digit clusters* (digits joined by at most two separator
//! bytes from ` -./()`) from the digit-start bitmaps of [`BlockMasks`], and
//! the colons between hex digits from the same bitmaps. Each rule then only
//! sees clusters whose shape fits it, so a millisecond timestamp never
//! reaches the SSN regex.

use super::blocks::BlockMasks;

/// A run of digits and short separators, e.g. `(415) 555-2671`, `10.0.3.4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cluster {
    pub start: usize,
    pub end: usize,
    /// Digits in the cluster.
    pub digits: u32,
    /// `.` separators in the cluster.
    pub dots: u32,
    /// Longest run of consecutive digits.
    pub max_group: u32,
    /// Digits in the first run.
    pub first_group: u32,
    /// The byte before the cluster is `+` (an international phone prefix).
    pub plus_before: bool,
    /// Two capital letters stand right before the cluster (`DE89…`), or
    /// before one space (`AB 12 34 56 C`).
    pub caps_before: bool,
    /// A `$` stands right before the cluster (`$6$…` crypt hashes).
    pub dollar_before: bool,
    /// Separator kinds inside the cluster, as [`sep_bit`] flags.
    pub seps: u8,
    /// Bit `k`: the gate's shape `k` may fit, by the cluster's counts and
    /// class (see [`Gate::candidates`]); the rest is [`Cluster::fits_rest`].
    pub candidates: u64,
}

/// The flag of a separator byte in [`Cluster::seps`] (0 for other bytes).
pub fn sep_bit(b: u8) -> u8 {
    match b {
        b' ' => 1,
        b'-' => 2,
        b'.' => 4,
        b'/' => 8,
        b'(' | b')' => 16,
        _ => 0,
    }
}

/// What a keyword-less rule needs of a cluster before its regex is worth
/// running (from the rule's `digits`, `separated`, `first_digits`, `max_group`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shape {
    pub min_digits: u32,
    pub max_digits: u32,
    /// Plain digit runs never qualify, unless right after a `+`.
    pub separated: bool,
    /// Allowed first digits of the cluster (empty: any).
    pub first_digits: Vec<u8>,
    /// Longest allowed digit group (0: any).
    pub max_group: u32,
    /// Bytes that may follow a plain run (a bit per byte; all clear: any).
    pub plain_then: [u64; 4],
    /// Digits of the first group (0: any).
    pub first_group: u32,
    /// Needs two capital letters right before the cluster.
    pub caps_before: bool,
    /// Needs a `$` right before the cluster.
    pub dollar_before: bool,
    /// Least number of dots.
    pub min_dots: u32,
    /// Separator kinds the value may use ([`sep_bit`] flags; 0: any).
    pub separators: u8,
    /// A cluster of four groups joined by dots alone cannot hold the value.
    pub refuse_dotted_quads: bool,
    /// A word-bounded dotted quad that fits is the value (see
    /// [`Cluster::is_quad_value`]).
    pub quad_value: bool,
}

impl Shape {
    /// The `plain_then` bitset of the bytes of `spec` (a range `A-F` stands
    /// for its bytes).
    pub fn then_set(spec: &str) -> [u64; 4] {
        let b = spec.as_bytes();
        let mut set = [0u64; 4];
        let mut i = 0;
        while i < b.len() {
            let (lo, hi) = if i + 2 < b.len() && b[i + 1] == b'-' {
                i += 3;
                (b[i - 3], b[i - 1])
            } else {
                i += 1;
                (b[i - 1], b[i - 1])
            };
            for x in lo..=hi {
                set[x as usize / 64] |= 1 << (x % 64);
            }
        }
        set
    }

    /// True when a plain run followed by `next` may hold the value.
    #[inline]
    fn then_admits(&self, next: Option<u8>) -> bool {
        self.plain_then == [0; 4]
            || next.is_some_and(|x| self.plain_then[x as usize / 64] >> (x % 64) & 1 == 1)
    }

    /// True when a cluster of `class` (see [`Cluster::class`]) with these
    /// counts may hold the value: the conditions the gate's table folds in.
    fn counts_admit(&self, class: usize, digits: u32, dots: u32) -> bool {
        let [plain, intl, caps, dollar] = [1, 2, 4, 8].map(|bit| class & bit != 0);
        digits >= self.min_digits
            && (!plain || digits <= self.max_digits)
            && !(self.separated && plain && !intl)
            && (!self.caps_before || caps)
            && (!self.dollar_before || dollar)
            && dots >= self.min_dots
    }
}

impl Cluster {
    /// Bits: plain run of digits (1), `+` before (2), capitals before (4),
    /// `$` before (8).
    #[inline]
    fn class(&self) -> usize {
        class_of(
            self.is_plain(),
            self.plus_before,
            self.caps_before,
            self.dollar_before,
        )
    }

    /// A run of digits with no separator.
    #[inline]
    pub fn is_plain(&self) -> bool {
        (self.end - self.start) as u32 == self.digits
    }

    /// Four digit groups joined by three dots and nothing else: an IPv4
    /// address or a version number.
    fn is_dotted_quad(&self) -> bool {
        self.dots == 3 && self.seps == sep_bit(b'.')
    }

    /// For a shape with `quad_value` that the cluster fits: the cluster is a
    /// dotted quad of four groups (a `..` joins two with two dots) with no
    /// word byte (`[0-9A-Za-z_]`) on either side, so a
    /// pattern `\b((?:[0-9]{1,3}\.){3}[0-9]{1,3})\b` would match exactly
    /// it, and its regex need not run.
    pub fn is_quad_value(&self, shape: &Shape, hay: &[u8]) -> bool {
        let word = crate::validate::is_word_byte;
        shape.quad_value
            && self.is_dotted_quad()
            && !hay[self.start..self.end].windows(2).any(|w| w == b"..")
            && !self.plus_before
            && (self.start == 0 || !word(&hay[self.start - 1]))
            && !hay.get(self.end).is_some_and(word)
    }

    /// True when `shape` may match inside this cluster. A `+` right before
    /// the cluster marks an international number, which is exempt from
    /// `first_digits` and `max_group` (`+14155552671` is one long group).
    pub fn fits(&self, shape: &Shape, hay: &[u8]) -> bool {
        shape.counts_admit(self.class(), self.digits, self.dots) && self.fits_rest(shape, hay)
    }

    /// [`Cluster::fits`] past the conditions the gate already checked for
    /// the shapes in [`Cluster::candidates`].
    #[inline]
    pub fn fits_rest(&self, shape: &Shape, hay: &[u8]) -> bool {
        let plain = self.is_plain();
        let intl = self.plus_before;
        (!plain || shape.then_admits(hay.get(self.end).copied()))
            && (shape.first_group == 0 || self.first_group == shape.first_group)
            && (intl || shape.max_group == 0 || self.max_group <= shape.max_group)
            && (shape.separators == 0 || self.seps & !shape.separators == 0)
            && !(shape.refuse_dotted_quads && !intl && self.is_dotted_quad())
            && (intl
                || shape.first_digits.is_empty()
                || shape.first_digits.contains(&hay[self.start]))
    }
}

/// Bits of a cluster's class: plain run of digits (1), `+` before (2),
/// capitals before (4), `$` before (8).
#[inline]
fn class_of(plain: bool, plus: bool, caps: bool, dollar: bool) -> usize {
    usize::from(plain) | usize::from(plus) << 1 | usize::from(caps) << 2 | usize::from(dollar) << 3
}

/// Which shapes a cluster may fit, from its class and counts alone: most
/// digit runs in exports (hex ids, small numbers, timestamps) fit none and
/// stop here, and a cluster that goes on is checked only against the shapes
/// its counts allow. One table lookup per cluster, with no branch on the
/// counts: clusters are as varied as the data, and a chain of tests on them
/// was mispredicted about once per cluster.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// The shapes, at most [`Gate::MAX_SHAPES`]; bit `k` of a candidate
    /// mask is `shapes[k]`.
    shapes: Vec<Shape>,
    /// The candidate mask per (class, digits, dots), with digits and dots
    /// clamped where the answer no longer changes; empty when some shape's
    /// numbers are past the clamps (the masks are then worked out per cluster).
    table: Vec<u64>,
}

/// Clamps of the gate's table: above every shape's least digits and dots.
const GATE_DIGITS: u32 = 64;
const GATE_DOTS: u32 = 8;
/// Cluster classes (see [`class_of`]).
const CLASSES: u32 = 16;

/// The entry of the gate's table for a class and counts, clamped.
#[inline]
fn table_index(class: usize, digits: u32, dots: u32) -> usize {
    let d = digits.min(GATE_DIGITS - 1) as usize;
    let o = dots.min(GATE_DOTS - 1) as usize;
    (class * GATE_DIGITS as usize + d) * GATE_DOTS as usize + o
}

impl Gate {
    /// Most shapes one gate holds (one bit each in a `u64`).
    pub const MAX_SHAPES: usize = 64;

    /// The gate of a set of shapes (at most [`Gate::MAX_SHAPES`]; later
    /// ones are ignored, and [`crate::engine::Engine::new`] refuses more).
    pub fn new<'a>(shapes: impl IntoIterator<Item = &'a Shape>) -> Self {
        let shapes: Vec<Shape> = shapes.into_iter().take(Self::MAX_SHAPES).cloned().collect();
        let within_clamps = shapes.iter().all(|s| {
            s.min_digits < GATE_DIGITS
                && s.min_dots < GATE_DOTS
                && (s.max_digits < GATE_DIGITS - 1 || s.max_digits == u32::MAX)
        });
        let mut gate = Gate {
            shapes,
            table: Vec::new(),
        };
        if within_clamps {
            let mut table = vec![0; (CLASSES * GATE_DIGITS * GATE_DOTS) as usize];
            for class in 0..CLASSES as usize {
                for digits in 0..GATE_DIGITS {
                    for dots in 0..GATE_DOTS {
                        table[table_index(class, digits, dots)] = gate.scan(class, digits, dots);
                    }
                }
            }
            gate.table = table;
        }
        gate
    }

    /// Bit `k`: shape `k` may fit a cluster of `class` with these counts.
    #[inline]
    pub fn candidates(&self, class: usize, digits: u32, dots: u32) -> u64 {
        if self.table.is_empty() {
            return self.scan(class, digits, dots);
        }
        self.table[table_index(class, digits, dots)]
    }

    /// Shape `k`.
    pub fn shape(&self, k: u32) -> &Shape {
        &self.shapes[k as usize]
    }

    /// [`Gate::candidates`] worked out shape by shape.
    fn scan(&self, class: usize, digits: u32, dots: u32) -> u64 {
        self.shapes
            .iter()
            .enumerate()
            .filter(|(_, s)| s.counts_admit(class, digits, dots))
            .fold(0, |m, (k, _)| m | 1 << k)
    }
}

/// Byte classes for the cluster scanner.
const DIGIT: u8 = 1;
const SEP: u8 = 2;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = DIGIT;
        d += 1;
    }
    t[b' ' as usize] = SEP;
    t[b'-' as usize] = SEP;
    t[b'.' as usize] = SEP;
    t[b'/' as usize] = SEP;
    t[b'(' as usize] = SEP;
    t[b')' as usize] = SEP;
    t
};

/// Calls `f` for every digit cluster in `hay` that `gate` admits.
pub fn digit_clusters(hay: &[u8], gate: &Gate, f: impl FnMut(Cluster)) {
    let masks = BlockMasks::of(hay);
    digit_clusters_and_colons(hay, &masks, gate, f, None::<fn(usize)>);
}

/// [`digit_clusters`] on the bitmaps of `hay` (see [`BlockMasks`]), also calling `on_colon` with the position of every
/// `:` that has a hex digit or colon on each side: the IPv6 trigger rides on
/// this pass instead of a `memchr(':')` pass, which is slow on colon-dense JSON.
pub fn digit_clusters_and_colons(
    hay: &[u8],
    masks: &BlockMasks,
    gate: &Gate,
    mut f: impl FnMut(Cluster),
    mut on_colon: Option<impl FnMut(usize)>,
) {
    let n = hay.len();
    let mut starts = Starts::new(masks, n);
    let mut i = 0;
    while let Some(start) = starts.next(i, &mut on_colon) {
        i = start;
        let (mut digits, mut dots, mut max_group, mut seps) = (0u32, 0u32, 0u32, 0u8);
        let mut first_group_end = None;
        loop {
            let g = i;
            i = run_end(hay, i);
            first_group_end.get_or_insert(i);
            let group = (i - g) as u32;
            digits += group;
            max_group = max_group.max(group);
            let mut j = i;
            while j < n && j - i < 2 && CLASS[hay[j] as usize] == SEP {
                j += 1;
            }
            if j > i && j < n && CLASS[hay[j] as usize] == DIGIT {
                for &b in &hay[i..j] {
                    dots += u32::from(b == b'.');
                    seps |= sep_bit(b);
                }
                i = j;
            } else {
                break;
            }
        }
        let caps = |k: usize| start >= k && hay[start - k].is_ascii_uppercase();
        let prev = start.checked_sub(1).map(|k| hay[k]);
        // `DE89…`, or with one space as in `AB 12 34 56 C`.
        let caps_before = (caps(1) && caps(2)) || (prev == Some(b' ') && caps(2) && caps(3));
        let dollar_before = prev == Some(b'$');
        let plus_before = prev == Some(b'+');
        let plain = (i - start) as u32 == digits;
        let class = class_of(plain, plus_before, caps_before, dollar_before);
        let candidates = gate.candidates(class, digits, dots);
        if candidates != 0 {
            f(Cluster {
                start,
                end: i,
                digits,
                dots,
                max_group,
                first_group: first_group_end.map_or(0, |e| (e - start) as u32),
                plus_before,
                caps_before,
                dollar_before,
                seps,
                candidates,
            });
        }
        if i >= n {
            return;
        }
        // A dotted address after a number and a space (`0 203.0.113.42`)
        // glues into one cluster no IP shape admits: look again from the
        // first group's end, so the address starts a cluster of its own.
        // (Short clusters only: a long run of dotted numbers stays linear.)
        if seps & sep_bit(b' ') != 0 && dots >= 3 && i - start <= 64 {
            i = first_group_end.unwrap_or(i);
        }
    }
}

/// Where a value may start: the digit-start bitmaps of [`BlockMasks`],
/// read one block at a time. Every rule's pattern needs a boundary before
/// its value, so the digit runs glued inside hex ids and words — most
/// digits in an export — are skipped without being visited. The same pass
/// yields the IPv6 candidates (colons with a hex digit or colon on both
/// sides; JSON's `":"` is excluded for free).
/// (Later groups of a digit cluster are reached through its separators.)
struct Starts<'a> {
    masks: &'a BlockMasks,
    len: usize,
    base: usize,
    /// Bit `k`: a digit value may start at `base + k`.
    mask: u64,
}

impl<'a> Starts<'a> {
    fn new(masks: &'a BlockMasks, len: usize) -> Self {
        Starts {
            masks,
            len,
            base: usize::MAX,
            mask: 0,
        }
    }

    /// The first possible start at or after `i`; `on_colon` is told of the
    /// IPv6 candidates of every block loaded on the way (blocks skipped by a
    /// digit cluster hold only digits and separators).
    #[inline]
    fn next(&mut self, mut i: usize, on_colon: &mut Option<impl FnMut(usize)>) -> Option<usize> {
        while i < self.len {
            let base = i & !63;
            if base != self.base {
                self.base = base;
                self.mask = self.masks.digits()[base / 64];
                if let Some(cb) = on_colon.as_mut() {
                    let mut c = self.masks.colons()[base / 64];
                    while c != 0 {
                        cb(base + c.trailing_zeros() as usize);
                        c &= c - 1;
                    }
                }
            }
            let m = self.mask >> (i - base);
            if m != 0 {
                return Some(i + m.trailing_zeros() as usize);
            }
            i = base + 64;
        }
        None
    }
}

/// Position just past the run of digits starting at `i`.
#[inline]
fn run_end(hay: &[u8], mut i: usize) -> usize {
    while i + 8 <= hay.len() {
        let m = !digit_mask(u64::from_le_bytes(hay[i..i + 8].try_into().unwrap())) & HIGH;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + hay[i..].iter().take_while(|b| b.is_ascii_digit()).count()
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that is an ASCII digit (SWAR, exact:
/// no carry crosses a byte).
#[inline]
fn digit_mask(x: u64) -> u64 {
    let y = x ^ (ONES * 0x30); // digits become 0..=9
    let not_digit = (((y & !HIGH) + ONES * 0x76) | y) & HIGH; // byte >= 10
    !not_digit & HIGH
}

/// The run of hex digits and colons around the `:` at `pos`, when that colon
/// has a hex digit (or colon) on each side and the run holds two colons.
pub fn hexcolon_run_at(hay: &[u8], pos: usize) -> Option<(usize, usize)> {
    let hexish = |b: u8| b.is_ascii_hexdigit() || b == b':';
    let before_ok = pos > 0 && hexish(hay[pos - 1]);
    let after_ok = hay.get(pos + 1).is_some_and(|&b| hexish(b));
    if !(before_ok && after_ok) {
        return None;
    }
    let start = hay[..pos]
        .iter()
        .rposition(|&b| !hexish(b))
        .map_or(0, |i| i + 1);
    let end = hay[pos..]
        .iter()
        .position(|&b| !hexish(b))
        .map_or(hay.len(), |i| pos + i);
    (hay[start..end].iter().filter(|&&b| b == b':').count() >= 2).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shape any cluster fits.
    fn any_shape() -> Shape {
        Shape {
            min_digits: 1,
            max_digits: u32::MAX,
            ..Shape::default()
        }
    }

    fn clusters(s: &str) -> Vec<(String, u32, u32)> {
        let mut out = Vec::new();
        let any = Gate::new(&[any_shape()]);
        digit_clusters(s.as_bytes(), &any, |c| {
            out.push((s[c.start..c.end].to_string(), c.digits, c.dots))
        });
        out
    }

    #[test]
    fn swar_digit_mask_is_exact() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut bytes = [b'a', b'z', b'9', b'"', 0xff, 0x80, b'/', b':'];
                bytes[pos] = b;
                let m = digit_mask(u64::from_le_bytes(bytes));
                for (k, &c) in bytes.iter().enumerate() {
                    assert_eq!(
                        m >> (8 * k + 7) & 1 == 1,
                        c.is_ascii_digit(),
                        "byte {c} at {k}"
                    );
                }
            }
        }
    }

    /// Shapes like the built-in rules': a separated phone, a card, an
    /// IBAN after capitals, a dotted address, a crypt hash after `$`.
    fn sample_shapes() -> [Shape; 5] {
        [
            Shape {
                min_digits: 7,
                max_digits: 15,
                separated: true,
                ..Shape::default()
            },
            Shape {
                min_digits: 12,
                max_digits: 19,
                ..Shape::default()
            },
            Shape {
                min_digits: 2,
                max_digits: 34,
                caps_before: true,
                ..Shape::default()
            },
            Shape {
                min_digits: 4,
                max_digits: 12,
                min_dots: 3,
                ..Shape::default()
            },
            Shape {
                min_digits: 1,
                max_digits: 1,
                dollar_before: true,
                ..Shape::default()
            },
        ]
    }

    #[test]
    fn gate_candidates_keep_every_shape_a_cluster_fits() {
        let shapes = sample_shapes();
        let gate = Gate::new(&shapes);
        let all = Gate::new(&[any_shape()]);
        let hay = b"t 1731023456789;ph 020-7946-0958;+14155552671;DE89370400440532013000;ip 203.0.113.9;$6$x;4111111111111111;1734285197;12;9.4";
        let (mut seen, mut fitting) = (0, 0);
        digit_clusters(hay, &all, |c| {
            let candidates = gate.candidates(c.class(), c.digits, c.dots);
            for (k, s) in shapes.iter().enumerate() {
                let listed = candidates >> k & 1 == 1;
                assert!(
                    listed || !c.fits(s, hay),
                    "shape {k} fits {:?} but is not a candidate",
                    String::from_utf8_lossy(&hay[c.start..c.end])
                );
                fitting += usize::from(c.fits(s, hay));
            }
            seen += 1;
        });
        // Ten clusters; the address fits the phone too (no shape here refuses
        // dotted quads); the last three fit nothing.
        assert_eq!((seen, fitting), (10, 8));
        // A plain run is offered only the card, and only at a card's length.
        let plain = |digits| gate.candidates(class_of(true, false, false, false), digits, 0);
        assert_eq!([plain(10), plain(13), plain(20)], [0, 1 << 1, 0]);
        // A `$` before a digit: the crypt shape.
        assert_eq!(
            gate.candidates(class_of(true, false, false, true), 1, 0),
            1 << 4
        );
    }

    #[test]
    fn plain_runs_fit_only_before_a_listed_byte_and_first_groups_by_length() {
        let shape = Shape {
            min_digits: 6,
            max_digits: 9,
            plain_then: Shape::then_set("A-FU-Y"),
            first_group: 6,
            ..Shape::default()
        };
        let gate = Gate::new(&[any_shape()]);
        let hay = b"020594X903P 020594f1a 123456\" 131052-308T a-8376-4238-b 010594Y 999999";
        let mut fitting = Vec::new();
        digit_clusters(hay, &gate, |c| {
            if c.fits(&shape, hay) {
                fitting.push(String::from_utf8_lossy(&hay[c.start..c.end]).into_owned());
            }
        });
        // Separated clusters are not held to the list (but to the first
        // group's length); the last run has no byte after it.
        assert_eq!(fitting, ["020594", "131052-308", "010594"]);
        let set = Shape::then_set("-+A-C");
        let listed: Vec<u8> = (0..=255u8)
            .filter(|&x| set[x as usize / 64] >> (x % 64) & 1 == 1)
            .collect();
        assert_eq!(listed, b"+-ABC");
    }

    #[test]
    fn dotted_quads_can_be_refused() {
        let phone = Shape {
            min_digits: 7,
            max_digits: 15,
            refuse_dotted_quads: true,
            ..Shape::default()
        };
        let any = Shape {
            min_digits: 7,
            max_digits: 15,
            ..Shape::default()
        };
        let gate = Gate::new([&phone, &any]);
        let hay =
            b"ip 203.0.113.77 tel 555.867.5309 v 99.0.4844.51 fr 01.42.68.53.00 +1.555.867.5309";
        let mut fits = Vec::new();
        digit_clusters(hay, &gate, |c| {
            let text = String::from_utf8_lossy(&hay[c.start..c.end]).into_owned();
            fits.push((text, c.fits(&phone, hay), c.fits(&any, hay)));
        });
        let f = |t: &str, p: bool| (t.to_string(), p, true);
        assert_eq!(
            fits,
            [
                f("203.0.113.77", false),
                f("555.867.5309", true),
                f("99.0.4844.51", false),
                f("01.42.68.53.00", true),
                f("1.555.867.5309", true),
            ]
        );
    }

    #[test]
    fn gate_drops_clusters_no_shape_can_use() {
        let [_, card, iban, ip, _] = sample_shapes();
        let gate = Gate::new([&ip, &iban, &card]);
        let hay = b"a1b22c 1.2.3.4 DE89x 12345;1234567890123;1734285197";
        let mut got = Vec::new();
        digit_clusters(hay, &gate, |c| {
            got.push((
                String::from_utf8_lossy(&hay[c.start..c.end]).into_owned(),
                c.candidates,
            ))
        });
        let got: Vec<(&str, u64)> = got.iter().map(|(t, m)| (t.as_str(), *m)).collect();
        // The ten-digit timestamp is too short for a card and too plain for
        // the rest.
        assert_eq!(got, [("1.2.3.4", 1), ("89", 2), ("1234567890123", 4)]);
    }

    #[test]
    fn the_gate_table_agrees_with_its_shapes_past_the_clamps() {
        let mut shapes = sample_shapes().to_vec();
        shapes.push(Shape {
            min_digits: 9,
            max_digits: u32::MAX,
            min_dots: 2,
            ..Shape::default()
        });
        let gate = Gate::new(&shapes);
        assert!(!gate.table.is_empty());
        for class in 0..CLASSES as usize {
            for digits in 0..100 {
                for dots in 0..12 {
                    assert_eq!(
                        gate.candidates(class, digits, dots),
                        gate.scan(class, digits, dots),
                        "class {class}, {digits} digits, {dots} dots"
                    );
                }
            }
        }
        // A shape past the clamps: no table, the same answers.
        shapes.push(Shape {
            min_digits: 70,
            max_digits: 90,
            ..Shape::default()
        });
        let slow = Gate::new(&shapes);
        assert!(slow.table.is_empty());
        let plain = class_of(true, false, false, false);
        assert_eq!(slow.candidates(plain, 80, 0), 1 << 6);
        assert_eq!(slow.candidates(plain, 95, 0), 0);
        assert_eq!(slow.candidates(0, 80, 2), 1 << 6 | 1 << 5 | 1 << 1 | 1);
    }

    #[test]
    fn colon_candidates_need_hex_on_both_sides_across_blocks() {
        let mut hay = b"{\"k\":\"v\"}".repeat(6); // JSON colons only
        hay.extend_from_slice(b"ip 2a02:c055:f675::d8dc at 12:30");
        let mut got = Vec::new();
        let none = Gate::new([&Shape {
            min_digits: 99,
            ..Shape::default()
        }]);
        let masks = BlockMasks::of(&hay);
        digit_clusters_and_colons(&hay, &masks, &none, |_| {}, Some(|p: usize| got.push(p)));
        let text = String::from_utf8_lossy(&hay).into_owned();
        let at = text.find("2a02").unwrap();
        assert_eq!(
            got,
            vec![at + 4, at + 9, at + 14, at + 15, text.rfind(':').unwrap()]
        );
    }

    #[test]
    fn starts_skip_runs_glued_to_words_across_blocks() {
        let mut hay = b"f3a90121 ".repeat(7); // 63 bytes of runs glued to letters
        hay.extend_from_slice(b"x12 (415) DE89 a1_2 \"77\"");
        let masks = BlockMasks::of(&hay);
        let mut starts = Starts::new(&masks, hay.len());
        let mut got = Vec::new();
        let mut i = 0;
        while let Some(s) = starts.next(i, &mut None::<fn(usize)>) {
            got.push(s);
            i = s + 1;
        }
        // "x12" is glued; "415" follows "("; "89" follows capitals;
        // "1"/"2" are glued; "77" follows a quote.
        let want: Vec<usize> = vec![68, 75, 84];
        assert_eq!(
            got,
            want,
            "{:?}",
            got.iter().map(|&s| hay[s] as char).collect::<String>()
        );
    }

    #[test]
    fn runs_end_across_word_edges() {
        let s = b"ab0123456789012345xyz7";
        assert_eq!(run_end(s, 2), 18);
        assert_eq!(run_end(s, 21), 22);
        assert_eq!(run_end(s, 18), 18);
    }

    #[test]
    fn shapes_filter_clusters() {
        let hay = b"ts=1731023456789 +14155552671 v=120.0.6099.109 DE89370400440532013000";
        let mut got = Vec::new();
        let any = Gate::new(&[any_shape()]);
        digit_clusters(hay, &any, |c| got.push(c));
        let card = Shape {
            min_digits: 13,
            max_digits: 19,
            first_digits: b"2345".to_vec(),
            ..Shape::default()
        };
        let phone = Shape {
            min_digits: 7,
            max_digits: 15,
            separated: true,
            ..Shape::default()
        };
        let ip = Shape {
            min_digits: 4,
            max_digits: 12,
            max_group: 3,
            min_dots: 3,
            ..Shape::default()
        };
        let iban = Shape {
            min_digits: 2,
            max_digits: 34,
            caps_before: true,
            ..Shape::default()
        };
        let fits = |s: &Shape| got.iter().map(|c| c.fits(s, hay)).collect::<Vec<_>>();
        assert_eq!(fits(&card), vec![false, false, false, false]);
        assert_eq!(fits(&phone), vec![false, true, true, false]);
        assert_eq!(fits(&ip), vec![false, false, false, false]);
        assert_eq!(fits(&iban), vec![false, false, false, true]);
    }

    #[test]
    fn digit_clusters_table() {
        assert_eq!(
            clusters("call (415) 555-2671 or 10.0.3.4, ts=1731023456789"),
            vec![
                ("415) 555-2671".to_string(), 10, 0),
                ("10.0.3.4".to_string(), 5, 3),
                ("1731023456789".to_string(), 13, 0),
            ]
        );
        assert_eq!(clusters("a - b 12 -34"), vec![("12 -34".to_string(), 4, 0)]);
        assert_eq!(clusters("12 -- 34").len(), 2);
        assert_eq!(
            clusters("1 + 2"),
            vec![("1".to_string(), 1, 0), ("2".to_string(), 1, 0)]
        );
    }

    #[test]
    fn dollar_shapes_admit_one_digit_after_a_dollar_only() {
        let crypt = Shape {
            min_digits: 1,
            max_digits: 1,
            dollar_before: true,
            ..Shape::default()
        };
        let card = Shape {
            min_digits: 13,
            max_digits: 19,
            ..Shape::default()
        };
        let gate = Gate::new(&[crypt.clone(), card]);
        let s = "root:$6$salt$hash x6y 7 $1";
        let mut seen = Vec::new();
        digit_clusters(s.as_bytes(), &gate, |c| {
            seen.push((c.start, c.dollar_before, c.fits(&crypt, s.as_bytes())))
        });
        assert_eq!(seen, vec![(6, true, true), (25, true, true)]);
    }

    #[test]
    fn hexcolon_run_at_table() {
        let s = r#"{"ip":"2001:db8::1","t":"12:30:45","k":"a:b"}"#;
        let run = |needle: &str| {
            let pos = s.find(needle).unwrap();
            hexcolon_run_at(s.as_bytes(), pos).map(|(a, b)| s[a..b].to_string())
        };
        assert_eq!(run(":db8").as_deref(), Some("2001:db8::1"));
        assert_eq!(run(":30").as_deref(), Some("12:30:45"));
        assert_eq!(run(":b\""), None); // one colon only
        assert_eq!(run(":\"2001"), None); // JSON's `":"`
    }
}
