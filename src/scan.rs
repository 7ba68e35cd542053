//! The scan driver: inputs in, findings pushed into a [`Sink`].
//!
//! Files are scanned in parallel (rayon), and so are the chunks of one big
//! file: the reading thread decompresses and cuts chunks, each chunk becomes a
//! task, and a per-file reorder buffer hands results to the sink in stream
//! order with absolute line numbers. A global cap on chunks in flight bounds
//! memory whatever the input size; a reader waiting for a free slot runs
//! queued tasks meanwhile, so waiting never deadlocks the pool.
//!
//! Errors are per input: a file that cannot be opened or stops decoding
//! midway is reported as failed with what was found before the error kept.

use crate::archive::{self, Budget, Limited, Limits, Seekable};
use crate::decode::chunk::{BufferPool, Chunk, Chunker};
use crate::decode::csv::CsvBatches;
use crate::decode::jsondoc::{self, Tracker};
use crate::decode::jsonpath::Token;
use crate::decode::parquet;
use crate::decode::table::{scan_cells, CellBatch, Columns};
use crate::decode::{jsonpath, scan_buffer, sniff_format, BufScratch, Format, Match};
use crate::decompress::{self, OpenError};
use crate::engine::Engine;
use crate::finding::{normalize, preview, Finding, Fingerprinter, Location, Memo};
use crate::guard::{guarded, guarded_iter};
use crate::redact::edit::Piece;
use crate::redact::json::token_around;
use crate::redact::output::{Encoder, OutFile, OutputTree};
use crate::redact::zip::{Entry, ZipCopy};
use crate::redact::{Replacer, StreamKind};
use crate::rules::{Normalize, Preset};
use crate::source::{Input, InputKind};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, BufRead, Read};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The memo's rule number for record users' ids (no rule has it).
const SUBJECT: u32 = u32::MAX;

/// What to do with binary (non-text) files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryMode {
    /// Scan their printable runs (like `strings`).
    Strings,
    /// Skip them, and say so in the summary.
    Skip,
}

/// Scan settings.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Bytes per chunk (a chunk is scanned by one task).
    pub chunk_size: usize,
    /// Bytes repeated across a cut in a line longer than a chunk; must exceed
    /// the longest match (PEM blocks).
    pub overlap: usize,
    /// Most chunks held in memory at once, across all files.
    pub max_in_flight: usize,
    pub binary: BinaryMode,
    /// Keep raw values in findings.
    pub reveal: bool,
    /// Vendor preset forced for every input (else recognised per input).
    pub preset: Option<String>,
    /// Presets recognised by their keys when none is forced (empty: none).
    pub presets: Vec<Preset>,
    /// How far archives may expand.
    pub limits: Limits,
    /// Scan numeric Parquet columns too.
    pub scan_numbers: bool,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            chunk_size: 4 << 20,
            overlap: 64 << 10,
            max_in_flight: 2 * rayon::current_num_threads() + 2,
            binary: BinaryMode::Strings,
            reveal: false,
            preset: None,
            presets: Vec::new(),
            limits: Limits::default(),
            scan_numbers: false,
        }
    }
}

/// How scanning one input ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Scanned,
    Skipped(String),
    Failed(String),
}

/// The outcome of one input.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub path: Arc<str>,
    pub status: Status,
    pub format: Option<Format>,
    /// Compression layers removed, outermost first.
    pub layers: Vec<&'static str>,
    /// Decoded bytes scanned.
    pub bytes: u64,
    /// Records (lines) seen.
    pub records: u64,
    pub findings: u64,
    /// Problems that did not stop the scan (ragged CSV rows, bad lines).
    pub warnings: Vec<String>,
    /// The vendor preset applied (forced or recognised).
    pub preset: Option<String>,
    /// Values replaced in the redacted copy, when one was written.
    pub replaced: Option<u64>,
    /// Archive members left out of the redacted copy (not scannable).
    pub left_out: u64,
}

impl FileOutcome {
    /// A scanned outcome with nothing counted yet.
    pub fn new(path: Arc<str>) -> Self {
        FileOutcome {
            path,
            status: Status::Scanned,
            format: None,
            layers: Vec::new(),
            bytes: 0,
            records: 0,
            findings: 0,
            warnings: Vec::new(),
            preset: None,
            replaced: None,
            left_out: 0,
        }
    }
}

/// What the workers of one input need to know about it.
#[derive(Clone)]
struct FileCtx<'a> {
    path: Arc<str>,
    format: Format,
    /// The vendor preset in force for this input.
    preset: Option<&'a str>,
    /// Jobs also produce the redacted bytes.
    redact: bool,
}

/// Rows per Parquet record batch (memory per batch, within a row group).
const PARQUET_BATCH_ROWS: usize = 16_384;

/// Bytes of a decoded stream's start used to recognise its format.
const SNIFF_BYTES: usize = 8192;

/// Receives results; called from many threads.
pub trait Sink: Sync {
    /// Findings of one input, in stream order within that input.
    fn findings(&self, batch: Vec<Finding>);
    /// Renders a batch for output on the worker that found it, so output
    /// formatting runs in parallel; `renumber` says record numbers are still
    /// chunk-local (they are patched when the batch is handed over).
    fn render(&self, _batch: &[Finding], _renumber: bool) -> Option<Rendered> {
        None
    }
    /// [`Sink::findings`] with what [`Sink::render`] made for the batch.
    fn findings_rendered(&self, batch: Vec<Finding>, _rendered: Option<Rendered>) {
        self.findings(batch)
    }
    /// One input is finished (or failed, or was skipped).
    fn file_done(&self, outcome: FileOutcome);
    /// `n` more input bytes were read from disk (for progress).
    fn progress(&self, _n: u64) {}
}

/// Output lines rendered by [`Sink::render`]: `bytes`, and per finding the
/// end of its line and, when its record number must be patched, where the
/// digits are.
#[derive(Debug, Default)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub lines: Vec<(usize, Option<(usize, usize)>)>,
}

