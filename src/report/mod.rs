//! Reports: the sinks that findings flow into.
//!
//! [`Report`] implements [`Sink`]: it streams `findings.jsonl` (and/or prints
//! findings on stdout), tallies the summary, drives the progress bar, and at
//! the end writes `summary.json` and the human summary. Files are written
//! under a temporary name and renamed when complete. Raw values appear only
//! when the scan was asked to reveal them.

pub mod human;
pub mod summary;

use crate::finding::Finding;
use crate::scan::{FileOutcome, Rendered, Sink, Status};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use summary::{RuleMeta, Tally};

/// How findings are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StdoutFormat {
    /// One readable line per finding.
    Human,
    /// The findings.jsonl records.
    Jsonl,
    /// Nothing (use with --out).
    None,
}

/// One line of `findings.jsonl` (a contract: see README).
#[derive(Serialize)]
pub struct FindingJson<'a> {
    pub rule: &'a str,
    pub category: &'a str,
    pub severity: &'a str,
    pub path: &'a str,
    pub record: Option<u64>,
    pub field: Option<&'a str>,
    pub start: u64,
    pub end: u64,
    pub preview: &'a str,
    pub fingerprint: Hex32,
    /// Fingerprint of the user the record is about (vendor presets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Hex32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
}

/// 32 bytes written as 64 lowercase hex digits, without a heap string:
/// every finding carries one or two.
pub struct Hex32(pub [u8; 32]);

impl Serialize for Hex32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 64];
        hex::encode_to_slice(self.0, &mut buf).map_err(serde::ser::Error::custom)?;
        s.serialize_str(std::str::from_utf8(&buf).map_err(serde::ser::Error::custom)?)
    }
}

impl<'a> FindingJson<'a> {
    /// The record for `f`.
    pub fn new(f: &'a Finding, meta: &'a RuleMeta) -> Self {
        FindingJson {
            rule: &meta.id,
            category: meta.category,
            severity: meta.severity,
            path: &f.location.path,
            record: f.location.record,
            field: f.location.field.as_deref(),
            start: f.location.start,
            end: f.location.end,
            preview: &f.preview,
            fingerprint: Hex32(f.fingerprint),
            subject: f.subject.map(Hex32),
            value: f.value.as_deref(),
        }
    }
}

/// A file written under `<name>.tmp` and renamed on [`AtomicFile::commit`].
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    pub w: BufWriter<File>,
}

impl AtomicFile {
    /// Creates `dest`'s temporary file.
    pub fn create(dest: &Path) -> Result<Self> {
        let tmp = dest.with_extension(format!(
            "{}.tmp",
            dest.extension().and_then(|e| e.to_str()).unwrap_or("")
        ));
        let f = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            w: BufWriter::with_capacity(1 << 20, f),
        })
    }

    /// Flushes and renames into place.
    pub fn commit(mut self) -> Result<()> {
        self.w
            .flush()
            .with_context(|| format!("cannot write {}", self.tmp.display()))?;
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot rename to {}", self.dest.display()))
    }
}

/// The sink of a `scan` run.
pub struct Report {
    pub rules: Vec<RuleMeta>,
    jsonl: Option<Mutex<AtomicFile>>,
    stdout: StdoutFormat,
    quiet: bool,
    pub tally: Mutex<Tally>,
    progress: Option<ProgressBar>,
}

