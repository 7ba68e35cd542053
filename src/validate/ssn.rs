//! US Social Security numbers: area 001–899 but not 666, group 01–99,
//! serial 0001–9999, and not the numbers published in advertising.

/// True when `v` (`AAA-GG-SSSS`, separators optional) follows the SSA's rules.
pub fn ssn_ok(v: &[u8]) -> bool {
    let mut d = [0u32; 9];
    let mut n = 0;
    for &b in v.iter().filter(|b| b.is_ascii_digit()) {
        if n == 9 {
            return false;
        }
        d[n] = u32::from(b - b'0');
        n += 1;
    }
    if n != 9 {
        return false;
    }
    let num = |s: &[u32]| s.iter().fold(0u32, |a, &x| a * 10 + x);
    let (area, group, serial) = (num(&d[..3]), num(&d[3..5]), num(&d[5..]));
    let famous = [(78, 5, 1120), (219, 9, 9999), (123, 45, 6789)];
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !famous.contains(&(area, group, serial))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for (v, ok) in [
            ("536-22-8726", true),
            ("000-12-3456", false),
            ("666-12-3456", false),
            ("912-12-3456", false),
            ("536-00-3456", false),
            ("536-22-0000", false),
            ("078-05-1120", false),
            ("536228726", true),
        ] {
            assert_eq!(ssn_ok(v.as_bytes()), ok, "{v}");
        }
    }
}
