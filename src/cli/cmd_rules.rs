//! `leakscope rules list|check`.

use super::args::{ListFormat, RulesCommand};
use super::rules_from;
use crate::rules::check::check_rules;
use anyhow::Result;

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
    }
}
