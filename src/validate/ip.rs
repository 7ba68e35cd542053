//! IP addresses by real parsing, not by shape: octets over 255 fail, and
//! dotted numbers inside version strings (`Chrome/120.0.6099.109`,
//! `v1.2.3.4`, `1.2.3.4.5`) are not addresses.

use super::Ctx;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True when the value parses as a routable-looking IPv4/IPv6 address and its
/// surroundings do not make it part of a version or a longer dotted number.
pub fn ip_ok(ctx: &Ctx) -> bool {
    let value = ctx.value();
    // Most values are dotted quads: read them without the general parser (a
    // tenth of its instructions).
    let parsed = if value.iter().all(|&b| b.is_ascii_digit() || b == b'.') {
        dotted_quad(value).map(IpAddr::V4)
    } else {
        std::str::from_utf8(value).ok().and_then(|s| s.parse().ok())
    };
    match parsed {
        Some(IpAddr::V4(a)) => v4_plausible(a) && !in_version_context(ctx) && !version_field(ctx),
        Some(IpAddr::V6(a)) => v6_plausible(a, value),
        None => false,
    }
}

/// An IPv4 address of digits and dots as `Ipv4Addr::from_str` reads one:
/// four octets of one to three digits, at most 255, no leading zero.
fn dotted_quad(v: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = v.split(|&b| b == b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        let leading_zero = part.len() > 1 && part[0] == b'0';
        if part.is_empty() || part.len() > 3 || leading_zero {
            return None;
        }
        let n = part.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
        *octet = u8::try_from(n).ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

fn v4_plausible(a: Ipv4Addr) -> bool {
    !(a.is_unspecified() || a.is_loopback() || a.is_broadcast())
}

fn v6_plausible(a: Ipv6Addr, s: &[u8]) -> bool {
    // Require some structure: at least three groups written out or a `::`
    // with two groups, so `a:b` fragments of times or keys do not pass.
    let groups = s.split(|&b| b == b':').filter(|g| !g.is_empty()).count();
    let double_colon = s.windows(2).any(|w| w == b"::");
    !(a.is_unspecified() || a.is_loopback()) && (groups >= 3 || (double_colon && groups >= 2))
}

/// The value of a field named like a version: `"app_version":"9.4.11.154"`,
/// `version=1.2.3.4`.
fn version_field(ctx: &Ctx) -> bool {
    let head = &ctx.hay[ctx.start.saturating_sub(48)..ctx.start];
    let end = head
        .iter()
        .rposition(|b| !b"\"': =".contains(b))
        .map_or(0, |i| i + 1);
    let name = &head[..end];
    let ends_with = |suffix: &[u8]| {
        name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    ends_with(b"version") || ends_with(b"_ver") || ends_with(b"build")
}

/// `Chrome/120.0.1.1`, `v1.2.3.4`, `1.2.3.4.5`, `10.1.2.3-beta`.
fn in_version_context(ctx: &Ctx) -> bool {
    let before = ctx.before();
    let after = ctx.after();
    let two_before = ctx.start.checked_sub(2).map(|i| ctx.hay[i]);
    let two_after = ctx.hay.get(ctx.end + 1).copied();
    matches!(before, Some(b'/' | b'v' | b'V'))
        || (before == Some(b'.') && two_before.is_some_and(|b| b.is_ascii_alphanumeric()))
        || (after == Some(b'.') && two_after.is_some_and(|b| b.is_ascii_digit()))
        || before.is_some_and(|b| b.is_ascii_alphanumeric())
        || after.is_some_and(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(hay: &str, value: &str) -> bool {
        let start = hay.find(value).unwrap();
        ip_ok(&Ctx {
            hay: hay.as_bytes(),
            start,
            end: start + value.len(),
        })
    }

    /// Digits and dots read as the standard parser reads them.
    #[test]
    fn dotted_quads_parse_like_the_standard_parser() {
        let mut rng = fastrand::Rng::with_seed(5);
        let octets = [
            "0", "1", "00", "01", "9", "25", "255", "256", "300", "1000", "",
        ];
        let mut addresses = 0;
        for _ in 0..20_000 {
            let parts: Vec<&str> = (0..rng.usize(3..6))
                .map(|_| octets[rng.usize(..octets.len())])
                .collect();
            let v = parts.join(".");
            let got = dotted_quad(v.as_bytes());
            assert_eq!(got, v.parse::<Ipv4Addr>().ok(), "{v:?}");
            addresses += usize::from(got.is_some());
        }
        assert!(addresses > 100, "only {addresses} addresses generated");
    }

    #[test]
    fn table() {
        assert!(check(r#"{"ip":"203.0.113.42"}"#, "203.0.113.42"));
        assert!(check("from 8.8.8.8 ok", "8.8.8.8"));
        assert!(!check("Chrome/120.0.6099.109", "120.0.6099.109"));
        assert!(!check("Chrome/120.0.10.109 Safari", "120.0.10.109"));
        assert!(!check("version 1.2.3.4.5", "1.2.3.4"));
        assert!(!check("v1.2.3.4", "1.2.3.4"));
        assert!(!check(r#"{"app_version":"9.4.11.154"}"#, "9.4.11.154"));
        assert!(!check(r#"{"App_VERSION":"9.4.11.154"}"#, "9.4.11.154"));
        assert!(!check("sdk_Ver=9.4.11.154", "9.4.11.154"));
        assert!(check(r#"{"ip":"9.4.11.154","version":"1"}"#, "9.4.11.154"));
        assert!(!check("256.1.1.1", "256.1.1.1"));
        assert!(!check("127.0.0.1", "127.0.0.1"));
        assert!(check(
            "ip=2001:db8:85a3::8a2e:370:7334;",
            "2001:db8:85a3::8a2e:370:7334"
        ));
        assert!(check(
            "fe80::1ff:fe23:4567:890a",
            "fe80::1ff:fe23:4567:890a"
        ));
        assert!(!check("at 12:30:45", "12:30:45"));
        assert!(!check("::1", "::1"));
    }
}
