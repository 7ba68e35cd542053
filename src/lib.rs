//! leakscope: find personal data and credentials in exports and logs.
//!
//! The pipeline, one module per stage (see `design.md`):
//! `source` (walk inputs) → `decompress` (gzip/zstd by magic bytes) →
//! `decode` (records: lines, NDJSON) → `engine` (keyword prefilter, windowed
//! regex, validators) → `finding` (locations, previews, fingerprints) →
//! `report` (findings.jsonl, summary.json, human output); `redact` writes
//! redacted copies from the same pass.

pub mod archive;
pub mod cli;
pub mod corpus;
pub mod decode;
pub mod decompress;
pub mod engine;
pub mod finding;
pub mod guard;
pub mod key;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod validate;