/// Redacted copies: what replaces values, where copies go, and whether
/// unchanged files are hard-linked instead of copied.
pub struct Redaction {
    pub replacer: Replacer,
    pub tree: OutputTree,
    pub link_unchanged: bool,
}

/// Scans inputs with one engine and one fingerprint key.
pub struct Scanner<'e> {
    engine: &'e Engine,
    fp: Fingerprinter,
    cfg: ScanConfig,
    in_flight: AtomicUsize,
    scratch: Mutex<Vec<BufScratch>>,
    buffers: Arc<BufferPool>,
    /// Cell buffers of Parquet batches, reused.
    cell_pool: Mutex<Vec<CellBatch>>,
    /// Per preset id, searchers for its subject keys quoted (`"distinct_id"`).
    subject_keys: Vec<(String, Vec<memchr::memmem::Finder<'static>>)>,
    /// Memos of previews and fingerprints (see [`Memo`]), one per task
    /// running at a time; they hold this scanner's rules' and key's results.
    memos: Mutex<Vec<Memo>>,
    redaction: Option<Redaction>,
}

/// What one chunk task produced. Line-based findings carry their 0-based
/// line *within the chunk* in `record` until [`Reorder`] numbers them.
struct ChunkResult {
    /// The findings as the sink renders them (made on the worker).
    rendered: Option<Rendered>,
    index: usize,
    newlines: u64,
    /// Records are final (tables, documents), not chunk-local lines.
    numbered: bool,
    findings: Vec<Finding>,
    /// The job failed after producing `findings`.
    error: Option<String>,
    /// The job's piece of the redacted copy.
    output: Option<Piece>,
}

/// Hands chunk results to the sink in order, numbering lines.
#[derive(Default)]
struct Reorder {
    next: usize,
    waiting: BTreeMap<usize, ChunkResult>,
    line_base: u64,
    findings: u64,
    /// The first error of a job, in job order.
    error: Option<String>,
    /// The redacted copy being written, pieces in job order.
    out: Option<Encoder>,
    /// Input bytes at the start of the next piece already replaced.
    skip: usize,
    /// Values replaced in the copy.
    replaced: u64,
    /// Where written pieces' buffers go back.
    pool: Option<Arc<BufferPool>>,
}

impl Reorder {
    /// Takes a job's result; hands over every result now in order and
    /// returns how many (their slots are free again: a result waiting for
    /// an earlier one still holds its memory, so it still holds its slot).
    fn push(&mut self, r: ChunkResult, sink: &dyn Sink) -> usize {
        self.waiting.insert(r.index, r);
        let first = self.next;
        while let Some(r) = self.waiting.remove(&self.next) {
            let mut batch = r.findings;
            for f in batch.iter_mut().filter(|_| !r.numbered) {
                if let Some(local) = f.location.record.as_mut() {
                    *local += self.line_base + 1;
                }
            }
            self.findings += batch.len() as u64;
            if !batch.is_empty() {
                sink.findings_rendered(batch, r.rendered);
            }
            self.line_base += r.newlines;
            if self.error.is_none() {
                self.error = r.error;
            }
            if let Some(o) = r.output {
                self.write(&o);
                if let Some(pool) = &self.pool {
                    pool.put(o.into_data());
                }
            }
            self.next += 1;
        }
        self.next - first
    }
}

impl Reorder {
    /// Appends a piece to the redacted copy.
    fn write(&mut self, o: &Piece) {
        self.replaced += o.values;
        if let Some(w) = self.out.as_mut() {
            if let Err(e) = o.write_to(w, self.skip) {
                self.out = None;
                self.error
                    .get_or_insert(format!("cannot write the redacted copy: {e}"));
            }
        }
        self.skip = o.overrun;
    }
}

/// Counts bytes read from disk into the sink's progress.
struct Counting<'a, R> {
    inner: R,
    sink: &'a dyn Sink,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sink.progress(n as u64);
        Ok(n)
    }
}

impl<'e> Scanner<'e> {
    /// A scanner; `key` keys the fingerprints.
    pub fn new(engine: &'e Engine, key: &[u8], cfg: ScanConfig) -> Self {
        let cfg_subject_keys = cfg
            .presets
            .iter()
            .map(|p| {
                let quoted = p.subject.iter().map(|k| {
                    memchr::memmem::Finder::new(format!("\"{k}\"").as_bytes()).into_owned()
                });
                (p.id.clone(), quoted.collect())
            })
            .collect();
        Scanner {
            engine,
            fp: Fingerprinter::new(key),
            cfg,
            in_flight: AtomicUsize::new(0),
            scratch: Mutex::new(Vec::new()),
            buffers: Arc::default(),
            cell_pool: Mutex::default(),
            memos: Mutex::default(),
            subject_keys: cfg_subject_keys,
            redaction: None,
        }
    }

    /// Also writes a redacted copy of every input.
    pub fn with_redaction(mut self, r: Redaction) -> Self {
        self.redaction = Some(r);
        self
    }

    /// Scans every input, in parallel, reporting to `sink`.
    pub fn scan_all(&self, inputs: &[Input], sink: &dyn Sink) {
        inputs.par_iter().with_max_len(1).for_each(|input| {
            let outcome = self.scan_input(input, sink);
            sink.file_done(outcome);
        });
    }

