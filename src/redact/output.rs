//! Where redacted copies go, and how they are written safely.
//!
//! The output is a separate tree mirroring the inputs: one input folder maps
//! onto the output folder itself, several inputs each get a subfolder named
//! after them. An output inside an input folder, or onto an input file, is
//! refused before anything is written. Every file is written under a hidden
//! temporary name in its final folder and renamed when complete, so an
//! interrupted run never leaves a half-written file under a final name.

use anyhow::{bail, Context, Result};
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Maps inputs to output paths.
#[derive(Debug)]
pub struct OutputTree {
    out: PathBuf,
    /// The input paths as given, whether each is a folder, and the output
    /// folder or file each maps to.
    roots: Vec<(PathBuf, bool, PathBuf)>,
}

/// `p` made absolute with symlinks resolved, also when it (or its last
/// parts) does not exist yet.
fn resolve(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            return rest.iter().rev().fold(c, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
}

impl OutputTree {
    /// The tree at `out` for the inputs `paths` (`-` is stdin). Refuses an
    /// output inside an input folder or equal to an input.
    pub fn new(out: &Path, paths: &[PathBuf]) -> Result<Self> {
        let out_abs = resolve(out);
        for p in paths.iter().filter(|p| p.as_os_str() != "-") {
            let input = resolve(p);
            if out_abs == input {
                bail!(
                    "refusing to write redacted copies onto the input {}",
                    p.display()
                );
            }
            if input.is_dir() && out_abs.starts_with(&input) {
                bail!(
                    "refusing to write redacted copies into {} inside the input folder {}: \
                     choose an output outside it",
                    out.display(),
                    p.display()
                );
            }
        }
        let many = paths.len() > 1;
        let mut taken = std::collections::HashSet::new();
        let roots = paths
            .iter()
            .map(|p| {
                let name = p
                    .file_name()
                    .map_or_else(|| "stdin".into(), |n| n.to_os_string());
                let is_dir = p.is_dir();
                let mut target = if is_dir && !many {
                    out.to_path_buf()
                } else {
                    out.join(&name)
                };
                // Two inputs of one name (`a/x.log b/x.log`): `x.log`, `x.log-2`.
                let mut n = 1;
                while !taken.insert(target.clone()) {
                    n += 1;
                    target = out.join(format!("{}-{n}", name.to_string_lossy()));
                }
                (p.clone(), is_dir, target)
            })
            .collect();
        std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create the output folder {}", out.display()))?;
        Ok(OutputTree {
            out: out.to_path_buf(),
            roots,
        })
    }

    /// The output path of the input file `file` (None for stdin).
    pub fn target(&self, file: Option<&Path>) -> PathBuf {
        let Some(file) = file else {
            return self.out.join("stdin");
        };
        for (root, is_dir, target) in &self.roots {
            if *is_dir {
                if let Ok(rel) = file.strip_prefix(root) {
                    return target.join(rel);
                }
            } else if root == file {
                return target.clone();
            }
        }
        self.out.join(file.file_name().unwrap_or_default())
    }
}

/// A compression layer to put back on, outermost first as peeled.
pub enum Encoder {
    File(BufWriter<File>),
    Gzip(GzEncoder<Box<Encoder>>),
    Zstd(zstd::Encoder<'static, Box<Encoder>>),
}

impl Write for Encoder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::File(w) => w.write(buf),
            Encoder::Gzip(w) => w.write(buf),
            Encoder::Zstd(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Encoder::File(w) => w.write_all(buf),
            Encoder::Gzip(w) => w.write_all(buf),
            Encoder::Zstd(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::File(w) => w.flush(),
            Encoder::Gzip(w) => w.flush(),
            Encoder::Zstd(w) => w.flush(),
        }
    }
}

impl Encoder {
    /// `file` wrapped in the compression `layers` (outermost first).
    pub fn new(file: File, layers: &[&str]) -> io::Result<Encoder> {
        let mut w = Encoder::File(BufWriter::with_capacity(1 << 20, file));
        for l in layers {
            w = match *l {
                "gzip" => {
                    Encoder::Gzip(GzEncoder::new(Box::new(w), flate2::Compression::default()))
                }
                "zstd" => Encoder::Zstd(zstd::Encoder::new(Box::new(w), 3)?),
                other => {
                    return Err(io::Error::other(format!(
                        "cannot write {other} compression"
                    )))
                }
            };
        }
        Ok(w)
    }

    /// Ends every compression layer and flushes the file.
    pub fn finish(self) -> io::Result<File> {
        match self {
            Encoder::File(w) => w.into_inner().map_err(|e| e.into_error()),
            Encoder::Gzip(w) => w.finish()?.finish(),
            Encoder::Zstd(w) => w.finish()?.finish(),
        }
    }
}

/// A file being written under a temporary name next to its destination;
/// removed unless [`OutFile::commit`] renames it into place.
pub struct OutFile {
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

impl OutFile {
    /// Reserves a temporary name for `dest` (its folder is created).
    pub fn new(dest: &Path) -> io::Result<OutFile> {
        let dir = dest.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let name = dest.file_name().unwrap_or_default().to_string_lossy();
        let tmp = dir.join(format!(
            ".{name}.leakscope-{}-{}.tmp",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        Ok(OutFile {
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        })
    }

    /// Creates the temporary file.
    pub fn create(&self) -> io::Result<File> {
        File::create(&self.tmp)
    }

    /// The temporary file's path.
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// The final path.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Puts a byte-for-byte copy (or a hard link) of `src` in place.
    pub fn copy_of(self, src: &Path, link: bool) -> io::Result<()> {
        let _ = std::fs::remove_file(&self.tmp);
        if !(link && std::fs::hard_link(src, &self.tmp).is_ok()) {
            std::fs::copy(src, &self.tmp)?;
        }
        self.commit()
    }

    /// Renames the finished temporary file into place.
    pub fn commit(mut self) -> io::Result<()> {
        std::fs::rename(&self.tmp, &self.dest)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn refuses_outputs_inside_inputs() {
        let d = tempfile::tempdir().unwrap();
        let input = d.path().join("export");
        std::fs::create_dir_all(&input).unwrap();
        std::fs::write(input.join("a.log"), "x").unwrap();
        let err = OutputTree::new(&input.join("clean"), std::slice::from_ref(&input));
        assert!(err.unwrap_err().to_string().contains("inside the input"));
        assert!(OutputTree::new(&input, std::slice::from_ref(&input)).is_err());
        let file = input.join("a.log");
        assert!(OutputTree::new(&file, std::slice::from_ref(&file)).is_err());
        assert!(!input.join("clean").exists());
        let tree = OutputTree::new(&d.path().join("clean"), std::slice::from_ref(&input)).unwrap();
        assert_eq!(
            tree.target(Some(&input.join("sub/b.ndjson"))),
            d.path().join("clean/sub/b.ndjson")
        );
    }

    #[test]
    fn several_inputs_get_their_own_folders() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b.log"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::write(&b, "x").unwrap();
        let out = d.path().join("out");
        let tree = OutputTree::new(&out, &[a.clone(), b.clone()]).unwrap();
        assert_eq!(tree.target(Some(&a.join("x.log"))), out.join("a/x.log"));
        assert_eq!(tree.target(Some(&b)), out.join("b.log"));
        let c = d.path().join("c");
        std::fs::create_dir_all(&c).unwrap();
        std::fs::write(c.join("b.log"), "y").unwrap();
        let tree = OutputTree::new(&out, &[b.clone(), c.join("b.log")]).unwrap();
        assert_eq!(tree.target(Some(&c.join("b.log"))), out.join("b.log-2"));
    }

    #[test]
    fn uncommitted_files_vanish_and_layers_round_trip() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("x.ndjson.gz");
        {
            let f = OutFile::new(&dest).unwrap();
            let mut e = Encoder::new(f.create().unwrap(), &["gzip", "zstd"]).unwrap();
            e.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
        let f = OutFile::new(&dest).unwrap();
        let mut e = Encoder::new(f.create().unwrap(), &["gzip", "zstd"]).unwrap();
        e.write_all(b"hello\n").unwrap();
        e.finish().unwrap();
        f.commit().unwrap();
        let gz = flate2::read::GzDecoder::new(File::open(&dest).unwrap());
        let mut s = String::new();
        zstd::Decoder::new(gz)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "hello\n");
    }
}
