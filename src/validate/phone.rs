//! Phone numbers checked against real numbering plans: libphonenumber's
//! metadata, extracted into `phone_plans.tsv` beside this file.
//!
//! The file holds, per country code, the union of the number-type patterns
//! (fixed line, mobile, toll free, ...) of every region sharing that code,
//! taken from the `phonenumber` crate's copy of libphonenumber. A test
//! regenerates it from the crate and fails when they differ, so updating the
//! data is `cargo test` plus the one-line command it prints. At run time each
//! country code's pattern is compiled once, anchored, when first needed: no
//! 90 ms metadata load, no shared regex LRU behind a mutex. A number is valid
//! when its national significant number fully matches its code's pattern.

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

/// Country codes whose plans are compiled ahead, in the background: the
/// North American plan, the trunk-zero regions and other large markets.
const WARM_CODES: &[u16] = &[1, 44, 49, 33, 91, 55, 81, 86, 61, 34, 39, 31, 7, 52];

/// Regions (by country code) whose national numbers start with the trunk
/// prefix `0`, tried for numbers written without `+`.
const TRUNK_ZERO_CODES: &[u16] = &[44, 49, 33, 91, 55, 81];

/// The plans of every region sharing a country code, as one anchored regex:
/// the union of their number-type patterns (fixed line, mobile, ...), which
/// libphonenumber keeps within each region's general pattern.
type Plan = Regex;

/// `country code <TAB> pattern` lines.
const PLANS_TSV: &str = include_str!("phone_plans.tsv");

/// The pattern source per country code, parsed from [`PLANS_TSV`] once.
fn sources() -> &'static HashMap<u16, &'static str> {
    static SOURCES: OnceLock<HashMap<u16, &'static str>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        PLANS_TSV
            .lines()
            .filter_map(|l| {
                let (cc, pattern) = l.split_once('\t')?;
                Some((cc.parse().ok()?, pattern))
            })
            .collect()
    })
}

type Plans = RwLock<HashMap<u16, Option<Arc<Plan>>>>;

fn plans() -> &'static Plans {
    static PLANS: OnceLock<Plans> = OnceLock::new();
    PLANS.get_or_init(Default::default)
}

/// Starts loading the metadata in a background thread (it takes ~80 ms,
/// once per process), so scanning does not wait for it.
pub fn warm_up() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| {
            for cc in WARM_CODES {
                let _ = plans_for(*cc);
            }
        });
    });
}

/// True when `v` is a valid number: international (`+…`, `00…`) in its own
/// plan, national with a trunk `0` (UK, DE, FR, IN, BR, JP), or the ten
/// digits of the North American plan.
pub fn phone_ok(v: &[u8]) -> bool {
    let mut buf = [0u8; 15];
    let mut n = 0;
    for &b in v.iter().filter(|b| b.is_ascii_digit()) {
        if n == buf.len() {
            return false;
        }
        buf[n] = b;
        n += 1;
    }
    let digits = &buf[..n];
    if n < 7 {
        return false;
    }
    if v.trim_ascii_start().first() == Some(&b'+') {
        return international_ok(digits);
    }
    if let Some(rest) = digits.strip_prefix(b"00") {
        return international_ok(rest);
    }
    match digits.first() {
        Some(b'0') => TRUNK_ZERO_CODES
            .iter()
            .any(|&cc| national_ok(cc, &digits[1..])),
        _ => n == 10 && national_ok(1, digits),
    }
}

/// Tries country codes of one to three digits.
fn international_ok(digits: &[u8]) -> bool {
    (1..=3).any(|n| {
        let Some(cc) = digits
            .get(..n)
            .and_then(|d| std::str::from_utf8(d).ok()?.parse::<u16>().ok())
        else {
            return false;
        };
        digits.len() > n && national_ok(cc, &digits[n..])
    })
}

/// Whether `nsn` is a valid national significant number under `cc`.
fn national_ok(cc: u16, nsn: &[u8]) -> bool {
    let Some(plan) = plans_for(cc) else {
        return false;
    };
    let input = Input::new(nsn).anchored(Anchored::Yes);
    plan.search(&input).is_some_and(|m| m.end() == nsn.len())
}

fn plans_for(cc: u16) -> Option<Arc<Plan>> {
    if let Some(p) = plans().read().unwrap().get(&cc) {
        return p.clone();
    }
    let built = sources().get(&cc).and_then(|p| compile(p)).map(Arc::new);
    plans().write().unwrap().insert(cc, built.clone());
    built
}

fn compile(pattern: &str) -> Option<Plan> {
    let syntax = regex_automata::util::syntax::Config::new()
        .unicode(false)
        .utf8(false);
    Regex::builder()
        .syntax(syntax)
        .build(&format!("(?:{pattern})$"))
        .ok()
}

/// Builds the `phone_plans.tsv` contents from the `phonenumber` crate.
#[cfg(test)]
pub(crate) fn plans_tsv_from_metadata() -> String {
    use phonenumber::metadata::{Descriptor, DATABASE};
    let strip = |d: &Descriptor| -> String {
        d.national_number()
            .as_str()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let mut codes: Vec<u16> = DATABASE.iter().map(|m| m.country_code()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut out = String::new();
    for cc in codes {
        let mut types: Vec<String> = Vec::new();
        for m in DATABASE.by_code(&cc).unwrap_or_default() {
            let d = m.descriptors();
            let all = [
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ];
            types.extend(
                all.into_iter()
                    .flatten()
                    .map(|d| format!("(?:{})", strip(d))),
            );
        }
        types.dedup();
        if !types.is_empty() {
            out.push_str(&format!("{cc}\t{}\n", types.join("|")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped plans equal what the phonenumber crate's metadata gives.
    /// To update: `LEAKSCOPE_WRITE_PLANS=1 cargo test --lib phone_plans_match_metadata`.
    #[test]
    fn phone_plans_match_metadata() {
        let fresh = plans_tsv_from_metadata();
        if std::env::var_os("LEAKSCOPE_WRITE_PLANS").is_some() {
            std::fs::write(
                concat!(env!("CARGO_MANIFEST_DIR"), "/src/validate/phone_plans.tsv"),
                &fresh,
            )
            .unwrap();
            return;
        }
        assert!(
            fresh == PLANS_TSV,
            "src/validate/phone_plans.tsv is stale: run LEAKSCOPE_WRITE_PLANS=1 cargo test --lib phone_plans_match_metadata"
        );
    }

    #[test]
    fn table() {
        for (v, ok) in [
            ("+14155552671", true),
            ("+44 20 7946 0958", true),
            ("(415) 555-2671", true),
            ("(123) 456-7890", false),
            ("(212) 736-5000", true),
            ("020 7946 0958", true),
            ("+49 30 1234567", true),
            ("+33 1 42 68 53 00", true),
            ("0033 1 42 68 53 00", true),
            ("+1 000 000 0000", false),
            ("+999 1234567", false),
            ("2024-11-08", false),
            ("12345", false),
        ] {
            assert_eq!(phone_ok(v.as_bytes()), ok, "{v}");
        }
    }
}
