//! JWT structure: `header.payload.signature`, base64url, where the header
//! decodes to a JSON object naming its `alg`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// True when `v` has three dot-separated parts and a JSON header with `alg`.
pub fn jwt_ok(v: &[u8]) -> bool {
    let mut parts = v.split(|&b| b == b'.');
    let (Some(h), Some(p), Some(_s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(header) = URL_SAFE_NO_PAD.decode(trim_pad(h)) else {
        return false;
    };
    if URL_SAFE_NO_PAD.decode(trim_pad(p)).is_err() {
        return false;
    }
    match serde_json::from_slice::<serde_json::Value>(&header) {
        Ok(serde_json::Value::Object(m)) => m.get("alg").is_some_and(|a| a.is_string()),
        _ => false,
    }
}

fn trim_pad(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let good = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert!(jwt_ok(good));
        // header without alg
        assert!(!jwt_ok(b"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln"));
        assert!(!jwt_ok(b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0"));
        assert!(!jwt_ok(b"eyJnotbase64!.a.b"));
    }
}
