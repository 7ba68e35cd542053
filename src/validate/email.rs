//! Email plausibility beyond the regex: `icon@2x.png` and `pkg@1.2.3` are
//! file names and version pins, not addresses.

const FILE_SUFFIXES: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "js", "css", "map", "json", "ts",
];

/// True when the value (plain or `%40`-encoded) has a domain with a real TLD.
pub fn email_ok(v: &[u8]) -> bool {
    let s = String::from_utf8_lossy(v).to_ascii_lowercase().replace("%40", "@");
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    let Some((_, tld)) = domain.rsplit_once('.') else { return false };
    !local.is_empty() && !FILE_SUFFIXES.contains(&tld) && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        assert!(email_ok(b"jane@gmail.com"));
        assert!(email_ok(b"jane%40example.org"));
        assert!(!email_ok(b"icon@2x.png"));
        assert!(!email_ok(b"a@b"));
    }
}
