//! National identity and registry numbers: the check digits and embedded
//! dates that tell a real number from any other run of digits.
//!
//! These numbers are bare digits, so their rules ask for context (the word
//! `NHS`, `PESEL`, a `routing_number` field); the checks here then remove
//! the numbers that merely stand next to the word. A 9-digit number passes
//! a Luhn check one time in ten, so a check alone never makes a national
//! id out of a bare number. Each scheme is named in rule files as
//! `id:<scheme>` (`id:nhs`, `id:pesel`).

use super::luhn::luhn_values;
use super::Names;
use anyhow::{bail, Result};

/// The numbering schemes we can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// UK NHS number: 10 digits, mod-11 check digit.
    Nhs,
    /// India Aadhaar: 12 digits, first 2–9, Verhoeff check digit.
    Aadhaar,
    /// Poland PESEL: 11 digits, birth date (century in the month), check digit.
    Pesel,
    /// Sweden personnummer: (YY)YYMMDD-NNNN, Luhn over the last ten digits.
    Personnummer,
    /// Finland henkilötunnus: DDMMYY, century sign, NNN, mod-31 check character.
    Hetu,
    /// Spain DNI/NIF (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter), mod 23.
    SpanishId,
    /// Italy codice fiscale: 16 characters, check letter.
    CodiceFiscale,
    /// Türkiye T.C. kimlik no: 11 digits, two check digits.
    Tckn,
    /// Canada SIN: 9 digits, Luhn, not a business (8) or unused (0) series.
    CaSin,
    /// Singapore NRIC/FIN: S/T/F/G, 7 digits, check letter.
    SgNric,
    /// South Africa ID: 13 digits, birth date, citizenship digit, Luhn.
    ZaId,
    /// US National Provider Identifier: 10 digits, Luhn with the 80840 prefix.
    UsNpi,
    /// US ABA routing number: 9 digits, 3-7-1 weighted check, Federal Reserve prefix.
    AbaRouting,
    /// Australia tax file number: 9 digits, weighted mod-11 check.
    AuTfn,
    /// South Korea resident registration number: birth date and a sex/century digit.
    KrRrn,
}

/// The schemes by the name rule files use after `id:`.
const SCHEMES: Names<Scheme> = Names(&[
    ("nhs", Scheme::Nhs),
    ("aadhaar", Scheme::Aadhaar),
    ("pesel", Scheme::Pesel),
    ("personnummer", Scheme::Personnummer),
    ("hetu", Scheme::Hetu),
    ("spanish_id", Scheme::SpanishId),
    ("codice_fiscale", Scheme::CodiceFiscale),
    ("tckn", Scheme::Tckn),
    ("ca_sin", Scheme::CaSin),
    ("sg_nric", Scheme::SgNric),
    ("za_id", Scheme::ZaId),
    ("us_npi", Scheme::UsNpi),
    ("aba", Scheme::AbaRouting),
    ("au_tfn", Scheme::AuTfn),
    ("kr_rrn", Scheme::KrRrn),
]);

impl Scheme {
    /// Parses the name after `id:` in a rule file.
    pub fn parse(name: &str) -> Result<Self> {
        match SCHEMES.value(name) {
            Some(s) => Ok(*s),
            None => bail!("unknown id scheme {name:?} (known: {})", SCHEMES.list()),
        }
    }

    /// The name after `id:` in a rule file.
    pub fn name(self) -> &'static str {
        SCHEMES.name(&self).unwrap_or("?")
    }

    /// True when `v` (separators allowed) is a valid number of the scheme.
    pub fn valid(self, v: &[u8]) -> bool {
        let s: Vec<u8> = v
            .iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(u8::to_ascii_uppercase)
            .collect();
        let d = digits(&s);
        match self {
            Scheme::Nhs => d.as_deref().is_some_and(nhs),
            Scheme::Aadhaar => d.as_deref().is_some_and(aadhaar),
            Scheme::Pesel => d.as_deref().is_some_and(pesel),
            Scheme::Personnummer => d.as_deref().is_some_and(personnummer),
            Scheme::Hetu => hetu(v),
            Scheme::SpanishId => spanish_id(&s),
            Scheme::CodiceFiscale => codice_fiscale(&s),
            Scheme::Tckn => d.as_deref().is_some_and(tckn),
            Scheme::CaSin => d.as_deref().is_some_and(ca_sin),
            Scheme::SgNric => sg_nric(&s),
            Scheme::ZaId => d.as_deref().is_some_and(za_id),
            Scheme::UsNpi => d.as_deref().is_some_and(us_npi),
            Scheme::AbaRouting => d.as_deref().is_some_and(aba),
            Scheme::AuTfn => d.as_deref().is_some_and(au_tfn),
            Scheme::KrRrn => d.as_deref().is_some_and(kr_rrn),
        }
    }
}

