//! Helpers shared by the integration tests.
#![allow(dead_code)]

use leakscope::corpus::Found;
use leakscope::engine::Engine;
use leakscope::finding::Finding;
use leakscope::redact::output::OutputTree;
use leakscope::redact::{Mode, Policy, Replacer};
use leakscope::scan::{FileOutcome, Redaction, ScanConfig, Scanner, Sink};
use leakscope::source::{collect, Filter};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// Collects everything a scan reports.
#[derive(Default)]
pub struct Collect {
    pub findings: Mutex<Vec<Finding>>,
    pub files: Mutex<Vec<FileOutcome>>,
}

impl Sink for Collect {
    fn findings(&self, batch: Vec<Finding>) {
        self.findings.lock().unwrap().extend(batch);
    }
    fn file_done(&self, o: FileOutcome) {
        self.files.lock().unwrap().push(o);
    }
}

pub fn builtin_engine() -> Engine {
    Engine::builtin().unwrap()
}

/// The built-in engine, compiled once per test binary.
pub fn engine() -> &'static Engine {
    static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    E.get_or_init(builtin_engine)
}

pub const KEY: &[u8] = b"test-key-0123456789";

/// Redacts `input` into `out` under `policy` (chunks of `chunk` bytes);
/// returns the outcome per input and the findings of the pass.
pub fn redact(input: &Path, out: &Path, policy: &Policy, chunk: usize) -> Vec<FileOutcome> {
    let engine = engine();
    let sink = Collect::default();
    let cfg = ScanConfig {
        chunk_size: chunk,
        overlap: 32 << 10,
        ..ScanConfig::default()
    };
    let redaction = Redaction {
        replacer: Replacer::new(engine.rules().iter().map(|c| &c.rule), policy, KEY),
        tree: OutputTree::new(out, &[input.to_path_buf()]).unwrap(),
        link_unchanged: false,
    };
    let walk = collect(
        &[input.to_path_buf()],
        &Filter::new(&[], &[]).unwrap(),
        None,
    );
    Scanner::new(engine, KEY, cfg)
        .with_redaction(redaction)
        .scan_all(&walk.inputs, &sink);
    let mut files = sink.files.into_inner().unwrap();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

pub fn mode(m: Mode) -> Policy {
    Policy {
        default: m,
        ..Policy::default()
    }
}

/// Scans a folder with the built-in rules, revealing values.
pub fn scan_dir_collect(dir: &Path, chunk_size: usize) -> (Engine, Collect) {
    let engine = builtin_engine();
    let sink = Collect::default();
    {
        let cfg = ScanConfig {
            chunk_size,
            overlap: 32 << 10,
            reveal: true,
            ..ScanConfig::default()
        };
        let scanner = Scanner::new(&engine, b"test-key-0123456789", cfg);
        let walk = collect(&[dir.to_path_buf()], &Filter::new(&[], &[]).unwrap(), None);
        scanner.scan_all(&walk.inputs, &sink);
    }
    (engine, sink)
}

/// Scans a folder and reduces findings for comparison with ground truth.
pub fn scan_dir(dir: &Path, chunk_size: usize) -> Vec<Found> {
    let (engine, sink) = scan_dir_collect(dir, chunk_size);
    let findings = sink.findings.into_inner().unwrap();
    findings
        .iter()
        .map(|f| Found {
            path: f.location.path.to_string(),
            line: f.location.record,
            rule: engine.rules()[f.rule as usize].rule.id.clone(),
            value: f.value.clone().unwrap(),
        })
        .collect()
}

pub fn write_gz(path: &Path, data: &[u8]) {
    let f = std::fs::File::create(path).unwrap();
    let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap();
}
