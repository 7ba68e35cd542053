//! Archives (zip) and the guards that keep their expansion bounded.
//!
//! Archive members are scanned like any input, recursively through the
//! compression inside them (`export.zip!2025/11/08/events.json.gz`). Zip and
//! Parquet need to seek, so a stream that is not a plain file on disk (stdin,
//! or inside gzip or another zip) is first copied to an anonymous temporary
//! file, up to a size limit.
//!
//! A [`Budget`] caps what one archive may expand to: a total number of
//! decoded bytes, and a ratio to the archive's own size. Every member's
//! decoded stream is read through [`Limited`], which fails with a clear error
//! as soon as the budget is exceeded, so a zip bomb ends the archive's scan
//! instead of running for hours or filling the disk.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::NamedTempFile;

/// Deepest nesting of archives inside archives.
pub const MAX_NESTING: usize = 3;
/// Expansion always allowed whatever the ratio (small archives of text).
const RATIO_SLACK: u64 = 64 << 20;

/// Configurable limits on archive expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most decoded bytes one archive may expand to, all members together.
    pub max_bytes: u64,
    /// Most decoded bytes per byte of archive (beyond a 64 MiB allowance).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 << 30,
            max_ratio: 250,
        }
    }
}

/// What one archive may still expand to.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    archive_bytes: u64,
    used: AtomicU64,
}

impl Budget {
    /// The budget of an archive of `archive_bytes` bytes.
    pub fn new(limits: Limits, archive_bytes: u64) -> Self {
        Budget {
            limits,
            archive_bytes,
            used: AtomicU64::new(0),
        }
    }

    /// Counts `n` more decoded bytes; fails once over a limit.
    fn spend(&self, n: u64) -> io::Result<()> {
        let used = self.used.fetch_add(n, Ordering::Relaxed) + n;
        let by_ratio = self
            .archive_bytes
            .saturating_mul(self.limits.max_ratio)
            .saturating_add(RATIO_SLACK);
        if used > self.limits.max_bytes {
            return Err(bomb(format!(
                "archive expands past {} bytes (--max-archive-bytes)",
                self.limits.max_bytes
            )));
        }
        if used > by_ratio {
            return Err(bomb(format!(
                "archive of {} bytes expands past {} times its size (--max-archive-ratio)",
                self.archive_bytes, self.limits.max_ratio
            )));
        }
        Ok(())
    }
}

fn bomb(why: String) -> io::Error {
    io::Error::other(format!("decompression bomb guard: {why}"))
}

/// A decoded stream whose bytes are charged to a [`Budget`].
pub struct Limited<'b, R> {
    pub inner: R,
    pub budget: &'b Budget,
}

impl<R: Read> Read for Limited<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.budget.spend(n as u64)?;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Limited<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        // Charged here; an error surfaces on the next read or fill.
        let _ = self.budget.spend(n as u64);
        self.inner.consume(n)
    }
}

/// A seekable copy of a stream's bytes, which every worker opens on its own
/// (Parquet row groups are read in parallel).
pub enum Seekable {
    /// The input file itself.
    Disk(PathBuf),
    /// A temporary copy, deleted when dropped.
    Temp(NamedTempFile),
}

impl Seekable {
    /// A new handle with its own position.
    pub fn open(&self) -> io::Result<File> {
        match self {
            Seekable::Disk(p) => File::open(p),
            Seekable::Temp(t) => t.reopen(),
        }
    }
}

/// Copies `reader` into a temporary file (deleted when dropped), at most
/// `max` bytes.
pub fn spool(reader: &mut dyn Read, max: u64) -> io::Result<Seekable> {
    let mut f = NamedTempFile::new()?;
    let n = io::copy(&mut reader.take(max + 1), f.as_file_mut())?;
    if n > max {
        return Err(bomb(format!(
            "a nested archive or Parquet file is larger than {max} bytes (--max-archive-bytes)"
        )));
    }
    Ok(Seekable::Temp(f))
}

/// Turns a zip error into a one-line reason.
pub fn zip_error(e: zip::result::ZipError) -> String {
    use zip::result::ZipError as Z;
    match e {
        Z::Io(e) => format!("zip archive is corrupt or truncated: {e}"),
        Z::InvalidArchive(why) => format!("not a valid zip archive: {why}"),
        Z::UnsupportedArchive(why) => format!("unsupported zip archive: {why}"),
        other => format!("zip archive: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_stops_at_ratio_and_total() {
        let limits = Limits {
            max_bytes: 1 << 40,
            max_ratio: 10,
        };
        let b = Budget::new(limits, 1000);
        assert!(b.spend(RATIO_SLACK).is_ok());
        assert!(b.spend(10_000).is_ok());
        let e = b.spend(1).unwrap_err().to_string();
        assert!(e.contains("--max-archive-ratio"), "{e}");
        let b = Budget::new(
            Limits {
                max_bytes: 100,
                max_ratio: 1000,
            },
            1000,
        );
        let mut r = Limited {
            inner: &[0u8; 200][..],
            budget: &b,
        };
        let e = io::copy(&mut r, &mut io::sink()).unwrap_err().to_string();
        assert!(e.contains("--max-archive-bytes"), "{e}");
    }

    #[test]
    fn spool_copies_and_caps() {
        let mut f = spool(&mut &b"hello"[..], 5).unwrap().open().unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "hello");
        assert!(spool(&mut &b"hello!"[..], 5).is_err());
    }
}
