//! Luhn (mod 10) checksum, used by every payment card network.

/// True when the digits of `v` (separators ignored) are 12–19 long and pass Luhn.
pub fn luhn_ok(v: &[u8]) -> bool {
    let digits: Vec<u32> = v
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| u32::from(b - b'0'))
        .collect();
    if !(12..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
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
