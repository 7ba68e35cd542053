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

/// Digit rules sorted by the kind of cluster they may fit: a plain run of
/// digits (a timestamp, an order number) can only be a card number, never a
/// separated phone, SSN or dotted address; a cluster without capitals or a
/// `$` before it skips the IBAN, NI-number and crypt-hash shapes. Each
/// cluster then checks only the shapes of its class (16 classes: plain,
/// `+` before, capitals before, `$` before).
#[derive(Debug, Clone, Default)]
pub struct ShapeTable {
    by_class: Vec<Vec<(u32, Shape)>>,
}

impl ShapeTable {
    /// The table of `(rule, shape)` pairs.
    pub fn new(rules: &[(u32, Shape)]) -> Self {
        let by_class = (0..16)
            .map(|class| {
                rules
                    .iter()
                    .filter(|(_, s)| s.may_fit_class(class))
                    .cloned()
                    .collect()
            })
            .collect();
        ShapeTable { by_class }
    }

    /// The shapes a cluster of `c`'s class may fit (each still to be checked
    /// with [`Cluster::fits`]).
    #[inline]
    pub fn for_cluster(&self, c: &Cluster) -> &[(u32, Shape)] {
        &self.by_class[c.class()]
    }

    /// True when no rule has a shape.
    pub fn is_empty(&self) -> bool {
        self.by_class.iter().all(Vec::is_empty)
    }
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

    /// False when no cluster of `class` (see [`Cluster::class`]) can fit.
    fn may_fit_class(&self, class: usize) -> bool {
        let [plain, intl, caps, dollar] = [1, 2, 4, 8].map(|bit| class & bit != 0);
        (!self.separated || !plain || intl)
            && (!plain || self.min_dots == 0)
            && (!self.caps_before || caps)
            && (!self.dollar_before || dollar)
    }
}

impl Cluster {
    /// Bits: plain run of digits (1), `+` before (2), capitals before (4),
    /// `$` before (8).
    #[inline]
    fn class(&self) -> usize {
        let plain = (self.end - self.start) as u32 == self.digits;
        usize::from(plain)
            | usize::from(self.plus_before) << 1
            | usize::from(self.caps_before) << 2
            | usize::from(self.dollar_before) << 3
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
        let plain = (self.end - self.start) as u32 == self.digits;
        let intl = self.plus_before;
        self.digits >= shape.min_digits
            && (!plain || self.digits <= shape.max_digits)
            && !(shape.separated && plain && !intl)
            && (!plain || shape.then_admits(hay.get(self.end).copied()))
            && (shape.first_group == 0 || self.first_group == shape.first_group)
            && (intl || shape.max_group == 0 || self.max_group <= shape.max_group)
            && (!shape.caps_before || self.caps_before)
            && (!shape.dollar_before || self.dollar_before)
            && self.dots >= shape.min_dots
            && (shape.separators == 0 || self.seps & !shape.separators == 0)
            && !(shape.refuse_dotted_quads && !intl && self.is_dotted_quad())
            && (intl
                || shape.first_digits.is_empty()
                || shape.first_digits.contains(&hay[self.start]))
    }
}

/// The cheapest conditions under which any rule's shape may fit (digits,
/// dots, capitals before): clusters failing all of them are dropped before
/// the per-rule checks. Most digit runs in exports (hex ids, small numbers)
/// stop here.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// (least digits, least dots, needs capitals before), one per distinct shape.
    entries: Vec<(u32, u32, bool)>,
    /// Fewest digits any entry needs.
    min_digits: u32,
    /// Fewest digits of a shape that needs a `$` before (kept apart: such
    /// shapes admit one-digit clusters, which must not slow the others).
    dollar_min: Option<u32>,
    /// The verdict of `entries` for (digits, dots, capitals before), with
    /// digits and dots clamped where every entry's threshold is passed:
    /// one lookup per cluster instead of a scan of the entries.
    table: Vec<bool>,
}

/// Clamps of the gate's table: above every shape's least digits and dots.
const GATE_DIGITS: u32 = 64;
const GATE_DOTS: u32 = 8;

