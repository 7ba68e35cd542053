//! Detection quality on public labelled examples (`../shared/testdata/labelled`),
//! scanned as files the way a user would. Per source: recall on the positives
//! whose kind a built-in rule covers, the share of negatives flagged, the
//! kinds not covered yet, and the misses by the step that dropped them
//! (`Engine::explain`). Skips with a message when `../shared` is absent.

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/labelled");

/// Upstream secret kinds (matched on the lowercased example `name`) and the
/// prefixes of the rule ids that cover them.
const SECRET_KINDS: &[(&str, &[&str])] = &[
    ("github", &["secret.github."]),
    ("aws session token", &["secret.aws.session_token"]),
    ("aws access key", &["secret.aws.access_key_id"]),
    ("aws secret", &["secret.aws.secret_access_key"]),
    ("aws appsync", &["secret.aws.appsync_api_key"]),
    ("mws auth token", &["secret.amazon.mws_auth_token"]),
    (
        "hardcoded gradle credentials",
        &["secret.gradle.", "secret.generic.password"],
    ),
    ("azure openai api key", &["secret.azure.openai_key"]),
    ("openai", &["secret.openai."]),
    ("anthropic", &["secret.anthropic."]),
    ("slack webhook", &["secret.slack.webhook"]),
    ("slack", &["secret.slack."]),
    ("stripe", &["secret.stripe."]),
    ("google api key", &["secret.google.api_key"]),
    ("google oauth", &["secret.google."]),
    ("sendgrid", &["secret.sendgrid."]),
    ("twilio", &["secret.twilio."]),
    ("npm", &["secret.npm."]),
    ("json web token secret", &["secret.hmac.jwt_secret"]),
    ("mongodb api private key", &["secret.mongodb."]),
    ("json web token", &["secret.jwt"]),
    ("jwt", &["secret.jwt"]),
    ("wireguard", &["secret.wireguard."]),
    ("pem-encoded private key", &["secret.private_key"]),
    ("private key", &["secret.private_key"]),
    ("postgres", &["secret.connection_string."]),
    ("credentials in a url", &["secret.connection_string."]),
    (
        "uri with username and secret",
        &["secret.connection_string."],
    ),
    ("mysql", &["secret.connection_string."]),
    ("mongodb", &["secret.connection_string."]),
    ("redis", &["secret.connection_string."]),
    ("amqp", &["secret.connection_string."]),
    // Nosey Parker's ODBC examples are `Pwd=`/`$password =` assignments:
    // the generic password rule reads those keys.
    (
        "odbc connection string",
        &["secret.connection_string.", "secret.generic.password"],
    ),
    ("bearer", &["secret.http.bearer_token"]),
    ("age identity", &["secret.age."]),
    ("artifactory", &["secret.jfrog."]),
    ("atlassian", &["secret.atlassian."]),
    ("jira token", &["secret.atlassian."]),
    ("auth0", &["secret.auth0."]),
    (
        "azure app configuration",
        &["secret.azure.app_config_connection_string"],
    ),
    ("azure connection string", &["secret.azure."]),
    (
        "azure storage account key",
        &["secret.azure.storage_account_key"],
    ),
    (
        "azure devops personal access token",
        &["secret.azure.devops"],
    ),
    ("azure personal access token", &["secret.azure.devops"]),
    ("bitbucket app password", &["secret.bitbucket."]),
    ("databricks", &["secret.databricks."]),
    ("digitalocean", &["secret.digitalocean."]),
    ("django secret key", &["secret.django."]),
    ("docker hub", &["secret.dockerhub."]),
    ("doppler", &["secret.doppler."]),
    ("dropbox", &["secret.dropbox."]),
    ("dynatrace", &["secret.dynatrace."]),
    ("facebook access token", &["secret.facebook.access_token"]),
    ("facebook secret key", &["secret.facebook.app_secret"]),
    ("figma", &["secret.figma."]),
    ("gitlab", &["secret.gitlab."]),
    ("grafana", &["secret.grafana."]),
    ("groq", &["secret.groq."]),
    ("hashicorp vault", &["secret.vault."]),
    ("heroku", &["secret.heroku."]),
    ("huggingface", &["secret.huggingface."]),
    ("kubernetes bootstrap token", &["secret.kubernetes."]),
    ("mailchimp", &["secret.mailchimp."]),
    ("mailgun", &["secret.mailgun."]),
    ("mapbox", &["secret.mapbox."]),
    ("microsoft teams webhook", &["secret.teams."]),
    ("new relic", &["secret.newrelic."]),
    ("nuget", &["secret.nuget."]),
    ("okta api token", &["secret.okta."]),
    ("postman", &["secret.postman."]),
    ("postmark", &["secret.postmark."]),
    ("pypi", &["secret.pypi."]),
    ("rubygems", &["secret.rubygems."]),
    ("salesforce access", &["secret.salesforce."]),
    ("shopify", &["secret.shopify."]),
    ("sonarqube", &["secret.sonar."]),
    ("sonarcloud", &["secret.sonar."]),
    ("sourcegraph access token", &["secret.sourcegraph."]),
    ("sourcegraph api key", &["secret.sourcegraph."]),
    ("square access token", &["secret.square."]),
    ("square oauth secret", &["secret.square."]),
    ("telegram", &["secret.telegram."]),
    ("twitter secret key", &["secret.twitter."]),
    ("crates.io", &["secret.crates_io."]),
    ("netrc", &["secret.netrc."]),
    ("paypal oauth secret", &["secret.paypal."]),
    ("alibaba", &["secret.alibaba."]),
    ("cloudflare", &["secret.cloudflare."]),
    ("circleci", &["secret.circleci."]),
    ("datadog", &["secret.datadog."]),
    ("sentry", &["secret.sentry."]),
    ("supabase", &["secret.supabase."]),
    ("planetscale api token", &["secret.planetscale."]),
    ("airtable", &["secret.airtable."]),
    ("sendinblue", &["secret.brevo."]),
    ("intercom", &["secret.intercom."]),
    ("launchdarkly", &["secret.launchdarkly."]),
    ("algolia admin", &["secret.algolia."]),
    ("typeform", &["secret.typeform."]),
    ("frame.io", &["secret.frameio."]),
    ("contentful", &["secret.contentful."]),
    ("netlify", &["secret.netlify."]),
    ("vercel", &["secret.vercel."]),
    ("easypost", &["secret.easypost."]),
    ("shippo", &["secret.shippo."]),
    ("linear api key", &["secret.linear."]),
    ("notion", &["secret.notion."]),
    ("hubspot", &["secret.hubspot."]),
    ("terraform cloud", &["secret.terraform."]),
    ("travis", &["secret.travis."]),
    ("buildkite", &["secret.buildkite."]),
    ("gocardless", &["secret.gocardless."]),
    ("elevenlabs", &["secret.elevenlabs."]),
    ("deepgram", &["secret.deepgram."]),
    ("assemblyai", &["secret.assemblyai."]),
    ("weights & biases", &["secret.wandb."]),
    ("sparkpost", &["secret.sparkpost."]),
    ("messagebird", &["secret.messagebird."]),
    ("mandrill", &["secret.mandrill."]),
    ("posthog", &["secret.posthog."]),
    ("honeycomb", &["secret.honeycomb."]),
    ("bugsnag", &["secret.bugsnag."]),
    ("pagerduty", &["secret.pagerduty."]),
    ("logz.io", &["secret.logzio."]),
    ("splunk", &["secret.splunk."]),
    (
        "segment public api token",
        &["secret.segment.public_api_token"],
    ),
    ("segment", &["secret.segment."]),
    ("line messaging", &["secret.line."]),
    ("line notify", &["secret.line."]),
    ("scaleway", &["secret.scaleway."]),
    ("vultr", &["secret.vultr."]),
    ("ibm cloud", &["secret.ibm."]),
    ("discord bot token", &["secret.discord."]),
    ("discord webhook", &["secret.discord."]),
    ("ngrok", &["secret.ngrok."]),
    ("clickup", &["secret.clickup."]),
    ("pulumi", &["secret.pulumi."]),
    ("prefect", &["secret.prefect."]),
    ("tailscale", &["secret.tailscale."]),
    ("replicate", &["secret.replicate."]),
    ("xai api key", &["secret.xai."]),
    ("perplexity", &["secret.perplexity."]),
    ("password hash", &["secret.password_hash."]),
    ("tavily", &["secret.tavily."]),
    ("firecrawl", &["secret.firecrawl."]),
    ("jina", &["secret.jina."]),
    ("adafruit", &["secret.adafruit."]),
    ("dependency-track", &["secret.dependency_track."]),
    ("twitch stream key", &["secret.twitch."]),
    ("particle.io", &["secret.particle."]),
    ("jenkins token", &["secret.jenkins."]),
    (
        "jenkins setup admin password",
        &["secret.jenkins.initial_admin_password"],
    ),
    ("blynk", &["secret.blynk."]),
    ("thingsboard", &["secret.thingsboard."]),
    ("truenas", &["secret.truenas."]),
    ("codeclimate", &["secret.codeclimate."]),
    ("stackhawk", &["secret.stackhawk."]),
    ("teamcity", &["secret.teamcity."]),
    ("vault unseal", &["secret.vault.unseal_key"]),
    ("kagi", &["secret.kagi."]),
    ("nvapi", &["secret.nvidia."]),
    ("adobe oauth client secret", &["secret.adobe."]),
    ("linkedin secret", &["secret.linkedin."]),
    ("sauce", &["secret.saucelabs."]),
    ("nasa api key", &["secret.nasa."]),
    // PHPMailer and .NET settings hold passwords in assignments and
    // connection strings: the generic, URL and .NET rules read them.
    ("phpmailer", &["secret.generic.password"]),
    (
        "sensitive value in .net",
        &["secret.dotnet.", "secret.generic."],
    ),
    (
        "connection string in .net",
        &["secret.connection_string.", "secret.generic.password"],
    ),
    ("asana oauth", &["secret.asana."]),
    ("paystack", &["secret.paystack."]),
    ("readme api key", &["secret.readme."]),
    ("snowflake password", &["secret.snowflake."]),
    ("http basic authentication", &["secret.http.basic_auth"]),
    ("psexec", &["secret.windows.psexec_password"]),
    ("connect-viserver", &["secret.vmware.viserver_password"]),
    ("networkcredential", &["secret.dotnet.network_credential"]),
    ("directoryentry", &["secret.dotnet.directory_entry"]),
    // Password assignments next to a user name, and URLs with credentials:
    // the password is the secret our generic and URL rules report.
    ("generic username and password", &["secret.generic."]),
    ("react app password", &["secret.generic."]),
    ("ftp uri password", &["secret.connection_string."]),
    (
        "uri with username and secret",
        &["secret.connection_string."],
    ),
    ("rabbitmq credential", &["secret.connection_string."]),
    ("generic api key", &["secret.generic."]),
    ("generic password", &["secret.generic."]),
    ("generic secret", &["secret.generic."]),
    // Gitalk's config holds a GitHub OAuth app's 40-hex client secret.
    ("gitalk", &["secret.generic.secret_hex"]),
];

