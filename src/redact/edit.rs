//! Byte edits: replace spans of a buffer, keep every other byte.
//!
//! Matches of different rules may overlap (an email inside a URL with a
//! password); overlapping edits are merged into one covering both, taking
//! the text of the edit whose span is wider (a `drop` edit spans the whole
//! JSON value, so it wins over a mask inside it).

use std::io::{self, Write};

/// Replace `data[start..end]` with `text`; `values` findings are behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: Vec<u8>,
    pub values: u32,
}

impl Edit {
    /// One value's edit.
    pub fn new(start: usize, end: usize, text: Vec<u8>) -> Edit {
        Edit {
            start,
            end,
            text,
            values: 1,
        }
    }
}

/// Sorts `edits` and merges overlapping ones.
pub fn merge(edits: &mut Vec<Edit>) {
    edits.sort_by_key(|e| (e.start, std::cmp::Reverse(e.end)));
    let mut out: Vec<Edit> = Vec::with_capacity(edits.len());
    for e in edits.drain(..) {
        match out.last_mut() {
            Some(last) if e.start < last.end => {
                if e.end - e.start > last.end - last.start {
                    last.text = e.text;
                }
                last.end = last.end.max(e.end);
                last.values += e.values;
            }
            _ => out.push(e),
        }
    }
    *edits = out;
}

/// `data` with merged, sorted `edits` applied.
pub fn apply(data: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 16);
    let mut pos = 0;
    for e in edits {
        if e.start < pos {
            continue;
        }
        out.extend_from_slice(&data[pos..e.start]);
        out.extend_from_slice(&e.text);
        pos = e.end;
    }
    out.extend_from_slice(&data[pos.min(data.len())..]);
    out
}

/// A redacted piece of a stream: the original bytes (moved, not copied)
/// and the edits, written out in one pass with no copy of the whole piece.
/// The piece owns `data[..until]`; its last edit may run past `until`
/// (`overrun`), and the next piece then skips that many bytes.
#[derive(Debug, Default)]
pub struct Piece {
    data: Vec<u8>,
    /// Bytes before this were written by the previous piece.
    from: usize,
    until: usize,
    edits: Vec<Edit>,
    /// Input bytes past the piece's end consumed by its last edit.
    pub overrun: usize,
    /// Values replaced.
    pub values: u64,
}

impl Piece {
    /// The piece `data[from..until]` with merged, sorted `edits` (those
    /// starting at or after `until` belong to the next piece; `data[..from]`
    /// is context the previous piece wrote, and only an edit that reaches
    /// past it is kept).
    pub fn new(data: Vec<u8>, range: std::ops::Range<usize>, mut edits: Vec<Edit>) -> Piece {
        let std::ops::Range {
            start: from,
            end: until,
        } = range;
        edits.retain(|e| e.start < until && e.end > from);
        let overrun = edits.last().map_or(0, |e| e.end.saturating_sub(until));
        let values = edits.iter().map(|e| u64::from(e.values)).sum();
        Piece {
            data,
            from,
            until,
            edits,
            overrun,
            values,
        }
    }

    /// Writes the piece, less its first `skip` bytes (already replaced by
    /// the previous piece's last edit). An edit that starts inside the
    /// skipped bytes is written whole: its value is still replaced.
    pub fn write_to(&self, w: &mut dyn Write, skip: usize) -> io::Result<()> {
        let mut pos = self.from + skip;
        for e in &self.edits {
            // Inside what the previous piece's last edit already replaced.
            if e.end <= self.from + skip {
                continue;
            }
            if e.start >= pos {
                w.write_all(&self.data[pos..e.start])?;
            }
            w.write_all(&e.text)?;
            pos = e.end;
        }
        if pos < self.until {
            w.write_all(&self.data[pos..self.until])?;
        }
        Ok(())
    }

    /// The buffer, for reuse.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(start: usize, end: usize, text: &str) -> Edit {
        Edit::new(start, end, text.into())
    }

    #[test]
    fn overlapping_edits_merge_into_the_wider() {
        let mut v = vec![e(10, 14, "b"), e(2, 5, "a"), e(3, 12, "wide")];
        merge(&mut v);
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].start, v[0].end, v[0].values), (2, 14, 3));
        assert_eq!(v[0].text, b"wide");
    }

    fn written(p: &Piece, skip: usize) -> Vec<u8> {
        let mut v = Vec::new();
        p.write_to(&mut v, skip).unwrap();
        v
    }

    #[test]
    fn applies_and_reports_overrun() {
        let data = b"0123456789abcdef".to_vec();
        let p = Piece::new(
            data,
            0..12,
            vec![e(1, 3, "X"), e(10, 14, "YY"), e(13, 15, "Z")],
        );
        assert_eq!(written(&p, 0), b"0X3456789YY");
        assert_eq!(p.overrun, 2);
        assert_eq!(p.values, 2);
        assert_eq!(apply(b"0123", &[e(1, 2, "ab")]), b"0ab23");
    }

    #[test]
    fn skipping_the_front_keeps_alignment() {
        let p = Piece::new(
            b"0123456789".to_vec(),
            0..10,
            vec![e(1, 3, "LONGER"), e(6, 8, "Z")],
        );
        assert_eq!(written(&p, 0), b"0LONGER345Z89");
        assert_eq!(written(&p, 4), b"45Z89");
        assert_eq!(written(&p, 2), b"LONGER345Z89");
        assert_eq!(written(&p, 7), b"Z89");
        assert_eq!(written(&p, 9), b"9");
    }

    #[test]
    fn the_context_before_a_piece_is_not_written() {
        // Bytes 0..4 were written by the previous piece; its last edit
        // replaced up to 5 (skip 1).
        let p = Piece::new(
            b"0123456789".to_vec(),
            4..9,
            vec![e(1, 2, "old"), e(6, 7, "Z")],
        );
        assert_eq!(written(&p, 0), b"45Z78");
        assert_eq!(written(&p, 1), b"5Z78");
        assert_eq!(p.values, 1);
        // An edit wholly inside the skipped bytes after the context is not
        // written again.
        let q = Piece::new(b"0123456789".to_vec(), 4..9, vec![e(5, 6, "Y")]);
        assert_eq!(written(&q, 0), b"4Y678");
        assert_eq!(written(&q, 3), b"78");
    }
}
