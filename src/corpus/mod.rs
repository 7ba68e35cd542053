//! A seeded generator of realistic vendor exports with planted values and
//! their ground truth, for tests, benchmarks and the demo export.
//!
//! It writes Mixpanel-style NDJSON events and plain application logs, and
//! (in [`exports`]) the structured exports warehouses and vendors hand out:
//! a CSV table, a Parquet events table, a JSON array and a zip of gzipped
//! NDJSON parts. Planted
//! values are real in format (checksummed GitHub tokens, Luhn-valid cards,
//! mod-97-valid IBANs, valid phone ranges); *decoys* that must not be reported
//! sit beside them: UUIDs, SHA-256 digests, browser version strings,
//! millisecond timestamps and Luhn-invalid 16-digit order numbers. Every
//! planted value is recorded as a [`Truth`] (line, rule, value) so recall and
//! precision can be measured exactly.

use crate::validate::github_checksum;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use fastrand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

pub mod exports;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// One planted value: found at `line` (1-based) by rule `rule`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Truth {
    pub file: String,
    pub line: u64,
    pub rule: String,
    pub value: String,
}

/// How often each kind of value is planted, per event or log line.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub email: f64,
    pub ip: f64,
    pub secret: f64,
    pub pii: f64,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            email: 0.3,
            ip: 0.4,
            secret: 0.03,
            pii: 0.05,
        }
    }
}

/// A generator; the same seed always gives the same bytes.
pub struct Generator {
    rng: Rng,
    rates: Rates,
}

/// Text being built for one record, with the values planted in it.
struct Record {
    text: String,
    planted: Vec<(String, String)>,
}

/// Records `value` as planted for `rule` and hands it back for writing.
fn plant(planted: &mut Vec<(String, String)>, rule: &str, value: String) -> String {
    planted.push((rule.to_string(), value.clone()));
    value
}

impl Generator {
    /// A generator seeded with `seed` and default rates.
    pub fn new(seed: u64) -> Self {
        Generator {
            rng: Rng::with_seed(seed),
            rates: Rates::default(),
        }
    }

    /// The same with other rates (all zero gives clean data).
    pub fn with_rates(seed: u64, rates: Rates) -> Self {
        Generator {
            rng: Rng::with_seed(seed),
            rates,
        }
    }

    /// Appends NDJSON events to `out` until it holds at least `bytes` bytes,
    /// counting lines from `first_line`; returns the truth for them.
    pub fn ndjson(
        &mut self,
        file: &str,
        out: &mut Vec<u8>,
        bytes: usize,
        first_line: u64,
    ) -> Vec<Truth> {
        self.lines(file, out, bytes, first_line, Self::event)
    }

    /// Appends application log lines (some multi-line) to `out`.
    pub fn log(
        &mut self,
        file: &str,
        out: &mut Vec<u8>,
        bytes: usize,
        first_line: u64,
    ) -> Vec<Truth> {
        self.lines(file, out, bytes, first_line, Self::log_line)
    }

