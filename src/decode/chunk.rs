//! Cutting a stream into chunks that scan independently and in parallel.
//!
//! A chunk ends at its last newline, so records are never split. A line
//! longer than the chunk size (a 1 GB single-line JSON file) is cut anyway,
//! so memory stays bounded by the chunk size: the cut chunk reports only
//! values starting before its last `overlap` bytes (`report_until`; they may
//! extend into them), and the next chunk reports those starting from there
//! on (`report_from`). The next chunk begins `overlap` bytes earlier still,
//! so a value starting right at the cut is read with what stands before it:
//! the `password=` of `password=…`, the digit that makes a phone rule
//! decline. The overlap, longer than any match, guarantees that no value is
//! lost or reported twice and that each is judged with the same context as
//! in an uncut line.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// Chunk buffers handed back after scanning, so a long scan reuses a few
/// warm buffers instead of faulting in fresh pages for every chunk.
#[derive(Debug, Default)]
pub struct BufferPool(Mutex<Vec<Vec<u8>>>);

impl BufferPool {
    /// A buffer of exactly `len` bytes to read into. A reused buffer keeps
    /// its old bytes: only the part past its old length is zeroed, so a
    /// chunk does not pay for clearing 4 MiB that the read overwrites.
    pub fn get(&self, len: usize) -> Vec<u8> {
        let mut v = self.0.lock().unwrap().pop().unwrap_or_default();
        v.resize(len, 0);
        v
    }

    /// Returns a buffer for reuse (a few are kept; memory stays bounded by
    /// the number of chunks in flight).
    pub fn put(&self, v: Vec<u8>) {
        let mut pool = self.0.lock().unwrap();
        if pool.len() < 64 && v.capacity() > 0 {
            pool.push(v);
        }
    }
}

/// A piece of the decoded stream.
#[derive(Debug)]
pub struct Chunk {
    /// 0-based position in the stream's chunk sequence.
    pub index: usize,
    pub data: Vec<u8>,
    /// Offset of `data[0]` in the decoded stream.
    pub stream_offset: u64,
    /// Offset of `data[0]` within its line (non-zero after a cut line).
    pub line_offset: u64,
    /// Matches starting before this were reported by the previous chunk
    /// (0, or `overlap` after a cut line: context only).
    pub report_from: usize,
    /// Matches starting at or after this are reported by the next chunk.
    pub report_until: usize,
}

/// Iterator of chunks over a reader. Invariant: `carry` is shorter than `size`.
pub struct Chunker<R> {
    reader: R,
    size: usize,
    overlap: usize,
    carry: Vec<u8>,
    index: usize,
    offset: u64,
    line_offset: u64,
    /// `report_from` of the next chunk.
    next_from: usize,
    done: bool,
    /// A read error met after some bytes: those are handed out first.
    error: Option<io::Error>,
    pool: Arc<BufferPool>,
}

impl<R: Read> Chunker<R> {
    /// Chunks of about `size` bytes; cut lines repeat `2 * overlap` bytes.
    pub fn new(reader: R, size: usize, overlap: usize) -> Self {
        Self::with_pool(reader, size, overlap, Arc::default())
    }

    /// The same, taking chunk buffers from `pool`.
    pub fn with_pool(reader: R, size: usize, overlap: usize, pool: Arc<BufferPool>) -> Self {
        let size = size.max(3 * overlap + 1);
        Chunker {
            reader,
            size,
            overlap,
            carry: Vec::new(),
            index: 0,
            offset: 0,
            line_offset: 0,
            next_from: 0,
            done: false,
            error: None,
            pool,
        }
    }

    /// Reads into `data[filled..]` until it is full or the stream ends
    /// (true), then cuts `data` to what holds bytes. A read error after some
    /// bytes keeps them for scanning and is reported next.
    fn fill(&mut self, data: &mut Vec<u8>, mut filled: usize) -> io::Result<bool> {
        let eof = loop {
            if filled == data.len() {
                break false;
            }
            match self.reader.read(&mut data[filled..]) {
                Ok(0) => break true,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if filled == 0 => return Err(e),
                Err(e) => {
                    self.error = Some(e);
                    break true;
                }
            }
        };
        data.truncate(filled);
        Ok(eof)
    }
}

