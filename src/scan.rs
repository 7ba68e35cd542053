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

use crate::decode::chunk::{BufferPool, Chunk, Chunker};
use crate::decode::{jsonpath, scan_buffer, sniff_format, BufScratch, Format, Match};
use crate::decompress::{self, OpenError};
use crate::engine::Engine;
use crate::finding::{normalize, preview, Finding, Fingerprinter, Location};
use crate::source::{Input, InputKind};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            chunk_size: 4 << 20,
            overlap: 64 << 10,
            max_in_flight: 2 * rayon::current_num_threads() + 2,
            binary: BinaryMode::Strings,
            reveal: false,
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
}

/// Receives results; called from many threads.
pub trait Sink: Sync {
    /// Findings of one input, in stream order within that input.
    fn findings(&self, batch: Vec<Finding>);
    /// One input is finished (or failed, or was skipped).
    fn file_done(&self, outcome: FileOutcome);
    /// `n` more input bytes were read from disk (for progress).
    fn progress(&self, _n: u64) {}
}

/// Scans inputs with one engine and one fingerprint key.
pub struct Scanner<'e> {
    engine: &'e Engine,
    fp: Fingerprinter,
    cfg: ScanConfig,
    in_flight: AtomicUsize,
    scratch: Mutex<Vec<BufScratch>>,
    buffers: Arc<BufferPool>,
}

/// What one chunk task produced. Line-based findings carry their 0-based
/// line *within the chunk* in `record` until [`Reorder`] numbers them.
struct ChunkResult {
    index: usize,
    newlines: u64,
    findings: Vec<Finding>,
}

/// Hands chunk results to the sink in order, numbering lines.
struct Reorder {
    next: usize,
    waiting: BTreeMap<usize, ChunkResult>,
    line_base: u64,
    findings: u64,
}

impl Reorder {
    fn push(&mut self, r: ChunkResult, sink: &dyn Sink) {
        self.waiting.insert(r.index, r);
        while let Some(r) = self.waiting.remove(&self.next) {
            let mut batch = r.findings;
            for f in &mut batch {
                if let Some(local) = f.location.record.as_mut() {
                    *local += self.line_base + 1;
                }
            }
            self.findings += batch.len() as u64;
            if !batch.is_empty() {
                sink.findings(batch);
            }
            self.line_base += r.newlines;
            self.next += 1;
        }
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
        Scanner {
            engine,
            fp: Fingerprinter::new(key),
            cfg,
            in_flight: AtomicUsize::new(0),
            scratch: Mutex::new(Vec::new()),
            buffers: Arc::default(),
        }
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
        let mut outcome = FileOutcome {
            path: input.display.clone(),
            status: Status::Scanned,
            format: None,
            layers: Vec::new(),
            bytes: 0,
            records: 0,
            findings: 0,
        };
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
        let opened = match decompress::open(raw) {
            Ok(o) => o,
            Err(OpenError::Unsupported(why)) => {
                outcome.status = Status::Skipped(why);
                return outcome;
            }
            Err(OpenError::Io(e)) => {
                outcome.status = Status::Failed(format!("cannot read: {e}"));
                return outcome;
            }
        };
        outcome.layers = opened.layers;
        let mut reader = opened.reader;
        let format = match reader.fill_buf() {
            Ok(head) => sniff_format(&head[..head.len().min(8192)], &input.display),
            Err(e) => {
                outcome.status = Status::Failed(read_error(&outcome.layers, 0, &e));
                return outcome;
            }
        };
        outcome.format = Some(format);
        if format == Format::Binary && self.cfg.binary == BinaryMode::Skip {
            outcome.status = Status::Skipped("binary file (--binary skip)".into());
            return outcome;
        }
        self.scan_stream(reader, format, &mut outcome, sink);
        outcome
    }