    fn lines(
        &mut self,
        file: &str,
        out: &mut Vec<u8>,
        bytes: usize,
        first_line: u64,
        make: fn(&mut Self) -> Record,
    ) -> Vec<Truth> {
        let mut truth = Vec::new();
        let mut line = first_line;
        while out.len() < bytes {
            let rec = make(self);
            for (rule, value) in rec.planted {
                // A value's line is where it starts (a PEM block follows a newline).
                let at = rec.text.find(&value).unwrap_or(0);
                let line = line + rec.text[..at].bytes().filter(|&b| b == b'\n').count() as u64;
                truth.push(Truth {
                    file: file.to_string(),
                    line,
                    rule,
                    value,
                });
            }
            line += rec.text.bytes().filter(|&b| b == b'\n').count() as u64 + 1;
            out.extend_from_slice(rec.text.as_bytes());
            out.push(b'\n');
        }
        truth
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.usize(..xs.len())]
    }

    fn chars(&mut self, set: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| set[self.rng.usize(..set.len())] as char)
            .collect()
    }

    fn digits(&mut self, n: usize) -> String {
        self.chars(b"0123456789", n)
    }

    fn uuid(&mut self) -> String {
        let h = self.chars(HEX, 32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..]
        )
    }

    /// One Mixpanel-style event.
    fn event(&mut self) -> Record {
        let mut r = Record {
            text: String::with_capacity(900),
            planted: Vec::new(),
        };
        let time = 1_731_000_000 + self.rng.u64(..5_000_000);
        let ev = self.pick(&[
            "Page View",
            "Sign Up",
            "Purchase",
            "Add To Cart",
            "Search",
            "Login",
        ]);
        let distinct = self.uuid();
        let insert = self.chars(HEX, 32);
        let chrome = format!(
            "{}.0.{}.{}",
            self.rng.u32(100..131),
            self.rng.u32(4000..7000),
            self.rng.u32(10..250)
        );
        let _ = write!(
            r.text,
            r#"{{"event":"{ev}","properties":{{"time":{time},"distinct_id":"{distinct}","$insert_id":"{insert}","mp_lib":"web","$lib_version":"2.{}.0","$browser":"Chrome","$browser_version":"{chrome}","$os":"{}","$user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} Safari/537.36","$screen_height":1080,"$screen_width":1920,"mp_country_code":"{}","$city":"{}","ts_ms":{}"#,
            self.rng.u32(40..60),
            self.pick(&["Mac OS X", "Windows", "iOS", "Android", "Linux"]),
            self.pick(&["US", "DE", "GB", "FR", "IN", "BR", "JP"]),
            self.pick(&[
                "Berlin",
                "London",
                "San Francisco",
                "Paris",
                "Mumbai",
                "Tokyo"
            ]),
            time * 1000 + self.rng.u64(..1000),
        );
        self.event_url(&mut r);
        self.decoys(&mut r);
        if self.chance(self.rates.email) {
            let e = self.email();
            let written = if self.chance(0.2) {
                e.replace('@', "\\u0040")
            } else {
                e.clone()
            };
            plant(&mut r.planted, "pii.email", e);
            let _ = write!(r.text, r#","$email":"{written}""#);
        }
        if self.chance(self.rates.ip) {
            let ip = if self.chance(0.8) {
                self.ipv4()
            } else {
                self.ipv6()
            };
            let rule = if ip.contains(':') {
                "pii.ipv6"
            } else {
                "pii.ipv4"
            };
            let _ = write!(r.text, r#","ip":"{}""#, plant(&mut r.planted, rule, ip));
        }
        if self.chance(self.rates.pii) {
            self.plant_pii_json(&mut r);
        }
        if self.chance(self.rates.secret) {
            self.plant_secret_json(&mut r);
        }
        r.text.push_str("}}");
        r
    }

    fn event_url(&mut self, r: &mut Record) {
        let page = self.pick(&["dashboard", "settings", "checkout", "search", "signup"]);
        let _ = write!(
            r.text,
            r#","$current_url":"https://app.acme.io/{page}?tab={}"#,
            self.rng.u32(1..9)
        );
        if self.chance(self.rates.email * 0.1) {
            let e = self.email().replace('@', "%40");
            let _ = write!(
                r.text,
                "&email={}",
                plant(&mut r.planted, "pii.email_urlencoded", e)
            );
        }
        r.text
            .push_str(r#"","$referrer":"https://www.google.com/""#);
    }

    /// Values that look sensitive to a naive scanner but are not.
    fn decoys(&mut self, r: &mut Record) {
        let order = self.luhn_invalid_16();
        let sha = self.chars(HEX, 64);
        let uuid = self.uuid();
        let _ = write!(
            r.text,
            r#","order_id":"{order}","checksum":"{sha}","session_id":"{uuid}","app_version":"{}.{}.{}.{}","duration_ms":{}"#,
            self.rng.u32(1..20),
            self.rng.u32(0..10),
            self.rng.u32(0..100),
            self.rng.u32(0..5000),
            self.rng.u32(1..100000),
        );
    }

    fn plant_pii_json(&mut self, r: &mut Record) {
        let (key, rule, v) = match self.rng.u32(0..5) {
            0 => ("phone", "pii.phone", self.phone()),
            1 => ("card_number", "pii.credit_card", self.card()),
            2 => ("iban", "pii.iban", self.iban()),
            3 => ("ssn", "pii.us_ssn", self.ssn()),
            _ => ("contact_phone", "pii.phone", self.phone()),
        };
        let _ = write!(r.text, r#","{key}":"{}""#, plant(&mut r.planted, rule, v));
    }

    fn plant_secret_json(&mut self, r: &mut Record) {
        let (key, rule, value) = self.secret();
        match rule {
            "secret.private_key" => {
                let _ = write!(
                    r.text,
                    r#","{key}":"{}""#,
                    plant(&mut r.planted, rule, value).replace('\n', "\\n")
                );
            }
            "secret.connection_string.password" => {
                let user = self.pick(&["app", "etl", "admin"]);
                let scheme = self.pick(&["postgres", "mysql", "mongodb+srv", "redis"]);
                let host = self.pick(&["db.internal", "cluster0.x1y2.mongodb.net", "10.0.3.4"]);
                let pw = plant(&mut r.planted, rule, value);
                if host.starts_with("10.") {
                    plant(&mut r.planted, "pii.ipv4", host.to_string());
                }
                let _ = write!(
                    r.text,
                    r#","{key}":"{scheme}://{user}:{pw}@{host}:5432/prod""#
                );
            }
            "secret.http.bearer_token" => {
                let _ = write!(
                    r.text,
                    r#","headers":{{"Authorization":"Bearer {}"}}"#,
                    plant(&mut r.planted, rule, value)
                );
            }
            "secret.aws.access_key_id" => {
                let secret = self.chars(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+",
                    40,
                );
                let id = plant(&mut r.planted, rule, value);
                let secret = plant(&mut r.planted, "secret.aws.secret_access_key", secret);
                let _ = write!(
                    r.text,
                    r#","aws_access_key_id":"{id}","aws_secret_access_key":"{secret}""#
                );
            }
            _ => {
                let _ = write!(
                    r.text,
                    r#","{key}":"{}""#,
                    plant(&mut r.planted, rule, value)
                );
            }
        }
    }

    /// One application log line (a PEM key spans several lines).
    fn log_line(&mut self) -> Record {
        let mut r = Record {
            text: String::with_capacity(300),
            planted: Vec::new(),
        };
        let _ = write!(
            r.text,
            "2025-11-{:02}T{:02}:{:02}:{:02}.{:03}Z {} [{}] request_id={} latency_ms={} ua=\"Chrome/{}.0.{}.{}\" order={}",
            self.rng.u32(1..29),
            self.rng.u32(0..24),
            self.rng.u32(0..60),
            self.rng.u32(0..60),
            self.rng.u32(0..1000),
            self.pick(&["INFO", "WARN", "DEBUG", "ERROR"]),
            self.pick(&["api", "worker", "auth", "billing"]),
            self.uuid(),
            self.rng.u32(1..3000),
            self.rng.u32(100..131),
            self.rng.u32(4000..7000),
            self.rng.u32(10..250),
            self.luhn_invalid_16(),
        );
        if self.chance(self.rates.email) {
            let e = self.email();
            let _ = write!(r.text, " user={}", plant(&mut r.planted, "pii.email", e));
        }
        if self.chance(self.rates.ip) {
            let ip = self.ipv4();
            let _ = write!(r.text, " client={}", plant(&mut r.planted, "pii.ipv4", ip));
        }
        if self.chance(self.rates.pii) {
            let (label, rule, v) = match self.rng.u32(0..4) {
                0 => ("phone", "pii.phone", self.phone()),
                1 => ("card", "pii.credit_card", self.card()),
                2 => ("iban", "pii.iban", self.iban()),
                _ => ("ssn", "pii.us_ssn", self.ssn()),
            };
            let _ = write!(r.text, " {label}={}", plant(&mut r.planted, rule, v));
        }
        if self.chance(self.rates.secret) {
            self.plant_secret_text(&mut r);
        }
        r
    }

    /// Appends a credential written the way logs and free text hold it
    /// (`key=value`, a header, a connection string, a PEM block).
    fn plant_secret_text(&mut self, r: &mut Record) {
        {
            let (key, rule, value) = self.secret();
            let (before, after) = match rule {
                "secret.private_key" => (" msg=\"loaded key\"\n".to_string(), ""),
                "secret.http.bearer_token" => {
                    (" header=\"Authorization: Bearer ".to_string(), "\"")
                }
                "secret.connection_string.password" => (
                    " DATABASE_URL=postgres://app:".to_string(),
                    "@db.internal/prod",
                ),
                "secret.aws.access_key_id" => (" aws_access_key_id=".to_string(), ""),
                _ => (format!(" {key}="), ""),
            };
            let _ = write!(
                r.text,
                "{before}{}{after}",
                plant(&mut r.planted, rule, value)
            );
        }
    }

    /// A credential of a random kind: (field name, rule id, value).
    fn secret(&mut self) -> (&'static str, &'static str, String) {
        let b62 = ALNUM;
        let url = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        match self.rng.u32(0..20) {
            0 => (
                "openai_key",
                "secret.openai.api_key",
                format!("sk-{}T3BlbkFJ{}", self.chars(b62, 20), self.chars(b62, 20)),
            ),
            1 => (
                "openai_key",
                "secret.openai.project_key",
                format!(
                    "sk-proj-{}T3BlbkFJ{}",
                    self.chars(url, 74),
                    self.chars(url, 74)
                ),
            ),
            2 => (
                "anthropic_key",
                "secret.anthropic.api_key",
                format!("sk-ant-api03-{}AA", self.chars(url, 93)),
            ),
            3 => {
                let body = self.chars(b62, 30);
                let prefix = self.pick(&["ghp_", "gho_", "ghs_"]);
                (
                    "gh_token",
                    "secret.github.token",
                    format!("{prefix}{body}{}", github_checksum(body.as_bytes())),
                )
            }
            4 => (
                "gh_pat",
                "secret.github.fine_grained_pat",
                format!("github_pat_{}_{}", self.chars(b62, 22), self.chars(b62, 59)),
            ),
            5 => (
                "aws",
                "secret.aws.access_key_id",
                format!(
                    "AKIA{}",
                    self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
                ),
            ),
            6 => (
                "slack_token",
                "secret.slack.token",
                format!(
                    "xoxb-{}-{}-{}",
                    self.digits(11),
                    self.digits(13),
                    self.chars(b62, 24)
                ),
            ),
            7 => (
                "slack_webhook",
                "secret.slack.webhook",
                format!(
                    "https://hooks.slack.com/services/T{}/B{}/{}",
                    self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8),
                    self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10),
                    self.chars(b62, 24)
                ),
            ),
            8 => (
                "stripe_key",
                "secret.stripe.secret_key",
                format!("sk_live_{}", self.chars(b62, 24)),
            ),
            9 => (
                "stripe_rk",
                "secret.stripe.restricted_key",
                format!("rk_live_{}", self.chars(b62, 24)),
            ),
            10 => (
                "google_api_key",
                "secret.google.api_key",
                format!("AIza{}", self.chars(url, 35)),
            ),
            11 => (
                "sendgrid_key",
                "secret.sendgrid.api_key",
                format!("SG.{}.{}", self.chars(url, 22), self.chars(url, 43)),
            ),
            12 => (
                "twilio_api_key",
                "secret.twilio.api_key",
                format!("SK{}", self.chars(HEX, 32)),
            ),
            13 => (
                "twilio_auth_token",
                "secret.twilio.auth_token",
                self.chars(HEX, 32),
            ),
            14 => (
                "npm_token",
                "secret.npm.access_token",
                format!("npm_{}", self.chars(b62, 36)),
            ),
            15 => ("id_token", "secret.jwt", self.jwt()),
            16 => ("private_key", "secret.private_key", self.pem()),
            17 => (
                "database_url",
                "secret.connection_string.password",
                self.chars(b62, 14),
            ),
            _ => ("auth", "secret.http.bearer_token", self.chars(url, 40)),
        }
    }

    fn email(&mut self) -> String {
        let first = self.pick(&[
            "jane", "john", "maria", "li", "ahmed", "olga", "pierre", "sven", "yuki", "ana",
        ]);
        let last = self.pick(&[
            "doe", "smith", "garcia", "wang", "khan", "ivanova", "martin", "berg", "sato", "silva",
        ]);
        let domain = self.pick(&[
            "gmail.com",
            "yahoo.com",
            "outlook.com",
            "acme.io",
            "example.org",
            "mail.co.uk",
            "web.de",
        ]);
        format!("{first}.{last}{}@{domain}", self.rng.u32(1..10000))
    }

    fn ipv4(&mut self) -> String {
        let first = [23, 31, 45, 62, 81, 91, 104, 151, 185, 203][self.rng.usize(..10)];
        format!(
            "{first}.{}.{}.{}",
            self.rng.u32(0..256),
            self.rng.u32(0..256),
            self.rng.u32(1..255)
        )
    }

    fn ipv6(&mut self) -> String {
        let g: Vec<String> = (0..5)
            .map(|_| format!("{:x}", self.rng.u32(1..0x10000)))
            .collect();
        format!(
            "2a02:{}:{}:{}:{}:{}:{:x}:{:x}",
            g[0],
            g[1],
            g[2],
            g[3],
            g[4],
            self.rng.u32(1..0xffff),
            self.rng.u32(1..0xffff)
        )
    }

    fn phone(&mut self) -> String {
        match self.rng.u32(0..5) {
            0 => {
                let area = self.pick(&[
                    "212", "213", "312", "415", "617", "646", "702", "206", "303", "404",
                ]);
                format!("+1{area}{}{}", self.rng.u32(200..999), self.digits(4))
            }
            1 => {
                let area = self.pick(&["212", "415", "617", "303"]);
                format!("({area}) {}-{}", self.rng.u32(200..999), self.digits(4))
            }
            2 => format!("+44 20 7946 0{}", self.digits(3)),
            3 => format!("+49 30 {}", self.rng.u32(2_000_000..9_999_999)),
            _ => format!(
                "+33 1 {} {} {} {}",
                self.rng.u32(10..99),
                self.rng.u32(10..99),
                self.rng.u32(10..99),
                self.rng.u32(10..99)
            ),
        }
    }

    fn card(&mut self) -> String {
        let (prefix, len) = match self.rng.u32(0..3) {
            0 => ("4".to_string(), 16),
            1 => (format!("5{}", self.rng.u32(1..6)), 16),
            _ => (self.pick(&["34", "37"]).to_string(), 15),
        };
        let body = format!("{prefix}{}", self.digits(len - 1 - prefix.len()));
        let number = format!("{body}{}", luhn_digit(&body));
        match (len, self.rng.u32(0..3)) {
            (16, 1) => group(&number, &[4, 4, 4, 4], ' '),
            (16, 2) => group(&number, &[4, 4, 4, 4], '-'),
            (15, 1) => group(&number, &[4, 6, 5], ' '),
            _ => number,
        }
    }

    fn luhn_invalid_16(&mut self) -> String {
        let body = format!("4{}", self.digits(14));
        let wrong = (luhn_digit(&body) + 1 + self.rng.u32(0..8)) % 10;
        format!("{body}{wrong}")
    }

    fn iban(&mut self) -> String {
        let (cc, bban) = match self.rng.u32(0..3) {
            0 => ("DE", self.digits(18)),
            1 => (
                "GB",
                format!(
                    "{}{}",
                    self.pick(&["WEST", "BARC", "NWBK"]),
                    self.digits(14)
                ),
            ),
            _ => ("FR", format!("{}{}", self.digits(20), self.digits(3))),
        };
        let check = iban_check(cc, &bban);
        let iban = format!("{cc}{check:02}{bban}");
        if self.chance(0.3) {
            iban.as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            iban
        }
    }

    fn ssn(&mut self) -> String {
        let mut area = self.rng.u32(1..900);
        if area == 666 {
            area = 667;
        }
        format!(
            "{area:03}-{:02}-{:04}",
            self.rng.u32(1..100),
            self.rng.u32(1..10000)
        )
    }

    fn jwt(&mut self) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"user-{}","iat":{}}}"#,
            self.rng.u32(..1_000_000),
            1_731_000_000 + self.rng.u32(..1000)
        ));
        let sig = self.chars(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            43,
        );
        format!("{header}.{payload}.{sig}")
    }

    fn pem(&mut self) -> String {
        let raw: Vec<u8> = (0..480).map(|_| self.rng.u8(..)).collect();
        let b64 = STANDARD.encode(raw);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let kind = self.pick(&["RSA ", "EC ", "", "OPENSSH "]);
        format!(
            "-----BEGIN {kind}PRIVATE KEY-----\n{}\n-----END {kind}PRIVATE KEY-----",
            lines.join("\n")
        )
    }
}