    /// Scans one input to the end (or to its first error).
    pub fn scan_input(&self, input: &Input, sink: &dyn Sink) -> FileOutcome {
        let mut outcome = FileOutcome::new(input.display.clone());
        let raw: Box<dyn Read + Send + '_> = match &input.kind {
            InputKind::Stdin => Box::new(Counting {
                inner: io::stdin(),
                sink,
            }),
            InputKind::File(p) => match std::fs::File::open(p) {
                Ok(f) => Box::new(Counting { inner: f, sink }),
                Err(e) => {
                    outcome.status = Status::Failed(format!("cannot open: {e}"));
                    return outcome;
                }
            },
        };
        let disk = match &input.kind {
            InputKind::File(p) => Some(p.as_path()),
            InputKind::Stdin => None,
        };
        let copy = match self
            .redaction
            .as_ref()
            .map(|r| OutFile::new(&r.tree.target(disk)))
        {
            Some(Err(e)) => {
                outcome.status = Status::Failed(format!("cannot create the redacted copy: {e}"));
                return outcome;
            }
            Some(Ok(c)) => Some(c),
            None => None,
        };
        self.scan_reader(raw, disk, None, &mut outcome, sink, copy.as_ref());
        if let Some(copy) = copy {
            self.place_copy(copy, disk, &mut outcome);
        }
        outcome
    }

    /// Puts a finished redacted copy in place: the original itself when
    /// nothing was replaced, none when the input was not fully scanned.
    fn place_copy(&self, copy: OutFile, disk: Option<&Path>, outcome: &mut FileOutcome) {
        let link = self.redaction.as_ref().is_some_and(|r| r.link_unchanged);
        if outcome.status != Status::Scanned || outcome.replaced.is_none() {
            outcome.replaced = None;
            return;
        }
        let dest = copy.dest().display().to_string();
        let placed = match disk {
            Some(src) if outcome.replaced == Some(0) && outcome.left_out == 0 => {
                copy.copy_of(src, link)
            }
            _ => copy.commit(),
        };
        if let Err(e) = placed {
            outcome.replaced = None;
            outcome.status = Status::Failed(format!("cannot write the redacted copy {dest}: {e}"));
        }
    }

    /// The copy's writer with the stream's compression layers put back.
    fn encoder(&self, copy: Option<&OutFile>, layers: &[&str]) -> Result<Option<Encoder>, String> {
        copy.map(|c| c.create().and_then(|f| Encoder::new(f, layers)))
            .transpose()
            .map_err(|e| format!("cannot create the redacted copy: {e}"))
    }

    /// Decompresses, recognises and scans one stream. `disk` is the file the
    /// stream was read from, if any (opened again where seeking is needed);
    /// `budget` is set inside archives.
    fn scan_reader(
        &self,
        raw: Box<dyn Read + Send + '_>,
        disk: Option<&Path>,
        budget: Option<&Budget>,
        outcome: &mut FileOutcome,
        sink: &dyn Sink,
        copy: Option<&OutFile>,
    ) {
        let opened = match decompress::open(raw) {
            Ok(o) => o,
            Err(OpenError::Unsupported(why)) => {
                outcome.status = Status::Skipped(why);
                return;
            }
            Err(OpenError::Io(e)) => {
                outcome.status = Status::Failed(format!("cannot read: {e}"));
                return;
            }
        };
        outcome.layers = opened.layers;
        let disk = disk.filter(|_| outcome.layers.is_empty());
        let mut reader: Box<dyn BufRead + Send + '_> = match budget {
            Some(budget) => Box::new(Limited {
                inner: opened.reader,
                budget,
            }),
            None => opened.reader,
        };
        let (format, preset) = match reader.fill_buf() {
            Ok(head) if decompress::sniff(head) == decompress::Magic::Zip => {
                outcome.format = Some(Format::Zip);
                return self.scan_zip(reader, disk, outcome, sink, copy);
            }
            Ok(head) => {
                let head = &head[..head.len().min(SNIFF_BYTES)];
                let format = sniff_format(head, &outcome.path);
                let json = matches!(format, Format::Ndjson | Format::JsonDoc);
                let preset = self.preset_for(|key| {
                    json && memchr::memmem::find(head, format!("\"{key}\"").as_bytes()).is_some()
                });
                (format, preset)
            }
            Err(e) => {
                outcome.status = Status::Failed(read_error(&outcome.layers, 0, &e));
                return;
            }
        };
        outcome.format = Some(format);
        outcome.preset = preset.map(str::to_string);
        let file = FileCtx {
            path: outcome.path.clone(),
            format,
            preset,
            redact: copy.is_some(),
        };
        if format == Format::Binary && self.cfg.binary == BinaryMode::Skip {
            outcome.status = Status::Skipped("binary file (--binary skip)".into());
            return;
        }
        if format == Format::Parquet {
            self.scan_parquet(reader, disk, &file, outcome, sink, copy);
            return;
        }
        let enc = match self.encoder(copy, &outcome.layers) {
            Ok(e) => e,
            Err(e) => {
                outcome.status = Status::Failed(e);
                return;
            }
        };
        let written = match format {
            Format::Csv(d) => self.scan_csv(reader, d, &file, outcome, sink, enc),
            _ => self.scan_stream(reader, &file, outcome, sink, enc),
        };
        if let Some((enc, replaced)) = written {
            match enc.finish() {
                Ok(_) => outcome.replaced = Some(replaced),
                Err(e) => {
                    outcome.status = Status::Failed(format!("cannot write the redacted copy: {e}"))
                }
            }
        }
    }

    /// The preset in force for a file: the forced one, else the first whose
    /// keys the file has (`has` answers for one key).
    fn preset_for(&self, has: impl FnMut(&str) -> bool) -> Option<&str> {
        match &self.cfg.preset {
            Some(p) => Some(p.as_str()),
            None => Preset::detect(&self.cfg.presets, has).map(|p| p.id.as_str()),
        }
    }

    /// A seekable file with the stream's bytes: the input file itself when
    /// the stream is that file, else a temporary copy.
    fn seekable(&self, reader: &mut dyn Read, disk: Option<&Path>) -> Result<Seekable, String> {
        match disk {
            Some(p) => Ok(Seekable::Disk(p.to_path_buf())),
            None => archive::spool(reader, self.cfg.limits.max_bytes)
                .map_err(|e| format!("cannot copy to a temporary file: {e}")),
        }
    }

    /// A zip archive: each member scanned as an input of its own, named
    /// `archive!member`, its decoded bytes charged to the archive's budget.
    fn scan_zip(
        &self,
        mut reader: Box<dyn BufRead + Send + '_>,
        disk: Option<&Path>,
        outcome: &mut FileOutcome,
        sink: &dyn Sink,
        copy: Option<&OutFile>,
    ) {
        if outcome.path.matches('!').count() >= archive::MAX_NESTING {
            outcome.status = Status::Skipped(format!(
                "zip archive nested more than {} deep",
                archive::MAX_NESTING
            ));
            return;
        }
        let file = match self.seekable(&mut reader, disk) {
            Ok(src) => src.open().map_err(|e| format!("cannot open: {e}")),
            Err(e) => Err(e),
        };
        drop(reader);
        let file = match file {
            Ok(f) => f,
            Err(e) => {
                outcome.status = Status::Failed(e);
                return;
            }
        };
        let size = file.metadata().map_or(0, |m| m.len());
        let mut zip = match zip::ZipArchive::new(file) {
            Ok(z) => z,
            Err(e) => {
                outcome.status = Status::Failed(archive::zip_error(e));
                return;
            }
        };
        let budget = Budget::new(self.cfg.limits, size);
        outcome.bytes = size;
        let mut out = match copy.map(ZipCopy::new).transpose() {
            Ok(o) => o,
            Err(e) => {
                outcome.status = Status::Failed(format!("cannot create the redacted copy: {e}"));
                return;
            }
        };
        let mut replaced = 0;
        for i in 0..zip.len() {
            // Encryption is checked on the raw entry: opening an encrypted
            // member fails, and one such member must not fail the archive.
            let entry = Entry::read(&mut zip, i);
            if let Some(Entry {
                name,
                encrypted: true,
                ..
            }) = &entry
            {
                outcome.records += 1;
                let mut inner = FileOutcome::new(format!("{}!{name}", outcome.path).into());
                inner.status = Status::Skipped("encrypted zip member".into());
                if out.is_some() {
                    outcome.left_out += 1;
                    outcome.warnings.push(format!(
                        "member {name} left out of the redacted copy: encrypted"
                    ));
                }
                sink.file_done(inner);
                continue;
            }
            let member = match zip.by_index(i) {
                Ok(m) => m,
                Err(e) => {
                    outcome.status =
                        Status::Failed(format!("member {}: {}", i + 1, archive::zip_error(e)));
                    return;
                }
            };
            if member.is_dir() {
                drop(member);
                if let Some(Err(e)) = out.as_mut().map(|o| o.add_dir(&mut zip, i)) {
                    outcome.warnings.push(e);
                }
                continue;
            }
            outcome.records += 1;
            let name: Arc<str> = format!("{}!{}", outcome.path, member.name()).into();
            let mut inner = FileOutcome::new(name);
            let member_copy = out.as_ref().and_then(|o| o.member_target(i).ok());
            self.scan_reader(
                Box::new(member),
                None,
                Some(&budget),
                &mut inner,
                sink,
                member_copy.as_ref(),
            );
            outcome.findings += inner.findings;
            if let (Some(o), Some(c), Some(entry)) = (out.as_mut(), &member_copy, entry) {
                let added = match inner.replaced {
                    Some(n) => o.add(&mut zip, i, c, n, entry).map(|_| n),
                    None => Err(format!(
                        "member {} left out of the redacted copy: not scanned",
                        entry.name
                    )),
                };
                match added {
                    Ok(n) => replaced += n,
                    Err(e) => {
                        outcome.left_out += 1;
                        outcome.warnings.push(e)
                    }
                }
            }
            let bomb = matches!(&inner.status, Status::Failed(w) if w.contains("bomb guard"));
            let why = match &inner.status {
                Status::Failed(w) => Some(w.clone()),
                _ => None,
            };
            sink.file_done(inner);
            if bomb {
                outcome.status = Status::Failed(format!(
                    "stopped after member {} of {}: {}",
                    i + 1,
                    zip.len(),
                    why.unwrap_or_default()
                ));
                return;
            }
        }
        if let Some(o) = out {
            match o.finish() {
                Ok(()) => outcome.replaced = Some(replaced),
                Err(e) => outcome.status = Status::Failed(e),
            }
        }
    }

    /// Parquet: the footer read once, batches decoded in order and scanned
    /// in parallel.
    fn scan_parquet(
        &self,
        mut reader: Box<dyn BufRead + Send + '_>,
        disk: Option<&Path>,
        file: &FileCtx,
        outcome: &mut FileOutcome,
        sink: &dyn Sink,
        copy: Option<&OutFile>,
    ) {
        let src = self.seekable(&mut reader, disk);
        drop(reader);
        let planned = src.and_then(|src| {
            let mut f = src.open().map_err(|e| format!("cannot open: {e}"))?;
            let footer = guarded("reading the Parquet footer", || parquet::footer(&mut f))??;
            Ok((src, footer))
        });
        let (src, footer) = match planned {
            Ok(p) => p,
            Err(e) => {
                outcome.status = Status::Failed(e);
                return;
            }
        };
        let file = &FileCtx {
            preset: file
                .preset
                .or_else(|| self.preset_for(|k| footer.has_field(k))),
            ..file.clone()
        };
        outcome.preset = file.preset.map(str::to_string);
        let subject = self.subject_fields(file.preset);
        let plan = footer.plan(self.engine, file.preset, subject, self.cfg.scan_numbers);
        outcome.records = plan.rows;

        outcome.bytes = plan.bytes;
        let batches = src
            .open()
            .map_err(|e| format!("cannot open: {e}"))
            .and_then(|f| {
                guarded("reading Parquet row groups", || {
                    parquet::batches(f, &plan, PARQUET_BATCH_ROWS)
                })?
            });
        let batches = match batches {
            Ok(b) => b,
            Err(e) => {
                outcome.status = Status::Failed(e);
                return;
            }
        };
        // Batches are decoded here, in order, and scanned in parallel.
        let jobs = guarded_iter("reading a Parquet row group", batches)
            .enumerate()
            .map(|(i, b)| b.map(|(row, batch)| (i, row, batch)));
        let (r, error) = self.run_ordered(
            jobs,
            |(i, row, batch)| self.scan_parquet_batch(i, row, &batch, file),
            sink,
            None,
        );
        outcome.findings = r.findings;
        if let Some(e) = error.or(r.error) {
            outcome.status = Status::Failed(e);
            return;
        }
        if let (Some(copy), Some(r)) = (copy, &self.redaction) {
            let layers = outcome.layers.clone();
            self.rewrite_parquet(&src, copy, file, &layers, &r.replacer, outcome);
        }
    }

    /// Writes the redacted copy of a scanned Parquet file (a second read:
    /// values are replaced column by column, row group by row group).
    fn rewrite_parquet(
        &self,
        src: &Seekable,
        copy: &OutFile,
        file: &FileCtx,
        layers: &[&str],
        replacer: &Replacer,
        outcome: &mut FileOutcome,
    ) {
        let ctx = crate::redact::parquet::Ctx {
            engine: self.engine,
            preset: file.preset,
            replacer,
            numbers: self.cfg.scan_numbers,
        };
        let written = (|| {
            let input = src.open().map_err(|e| format!("cannot open: {e}"))?;
            // A compressed Parquet file is rewritten to a temporary file
            // first, then compressed again into the copy.
            let plain = match layers.is_empty() {
                true => None,
                false => Some(tempfile::tempfile().map_err(|e| e.to_string())?),
            };
            let dest = match &plain {
                None => copy.create(),
                Some(p) => p.try_clone(),
            };
            let dest = dest.map_err(|e| e.to_string())?;
            let n = guarded("rewriting Parquet", || {
                crate::redact::parquet::rewrite(input, dest, &ctx)
            })??;
            if let Some(mut plain) = plain {
                let mut enc = Encoder::new(copy.create().map_err(|e| e.to_string())?, layers)
                    .map_err(|e| e.to_string())?;
                io::Seek::rewind(&mut plain).map_err(|e| e.to_string())?;
                io::copy(&mut plain, &mut enc).map_err(|e| e.to_string())?;
                enc.finish().map_err(|e| e.to_string())?;
            }
            Ok::<u64, String>(n)
        })();
        match written {
            Ok(n) => outcome.replaced = Some(n),
            Err(e) => {
                outcome.status = Status::Failed(format!("cannot write the redacted copy: {e}"))
            }
        }
    }

    /// Findings of one decoded Parquet batch (`index` in the file's order,
    /// first row `row`, 0-based).
    fn scan_parquet_batch(
        &self,
        index: usize,
        row: u64,
        batch: &arrow_array::RecordBatch,
        file: &FileCtx,
    ) -> ChunkResult {
        let ctx = parquet::ScanCtx {
            engine: self.engine,
            preset: file.preset,
            numbers: self.cfg.scan_numbers,
            subject: self.subject_fields(file.preset),
            scratch: std::cell::RefCell::new(self.take_scratch()),
            cells: std::cell::RefCell::new(
                self.cell_pool.lock().unwrap().pop().unwrap_or_default(),
            ),
        };
        let mut findings = Vec::new();
        let mut memo = self.take_memo();
        let result = guarded("scanning a Parquet batch", || {
            parquet::scan_batch(batch, row, &ctx, &mut |hit| {
                findings.reserve(hit.batch_hits.saturating_sub(findings.len()));
                let loc = Location {
                    path: file.path.clone(),
                    record: Some(hit.record),
                    field: Some(hit.field.clone()),
                    start: hit.m.start as u64,
                    end: hit.m.end as u64,
                };
                let mut f = self.finding(hit.m, hit.value, loc, &mut memo);
                f.subject = hit.subject.map(|s| self.subject_fingerprint(s, &mut memo));
                findings.push(f);
            })
        });
        self.put_memo(memo);
        self.scratch.lock().unwrap().push(ctx.scratch.into_inner());
        self.cell_pool.lock().unwrap().push(ctx.cells.into_inner());
        ChunkResult {
            rendered: None,
            index,
            newlines: 0,
            numbered: true,
            findings,
            error: result.err(),
            output: None,
        }
    }

    /// Runs `work` on each job in parallel (at most the global number in
    /// flight) and hands results to `sink` in job order. Stops at the first
    /// job error, after the jobs before it are done.
    fn run_ordered<T: Send>(
        &self,
        jobs: impl Iterator<Item = Result<T, String>> + Send,
        work: impl Fn(T) -> ChunkResult + Sync,
        sink: &dyn Sink,
        out: Option<Encoder>,
    ) -> (Reorder, Option<String>) {
        let reorder = Mutex::new(Reorder {
            out,
            pool: Some(self.buffers.clone()),
            ..Reorder::default()
        });
        let mut error = None;
        rayon::scope_fifo(|s| {
            for job in jobs {
                let job = match job {
                    Ok(j) => j,
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                };
                self.wait_for_slot();
                let (reorder, work) = (&reorder, &work);
                s.spawn_fifo(move |_| {
                    let mut result = work(job);
                    result.rendered = sink.render(&result.findings, !result.numbered);
                    let done = reorder.lock().unwrap().push(result, sink);
                    self.in_flight.fetch_sub(done, Ordering::AcqRel);
                });
            }
        });
        (reorder.into_inner().unwrap(), error)
    }

    /// Line-based formats and JSON documents, cut into chunks.
    /// Returns the copy's writer and the values replaced, when writing one
    /// and the stream was read to its end.
    fn scan_stream(
        &self,
        reader: impl Read + Send,
        file: &FileCtx,
        outcome: &mut FileOutcome,
        sink: &dyn Sink,
        out: Option<Encoder>,
    ) -> Option<(Encoder, u64)> {
        let mut last_byte = b'\n';
        let mut bytes = 0u64;
        let mut tracker = (file.format == Format::JsonDoc).then(Tracker::default);
        let layers = outcome.layers.clone();
        let chunks = Chunker::with_pool(
            reader,
            self.cfg.chunk_size,
            self.cfg.overlap,
            self.buffers.clone(),
        )
        .map(|chunk| {
            let chunk = chunk.map_err(|e| read_error(&layers, bytes, &e))?;
            bytes += (chunk.report_until - chunk.report_from) as u64;
            last_byte = *chunk.data.last().unwrap_or(&last_byte);
            // JSON documents: the reading thread walks every byte once, so
            // each chunk starts from the path state before it.
            let start = tracker.clone();
            if let Some(t) = tracker.as_mut() {
                t.walk(&chunk.data[chunk.report_from..chunk.report_until]);
            }
            Ok((chunk, start))
        });
        let (r, error) = self.run_ordered(chunks, |(c, t)| self.scan_chunk(c, t, file), sink, out);
        outcome.bytes = bytes;
        outcome.findings = r.findings;
        outcome.records = match tracker {
            Some(t) => t.record_count(),
            None => r.line_base + u64::from(last_byte != b'\n' && bytes > 0),
        };
        if let Some(e) = error.or(r.error) {
            outcome.status = Status::Failed(e);
            return None;
        }
        r.out.map(|o| (o, r.replaced))
    }

    /// CSV/TSV: records parsed on the reading thread, cells scanned in batches.
    fn scan_csv(
        &self,
        reader: impl Read + Send,
        delimiter: u8,
        file: &FileCtx,
        outcome: &mut FileOutcome,
        sink: &dyn Sink,
        out: Option<Encoder>,
    ) -> Option<(Encoder, u64)> {
        let table = CsvBatches::with_raw(reader, delimiter, self.cfg.chunk_size, file.redact);
        let mut table = match table {
            Ok(t) => t,
            Err(e) => {
                outcome.status = Status::Failed(e);
                return None;
            }
        };
        let preset = file
            .preset
            .or_else(|| self.preset_for(|key| table.names.iter().any(|n| n == key)));
        outcome.preset = preset.map(str::to_string);
        let file = &FileCtx {
            preset,
            ..file.clone()
        };
        let cols = Columns::new(self.engine, table.names.clone(), file.preset);
        let (r, error) = self.run_ordered(
            table.by_ref(),
            |batch| self.scan_cell_batch(batch, &cols, file),
            sink,
            out,
        );
        outcome.bytes = table.bytes_read();
        outcome.records = table.records;
        outcome.findings = r.findings;
        if table.ragged.0 > 0 {
            outcome.warnings.push(format!(
                "{} rows do not have the header's {} fields (first: data row {})",
                table.ragged.0,
                table.names.len(),
                table.ragged.1
            ));
        }
        if let Some(e) = error.or(r.error) {
            outcome.status = Status::Failed(e);
            return None;
        }
        r.out.map(|o| (o, r.replaced))
    }

    /// Findings of one batch of table cells.
    fn scan_cell_batch(&self, mut batch: CellBatch, cols: &Columns, file: &FileCtx) -> ChunkResult {
        let batch_raw = batch.raw.take();
        let batch = &batch;
        let mut scratch = self.take_scratch();
        let mut found = Vec::new();
        scan_cells(
            self.engine,
            batch,
            cols,
            file.preset,
            &mut scratch,
            &mut found,
        );
        self.scratch.lock().unwrap().push(scratch);
        found.sort_by_key(|cm| (cm.cell, cm.m.start, cm.m.rule));
        let rows: HashSet<u64> = found.iter().map(|cm| batch.cells[cm.cell].record).collect();
        let mut memo = self.take_memo();
        let subjects = self.table_subjects(batch, cols, file.preset, &rows, &mut memo);
        let names: Vec<Arc<str>> = cols.names.iter().map(|n| n.as_str().into()).collect();
        let findings = found
            .iter()
            .map(|cm| {
                let cell = batch.cells[cm.cell];
                let value = &batch.data[cell.start..cell.end];
                let loc = Location {
                    path: file.path.clone(),
                    record: Some(cell.record),
                    field: names.get(cell.column as usize).cloned(),
                    start: cm.m.start as u64,
                    end: cm.m.end as u64,
                };
                let mut f = self.finding(&cm.m, value, loc, &mut memo);
                f.subject = subjects.get(&cell.record).copied();
                f
            })
            .collect();
        self.put_memo(memo);

        let output = match (batch_raw, &self.redaction, file.format) {
            (Some(raw), Some(r), Format::Csv(d)) => {
                let changes =
                    crate::redact::csv::cell_changes(&r.replacer, batch, &found, raw.first);
                Some(crate::redact::csv::rewrite(
                    raw.bytes, &raw.rows, d, &changes,
                ))
            }
            _ => None,
        };
        ChunkResult {
            rendered: None,
            index: batch.index,
            newlines: 0,
            numbered: true,
            findings,
            error: None,
            output,
        }
    }

    /// Blocks until a chunk slot is free, running queued tasks meanwhile.
    fn wait_for_slot(&self) {
        loop {
            let n = self.in_flight.load(Ordering::Acquire);
            if n < self.cfg.max_in_flight
                && self
                    .in_flight
                    .compare_exchange(n, n + 1, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                return;
            }
            if !matches!(rayon::yield_now(), Some(rayon::Yield::Executed)) {
                std::thread::sleep(std::time::Duration::from_micros(50));
            }
        }
    }

    fn take_scratch(&self) -> BufScratch {
        self.scratch
            .lock()
            .unwrap()
            .pop()
            .unwrap_or_else(|| BufScratch::new(self.engine))
    }

    fn take_memo(&self) -> Memo {
        self.memos.lock().unwrap().pop().unwrap_or_default()
    }

    fn put_memo(&self, memo: Memo) {
        self.memos.lock().unwrap().push(memo);
    }

    /// The fingerprint of a record's user id (memoised like values: a user
    /// has many events).
    fn subject_fingerprint(&self, id: &[u8], memo: &mut Memo) -> [u8; 32] {
        memo.get_or_make(SUBJECT, id, || {
            (Default::default(), self.fp.fingerprint(id))
        })
        .1
    }

    /// Scans one chunk and turns its matches into findings with local lines.
    fn scan_chunk(
        &self,
        mut chunk: Chunk,
        tracker: Option<Tracker>,
        file: &FileCtx,
    ) -> ChunkResult {
        // A binary file's copy is made from its bytes, not its strings.
        let original = (file.redact && file.format == Format::Binary).then(|| chunk.data.clone());
        if file.format == Format::Binary {
            printable_runs(&mut chunk.data);
        }
        let mut scratch = self.take_scratch();
        let mut matches = std::mem::take(&mut scratch.matches);
        matches.clear();
        scratch.engine.set_preset(file.preset);
        scan_buffer(self.engine, &chunk.data, &mut scratch, &mut matches);
        let reported = chunk.report_from..chunk.report_until;
        matches.retain(|m| {
            reported.contains(&m.start) && self.engine.rule_active(m.rule, file.preset)
        });
        let path = &file.path;
        let mut tokens = Vec::new();
        let mut memo = self.take_memo();
        let (findings, newlines) = match (file.format, tracker) {
            (Format::Binary, _) => (self.binary_findings(&chunk, &matches, path, &mut memo), 0),
            (_, Some(t)) => (
                self.document_findings(&chunk, &matches, t, file, &mut tokens, &mut memo),
                0,
            ),
            (_, None) => self.line_findings(&chunk, &matches, file, &mut tokens, &mut memo),
        };
        self.put_memo(memo);
        let output = self.redaction.as_ref().filter(|_| file.redact).map(|r| {
            let kind = match file.format {
                Format::Binary => StreamKind::Binary,
                Format::Ndjson | Format::JsonDoc => StreamKind::Json(&tokens),
                _ => StreamKind::Text,
            };
            let data = original.unwrap_or_else(|| std::mem::take(&mut chunk.data));
            let edits = crate::redact::stream_edits(&r.replacer, &data, &matches, kind);
            Piece::new(data, chunk.report_from..chunk.report_until, edits)
        });
        scratch.matches = matches;
        self.scratch.lock().unwrap().push(scratch);
        let index = chunk.index;
        self.buffers.put(chunk.data);
        ChunkResult {
            rendered: None,
            index,
            newlines,
            numbered: file.format != Format::Ndjson && file.format != Format::Text,
            findings,
            error: None,
            output,
        }
    }

    /// JSON document findings: path and record from the tracker, spans as
    /// offsets in the decoded document, the user from the finding's element.
    fn document_findings(
        &self,
        chunk: &Chunk,
        matches: &[Match],
        mut tracker: Tracker,
        file: &FileCtx,
        tokens: &mut Vec<Option<Token>>,
        memo: &mut Memo,
    ) -> Vec<Finding> {
        // The tracker stands at the first reported byte; what is before it
        // was walked with the previous chunk.
        let from = chunk.report_from;
        let data = &chunk.data[from..];
        let offsets: Vec<usize> = matches.iter().map(|m| m.start - from).collect();
        let fields = self.subject_keys(file.preset);
        let places = jsondoc::locate(&mut tracker, data, &offsets, !fields.is_empty());
        if file.redact {
            let at = |t: Token| Token {
                start: t.start + from,
                end: t.end + from,
                ..t
            };
            tokens.extend(
                (offsets.iter().zip(&places))
                    .map(|(&o, p)| token_around(data, o, p.in_string).map(at)),
            );
        }
        // The user of an element, looked up once per element (an element
        // often holds several findings).
        let mut last: Option<(usize, Option<[u8; 32]>)> = None;
        let mut out = Vec::with_capacity(matches.len());
        for (m, place) in matches.iter().zip(places) {
            let loc = Location {
                path: file.path.clone(),
                record: Some(place.record),
                field: Some(place.path.into()),
                start: chunk.stream_offset + m.start as u64,
                end: chunk.stream_offset + m.end as u64,
            };
            let mut f = self.finding(m, &chunk.data, loc, memo);
            f.subject = place.element.and_then(|r| match last {
                Some((start, user)) if start == r.start => user,
                _ => {
                    let v = fields
                        .iter()
                        .find_map(|k| json_value_of(&data[r.clone()], k));
                    let user = v.map(|v| self.subject_fingerprint(v, memo));
                    last = Some((r.start, user));
                    user
                }
            });
            out.push(f);
        }
        out
    }

    fn binary_findings(
        &self,
        chunk: &Chunk,
        matches: &[Match],
        path: &Arc<str>,
        memo: &mut Memo,
    ) -> Vec<Finding> {
        matches
            .iter()
            .map(|m| {
                let loc = Location {
                    path: path.clone(),
                    record: None,
                    field: None,
                    start: chunk.stream_offset + m.start as u64,
                    end: chunk.stream_offset + m.end as u64,
                };
                self.finding(m, &chunk.data, loc, memo)
            })
            .collect()
    }

    /// Findings for line-based formats: local line numbers, line-relative
    /// spans, and JSON paths for NDJSON (one walk per line that matched);
    /// also the chunk's newline count, from the same counting pass.
    fn line_findings(
        &self,
        chunk: &Chunk,
        matches: &[Match],
        file: &FileCtx,
        tokens: &mut Vec<Option<Token>>,
        memo: &mut Memo,
    ) -> (Vec<Finding>, u64) {
        let (path, ndjson) = (&file.path, file.format == Format::Ndjson);
        let preset = file.preset.filter(|_| ndjson);
        let data = &chunk.data;
        let mut out = Vec::with_capacity(matches.len());
        let mut names = jsonpath::PathCache::default();
        // One pass over the newlines gives each match its line number and
        // its line's bounds.
        let mut newlines = memchr::memchr_iter(b'\n', data).peekable();
        let (mut lo, mut line) = (0usize, 0u64);
        let mut i = 0;
        while i < matches.len() {
            let m0 = &matches[i];
            while let Some(nl) = newlines.next_if(|&nl| nl < m0.start) {
                line += 1;
                lo = nl + 1;
            }
            let hi = newlines.peek().copied().unwrap_or(data.len());
            let same_line = matches[i..].iter().take_while(|m| m.start < hi).count();
            let group = &matches[i..i + same_line];
            let shift = if lo == 0 { chunk.line_offset } else { 0 };
            let fields = if ndjson && shift == 0 {
                let offsets: Vec<usize> = group.iter().map(|m| m.start - lo).collect();
                if file.redact {
                    // The JSON tokens for the copy, from the same walk.
                    let (paths, toks) =
                        jsonpath::paths_and_tokens_at(&data[lo..hi], &offsets, &mut names);
                    let at = |t: Token| Token {
                        start: t.start + lo,
                        end: t.end + lo,
                        ..t
                    };
                    tokens.extend(toks.into_iter().map(|t| t.map(at)));
                    paths
                } else {
                    jsonpath::paths_at(&data[lo..hi], &offsets, &mut names)
                }
            } else {
                if file.redact {
                    tokens.extend(std::iter::repeat_n(None, group.len()));
                }
                vec![None; group.len()]
            };
            let subject = self.subject_in_line(&data[lo..hi], preset, memo);
            for (m, field) in group.iter().zip(fields) {
                let loc = Location {
                    path: path.clone(),
                    record: Some(line),
                    field,
                    start: (m.start - lo) as u64 + shift,
                    end: (m.end - lo) as u64 + shift,
                };
                let mut f = self.finding(m, data, loc, memo);
                f.subject = subject;
                out.push(f);
            }
            i += same_line;
        }
        line += newlines.count() as u64;
        (out, line)
    }

    /// The subject fields of a preset (`distinct_id`, `user_id`).
    /// Searchers for the subject fields of a preset, quoted as JSON keys.
    fn subject_keys(&self, preset: Option<&str>) -> &[memchr::memmem::Finder<'static>] {
        let keys = preset.and_then(|id| self.subject_keys.iter().find(|(p, _)| p == id));
        keys.map_or(&[], |(_, k)| k)
    }

    fn subject_fields(&self, preset: Option<&str>) -> &[String] {
        let p = preset.and_then(|id| self.cfg.presets.iter().find(|p| p.id == id));
        p.map_or(&[], |p| &p.subject)
    }

    /// Per record of a batch among `rows`, the fingerprint of its user (from
    /// the first preset subject column the table has).
    fn table_subjects(
        &self,
        batch: &CellBatch,
        cols: &Columns,
        preset: Option<&str>,
        rows: &HashSet<u64>,
        memo: &mut Memo,
    ) -> HashMap<u64, [u8; 32]> {
        let fields = self.subject_fields(preset);
        let col = fields
            .iter()
            .find_map(|f| cols.names.iter().position(|n| n.eq_ignore_ascii_case(f)));
        let Some(col) = col else {
            return HashMap::new();
        };
        batch
            .cells
            .iter()
            .filter(|c| c.column as usize == col && rows.contains(&c.record))
            .map(|c| {
                let id = &batch.data[c.start..c.end];
                (c.record, self.subject_fingerprint(id, memo))
            })
            .collect()
    }

    /// The fingerprint of the user an NDJSON line is about.
    fn subject_in_line(
        &self,
        line: &[u8],
        preset: Option<&str>,
        memo: &mut Memo,
    ) -> Option<[u8; 32]> {
        let keys = self.subject_keys(preset);
        let v = keys.iter().find_map(|k| json_value_of(line, k))?;
        Some(self.subject_fingerprint(v, memo))
    }

    fn finding(&self, m: &Match, data: &[u8], location: Location, memo: &mut Memo) -> Finding {
        let rule = &self.engine.rules()[m.rule as usize].rule;
        let value = m.decoded.as_deref().unwrap_or(&data[m.start..m.end]);
        let (masked, fingerprint) = memo.get_or_make(m.rule, value, || {
            let fingerprint = match rule.normalize {
                Normalize::None => self.fp.fingerprint(value),
                kind => self.fp.fingerprint(&normalize(kind, value)),
            };
            (preview(rule.preview, value), fingerprint)
        });
        Finding {
            rule: m.rule,
            location,
            preview: masked,
            fingerprint,

            value: self
                .cfg
                .reveal
                .then(|| String::from_utf8_lossy(value).into_owned()),
            subject: None,
        }
    }
}

