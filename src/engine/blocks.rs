//! One classification pass per buffer, shared by the keyword table and the
//! digit trigger.
//!
//! Both need to know, for every byte, whether it is a letter, digit, capital,
//! hex digit or colon, and what the byte before it was: the keyword table to
//! find word starts, the trigger to find where a number may begin and which
//! colons may belong to an IPv6 address. Classifying the bytes twice (once
//! per stage) cost about 3 instructions per byte of a 20-instruction scan;
//! here the bytes are classified once, 64 at a time (AVX-512 or AVX2 where
//! the CPU has it, else SSE2, byte by byte in the last partial block), and each stage
//! reads its bitmap, one `u64` per 64-byte block.

/// Bitmaps of one buffer, one `u64` per 64-byte block (bit `k` of entry `b`
/// is byte `64 * b + k`).
#[derive(Debug, Default)]
pub struct BlockMasks {
    /// Blocks of the buffer last filled (the vectors may be longer: they
    /// only grow, so a line scanned on its own between two 4 MiB chunks does
    /// not make the next chunk clear and refill them).
    blocks: usize,
    /// Word starts where a keyword may begin: a letter after a byte that is
    /// not a letter or digit, or a capital right after a lowercase letter
    /// (`clientSecret`). Never a digit: no table keyword begins with one.
    words: Vec<u64>,
    /// Digits where a number may begin: the byte before is not a digit, and
    /// not a letter or `_` unless it is a capital (`DE89…`).
    digits: Vec<u64>,
    /// Colons with a hex digit or colon on both sides (IPv6 candidates).
    colons: Vec<u64>,
}

impl BlockMasks {
    /// The bitmaps of `hay`.
    pub fn of(hay: &[u8]) -> Self {
        let mut m = BlockMasks::default();
        m.fill(hay);
        m
    }

    /// Word starts, one `u64` per block of the buffer.
    pub fn words(&self) -> &[u64] {
        &self.words[..self.blocks]
    }

    /// Digit starts, one `u64` per block.
    pub fn digits(&self) -> &[u64] {
        &self.digits[..self.blocks]
    }

    /// IPv6 colon candidates, one `u64` per block.
    pub fn colons(&self) -> &[u64] {
        &self.colons[..self.blocks]
    }

    /// Recomputes the bitmaps for `hay`, reusing the allocations (every
    /// entry used is overwritten, so they grow but are never cleared).
    pub fn fill(&mut self, hay: &[u8]) {
        self.blocks = hay.len().div_ceil(64);
        for v in [&mut self.words, &mut self.digits, &mut self.colons] {
            if v.len() < self.blocks {
                v.resize(self.blocks, 0);
            }
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx512bw") {
            // SAFETY: the CPU has AVX-512BW (checked just above).
            unsafe { self.fill_avx512(hay) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            unsafe { self.fill_avx2(hay) };
            return;
        }
        self.fill_with(hay, classify_block);
    }

    /// [`BlockMasks::fill`] with the AVX-512 classifier inlined.
    ///
    /// # Safety
    /// The CPU must support AVX-512BW.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512bw")]
    unsafe fn fill_avx512(&mut self, hay: &[u8]) {
        // SAFETY: the caller checked AVX-512BW.
        self.fill_with(hay, |b| unsafe { classify_avx512(b) });
    }

    /// [`BlockMasks::fill`] with the AVX2 classifier inlined.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn fill_avx2(&mut self, hay: &[u8]) {
        // SAFETY: the caller checked AVX2.
        self.fill_with(hay, |b| unsafe { classify_avx2(b) });
    }

    /// Fills the (already sized) bitmaps, classifying full blocks with
    /// `classify` and the last partial block byte by byte.
    #[inline(always)]
    fn fill_with(&mut self, hay: &[u8], classify: impl Fn(&[u8]) -> Classes) {
        let mut carry = Carry::default();
        let n = self.blocks;
        let out = self.words[..n]
            .iter_mut()
            .zip(&mut self.digits[..n])
            .zip(&mut self.colons[..n]);
        for (b, ((words, digits), colons)) in out.enumerate() {
            let base = 64 * b;
            let (c, next) = match hay.get(base..base + 64) {
                Some(block) => (classify(block), hay.get(base + 64).copied()),
                None => (classify_scalar(&hay[base..]), None),
            };
            [*words, *digits, *colons] = bitmaps(&mut carry, c, next);
        }
    }
}