/// The Luhn check digit for `body`.
pub fn luhn_digit(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The two IBAN check digits for a country and BBAN.
pub fn iban_check(cc: &str, bban: &str) -> u32 {
    98 - crate::validate::mod97(bban.bytes().chain(cc.bytes()).chain(*b"00"))
}

fn group(s: &str, sizes: &[usize], sep: char) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (i, n) in sizes.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        out.push_str(&s[at..at + n]);
        at += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{iban_ok, luhn_ok};

    #[test]
    fn same_seed_same_bytes_and_truth_lines_exist() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let ta = Generator::new(7).ndjson("e", &mut a, 50_000, 1);
        let tb = Generator::new(7).ndjson("e", &mut b, 50_000, 1);
        assert_eq!(a, b);
        assert_eq!(ta, tb);
        assert!(!ta.is_empty());
        let lines: Vec<&[u8]> = a.split(|&c| c == b'\n').collect();
        for t in &ta {
            let line = String::from_utf8_lossy(lines[t.line as usize - 1]);
            let shown = t.value.replace('@', "\\u0040").replace('\n', "\\n");
            assert!(line.contains(&t.value) || line.contains(&shown), "{t:?}");
        }
    }

    #[test]
    fn planted_checksums_are_valid() {
        let mut g = Generator::new(1);
        for _ in 0..200 {
            assert!(luhn_ok(g.card().as_bytes()));
            assert!(iban_ok(g.iban().as_bytes()));
            assert!(!luhn_ok(g.luhn_invalid_16().as_bytes()));
        }
    }
}

