//! The fingerprint key: from `--key-file`, else `LEAKSCOPE_KEY`, else a random
//! key created once in the user's config folder (mode 0600) and reused, so
//! fingerprints stay comparable across runs on one machine.
//!
//! Only the key's *id* (a hash of it) is ever written to a report.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Environment variable holding the key itself.
pub const KEY_ENV: &str = "LEAKSCOPE_KEY";
/// Environment variable overriding the config folder (used by tests).
pub const CONFIG_DIR_ENV: &str = "LEAKSCOPE_CONFIG_DIR";

/// A loaded key and where it came from.
pub struct Key {
    pub bytes: Vec<u8>,
    /// `file:<path>`, `env:LEAKSCOPE_KEY` or `generated:<path>` / `stored:<path>`.
    pub source: String,
}

impl Key {
    /// A short public id of the key: the first 16 hex digits of SHA-256.
    pub fn id(&self) -> String {
        let d = Sha256::new()
            .chain_update(b"leakscope-key-id\0")
            .chain_update(&self.bytes)
            .finalize();
        hex::encode(&d[..8])
    }
}

/// Loads the key by the order above.
pub fn load_key(key_file: Option<&Path>) -> Result<Key> {
    if let Some(p) = key_file {
        let bytes =
            std::fs::read(p).with_context(|| format!("cannot read key file {}", p.display()))?;
        let bytes = trim(bytes);
        if bytes.len() < 16 {
            bail!(
                "key file {} holds {} bytes; use at least 16 random bytes",
                p.display(),
                bytes.len()
            );
        }
        return Ok(Key {
            bytes,
            source: format!("file:{}", p.display()),
        });
    }
    if let Ok(v) = std::env::var(KEY_ENV) {
        if !v.is_empty() {
            return Ok(Key {
                bytes: v.into_bytes(),
                source: format!("env:{KEY_ENV}"),
            });
        }
    }
    stored_key()
}

fn trim(mut b: Vec<u8>) -> Vec<u8> {
    while b.last().is_some_and(u8::is_ascii_whitespace) {
        b.pop();
    }
    b
}

fn config_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os(CONFIG_DIR_ENV) {
        return Ok(PathBuf::from(d));
    }
    match dirs::config_dir() {
        Some(d) => Ok(d.join("leakscope")),
        None => bail!("no config folder found; pass --key-file or set {KEY_ENV}"),
    }
}

fn stored_key() -> Result<Key> {
    let dir = config_dir()?;
    let path = dir.join("fingerprint.key");
    if path.exists() {
        let bytes =
            trim(std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?);
        return Ok(Key {
            bytes,
            source: format!("stored:{}", path.display()),
        });
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    let bytes = hex::encode(raw).into_bytes();
    write_private(&path, &bytes)?;
    Ok(Key {
        bytes,
        source: format!("generated:{}", path.display()),
    })
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create key file {}", path.display()))?;
    f.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)
        .with_context(|| format!("cannot create key file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_read_and_short_keys_rejected() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("k");
        std::fs::write(&p, "0123456789abcdef0123\n").unwrap();
        let k = load_key(Some(&p)).unwrap();
        assert_eq!(k.bytes, b"0123456789abcdef0123");
        assert_eq!(k.id().len(), 16);
        std::fs::write(&p, "short").unwrap();
        assert!(load_key(Some(&p)).is_err());
    }
}
