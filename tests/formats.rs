//! Structured formats: CSV/TSV, JSON documents, zip archives and Parquet,
//! each from a small fixture written here, with record numbers and fields
//! asserted; plus the shared malformed-file collections when present.

mod common;

use arrow_array::builder::{ListBuilder, MapBuilder, StringBuilder};
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, StructArray};
use arrow_schema::{DataType, Field};
use common::{scan_dir_collect, Collect};
use leakscope::engine::Engine;
use leakscope::scan::Status;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// (path suffix, record, field, rule, value) of every finding, sorted.
fn found(engine: &Engine, sink: &Collect) -> Vec<(String, u64, String, String, String)> {
    let mut v: Vec<_> = sink
        .findings
        .lock()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f.location.path.rsplit('/').next().unwrap().to_string();
            (
                path,
                f.location.record.unwrap_or(0),
                f.location.field.as_deref().unwrap_or_default().to_string(),
                engine.rules()[f.rule as usize].rule.id.clone(),
                f.value.clone().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row(
    p: &str,
    rec: u64,
    field: &str,
    rule: &str,
    value: &str,
) -> (String, u64, String, String, String) {
    (p.into(), rec, field.into(), rule.into(), value.into())
}

fn status_of(sink: &Collect, suffix: &str) -> (Status, Vec<String>, u64) {
    let files = sink.files.lock().unwrap();
    let f = files
        .iter()
        .find(|f| f.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("no outcome for {suffix}"));
    (f.status.clone(), f.warnings.clone(), f.records)
}

#[test]
fn csv_rows_columns_quotes_crlf_and_ragged_rows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "id,first_name,note,email\r\n\
         1,Jane,\"likes \"\"quotes\"\", commas\nand lines: card 4111 1111 1111 1111\",jane@acme.io\r\n\
         2,unknown,short\r\n\
         3,Bob,\"\",bob@acme.io\r\n",
    )
    .unwrap();
    // A TSV recognised by content, not by name.
    std::fs::write(
        dir.path().join("export_tab"),
        "user_id\tip_address\tcity\n7\t81.2.69.160\tLyon\n8\t\tunknown\n",
    )
    .unwrap();
    let (engine, sink) = scan_dir_collect(dir.path(), 1 << 16);
    assert_eq!(
        found(&engine, &sink),
        vec![
            row("export_tab", 1, "city", "pii.location", "Lyon"),
            row("export_tab", 1, "ip_address", "pii.ipv4", "81.2.69.160"),
            row("users.csv", 1, "email", "pii.email", "jane@acme.io"),
            row("users.csv", 1, "first_name", "pii.person_name", "Jane"),
            row(
                "users.csv",
                1,
                "note",
                "pii.credit_card",
                "4111 1111 1111 1111"
            ),
            row("users.csv", 3, "email", "pii.email", "bob@acme.io"),
            row("users.csv", 3, "first_name", "pii.person_name", "Bob"),
        ]
    );
    let (status, warnings, records) = status_of(&sink, "users.csv");
    assert_eq!((status, records), (Status::Scanned, 3));
    assert!(warnings[0].contains("first: data row 2"), "{warnings:?}");
}

#[test]
fn csv_spans_are_inside_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), "x,y\n1,\"mail: ann@acme.io\"\n").unwrap();
    let (_, sink) = scan_dir_collect(dir.path(), 1 << 16);
    let f = &sink.findings.lock().unwrap()[0];
    assert_eq!((f.location.start, f.location.end), (6, 17));
}

