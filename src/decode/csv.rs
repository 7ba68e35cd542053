//! CSV/TSV: records parsed with the `csv` crate (quoted fields with
//! delimiters, quotes and newlines inside, CRLF), cut into [`CellBatch`]es.
//!
//! The header row names the columns; a finding's record is the 1-based data
//! row (header excluded) and its field the column name. Rows with the wrong
//! number of fields are scanned anyway and counted as a warning for the file.

use super::table::CellBatch;
use std::io::Read;

/// The delimiter a file's name implies, if any (`.tsv` → tab).
pub fn delimiter_by_name(name: &str) -> Option<u8> {
    let lower = name.to_ascii_lowercase();
    let stem = [".gz", ".zst", ".zstd"]
        .iter()
        .find_map(|c| lower.strip_suffix(c))
        .unwrap_or(&lower);
    match stem.rsplit('.').next()? {
        "csv" => Some(b','),
        "tsv" | "tab" => Some(b'\t'),
        "psv" => Some(b'|'),
        _ => None,
    }
}

/// Recognises a delimited table by content: a header of at least two
/// name-like fields and following lines with the same number of fields.
/// Returns the delimiter. Logs rarely pass: their lines do not agree.
pub fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut lines = text
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let header = lines.next()?;
    let mut complete: Vec<&[u8]> = lines.filter(|l| !l.is_empty()).take(21).collect();
    if complete.len() > 20 || !text.ends_with(b"\n") {
        complete.pop(); // cut short by the end of the head
    }
    [b',', b'\t', b';', b'|'].into_iter().find(|&d| {
        let n = fields_outside_quotes(header, d);
        n >= 2
            && header_like(header, d)
            && !complete.is_empty()
            && complete.iter().all(|l| fields_outside_quotes(l, d) == n)
    })
}

fn fields_outside_quotes(line: &[u8], d: u8) -> usize {
    let mut quoted = false;
    1 + line
        .iter()
        .filter(|&&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == d && !quoted
        })
        .count()
}

fn header_like(line: &[u8], d: u8) -> bool {
    line.split(|&b| b == d).all(|f| {
        let f = f.trim_ascii();
        let f = f
            .strip_prefix(b"\"")
            .and_then(|x| x.strip_suffix(b"\""))
            .unwrap_or(f);
        !f.is_empty()
            && f.len() <= 64
            && (f[0].is_ascii_alphabetic() || matches!(f[0], b'_' | b'$' | b'#'))
            && f.iter()
                .all(|b| b.is_ascii_alphanumeric() || b" _.$#-/()".contains(b))
    })
}

/// A reader that keeps what it reads until it is taken (the raw bytes of
/// the records, for rewriting them), when `keep` is set.
pub struct Tee<R> {
    inner: R,
    keep: bool,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: u64,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        if self.keep {
            self.buf.extend_from_slice(&out[..n]);
        }
        Ok(n)
    }
}

impl<R> Tee<R> {
    /// The kept bytes up to stream offset `end` (all of them when `None`).
    fn take(&mut self, end: Option<u64>) -> Vec<u8> {
        let n = end.map_or(self.buf.len(), |e| {
            ((e - self.base) as usize).min(self.buf.len())
        });
        self.base += n as u64;
        let rest = self.buf.split_off(n);
        std::mem::replace(&mut self.buf, rest)
    }
}

/// Reads a table into batches of about `batch_bytes` bytes of values.
pub struct CsvBatches<R: Read> {
    reader: csv::Reader<Tee<R>>,
    record: csv::ByteRecord,
    batch_bytes: usize,
    next_index: usize,
    /// Column names from the header row.
    pub names: Vec<String>,
    /// Data rows read.
    pub records: u64,
    /// Rows whose field count differs from the header's: count and first row.
    pub ragged: (u64, u64),
    done: bool,
}

impl<R: Read> CsvBatches<R> {
    /// Opens a table; reads the header row. An error names the problem.
    pub fn new(input: R, delimiter: u8, batch_bytes: usize) -> Result<Self, String> {
        Self::with_raw(input, delimiter, batch_bytes, false)
    }

