//! Tables (CSV/TSV, Parquet): cells scanned in batches.
//!
//! A table's values are copied into a [`CellBatch`], one cell per line, so
//! one engine pass covers thousands of cells and no match can run from one
//! cell into the next. Each match is mapped back to its cell, giving the
//! record (1-based row) and the column. Columns whose *name* selects a field
//! rule (`first_name`, `city`) have each cell checked against the rule's value
//! regex as well: that is how names and places are found at all.

use super::{scan_buffer, BufScratch, Match};
use crate::engine::Engine;

/// The columns of a table and the field rules each one selects.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Column names (CSV header) or column paths (Parquet `context.ip`).
    pub names: Vec<String>,
    /// Field rules per column.
    pub rules: Vec<Vec<u32>>,
}

impl Columns {
    /// The columns `names`, with the field rules active under `preset`.
    pub fn new(engine: &Engine, names: Vec<String>, preset: Option<&str>) -> Self {
        let rules = names
            .iter()
            .map(|n| engine.field_rules(n, preset))
            .collect();
        Columns { names, rules }
    }
}

/// One value's place in a batch: `data[start..end]`, its row and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub start: usize,
    pub end: usize,
    /// 1-based record (data row).
    pub record: u64,
    pub column: u32,
}

/// Cells of consecutive records, values separated by `\n`.
#[derive(Debug, Default)]
pub struct CellBatch {
    /// Position of the batch in its table (results are reported in order).
    pub index: usize,
    pub data: Vec<u8>,
    pub cells: Vec<Cell>,
    /// The raw bytes of the batch's records, when kept for rewriting.
    pub raw: Option<RawRows>,
}

/// Raw bytes of consecutive records: where each record starts in `bytes`
/// (bytes before the first record, such as a header, are part of `bytes`).
#[derive(Debug, Default)]
pub struct RawRows {
    /// The 1-based record number of `rows[0]`.
    pub first: u64,
    pub bytes: Vec<u8>,
    pub rows: Vec<usize>,
}

impl CellBatch {
    /// Adds one value (empty values are not stored: nothing can be in them).
    pub fn push(&mut self, value: &[u8], record: u64, column: u32) {
        if value.is_empty() {
            return;
        }
        if !self.data.is_empty() {
            self.data.push(b'\n');
        }
        let start = self.data.len();
        self.data.extend_from_slice(value);
        self.cells.push(Cell {
            start,
            end: self.data.len(),
            record,
            column,
        });
    }
}

/// A match inside one cell; `m`'s span is relative to the cell's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellMatch {
    pub cell: usize,
    pub m: Match,
}

/// Scans every cell of `batch`: value rules over the joined data, then the
/// field rules of each cell's column on the whole (trimmed) value.
pub fn scan_cells(
    engine: &Engine,
    batch: &CellBatch,
    cols: &Columns,
    preset: Option<&str>,
    s: &mut BufScratch,
    out: &mut Vec<CellMatch>,
) {
    let mut matches = std::mem::take(&mut s.matches);
    matches.clear();
    s.engine.set_preset(preset);
    scan_buffer(engine, &batch.data, s, &mut matches);
    for m in matches.drain(..) {
        if !engine.rule_active(m.rule, preset) {
            continue;
        }
        let i = batch.cells.partition_point(|c| c.start <= m.start);
        let Some(cell) = i.checked_sub(1).map(|i| (i, batch.cells[i])) else {
            continue;
        };
        if m.end <= cell.1.end {
            out.push(CellMatch {
                cell: cell.0,
                m: Match {
                    start: m.start - cell.1.start,
                    end: m.end - cell.1.start,
                    ..m
                },
            });
        }
    }
    s.matches = matches;
    field_matches(engine, batch, cols, out);
}

/// Field-rule matches: whole cell values of columns that name a rule.
fn field_matches(engine: &Engine, batch: &CellBatch, cols: &Columns, out: &mut Vec<CellMatch>) {
    for (i, c) in batch.cells.iter().enumerate() {
        let Some(rules) = cols.rules.get(c.column as usize) else {
            continue;
        };
        if rules.is_empty() {
            continue;
        }
        let value = &batch.data[c.start..c.end];
        let lead = value.len() - value.trim_ascii_start().len();
        let trimmed = value.trim_ascii();
        for &rule in rules {
            if engine.field_value_ok(rule, trimmed) {
                out.push(CellMatch {
                    cell: i,
                    m: Match {
                        start: lead,
                        end: lead + trimmed.len(),
                        rule,
                        decoded: None,
                    },
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    const RULES: &str = r#"
[[rule]]
id = "secret.test.tok"
name = "t"
category = "secret"
severity = "high"
keywords = ["tok_"]
pattern = '\b(tok_[a-z]{6})\b'

[[rule]]
id = "pii.test_name"
name = "n"
category = "pii"
severity = "low"
fields = ["first_name"]
value = '[A-Za-z]{2,20}'
validate = ["known"]
"#;

    #[test]
    fn matches_map_to_cells_and_field_rules_check_values() {
        let engine = Engine::new(&parse_rule_file("t", RULES).unwrap()).unwrap();
        let cols = Columns::new(&engine, vec!["id".into(), "First_Name".into()], None);
        assert_eq!(cols.rules, vec![vec![], vec![1]]);
        let mut b = CellBatch::default();
        b.push(b"a tok_abcdef", 1, 0);
        b.push(b" Jane ", 1, 1);
        b.push(b"", 2, 0);
        b.push(b"unknown", 2, 1);
        b.push(b"tok_zzzzzz", 3, 0);
        let mut s = BufScratch::new(&engine);
        let mut out = Vec::new();
        scan_cells(&engine, &b, &cols, None, &mut s, &mut out);
        let got: Vec<(u64, u32, usize, usize, u32)> = out
            .iter()
            .map(|cm| {
                let c = b.cells[cm.cell];
                (c.record, c.column, cm.m.start, cm.m.end, cm.m.rule)
            })
            .collect();
        assert_eq!(
            got,
            vec![(1, 0, 2, 12, 0), (3, 0, 0, 10, 0), (1, 1, 1, 5, 1)]
        );
    }
}