#[test]
fn json_document_paths_have_array_indexes_across_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = String::from("[");
    for i in 0..3000 {
        if i > 0 {
            doc.push(',');
        }
        if i == 1834 {
            doc.push_str(
                r#"{"event":"x","properties":{"$email":"zoe@acme.io","tags":["a","ann@acme.io"]}}"#,
            );
        } else {
            doc.push_str(&format!(
                r#"{{"event":"x","properties":{{"n":{i},"pad":"{}"}}}}"#,
                "p".repeat(40)
            ));
        }
    }
    doc.push(']'); // one line of ~250 KB, cut into many chunks below
    std::fs::write(dir.path().join("export.json"), &doc).unwrap();
    let (engine, sink) = scan_dir_collect(dir.path(), 1 << 16);
    assert_eq!(
        found(&engine, &sink),
        vec![
            row(
                "export.json",
                1835,
                "$[1834].properties.$email",
                "pii.email",
                "zoe@acme.io"
            ),
            row(
                "export.json",
                1835,
                "$[1834].properties.tags[1]",
                "pii.email",
                "ann@acme.io"
            ),
        ]
    );
    assert_eq!(status_of(&sink, "export.json").2, 3000);
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn write_zip(path: &Path, members: &[(&str, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn zip_members_nested_compression_and_bomb_guard() {
    let dir = tempfile::tempdir().unwrap();
    let ndjson = b"{\"user_id\":\"u1\",\"ip_address\":\"81.2.69.160\"}\n{\"user_id\":\"u2\",\"idfa\":\"6D92078A-8246-4BA4-AE5B-76104861E7DC\"}\n";
    let inner = dir.path().join("inner.zip");
    write_zip(
        &inner,
        &[(
            "deep.txt",
            b"key sk_live_4eC39HqLyjWDarjtT1zdp7dc\n".to_vec(),
        )],
    );
    write_zip(
        &dir.path().join("export.zip"),
        &[
            ("2025/11/08/events.json.gz", gz(ndjson)),
            ("nested.zip", std::fs::read(&inner).unwrap()),
        ],
    );
    std::fs::remove_file(inner).unwrap();
    // 120 MB of zeros: beyond 250x its compressed size plus 64 MiB.
    write_zip(
        &dir.path().join("bomb.zip"),
        &[("zeros.txt", vec![b'0'; 120 << 20])],
    );
    let (engine, sink) = scan_dir_collect(dir.path(), 1 << 20);
    let f = found(&engine, &sink);
    assert_eq!(
        f,
        vec![
            row(
                "events.json.gz",
                1,
                "$.ip_address",
                "pii.ipv4",
                "81.2.69.160"
            ),
            row(
                "events.json.gz",
                2,
                "$.idfa",
                "pii.device_id",
                "6D92078A-8246-4BA4-AE5B-76104861E7DC"
            ),
            row(
                "export.zip!nested.zip!deep.txt",
                1,
                "",
                "secret.stripe.secret_key",
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
            ),
        ]
    );
    let files = sink.files.lock().unwrap();
    let names: Vec<&str> = files.iter().map(|f| &*f.path).collect();
    assert!(
        names
            .iter()
            .any(|n| n.ends_with("export.zip!2025/11/08/events.json.gz")),
        "{names:?}"
    );
    let bomb = files.iter().find(|f| f.path.ends_with("bomb.zip")).unwrap();
    match &bomb.status {
        Status::Failed(why) => assert!(why.contains("--max-archive-ratio"), "{why}"),
        s => panic!("bomb not stopped: {s:?}"),
    }
}

fn parquet_fixture(path: &Path) {
    let ids: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3, 4]));
    // Few distinct values: written dictionary-encoded.
    let email: ArrayRef = Arc::new(StringArray::from(vec![
        Some("ann@acme.io"),
        Some("ann@acme.io"),
        None,
        Some("bob@acme.io"),
    ]));
    let ip: ArrayRef = Arc::new(StringArray::from(vec![
        "10.0.0.1",
        "81.2.69.160",
        "",
        "81.2.69.160",
    ]));
    let referrer: ArrayRef = Arc::new(StringArray::from(vec![
        "https://x.io/?e=cat%40acme.io",
        "",
        "",
        "",
    ]));
    let context: ArrayRef = Arc::new(StructArray::from(vec![
        (Arc::new(Field::new("ip", DataType::Utf8, false)), ip),
        (
            Arc::new(Field::new("referrer", DataType::Utf8, false)),
            referrer,
        ),
    ]));
    let mut tags = ListBuilder::new(StringBuilder::new());
    for list in [&["a"][..], &["dan@acme.io"], &["b", "c"], &[]] {
        for v in list {
            tags.values().append_value(v);
        }
        tags.append(true);
    }
    let tags: ArrayRef = Arc::new(tags.finish());
    let mut props = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for (k, v) in [
        ("first_name", "Eve"),
        ("plan", "pro"),
        ("first_name", ""),
        ("plan", "free"),
    ] {
        props.keys().append_value(k);
        props.values().append_value(v);
        props.append(true).unwrap();
    }
    let props: ArrayRef = Arc::new(props.finish());
    let batch = RecordBatch::try_from_iter(vec![
        ("id", ids),
        ("email", email),
        ("context", context),
        ("tags", tags),
        ("props", props),
    ])
    .unwrap();
    let props_w = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(2))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props_w)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_nested_columns_dictionaries_and_row_groups() {
    let dir = tempfile::tempdir().unwrap();
    parquet_fixture(&dir.path().join("events.parquet"));
    let (engine, sink) = scan_dir_collect(dir.path(), 1 << 20);
    assert_eq!(
        found(&engine, &sink),
        vec![
            row("events.parquet", 1, "context.ip", "pii.ipv4", "10.0.0.1"),
            row(
                "events.parquet",
                1,
                "context.referrer",
                "pii.email_urlencoded",
                "cat%40acme.io"
            ),
            row("events.parquet", 1, "email", "pii.email", "ann@acme.io"),
            row(
                "events.parquet",
                1,
                "props.first_name",
                "pii.person_name",
                "Eve"
            ),
            row("events.parquet", 2, "context.ip", "pii.ipv4", "81.2.69.160"),
            row("events.parquet", 2, "email", "pii.email", "ann@acme.io"),
            row("events.parquet", 2, "tags[]", "pii.email", "dan@acme.io"),
            row("events.parquet", 4, "context.ip", "pii.ipv4", "81.2.69.160"),
            row("events.parquet", 4, "email", "pii.email", "bob@acme.io"),
        ]
    );
    assert_eq!(status_of(&sink, "events.parquet").2, 4);
}

