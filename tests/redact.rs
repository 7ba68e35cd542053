//! Redacted copies: every format keeps its shape, values are gone from the
//! bytes, records without findings are untouched, and scanning the copy
//! again finds nothing.

mod common;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray, StructArray};
use arrow_schema::{DataType, Field, Schema};
use leakscope::corpus::{Generator, Truth};
use leakscope::engine::Engine;
use leakscope::redact::{Mode, Policy, Replacer};
use leakscope::scan::{FileOutcome, Status};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The decoded bytes of a file: gzip/zstd peeled, zip members joined.
fn decoded(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if raw.starts_with(b"PK") {
        let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut all = Vec::new();
        for i in 0..z.len() {
            let mut m = z.by_index(i).unwrap();
            let mut b = Vec::new();
            m.read_to_end(&mut b).unwrap();
            all.extend(peel(b));
        }
        return all;
    }
    peel(raw)
}

fn peel(raw: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    if raw.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else if raw.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        zstd::stream::copy_decode(&raw[..], &mut out).unwrap();
        out
    } else {
        raw
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    memchr::memmem::find(hay, needle.as_bytes()).is_some()
}

/// The corpus (log, gzipped NDJSON, CSV, Parquet, JSON array, zip of
/// gzipped NDJSON) redacted with masks: scanning the copies finds nothing,
/// no planted value is left, every record without a finding is
/// byte-identical, and each copy parses as its format with as many records.
#[test]
fn redacted_corpus_rescans_clean_and_keeps_other_records() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export");
    std::fs::create_dir_all(&input).unwrap();
    let mut g = Generator::new(20261122);
    let mut truth: Vec<Truth> = Vec::new();
    let mut events = Vec::new();
    truth.extend(g.ndjson("events.ndjson.gz", &mut events, 1_500_000, 1));
    common::write_gz(&input.join("events.ndjson.gz"), &events);
    let mut log = Vec::new();
    truth.extend(g.log("app.log", &mut log, 500_000, 1));
    std::fs::write(input.join("app.log"), &log).unwrap();
    let mut csv = Vec::new();
    truth.extend(g.csv_table("customers.csv", &mut csv, 2000));
    std::fs::write(input.join("customers.csv"), &csv).unwrap();
    let mut pq = Vec::new();
    truth.extend(g.parquet_events("events.parquet", &mut pq, 20_000).unwrap());
    std::fs::write(input.join("events.parquet"), &pq).unwrap();
    let mut arr = Vec::new();
    truth.extend(g.json_array("events.json", &mut arr, 2000));
    std::fs::write(input.join("events.json"), &arr).unwrap();
    let mut zip = Vec::new();
    truth.extend(g.zip_ndjson("export.zip", &mut zip, 2, 200_000).unwrap());
    std::fs::write(input.join("export.zip"), &zip).unwrap();

    let out = dir.path().join("clean");
    // Small chunks: pieces of the copy are cut and joined many times.
    let files = common::redact(&input, &out, &Policy::default(), 128 << 10);
    for f in &files {
        assert_eq!(f.status, Status::Scanned, "{}", f.path);
    }
    let top: Vec<&FileOutcome> = files.iter().filter(|f| !f.path.contains('!')).collect();
    assert_eq!(top.len(), 6);
    assert!(top.iter().all(|f| f.replaced.unwrap() > 0));

    let again = common::scan_dir(&out, 4 << 20);
    assert!(
        again.is_empty(),
        "found in the copy: {:?}",
        &again[..again.len().min(5)]
    );

    // No planted value of 6+ characters is left in any decoded copy.
    for name in [
        "events.ndjson.gz",
        "app.log",
        "customers.csv",
        "events.json",
        "export.zip",
    ] {
        let bytes = decoded(&out.join(name));
        let left: Vec<&Truth> = truth
            .iter()
            .filter(|t| t.file.starts_with(name) && t.value.len() >= 6)
            .filter(|t| contains(&bytes, &t.value))
            .collect();
        assert!(
            left.is_empty(),
            "{name}: {} values left, e.g. {:?}",
            left.len(),
            left.first()
        );
    }
    for (name, bytes) in [("events.ndjson.gz", &events), ("app.log", &log)] {
        assert_lines_kept(name, bytes, &decoded(&out.join(name)), &truth);
    }
    assert_csv_kept(
        &csv,
        &std::fs::read(out.join("customers.csv")).unwrap(),
        &truth,
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("events.json")).unwrap()).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 2000);
    assert_parquet_shape(&input.join("events.parquet"), &out.join("events.parquet"));
}

