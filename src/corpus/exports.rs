//! Structured exports for the corpus, each with its ground truth: a CSV
//! table (CRLF rows, quoted cells with commas, quotes and line breaks), a
//! Parquet events table (struct, list and dictionary-encoded columns, several
//! row groups), a single-line JSON array of events and a zip of gzipped
//! NDJSON parts (how Amplitude exports). A [`Truth`]'s `line` is the
//! finding's `record`: the data row for CSV and Parquet, the 1-based element
//! for the JSON array, the line for NDJSON members.

use super::{plant, Generator, Record, Truth, ALNUM};
use anyhow::Result;
use arrow_array::builder::{ListBuilder, StringBuilder, StringDictionaryBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, StructArray};
use arrow_schema::{DataType, Field};
use std::io::Write;
use std::sync::Arc;

const FIRST: &[&str] = &[
    "Jane", "Renée", "Ahmed", "Olga", "Liam", "Yuki", "Ana", "Sven", "Priya", "Tomás",
];
const LAST: &[&str] = &[
    "Doe",
    "Müller",
    "O'Brien",
    "Garcia",
    "Ivanova",
    "Sato",
    "Silva",
    "Berg",
    "Khan",
    "Smith-Jones",
];
const CITIES: &[&str] = &[
    "San Francisco",
    "München",
    "London",
    "São Paulo",
    "Lyon",
    "Osaka",
    "Pune",
    "Berlin",
];

/// Quotes a CSV cell when it holds a delimiter, quote or line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Truth rows for one record of `file`.
fn truth_of(file: &str, record: u64, planted: Vec<(String, String)>) -> Vec<Truth> {
    planted
        .into_iter()
        .map(|(rule, value)| Truth {
            file: file.to_string(),
            line: record,
            rule,
            value,
        })
        .collect()
}

impl Generator {
    /// A customer table: `rows` data rows after a header, CRLF line ends.
    pub fn csv_table(&mut self, file: &str, out: &mut Vec<u8>, rows: u64) -> Vec<Truth> {
        out.extend_from_slice(
            b"id,full_name,email,phone,city,notes,order_id,session_id,created_at\r\n",
        );
        let mut truth = Vec::new();
        for row in 1..=rows {
            let (line, planted) = self.csv_row(row);
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
            truth.extend(truth_of(file, row, planted));
        }
        truth
    }