/// A finding reduced to what ground truth can be compared on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Found {
    pub path: String,
    pub line: Option<u64>,
    pub rule: String,
    pub value: String,
}

/// Per-rule counts of a comparison with ground truth.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Score {
    pub planted: u64,
    pub true_pos: u64,
    pub false_pos: u64,
    /// A few missed values and false findings, for diagnosis.
    #[serde(skip)]
    pub examples: Vec<String>,
}

impl Score {
    /// Found / planted (1 when nothing was planted).
    pub fn recall(&self) -> f64 {
        if self.planted == 0 {
            1.0
        } else {
            self.true_pos as f64 / self.planted as f64
        }
    }
    /// True / reported (1 when nothing was reported).
    pub fn precision(&self) -> f64 {
        let reported = self.true_pos + self.false_pos;
        if reported == 0 {
            1.0
        } else {
            self.true_pos as f64 / reported as f64
        }
    }
}

/// Compares findings with truth per rule; a finding matches when the file
/// name, line, rule and value agree (files are matched by name suffix).
pub fn evaluate(truth: &[Truth], found: &[Found]) -> std::collections::BTreeMap<String, Score> {
    use std::collections::{BTreeMap, HashSet};
    let key = |file: &str, line: Option<u64>, rule: &str, value: &str| {
        let name = file.rsplit(['/', '\\']).next().unwrap_or(file).to_string();
        (name, line, rule.to_string(), value.to_string())
    };
    let planted: HashSet<_> = truth
        .iter()
        .map(|t| key(&t.file, Some(t.line), &t.rule, &t.value))
        .collect();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    for t in &planted {
        scores.entry(t.2.clone()).or_default().planted += 1;
    }
    let mut seen = HashSet::new();
    for f in found {
        let k = key(&f.path, f.line, &f.rule, &f.value);
        if !seen.insert(k.clone()) {
            continue;
        }
        let s = scores.entry(f.rule.clone()).or_default();
        if planted.contains(&k) {
            s.true_pos += 1;
        } else {
            s.false_pos += 1;
            if s.examples.len() < 6 {
                s.examples
                    .push(format!("false: {}:{:?} {:?}", k.0, k.1, k.3));
            }
        }
    }
    for t in planted.difference(&seen) {
        let s = scores.entry(t.2.clone()).or_default();
        if s.examples.len() < 6 {
            s.examples
                .push(format!("missed: {}:{:?} {:?}", t.0, t.1, t.3));
        }
    }
    scores
}

/// A plain-text table of scores, with the worst rules visible at a glance.
pub fn score_table(scores: &std::collections::BTreeMap<String, Score>) -> String {
    let mut t = format!(
        "{:<36} {:>8} {:>8} {:>6} {:>8} {:>9}\n",
        "rule", "planted", "found", "false", "recall", "precision"
    );
    for (rule, s) in scores {
        t.push_str(&format!(
            "{rule:<36} {:>8} {:>8} {:>6} {:>8.4} {:>9.4}\n",
            s.planted,
            s.true_pos,
            s.false_pos,
            s.recall(),
            s.precision()
        ));
    }
    t
}
