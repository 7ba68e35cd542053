//! IP addresses by real parsing, not by shape: octets over 255 fail, and
//! dotted numbers inside version strings (`Chrome/120.0.6099.109`,
//! `v1.2.3.4`, `1.2.3.4.5`) are not addresses.

use super::Ctx;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True when the value parses as a routable-looking IPv4/IPv6 address and its
/// surroundings do not make it part of a version or a longer dotted number.
pub fn ip_ok(ctx: &Ctx) -> bool {
    let Ok(s) = std::str::from_utf8(ctx.value()) else {
        return false;
    };
    match s.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => v4_plausible(a) && !in_version_context(ctx) && !version_field(ctx),
        Ok(IpAddr::V6(a)) => v6_plausible(a, s),
        Err(_) => false,
    }
}

fn v4_plausible(a: Ipv4Addr) -> bool {
    !(a.is_unspecified() || a.is_loopback() || a.is_broadcast())
}

fn v6_plausible(a: Ipv6Addr, s: &str) -> bool {
    // Require some structure: at least three groups written out or a `::`
    // with two groups, so `a:b` fragments of times or keys do not pass.
    let groups = s.split(':').filter(|g| !g.is_empty()).count();
    !(a.is_unspecified() || a.is_loopback()) && (groups >= 3 || (s.contains("::") && groups >= 2))
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