    /// The same; with `raw`, each batch also carries its records' raw bytes
    /// (the first batch from the start of the stream, the last to its end).
    pub fn with_raw(
        input: R,
        delimiter: u8,
        batch_bytes: usize,
        raw: bool,
    ) -> Result<Self, String> {
        let tee = Tee {
            inner: input,
            keep: raw,
            buf: Vec::new(),
            base: 0,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(tee);
        let mut record = csv::ByteRecord::new();
        let names = match reader.read_byte_record(&mut record) {
            Ok(true) => header_names(&record),
            Ok(false) => Vec::new(),
            Err(e) => return Err(format!("CSV header: {e}")),
        };
        Ok(CsvBatches {
            reader,
            record,
            batch_bytes,
            next_index: 0,
            names,
            records: 0,
            ragged: (0, 0),
            done: false,
        })
    }

    /// Bytes of the input consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    fn add_record(&mut self, batch: &mut CellBatch) {
        self.records += 1;
        if self.record.len() != self.names.len() {
            if self.ragged.0 == 0 {
                self.ragged.1 = self.records;
            }
            self.ragged.0 += 1;
        }
        for (col, value) in self.record.iter().enumerate() {
            batch.push(value, self.records, col as u32);
        }
    }
}

fn header_names(record: &csv::ByteRecord) -> Vec<String> {
    record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let f = f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f).trim_ascii();
            if f.is_empty() {
                format!("column_{}", i + 1)
            } else {
                String::from_utf8_lossy(f).into_owned()
            }
        })
        .collect()
}

impl<R: Read> Iterator for CsvBatches<R> {
    type Item = Result<CellBatch, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut batch = CellBatch {
            index: self.next_index,
            ..Default::default()
        };
        let keep = self.reader.get_ref().keep;
        let first = self.records + 1;
        let mut starts = Vec::new();
        while batch.data.len() < self.batch_bytes {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {
                    if keep {
                        starts.push(self.record.position().map_or(0, |p| p.byte()));
                    }
                    self.add_record(&mut batch)
                }
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(format!(
                        "CSV data row {} (byte {}): {e}",
                        self.records + 1,
                        self.bytes_read()
                    )));
                }
            }
        }
        self.next_index += 1;
        if keep {
            let end = (!self.done).then(|| self.bytes_read());
            let tee = self.reader.get_mut();
            let base = tee.base;
            let raw = tee.take(end);
            batch.raw = Some(super::table::RawRows {
                first,
                rows: starts.iter().map(|&s| (s - base) as usize).collect(),
                bytes: raw,
            });
        }
        Some(Ok(batch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_by_name_and_content() {
        assert_eq!(delimiter_by_name("a/users.CSV"), Some(b','));
        assert_eq!(delimiter_by_name("users.tsv.gz"), Some(b'\t'));
        assert_eq!(delimiter_by_name("users.json"), None);
        let tsv = b"id\temail\tcity\n1\ta@b.co\tParis\n2\tc@d.co\tRome\n3\tx";
        assert_eq!(sniff_delimiter(tsv), Some(b'\t'));
        let csv = b"\"id\",\"note\"\r\n1,\"a, b\"\r\n2,c\r\n";
        assert_eq!(sniff_delimiter(csv), Some(b','));
        let log = b"2025-01-01 INFO a, b\n2025-01-01 WARN c\n";
        assert_eq!(sniff_delimiter(log), None);
    }

    #[test]
    fn quoted_cells_rows_and_ragged_rows() {
        let data =
            b"id,note,email\r\n1,\"multi\nline, \"\"quoted\"\"\",a@b.co\r\n2,x\r\n3,y,z@w.co\r\n";
        let mut t = CsvBatches::new(&data[..], b',', 1 << 20).unwrap();
        assert_eq!(t.names, vec!["id", "note", "email"]);
        let b = t.next().unwrap().unwrap();
        assert!(t.next().is_none());
        let cells: Vec<(u64, u32, &[u8])> = b
            .cells
            .iter()
            .map(|c| (c.record, c.column, &b.data[c.start..c.end]))
            .collect();
        assert_eq!(cells[1], (1, 1, &b"multi\nline, \"quoted\""[..]));
        assert_eq!(cells[2], (1, 2, &b"a@b.co"[..]));
        assert_eq!(cells[7], (3, 2, &b"z@w.co"[..]));
        assert_eq!((t.records, t.ragged), (3, (1, 2)));
    }
}