    fn scan_stream(
        &self,
        reader: impl Read + Send,
        format: Format,
        outcome: &mut FileOutcome,
        sink: &dyn Sink,
    ) {
        let reorder = Mutex::new(Reorder {
            next: 0,
            waiting: BTreeMap::new(),
            line_base: 0,
            findings: 0,
        });
        let mut error = None;
        let mut last_byte = b'\n';
        let path = outcome.path.clone();
        rayon::scope_fifo(|s| {
            let chunks = Chunker::with_pool(
                reader,
                self.cfg.chunk_size,
                self.cfg.overlap,
                self.buffers.clone(),
            );
            for chunk in chunks {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        error = Some(read_error(&outcome.layers, outcome.bytes, &e));
                        break;
                    }
                };
                outcome.bytes += chunk.report_until as u64;
                last_byte = *chunk.data.last().unwrap_or(&last_byte);
                self.wait_for_slot();
                let (reorder, path) = (&reorder, path.clone());
                s.spawn_fifo(move |_| {
                    let result = self.scan_chunk(chunk, format, &path);
                    reorder.lock().unwrap().push(result, sink);
                    self.in_flight.fetch_sub(1, Ordering::AcqRel);
                });
            }
        });
        let r = reorder.into_inner().unwrap();
        outcome.findings = r.findings;
        outcome.records = r.line_base + u64::from(last_byte != b'\n' && outcome.bytes > 0);
        if let Some(e) = error {
            outcome.status = Status::Failed(e);
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

    /// Scans one chunk and turns its matches into findings with local lines.
    fn scan_chunk(&self, mut chunk: Chunk, format: Format, path: &Arc<str>) -> ChunkResult {
        if format == Format::Binary {
            printable_runs(&mut chunk.data);
        }
        let mut scratch = self.take_scratch();
        let mut matches = std::mem::take(&mut scratch.matches);
        matches.clear();
        scan_buffer(self.engine, &chunk.data, &mut scratch, &mut matches);
        matches.retain(|m| m.start < chunk.report_until);
        let (findings, newlines) = match format {
            Format::Binary => (self.binary_findings(&chunk, &matches, path), 0),
            _ => self.line_findings(&chunk, &matches, format == Format::Ndjson, path),
        };
        scratch.matches = matches;
        self.scratch.lock().unwrap().push(scratch);
        let index = chunk.index;
        self.buffers.put(chunk.data);
        ChunkResult {
            index,
            newlines,
            findings,
        }
    }

    fn binary_findings(&self, chunk: &Chunk, matches: &[Match], path: &Arc<str>) -> Vec<Finding> {
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
                self.finding(m, &chunk.data, loc)
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
        ndjson: bool,
        path: &Arc<str>,
    ) -> (Vec<Finding>, u64) {
        let data = &chunk.data;
        let mut out = Vec::with_capacity(matches.len());
        let (mut pos, mut line) = (0usize, 0u64);
        let mut i = 0;
        while i < matches.len() {
            let m0 = &matches[i];
            line += bytecount::count(&data[pos..m0.start], b'\n') as u64;
            pos = m0.start;
            let lo = memchr::memrchr(b'\n', &data[..m0.start]).map_or(0, |p| p + 1);
            let hi = memchr::memchr(b'\n', &data[m0.start..]).map_or(data.len(), |p| m0.start + p);
            let same_line = matches[i..].iter().take_while(|m| m.start < hi).count();
            let group = &matches[i..i + same_line];
            let shift = if lo == 0 { chunk.line_offset } else { 0 };
            let fields = if ndjson && shift == 0 {
                let offsets: Vec<usize> = group.iter().map(|m| m.start - lo).collect();
                jsonpath::paths_at(&data[lo..hi], &offsets)
            } else {
                vec![None; group.len()]
            };
            for (m, field) in group.iter().zip(fields) {
                let loc = Location {
                    path: path.clone(),
                    record: Some(line),
                    field,
                    start: (m.start - lo) as u64 + shift,
                    end: (m.end - lo) as u64 + shift,
                };
                out.push(self.finding(m, data, loc));
            }
            i += same_line;
        }
        line += bytecount::count(&data[pos..], b'\n') as u64;
        (out, line)
    }

    fn finding(&self, m: &Match, data: &[u8], location: Location) -> Finding {
        let rule = &self.engine.rules()[m.rule as usize].rule;
        let value = m.decoded.as_deref().unwrap_or(&data[m.start..m.end]);
        Finding {
            rule: m.rule,
            location,
            preview: preview(rule.preview, value),
            fingerprint: self.fp.fingerprint(&normalize(rule.normalize, value)),
            value: self
                .cfg
                .reveal
                .then(|| String::from_utf8_lossy(value).into_owned()),
        }
    }
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
