//! Email plausibility beyond the regex: `icon@2x.png` and `pkg@1.2.3` are
//! file names and version pins, and the `app:s3cret@db.internal` of
//! `postgres://app:s3cret@db.internal` is a URL's user info, not addresses.

use super::Ctx;

const FILE_SUFFIXES: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "js", "css", "map", "json", "ts",
];

/// True when the value (plain or `%40`-encoded) has a domain with a real TLD
/// and is not the user info of a URL.
pub fn email_ok(ctx: &Ctx) -> bool {
    domain_ok(ctx.value()) && !url_userinfo(ctx)
}

/// Walks back over characters allowed in URL user info; user info is what
/// directly follows `//`.
fn url_userinfo(ctx: &Ctx) -> bool {
    let userinfo = |b: &u8| b.is_ascii_alphanumeric() || b"._~%!$'()*+,;:-".contains(b);
    let head = &ctx.hay[..ctx.start];
    let from = head.iter().rposition(|b| !userinfo(b)).map_or(0, |i| i + 1);
    head[..from].ends_with(b"//")
}

fn domain_ok(v: &[u8]) -> bool {
    let (local, domain) = match memchr::memrchr(b'@', v) {
        Some(at) => (&v[..at], &v[at + 1..]),
        None => match memchr::memmem::rfind(v, b"%40") {
            Some(at) => (&v[..at], &v[at + 3..]),
            None => return false,
        },
    };
    let Some(dot) = memchr::memrchr(b'.', domain) else {
        return false;
    };
    let tld = &domain[dot + 1..];
    !local.is_empty()
        && tld.iter().all(u8::is_ascii_alphabetic)
        && !FILE_SUFFIXES
            .iter()
            .any(|s| s.as_bytes().eq_ignore_ascii_case(tld))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(hay: &str, value: &str) -> bool {
        let start = hay.find(value).unwrap();
        email_ok(&Ctx {
            hay: hay.as_bytes(),
            start,
            end: start + value.len(),
        })
    }

    #[test]
    fn table() {
        assert!(check("jane@gmail.com", "jane@gmail.com"));
        assert!(check("u=jane%40example.org", "jane%40example.org"));
        assert!(check(
            "https://x.io/?email=jane@gmail.com",
            "jane@gmail.com"
        ));
        assert!(!check("icon@2x.png", "icon@2x.png"));
        assert!(!check("a@b", "a@b"));
        assert!(!check(
            "postgres://app:Pw9x@db.internal/prod",
            "Pw9x@db.internal"
        ));
        assert!(!check("ssh://git@github.com/org/repo", "git@github.com"));
    }
}
