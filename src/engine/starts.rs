//! Word starts: the positions where a keyword may begin.
//!
//! Credential prefixes (`ghp_`, `glpat-`, `xoxb-`) and context words
//! (`datadog`, `Authorization`) begin a word in the text around them. Finding
//! every word start once and looking its first bytes up in a table costs the
//! same whatever the number of keywords, where a literal automaton slows down
//! with each group of 64 (see `prefilter`). A word start is a letter or digit
//! after a byte that is neither, or a capital right after a lowercase letter
//! (`clientSecret`, `DatadogApiKey`).
//!
//! Bytes are classified 64 at a time with SSE2 on x86-64 (always present
//! there), byte by byte elsewhere and in the last partial block; both give
//! the same masks (a unit test compares them).

/// Calls `f` with every word start in `hay`, in order. With `digits` false,
/// starts at a digit are left out (no keyword begins with one).
#[inline(always)]
pub fn for_each_start(hay: &[u8], digits: bool, mut f: impl FnMut(usize)) {
    let mut carry = Carry::default();
    let mut at = 0;
    while at + 64 <= hay.len() {
        let classes = classify_block(&hay[at..at + 64]);
        emit(at, carry.starts(classes, digits), &mut f);
        at += 64;
    }
    if at < hay.len() {
        let classes = classify_scalar(&hay[at..]);
        emit(at, carry.starts(classes, digits), &mut f);
    }
}

#[inline(always)]
fn emit(base: usize, mut starts: u64, f: &mut impl FnMut(usize)) {
    while starts != 0 {
        f(base + starts.trailing_zeros() as usize);
        starts &= starts - 1;
    }
}

/// Bit masks over up to 64 bytes (bit i = byte i).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Classes {
    /// Letters and digits.
    word: u64,
    /// Capital letters.
    upper: u64,
    /// Digits.
    digit: u64,
}

/// The classes of the last byte of the previous block.
#[derive(Default)]
struct Carry {
    word: u64,
    lower: u64,
}

impl Carry {
    fn starts(&mut self, c: Classes, digits: bool) -> u64 {
        let lower = c.word & !c.upper & !c.digit;
        let after_gap = c.word & !((c.word << 1) | self.word);
        let camel = c.upper & ((lower << 1) | self.lower);
        self.word = c.word >> 63;
        self.lower = lower >> 63;
        let starts = after_gap | camel;
        if digits {
            starts
        } else {
            starts & !c.digit
        }
    }
}

fn classify_scalar(bytes: &[u8]) -> Classes {
    let mut c = Classes::default();
    for (i, &b) in bytes.iter().enumerate().take(64) {
        let bit = 1u64 << i;
        if b.is_ascii_alphanumeric() {
            c.word |= bit;
        }
        if b.is_ascii_uppercase() {
            c.upper |= bit;
        }
        if b.is_ascii_digit() {
            c.digit |= bit;
        }
    }
    c
}

#[cfg(target_arch = "x86_64")]
fn classify_block(block: &[u8]) -> Classes {
    assert!(block.len() >= 64);
    let mut c = Classes::default();
    for k in 0..4 {
        // SAFETY: SSE2 is part of the x86-64 baseline, and the assert above
        // keeps the 16-byte load at 16 * k inside `block`.
        let (w, u, d) = unsafe { sse2::classify16(block.as_ptr().add(16 * k)) };
        c.word |= w << (16 * k);
        c.upper |= u << (16 * k);
        c.digit |= d << (16 * k);
    }
    c
}

#[cfg(not(target_arch = "x86_64"))]
fn classify_block(block: &[u8]) -> Classes {
    classify_scalar(block)
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// Whether `x - lo` (wrapping) is at most `span`, per byte: the unsigned
    /// range test SSE2 lacks, as `min(d, span) == d`.
    #[inline(always)]
    unsafe fn in_range(v: __m128i, lo: u8, span: u8) -> __m128i {
        let d = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
        _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(span as i8)), d)
    }

    /// Word, capital and digit masks of the 16 bytes at `p`.
    ///
    /// # Safety
    /// `p` must be valid for reading 16 bytes.
    #[inline(always)]
    pub unsafe fn classify16(p: *const u8) -> (u64, u64, u64) {
        let v = _mm_loadu_si128(p as *const __m128i);
        let digit = in_range(v, b'0', 9);
        let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 25);
        let upper = in_range(v, b'A', 25);
        let mask = |m: __m128i| _mm_movemask_epi8(m) as u32 as u64;
        (mask(_mm_or_si128(digit, letter)), mask(upper), mask(digit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(hay: &[u8], digits: bool) -> Vec<usize> {
        let mut out = Vec::new();
        for_each_start(hay, digits, |i| out.push(i));
        out
    }

    #[test]
    fn words_after_gaps_and_capitals_after_lowercase() {
        let hay = b"x-api-key: clientSecret=ghp_A1 DD_API 42ab";
        let got = starts(hay, true);
        let words: Vec<&str> = got
            .iter()
            .map(|&i| std::str::from_utf8(&hay[i..i + 2]).unwrap())
            .collect();
        assert_eq!(
            words,
            ["x-", "ap", "ke", "cl", "Se", "gh", "A1", "DD", "AP", "42"]
        );
        assert!(!starts(hay, false).contains(&(hay.len() - 4)));
    }

    #[test]
    fn blocks_agree_with_bytes_and_carry_across() {
        let mut hay = Vec::new();
        for i in 0..600u32 {
            hay.push(b"aZ9_-\"x\xc3Ab0 "[(i * 7 % 13) as usize % 12]);
        }
        for &b in b"Aa5 " {
            hay[63] = b;
            hay[64] = b'Q';
            let mut expect = Vec::new();
            let mut prev = (false, false);
            for (i, &c) in hay.iter().enumerate() {
                let word = c.is_ascii_alphanumeric();
                let start = (word && !prev.0) || (c.is_ascii_uppercase() && prev.1);
                if start {
                    expect.push(i);
                }
                prev = (word, c.is_ascii_lowercase());
            }
            assert_eq!(starts(&hay, true), expect);
        }
    }

    #[test]
    fn classes_match_per_byte_on_every_byte_value() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for block in bytes.chunks(64) {
            assert_eq!(classify_block(block), classify_scalar(block));
        }
    }
}