/// Upstream kinds that share a provider word with a rule above but are a
/// different credential we do not cover yet.
const NOT_COVERED: &[&str] = &[
    "client id",
    "azure search",
    "host",
    "mongodb api public",
    "mongodb atlas",
    "private key id",
    "account id",
    "s3 bucket",
    "resource name",
    "old format",
    "formio",
    "stripo",
    "publishable",
    "api credentials",
    "aws api key",
    "mapbox public",
    "age recipient",
    "domain",
    "react app username",
    "planetscale username",
    "snowflake username",
    // Identifiers and webhook kinds without a rule; other kinds named "URL"
    // (Postgres URLs with a password, JWTs "base64url-encoded") are covered.
    "jfrog url",
    "search url",
    "instance url",
    "tines webhook",
    "zapier webhook",
    "org name",
    "account name",
    "product id",
    "application id",
    "bot id",
    "organization id",
];

/// Presidio's national identity numbers that our context rules read. They
/// are scored on their own line and not claimed: most of Presidio's
/// examples are bare numbers (`130692544`), and a bare 9-digit number that
/// passes a Luhn check is not a SIN, one in ten numbers does; our rules ask
/// for the number's name or field and then its check digits.
const ID_KINDS: &[(&str, &[&str])] = &[
    ("UK_NHS", &["pii.uk_nhs_number"]),
    ("IN_AADHAAR", &["pii.in_aadhaar"]),
    ("PL_PESEL", &["pii.pl_pesel"]),
    ("SE_PERSONNUMMER", &["pii.se_personnummer"]),
    ("FI_PERSONAL_IDENTITY_CODE", &["pii.fi_hetu"]),
    ("ES_NIF", &["pii.es_dni_nie"]),
    ("ES_NIE", &["pii.es_dni_nie"]),
    ("IT_FISCAL_CODE", &["pii.it_codice_fiscale"]),
    ("TR_NATIONAL_ID", &["pii.tr_tckn"]),
    ("CA_SIN", &["pii.ca_sin"]),
    ("SG_NRIC_FIN", &["pii.sg_nric"]),
    ("ZA_ID_NUMBER", &["pii.za_id"]),
    ("US_NPI", &["pii.us_npi"]),
    ("ABA_ROUTING_NUMBER", &["pii.us_aba_routing"]),
    ("AU_TFN", &["pii.au_tfn"]),
    ("KR_RRN", &["pii.kr_rrn"]),
];

