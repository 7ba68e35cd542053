//! Phone numbers checked against real numbering plans: libphonenumber's
//! metadata (shipped by the `phonenumber` crate).
//!
//! The crate's own `is_valid` compiles the plan's patterns through a shared
//! 100-entry LRU behind one mutex, which thrashes as soon as numbers from a
//! few countries mix (tens of microseconds per number, serialised across
//! threads). So we read the same metadata but compile each country code's
//! patterns once, anchored, into regex-automata regexes kept for the process,
//! and validate without locks: a number is valid when, for a region of its
//! country code, its national significant number matches the general pattern
//! and one of the number-type patterns (fixed line, mobile, toll free, ...).

use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
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
    let digits: Vec<u8> = v.iter().filter(|b| b.is_ascii_digit()).copied().collect();
    if !(7..=15).contains(&digits.len()) {
        return false;
    }
    let text = v.trim_ascii_start();
    if text.first() == Some(&b'+') {
        return international_ok(&digits);
    }
    if let Some(rest) = digits.strip_prefix(b"00") {
        return international_ok(rest);
    }
    match digits.first() {
        Some(b'0') => TRUNK_ZERO_CODES
            .iter()
            .any(|&cc| national_ok(cc, &digits[1..])),
        _ => digits.len() == 10 && national_ok(1, &digits),
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
    let built = DATABASE
        .by_code(&cc)
        .and_then(|regions| plan(&regions))
        .map(Arc::new);
    plans().write().unwrap().insert(cc, built.clone());
    built
}

fn plan(regions: &[&Metadata]) -> Option<Plan> {
    let types: Vec<&str> = regions
        .iter()
        .flat_map(|m| {
            let d = m.descriptors();
            [
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
            ]
        })
        .flatten()
        .map(pattern)
        .collect();
    if types.is_empty() {
        return None;
    }
    // The metadata writes patterns laid out over several lines: verbose mode.
    let syntax = regex_automata::util::syntax::Config::new()
        .ignore_whitespace(true)
        .unicode(false)
        .utf8(false);
    let union = types
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    Regex::builder()
        .syntax(syntax)
        .build(&format!("(?:{union})$"))
        .ok()
}

fn pattern(d: &Descriptor) -> &str {
    d.national_number().as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

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