impl Gate {
    /// The gate of a set of shapes.
    pub fn new<'a>(shapes: impl IntoIterator<Item = &'a Shape>) -> Self {
        let (dollar, plain): (Vec<&Shape>, Vec<&Shape>) =
            shapes.into_iter().partition(|s| s.dollar_before);
        let mut entries: Vec<(u32, u32, bool)> = plain
            .iter()
            .map(|s| (s.min_digits.max(1), s.min_dots, s.caps_before))
            .collect();
        entries.sort_unstable();
        entries.dedup();
        let min_digits = entries.iter().map(|e| e.0).min().unwrap_or(u32::MAX);
        let clamp_ok = entries
            .iter()
            .all(|&(d, o, _)| d < GATE_DIGITS && o < GATE_DOTS);
        let mut gate = Gate {
            entries,
            min_digits,
            dollar_min: dollar.iter().map(|s| s.min_digits.max(1)).min(),
            table: Vec::new(),
        };
        if clamp_ok {
            gate.table = (0..GATE_DIGITS * GATE_DOTS * 2)
                .map(|k| gate.scan(k / (GATE_DOTS * 2), k / 2 % GATE_DOTS, k % 2 == 1))
                .collect();
        }
        gate
    }

    #[inline]
    fn admits(&self, digits: u32, dots: u32, caps: bool, dollar: bool) -> bool {
        if dollar && self.dollar_min.is_some_and(|m| digits >= m) {
            return true;
        }
        if digits < self.min_digits {
            return false;
        }
        if self.table.is_empty() {
            return self.scan(digits, dots, caps);
        }
        let k = (digits.min(GATE_DIGITS - 1) * GATE_DOTS + dots.min(GATE_DOTS - 1)) * 2;
        self.table[(k + u32::from(caps)) as usize]
    }

    /// Whether any entry admits the cluster.
    fn scan(&self, digits: u32, dots: u32, caps: bool) -> bool {
        digits >= self.min_digits
            && self
                .entries
                .iter()
                .any(|&(d, o, c)| digits >= d && dots >= o && (caps || !c))
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
        if gate.admits(digits, dots, caps_before, dollar_before) {
            f(Cluster {
                start,
                end: i,
                digits,
                dots,
                max_group,
                first_group: first_group_end.map_or(0, |e| (e - start) as u32),
                plus_before: prev == Some(b'+'),
                caps_before,
                dollar_before,
                seps,
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

    fn clusters(s: &str) -> Vec<(String, u32, u32)> {
        let mut out = Vec::new();
        let any = Gate::new(&[Shape {
            min_digits: 1,
            ..Shape::default()
        }]);
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

    #[test]
    fn shape_table_keeps_every_shape_a_cluster_fits() {
        let shapes = [
            Shape {
                min_digits: 7,
                separated: true,
                ..Shape::default()
            },
            Shape {
                min_digits: 12,
                ..Shape::default()
            },
            Shape {
                min_digits: 2,
                caps_before: true,
                ..Shape::default()
            },
            Shape {
                min_digits: 4,
                min_dots: 3,
                ..Shape::default()
            },
            Shape {
                min_digits: 1,
                dollar_before: true,
                ..Shape::default()
            },
        ];
        let rules: Vec<(u32, Shape)> = shapes
            .iter()
            .cloned()
            .zip(0..)
            .map(|(s, i)| (i, s))
            .collect();
        let table = ShapeTable::new(&rules);
        let gate = Gate::new(&shapes);
        let hay = b"t 1731023456789 ph 020-7946-0958 +14155552671 DE89370400440532013000 ip 203.0.113.9 $6$x 4111111111111111";
        let mut seen = 0;
        digit_clusters(hay, &gate, |c| {
            let listed: Vec<u32> = table.for_cluster(&c).iter().map(|(r, _)| *r).collect();
            for (r, s) in &rules {
                if c.fits(s, hay) {
                    assert!(
                        listed.contains(r),
                        "rule {r} fits {:?} but is not listed",
                        &hay[c.start..c.end]
                    );
                }
            }
            seen += 1;
        });
        assert!(seen >= 6);
        // A plain run is offered only the unseparated, dotless shape.
        let plain = Cluster {
            start: 0,
            end: 13,
            digits: 13,
            ..Cluster::default()
        };
        let listed: Vec<u32> = table.for_cluster(&plain).iter().map(|(r, _)| *r).collect();
        assert_eq!(listed, [1]);
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
        let gate = Gate::new(std::slice::from_ref(&shape));
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
            refuse_dotted_quads: true,
            ..Shape::default()
        };
        let any = Shape {
            min_digits: 7,
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
        let ip = Shape {
            min_digits: 4,
            min_dots: 3,
            ..Shape::default()
        };
        let iban = Shape {
            min_digits: 2,
            caps_before: true,
            ..Shape::default()
        };
        let card = Shape {
            min_digits: 13,
            ..Shape::default()
        };
        let gate = Gate::new([&ip, &iban, &card]);
        let hay = b"a1b22c 1.2.3.4 DE89x 12345;1234567890123";
        let mut got = Vec::new();
        digit_clusters(hay, &gate, |c| {
            got.push(String::from_utf8_lossy(&hay[c.start..c.end]).into_owned())
        });
        assert_eq!(got, vec!["1.2.3.4", "89", "1234567890123"]);
    }

    #[test]
    fn the_gate_table_agrees_with_its_entries_past_the_clamps() {
        let shapes = [(4, 3, false), (2, 0, true), (13, 0, false), (9, 2, false)].map(
            |(min_digits, min_dots, caps_before)| Shape {
                min_digits,
                min_dots,
                caps_before,
                ..Shape::default()
            },
        );
        let gate = Gate::new(&shapes);
        assert!(!gate.table.is_empty());
        for digits in 0..100 {
            for dots in 0..12 {
                for caps in [false, true] {
                    assert_eq!(
                        gate.admits(digits, dots, caps, false),
                        gate.scan(digits, dots, caps),
                        "{digits} digits, {dots} dots, caps {caps}"
                    );
                }
            }
        }
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
        let any = Gate::new(&[Shape {
            min_digits: 1,
            ..Shape::default()
        }]);
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