impl<R: Read> Iterator for Chunker<R> {
    type Item = io::Result<Chunk>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.error.take() {
            return Some(Err(e));
        }
        if self.done {
            return None;
        }
        let mut data = self.pool.get(self.size);
        let carried = self.carry.len();
        data[..carried].copy_from_slice(&self.carry);
        self.carry.clear();
        let eof = match self.fill(&mut data, carried) {
            Ok(eof) => eof,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        if eof {
            self.done = true;
            if data.is_empty() && self.error.is_none() {
                return None;
            }
        }
        let cut_line = !eof && memchr::memrchr(b'\n', &data).is_none();
        // What the next chunk repeats: after a cut, the unreported tail and
        // as much again before it, as context.
        let repeat = if cut_line { 2 * self.overlap } else { 0 };
        if !eof {
            match memchr::memrchr(b'\n', &data) {
                Some(k) => {
                    self.carry.extend_from_slice(&data[k + 1..]);
                    data.truncate(k + 1);
                }
                None => self.carry = data[data.len() - repeat..].to_vec(),
            }
        }
        let report_until = data.len() - if cut_line { self.overlap } else { 0 };
        let chunk = Chunk {
            index: self.index,
            stream_offset: self.offset,
            line_offset: self.line_offset,
            report_from: std::mem::replace(&mut self.next_from, repeat / 2),
            report_until,
            data,
        };
        let advance = (chunk.data.len() - repeat) as u64;
        self.offset += advance;
        self.line_offset = if cut_line {
            self.line_offset + advance
        } else {
            0
        };
        self.index += 1;
        Some(Ok(chunk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(input: &[u8], size: usize, overlap: usize) -> Vec<Chunk> {
        Chunker::new(input, size, overlap)
            .map(|c| c.unwrap())
            .collect()
    }

    #[test]
    fn pooled_buffers_are_reused() {
        let pool = Arc::new(BufferPool::default());
        let input = b"aaaa\nbbbb\ncccc\ndddd\n".repeat(50);
        let mut c = Chunker::with_pool(&input[..], 64, 8, pool.clone());
        let first = c.next().unwrap().unwrap();
        let ptr = first.data.as_ptr();
        pool.put(first.data);
        let second = c.next().unwrap().unwrap();
        assert_eq!(
            second.data.as_ptr(),
            ptr,
            "the returned buffer is handed out again"
        );
    }

    #[test]
    fn chunks_end_at_newlines_and_cover_everything() {
        let input = b"aaaa\nbbbb\ncccc\ndd";
        let cs = chunks(input, 8, 2);
        let joined: Vec<u8> = cs.iter().flat_map(|c| c.data.clone()).collect();
        assert_eq!(joined, input);
        assert!(cs[..cs.len() - 1].iter().all(|c| c.data.ends_with(b"\n")));
        assert!(cs
            .iter()
            .all(|c| c.line_offset == 0 && c.report_from == 0 && c.report_until == c.data.len()));
    }

    /// Fails after handing out `ok` bytes.
    struct Failing<'a> {
        ok: &'a [u8],
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.ok.is_empty() {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt"));
            }
            let n = self.ok.len().min(buf.len());
            buf[..n].copy_from_slice(&self.ok[..n]);
            self.ok = &self.ok[n..];
            Ok(n)
        }
    }

    #[test]
    fn bytes_before_a_read_error_are_handed_out_then_the_error() {
        let mut c = Chunker::new(
            Failing {
                ok: b"one
two
thr",
            },
            1 << 16,
            16,
        );
        assert_eq!(
            c.next().unwrap().unwrap().data,
            b"one
two
thr"
        );
        assert!(c.next().unwrap().is_err());
        assert!(c.next().is_none());
    }

    #[test]
    fn long_lines_are_cut_with_overlap_and_offsets() {
        let input: Vec<u8> = (0..80u8).map(|i| b'a' + i % 26).collect();
        let cs = chunks(&input, 20, 4);
        // Every byte is reported by exactly one chunk, and each chunk after
        // a cut holds the `overlap` bytes before its reported part.
        let mut covered = vec![0; input.len()];
        for (k, c) in cs.iter().enumerate() {
            for i in 0..c.data.len() {
                assert_eq!(c.data[i], input[c.stream_offset as usize + i]);
            }
            for i in c.report_from..c.report_until {
                covered[c.stream_offset as usize + i] += 1;
            }
            assert_eq!(c.report_from, if k == 0 { 0 } else { 4 });
            assert_eq!(c.line_offset, c.stream_offset);
        }
        assert!(cs.len() > 2);
        assert!(covered.iter().all(|&n| n == 1), "{covered:?}");
    }
}
