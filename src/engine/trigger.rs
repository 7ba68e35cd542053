//! Shared triggers for the few rules that have no keyword: numbers (cards,
//! phones, SSNs, IBANs, IPv4) and IPv6 addresses.
//!
//! One byte-level pass finds *digit clusters* (digits joined by at most two
//! separator bytes from ` -./()`), and a `memchr(':')` pass finds colons
//! between hex digits. Each rule then only sees clusters whose shape fits it,
//! so a millisecond timestamp never reaches the SSN regex.

/// A run of digits and short separators, e.g. `(415) 555-2671`, `10.0.3.4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cluster {
    pub start: usize,
    pub end: usize,
    pub digits: u32,
    pub dots: u32,
}

impl Cluster {
    /// Whether a value of `lo..=hi` digits can lie inside this cluster: enough
    /// digits, and a plain digit run (no separators) is not longer than `hi`.
    pub fn may_hold(&self, lo: u32, hi: u32) -> bool {
        let plain = (self.end - self.start) as u32 == self.digits;
        self.digits >= lo && (!plain || self.digits <= hi)
    }
}

const SEP: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'-' as usize] = true;
    t[b'.' as usize] = true;
    t[b'/' as usize] = true;
    t[b'(' as usize] = true;
    t[b')' as usize] = true;
    t
};

/// Calls `f` for every digit cluster in `hay`.
pub fn digit_clusters(hay: &[u8], mut f: impl FnMut(Cluster)) {
    let n = hay.len();
    let mut i = 0;
    while i < n {
        match hay[i..].iter().position(u8::is_ascii_digit) {
            Some(off) => i += off,
            None => return,
        }
        let start = i;
        let (mut digits, mut dots) = (0u32, 0u32);
        loop {
            while i < n && hay[i].is_ascii_digit() {
                digits += 1;
                i += 1;
            }
            let mut j = i;
            while j < n && j - i < 2 && SEP[hay[j] as usize] {
                j += 1;
            }
            if j > i && j < n && hay[j].is_ascii_digit() {
                dots += hay[i..j].iter().filter(|&&b| b == b'.').count() as u32;
                i = j;
            } else {
                break;
            }
        }
        f(Cluster {
            start,
            end: i,
            digits,
            dots,
        });
    }
}

/// Calls `f(start, end)` for every run of hex digits and colons that holds a
/// colon with a hex digit (or another colon) on each side: IPv6 candidates.
pub fn hexcolon_runs(hay: &[u8], mut f: impl FnMut(usize, usize)) {
    let hexish = |b: u8| b.is_ascii_hexdigit() || b == b':';
    let mut resume = 0;
    for pos in memchr::memchr_iter(b':', hay) {
        if pos < resume {
            continue;
        }
        let before_ok = pos > 0 && hexish(hay[pos - 1]);
        let after_ok = hay.get(pos + 1).is_some_and(|&b| hexish(b));
        if !(before_ok && after_ok) {
            continue;
        }
        let start = hay[..pos]
            .iter()
            .rposition(|&b| !hexish(b))
            .map_or(0, |i| i + 1);
        let end = hay[pos..]
            .iter()
            .position(|&b| !hexish(b))
            .map_or(hay.len(), |i| pos + i);
        resume = end;
        if hay[start..end].iter().filter(|&&b| b == b':').count() >= 2 {
            f(start, end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters(s: &str) -> Vec<(String, u32, u32)> {
        let mut out = Vec::new();
        digit_clusters(s.as_bytes(), |c| {
            out.push((s[c.start..c.end].to_string(), c.digits, c.dots))
        });
        out
    }

    #[test]
    fn digit_clusters_table() {
        assert_eq!(
            clusters("call (415) 555-2671 or 10.0.3.4, ts=1731023456789"),
            vec![
                ("415) 555-2671".to_string(), 10, 0),
                ("10.0.3.4".to_string(), 5, 3),
                ("1731023456789".to_string(), 13, 0),
            ]
        );
        assert_eq!(clusters("a - b 12 -34"), vec![("12 -34".to_string(), 4, 0)]);
        assert_eq!(clusters("12 -- 34").len(), 2);
        assert_eq!(
            clusters("1 + 2"),
            vec![("1".to_string(), 1, 0), ("2".to_string(), 1, 0)]
        );
    }

    #[test]
    fn hexcolon_runs_table() {
        let s = r#"{"ip":"2001:db8::1","t":"12:30:45","k":"a:b"}"#;
        let mut out = Vec::new();
        hexcolon_runs(s.as_bytes(), |a, b| out.push(s[a..b].to_string()));
        assert_eq!(out, vec!["2001:db8::1", "12:30:45"]);
    }
}