/// One block's bitmaps (words, digits, colons) from its classes, the
/// classes of the byte before it (`carry`, updated) and the byte after it.
#[inline(always)]
fn bitmaps(carry: &mut Carry, c: Classes, next: Option<u8>) -> [u64; 3] {
    let lower = c.alnum & !c.upper & !c.digit;
    let prev_alnum = (c.alnum << 1) | carry.alnum;
    let prev_lower = (lower << 1) | carry.lower;
    let prev_digit = (c.digit << 1) | carry.digit;
    let prev_word = (c.word << 1) | carry.word;
    let prev_upper = (c.upper << 1) | carry.upper;
    let prev_hexish = (c.hexish << 1) | carry.hexish;
    let next_hexish = next.is_some_and(|b| b.is_ascii_hexdigit() || b == b':');
    let after_hexish = (c.hexish >> 1) | (u64::from(next_hexish) << 63);
    let word_start = (c.alnum & !prev_alnum) | (c.upper & prev_lower);
    *carry = Carry {
        alnum: c.alnum >> 63,
        lower: lower >> 63,
        digit: c.digit >> 63,
        word: c.word >> 63,
        upper: c.upper >> 63,
        hexish: c.hexish >> 63,
    };
    [
        word_start & !c.digit,
        c.digit & !prev_digit & (!prev_word | prev_upper),
        c.colon & prev_hexish & after_hexish,
    ]
}

/// Classes of the last byte of the previous block (bit 0 each).
#[derive(Debug, Default)]
struct Carry {
    alnum: u64,
    lower: u64,
    digit: u64,
    word: u64,
    upper: u64,
    hexish: u64,
}

/// Byte classes of up to 64 bytes, one bit per byte.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Classes {
    pub digit: u64,
    /// Letters and digits.
    pub alnum: u64,
    /// Letters, digits and `_`.
    pub word: u64,
    pub upper: u64,
    /// Hex digits and `:`.
    pub hexish: u64,
    pub colon: u64,
}

impl Classes {
    /// Ors in the lane masks of the bytes starting `shift` bytes into the block.
    #[inline(always)]
    fn add_at(&mut self, shift: usize, [digit, alnum, word, upper, hexish, colon]: [u64; 6]) {
        self.digit |= digit << shift;
        self.alnum |= alnum << shift;
        self.word |= word << shift;
        self.upper |= upper << shift;
        self.hexish |= hexish << shift;
        self.colon |= colon << shift;
    }
}

/// The classes of 64 bytes with AVX2 compares (two 32-byte steps).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn classify_avx2(block: &[u8]) -> Classes {
    use std::arch::x86_64::*;
    assert!(block.len() >= 64);
    let range = |v: __m256i, lo: u8, hi: u8| {
        _mm256_and_si256(
            _mm256_cmpgt_epi8(v, _mm256_set1_epi8(lo as i8 - 1)),
            _mm256_cmpgt_epi8(_mm256_set1_epi8(hi as i8 + 1), v),
        )
    };
    let eq = |v: __m256i, b: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b as i8));
    let mut c = Classes::default();
    for k in 0..2 {
        // SAFETY: reads 32 bytes inside `block`, whose length was checked.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * k) as *const __m256i) };
        // Letters fold to lower case with `| 0x20`; `@`, `[`, `` ` `` and `{`
        // do not land in `a..=z`. Bytes >= 0x80 compare as negative: no class.
        let folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
        let digit = range(v, b'0', b'9');
        let alpha = range(folded, b'a', b'z');
        let upper = range(v, b'A', b'Z');
        let colon = eq(v, b':');
        let alnum = _mm256_or_si256(digit, alpha);
        let word = _mm256_or_si256(alnum, eq(v, b'_'));
        let hex = _mm256_or_si256(_mm256_or_si256(digit, colon), range(folded, b'a', b'f'));
        let bits = |m: __m256i| _mm256_movemask_epi8(m) as u32 as u64;
        c.add_at(32 * k, [digit, alnum, word, upper, hex, colon].map(bits));
    }
    c
}

/// The classes of 64 bytes with AVX-512 compares: one load, each class a
/// mask register (no movemask, no halves to join). A range test is one
/// subtraction and one unsigned compare.
///
/// # Safety
/// The CPU must support AVX-512BW.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw")]
#[inline]
unsafe fn classify_avx512(block: &[u8]) -> Classes {
    use std::arch::x86_64::*;
    assert!(block.len() >= 64);
    // SAFETY: reads 64 bytes inside `block`, whose length was checked.
    let v = unsafe { _mm512_loadu_si512(block.as_ptr() as *const _) };
    let splat = |b: u8| _mm512_set1_epi8(b as i8);
    let range = |v: __m512i, lo: u8, hi: u8| {
        _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, splat(lo)), splat(hi - lo))
    };
    let folded = _mm512_or_si512(v, splat(0x20));
    let digit = range(v, b'0', b'9');
    let alpha = range(folded, b'a', b'z');
    let colon = _mm512_cmpeq_epi8_mask(v, splat(b':'));
    let alnum = digit | alpha;
    Classes {
        digit,
        alnum,
        word: alnum | _mm512_cmpeq_epi8_mask(v, splat(b'_')),
        upper: range(v, b'A', b'Z'),
        hexish: digit | colon | range(folded, b'a', b'f'),
        colon,
    }
}

