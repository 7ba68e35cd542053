//! Recall and precision on the generated corpus, per rule, through the same
//! path a user's `scan` takes (files on disk, decompression, chunking).
//! Targets: ≥ 0.98 recall and ≥ 0.98 precision for every rule kind planted;
//! the corpus also carries decoys (UUIDs, SHA-256 digests, browser versions,
//! millisecond timestamps, Luhn-invalid order numbers) that must not match.

mod common;

use leakscope::corpus::{evaluate, score_table, Generator, Score};
use std::collections::BTreeMap;

#[test]
fn recall_and_precision_per_rule_on_generated_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Generator::new(20251108);
    let mut events = Vec::new();
    let mut truth = g.ndjson("events.ndjson.gz", &mut events, 6_000_000, 1);
    let mut log = Vec::new();
    truth.extend(g.log("app.log", &mut log, 1_500_000, 1));
    common::write_gz(&dir.path().join("events.ndjson.gz"), &events);
    std::fs::write(dir.path().join("app.log"), &log).unwrap();

    // Small chunks so chunk boundaries are exercised many times.
    let found = common::scan_dir(dir.path(), 256 << 10);
    let scores = evaluate(&truth, &found);
    assert_targets(&scores, 25);
}

/// The structured exports (CSV table with multi-line cells, Parquet events
/// table, single-line JSON array, zip of gzipped NDJSON): the same targets,
/// with `record` meaning the data row, array element or member line.
#[test]
fn recall_and_precision_on_structured_exports() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Generator::new(20251122);
    let mut truth = Vec::new();
    let mut csv = Vec::new();
    truth.extend(g.csv_table("customers.csv", &mut csv, 4000));
    std::fs::write(dir.path().join("customers.csv"), &csv).unwrap();
    let mut pq = Vec::new();
    truth.extend(g.parquet_events("events.parquet", &mut pq, 40_000).unwrap());
    std::fs::write(dir.path().join("events.parquet"), &pq).unwrap();
    let mut arr = Vec::new();
    truth.extend(g.json_array("events.json", &mut arr, 3000));
    std::fs::write(dir.path().join("events.json"), &arr).unwrap();
    let mut zip = Vec::new();
    truth.extend(g.zip_ndjson("export.zip", &mut zip, 3, 400_000).unwrap());
    std::fs::write(dir.path().join("export.zip"), &zip).unwrap();

    let found = common::scan_dir(dir.path(), 256 << 10);
    let scores = evaluate(&truth, &found);
    let formats = [
        "customers.csv",
        "events.parquet",
        "events.json",
        "export.zip!",
    ];
    for f in formats {
        assert!(
            found.iter().any(|x| x.path.contains(f)),
            "nothing found in {f}"
        );
    }
    assert_targets(&scores, 15);
}

/// Prints the table and misses, then checks ≥ 0.98 recall and precision
/// on every rule and that at least `kinds` rule kinds were planted.
fn assert_targets(scores: &BTreeMap<String, Score>, kinds: usize) {
    println!("{}", score_table(scores));
    for (rule, s) in scores {
        for e in &s.examples {
            println!("{rule}: {e}");
        }
    }
    assert!(
        scores.len() >= kinds,
        "too few rule kinds planted: {}",
        scores.len()
    );
    for (rule, s) in scores {
        assert!(
            s.planted >= 5 || s.false_pos == 0,
            "{rule}: unexpected findings {s:?}"
        );
        assert!(
            s.recall() >= 0.98,
            "{rule}: recall {:.4} < 0.98 ({s:?})",
            s.recall()
        );
        assert!(
            s.precision() >= 0.98,
            "{rule}: precision {:.4} < 0.98 ({s:?})",
            s.precision()
        );
    }
}
