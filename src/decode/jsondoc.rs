//! JSON documents (a top-level array or object, often one enormous line):
//! JSON paths with array indexes, in bounded memory.
//!
//! The document is cut into chunks like any stream and the chunks are scanned
//! in parallel. A path needs everything before it, so the reading thread
//! walks each chunk's bytes once with a [`Tracker`] (a small resumable
//! tokenizer: a stack of keys and array indexes, never the values) and hands
//! every chunk the tracker's state at its start. The chunk's task walks on
//! from there to its matches only. Memory is the stack: bounded by nesting
//! depth and key length, not by document size.
//!
//! A finding's record is its top-level array element (1-based), or 1 when
//! the document is a single object.

use super::jsonpath::push_key;

/// Longest key kept (longer keys are cut; paths stay bounded).
const MAX_KEY: usize = 256;
/// Deepest nesting tracked; deeper levels share the last frame.
const MAX_DEPTH: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Frame {
    /// An object, the key of the member being read, and whether a key is
    /// expected next (after `{` or `,`).
    Object { key: Vec<u8>, want_key: bool },
    /// An array and the index of the element being read.
    Array(u64),
}

/// Resumable position in a JSON document. Cloning it is cheap (a stack).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracker {
    stack: Vec<Frame>,
    /// Levels deeper than [`MAX_DEPTH`], not kept.
    overflow: usize,
    in_string: bool,
    /// The string being read is a key (its bytes go to the top frame).
    in_key: bool,
    /// A backslash ended the last input: the next byte is escaped.
    escape: bool,
    /// Top-level values seen (more than one: concatenated documents).
    top_values: u64,
    /// Elements of top-level arrays seen (for the record count).
    elements: u64,
}

impl Tracker {
    /// Walks `data`, the next bytes of the document.
    pub fn walk(&mut self, data: &[u8]) {
        let mut i = 0;
        while i < data.len() {
            if self.in_string {
                i = self.walk_string(data, i);
                continue;
            }
            match data[i] {
                b'"' => self.open_string(),
                b'{' => self.push(Frame::Object {
                    key: Vec::new(),
                    want_key: true,
                }),
                b'[' => self.push(Frame::Array(0)),
                b'}' | b']' => self.pop(),
                b':' => {
                    if let Some(Frame::Object { want_key, .. }) = self.stack.last_mut() {
                        *want_key = false;
                    }
                }
                b',' => match self.stack.last_mut() {
                    Some(Frame::Array(n)) => {
                        *n += 1;
                        if self.stack.len() == 1 {
                            self.elements += 1;
                        }
                    }
                    Some(Frame::Object { key, want_key }) => {
                        key.clear();
                        *want_key = true;
                    }
                    None => {}
                },
                _ => {}
            }
            i += 1;
        }
    }

    /// Records in the document so far: top-level array elements, or
    /// top-level values when the document is not an array.
    pub fn record_count(&self) -> u64 {
        self.elements.max(self.top_values)
    }

    /// Reads string bytes from `i`; returns where to go on.
    fn walk_string(&mut self, data: &[u8], mut i: usize) -> usize {
        if self.escape {
            self.escape = false;
            self.key_bytes(&data[i..i + 1]);
            return i + 1;
        }
        let start = i;
        match memchr::memchr2(b'"', b'\\', &data[i..]) {
            None => {
                self.key_bytes(&data[start..]);
                data.len()
            }
            Some(off) => {
                i += off;
                self.key_bytes(&data[start..i]);
                if data[i] == b'"' {
                    self.in_string = false;
                    self.in_key = false;
                } else {
                    self.key_bytes(b"\\");
                    self.escape = true;
                }
                i + 1
            }
        }
    }

    fn open_string(&mut self) {
        self.in_string = true;
        if self.stack.len() == 1 && matches!(self.stack[0], Frame::Array(0)) && self.elements == 0 {
            self.elements = 1;
        }

        self.in_key = matches!(
            self.stack.last(),
            Some(Frame::Object { want_key: true, .. })
        ) && self.overflow == 0;
        if self.in_key {
            if let Some(Frame::Object { key, .. }) = self.stack.last_mut() {
                key.clear();
            }
        }
    }