fn shared(rel: &str) -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/testdata")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

#[test]
fn malformed_parquet_collections_never_panic_and_valid_files_scan() {
    for rel in [
        "parquet-testing/bad_data",
        "arrow-testing/data/parquet/fuzzing",
        "parquet-testing/data",
    ] {
        let Some(dir) = shared(rel) else { return };
        let (_, sink) = scan_dir_collect(&dir, 1 << 20);
        let files = sink.files.lock().unwrap();
        let listed = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file()))
            .count();
        assert_eq!(files.len(), listed, "{rel}: every file has an outcome");
        for f in files.iter() {
            if let Status::Failed(why) = &f.status {
                assert!(
                    !why.is_empty() && !why.contains("panicked"),
                    "{}: {why}",
                    f.path
                );
            }
        }
        if rel == "parquet-testing/data" {
            for f in files.iter().filter(|f| f.path.ends_with(".parquet")) {
                assert!(
                    f.status == Status::Scanned
                        || READER_LIMITS.iter().any(|n| f.path.ends_with(n)),
                    "{}: {:?}",
                    f.path,
                    f.status
                );
            }
            for f in files
                .iter()
                .filter(|f| f.path.ends_with(".parquet.encrypted"))
            {
                assert!(
                    // An encrypted footer makes the file unreadable; with a
                    // plaintext footer the plain columns may still be read.
                    matches!(&f.status, Status::Failed(w) if w.contains("encrypted"))
                        || f.path.contains("plaintext_footer"),
                    "{}: {:?}",
                    f.path,
                    f.status
                );
            }
        }
    }
}

/// Valid files the arrow reader itself cannot read (reported as failed with
/// its error): a map over 2 GiB of strings, a dictionary page at offset 0
/// with mismatched list types, and a deliberately malformed dictionary.
const READER_LIMITS: &[&str] = &[
    "large_string_map.brotli.parquet",
    "dict-page-offset-zero.parquet",
    "nation.dict-malformed.parquet",
];

