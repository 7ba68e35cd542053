//! UK National Insurance numbers: HMRC never issues the prefixes BG, GB,
//! NK, KN, TN, NT and ZZ (the letter rules are in the rule's regex).

const NOT_ISSUED: &[&[u8]] = &[b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"];

/// True when the number's two-letter prefix is one HMRC issues.
pub fn nino_ok(v: &[u8]) -> bool {
    v.len() >= 2 && !NOT_ISSUED.contains(&&v[..2])
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefixes() {
        assert!(super::nino_ok(b"JG103759A"));
        assert!(!super::nino_ok(b"GB123456A"));
        assert!(!super::nino_ok(b"ZZ123456A"));
    }
}
