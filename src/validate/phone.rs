//! Phone numbers checked against real numbering-plan data (libphonenumber's
//! metadata through the `phonenumber` crate), so that dates, order numbers and
//! timestamps that happen to look like numbers are not reported.

use phonenumber::country::Id;

/// Regions whose national numbers start with the trunk prefix `0`.
const TRUNK_ZERO_REGIONS: &[Id] = &[Id::GB, Id::DE, Id::FR, Id::IN, Id::BR, Id::JP];

/// True when `v` is a valid number: international (`+…`) in its own plan, or
/// national in one of the regions above.
pub fn phone_ok(v: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(v) else {
        return false;
    };
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    if !(7..=15).contains(&digits) {
        return false;
    }
    if s.trim_start().starts_with('+') || s.starts_with("00") {
        return parse_valid(None, s);
    }
    // National numbers: a leading trunk `0` (UK, DE, FR, IN, BR, JP), or the
    // ten digits of the North American plan. Anything else is too ambiguous.
    let first_digit = s.bytes().find(u8::is_ascii_digit);
    if first_digit == Some(b'0') {
        TRUNK_ZERO_REGIONS.iter().any(|r| parse_valid(Some(*r), s))
    } else {
        digits == 10 && parse_valid(Some(Id::US), s)
    }
}

fn parse_valid(region: Option<Id>, s: &str) -> bool {
    phonenumber::parse(region, s).is_ok_and(|n| phonenumber::is_valid(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        for (v, ok) in [
            ("+14155552671", true),
            ("+44 20 7946 0958", true),
            ("(415) 555-2671", true),
            ("(123) 456-7890", false),
            ("(212) 736-5000", true),
            ("020 7946 0958", true),
            ("+1 000 000 0000", false),
            ("2024-11-08", false),
            ("12345", false),
        ] {
            assert_eq!(phone_ok(v.as_bytes()), ok, "{v}");
        }
    }
}
