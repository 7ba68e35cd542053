//! `leakscope redact`: a scan whose product is the redacted copy (the
//! report is optional), run through the same pipeline as `scan --redact-to`.

use super::args::{BinaryArg, RedactArgs, ScanArgs};
use anyhow::Result;

pub fn run(a: RedactArgs) -> Result<i32> {
    let scan = ScanArgs {
        paths: a.paths,
        out: a.report,
        format: Some(crate::report::StdoutFormat::None),
        common: a.common,
        reveal: false,
        binary: BinaryArg::Strings,
        chunk_size: 4 << 20,
        max_archive_bytes: 32 << 30,
        max_archive_ratio: 250,
        scan_numbers: false,
        redact_to: Some(a.out),
        redact: a.redact,
    };
    let code = super::cmd_scan::run(scan)?;
    // Findings are what redaction is for: only a failed input is an error.
    Ok(if code == 2 { 2 } else { 0 })
}
