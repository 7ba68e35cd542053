//! Command-line arguments (clap derive), all in one place.

use crate::report::StdoutFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find personal data and credentials in exports and logs.
#[derive(Parser, Debug)]
#[command(name = "leakscope", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files, folders or stdin (`-`) and report findings.
    ///
    /// Exit codes: 0 nothing found, 1 findings, 2 an input could not be read
    /// (the others are still scanned and reported).
    Scan(ScanArgs),
    /// Write redacted copies of files or folders: same formats, mirrored
    /// tree, every value found replaced (inputs are never modified).
    ///
    /// Exit codes: 0 copies written, 2 an input could not be read or
    /// written (it gets no copy; the others are still written).
    Redact(RedactArgs),
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

/// How values are replaced in redacted copies.
#[derive(Args, Debug, Clone, Default)]
pub struct RedactOpts {
    /// Replacement for every value: mask ([EMAIL]), partial (j***@gmail.com),
    /// hash (keyed token tok_email_…), drop (null the field; text: mask).
    #[arg(long, value_name = "MODE")]
    pub mode: Option<String>,
    /// Mode for a category, data kind, rule id or id prefix, e.g.
    /// `pii=partial`, `pii.email=hash`, `secret.github=drop` (repeatable;
    /// the longest key wins).
    #[arg(long = "mode-for", value_name = "KEY=MODE")]
    pub mode_for: Vec<String>,
    /// A TOML config with a `[redact]` table (`mode`, `[redact.modes]`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Hard-link inputs in which nothing was found instead of copying them.
    #[arg(long)]
    pub link_unchanged: bool,
}

#[derive(Args, Debug)]
pub struct RedactArgs {
    /// Files or folders to copy redacted; `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The folder receiving the copies (must not be inside an input).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write findings.jsonl and summary.json into this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub redact: RedactOpts,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Where rules come from.
#[derive(Args, Debug, Clone)]
pub struct RuleArgs {
    /// Extra rule files or folders of `*.toml` rule files (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Use only the rules given with --rules.
    #[arg(long)]
    pub no_builtin_rules: bool,
}

/// Options every scanning command takes: rules, key, threads, quietness,
/// file filters, vendor preset.
#[derive(Args, Debug)]
pub struct CommonArgs {
    #[command(flatten)]
    pub rules: RuleArgs,
    /// File holding the key of fingerprints and hash tokens (else $LEAKSCOPE_KEY, else a stored random key).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar, no summary on stderr, no per-file error lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Only take files matching this glob (repeatable; relative path or file name).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and folders matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Vendor export preset (mixpanel, amplitude, segment, ga4), mapping the
    /// vendor's fields to data categories; `auto` recognises it per file.
    #[arg(long, default_value = "auto", value_name = "NAME")]
    pub preset: String,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files or folders to scan; `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write findings.jsonl and summary.json into this folder.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How findings are printed on stdout (default: human without --out, none with it).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<StdoutFormat>,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Include raw values in every output. Without it no raw value is written anywhere.
    #[arg(long)]
    pub reveal: bool,
    /// Binary files: scan their printable strings, or skip them.
    #[arg(long, value_enum, default_value = "strings")]
    pub binary: BinaryArg,
    /// Bytes per parallel chunk (memory per in-flight chunk).
    #[arg(long, default_value_t = 4 << 20, value_name = "BYTES", hide = true)]
    pub chunk_size: usize,
    /// Most bytes one archive (zip) may expand to, all members together.
    #[arg(long, default_value_t = 32 << 30, value_name = "BYTES")]
    pub max_archive_bytes: u64,
    /// Most decoded bytes per archive byte (beyond 64 MiB), against zip bombs.
    #[arg(long, default_value_t = 250, value_name = "N")]
    pub max_archive_ratio: u64,
    /// Also scan numeric Parquet columns (cards and phones stored as integers).
    #[arg(long)]
    pub scan_numbers: bool,
    /// Also write redacted copies of the inputs into this folder, in the
    /// same pass (see `leakscope redact`).
    #[arg(long, value_name = "DIR")]
    pub redact_to: Option<PathBuf>,
    #[command(flatten)]
    pub redact: RedactOpts,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryArg {
    Strings,
    Skip,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List the rules in force.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Check rules: examples match, negatives don't, ids unique, all compile, none slow.
    Check {
        #[command(flatten)]
        rules: RuleArgs,
        /// Skip the per-rule cost check (regex windows per MiB of a clean export).
        #[arg(long)]
        no_speed: bool,
    },
    /// Explain a text: each value a rule's pattern matches, and whether it is
    /// reported or which step dropped it (a validator, a redaction marker,
    /// no keyword near it, a more confident rule).
    Why {
        /// The text to explain; `-` reads stdin.
        #[arg(value_name = "TEXT")]
        text: String,
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format (json: one object per line).
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        /// Show the raw values instead of masked previews.
        #[arg(long)]
        reveal: bool,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}
