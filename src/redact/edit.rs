//! Byte edits: replace spans of a buffer, keep every other byte.
//!
//! Matches of different rules may overlap (an email inside a URL with a
//! password); overlapping edits are merged into one covering both, taking
//! the text of the edit whose span is wider (a `drop` edit spans the whole
//! JSON value, so it wins over a mask inside it).

/// Replace `data[start..end]` with `text`; `values` findings are behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: Vec<u8>,
    pub values: u32,
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

/// A redacted piece of a stream: the bytes to write, and where each edit
/// went (input span → output span), so the front can be trimmed when the
/// previous piece's last edit already covered it.
#[derive(Debug, Default)]
pub struct Output {
    pub bytes: Vec<u8>,
    spans: Vec<(usize, usize, usize, usize)>,
    /// Input bytes past the piece's end consumed by its last edit.
    pub overrun: usize,
    /// Values replaced.
    pub values: u64,
}

impl Output {
    /// `data[..until]` with merged, sorted `edits` applied (edits starting at
    /// or after `until` belong to the next piece).
    pub fn apply(data: &[u8], until: usize, edits: &[Edit]) -> Output {
        let mut out = Output {
            bytes: Vec::with_capacity(until + 64),
            ..Output::default()
        };
        let mut pos = 0;
        for e in edits {
            if e.start >= until || e.start < pos {
                continue;
            }
            out.bytes.extend_from_slice(&data[pos..e.start]);
            let at = out.bytes.len();
            out.bytes.extend_from_slice(&e.text);
            out.spans.push((e.start, e.end, at, out.bytes.len()));
            out.values += u64::from(e.values);
            pos = e.end;
        }
        if pos < until {
            out.bytes.extend_from_slice(&data[pos..until]);
        }
        out.overrun = pos.saturating_sub(until);
        out
    }

    /// An unedited piece (moved, not copied).
    pub fn unchanged(mut data: Vec<u8>, until: usize) -> Output {
        data.truncate(until);
        Output {
            bytes: data,
            ..Output::default()
        }
    }

    /// The output bytes left when the first `skip` input bytes were already
    /// written by the previous piece. An edit that starts inside the skipped
    /// bytes is written whole (its value is still replaced).
    pub fn after_skip(&self, skip: usize) -> &[u8] {
        // After an edit, output offset = input offset + (out_end - in_end).
        let mut shift: isize = 0;
        for &(start, end, out_start, out_end) in &self.spans {
            if end <= skip {
                shift = out_end as isize - end as isize;
            } else if start < skip {
                return &self.bytes[out_start..];
            } else {
                break;
            }
        }
        let at = (skip as isize + shift).max(0) as usize;
        &self.bytes[at.min(self.bytes.len())..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            start,
            end,
            text: text.into(),
            values: 1,
        }
    }

    #[test]
    fn overlapping_edits_merge_into_the_wider() {
        let mut v = vec![e(10, 14, "b"), e(2, 5, "a"), e(3, 12, "wide")];
        merge(&mut v);
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].start, v[0].end, v[0].values), (2, 14, 3));
        assert_eq!(v[0].text, b"wide");
    }

    #[test]
    fn applies_and_reports_overrun() {
        let data = b"0123456789abcdef";
        let out = Output::apply(data, 12, &[e(1, 3, "X"), e(10, 14, "YY")]);
        assert_eq!(out.bytes, b"0X3456789YY");
        assert_eq!(out.overrun, 2);
        assert_eq!(out.values, 2);
    }

    #[test]
    fn skipping_the_front_keeps_alignment() {
        let data = b"0123456789";
        let out = Output::apply(data, 10, &[e(1, 3, "LONGER"), e(6, 8, "Z")]);
        assert_eq!(out.bytes, b"0LONGER345Z89");
        assert_eq!(out.after_skip(0), b"0LONGER345Z89");
        assert_eq!(out.after_skip(4), b"45Z89");
        assert_eq!(out.after_skip(2), b"LONGER345Z89");
        assert_eq!(out.after_skip(7), b"Z89");
        assert_eq!(out.after_skip(9), b"9");
    }
}