/// The classes of 64 bytes with SSE2 compares (the x86_64 baseline).
#[cfg(target_arch = "x86_64")]
fn classify_block(block: &[u8]) -> Classes {
    use std::arch::x86_64::*;
    assert!(block.len() >= 64);
    // SAFETY: SSE2 is part of the x86_64 baseline; each load reads 16 bytes
    // inside `block`, whose length was checked above.
    unsafe {
        let range = |v: __m128i, lo: u8, hi: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)),
                _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1)),
            )
        };
        let eq = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let mut c = Classes::default();
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let digit = range(v, b'0', b'9');
            let alpha = range(folded, b'a', b'z');
            let upper = range(v, b'A', b'Z');
            let colon = eq(v, b':');
            let alnum = _mm_or_si128(digit, alpha);
            let word = _mm_or_si128(alnum, eq(v, b'_'));
            let hex = _mm_or_si128(_mm_or_si128(digit, colon), range(folded, b'a', b'f'));
            let bits = |m: __m128i| _mm_movemask_epi8(m) as u32 as u64;
            c.add_at(16 * k, [digit, alnum, word, upper, hex, colon].map(bits));
        }
        c
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn classify_block(block: &[u8]) -> Classes {
    classify_scalar(&block[..64])
}

/// The same classes, byte by byte (block tails, other architectures).
pub(crate) fn classify_scalar(block: &[u8]) -> Classes {
    let mut c = Classes::default();
    for (k, b) in block.iter().enumerate().take(64) {
        let bit = |t: bool| u64::from(t) << k;
        c.digit |= bit(b.is_ascii_digit());
        c.alnum |= bit(b.is_ascii_alphanumeric());
        c.word |= bit(crate::validate::is_word_byte(b));
        c.upper |= bit(b.is_ascii_uppercase());
        c.hexish |= bit(b.is_ascii_hexdigit() || *b == b':');
        c.colon |= bit(*b == b':');
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every set bit of `masks`, as positions.
    fn positions(masks: &[u64]) -> Vec<usize> {
        let mut out = Vec::new();
        for (b, &m) in masks.iter().enumerate() {
            for k in 0..64 {
                if m >> k & 1 == 1 {
                    out.push(64 * b + k);
                }
            }
        }
        out
    }

    /// The three bitmaps worked out byte by byte from their definitions.
    fn expected(hay: &[u8]) -> [Vec<usize>; 3] {
        let at = |i: usize| hay.get(i).copied();
        let prev = |i: usize| i.checked_sub(1).and_then(at);
        let is = |b: Option<u8>, f: fn(&u8) -> bool| b.as_ref().is_some_and(f);
        let hexish = |b: &u8| b.is_ascii_hexdigit() || *b == b':';
        let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
        let (mut words, mut digits, mut colons) = (Vec::new(), Vec::new(), Vec::new());
        for (i, &c) in hay.iter().enumerate() {
            let p = prev(i);
            let gap = !is(p, u8::is_ascii_alphanumeric);
            let camel = c.is_ascii_uppercase() && is(p, u8::is_ascii_lowercase);
            if c.is_ascii_alphabetic() && (gap || camel) {
                words.push(i);
            }
            let after_word = is(p, word) && !is(p, u8::is_ascii_uppercase);
            if c.is_ascii_digit() && !is(p, u8::is_ascii_digit) && !after_word {
                digits.push(i);
            }
            if c == b':' && is(p, hexish) && is(at(i + 1), hexish) {
                colons.push(i);
            }
        }
        [words, digits, colons]
    }

    #[test]
    fn bitmaps_follow_their_definitions_across_blocks() {
        let alphabet = b"aZ9_-\"x\xc3Ab0 :fE:1";
        let mut hay = Vec::new();
        for i in 0..700u32 {
            hay.push(alphabet[(i * 7 % 17) as usize % alphabet.len()]);
        }
        for len in [0, 5, 63, 64, 65, 128, 200, 700] {
            for &b in b"Aa5 :" {
                let mut h = hay[..len].to_vec();
                if len > 64 {
                    h[63] = b;
                    h[64] = b':';
                }
                let m = BlockMasks::of(&h);
                let got = [m.words(), m.digits(), m.colons()].map(positions);
                assert_eq!(got, expected(&h), "length {len}, byte {b}");
                // Refilled after a longer buffer: nothing of it is left.
                let mut reused = BlockMasks::of(&hay);
                reused.fill(&h);
                let again = [reused.words(), reused.digits(), reused.colons()].map(positions);
                assert_eq!(again, got, "refilled, length {len}");
            }
        }
    }

    #[test]
    fn simd_classes_match_per_byte_on_every_byte_value() {
        let mut blocks: Vec<Vec<u8>> = (0..=255u8)
            .collect::<Vec<u8>>()
            .chunks(64)
            .map(<[u8]>::to_vec)
            .collect();
        for seed in 0..=255u8 {
            let mixed = (0..64u8).map(|k| seed.wrapping_mul(31).wrapping_add(k.wrapping_mul(37)));
            blocks.push(mixed.collect());
        }
        for block in &blocks {
            assert_eq!(classify_block(block), classify_scalar(block));
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: AVX2 checked just above.
                assert_eq!(unsafe { classify_avx2(block) }, classify_scalar(block));
            }
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx512bw") {
                // SAFETY: AVX-512BW checked just above.
                assert_eq!(unsafe { classify_avx512(block) }, classify_scalar(block));
            }
        }
    }
}
