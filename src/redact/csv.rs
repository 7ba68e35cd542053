//! CSV/TSV cells rewritten in the raw bytes of their records.
//!
//! The `csv` crate decodes cells for scanning; writing them back with a CSV
//! writer would change quoting and line endings everywhere. Instead only the
//! affected fields of the affected records are re-encoded in the raw bytes,
//! quoted if the original field was or if the new value needs it; every
//! other byte (delimiters, CRLF, other cells) is copied as it was. `drop`
//! leaves an empty cell.

use super::edit::{apply, merge, Edit, Piece};
use super::{Mode, Replacer};
use crate::decode::table::{CellBatch, CellMatch};
use std::ops::Range;

/// The raw byte spans of the fields of one record (`raw` starts at the
/// record; the terminator and anything after it is not part of a field).
pub fn field_spans(raw: &[u8], delim: u8) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && b == delim {
            spans.push(start..i);
            start = i + 1;
        } else if !quoted && (b == b'\n' || b == b'\r') {
            break;
        }
        i += 1;
    }
    spans.push(start..i);
    spans
}

/// `value` as a field: quoted (quotes doubled) when `was_quoted` or when it
/// holds the delimiter, a quote or a line break.
pub fn encode_field(value: &[u8], delim: u8, was_quoted: bool) -> Vec<u8> {
    let needs = value
        .iter()
        .any(|&b| b == delim || b == b'"' || b == b'\n' || b == b'\r');
    if !(was_quoted || needs) {
        return value.to_vec();
    }
    let mut out = Vec::with_capacity(value.len() + 2);
    out.push(b'"');
    for &b in value {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

/// A new value for one cell: 0-based record within the batch, column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellChange {
    pub row: usize,
    pub column: usize,
    pub value: Vec<u8>,
    /// Findings replaced in the cell.
    pub values: u32,
}

/// The raw rows of a batch with `changes` applied. `rows[k]` is where the
/// batch's k-th record starts in `raw` (bytes before the first are copied).
pub fn rewrite(raw: Vec<u8>, rows: &[usize], delim: u8, changes: &[CellChange]) -> Piece {
    let mut edits = Vec::new();
    let mut i = 0;
    while i < changes.len() {
        let row = changes[i].row;
        let end = rows.get(row + 1).copied().unwrap_or(raw.len());
        // A record's position may point at the end of the previous
        // record's CRLF; records never start with a line break.
        let start = rows[row]
            + raw[rows[row]..end]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        let spans = field_spans(&raw[start..end], delim);
        while i < changes.len() && changes[i].row == row {
            let c = &changes[i];
            if let Some(span) = spans.get(c.column) {
                let was_quoted = raw.get(start + span.start) == Some(&b'"');
                edits.push(Edit {
                    start: start + span.start,
                    end: start + span.end,
                    text: encode_field(&c.value, delim, was_quoted),
                    values: c.values,
                });
            }
            i += 1;
        }
    }
    let len = raw.len();
    Piece::new(raw, 0..len, edits)
}

/// New values for the cells of a table batch holding `found` (sorted by
/// cell); rows are counted from record `first`.
pub fn cell_changes(
    rep: &Replacer,
    batch: &CellBatch,
    found: &[CellMatch],
    first: u64,
) -> Vec<CellChange> {
    let mut changes = Vec::new();
    for group in found.chunk_by(|a, b| a.cell == b.cell) {
        let cell = batch.cells[group[0].cell];
        let value = &batch.data[cell.start..cell.end];
        let mut edits: Vec<Edit> = group
            .iter()
            .map(|cm| {
                let m = &cm.m;
                let r = rep.replace(
                    m.rule,
                    m.decoded.as_deref().unwrap_or(&value[m.start..m.end]),
                );
                match r.mode {
                    // `drop` empties the whole cell.
                    Mode::Drop => Edit::new(0, value.len(), Vec::new()),
                    _ => Edit::new(m.start, m.end, r.text),
                }
            })
            .collect();
        merge(&mut edits);
        changes.push(CellChange {
            row: (cell.record - first) as usize,
            column: cell.column as usize,
            value: apply(value, &edits),
            values: group.len() as u32,
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_cells_are_rewritten() {
        let raw = b"1,\"multi\nline, \"\"q\"\"\",a@b.co\r\n2,x,\"c@d.co\"\r\n";
        // The second row's position points at the first row's `\n`.
        let rows = [0, raw.windows(3).position(|w| w == b"2,x").unwrap() - 1];
        assert_eq!(field_spans(&raw[..], b',').len(), 3);
        let changes = [
            CellChange {
                row: 0,
                column: 2,
                value: b"[EMAIL]".to_vec(),
                values: 1,
            },
            CellChange {
                row: 1,
                column: 2,
                value: b"a,\"b".to_vec(),
                values: 1,
            },
        ];
        let out = rewrite(raw.to_vec(), &rows, b',', &changes);
        let mut bytes = Vec::new();
        out.write_to(&mut bytes, 0).unwrap();
        assert_eq!(
            bytes,
            b"1,\"multi\nline, \"\"q\"\"\",[EMAIL]\r\n2,x,\"a,\"\"b\"\r\n"
        );
        assert_eq!(out.values, 2);
    }

    #[test]
    fn tsv_fields() {
        assert_eq!(field_spans(b"a\tb c\t\r\n", b'\t'), vec![0..1, 2..5, 6..6]);
        assert_eq!(encode_field(b"x\ty", b'\t', false), b"\"x\ty\"");
        assert_eq!(encode_field(b"x,y", b'\t', false), b"x,y");
    }
}