/// The digit values when every character is a digit.
fn digits(s: &[u8]) -> Option<Vec<u32>> {
    s.iter()
        .map(|b| b.is_ascii_digit().then(|| u32::from(b - b'0')))
        .collect()
}

/// Sum of digits times weights.
fn weighted(d: &[u32], w: &[u32]) -> u32 {
    d.iter().zip(w).map(|(a, b)| a * b).sum()
}

/// A two-digit number from two digit values.
fn num2(d: &[u32]) -> u32 {
    d[0] * 10 + d[1]
}

/// A day and month that exist in some year (29 February allowed).
fn date_ok(month: u32, day: u32) -> bool {
    let days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12).contains(&month) && day >= 1 && day <= days[month as usize - 1]
}

/// Not one digit repeated (`1111111111`), which test data uses.
fn varied(d: &[u32]) -> bool {
    d.iter().any(|x| *x != d[0])
}

fn nhs(d: &[u32]) -> bool {
    if d.len() != 10 || !varied(d) {
        return false;
    }
    let check = 11 - weighted(&d[..9], &[10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11;
    match check {
        11 => d[9] == 0,
        10 => false,
        c => d[9] == c,
    }
}

fn aadhaar(d: &[u32]) -> bool {
    const MUL: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const PERM: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    if d.len() != 12 || d[0] < 2 || !varied(d) {
        return false;
    }
    let c = d.iter().rev().enumerate().fold(0u8, |c, (i, &x)| {
        MUL[c as usize][PERM[i % 8][x as usize] as usize]
    });
    c == 0
}

fn pesel(d: &[u32]) -> bool {
    if d.len() != 11 || !varied(d) {
        return false;
    }
    let check = (10 - weighted(&d[..10], &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10) % 10;
    // The month carries the century: +80 (1800s), +0, +20, +40, +60.
    let month = num2(&d[2..4]) % 20;
    check == d[10] && date_ok(month, num2(&d[4..6]))
}

fn personnummer(d: &[u32]) -> bool {
    let d = match d.len() {
        10 => d,
        12 if matches!(num2(&d[..2]), 18..=20) => &d[2..],
        _ => return false,
    };
    // Coordination numbers (samordningsnummer) add 60 to the day.
    let day = num2(&d[4..6]);
    let day = if day > 60 { day - 60 } else { day };
    varied(d) && date_ok(num2(&d[2..4]), day) && luhn_digits(d)
}

fn hetu(v: &[u8]) -> bool {
    const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let v = v.to_ascii_uppercase();
    if v.len() != 11 || !b"+-ABCDEFUVWXY".contains(&v[6]) {
        return false;
    }
    let (Some(date), Some(serial)) = (digits(&v[..6]), digits(&v[7..10])) else {
        return false;
    };
    let n = date
        .iter()
        .chain(&serial)
        .fold(0u64, |n, x| n * 10 + u64::from(*x));
    date_ok(num2(&date[2..4]), num2(&date[..2])) && CHECK[(n % 31) as usize] == v[10]
}

fn spanish_id(s: &[u8]) -> bool {
    const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let Some((&letter, body)) = s.split_last() else {
        return false;
    };
    let (prefix, rest) = match body.first() {
        Some(b'X') => (0, &body[1..]),
        Some(b'Y') => (1, &body[1..]),
        Some(b'Z') => (2, &body[1..]),
        _ => (0, body),
    };
    let nie = rest.len() != body.len();
    let len_ok = if nie {
        rest.len() == 7
    } else {
        (7..=8).contains(&rest.len())
    };
    let Some(d) = digits(rest).filter(|_| len_ok) else {
        return false;
    };
    let n = d.iter().fold(prefix, |n, x| n * 10 + x);
    LETTERS[(n % 23) as usize] == letter
}

fn codice_fiscale(s: &[u8]) -> bool {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    if s.len() != 16 || !s.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    // A digit counts as the letter in its place (0 as A, 9 as J); 1-based
    // odd positions go through the table, even ones count as they are.
    let value = |i: usize, b: u8| {
        let n = if b.is_ascii_digit() {
            b - b'0'
        } else {
            b - b'A'
        };
        if i.is_multiple_of(2) {
            ODD[n as usize]
        } else {
            u32::from(n)
        }
    };
    let sum: u32 = s[..15].iter().enumerate().map(|(i, &b)| value(i, b)).sum();
    s[15] == b'A' + (sum % 26) as u8
}

fn tckn(d: &[u32]) -> bool {
    if d.len() != 11 || d[0] == 0 {
        return false;
    }
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    let tenth = (odd * 7 + 90 - even) % 10;
    tenth == d[9] && d[..10].iter().sum::<u32>() % 10 == d[10]
}

fn ca_sin(d: &[u32]) -> bool {
    d.len() == 9 && !matches!(d[0], 0 | 8) && varied(d) && luhn_digits(d)
}

fn sg_nric(s: &[u8]) -> bool {
    let (offset, letters): (u32, &[u8; 11]) = match s.first() {
        Some(b'S') => (0, b"JZIHGFEDCBA"),
        Some(b'T') => (4, b"JZIHGFEDCBA"),
        Some(b'F') => (0, b"XWUTRQPNMLK"),
        Some(b'G') => (4, b"XWUTRQPNMLK"),
        _ => return false,
    };
    if s.len() != 9 {
        return false;
    }
    let Some(d) = digits(&s[1..8]) else {
        return false;
    };
    let sum = weighted(&d, &[2, 7, 6, 5, 4, 3, 2]) + offset;
    letters[(sum % 11) as usize] == s[8]
}

fn za_id(d: &[u32]) -> bool {
    d.len() == 13 && date_ok(num2(&d[2..4]), num2(&d[4..6])) && d[10] <= 2 && luhn_digits(d)
}

fn us_npi(d: &[u32]) -> bool {
    if d.len() != 10 || !matches!(d[0], 1 | 2) {
        return false;
    }
    // The NPI check digit is the Luhn digit of 80840 and the first nine.
    luhn_values([8, 0, 8, 4, 0].iter().chain(d).copied())
}

fn aba(d: &[u32]) -> bool {
    if d.len() != 9 || !varied(d) {
        return false;
    }
    let prefix = num2(&d[..2]);
    let known = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    known && sum.is_multiple_of(10)
}

fn au_tfn(d: &[u32]) -> bool {
    d.len() == 9 && varied(d) && weighted(d, &[1, 4, 3, 7, 5, 8, 6, 9, 10]).is_multiple_of(11)
}

fn kr_rrn(d: &[u32]) -> bool {
    d.len() == 13 && (1..=8).contains(&d[6]) && date_ok(num2(&d[2..4]), num2(&d[4..6]))
}

/// Luhn over digit values.
fn luhn_digits(d: &[u32]) -> bool {
    luhn_values(d.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::Scheme::{self, *};

    fn ok(s: Scheme, v: &str) -> bool {
        s.valid(v.as_bytes())
    }

    #[test]
    fn check_digits_accept_valid_and_reject_one_off() {
        let cases: &[(Scheme, &str, &str)] = &[
            (Nhs, "401 023 2137", "401 023 2138"),
            (Aadhaar, "3123 4567 8909", "3123 4567 8908"),
            (Pesel, "44051401458", "44051401459"),
            (Personnummer, "871220-2384", "871220-2385"),
            (Personnummer, "19910924-2397", "19910924-2398"),
            (Hetu, "131052-308T", "131052-308U"),
            (Hetu, "010594Y9032", "010594Y9033"),
            (SpanishId, "12345678Z", "12345678A"),
            (SpanishId, "X9613851N", "X9613851Q"),
            (CodiceFiscale, "RSSMRA85T10A562S", "RSSMRA85T10A562T"),
            (Tckn, "10000000146", "10000000145"),
            (CaSin, "130 692 544", "130 692 545"),
            (SgNric, "S2740116C", "S2740116D"),
            (ZaId, "8001015009087", "8001015009086"),
            (UsNpi, "1234567893", "1234567894"),
            (AbaRouting, "121000358", "121000359"),
            (AuTfn, "876 543 210", "824 753 557"),
        ];
        for (s, good, bad) in cases {
            assert!(ok(*s, good), "{s:?} {good}");
            assert!(!ok(*s, bad), "{s:?} {bad}");
        }
    }

    #[test]
    fn dates_and_series_are_checked() {
        assert!(!ok(Personnummer, "19001309-2393"), "month 13");
        assert!(!ok(Hetu, "311190-1111"), "31 November");
        assert!(!ok(CaSin, "046 454 286"), "0 series is not assigned");
        assert!(!ok(ZaId, "9913326789285"), "month 13");
        assert!(
            !ok(AbaRouting, "421042111"),
            "42 is no Federal Reserve prefix"
        );
        assert!(!ok(Nhs, "0000000000"), "one digit repeated");
        assert!(ok(KrRrn, "960121-1234567"));
        assert!(!ok(KrRrn, "001332-1234567"));
        assert!(!ok(KrRrn, "960303-0021413"), "sex/century digit 0");
    }

    #[test]
    fn scheme_names_parse() {
        assert_eq!(Scheme::parse("nhs").unwrap(), Nhs);
        assert!(Scheme::parse("nope").is_err());
    }
}