    fn csv_row(&mut self, id: u64) -> (String, Vec<(String, String)>) {
        let mut p = Vec::new();
        let name = format!("{} {}", self.pick(FIRST), self.pick(LAST));
        let name = plant(&mut p, "pii.person_name", name);
        let email = self.maybe(self.rates.email * 2.0, |g| g.email());
        let email = email.map(|e| plant(&mut p, "pii.email", e));
        let phone = self.maybe(self.rates.pii * 4.0, |g| g.phone());
        let phone = phone.map(|v| plant(&mut p, "pii.phone", v));
        let city = self.maybe(0.7, |g| g.pick(CITIES).to_string());
        let city = city.map(|v| plant(&mut p, "pii.location", v));
        let mut notes = Record {
            text: self
                .pick(&[
                    "Called about invoice, will follow up",
                    "Prefers \"email\" contact",
                    "VIP, renewal due",
                    "",
                ])
                .to_string(),
            planted: Vec::new(),
        };
        self.note_extras(&mut notes);
        p.extend(notes.planted);
        let cells = [
            id.to_string(),
            name,
            email.unwrap_or_default(),
            phone.unwrap_or_default(),
            city.unwrap_or_default(),
            notes.text,
            self.luhn_invalid_16(),
            self.uuid(),
            format!("2025-11-{:02}T10:{:02}:00Z", id % 28 + 1, id % 60),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        (line.join(","), p)
    }

    /// Free text that sometimes spans lines and carries a planted value.
    fn note_extras(&mut self, r: &mut Record) {
        if self.chance(self.rates.pii * 2.0) {
            let (label, rule, v) = match self.rng.u32(0..3) {
                0 => ("New IBAN", "pii.iban", self.iban()),
                1 => ("Card on file", "pii.credit_card", self.card()),
                _ => ("Alt contact", "pii.email", self.email()),
            };
            r.text.push_str("\nUpdate requested, \"urgent\".\n");
            r.text.push_str(label);
            r.text.push_str(": ");
            r.text.push_str(&plant(&mut r.planted, rule, v));
        }
        if self.chance(self.rates.secret) {
            self.plant_secret_text(r);
        }
    }

    fn maybe(&mut self, p: f64, make: impl FnOnce(&mut Self) -> String) -> Option<String> {
        if self.chance(p) {
            Some(make(self))
        } else {
            None
        }
    }

    /// A JSON array of `elements` events on one line.
    pub fn json_array(&mut self, file: &str, out: &mut Vec<u8>, elements: u64) -> Vec<Truth> {
        let mut truth = Vec::new();
        out.push(b'[');
        for n in 1..=elements {
            if n > 1 {
                out.push(b',');
            }
            let ev = self.event();
            out.extend_from_slice(ev.text.as_bytes());
            truth.extend(truth_of(file, n, ev.planted));
        }
        out.extend_from_slice(b"]\n");
        truth
    }

    /// A zip named `file` of `parts` gzipped NDJSON members (one per day),
    /// each about `part_bytes` before compression, plus a manifest.
    pub fn zip_ndjson(
        &mut self,
        file: &str,
        out: &mut Vec<u8>,
        parts: u32,
        part_bytes: usize,
    ) -> Result<Vec<Truth>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut truth = Vec::new();
        for day in 1..=parts {
            let member = format!("2025/11/{day:02}/events-{day:02}.json.gz");
            let mut events = Vec::new();
            truth.extend(self.ndjson(&format!("{file}!{member}"), &mut events, part_bytes, 1));
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&events)?;
            zip.start_file(member, stored)?;
            zip.write_all(&gz.finish()?)?;
        }
        zip.start_file("manifest.json", zip::write::SimpleFileOptions::default())?;
        write!(zip, "{{\"parts\":{parts},\"format\":\"ndjson.gz\"}}")?;
        out.extend_from_slice(&zip.finish()?.into_inner());
        Ok(truth)
    }

    /// A Parquet events table of `rows` rows in about four row groups:
    /// `event` (dictionary-encoded by the writer), `city` (an Arrow
    /// dictionary column), `properties` (a struct), `tags` (a list).
    pub fn parquet_events(
        &mut self,
        file: &str,
        out: &mut Vec<u8>,
        rows: u64,
    ) -> Result<Vec<Truth>> {
        let group = (rows as usize).div_ceil(4).max(1);
        let mut truth = Vec::new();
        self.parquet_table(file, out, rows, group, &mut |t| truth.push(t))?;
        Ok(truth)
    }

    /// The same table of any size, written in batches to `out` with
    /// `group_rows` rows per row group, truth handed to `truth` as it is
    /// made (memory: one batch).
    pub fn parquet_table<W: Write + Send>(
        &mut self,
        file: &str,
        out: W,
        rows: u64,
        group_rows: usize,
        truth: &mut dyn FnMut(Truth),
    ) -> Result<()> {
        const BATCH: u64 = 65_536;
        let props = parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(group_rows))
            .set_compression(parquet::basic::Compression::SNAPPY)
            .build();
        let schema = ParquetColumns::default().finish()?.schema();
        let mut w = parquet::arrow::ArrowWriter::try_new(out, schema, Some(props))?;
        let mut row = 0;
        while row < rows {
            let mut t = ParquetColumns::default();
            for _ in 0..BATCH.min(rows - row) {
                row += 1;
                let planted = self.parquet_row(&mut t);
                truth_of(file, row, planted)
                    .into_iter()
                    .for_each(&mut *truth);
            }
            w.write(&t.finish()?)?;
        }
        w.close()?;
        Ok(())
    }

    fn parquet_row(&mut self, t: &mut ParquetColumns) -> Vec<(String, String)> {
        let mut p = Vec::new();
        t.time
            .push(1_731_000_000_000 + self.rng.i64(..5_000_000_000));
        t.event.push(
            self.pick(&["Page View", "Sign Up", "Purchase", "Search"])
                .to_string(),
        );
        t.user.push(self.uuid());
        let city = self.maybe(0.6, |g| g.pick(CITIES).to_string());
        match city {
            Some(c) => t.city.append_value(plant(&mut p, "pii.location", c)),
            None => t.city.append_null(),
        }
        let email = self.maybe(self.rates.email, |g| g.email());
        t.email.push(email.map(|e| plant(&mut p, "pii.email", e)));
        let ip = self.maybe(self.rates.ip, |g| g.ipv4());
        t.ip.push(ip.map(|v| plant(&mut p, "pii.ipv4", v)));
        let phone = self.maybe(self.rates.pii, |g| g.phone());
        t.phone.push(phone.map(|v| plant(&mut p, "pii.phone", v)));
        t.order.push(self.luhn_invalid_16());
        t.tags
            .values()
            .append_value(self.pick(&["beta", "mobile", "web"]));
        t.tags
            .values()
            .append_value(format!("build-{}", self.chars(ALNUM, 12)));
        if self.chance(self.rates.secret * 3.0) {
            let mut r = Record {
                text: "debug".to_string(),
                planted: Vec::new(),
            };
            self.plant_secret_text(&mut r);
            t.tags.values().append_value(&r.text);
            p.extend(r.planted);
        }
        t.tags.append(true);
        p
    }
}

/// Column builders for [`Generator::parquet_events`].
#[derive(Default)]
struct ParquetColumns {
    time: Vec<i64>,
    event: Vec<String>,
    user: Vec<String>,
    city: StringDictionaryBuilder<Int32Type>,
    email: Vec<Option<String>>,
    ip: Vec<Option<String>>,
    phone: Vec<Option<String>>,
    order: Vec<String>,
    tags: ListBuilder<StringBuilder>,
}

impl ParquetColumns {
    fn finish(mut self) -> Result<RecordBatch> {
        let utf8 = |v: Vec<Option<String>>| -> ArrayRef { Arc::new(StringArray::from(v)) };
        let field = |name: &str| Arc::new(Field::new(name, DataType::Utf8, true));
        let properties = StructArray::from(vec![
            (field("email"), utf8(self.email)),
            (field("ip"), utf8(self.ip)),
            (field("phone"), utf8(self.phone)),
        ]);
        let some = |v: Vec<String>| utf8(v.into_iter().map(Some).collect());
        // Nullable declared, not inferred: the schema must not depend on
        // whether a batch happens to hold a null.
        Ok(RecordBatch::try_from_iter_with_nullable(vec![
            (
                "time",
                Arc::new(Int64Array::from(self.time)) as ArrayRef,
                false,
            ),
            ("event", some(self.event), false),
            ("distinct_id", some(self.user), false),
            ("city", Arc::new(self.city.finish()) as ArrayRef, true),
            ("properties", Arc::new(properties) as ArrayRef, false),
            ("tags", Arc::new(self.tags.finish()) as ArrayRef, false),
            ("order_id", some(self.order), false),
        ])?)
    }
}