#[test]
fn presets_are_recognised_and_findings_name_their_user() {
    use leakscope::rules::{load_rule_set, RuleSource};
    use leakscope::scan::{ScanConfig, Scanner};
    let dir = tempfile::tempdir().unwrap();
    let ev = |user: &str, city: &str| {
        format!(
            r#"{{"event":"x","properties":{{"distinct_id":"{user}","$insert_id":"i","$city":"{city}","$email":"{user}@acme.io"}}}}"#
        )
    };
    let events = [ev("u1", "Paris"), ev("u1", "Lyon"), ev("u2", "Paris")];
    std::fs::write(dir.path().join("mp.ndjson"), events.join("\n")).unwrap();
    // The same events as one JSON array: the user comes from each element.
    let array = format!("[{}]", events.join(",\n "));
    std::fs::write(dir.path().join("mp-array.json"), array).unwrap();
    // The same key outside a Mixpanel export is not Mixpanel's.
    std::fs::write(dir.path().join("other.ndjson"), r#"{"$city":"Rome"}"#).unwrap();
    std::fs::write(
        dir.path().join("amp.csv"),
        "event_type,amplitude_id,user_id,region\nopen,1,u9,Bavaria\nopen,2,u9,unknown\n",
    )
    .unwrap();
    ga4_parquet(&dir.path().join("ga4.parquet"));
    let engine = Engine::builtin().unwrap();
    let sink = Collect::default();
    let cfg = ScanConfig {
        reveal: true,
        presets: load_rule_set(&RuleSource {
            builtin: true,
            extra: vec![],
        })
        .unwrap()
        .1,
        ..ScanConfig::default()
    };
    let walk = leakscope::source::collect(
        &[dir.path().to_path_buf()],
        &leakscope::source::Filter::new(&[], &[]).unwrap(),
        None,
    );
    Scanner::new(&engine, b"k", cfg).scan_all(&walk.inputs, &sink);
    let presets: Vec<(String, Option<String>)> = {
        let mut v: Vec<_> = sink
            .files
            .lock()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f.path.rsplit('/').next().unwrap().to_string(),
                    f.preset.clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        presets,
        vec![
            ("amp.csv".into(), Some("amplitude".into())),
            ("ga4.parquet".into(), Some("ga4".into())),
            ("mp-array.json".into(), Some("mixpanel".into())),
            ("mp.ndjson".into(), Some("mixpanel".into())),
            ("other.ndjson".into(), None),
        ]
    );
    let findings = sink.findings.lock().unwrap();
    let rule = |f: &leakscope::finding::Finding| engine.rules()[f.rule as usize].rule.id.clone();
    for file in ["mp.ndjson", "mp-array.json"] {
        let cities: Vec<_> = findings
            .iter()
            .filter(|f| rule(f) == "pii.mixpanel.location" && f.location.path.ends_with(file))
            .collect();
        assert_eq!(cities.len(), 3, "{file}");
        assert_eq!(
            cities[0].subject, cities[1].subject,
            "{file}: same distinct_id, same user"
        );
        assert_ne!(cities[0].subject, cities[2].subject, "{file}");
        assert!(cities[0].subject.is_some(), "{file}");
    }

    let regions: Vec<_> = findings
        .iter()
        .filter(|f| rule(f) == "pii.amplitude.location")
        .collect();
    assert_eq!(regions.len(), 1, "'unknown' is not a region");
    assert_eq!(regions[0].location.record, Some(1));
    assert!(regions[0].subject.is_some());
    let ga4: Vec<_> = findings
        .iter()
        .filter(|f| rule(f) == "pii.ga4.location")
        .map(|f| {
            let l = &f.location;
            (l.record, l.field.clone().unwrap(), f.value.clone().unwrap())
        })
        .collect();
    assert_eq!(
        ga4,
        vec![
            (Some(1), "geo.country".into(), "Germany".into()),
            (Some(1), "geo.region".into(), "Bavaria".into()),
            (Some(2), "geo.country".into(), "France".into()),
        ]
    );
    let ga4_users: Vec<_> = findings
        .iter()
        .filter(|f| rule(f) == "pii.ga4.location")
        .map(|f| f.subject)
        .collect();
    assert!(
        ga4_users.iter().all(Option::is_some),
        "rows name their user"
    );
    assert_eq!(ga4_users[0], ga4_users[1]);
    assert_ne!(ga4_users[0], ga4_users[2]);
}

/// A GA4 BigQuery-style export: recognised by its column names.
fn ga4_parquet(path: &Path) {
    let s = |v: &[&str]| -> ArrayRef { Arc::new(StringArray::from(v.to_vec())) };
    let geo: ArrayRef = Arc::new(StructArray::from(vec![
        (
            Arc::new(Field::new("country", DataType::Utf8, false)),
            s(&["Germany", "France"]),
        ),
        (
            Arc::new(Field::new("region", DataType::Utf8, false)),
            s(&["Bavaria", "(not set)"]),
        ),
    ]));
    let batch = RecordBatch::try_from_iter(vec![
        ("event_name", s(&["page_view", "page_view"])),
        ("user_pseudo_id", s(&["1234.5678", "9999.1111"])),
        ("geo", geo),
    ])
    .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}
