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
    /// Bytes walked since the start of the document.
    offset: u64,
    /// Where the current top-level array element began (document offset).
    element_start: Option<u64>,
    /// A top-level array element starts at the next value byte.
    want_element: bool,
}

impl Tracker {
    /// Walks `data`, the next bytes of the document.
    pub fn walk(&mut self, data: &[u8]) {
        self.walk_until(data, None);
    }

    /// Walks `data`, stopping after a closing bracket that leaves the stack
    /// `stop` deep; returns the bytes walked.
    fn walk_until(&mut self, data: &[u8], stop: Option<usize>) -> usize {
        let mut i = 0;
        while i < data.len() {
            if self.in_string {
                i = self.walk_string(data, i);
                continue;
            }
            let b = data[i];
            if self.want_element && !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b']') {
                self.want_element = false;
                self.element_start = Some(self.offset + i as u64);
            }
            match b {
                b'"' => self.open_string(),
                b'{' => self.push(Frame::Object {
                    key: Vec::new(),
                    want_key: true,
                }),
                b'[' => {
                    self.push(Frame::Array(0));
                    self.want_element = self.stack.len() == 1;
                }
                b'}' | b']' => {
                    self.pop();
                    if stop.is_some_and(|d| self.stack.len() <= d && self.overflow == 0) {
                        self.offset += i as u64 + 1;
                        return i + 1;
                    }
                }
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
                            self.want_element = true;
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
        self.offset += data.len() as u64;
        data.len()
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

/// Where a match sits in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub record: u64,
    pub path: String,
    /// The bytes of `data` holding the whole top-level array element, when
    /// asked for and it lies in `data` (an element cut by the start of the
    /// chunk has none).
    pub element: Option<std::ops::Range<usize>>,
    /// The offset lies inside a JSON string.
    pub in_string: bool,
}

/// Places of sorted `offsets` into `data`, walking on from `t` (which
/// stands at the start of `data`); `elements` also finds each element's span.
pub fn locate(t: &mut Tracker, data: &[u8], offsets: &[usize], elements: bool) -> Vec<Place> {
    let base = t.offset;
    let mut pos = 0;
    let mut last: Option<Place> = None;
    offsets
        .iter()
        .map(|&o| {
            t.walk(&data[pos..o]);
            pos = o;
            let record = t.record();
            let element = match &last {
                Some(p) if p.record == record => p.element.clone(),
                _ if elements => element_span(t, base, data, o),
                _ => None,
            };
            let place = Place {
                record,
                path: t.path(),
                element,
                in_string: t.in_string,
            };
            last = Some(place.clone());
            place
        })
        .collect()
}

/// The span in `data` (which starts at document offset `base`) of the
/// top-level array element `t` stands in at `at`.
fn element_span(t: &Tracker, base: u64, data: &[u8], at: usize) -> Option<std::ops::Range<usize>> {
    let in_element = t.stack.len() >= 2 && matches!(t.stack[0], Frame::Array(_));
    let start = t.element_start.filter(|_| in_element)?.checked_sub(base)? as usize;
    let mut rest = t.clone();
    let n = rest.walk_until(&data[at..], Some(1));
    let closed = rest.stack.len() <= 1;
    closed.then_some(start..at + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(doc: &str, needle: &str) -> (u64, String) {
        let off = doc.find(needle).unwrap();
        let mut t = Tracker::default();
        let p = locate(&mut t, doc.as_bytes(), &[off], false).pop().unwrap();
        (p.record, p.path)
    }

    #[test]
    fn element_spans_cover_the_whole_element() {
        let doc = br#"[ {"u":"a","e":"x@y.co"} , {"n":[1,{"e":"z"}],"u":"b"}, "s"]"#;
        let off = |n: &str| {
            doc.windows(n.len())
                .position(|w| w == n.as_bytes())
                .unwrap()
        };
        let span = |cut: usize, o: usize| {
            let mut t = Tracker::default();
            t.walk(&doc[..cut]);
            let p = locate(&mut t, &doc[cut..], &[o - cut], true).pop().unwrap();
            p.element
                .map(|r| String::from_utf8_lossy(&doc[cut + r.start..cut + r.end]).into_owned())
        };
        assert_eq!(
            span(0, off("x@y")).as_deref(),
            Some(r#"{"u":"a","e":"x@y.co"}"#)
        );
        assert_eq!(
            span(0, off("z")).as_deref(),
            Some(r#"{"n":[1,{"e":"z"}],"u":"b"}"#)
        );
        assert_eq!(
            span(off(", {") + 1, off("z")).as_deref(),
            Some(r#"{"n":[1,{"e":"z"}],"u":"b"}"#)
        );
        assert_eq!(
            span(off("{\"n"), off("z")).as_deref(),
            Some(r#"{"n":[1,{"e":"z"}],"u":"b"}"#)
        );
        assert_eq!(
            span(off("{\"n") + 1, off("z")),
            None,
            "cut by the chunk start"
        );
        let s = off("\"s\"") + 1;
        assert_eq!(span(0, s), None, "a string element has no fields");
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
            let got = locate(&mut t, &doc[cut..], &[off - cut], false);
            assert_eq!((got[0].record, got[0].path.as_str()), (2, "$[1].e"));
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
