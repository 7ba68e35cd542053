//! Shannon entropy in bits per byte: random keys score high (~4.5–6),
//! words and repeated characters low.

/// Entropy of the byte distribution of `v` (0 for empty input).
pub fn shannon_entropy(v: &[u8]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in v {
        counts[b as usize] += 1;
    }
    let n = v.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_random_above_words() {
        assert_eq!(shannon_entropy(b"aaaaaaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"password") < 3.0);
        assert!(shannon_entropy(b"q8Vx2LmP9zR4tK7wB1nY") > 4.0);
    }
}
