//! `leakscope scan`: inputs → findings.jsonl, summary.json, human summary.

use super::args::{BinaryArg, RedactOpts, ScanArgs};
use crate::engine::Engine;
use crate::key::load_key;
use crate::redact::output::OutputTree;
use crate::redact::{Mode, Policy, Replacer};
use crate::report::summary::{KeyJson, RedactionJson, RuleMeta, SummaryJson};
use crate::report::{human, AtomicFile, Report, StdoutFormat};
use crate::scan::{BinaryMode, FileOutcome, Redaction, ScanConfig, Scanner, Status};
use crate::source::{collect, Filter};
use anyhow::{Context, Result};
use std::io::IsTerminal;
use std::io::Write;
use std::time::Instant;

pub fn run(a: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    if let Some(n) = a.common.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("cannot start threads")?;
    }
    let (rules, presets) = super::rule_set_from(&a.common.rules)?;
    let engine = Engine::new(&rules)?;
    let known: Vec<String> = ["auto", "none"]
        .into_iter()
        .map(String::from)
        .chain(presets.iter().map(|p| p.id.clone()))
        .collect();
    if !known.contains(&a.common.preset) {
        anyhow::bail!(
            "unknown preset {:?} (known: {})",
            a.common.preset,
            known.join(", ")
        );
    }
    let key = load_key(a.common.key_file.as_deref())?;
    let policy = policy_from(&a.redact)?;
    let redaction = match &a.redact_to {
        Some(dir) => Some(Redaction {
            replacer: Replacer::new(engine.rules().iter().map(|c| &c.rule), &policy, &key.bytes),
            tree: OutputTree::new(dir, &a.paths)?,
            link_unchanged: a.redact.link_unchanged,
        }),
        None => None,
    };
    let walk = collect(
        &a.paths,
        &Filter::new(&a.common.include, &a.common.exclude)?,
        a.out.as_deref(),
    );
    let metas: Vec<RuleMeta> = engine
        .rules()
        .iter()
        .map(|c| RuleMeta {
            id: c.rule.id.clone(),
            category: c.rule.category.as_str(),
            severity: c.rule.severity.as_str(),
            kind: c.rule.kind(),
        })
        .collect();
    let stdout = a.format.unwrap_or(if a.out.is_some() {
        StdoutFormat::None
    } else {
        StdoutFormat::Human
    });
    let mut report = Report::new(metas, a.out.as_deref(), stdout, a.common.quiet)?;
    if !a.common.quiet && std::io::stderr().is_terminal() {
        report = report.with_progress(walk.inputs.iter().filter_map(|i| i.size).sum());
    }
    for (path, why) in &walk.errors {
        if !a.common.quiet {
            eprintln!("leakscope: error: {path}: {why}");
        }
    }
    let cfg = ScanConfig {
        chunk_size: a.chunk_size.max(1 << 16),
        binary: if a.binary == BinaryArg::Skip {
            BinaryMode::Skip
        } else {
            BinaryMode::Strings
        },
        reveal: a.reveal,
        preset: (a.common.preset != "auto" && a.common.preset != "none")
            .then(|| a.common.preset.clone()),
        presets: if a.common.preset == "auto" {
            presets
        } else {
            Vec::new()
        },
        limits: crate::archive::Limits {
            max_bytes: a.max_archive_bytes,
            max_ratio: a.max_archive_ratio,
        },
        scan_numbers: a.scan_numbers,
        ..ScanConfig::default()
    };
    let mut scanner = Scanner::new(&engine, &key.bytes, cfg);
    if let Some(r) = redaction {
        scanner = scanner.with_redaction(r);
    }
    scanner.scan_all(&walk.inputs, &report);
    report.finish()?;
    let mut tally = report.tally.into_inner().unwrap();
    // Paths that could not even be listed count as failed inputs.
    tally
        .files
        .extend(walk.errors.into_iter().map(|(path, why)| FileOutcome {
            status: Status::Failed(why),
            ..FileOutcome::new(path.into())
        }));

    let key_json = KeyJson {
        source: key.source.clone(),
        id: key.id(),
    };
    let mut summary = SummaryJson::build(
        &tally,
        &report.rules,
        key_json,
        started.elapsed().as_millis() as u64,
    );
    if let Some(dir) = &a.redact_to {
        summary.redaction = Some(RedactionJson {
            output: dir.display().to_string(),
            mode: mode_name(policy.default).into(),
            modes: policy
                .overrides
                .iter()
                .map(|(k, m)| (k.clone(), mode_name(*m).into()))
                .collect(),
            key_id: key.id(),
            files_written: tally.files.iter().filter(|f| f.replaced.is_some()).count() as u64,
            values_replaced: tally.files.iter().filter_map(|f| f.replaced).sum(),
        });
    }
    if let Some(dir) = &a.out {
        let mut f = AtomicFile::create(&dir.join("summary.json"))?;
        serde_json::to_writer_pretty(&mut f.w, &summary)?;
        f.w.write_all(b"\n")?;
        f.commit()?;
    }
    if !a.common.quiet {
        eprint!("{}", human::summary_text(&summary));
        if let Some(dir) = &a.out {
            eprintln!("report: {}", dir.display());
        }
    }
    Ok(exit_code(&summary))
}

/// The redaction policy of the config file and flags.
fn policy_from(o: &RedactOpts) -> Result<Policy> {
    let mut p = match &o.config {
        Some(path) => Policy::from_config(path)?,
        None => Policy::default(),
    };
    if let Some(m) = &o.mode {
        p.default = Mode::parse(m)?;
    }
    p.with_overrides(&o.mode_for)
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Mask => "mask",
        Mode::Partial => "partial",
        Mode::Hash => "hash",
        Mode::Drop => "drop",
    }
}

/// 2 when an input failed, else 1 with findings, else 0.
fn exit_code(s: &SummaryJson) -> i32 {
    if s.files.failed > 0 {
        2
    } else if s.findings > 0 {
        1
    } else {
        0
    }
}
