//! Reading rule files: the embedded built-ins and any `--rules DIR`.

use super::Rule;
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// Where rules are loaded from.
#[derive(Debug, Clone, Default)]
pub struct RuleSource {
    /// Include the rules built into the binary.
    pub builtin: bool,
    /// Extra folders (or single files) of `*.toml` rule files.
    pub extra: Vec<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Rule>,
    #[serde(default)]
    preset: Vec<super::Preset>,
}

/// Parses one rule file; `origin` names it in errors and in each rule.
pub fn parse_rule_file(origin: &str, text: &str) -> Result<Vec<Rule>> {
    Ok(parse_file(origin, text)?.0)
}

/// One rule file's rules, completed, and its vendor presets.
fn parse_file(origin: &str, text: &str) -> Result<(Vec<Rule>, Vec<super::Preset>)> {
    let file: RuleFile =
        toml::from_str(text).with_context(|| format!("rule file {origin} is not valid"))?;
    let rules = file
        .rule
        .into_iter()
        .map(|mut r| {
            r.origin = origin.to_string();
            r.pattern = super::fragment::expand(&r.pattern)
                .with_context(|| format!("rule {}: pattern", r.id))?;
            super::context_rule::complete(&mut r)?;
            super::field_rule::complete(&mut r)?;
            Ok(r)
        })
        .collect::<Result<Vec<_>>>()
        .with_context(|| format!("rule file {origin}"))?;
    Ok((rules, file.preset))
}

/// Loads the rules from every source, in a stable order (built-ins first).
pub fn load_rules(src: &RuleSource) -> Result<Vec<Rule>> {
    Ok(load_rule_set(src)?.0)
}

/// Loads the rules and the vendor presets of every source, reading and
/// parsing each file once (a scan needs both; parsing the built-in files
/// twice was a sixth of its start-up), in a stable order (built-ins first).
pub fn load_rule_set(src: &RuleSource) -> Result<(Vec<Rule>, Vec<super::Preset>)> {
    let (mut rules, mut presets) = (Vec::new(), Vec::new());
    let mut add = |origin: &str, text: &str, builtin: bool| -> Result<()> {
        let (r, p) = parse_file(origin, text)?;
        rules.extend(r.into_iter().map(|r| Rule { builtin, ..r }));
        presets.extend(p);
        Ok(())
    };
    if src.builtin {
        for (name, text) in EMBEDDED {
            add(&format!("patterns/{name}"), text, true)?;
        }
    }
    for p in &src.extra {
        for file in rule_files(p)? {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read rule file {}", file.display()))?;
            add(&file.display().to_string(), &text, false)?;
        }
    }
    Ok((rules, presets))
}

fn rule_files(p: &Path) -> Result<Vec<PathBuf>> {
    if p.is_file() {
        return Ok(vec![p.to_path_buf()]);
    }
    if !p.is_dir() {
        bail!("rules path {} does not exist", p.display());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(p)
        .with_context(|| format!("cannot list rules folder {}", p.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| f.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_defaults_and_origin() {
        let rules = parse_rule_file(
            "t.toml",
            r#"
[[rule]]
id = "secret.test.tok"
name = "Test token"
category = "secret"
severity = "high"
keywords = ["tok_"]
pattern = 'tok_([a-z]{8})'
"#,
        )
        .unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].origin, "t.toml");
        assert_eq!(rules[0].window, crate::rules::Window::Both(256));
        assert!(rules[0].trigger.is_none());
    }

    #[test]
    fn expands_named_fragments_and_names_the_rule_of_an_unknown_one() {
        let file = |pattern: &str| {
            format!(
                "[[rule]]\nid='secret.t.x'\nname='x'\ncategory='secret'\nseverity='low'\nkeywords=['x']\npattern='{pattern}'\n"
            )
        };
        let rules = parse_rule_file("t.toml", &file(r"x(?&assign)([a-z]{4})")).unwrap();
        let expected = format!("x(?:{})([a-z]{{4}})", crate::rules::fragment::ASSIGN);
        assert_eq!(rules[0].pattern, expected);
        let err = parse_rule_file("t.toml", &file("x(?&nope)y")).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("secret.t.x") && msg.contains("nope"), "{msg}");
    }

    #[test]
    fn rejects_unknown_fields() {
        let err = parse_rule_file(
            "bad.toml",
            "[[rule]]\nid='a'\nname='a'\ncategory='pii'\nseverity='low'\npattern='a'\nkeyword=['x']\n",
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("bad.toml"));
    }
}
