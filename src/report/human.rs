//! Human-readable output: one line per finding on stdout, and the end-of-run
//! summary on stderr.

use super::summary::{RuleMeta, SummaryJson};
use crate::finding::Finding;
use std::fmt::Write as _;

/// `path:record field rule preview` (plus the value when revealed).
pub fn finding_line(f: &Finding, meta: &RuleMeta) -> String {
    let loc = &f.location;
    let mut s = match loc.record {
        Some(r) => format!("{}:{r}", loc.path),
        None => format!("{}@{}", loc.path, loc.start),
    };
    if let Some(field) = &loc.field {
        let _ = write!(s, " {field}");
    }
    let _ = write!(s, "  {} [{}] {}", meta.id, meta.severity, f.preview);
    if let Some(v) = &f.value {
        let _ = write!(s, "  value={}", v.escape_debug());
    }
    s.push('\n');
    s
}

/// The end-of-run summary for a terminal.
pub fn summary_text(s: &SummaryJson) -> String {
    let mut t = String::new();
    let secs = s.elapsed_ms as f64 / 1000.0;
    let mb = s.bytes_scanned as f64 / 1e6;
    let _ = writeln!(
        t,
        "leakscope: {} scanned, {} skipped, {} failed · {mb:.1} MB in {secs:.2} s ({:.0} MB/s)",
        s.files.scanned,
        s.files.skipped,
        s.files.failed,
        mb / secs.max(1e-3)
    );
    if s.files.binary_strings > 0 {
        let _ = writeln!(
            t,
            "  {} binary file(s): printable strings scanned",
            s.files.binary_strings
        );
    }
    let _ = writeln!(t, "findings: {}", s.findings);
    if let Some(r) = &s.redaction {
        let _ = writeln!(
            t,
            "redacted copies: {} file(s) in {}, {} value(s) replaced (mode {})",
            r.files_written, r.output, r.values_replaced, r.mode
        );
    }
    if !s.by_rule.is_empty() {
        let _ = writeln!(
            t,
            "  {:<40} {:>9} {:>9}  SEVERITY",
            "RULE", "FINDINGS", "DISTINCT"
        );
        let mut rows: Vec<_> = s.by_rule.iter().collect();
        rows.sort_by(|a, b| b.1.findings.cmp(&a.1.findings).then(a.0.cmp(b.0)));
        for (id, c) in rows {
            let _ = writeln!(
                t,
                "  {:<40} {:>9} {:>9}  {}",
                id, c.findings, c.distinct, c.severity
            );
        }
        for (cat, c) in &s.by_category {
            let _ = writeln!(
                t,
                "  distinct {cat} values: {} (in {} findings)",
                c.distinct, c.findings
            );
        }
    }
    for f in s.inputs.iter().filter(|f| f.status != "scanned") {
        let _ = writeln!(
            t,
            "{}: {}: {}",
            f.status,
            f.path,
            f.reason.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(t, "fingerprint key: {} (id {})", s.key.source, s.key.id);
    t
}
