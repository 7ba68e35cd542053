//! Named pattern fragments: the ways a key is joined to its value.
//!
//! Dozens of credential rules read "a key, then a separator, then the
//! value", and the separators are the subtle part (quotes around the key,
//! `:=` and `=>`, a Terraform variable's `default =`, a YAML child key). A
//! hand-written pattern names them as `(?&assign)`, `(?&tf_default)` or
//! `(?&yaml_child)` (and an identity number's label as `(?&id_label)`) and
//! the loader expands the name, so each separator is
//! written once, here, and context rules (see `context_rule`) use the same
//! text. `(?&name)` is not valid regex syntax, so a name cannot be mistaken
//! for part of a pattern.

use anyhow::{bail, Result};

/// The key's closing quote, an assignment (`=`, `:`, `:=`, `=>`) with
/// blanks around it, and the value's opening quote:
/// `API_KEY=`, `"api_key": "`, `api_key := '`, `'api_key' => '`.
pub const ASSIGN: &str = r#"["']?\s*(?::=|=>|[:=])\s*["']?"#;

/// A Terraform variable's default, after the variable's name:
/// `variable "db_password" {` … `default = "`.
pub const TF_DEFAULT: &str = r#"["']?\s*\{[^{}]{0,200}?\bdefault\s*=\s*["']?"#;

/// A YAML key that ends its line, then up to eight lines, then the
/// indentation (and opening quote) of a child key: `acme:` … `  `. The
/// pattern goes on with the child key's name and its `:`.
pub const YAML_CHILD: &str = r#"["']?:[ \t]*\r?\n(?:[^\n]*\n){0,8}?[ \t]+["']?"#;

/// What stands between the name of an identity number and the number:
/// `NHS number: `, `pesel is `, `"aadhaar_no": "`, `TC Kimlik No: `,
/// `TCKN numarası `, `NIE es `.
pub const ID_LABEL: &str = r#"(?:[ _.\-]?(?i:numbers?|num|nr|no|id|code|card|numero|número|nummer|numarası|numarasi)\.?)?["']?(?:\s+(?i:is|was|es|ist|est))?\s*(?::=|=>|[:=#])?\s*["']?\s*"#;

/// The fragments by name.
const FRAGMENTS: &[(&str, &str)] = &[
    ("assign", ASSIGN),
    ("id_label", ID_LABEL),
    ("tf_default", TF_DEFAULT),
    ("yaml_child", YAML_CHILD),
];

/// Replaces every `(?&name)` in `pattern` with its fragment, as a
/// non-capturing group; an unknown name is an error that lists the known.
pub fn expand(pattern: &str) -> Result<String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find("(?&") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let Some(close) = after.find(')') else {
            bail!("unclosed fragment reference `(?&` in pattern");
        };
        let name = &after[..close];
        let Some((_, text)) = FRAGMENTS.iter().find(|(n, _)| *n == name) else {
            let known: Vec<&str> = FRAGMENTS.iter().map(|(n, _)| *n).collect();
            bail!(
                "unknown fragment `(?&{name})` (known: {})",
                known.join(", ")
            );
        };
        out.push_str("(?:");
        out.push_str(text);
        out.push(')');
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::meta::Regex;

    fn value(pattern: &str, text: &str) -> Option<String> {
        let re = Regex::new(&expand(pattern).unwrap()).unwrap();
        let mut caps = re.create_captures();
        re.captures(text, &mut caps);
        caps.get_group(1).map(|s| text[s.range()].to_string())
    }

    #[test]
    fn names_expand_to_their_separators() {
        let p = r"(?i:acme_key)(?:(?&assign)|(?&tf_default))([0-9a-f]{8})";
        for text in [
            "ACME_KEY=1a2b3c4d",
            r#"{"acme_key": "1a2b3c4d"}"#,
            "acme_key := '1a2b3c4d'",
            "'acme_key' => '1a2b3c4d'",
            "variable \"acme_key\" {\n  type = string\n  default = \"1a2b3c4d\"\n}",
        ] {
            assert_eq!(value(p, text).as_deref(), Some("1a2b3c4d"), "{text}");
        }
        let yaml = r"acme(?&yaml_child)key:[ \t]*([0-9a-f]{8})";
        assert_eq!(
            value(yaml, "acme:\n  site: eu\n  key: 1a2b3c4d\n").as_deref(),
            Some("1a2b3c4d")
        );
        assert_eq!(value(p, "acme_key is 1a2b3c4d"), None);
    }

    #[test]
    fn unknown_or_unclosed_names_are_errors() {
        let err = expand("a(?&asign)b").unwrap_err().to_string();
        assert!(err.contains("asign") && err.contains("assign"), "{err}");
        assert!(expand("a(?&assign").is_err());
        assert_eq!(expand("no fragments").unwrap(), "no fragments");
    }
}