/// Same line count; each line without a planted value is unchanged; NDJSON
/// lines still parse.
fn assert_lines_kept(name: &str, before: &[u8], after: &[u8], truth: &[Truth]) {
    // A multi-line value (PEM) covers the lines after its first too.
    let hit: HashSet<u64> = truth
        .iter()
        .filter(|t| t.file == name)
        .flat_map(|t| t.line..=t.line + t.value.matches('\n').count() as u64)
        .collect();
    let a: Vec<&[u8]> = before.split(|&b| b == b'\n').collect();
    let b: Vec<&[u8]> = after.split(|&b| b == b'\n').collect();
    assert_eq!(a.len(), b.len(), "{name}: line count");
    let mut changed = 0;
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        if !hit.contains(&(i as u64 + 1)) {
            assert_eq!(x, y, "{name}: line {} changed without a finding", i + 1);
        } else if x != y {
            changed += 1;
        }
        if name.contains("ndjson") && !y.is_empty() {
            serde_json::from_slice::<serde_json::Value>(y).expect("line still JSON");
        }
    }
    assert!(changed > 0, "{name}: nothing redacted");
}

/// Same records and columns; records without a planted value unchanged.
fn assert_csv_kept(before: &[u8], after: &[u8], truth: &[Truth]) {
    let read = |b: &[u8]| -> Vec<csv::ByteRecord> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(b)
            .byte_records()
            .map(Result::unwrap)
            .collect()
    };
    let (a, b) = (read(before), read(after));
    assert_eq!(a.len(), b.len(), "CSV record count");
    let hit: HashSet<u64> = truth
        .iter()
        .filter(|t| t.file == "customers.csv")
        .map(|t| t.line)
        .collect();
    for (row, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x.len(), y.len(), "CSV row {row}: column count");
        if row == 0 || !hit.contains(&(row as u64)) {
            assert_eq!(x, y, "CSV row {row} changed without a finding");
        }
    }
    // Line endings are kept (CRLF in, CRLF out).
    assert_eq!(
        before.windows(2).filter(|w| w == b"\r\n").count(),
        after.windows(2).filter(|w| w == b"\r\n").count()
    );
}

/// Same schema, row groups (sizes) and codecs.
fn assert_parquet_shape(before: &Path, after: &Path) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let a = SerializedFileReader::new(std::fs::File::open(before).unwrap()).unwrap();
    let b = SerializedFileReader::new(std::fs::File::open(after).unwrap()).unwrap();
    let (ma, mb) = (a.metadata(), b.metadata());
    assert_eq!(
        ma.file_metadata().schema_descr().root_schema(),
        mb.file_metadata().schema_descr().root_schema()
    );
    assert_eq!(ma.num_row_groups(), mb.num_row_groups());
    for (ra, rb) in ma.row_groups().iter().zip(mb.row_groups()) {
        assert_eq!(ra.num_rows(), rb.num_rows());
        for (ca, cb) in ra.columns().iter().zip(rb.columns()) {
            assert_eq!(ca.compression(), cb.compression());
        }
    }
}

