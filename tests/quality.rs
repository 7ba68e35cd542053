//! Recall and precision on the generated corpus, per rule, through the same
//! path a user's `scan` takes (files on disk, decompression, chunking).
//! Targets: ≥ 0.98 recall and ≥ 0.98 precision for every rule kind planted;
//! the corpus also carries decoys (UUIDs, SHA-256 digests, browser versions,
//! millisecond timestamps, Luhn-invalid order numbers) that must not match.

mod common;

use leakscope::corpus::{evaluate, score_table, Generator};

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
    println!("{}", score_table(&scores));
    assert!(
        scores.len() >= 25,
        "too few rule kinds planted: {}",
        scores.len()
    );
    for (rule, s) in &scores {
        for e in &s.examples {
            println!("{rule}: {e}");
        }
    }
    for (rule, s) in &scores {
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
