//! Luhn (mod 10) checksum, used by every payment card network.

/// True when the digits of `v` (separators ignored) are 12–19 long and pass Luhn.
pub fn luhn_ok(v: &[u8]) -> bool {
    let digits = v
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| u32::from(b - b'0'));
    let (sum, n) = luhn_sum(digits);
    (12..=19).contains(&n) && sum % 10 == 0
}

/// True when digit values, however many, pass Luhn (national ids).
pub fn luhn_values(digits: impl DoubleEndedIterator<Item = u32>) -> bool {
    let (sum, n) = luhn_sum(digits);
    n > 0 && sum % 10 == 0
}

/// The Luhn sum of digit values and how many there are.
fn luhn_sum(digits: impl DoubleEndedIterator<Item = u32>) -> (u32, usize) {
    let (mut sum, mut n) = (0u32, 0usize);
    for d in digits.rev() {
        sum += if n % 2 == 1 {
            if d > 4 {
                d * 2 - 9
            } else {
                d * 2
            }
        } else {
            d
        };
        n += 1;
    }
    (sum, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for (v, ok) in [
            (&b"4242424242424242"[..], true),
            (b"4242 4242 4242 4242", true),
            (b"4242-4242-4242-4241", false),
            (b"378282246310005", true),
            (b"1234", false),
            (b"0000000000000000", true),
        ] {
            assert_eq!(luhn_ok(v), ok, "{}", String::from_utf8_lossy(v));
        }
    }
}