/// A small Parquet file with an email in a dictionary-encoded column, in a
/// nested struct, in a list, in key/value metadata; uncompressed, with
/// statistics and bloom filters, so its raw bytes show any value left.
fn planted_parquet(path: &Path) -> Vec<String> {
    use arrow_array::builder::{ListBuilder, StringBuilder};
    let emails: Vec<String> = (0..300)
        .map(|i| format!("person{i}@corp-mail.org"))
        .collect();
    let n = emails.len();
    let plan: Vec<&str> = (0..n).map(|i| ["Paris", "Lyon"][i % 2]).collect();
    let email_col: ArrayRef = Arc::new(StringArray::from_iter_values(emails.iter()));
    let note_col: ArrayRef = Arc::new(StringArray::from_iter_values(
        emails.iter().map(|e| format!("contact {e} today")),
    ));
    let city: ArrayRef = Arc::new(StringArray::from_iter_values(plan));
    // A number a field rule names (the scan reports it; the copy must not keep it).
    let lat: ArrayRef = Arc::new(arrow_array::Float64Array::from_iter_values(
        (0..n).map(|i| (4_885_661 + 10 * i) as f64 / 100_000.0),
    ));
    let props_struct = StructArray::from(vec![(
        Arc::new(Field::new("note", DataType::Utf8, false)),
        note_col,
    )]);
    let mut tags = ListBuilder::new(StringBuilder::new());
    for e in &emails {
        tags.values().append_value("vip");
        tags.values().append_value(e);
        tags.append(true);
    }
    let tags = tags.finish();
    let schema = Arc::new(Schema::new(vec![
        Field::new("email", DataType::Utf8, true),
        Field::new("city", DataType::Utf8, false),
        Field::new("props", props_struct.data_type().clone(), false),
        Field::new("tags", tags.data_type().clone(), true),
        Field::new("lat", DataType::Float64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![email_col, city, Arc::new(props_struct), Arc::new(tags), lat],
    )
    .unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::UNCOMPRESSED)
        .set_bloom_filter_enabled(true)
        .set_max_row_group_row_count(Some(100))
        .set_key_value_metadata(Some(vec![parquet::file::metadata::KeyValue::new(
            "owner".into(),
            "exported by admin.person@corp-mail.org".to_string(),
        )]))
        .build();
    let f = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(f, schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let mut all = emails;
    all.push("admin.person@corp-mail.org".into());
    all
}

/// Every format in every mode: the copy parses as its format with as many
/// records, holds none of the planted values anywhere in its bytes (Parquet:
/// statistics, dictionaries, bloom filters, metadata included), and
/// redacting the copy again changes nothing.
#[test]
fn every_format_in_every_mode() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    let mut planted = planted_parquet(&input.join("sub/table.parquet"));
    let key = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\\naFDrBz9vFqU4yFMfr1EXAMPLEKEY0000000000000000000000000000000000000\\n-----END RSA PRIVATE KEY-----";
    let ndjson = format!(
        "{{\"id\":1,\"email\":\"jane\\u0040corp-mail.org\",\"n\":\"+1 415-555-2671\"}}\n\
         {{\"id\":2,\"msg\":\"no data here\"}}\n\
         {{\"id\":3,\"key\":\"{key}\",\"ip\":\"203.0.113.42\"}}\n"
    );
    std::fs::write(input.join("events.ndjson"), &ndjson).unwrap();
    // Two gzip members, a value in each.
    let mut gz = Vec::new();
    for line in [
        "{\"e\":\"amy.pond@corp-mail.org\"}\n",
        "{\"e\":\"rory.w@corp-mail.org\"}\n",
    ] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(line.as_bytes()).unwrap();
        gz.extend(e.finish().unwrap());
    }
    std::fs::write(input.join("sub/members.ndjson.gz"), &gz).unwrap();
    let csv = "id,note,email\r\n1,\"call\nbob.smith@corp-mail.org, \"\"urgent\"\"\",x@corp-mail.org\r\n2,plain,none\r\n";
    std::fs::write(input.join("people.csv"), csv).unwrap();
    std::fs::write(
        input.join("people.tsv"),
        "id\temail\n1\tclara.o@corp-mail.org\n",
    )
    .unwrap();
    let log = "2025-11-08 INFO login user=dana.s@corp-mail.org card=4111 1111 1111 1111\n";
    let mut zst = Vec::new();
    zstd::stream::copy_encode(log.as_bytes(), &mut zst, 3).unwrap();
    std::fs::write(input.join("app.log.zst"), &zst).unwrap();
    std::fs::write(
        input.join("doc.json"),
        "[{\"u\":{\"mail\":\"eve.k@corp-mail.org\"}},{\"u\":null}]",
    )
    .unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(input.join("bundle.zip")).unwrap());
    z.start_file("a/one.log", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"mail fred.f@corp-mail.org\n").unwrap();
    z.start_file("clean.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"nothing to see\n").unwrap();
    z.finish().unwrap();
    std::fs::write(input.join("clean.log"), "nothing here\n").unwrap();
    planted.extend(
        [
            "jane@corp-mail.org",
            "jane\\u0040corp-mail.org",
            "415-555-2671",
            "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn",
            "203.0.113.42",
            "amy.pond@corp-mail.org",
            "rory.w@corp-mail.org",
            "bob.smith@corp-mail.org",
            "x@corp-mail.org",
            "clara.o@corp-mail.org",
            "dana.s@corp-mail.org",
            "4111 1111 1111 1111",
            "eve.k@corp-mail.org",
            "fred.f@corp-mail.org",
        ]
        .map(String::from),
    );

    for m in [Mode::Mask, Mode::Partial, Mode::Hash, Mode::Drop] {
        let out = dir.path().join(format!("out-{m:?}"));
        let files = common::redact(&input, &out, &common::mode(m), 1 << 20);
        for f in &files {
            assert_eq!(f.status, Status::Scanned, "{m:?} {}", f.path);
        }
        // Byte-for-byte copies where nothing was found.
        assert_eq!(
            std::fs::read(out.join("clean.log")).unwrap(),
            b"nothing here\n"
        );
        for p in walk(&out) {
            let bytes = std::fs::read(&p).unwrap();
            let dec = decoded(&p);
            for v in &planted {
                assert!(
                    !contains(&bytes, v) && !contains(&dec, v),
                    "{m:?}: {v} left in {}",
                    p.display()
                );
            }
        }
        check_shapes(&out, m);
        assert!(
            common::scan_dir(&out, 4 << 20).is_empty(),
            "{m:?}: rescan found something"
        );
        // Redacting the copy changes nothing more.
        let twice = dir.path().join(format!("twice-{m:?}"));
        common::redact(&out, &twice, &common::mode(m), 1 << 20);
        for p in walk(&out) {
            let rel = p.strip_prefix(&out).unwrap();
            assert_eq!(
                decoded(&p),
                decoded(&twice.join(rel)),
                "{m:?}: {} changed again",
                rel.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// Each copy still parses as its format, with as many records.
fn check_shapes(out: &Path, m: Mode) {
    let nd = std::fs::read_to_string(out.join("events.ndjson")).unwrap();
    let lines: Vec<serde_json::Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[1],
        serde_json::json!({"id": 2, "msg": "no data here"})
    );
    let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "{m:?}: keys kept");
    if m == Mode::Drop {
        assert!(lines[0]["email"].is_null() && lines[2]["key"].is_null());
    }
    let mut r = csv::Reader::from_path(out.join("people.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.len() == 3));
    assert_eq!(&rows[1][1], "plain");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("doc.json")).unwrap()).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 2);
    let members = decoded(&out.join("sub/members.ndjson.gz"));
    assert_eq!(members.iter().filter(|&&b| b == b'\n').count(), 2);
    let z = zip::ZipArchive::new(std::fs::File::open(out.join("bundle.zip")).unwrap()).unwrap();
    assert_eq!(z.file_names().count(), 2);
    // Parquet: same rows per row group; nested and list values rewritten.
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let f = std::fs::File::open(out.join("sub/table.parquet")).unwrap();
    let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    let groups: Vec<i64> = b
        .metadata()
        .row_groups()
        .iter()
        .map(|g| g.num_rows())
        .collect();
    assert_eq!(groups, vec![100, 100, 100]);
    let batches: Vec<RecordBatch> = b.build().unwrap().map(Result::unwrap).collect();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 300);
    // The non-nullable coordinate column holds zeros where values were.
    let lat = batches[0].column_by_name("lat").unwrap();
    let lat = lat
        .as_any()
        .downcast_ref::<arrow_array::Float64Array>()
        .unwrap();
    assert!(
        lat.values().iter().all(|&v| v == 0.0),
        "{m:?}: coordinates kept"
    );
}

/// Refused before anything is written: an output inside the input.
#[test]
fn output_inside_the_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.log"), "mail jane@corp-mail.org\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(["redact", "-q", "--out"])
        .arg(dir.path().join("clean"))
        .arg(dir.path())
        .env("LEAKSCOPE_KEY", "k")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the input folder"));
    assert!(!dir.path().join("clean").exists());
}

