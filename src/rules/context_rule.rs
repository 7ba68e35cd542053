//! Context rules: a credential found by the words of the key it is assigned to.
//!
//! Many vendors' keys are plain random strings (32 hex, 40 base62) that only
//! the name next to them gives away: `DATADOG_API_KEY=…`, `"sentry_token":
//! "…"`, `deepgram secret …`. Every such rule has the same shape — a context
//! word, more key characters or a few key words (`api`, `secret`, `token`…),
//! a separator, then the value — so a rule lists only its `context` words and
//! its `value` regex, and the shape is written once, here.

use super::{fragment, KeywordMatch, Rule};
use anyhow::{bail, Result};

/// After the context word: more key characters (`_API_KEY`, `.login`) or a
/// space and a key word (`appSecret`, ` token`, ` password`), at most 32
/// times, as many as the match allows: in `snowflake password = …` the
/// key is `snowflake password`, not `snowflake` with the value `password`.
const KEY_REST: &str =
    r"(?:[\w.\-]|[ \t](?i:api|app|private|secret|access|auth|key|token|pat|id|pass)\w*){0,32}";

/// Between key and value: an assignment (`=`, `:`, `:=`, `=>` with
/// optional quotes), a Terraform variable's default (`variable
/// "acme_token" {` … `default = "…"`), a credential-named child of a YAML
/// key (`acme:` … `  api_key: …`), a quoted argument pair (`'sonar.login',
/// '…'`, also with the value's own quotes inside: `'API_KEY', '"…"'`),
/// blanks, or a dash. The first three are the named fragments hand-written
/// rules use too (see [`fragment`]).
fn separator() -> String {
    use fragment::{ASSIGN, TF_DEFAULT, YAML_CHILD};
    let child_key =
        r#"[\w.\-]*(?i:key|token|secret|password|pat|auth)[\w.\-]*["']?[ \t]*:[ \t]*["']?"#;
    format!(r#"(?:{ASSIGN}|{TF_DEFAULT}|{YAML_CHILD}{child_key}|["']\s*,\s*["']{{1,2}}|[ \t]+|-)"#)
}

/// After the value: anything that cannot continue a key.
const VALUE_END: &str = r"(?:[^A-Za-z0-9_\-+/=]|$)";

/// Fills in `keywords` and `pattern` of a context rule; checks the others.
pub fn complete(r: &mut Rule) -> Result<()> {
    if r.context.is_empty() {
        return Ok(());
    }
    if !r.pattern.is_empty() || !r.keywords.is_empty() || !r.fields.is_empty() {
        bail!(
            "context rule {} must not set pattern, keywords or fields (they are made from `context` and `value`)",
            r.id
        );
    }
    if r.keyword_match == KeywordMatch::Anywhere {
        bail!(
            "context rule {} cannot set keyword_match = \"anywhere\" (its context words match at a word start, in any case)",
            r.id
        );
    }
    let Some(value) = &r.value else {
        bail!("context rule {} needs a `value` regex", r.id);
    };
    r.pattern = pattern(&r.context, value);
    r.keywords = r.context.clone();
    r.keyword_match = KeywordMatch::WordIgnoreCase;
    Ok(())
}

/// `(?i:word|word…)` + key rest + separator + `\b(value)` + end.
fn pattern(words: &[String], value: &str) -> String {
    let words: Vec<String> = words.iter().map(|w| regex_syntax::escape(w)).collect();
    format!(
        r"(?i:{}){KEY_REST}{}\b({value}){VALUE_END}",
        words.join("|"),
        separator()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::meta::Regex;

    fn value_in(text: &str) -> Option<String> {
        value_of(text, "[0-9a-f]{8}")
    }

    fn value_of(text: &str, value: &str) -> Option<String> {
        let re = Regex::new(&pattern(&["acme".into(), "acme.login".into()], value)).unwrap();
        let mut caps = re.create_captures();
        re.captures(text, &mut caps);
        caps.get_group(1).map(|s| text[s.range()].to_string())
    }

    #[test]
    fn key_words_after_a_blank_belong_to_the_key() {
        // With a value that could be any word, `password` must not be read
        // as the value of `acme password = …`.
        let any = r#"[^\s"'`]{8,64}"#;
        assert_eq!(
            value_of("acme password = Xk29fLmQ", any).as_deref(),
            Some("Xk29fLmQ")
        );
        assert_eq!(value_of("acme-Xk29fLmQ", any).as_deref(), Some("Xk29fLmQ"));
    }

    #[test]
    fn context_words_cannot_match_inside_words() {
        let file = |how: &str| {
            format!("[[rule]]\nid='secret.t.x'\nname='x'\ncategory='secret'\nseverity='low'\ncontext=['acme']\nvalue='[0-9a-f]{{8}}'\nkeyword_match='{how}'\n")
        };
        let err = super::super::load::parse_rule_file("t.toml", &file("anywhere")).unwrap_err();
        assert!(format!("{err:#}").contains("secret.t.x"), "{err:#}");
        let ok = super::super::load::parse_rule_file("t.toml", &file("word")).unwrap();
        assert_eq!(ok[0].keyword_match, KeywordMatch::WordIgnoreCase);
    }

    #[test]
    fn key_shapes_and_separators() {
        for text in [
            "ACME_API_KEY=1a2b3c4d",
            r#"{"acme_token": "1a2b3c4d"}"#,
            "acme appSecret = '1a2b3c4d'",
            "-Dacme.login=1a2b3c4d",
            "setProperty('acme.login', '1a2b3c4d')",
            "acme token 1a2b3c4d",
            "variable \"acme_token\" {\n  type = string\n  default = \"1a2b3c4d\"\n}",
            "acme:\n  site: eu\n  api_key: 1a2b3c4d\n",
        ] {
            assert_eq!(value_in(text).as_deref(), Some("1a2b3c4d"), "{text}");
        }
        for text in ["acme=1a2b3c4d5", "acme is 1a2b3c4d", "acme=1a2b3c4"] {
            assert_eq!(value_in(text), None, "{text}");
        }
    }
}
