//! Sources: turning the paths a user gives into a list of inputs.
//!
//! Folders are walked recursively (not following links), version-control
//! folders are skipped, and `--include`/`--exclude` globs apply to the path
//! relative to the folder given as well as to the file name. A path that
//! cannot be read becomes an error entry, not a failed run.

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Folders never descended into.
const SKIP_DIRS: &[&str] = &[".git", ".hg", ".svn"];

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputKind {
    File(PathBuf),
    Stdin,
}

/// One input to scan.
#[derive(Debug, Clone)]
pub struct Input {
    pub kind: InputKind,
    /// The name used in reports: the path as reached from what the user gave.
    pub display: Arc<str>,
    /// Size on disk, when known (for progress).
    pub size: Option<u64>,
}

/// Inputs found, and paths that could not be listed.
#[derive(Debug, Default)]
pub struct Walk {
    pub inputs: Vec<Input>,
    pub errors: Vec<(String, String)>,
}

/// Include and exclude globs.
pub struct Filter {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl Filter {
    /// Builds the filter; a bad glob is an error naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self> {
        let build = |globs: &[String]| -> Result<GlobSet> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(Glob::new(g).with_context(|| format!("bad glob {g:?}"))?);
            }
            Ok(b.build()?)
        };
        Ok(Filter {
            include: if include.is_empty() {
                None
            } else {
                Some(build(include)?)
            },
            exclude: build(exclude)?,
        })
    }

    fn matches(set: &GlobSet, rel: &Path) -> bool {
        set.is_match(rel) || rel.file_name().is_some_and(|n| set.is_match(n))
    }

    fn excluded(&self, rel: &Path) -> bool {
        Self::matches(&self.exclude, rel)
    }

    fn included(&self, rel: &Path) -> bool {
        self.include.as_ref().is_none_or(|s| Self::matches(s, rel))
    }
}

/// Expands `paths` (`-` is stdin) into inputs, skipping anything under `skip`
/// (the report folder).
pub fn collect(paths: &[PathBuf], filter: &Filter, skip: Option<&Path>) -> Walk {
    let mut walk = Walk::default();
    let skip = skip.and_then(|p| p.canonicalize().ok());
    for p in paths {
        if p.as_os_str() == "-" {
            walk.inputs.push(Input {
                kind: InputKind::Stdin,
                display: "<stdin>".into(),
                size: None,
            });
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk_dir(p, filter, skip.as_deref(), &mut walk),
            Ok(m) => walk.inputs.push(file_input(p, Some(m.len()))),
            Err(e) => walk
                .errors
                .push((p.display().to_string(), format!("cannot read: {e}"))),
        }
    }
    walk
}

fn file_input(p: &Path, size: Option<u64>) -> Input {
    Input {
        kind: InputKind::File(p.to_path_buf()),
        display: p.display().to_string().into(),
        size,
    }
}

fn walk_dir(root: &Path, filter: &Filter, skip: Option<&Path>, walk: &mut Walk) {
    let it = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
            let is_dir = e.file_type().is_dir();
            let vcs = is_dir
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIP_DIRS.contains(&n));
            let skipped = skip.is_some_and(|s| e.path().canonicalize().is_ok_and(|c| c == s));
            !(vcs || skipped || (e.depth() > 0 && filter.excluded(rel)))
        });
    for entry in it {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                if filter.included(rel) {
                    walk.inputs
                        .push(file_input(e.path(), e.metadata().ok().map(|m| m.len())));
                }
            }
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                walk.errors.push((path, format!("cannot read: {e}")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_filters_and_skips_vcs_and_report_folders() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for f in [
            "a.log",
            "sub/b.ndjson",
            "sub/c.tmp",
            ".git/config",
            "report/findings.jsonl",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let names = |w: &Walk| -> Vec<String> {
            w.inputs
                .iter()
                .map(|i| {
                    i.display
                        .strip_prefix(&*root.display().to_string())
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        let all = collect(
            &[root.to_path_buf()],
            &Filter::new(&[], &["*.tmp".into()]).unwrap(),
            Some(&root.join("report")),
        );
        assert_eq!(names(&all), vec!["/a.log", "/sub/b.ndjson"]);
        let only = collect(
            &[root.to_path_buf()],
            &Filter::new(&["sub/**".into()], &[]).unwrap(),
            None,
        );
        assert_eq!(names(&only), vec!["/sub/b.ndjson", "/sub/c.tmp"]);
        let missing = collect(&[root.join("nope")], &Filter::new(&[], &[]).unwrap(), None);
        assert_eq!(missing.errors.len(), 1);
    }
}
