//! Luhn (mod 10) checksum, used by every payment card network.

/// True when the digits of `v` (separators ignored) are 12–19 long and pass Luhn.
/// Runs on every long plain number of an export (order ids, millisecond
/// timestamps), so it is one table lookup per digit.
pub fn luhn_ok(v: &[u8]) -> bool {
    let (mut sum, mut n) = (0u32, 0usize);
    for &b in v.iter().rev() {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            sum += if n % 2 == 1 {
                DOUBLED[d as usize]
            } else {
                u32::from(d)
            };
            n += 1;
        }
    }
    (12..=19).contains(&n) && sum % 10 == 0
}

/// A digit doubled as Luhn counts it (the digits of `2 * d` summed).
const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];

/// True when digit values, however many, pass Luhn (national ids).
pub fn luhn_values(digits: impl DoubleEndedIterator<Item = u32>) -> bool {
    let (sum, n) = luhn_sum(digits);
    n > 0 && sum % 10 == 0
}

/// The Luhn sum of digit values and how many there are.
fn luhn_sum(digits: impl DoubleEndedIterator<Item = u32>) -> (u32, usize) {
    let (mut sum, mut n) = (0u32, 0usize);
    for d in digits.rev() {
        sum += if n % 2 == 1 { DOUBLED[d as usize] } else { d };
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

    #[test]
    fn the_fast_check_agrees_with_the_digit_sum() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in 10..=21 {
            for _ in 0..500 {
                let digits: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        b'0' + (x % 10) as u8
                    })
                    .collect();
                let values = digits.iter().map(|b| u32::from(b - b'0'));
                let expect = (12..=19).contains(&len) && luhn_values(values);
                assert_eq!(
                    luhn_ok(&digits),
                    expect,
                    "{}",
                    String::from_utf8_lossy(&digits)
                );
            }
        }
    }
}
