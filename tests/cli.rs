//! The `leakscope` binary as a user runs it: outputs, exit codes, errors,
//! stdin, escapes, keys, binary files and the no-raw-values guarantee.

mod common;

use leakscope::corpus::Generator;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const KEY: &str = "cli-test-key-0123456789";

fn leakscope(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leakscope"));
    c.args(args)
        .env("LEAKSCOPE_KEY", KEY)
        .env_remove("LEAKSCOPE_CONFIG_DIR");
    c
}

fn run(args: &[&str]) -> Output {
    leakscope(args).output().unwrap()
}

fn findings(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("findings.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn no_raw_value_appears_in_any_output_unless_revealed() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let mut events = Vec::new();
    let mut g = Generator::new(99);
    let mut truth = g.ndjson("events.ndjson", &mut events, 400_000, 1);
    let mut log = Vec::new();
    truth.extend(g.log("app.log", &mut log, 100_000, 1));
    std::fs::write(input.join("events.ndjson"), &events).unwrap();
    common::write_gz(&input.join("app.log.gz"), &log);
    assert!(truth.len() > 200);

    let out = d.path().join("report");
    let human = run(&["scan", p(&input), "--out", p(&out), "--format", "human"]);
    assert_eq!(
        human.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&human.stderr)
    );
    let jsonl = run(&["scan", p(&input), "--format", "jsonl"]);
    let mut everything = String::new();
    for o in [&human, &jsonl] {
        everything.push_str(&String::from_utf8_lossy(&o.stdout));
        everything.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    everything.push_str(&std::fs::read_to_string(out.join("findings.jsonl")).unwrap());
    everything.push_str(&std::fs::read_to_string(out.join("summary.json")).unwrap());
    assert!(everything.contains("pii.email"));
    for t in &truth {
        let shown = t.value.replace('\n', "\\n");
        assert!(
            !everything.contains(&t.value) && !everything.contains(&shown),
            "raw value leaked: {t:?}"
        );
    }
    assert!(!everything.contains(KEY), "the key leaked");

    let revealed = run(&["scan", p(&input), "--format", "jsonl", "--reveal"]);
    let text = String::from_utf8_lossy(&revealed.stdout);
    let hits = truth
        .iter()
        .filter(|t| text.contains(&t.value.replace('\n', "\\n")))
        .count();
    assert_eq!(hits, truth.len(), "--reveal must show every planted value");
}

#[test]
fn exit_codes_and_a_bad_input_does_not_stop_the_run() {
    let d = tempfile::tempdir().unwrap();
    let clean = d.path().join("clean.log");
    std::fs::write(&clean, "nothing to see here\n").unwrap();
    assert_eq!(run(&["scan", p(&clean), "-q"]).status.code(), Some(0));

    let dirty = d.path().join("dirty.log");
    std::fs::write(&dirty, "user=jane.doe@gmail.com\n").unwrap();
    assert_eq!(run(&["scan", p(&dirty), "-q"]).status.code(), Some(1));

    let mut gz = Vec::new();
    {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::fast());
        for i in 0..20000 {
            writeln!(e, "line {i} user{i}@example.org random {}", i * 7919).unwrap();
        }
        e.finish().unwrap();
    }
    let n = gz.len();
    gz.truncate(n * 2 / 3);
    let broken = d.path().join("broken.log.gz");
    std::fs::write(&broken, &gz).unwrap();
    let out = d.path().join("r");
    let o = run(&[
        "scan",
        p(&dirty),
        p(&broken),
        p(&d.path().join("missing.log")),
        "--out",
        p(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("broken.log.gz") && stderr.contains("gzip"),
        "{stderr}"
    );
    assert!(stderr.contains("missing.log"), "{stderr}");
    let s = summary(&out);
    assert_eq!(s["complete"], false);
    assert_eq!(s["files"]["failed"], 2);
    assert_eq!(s["files"]["scanned"], 1);
    let f = findings(&out);
    // Findings before the corruption are kept, and the good file is reported.
    assert!(f
        .iter()
        .any(|x| x["path"].as_str().unwrap().ends_with("dirty.log")));
    assert!(
        f.iter()
            .filter(|x| x["path"].as_str().unwrap().ends_with("broken.log.gz"))
            .count()
            > 100
    );
}

#[test]
fn stdin_json_escapes_fields_and_locations() {
    let pem = "-----BEGIN RSA PRIVATE KEY-----\\nlT9sY6hecoBwLQUAnvx9dzxyw57H0XXWLc95ZhsRIFtuXRfNcYGCqAoKoiEV7LtQ\\nx7iCFA3AgeVgp/PIIgbbEP+du7HQHDEh++J9SfTP6ssqr8m47jgQ1VmcwUAoUuWd\\n-----END RSA PRIVATE KEY-----";
    let input = format!(
        "{{\"event\":\"a\"}}\n{{\"properties\":{{\"$email\":\"jane\\u0040example.org\",\"note\":\"x\"}},\"k\":\"{pem}\"}}\n"
    );
    let mut child = leakscope(&["scan", "-", "--format", "jsonl", "--reveal"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let rows: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let email = rows
        .iter()
        .find(|r| r["rule"] == "pii.email")
        .expect("escaped email found");
    assert_eq!(email["value"], "jane@example.org");
    assert_eq!(email["field"], "$.properties.$email");
    assert_eq!(email["record"], 2);
    assert_eq!(email["path"], "<stdin>");
    let line2 = input.lines().nth(1).unwrap();
    let (s, e) = (
        email["start"].as_u64().unwrap() as usize,
        email["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&line2[s..e], "jane\\u0040example.org");
    let key = rows
        .iter()
        .find(|r| r["rule"] == "secret.private_key")
        .expect("escaped PEM found");
    assert_eq!(key["field"], "$.k");
    assert!(key["value"].as_str().unwrap().contains("\nx7iCFA3"));
}

#[test]
fn fingerprints_count_one_identity_across_files_and_spellings() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.log"), "to=Jane.Doe@Gmail.com\n").unwrap();
    std::fs::write(
        d.path().join("b.ndjson"),
        "{\"u\":\"https://x.io/?e=jane.doe%40gmail.com\",\"e\":\"jane.doe@gmail.com\"}\n",
    )
    .unwrap();
    let out = d.path().join("r");
    run(&[
        "scan",
        p(&d.path().join("a.log")),
        p(&d.path().join("b.ndjson")),
        "--out",
        p(&out),
        "-q",
    ]);
    let f = findings(&out);
    assert_eq!(f.len(), 3);
    let fps: std::collections::HashSet<&str> = f
        .iter()
        .map(|x| x["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 1, "{f:?}");
    assert_eq!(summary(&out)["by_category"]["pii"]["distinct"], 1);
}

#[test]
fn generated_key_is_private_reused_and_named_by_id_only() {
    let d = tempfile::tempdir().unwrap();
    let cfg = d.path().join("cfg");
    let input = d.path().join("a.log");
    std::fs::write(&input, "mail jane@gmail.com\n").unwrap();
    let scan = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_leakscope"))
            .args(["scan", p(&input), "--out", p(out), "-q"])
            .env_remove("LEAKSCOPE_KEY")
            .env("LEAKSCOPE_CONFIG_DIR", &cfg)
            .output()
            .unwrap()
    };
    let (r1, r2) = (d.path().join("r1"), d.path().join("r2"));
    scan(&r1);
    scan(&r2);
    let key_path = cfg.join("fingerprint.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let (s1, s2) = (summary(&r1), summary(&r2));
    assert!(s1["key"]["source"]
        .as_str()
        .unwrap()
        .starts_with("generated:"));
    assert!(s2["key"]["source"].as_str().unwrap().starts_with("stored:"));
    assert_eq!(
        findings(&r1)[0]["fingerprint"],
        findings(&r2)[0]["fingerprint"]
    );
    let key = std::fs::read_to_string(&key_path).unwrap();
    assert!(!std::fs::read_to_string(r1.join("summary.json"))
        .unwrap()
        .contains(key.trim()));
}

#[test]
fn binary_files_scan_strings_or_skip() {
    let d = tempfile::tempdir().unwrap();
    let bin = d.path().join("blob.bin");
    let mut data = vec![0u8, 1, 2, 3, 0xff, 0];
    data.extend_from_slice(b"token=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");
    data.extend_from_slice(&[0, 0, 7]);
    std::fs::write(&bin, &data).unwrap();
    let out = d.path().join("r");
    run(&["scan", p(&bin), "--out", p(&out), "-q"]);
    let f = findings(&out);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["record"], Value::Null);
    assert_eq!(f[0]["start"], 12);
    assert_eq!(summary(&out)["files"]["binary_strings"], 1);
    let o = run(&["scan", p(&bin), "--binary", "skip", "--out", p(&out), "-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(summary(&out)["files"]["skipped"], 1);
}

/// Writes `text` to `dir/name`, scans it in 64 KiB chunks (a longer line is
/// cut into pieces) and returns the findings.
fn scan_in_small_pieces(dir: &Path, name: &str, text: &str) -> Vec<Value> {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let out = dir.join("r");
    run(&[
        "scan",
        p(&path),
        "--out",
        p(&out),
        "--chunk-size",
        "65536",
        "-q",
    ]);
    findings(&out)
}

#[test]
fn a_line_longer_than_a_chunk_is_scanned_in_pieces_without_loss() {
    let d = tempfile::tempdir().unwrap();
    let mut line = String::from("{\"a\":\"");
    let mut expected = Vec::new();
    for i in 0..4000 {
        line.push_str(&"x".repeat(97));
        expected.push(line.len() + 1);
        line.push_str(&format!(" u{i:05}@example.org "));
    }
    line.push_str("\"}\n");
    let f = scan_in_small_pieces(d.path(), "one-line.json", &line);
    assert_eq!(f.len(), 4000);
    let mut starts: Vec<usize> = f
        .iter()
        .map(|x| x["start"].as_u64().unwrap() as usize)
        .collect();
    starts.sort();
    assert_eq!(starts, expected);
    assert!(f.iter().all(|x| x["record"] == 1));
}

#[test]
fn a_value_just_past_a_cut_is_read_with_the_key_before_it() {
    // One line of keyed values, cut into pieces: wherever a cut falls
    // between a `password=` and its value, the value is still found, once.
    let d = tempfile::tempdir().unwrap();
    let mut line = String::new();
    let mut n = 0;
    while line.len() < 1_500_000 {
        line.push_str(&format!("password=Pw{n}xQzr{}k ", n * 7));
        n += 1;
    }
    line.push('\n');
    let f = scan_in_small_pieces(d.path(), "one-line.txt", &line);
    let mut starts: Vec<u64> = f.iter().map(|x| x["start"].as_u64().unwrap()).collect();
    starts.sort();
    starts.dedup();
    assert_eq!((f.len(), starts.len()), (n, n));
}

#[test]
fn include_exclude_and_rules_commands() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.log"), "jane@gmail.com\n").unwrap();
    std::fs::write(d.path().join("b.txt"), "john@gmail.com\n").unwrap();
    let o = run(&[
        "scan",
        p(d.path()),
        "--include",
        "*.log",
        "--format",
        "jsonl",
        "-q",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains("a.log"));
    let o = run(&[
        "scan",
        p(d.path()),
        "--exclude",
        "*.log",
        "--format",
        "jsonl",
        "-q",
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("b.txt"));

    let list = run(&["rules", "list", "--format", "json"]);
    let rules: Vec<Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert!(rules.iter().any(|r| r["id"] == "secret.github.token"));

    let custom = d.path().join("rules");
    std::fs::create_dir(&custom).unwrap();
    std::fs::write(
        custom.join("mine.toml"),
        "[[rule]]\nid='secret.acme.key'\nname='Acme'\ncategory='secret'\nseverity='high'\ndescription='An Acme key.'\nkeywords=['acme_']\npattern='(acme_[0-9]{6})'\nexamples=['acme_123456', 'k=acme_654321']\nnegative_examples=['acme_12']\n",
    )
    .unwrap();
    let ok = run(&["rules", "check", "--rules", p(&custom), "--no-speed"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    std::fs::write(d.path().join("c.log"), "k=acme_654321\n").unwrap();
    let o = run(&[
        "scan",
        p(&d.path().join("c.log")),
        "--rules",
        p(&custom),
        "--format",
        "jsonl",
        "-q",
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("secret.acme.key"));
    std::fs::write(custom.join("mine.toml"), "[[rule]]\nid='secret.acme.key'\nname='Acme'\ncategory='secret'\nseverity='high'\npattern='x'\nexamples=['y']\nnegative_examples=['x']\n").unwrap();
    let bad = run(&["rules", "check", "--rules", p(&custom), "--no-speed"]);
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(text.contains("no keywords"), "{text}");
}

#[test]
fn text_that_is_not_utf8_is_still_scanned() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("latin1.log");
    let mut data = b"caf\xe9 user=ren\xe9e@example.org \xff\xfe token=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\n".to_vec();
    data.extend_from_slice(b"second line jane@gmail.com\n");
    std::fs::write(&path, &data).unwrap();
    let out = d.path().join("r");
    let o = run(&["scan", p(&path), "--out", p(&out), "--reveal", "-q"]);
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&out);
    let rules: Vec<(&str, u64)> = f
        .iter()
        .map(|x| (x["rule"].as_str().unwrap(), x["record"].as_u64().unwrap()))
        .collect();
    assert!(rules.contains(&("secret.github.token", 1)), "{rules:?}");
    assert!(rules.contains(&("pii.email", 2)), "{rules:?}");
    assert_eq!(summary(&out)["files"]["binary_strings"], 0);
}

/// findings.jsonl is rendered on the worker threads with chunk-local line
/// numbers patched on hand-over: every planted value must appear with its
/// true line, across many small chunks and two threads.
#[test]
fn findings_jsonl_lines_are_exact_across_chunks() {
    use leakscope::corpus::{evaluate, Found};
    let dir = tempfile::tempdir().unwrap();
    let mut g = Generator::new(7);
    let mut events = Vec::new();
    let mut truth = g.ndjson("events.ndjson", &mut events, 2_000_000, 1);
    let mut log = Vec::new();
    truth.extend(g.log("app.log", &mut log, 500_000, 1));
    std::fs::write(dir.path().join("events.ndjson"), &events).unwrap();
    std::fs::write(dir.path().join("app.log"), &log).unwrap();
    let out = dir.path().join("report");
    let args = [
        "scan",
        p(dir.path()),
        "--out",
        p(&out),
        "--reveal",
        "-q",
        "-j",
        "2",
    ];
    let o = run(&[&args[..], &["--chunk-size", "65536", "--preset", "none"]].concat());
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let found: Vec<Found> = findings(&out)
        .iter()
        .filter(|f| !f["path"].as_str().unwrap().contains("report"))
        .map(|f| Found {
            path: f["path"].as_str().unwrap().to_string(),
            line: f["record"].as_u64(),
            rule: f["rule"].as_str().unwrap().to_string(),
            value: f["value"].as_str().unwrap().to_string(),
        })
        .collect();
    for (rule, s) in evaluate(&truth, &found) {
        assert_eq!(s.true_pos, s.planted, "{rule}: {:?}", s.examples);
    }
}

/// `scan --redact-to` writes the report and the copies in one pass: the
/// summary counts replaced values per file and names the key by id; the
/// config file's modes apply (the longest key wins over `--mode`); an
/// unchanged file is hard-linked with `--link-unchanged`.
#[test]
fn scan_with_redact_to_reports_and_copies_in_one_pass() {
    use std::os::unix::fs::MetadataExt;
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("a.ndjson"),
        "{\"email\":\"jane.doe@corp-mail.org\",\"ip\":\"203.0.113.42\"}\n{\"ok\":1}\n",
    )
    .unwrap();
    std::fs::write(input.join("clean.log"), "nothing here\n").unwrap();
    let config = d.path().join("leakscope.toml");
    std::fs::write(
        &config,
        "[redact]\nmode = \"drop\"\n[redact.modes]\npii = \"partial\"\n\"pii.email\" = \"hash\"\n",
    )
    .unwrap();
    let (report, clean) = (d.path().join("report"), d.path().join("clean"));
    let out = run(&[
        "scan",
        p(&input),
        "--out",
        p(&report),
        "--redact-to",
        p(&clean),
        "--config",
        p(&config),
        "--link-unchanged",
        "-q",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy = std::fs::read_to_string(clean.join("a.ndjson")).unwrap();
    let first: Value = serde_json::from_str(copy.lines().next().unwrap()).unwrap();
    assert!(
        first["email"].as_str().unwrap().starts_with("tok_email_"),
        "{copy}"
    );
    assert_eq!(first["ip"], "203.0.113.x");
    assert_eq!(copy.lines().nth(1), Some("{\"ok\":1}"));
    let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
    assert_eq!(ino(&clean.join("clean.log")), ino(&input.join("clean.log")));
    let s = summary(&report);
    assert_eq!(s["redaction"]["values_replaced"], 2);
    assert_eq!(s["redaction"]["files_written"], 2);
    assert_eq!(s["redaction"]["mode"], "drop");
    assert_eq!(s["redaction"]["key_id"], s["key"]["id"]);
    let a = s["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("a.ndjson"))
        .unwrap();
    assert_eq!(a["replaced"], 2);
    // The token is the finding's fingerprint prefix: copies join with the report.
    let email = findings(&report)
        .into_iter()
        .find(|f| f["rule"] == "pii.email")
        .unwrap();
    let fp = email["fingerprint"].as_str().unwrap();
    assert_eq!(
        first["email"].as_str().unwrap(),
        format!("tok_email_{}", &fp[..16])
    );
}

#[test]
fn rules_why_names_the_step_that_dropped_each_value_and_masks_it() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("acme.toml"),
        "[[rule]]\nid='secret.acme.key'\nname='Acme'\ncategory='secret'\nseverity='high'\nkeywords=['acme_']\npattern='(acme_[0-9]{10})'\nvalidate=['no_sequence']\n",
    )
    .unwrap();
    let why = |extra: &[&str]| {
        let mut args = vec![
            "rules",
            "why",
            "k=acme_4839207715 and acme_1234567890",
            "--no-builtin-rules",
            "--rules",
            p(d.path()),
        ];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0));
        String::from_utf8(o.stdout).unwrap()
    };
    let table = why(&[]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("secret.acme.key") && lines[0].ends_with("reported"));
    assert!(
        lines[1].ends_with("rejected by validator no_sequence"),
        "{table}"
    );
    assert!(
        !table.contains("4839207715") && !table.contains("1234567890"),
        "{table}"
    );
    assert!(why(&["--reveal"]).contains("acme_1234567890"));
    let json: Vec<Value> = why(&["--format", "json"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(json[1]["preview"].is_string() && json[1].get("value").is_none());
    assert_eq!(json[1]["outcome"], "rejected");
    assert_eq!(json[1]["by"], "no_sequence");
    assert_eq!(
        (json[1]["start"].as_u64(), json[1]["end"].as_u64()),
        (Some(22), Some(37))
    );
}
