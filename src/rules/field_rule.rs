//! Field-aware rules: data found by the name of its field, not its shape.
//!
//! Names of people, cities, device ids and user agents look like any other
//! text; what gives them away is the field they sit in (`first_name`,
//! `$city`, `idfa`). A field rule lists those names and a `value` regex that a
//! plausible value matches whole. In CSV and Parquet the column name is known
//! up front, so the value check runs on the cells of matching columns. In
//! NDJSON and JSON the quoted key appears literally next to its value, so the
//! rule is completed here into an ordinary keyword rule: the keywords are the
//! quoted keys and the pattern `"key"\s*:\s*"(value)"`. For quoted values
//! the engine reads the value straight after the key instead of searching
//! with that pattern (`Engine::field_hit`, same hits); numeric ones use it.

use super::Rule;
use anyhow::{bail, Result};

/// Fills in `keywords` and `pattern` of a field rule; checks the others.
pub fn complete(r: &mut Rule) -> Result<()> {
    if r.fields.is_empty() {
        if r.pattern.is_empty() {
            bail!("rule {} has neither a pattern nor fields", r.id);
        }
        return Ok(());
    }
    let Some(value) = &r.value else {
        bail!("field rule {} needs a `value` regex", r.id);
    };
    if !r.pattern.is_empty() || !r.keywords.is_empty() {
        bail!(
            "field rule {} must not set pattern or keywords (they are made from `fields`)",
            r.id
        );
    }
    let names: Vec<String> = r.fields.iter().map(|f| regex_syntax::escape(f)).collect();
    let quote = if r.numeric { "\"?" } else { "\"" };
    r.pattern = format!(
        r#""(?:{})"\s*:\s*{quote}({value}){quote}(?:[\s,}}\]"]|$)"#,
        names.join("|")
    );
    r.keywords = r.fields.iter().map(|f| format!("\"{f}\"")).collect();
    Ok(())
}

/// True when `field` (a JSON path, CSV column or Parquet column path) names
/// one of `names`: its last part (after the last `.`, without `[]`/`[n]`
/// and quotes) equals a name, ignoring ASCII case.
pub fn field_matches(names: &[String], field: &str) -> bool {
    let last = last_part(field);
    names.iter().any(|n| n.eq_ignore_ascii_case(last))
}

/// The last key of a field path: `$.properties.$city` → `$city`,
/// `tags[]` → `tags`, `$['a b']` → `a b`.
pub fn last_part(field: &str) -> &str {
    let mut f = field;
    while let Some(open) = f.rfind('[') {
        let inner = &f[open + 1..f.len().saturating_sub(1)];
        let quoted = inner.starts_with('"') || inner.starts_with('\'');
        if f.ends_with(']') && quoted && inner.len() >= 2 {
            return &inner[1..inner.len() - 1];
        }
        if f.ends_with(']') {
            f = &f[..open];
        } else {
            break;
        }
    }
    match f.rfind('.') {
        Some(i) => &f[i + 1..],
        None => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_parts() {
        assert_eq!(last_part("$.properties.$city"), "$city");
        assert_eq!(last_part("tags[]"), "tags");
        assert_eq!(last_part("$[3].user.first_name"), "first_name");
        assert_eq!(last_part("$.a[2][0]"), "a");
        assert_eq!(last_part(r#"$["a.b"]"#), "a.b");
        assert_eq!(last_part("$.x['a b']"), "a b");
        assert_eq!(last_part("City"), "City");
    }

    #[test]
    fn matches_ignore_case() {
        let names = vec!["first_name".to_string(), "$city".to_string()];
        assert!(field_matches(&names, "FIRST_NAME"));
        assert!(field_matches(&names, "$.properties.$city"));
        assert!(!field_matches(&names, "$.properties.city"));
        assert!(!field_matches(&names, "first_name_hash.x"));
    }
}