    fn key_bytes(&mut self, b: &[u8]) {
        if !self.in_key {
            return;
        }
        if let Some(Frame::Object { key, .. }) = self.stack.last_mut() {
            let room = MAX_KEY.saturating_sub(key.len());
            key.extend_from_slice(&b[..b.len().min(room)]);
        }
    }

    fn push(&mut self, f: Frame) {
        if self.stack.is_empty() && self.overflow == 0 {
            self.top_values += 1;
        }
        if self.stack.len() == 1 && matches!(self.stack[0], Frame::Array(0)) && self.elements == 0 {
            self.elements = 1;
        }

        if self.stack.len() < MAX_DEPTH {
            self.stack.push(f);
        } else {
            self.overflow += 1;
        }
    }

    fn pop(&mut self) {
        if self.overflow > 0 {
            self.overflow -= 1;
        } else {
            self.stack.pop();
        }
    }

    /// The JSON path of the current position: `$[1834].properties.$email`.
    pub fn path(&self) -> String {
        let mut p = String::from("$");
        for f in &self.stack {
            match f {
                Frame::Object { key, want_key } => {
                    if !*want_key || (self.in_key && !key.is_empty()) {
                        push_key(&mut p, &String::from_utf8_lossy(key));
                    }
                }
                Frame::Array(n) => p.push_str(&format!("[{n}]")),
            }
        }
        p
    }

    /// The 1-based record: the top-level array element, else the top-level
    /// value (1 for a single object).
    pub fn record(&self) -> u64 {
        match self.stack.first() {
            Some(Frame::Array(n)) => n + 1,
            _ => self.top_values.max(1),
        }
    }
}

/// Paths and records at sorted `offsets` into `data`, walking on from `t`.
pub fn locate(t: &mut Tracker, data: &[u8], offsets: &[usize]) -> Vec<(u64, String)> {
    let mut pos = 0;
    offsets
        .iter()
        .map(|&o| {
            t.walk(&data[pos..o]);
            pos = o;
            (t.record(), t.path())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(doc: &str, needle: &str) -> (u64, String) {
        let off = doc.find(needle).unwrap();
        let mut t = Tracker::default();
        locate(&mut t, doc.as_bytes(), &[off]).pop().unwrap()
    }

    #[test]
    fn paths_with_indexes_and_records() {
        let doc = r#"[{"a":1,"p":{"email":"x@y.co"}},{"tags":["t1","t2"],"k\"q":"v"}]"#;
        assert_eq!(at(doc, "x@y"), (1, "$[0].p.email".into()));
        assert_eq!(at(doc, "t2"), (2, "$[1].tags[1]".into()));
        assert_eq!(at(doc, "v\""), (2, "$[1]['k\\\\\"q']".into()));
        let obj = "{\n  \"users\": [\n    {\"name\": \"Jo\"},\n    {\"name\": \"Al\"}\n  ]\n}";
        assert_eq!(at(obj, "Al"), (1, "$.users[1].name".into()));
    }

    #[test]
    fn walking_in_pieces_equals_walking_whole() {
        let doc = br#"[{"k\"ey":"va\\lue","n":[1,2,{"deep":"x"}]},{"e":"z"}]"#;
        for cut in 0..doc.len() {
            let mut a = Tracker::default();
            a.walk(&doc[..cut]);
            a.walk(&doc[cut..]);
            let mut b = Tracker::default();
            b.walk(doc);
            assert_eq!(a, b, "cut at {cut}");
        }
        let off = doc.windows(1).position(|w| w == b"z").unwrap();
        for cut in 0..off {
            let mut t = Tracker::default();
            t.walk(&doc[..cut]);
            let got = locate(&mut t, &doc[cut..], &[off - cut]);
            assert_eq!(got, vec![(2, "$[1].e".to_string())]);
        }
    }

    #[test]
    fn malformed_input_never_panics_and_depth_is_bounded() {
        let mut t = Tracker::default();
        t.walk(b"]]}}\"a\\\"b\"");
        assert!(!t.in_string);
        t.walk(&vec![b'['; 10_000]);
        assert_eq!(t.stack.len(), MAX_DEPTH);
        let _ = t.path();
    }
}
