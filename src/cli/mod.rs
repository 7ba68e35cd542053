//! The `leakscope` command: argument parsing and one module per subcommand.

pub mod args;
mod cmd_redact;
mod cmd_rules;
mod cmd_scan;

use crate::rules::{load_rules, Rule, RuleSource};
use anyhow::Result;
use args::{Cli, Command, RuleArgs};
use clap::Parser;

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(a) => cmd_scan::run(a),
        Command::Redact(a) => cmd_redact::run(a),
        Command::Rules(c) => cmd_rules::run(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("leakscope: error: {e:#}");
            2
        }
    }
}

fn source(a: &RuleArgs) -> RuleSource {
    RuleSource {
        builtin: !a.no_builtin_rules,
        extra: a.rules.clone(),
    }
}

/// Loads the rules named by the common rule arguments.
fn rules_from(a: &RuleArgs) -> Result<Vec<Rule>> {
    load_rules(&source(a))
}

/// Loads the rules and the vendor presets named by the common rule
/// arguments, each file parsed once.
fn rule_set_from(a: &RuleArgs) -> Result<(Vec<Rule>, Vec<crate::rules::Preset>)> {
    crate::rules::load_rule_set(&source(a))
}
