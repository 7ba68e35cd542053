//! Shannon entropy in bits per byte: random keys score high (~4.5–6),
//! words and repeated characters low. Human-chosen passwords are neither:
//! an 8–12 character password cannot reach 3.3 bits even when no character
//! repeats (`Secret123` scores 2.95, `super$ecret` 2.85), so passwords are
//! judged by their mix of character kinds instead ([`password_like`]).

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

/// A value strong enough to be a chosen password: random-looking (entropy
/// at least 3.0), or three kinds of characters (lower, upper, digit,
/// symbol), or two kinds over at least 10 characters. Plain words and
/// numbers, which a `literal` check already rejects, are left out here too.
pub fn password_like(v: &[u8]) -> bool {
    let kinds = super::literal::CharKinds::of(v).count();
    shannon_entropy(v) >= 3.0 || kinds >= 3 || (kinds == 2 && v.len() >= 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_passwords_pass_words_do_not() {
        for v in ["Secret123", "super$ecret", "S5LUb4#B7gac!", "P@ssw0rd"] {
            assert!(password_like(v.as_bytes()), "{v}");
        }
        for v in ["busybox@", "4ian1234", "aaaaaaaa", "11111111a"] {
            assert!(!password_like(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn orders_random_above_words() {
        assert_eq!(shannon_entropy(b"aaaaaaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"password") < 3.0);
        assert!(shannon_entropy(b"q8Vx2LmP9zR4tK7wB1nY") > 4.0);
    }
}
