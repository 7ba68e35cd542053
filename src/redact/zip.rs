//! Zip archives rewritten member by member.
//!
//! Each member is redacted like an input of its own into a temporary file,
//! then added under its own name with its own compression method, time and
//! permissions. A member in which nothing was replaced is copied raw (its
//! compressed bytes as they were). A member that could not be scanned is
//! left out, and the archive's outcome says so.

use super::output::OutFile;
use std::fs::File;
use std::io;
use tempfile::TempDir;
use zip::write::SimpleFileOptions;
use zip::{ZipArchive, ZipWriter};

/// What the raw entry of a member says, read once: its name, whether it is
/// encrypted (opening it would fail), and the options that write it again
/// under the same method, time and permissions.
pub struct Entry {
    pub name: String,
    pub encrypted: bool,
    pub options: SimpleFileOptions,
}

impl Entry {
    /// The entry of member `i`.
    pub fn read(zip: &mut ZipArchive<File>, i: usize) -> Option<Entry> {
        let m = zip.by_index_raw(i).ok()?;
        Some(Entry {
            name: m.name().to_string(),
            encrypted: m.encrypted(),
            options: m.options().large_file(true),
        })
    }
}

/// The redacted copy of one zip archive being assembled.
pub struct ZipCopy {
    w: ZipWriter<File>,
    dir: TempDir,
}

impl ZipCopy {
    /// Starts the archive in `copy`'s temporary file.
    pub fn new(copy: &OutFile) -> io::Result<ZipCopy> {
        Ok(ZipCopy {
            w: ZipWriter::new(copy.create()?),
            dir: tempfile::tempdir()?,
        })
    }

    /// Where member `i`'s redacted bytes are written before they are added.
    pub fn member_target(&self, i: usize) -> io::Result<OutFile> {
        OutFile::new(&self.dir.path().join(format!("member-{i}")))
    }

    /// Adds a folder entry as it was.
    pub fn add_dir(&mut self, zip: &mut ZipArchive<File>, i: usize) -> Result<(), String> {
        let m = zip.by_index_raw(i).map_err(|e| e.to_string())?;
        self.w.raw_copy_file(m).map_err(|e| e.to_string())
    }

    /// Adds member `i`: raw when nothing was replaced, else the redacted
    /// bytes written to `copy` under `options`.
    pub fn add(
        &mut self,
        zip: &mut ZipArchive<File>,
        i: usize,
        copy: &OutFile,
        replaced: u64,
        Entry { name, options, .. }: Entry,
    ) -> Result<(), String> {
        let err =
            |e: &dyn std::fmt::Display| format!("writing member {name} of the redacted copy: {e}");
        if replaced == 0 {
            let m = zip.by_index_raw(i).map_err(|e| err(&e))?;
            return self.w.raw_copy_file(m).map_err(|e| err(&e));
        }
        self.w
            .start_file(name.clone(), options)
            .map_err(|e| err(&e))?;
        let mut f = File::open(copy.tmp()).map_err(|e| err(&e))?;
        io::copy(&mut f, &mut self.w).map_err(|e| err(&e))?;
        Ok(())
    }

    /// Writes the central directory.
    pub fn finish(self) -> Result<(), String> {
        self.w
            .finish()
            .map(drop)
            .map_err(|e| format!("cannot finish the redacted zip: {e}"))
    }
}
