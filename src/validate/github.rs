//! GitHub token checksum: the last six characters of the random part are the
//! base62-encoded CRC32 of the first thirty (GitHub's 2021 token format).

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// True for `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` tokens whose checksum matches.
pub fn github_checksum_ok(v: &[u8]) -> bool {
    let Some(us) = v.iter().position(|&b| b == b'_') else {
        return false;
    };
    let body = &v[us + 1..];
    if body.len() != 36 {
        return false;
    }
    let (random, check) = body.split_at(30);
    base62_6(crc32fast::hash(random)) == check
}

fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// Appends the checksum to a 30-character random part (used by the corpus
/// generator and tests to make valid-looking tokens).
pub fn github_checksum(random: &[u8]) -> String {
    String::from_utf8(base62_6(crc32fast::hash(random)).to_vec()).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_format_passes_and_altered_fails() {
        assert!(github_checksum_ok(
            b"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"
        ));
        assert!(!github_checksum_ok(
            b"ghp_ZJDeVREhkptGF7Wvep0NwJWlPEQP7a0t2nxM"
        ));
        assert!(!github_checksum_ok(b"ghp_short"));
        let body = b"abcdefghijklmnopqrstuvwxyz0123";
        let tok = format!(
            "gho_{}{}",
            std::str::from_utf8(body).unwrap(),
            github_checksum(body)
        );
        assert!(github_checksum_ok(tok.as_bytes()));
    }
}
