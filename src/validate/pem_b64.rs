//! A PEM private key stored base64-encoded as a whole (Kubernetes secrets,
//! CI variables, `PRIVATE_KEY_B64=`): the text starts `LS0tLS1CRUdJTi`,
//! base64 for `-----BEGIN `, and only decoding tells a private key from a
//! certificate or a public key.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

/// True when the first characters of `v` decode to a PEM header of a
/// private key (`-----BEGIN RSA PRIVATE KEY-----`, `... OPENSSH PRIVATE KEY-----`).
pub fn private_key_ok(v: &[u8]) -> bool {
    let head = &v[..v.len().min(64) / 4 * 4];
    let Ok(text) = STANDARD_NO_PAD.decode(head) else {
        return false;
    };
    let header_end = text.iter().skip(5).position(|&b| b == b'-').map(|i| i + 5);
    header_end.is_some_and(|end| {
        text.starts_with(b"-----BEGIN ") && text[..end].ends_with(b"PRIVATE KEY")
    })
}

#[cfg(test)]
mod tests {
    use super::private_key_ok;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    #[test]
    fn private_keys_only() {
        let enc = |s: &str| STANDARD.encode(s);
        let rsa = enc(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAoy1XXuVAQpqHbQE05mkhrNg/124F/2K9\n",
        );
        assert!(private_key_ok(rsa.as_bytes()));
        let ssh = enc(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n",
        );
        assert!(private_key_ok(ssh.as_bytes()));
        let cert =
            enc("-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n");
        assert!(!private_key_ok(cert.as_bytes()));
        let public =
            enc("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU\n");
        assert!(!private_key_ok(public.as_bytes()));
        assert!(!private_key_ok(b"LS0tLS1CRUdJTi!!!"));
    }
}
