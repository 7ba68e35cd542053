//! The built-in rules pass `rules check`: every example matches through the
//! real scanning path, every negative example does not, ids are unique, and no
//! rule is slow or keyword-less without a trigger.

use leakscope::rules::{check::check_rules, load_rules, RuleSource};

#[test]
fn builtin_rules_pass_rules_check() {
    let rules = load_rules(&RuleSource {
        builtin: true,
        extra: vec![],
    })
    .unwrap();
    assert!(rules.len() >= 25, "only {} rules loaded", rules.len());
    let problems = check_rules(&rules, true);
    let report: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.rule, p.message))
        .collect();
    assert!(
        problems.is_empty(),
        "rules check failed:\n{}",
        report.join("\n")
    );
}