/// The value of the first `"key": value` in a JSON line (`quoted` finds the
/// key with its quotes): string contents or a scalar, if not empty or null.
fn json_value_of<'a>(line: &'a [u8], quoted: &memchr::memmem::Finder) -> Option<&'a [u8]> {
    let len = quoted.needle().len();
    let mut at = 0;
    while let Some(i) = quoted.find(&line[at..]) {
        let rest = &line[at + i + len..];
        at += i + len;
        let rest = rest.trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b":") else {
            continue;
        };
        let rest = rest.trim_ascii_start();
        let v = match rest.strip_prefix(b"\"") {
            Some(s) => &s[..memchr::memchr(b'"', s)?],
            None => {
                let end = rest
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b' '))
                    .unwrap_or(rest.len());
                &rest[..end]
            }
        };
        return (!v.is_empty() && v != b"null").then_some(v);
    }
    None
}

/// Replaces every non-printable byte with a newline, leaving the printable
/// runs of a binary file as "lines" at their original offsets.
fn printable_runs(data: &mut [u8]) {
    for b in data.iter_mut() {
        if !(0x20..0x7f).contains(b) && *b != b'\t' {
            *b = b'\n';
        }
    }
}

fn read_error(layers: &[&str], at: u64, e: &io::Error) -> String {
    let what = layers.last().map_or("read error".to_string(), |l| {
        format!("{l} stream is corrupt or truncated")
    });
    format!("{what} after {at} decoded bytes: {e}")
}
