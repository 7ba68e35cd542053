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
    /// List or check rules.
    #[command(subcommand)]
    Rules(RulesCommand),
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
    pub rules: RuleArgs,
    /// Include raw values in every output. Without it no raw value is written anywhere.
    #[arg(long)]
    pub reveal: bool,
    /// File holding the fingerprint key (else $LEAKSCOPE_KEY, else a stored random key).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// No progress bar, no summary on stderr, no per-file error lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Only scan files matching this glob (repeatable; relative path or file name).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and folders matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Binary files: scan their printable strings, or skip them.
    #[arg(long, value_enum, default_value = "strings")]
    pub binary: BinaryArg,
    /// Bytes per parallel chunk (memory per in-flight chunk).
    #[arg(long, default_value_t = 4 << 20, value_name = "BYTES", hide = true)]
    pub chunk_size: usize,
    /// Vendor export preset (mixpanel, amplitude, segment, ga4), mapping the
    /// vendor's fields to data categories; `auto` recognises it per file.
    #[arg(long, default_value = "auto", value_name = "NAME")]
    pub preset: String,
    /// Most bytes one archive (zip) may expand to, all members together.
    #[arg(long, default_value_t = 32 << 30, value_name = "BYTES")]
    pub max_archive_bytes: u64,
    /// Most decoded bytes per archive byte (beyond 64 MiB), against zip bombs.
    #[arg(long, default_value_t = 250, value_name = "N")]
    pub max_archive_ratio: u64,
    /// Also scan numeric Parquet columns (cards and phones stored as integers).
    #[arg(long)]
    pub scan_numbers: bool,
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
        /// Skip the per-rule throughput check.
        #[arg(long)]
        no_speed: bool,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}
