//! HTTP Basic credentials: `Authorization: Basic <base64 of user:password>`.
//! The header value is only a credential when it decodes to printable text
//! with a `:` between a user and a non-empty password that is not a
//! template (`user:${PASSWORD}`); any other base64 after `Basic` is not one.

use super::placeholder::is_template;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// True when `v` is the base64 of `user:password` with a real password.
pub fn basic_auth_ok(v: &[u8]) -> bool {
    let Ok(plain) = STANDARD.decode(v) else {
        return false;
    };
    if !plain.iter().all(|b| (0x20..0x7f).contains(b)) {
        return false;
    }
    match plain.iter().position(|&b| b == b':') {
        Some(colon) => {
            let password = &plain[colon + 1..];
            !password.is_empty() && !is_template(password)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_colon_password_only() {
        // "Aladdin:open sesame", "svc-backup:Kx81pq_Zr3"
        assert!(basic_auth_ok(b"QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        assert!(basic_auth_ok(b"c3ZjLWJhY2t1cDpLeDgxcHFfWnIz"));
        // "user:", "user:password", "no colon here", binary, not base64
        assert!(!basic_auth_ok(b"dXNlcjo="));
        assert!(!basic_auth_ok(b"dXNlcjpwYXNzd29yZA=="));
        assert!(!basic_auth_ok(b"bm8gY29sb24gaGVyZQ=="));
        assert!(!basic_auth_ok(b"/w=="));
        assert!(!basic_auth_ok(b"not base64!"));
    }
}
