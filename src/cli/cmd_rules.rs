//! `leakscope rules list|check|why`.

use super::args::{ListFormat, RulesCommand};
use super::rules_from;
use crate::engine::explain::{Outcome, Verdict};
use crate::engine::Engine;
use crate::rules::check::check_rules;
use anyhow::{Context, Result};
use std::io::Read;

pub fn run(cmd: RulesCommand) -> Result<i32> {
    match cmd {
        RulesCommand::List { rules, format } => {
            let rules = rules_from(&rules)?;
            match format {
                ListFormat::Json => println!("{}", serde_json::to_string_pretty(&rules)?),
                ListFormat::Table => {
                    println!(
                        "{:<40} {:<7} {:<9} {:<7} NAME",
                        "ID", "KIND", "SEVERITY", "CONF"
                    );
                    for r in &rules {
                        println!(
                            "{:<40} {:<7} {:<9} {:<7} {}",
                            r.id,
                            r.category.as_str(),
                            r.severity.as_str(),
                            format!("{:?}", r.confidence).to_lowercase(),
                            r.name
                        );
                    }
                    println!("{} rules", rules.len());
                }
            }
            Ok(0)
        }
        RulesCommand::Check { rules, no_speed } => {
            let rules = rules_from(&rules)?;
            let problems = check_rules(&rules, !no_speed);
            for p in &problems {
                println!("{}: {}", p.rule, p.message);
            }
            if problems.is_empty() {
                println!("{} rules ok", rules.len());
                Ok(0)
            } else {
                println!("{} problem(s) in {} rules", problems.len(), rules.len());
                Ok(1)
            }
        }
        RulesCommand::Why {
            text,
            rules,
            format,
            reveal,
        } => {
            let text = if text == "-" {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .context("reading stdin")?;
                buf
            } else {
                text.into_bytes()
            };
            let engine = Engine::new(&rules_from(&rules)?)?;
            let verdicts = engine.explain(&text);
            for v in &verdicts {
                match format {
                    ListFormat::Json => println!("{}", why_json(&engine, v, &text, reveal)),
                    ListFormat::Table => println!(
                        "{:<40} {:<24} {}",
                        engine.rules()[v.rule as usize].rule.id,
                        shown_value(&engine, v, &text, reveal),
                        describe(&engine, v)
                    ),
                }
            }
            if verdicts.is_empty() && format == ListFormat::Table {
                println!("no rule's pattern matches this text");
            }
            Ok(0)
        }
    }
}

/// The value as a finding would show it: masked unless `reveal`.
fn shown_value(engine: &Engine, v: &Verdict, text: &[u8], reveal: bool) -> String {
    let value = &text[v.start..v.end];
    if reveal {
        return String::from_utf8_lossy(value).into_owned();
    }
    let kind = engine.rules()[v.rule as usize].rule.preview;
    crate::finding::preview(kind, value).to_string()
}

/// What became of a value, in words.
fn describe(engine: &Engine, v: &Verdict) -> String {
    match &v.outcome {
        Outcome::Reported => match &engine.rules()[v.rule as usize].rule.preset {
            // A vendor preset's rule runs only on that vendor's exports.
            Some(p) => format!("reported in {p} exports (preset)"),
            None => "reported".into(),
        },
        Outcome::Rejected(v) => format!("rejected by validator {}", v.name()),
        Outcome::Redacted => "not reported: inside a redaction marker".into(),
        Outcome::NotProposed => "not reported: no keyword or trigger of the rule near it".into(),
        Outcome::Dominated(by) => format!(
            "not reported: {} reports the same bytes",
            engine.rules()[*by as usize].rule.id
        ),
    }
}

/// One verdict as JSON: like a finding, a masked `preview` always and the
/// raw `value` only with `reveal`.
fn why_json(engine: &Engine, v: &Verdict, text: &[u8], reveal: bool) -> serde_json::Value {
    let (outcome, detail) = match &v.outcome {
        Outcome::Reported => ("reported", None),
        Outcome::Rejected(val) => ("rejected", Some(val.name())),
        Outcome::Redacted => ("redacted", None),
        Outcome::NotProposed => ("not_proposed", None),
        Outcome::Dominated(by) => (
            "dominated",
            Some(engine.rules()[*by as usize].rule.id.clone()),
        ),
    };
    let rule = &engine.rules()[v.rule as usize].rule;
    let mut j = serde_json::json!({
        "rule": rule.id,
        "preset": rule.preset,
        "start": v.start,
        "end": v.end,
        "preview": shown_value(engine, v, text, false),
        "outcome": outcome,
        "by": detail,
    });
    if reveal {
        j["value"] = shown_value(engine, v, text, true).into();
    }
    j
}