/// `hash` tokens are deterministic under one key and differ under another;
/// the same address in two files gets the same token (joins still work).
#[test]
fn hash_tokens_join_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("a.log"), "user=Jane.Doe@corp-mail.org\n").unwrap();
    std::fs::write(
        input.join("b.ndjson"),
        "{\"email\":\"jane.doe@corp-mail.org\"}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    common::redact(&input, &out, &common::mode(Mode::Hash), 1 << 20);
    let a = std::fs::read_to_string(out.join("a.log")).unwrap();
    let b = std::fs::read_to_string(out.join("b.ndjson")).unwrap();
    let token = a.trim().strip_prefix("user=").unwrap().to_string();
    assert!(token.starts_with("tok_email_"), "{token}");
    assert_eq!(b.trim(), format!("{{\"email\":\"{token}\"}}"));
    let engine = Engine::builtin().unwrap();
    let other = Replacer::new(
        engine.rules().iter().map(|c| &c.rule),
        &common::mode(Mode::Hash),
        b"other",
    );
    let email = engine
        .rules()
        .iter()
        .position(|c| c.rule.id == "pii.email")
        .unwrap();
    let t2 = other.replace(email as u32, b"jane.doe@corp-mail.org").text;
    assert_ne!(String::from_utf8(t2).unwrap(), token);
}