impl Report {
    /// A report writing `findings.jsonl` into `out` (if given).
    pub fn new(
        rules: Vec<RuleMeta>,
        out: Option<&Path>,
        stdout: StdoutFormat,
        quiet: bool,
    ) -> Result<Self> {
        let jsonl = match out {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create report folder {}", dir.display()))?;
                Some(Mutex::new(AtomicFile::create(&dir.join("findings.jsonl"))?))
            }
            None => None,
        };
        Ok(Report {
            rules,
            jsonl,
            stdout,
            quiet,
            tally: Mutex::new(Tally::default()),
            progress: None,
        })
    }

    /// Shows a progress bar over `total` input bytes (on a terminal only).
    pub fn with_progress(mut self, total: u64) -> Self {
        let pb = ProgressBar::new(total);
        pb.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        self.progress = Some(pb);
        self
    }

    /// Finishes the progress bar and commits findings.jsonl.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(pb) = self.progress.take() {
            pb.finish_and_clear();
        }
        if let Some(f) = self.jsonl.take() {
            f.into_inner().unwrap().commit()?;
        }
        Ok(())
    }

    fn print_stdout(&self, batch: &[Finding]) {
        if self.stdout == StdoutFormat::None {
            return;
        }
        let mut text = String::new();
        for f in batch {
            let meta = &self.rules[f.rule as usize];
            match self.stdout {
                StdoutFormat::Jsonl => {
                    text.push_str(
                        &serde_json::to_string(&FindingJson::new(f, meta)).unwrap_or_default(),
                    );
                    text.push('\n');
                }
                _ => text.push_str(&human::finding_line(f, meta)),
            }
        }
        let print = || {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
        };
        match &self.progress {
            Some(pb) => pb.suspend(print),
            None => print(),
        }
    }
}

/// Where the digits of `"record":N` are in one rendered line.
fn record_digits(line: &[u8]) -> Option<(usize, usize)> {
    const KEY: &[u8] = b"\"record\":";
    let start = memchr::memmem::find(line, KEY)? + KEY.len();
    let len = line[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    (len > 0).then_some((start, start + len))
}

impl Sink for Report {
    fn render(&self, batch: &[Finding], renumber: bool) -> Option<Rendered> {
        self.jsonl.as_ref()?;
        let mut r = Rendered::default();
        for f in batch {
            let start = r.bytes.len();
            let meta = &self.rules[f.rule as usize];
            serde_json::to_writer(&mut r.bytes, &FindingJson::new(f, meta)).ok()?;
            let digits = match renumber {
                true => record_digits(&r.bytes[start..]).map(|(a, b)| (start + a, start + b)),
                false => None,
            };
            r.bytes.push(b'\n');
            r.lines.push((r.bytes.len(), digits));
        }
        Some(r)
    }

    fn findings_rendered(&self, batch: Vec<Finding>, rendered: Option<Rendered>) {
        let (Some(f), Some(r)) = (&self.jsonl, rendered) else {
            return self.findings(batch);
        };
        {
            let mut f = f.lock().unwrap();
            let mut pos = 0;
            for (finding, &(end, digits)) in batch.iter().zip(&r.lines) {
                if let (Some((a, b)), Some(record)) = (digits, finding.location.record) {
                    let _ = f.w.write_all(&r.bytes[pos..a]);
                    let _ = write!(f.w, "{record}");
                    pos = b;
                }
                let _ = f.w.write_all(&r.bytes[pos..end]);
                pos = end;
            }
        }
        self.print_stdout(&batch);
        self.tally.lock().unwrap().add(&self.rules, &batch);
    }

    fn findings(&self, batch: Vec<Finding>) {
        if let Some(f) = &self.jsonl {
            let mut f = f.lock().unwrap();
            for finding in &batch {
                let meta = &self.rules[finding.rule as usize];
                let _ = serde_json::to_writer(&mut f.w, &FindingJson::new(finding, meta));
                let _ = f.w.write_all(b"\n");
            }
        }
        self.print_stdout(&batch);
        self.tally.lock().unwrap().add(&self.rules, &batch);
    }

    fn file_done(&self, outcome: FileOutcome) {
        if !self.quiet {
            let failed = match &outcome.status {
                Status::Failed(why) => Some(format!("error: {}: {why}", outcome.path)),
                _ => None,
            };
            let warned = outcome
                .warnings
                .iter()
                .map(|w| format!("warning: {}: {w}", outcome.path));
            for msg in failed.into_iter().chain(warned) {
                match &self.progress {
                    Some(pb) => pb.suspend(|| eprintln!("leakscope: {msg}")),
                    None => eprintln!("leakscope: {msg}"),
                }
            }
        }
        self.tally.lock().unwrap().files.push(outcome);
    }

    fn progress(&self, n: u64) {
        if let Some(pb) = &self.progress {
            pb.inc(n);
        }
    }
}