/// Presidio entity types we claim, and the rules that cover them.
const PII_KINDS: &[(&str, &[&str])] = &[
    ("EMAIL_ADDRESS", &["pii.email", "pii.email_urlencoded"]),
    ("PHONE_NUMBER", &["pii.phone"]),
    ("CREDIT_CARD", &["pii.credit_card"]),
    ("IBAN_CODE", &["pii.iban"]),
    ("US_SSN", &["pii.us_ssn"]),
    ("IP_ADDRESS", &["pii.ipv4", "pii.ipv6"]),
    ("MAC_ADDRESS", &["pii.mac_address"]),
    ("UK_NINO", &["pii.uk_nino"]),
    ("US_ITIN", &["pii.us_itin"]),
];

struct Example {
    /// The rule ids (or id prefixes) that cover it; empty when not covered.
    covered_by: Vec<String>,
    /// The upstream kind, for the list of uncovered kinds.
    kind: String,
    should_flag: bool,
    text: String,
}

#[derive(Default, Debug)]
struct Score {
    positives: u64,
    found: u64,
    negatives: u64,
    flagged: u64,
    uncovered: BTreeMap<String, u64>,
    /// Missed positives by the step that dropped them (`rules why`).
    misses: BTreeMap<String, u64>,
}

impl Score {
    fn recall(&self) -> f64 {
        self.found as f64 / self.positives.max(1) as f64
    }
    fn fp_rate(&self) -> f64 {
        self.flagged as f64 / self.negatives.max(1) as f64
    }
}