/// An encrypted zip member cannot be scanned: it is skipped (the other
/// members are scanned) and left out of the copy, which is then the
/// assembled archive, not the original.
#[test]
fn encrypted_zip_members_are_left_out_of_the_copy() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let path = input.join("bundle.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("secret.log", stored).unwrap();
    z.write_all(b"mail jane.doe@corp-mail.org\n").unwrap();
    z.start_file("plain.log", stored).unwrap();
    z.write_all(b"nothing here\n").unwrap();
    z.finish().unwrap();
    // Mark the first member encrypted (general purpose flag bit 0) in its
    // local header and its central directory entry.
    let mut b = std::fs::read(&path).unwrap();
    b[6] |= 1;
    let cd = memchr::memmem::find(&b, b"PK\x01\x02").unwrap();
    b[cd + 8] |= 1;
    std::fs::write(&path, &b).unwrap();

    let out = dir.path().join("out");
    let files = common::redact(&input, &out, &Policy::default(), 1 << 20);
    let archive = files
        .iter()
        .find(|f| f.path.ends_with("bundle.zip"))
        .unwrap();
    assert_eq!(archive.status, Status::Scanned);
    assert_eq!(archive.left_out, 1);
    let member = files
        .iter()
        .find(|f| f.path.ends_with("!secret.log"))
        .unwrap();
    assert!(matches!(member.status, Status::Skipped(_)));
    let copy = zip::ZipArchive::new(std::fs::File::open(out.join("bundle.zip")).unwrap()).unwrap();
    assert_eq!(copy.file_names().collect::<Vec<_>>(), vec!["plain.log"]);
}
