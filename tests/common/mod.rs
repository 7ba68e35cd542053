//! Helpers shared by the integration tests.
#![allow(dead_code)]

use leakscope::corpus::Found;
use leakscope::engine::Engine;
use leakscope::finding::Finding;
use leakscope::scan::{FileOutcome, ScanConfig, Scanner, Sink};
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