fn read(name: &str) -> Vec<Value> {
    std::fs::read_to_string(Path::new(DIR).join(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The examples of one secrets file. A negative whose text the same file
/// lists as a positive, exactly or but for its quote marks, says nothing
/// about false positives and is left out: a sibling kind's example (the
/// upstream rules are per format version), or the same password in another
/// quoting style (`password = "super$ecret"` is a positive of Nosey Parker's
/// generic rule, which only reads double-quoted values, and
/// `password = 'super$ecret'` one of its negatives).
fn secret_examples(name: &str) -> Vec<Example> {
    let rows = read(name);
    let unquoted = |v: &Value| v["text"].as_str().unwrap().replace(['"', '\''], "");
    let positives: BTreeSet<String> = rows
        .iter()
        .filter(|v| v["should_flag"] == true)
        .map(unquoted)
        .collect();
    rows.iter()
        .filter(|v| v["should_flag"] == true || !positives.contains(&unquoted(v)))
        .map(|v| {
            let kind = v["name"].as_str().unwrap_or_default().to_string();
            let lower = kind.to_lowercase();
            let excluded = NOT_COVERED.iter().any(|x| lower.contains(x));
            let covered_by = SECRET_KINDS
                .iter()
                .find(|(k, _)| !excluded && lower.contains(k))
                .map(|(_, rules)| rules.iter().map(|r| r.to_string()).collect())
                .unwrap_or_default();
            Example {
                covered_by,
                kind,
                should_flag: v["should_flag"] == true,
                text: v["text"].as_str().unwrap().into(),
            }
        })
        .collect()
}

fn pii_examples(kinds: &[(&str, &[&str])]) -> Vec<Example> {
    read("pii-presidio.jsonl")
        .into_iter()
        .map(|v| {
            let entities: Vec<&str> = v["entities"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let covered_by = kinds
                .iter()
                .filter(|(e, _)| entities.contains(e))
                .flat_map(|(_, rules)| rules.iter().map(|r| r.to_string()))
                .collect();
            Example {
                covered_by,
                kind: entities.join("+"),
                should_flag: v["should_flag"] == true,
                text: v["text"].as_str().unwrap().into(),
            }
        })
        .collect()
}

/// Writes every example to its own file, scans the folder once, and returns
/// the rule ids found per example index.
fn scan_examples(examples: &[Example]) -> HashMap<usize, BTreeSet<String>> {
    let dir = tempfile::tempdir().unwrap();
    for (i, e) in examples.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i:05}.txt")), &e.text).unwrap();
    }
    let (engine, sink) = common::scan_dir_collect(dir.path(), 1 << 20);
    let mut found: HashMap<usize, BTreeSet<String>> = HashMap::new();
    for f in sink.findings.into_inner().unwrap() {
        let name = PathBuf::from(&*f.location.path);
        let idx: usize = name.file_stem().unwrap().to_str().unwrap().parse().unwrap();
        found
            .entry(idx)
            .or_default()
            .insert(engine.rules()[f.rule as usize].rule.id.clone());
    }
    found
}

fn score(examples: &[Example], pii: bool) -> Score {
    let found = scan_examples(examples);
    let mut s = Score::default();
    for (i, e) in examples.iter().enumerate() {
        let rules = found.get(&i).cloned().unwrap_or_default();
        let hit = |prefixes: &[String]| {
            rules
                .iter()
                .any(|r| prefixes.iter().any(|p| r.starts_with(p.as_str())))
        };
        match (e.should_flag, e.covered_by.is_empty()) {
            (true, true) => *s.uncovered.entry(e.kind.clone()).or_default() += 1,
            (true, false) => {
                s.positives += 1;
                s.found += u64::from(hit(&e.covered_by));
                if !hit(&e.covered_by) {
                    let why = miss_reason(e);
                    if std::env::var_os("LABELLED_VERBOSE").is_some() {
                        println!(
                            "MISSED {}",
                            serde_json::json!({"k": e.kind, "p": e.covered_by, "why": why, "t": e.text})
                        );
                    }
                    *s.misses.entry(why).or_default() += 1;
                }
            }
            // PII negatives count for the entity types we claim; secret
            // negatives count whatever they illustrate.
            (false, _) if pii && e.covered_by.is_empty() => {}
            (false, _) => {
                s.negatives += 1;
                let flagged = if pii {
                    hit(&e.covered_by)
                } else {
                    rules.iter().any(|r| r.starts_with("secret."))
                };
                s.flagged += u64::from(flagged);
                if flagged && std::env::var_os("LABELLED_VERBOSE").is_some() {
                    println!(
                        "FLAGGED {} {:?} {:?}",
                        e.kind,
                        rules,
                        e.text.chars().take(160).collect::<String>()
                    );
                }
            }
        }
    }
    s
}

/// Why the covering rules did not report a missed positive: the first
/// validator that rejected a value their patterns match, else another step
/// (see `leakscope rules why`), else no match of their patterns at all.
fn miss_reason(e: &Example) -> String {
    use leakscope::engine::explain::Outcome;
    let engine = common::engine();
    let covering = |rule: u32| {
        let id = &engine.rules()[rule as usize].rule.id;
        e.covered_by.iter().any(|p| id.starts_with(p.as_str()))
    };
    let outcomes: Vec<Outcome> = engine
        .explain(e.text.as_bytes())
        .into_iter()
        .filter(|v| covering(v.rule))
        .map(|v| v.outcome)
        .collect();
    let first = |want: fn(&Outcome) -> bool| outcomes.iter().find(|o| want(o));
    if let Some(Outcome::Rejected(v)) = first(|o| matches!(o, Outcome::Rejected(_))) {
        return format!(
            "validator {}",
            v.name().split(':').next().unwrap_or_default()
        );
    }
    match first(|o| !matches!(o, Outcome::Reported)) {
        Some(Outcome::Dominated(_)) => "dominated".into(),
        Some(Outcome::Redacted) => "redaction marker".into(),
        Some(Outcome::NotProposed) => "no keyword near it".into(),
        _ => "pattern does not match".into(),
    }
}

fn report(source: &str, s: &Score) {
    println!(
        "{source:<30} covered positives {:>5}  recall {:.3}  negatives {:>4}  flagged {:.3}  uncovered kinds {}",
        s.positives,
        s.recall(),
        s.negatives,
        s.fp_rate(),
        s.uncovered.len()
    );
    let list: Vec<String> = s
        .uncovered
        .iter()
        .map(|(k, n)| format!("{k} ({n})"))
        .collect();
    println!("  not covered: {}", list.join(", "));
    let misses: Vec<String> = s.misses.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("  misses by reason: {}", misses.join(", "));
}

#[test]
fn labelled_examples_recall_and_false_positives() {
    if !Path::new(DIR).exists() {
        eprintln!("skipping: {DIR} is absent (the shared test data sits beside the project)");
        return;
    }
    let np = score(&secret_examples("secrets-noseyparker.jsonl"), false);
    let kf = score(&secret_examples("secrets-kingfisher-v1.jsonl"), false);
    let pii = score(&pii_examples(PII_KINDS), true);
    let ids = score(&pii_examples(ID_KINDS), true);
    report("secrets-noseyparker.jsonl", &np);
    report("secrets-kingfisher-v1.jsonl", &kf);
    report("pii-presidio.jsonl", &pii);
    report("pii-presidio.jsonl national ids", &ids);
    // Floors under today's figures, so a regression fails. The issue's
    // targets (0.95 recall, <= 2% flagged) are not met: most misses are
    // upstream fakes our placeholder and checksum validators reject on
    // purpose (README, "Measured quality").
    assert!(np.recall() >= 0.86, "noseyparker recall {:.3}", np.recall());
    assert!(kf.recall() >= 0.77, "kingfisher recall {:.3}", kf.recall());
    assert!(pii.recall() >= 0.83, "presidio recall {:.3}", pii.recall());
    // The Nosey Parker negatives we flag are real-format credentials its
    // own regexes skip (Auth0, New Relic NRAL, Entra, a Gitalk config's
    // GitHub OAuth client secret): 4 of 119.
    assert!(
        np.fp_rate() <= 0.034 && kf.fp_rate() <= 0.02,
        "secret negatives flagged: {:.3} / {:.3}",
        np.fp_rate(),
        kf.fp_rate()
    );
    assert!(
        pii.fp_rate() <= 0.05,
        "presidio negatives flagged {:.3}",
        pii.fp_rate()
    );
    // National ids: the examples that name the number, and bare Finnish
    // and Italian codes, are found (49 of 135; the rest are bare numbers),
    // and no invalid number is.
    assert!(
        ids.recall() >= 0.35,
        "national id recall {:.3}",
        ids.recall()
    );
    assert_eq!(ids.flagged, 0, "national id negatives flagged");
}
