//! Parquet: string and binary columns (nested ones too) read with the arrow
//! reader in batches, decoded in file order by the reading thread and
//! scanned as table cells in parallel (so a file of one row group still uses
//! every thread).
//!
//! * Only the leaf columns that can hold text are read (BYTE_ARRAY), plus
//!   numeric ones with `--scan-numbers` (cards and phones stored as
//!   integers) or when their name selects a field rule (`location_lat`).
//! * String columns are read as dictionary arrays where every data page is
//!   dictionary-encoded, so each distinct value is scanned once per batch and
//!   its hits are mapped back to every row that uses it.
//! * Nested columns are flattened to paths: `context.referrer` (struct),
//!   `tags[]` (list), `properties.$city` (map value under its key).
//! * Memory is bounded by the batches in flight, not by the file or a row
//!   group.
//! * Encrypted files are reported as unreadable; decoder panics on corrupt
//!   files become per-file errors ([`crate::guard`]).

use super::table::{scan_cells, CellBatch, CellMatch, Columns};
use super::{BufScratch, Match};
use crate::engine::Engine;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Fields, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use parquet::basic::Type as Physical;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

/// One match in a table cell, with the row's user when the preset names one.
pub struct Hit<'a> {
    /// 1-based row of the file.
    pub record: u64,
    /// Column path (`context.referrer`, `tags[]`).
    pub field: &'a Arc<str>,
    pub m: &'a Match,
    /// The cell's value (the match's offsets point into it).
    pub value: &'a [u8],
    /// The value of the row's subject column (`user_id`), if any.
    pub subject: Option<&'a [u8]>,
    /// How many hits the batch has (to size the receiver's buffer once).
    pub batch_hits: usize,
}

/// Receives each match, in row order within a batch.
pub type Emit<'a> = dyn FnMut(Hit) + 'a;

/// A match waiting for its batch to be sorted by row.
struct Pending {
    row: u64,
    field: Arc<str>,
    m: Match,
    value: Vec<u8>,
}

/// What to read from one Parquet file.
pub struct Plan {
    meta: ArrowReaderMetadata,
    mask: ProjectionMask,
    pub rows: u64,
    /// Uncompressed bytes of the columns read.
    pub bytes: u64,
}

/// A Parquet file's footer, read once: the schema and row groups.
pub struct Footer {
    meta: ArrowReaderMetadata,
}

/// Reads the footer (encrypted footers are refused with a clear error).
pub fn footer(file: &mut File) -> Result<Footer, String> {
    if encrypted_footer(file) {
        return Err("encrypted Parquet file: unreadable without its keys".into());
    }
    let meta = ArrowReaderMetadata::load(file, ArrowReaderOptions::new())
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    Ok(Footer {
        meta: with_dictionaries(meta),
    })
}

impl Footer {
    /// Whether a column path has a part named `name` at any depth (how a
    /// vendor preset recognises a table).
    pub fn has_field(&self, name: &str) -> bool {
        let schema = self.meta.metadata().file_metadata().schema_descr();
        schema
            .columns()
            .iter()
            .any(|c| c.path().parts().iter().any(|p| p == name))
    }

    /// Chooses the columns to read (see [`plan`]).
    pub fn plan(
        self,
        engine: &Engine,
        preset: Option<&str>,
        subject: &[String],
        numbers: bool,
    ) -> Plan {
        plan(self.meta, engine, preset, subject, numbers)
    }
}

/// Chooses the columns that can hold findings: text leaves, numeric leaves
/// when asked or named by a field rule, whole maps around wanted leaves.
fn plan(
    meta: ArrowReaderMetadata,
    engine: &Engine,
    preset: Option<&str>,
    subject: &[String],
    numbers: bool,
) -> Plan {
    let schema = meta.metadata().file_metadata().schema_descr_ptr();
    let wanted: Vec<bool> = (0..schema.num_columns())
        .map(|i| {
            let c = schema.column(i);
            match c.physical_type() {
                Physical::BYTE_ARRAY => true,
                Physical::INT32 | Physical::INT64 | Physical::FLOAT | Physical::DOUBLE => {
                    numbers
                        || !engine.field_rules(c.name(), preset).is_empty()
                        || subject
                            .iter()
                            .any(|f| c.path().string().eq_ignore_ascii_case(f))
                }
                _ => false,
            }
        })
        .collect();
    // The reader cannot read part of a map: a wanted leaf inside a map
    // brings in every leaf of its root column.
    let map_roots: Vec<usize> = (0..schema.num_columns())
        .filter(|&i| wanted[i] && has_map(schema.get_column_root(i)))
        .map(|i| schema.get_column_root_idx(i))
        .collect();
    let leaves: Vec<usize> = (0..schema.num_columns())
        .filter(|&i| wanted[i] || map_roots.contains(&schema.get_column_root_idx(i)))
        .collect();
    let md = meta.metadata();
    let mut rows = 0u64;
    let mut bytes = 0u64;
    for rg in md.row_groups() {
        rows += rg.num_rows().max(0) as u64;
        for &l in &leaves {
            bytes += rg.column(l).uncompressed_size().max(0) as u64;
        }
    }
    Plan {
        mask: ProjectionMask::leaves(&schema, leaves),
        rows,
        bytes,
        meta,
    }
}

fn has_map(t: &parquet::schema::types::Type) -> bool {
    use parquet::basic::{ConvertedType, LogicalType};
    let info = t.get_basic_info();
    let is_map = matches!(info.logical_type_ref(), Some(LogicalType::Map))
        || matches!(
            info.converted_type(),
            ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE
        );
    is_map || (t.is_group() && t.get_fields().iter().any(|f| has_map(f)))
}

/// Encrypted files end in `PARE` instead of `PAR1`.
fn encrypted_footer(file: &mut File) -> bool {
    let mut tail = [0u8; 4];
    let ok = file.seek(SeekFrom::End(-4)).is_ok() && file.read_exact(&mut tail).is_ok();
    let _ = file.rewind();
    ok && &tail == b"PARE"
}

/// Asks the reader for string columns as dictionaries (distinct values
/// once) where every data page of the column is dictionary-encoded in every
/// row group; elsewhere the reader would have to build the dictionary, which
/// costs more than it saves. Keeps the plain schema if the file's types do
/// not allow it.
fn with_dictionaries(meta: ArrowReaderMetadata) -> ArrowReaderMetadata {
    let md = meta.metadata().clone();
    let schema = md.file_metadata().schema_descr();
    let dict_root = |root: usize| {
        (0..schema.num_columns())
            .filter(|&c| schema.get_column_root_idx(c) == root)
            .all(|c| {
                md.row_groups()
                    .iter()
                    .all(|rg| all_dictionary(rg.column(c)))
            })
    };
    let fields: Vec<Field> = meta
        .schema()
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| match dict_root(i) {
            true => dict_field(f),
            false => f.as_ref().clone(),
        })
        .collect();
    let options = ArrowReaderOptions::new().with_schema(Arc::new(Schema::new_with_metadata(
        fields,
        meta.schema().metadata().clone(),
    )));
    ArrowReaderMetadata::try_new(meta.metadata().clone(), options).unwrap_or(meta)
}

/// Whether every data page of a column chunk is dictionary-encoded.
fn all_dictionary(c: &parquet::file::metadata::ColumnChunkMetaData) -> bool {
    use parquet::basic::{Encoding, PageType};
    let dict = |e: Encoding| matches!(e, Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY);
    if c.dictionary_page_offset().is_none() {
        return false;
    }
    if let Some(mask) = c.page_encoding_stats_mask() {
        return mask.encodings().all(dict);
    }
    c.page_encoding_stats().is_some_and(|stats| {
        stats
            .iter()
            .filter(|s| s.page_type != PageType::DICTIONARY_PAGE)
            .all(|s| dict(s.encoding))
    })
}

fn dict_field(f: &Field) -> Field {
    let dt = match f.data_type() {
        t @ (DataType::Utf8 | DataType::LargeUtf8 | DataType::Binary | DataType::LargeBinary) => {
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(t.clone()))
        }
        DataType::Struct(fs) => {
            DataType::Struct(fs.iter().map(|c| dict_field(c)).collect::<Fields>())
        }
        DataType::List(c) => DataType::List(Arc::new(dict_field(c))),
        DataType::LargeList(c) => DataType::LargeList(Arc::new(dict_field(c))),
        other => other.clone(),
    };
    f.clone().with_data_type(dt)
}
/// The batches of the planned columns, in file order, each with the
/// 0-based row of its first row. Decoding happens as the iterator is pulled
/// (by the reading thread); batches are then scanned in parallel.
pub fn batches(
    file: File,
    plan: &Plan,
    batch_rows: usize,
) -> Result<impl Iterator<Item = Result<(u64, RecordBatch), String>> + Send, String> {
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, plan.meta.clone())
        .with_projection(plan.mask.clone())
        .with_batch_size(batch_rows)
        .build()
        .map_err(|e| format!("cannot read row groups: {e}"))?;
    let mut row = 0u64;
    Ok(reader.map(move |batch| {
        let batch = batch.map_err(|e| format!("near row {}: {e}", row + 1))?;
        let first = row;
        row += batch.num_rows() as u64;
        Ok((first, batch))
    }))
}

/// What scanning a batch needs besides the batch.
pub struct ScanCtx<'a> {
    pub engine: &'a Engine,
    pub preset: Option<&'a str>,
    /// Scan every numeric column (`--scan-numbers`).
    pub numbers: bool,
    /// Columns naming a row's user, by preference (the preset's `subject`).
    pub subject: &'a [String],
    pub scratch: std::cell::RefCell<BufScratch>,
    /// The cell buffer (taken from a pool: no regrowth per batch).
    pub cells: std::cell::RefCell<CellBatch>,
}

/// A leaf array of a batch: its path, the row of each element, and for map
/// values the keys that name them.
struct Leaf {
    path: String,
    array: ArrayRef,
    rows: Option<Arc<Vec<u32>>>,
    keys: Option<ArrayRef>,
}

/// Scans one batch whose first row is `first_row` (0-based); matches go to
/// `emit` in row order.
pub fn scan_batch(batch: &RecordBatch, first_row: u64, ctx: &ScanCtx, emit: &mut Emit) {
    let mut leaves = Vec::new();
    for (f, col) in batch.schema().fields().iter().zip(batch.columns()) {
        flatten(col, f.name().clone(), None, &mut leaves);
    }
    let mut cols = ColumnSet::default();
    let mut plain = ctx.cells.take();
    plain.data.clear();
    plain.cells.clear();
    let mut number = Vec::new();
    let mut hits = Vec::new();
    for leaf in &leaves {
        if let Some(dict) = leaf.array.as_any_dictionary_opt() {
            // A dictionary with more values than the batch has rows is
            // cheaper to scan through the rows.
            if dict.values().len() <= dict.keys().len() {
                scan_dictionary(leaf, dict, ctx, &mut hits);
                continue;
            }
        }
        // Values through their keys, resolved once for the batch.
        let dict = leaf
            .array
            .as_any_dictionary_opt()
            .map(|d| (d.normalized_keys(), d.values()));
        let values_type = dict
            .as_ref()
            .map_or(leaf.array.data_type(), |d| d.1.data_type());
        if !text_type(values_type)
            && !ctx.numbers
            && ctx.engine.field_rules(&leaf.path, ctx.preset).is_empty()
        {
            continue; // a number read along with its map or asked for by name
        }
        let fixed = leaf.keys.is_none().then(|| cols.id(&leaf.path, ctx));
        for i in 0..leaf.array.len() {
            let Some(row) = row_of(leaf, i) else { continue };
            let value = match &dict {
                Some(_) if leaf.array.is_null(i) => None,
                Some((keys, values)) => cell_bytes(values, keys[i], &mut number),
                None => cell_bytes(&leaf.array, i, &mut number),
            };
            let Some(value) = value else { continue };
            let column = match fixed {
                Some(c) => c,
                None => cols.id(&element_path(leaf, i), ctx),
            };
            plain.push(value, row, column);
        }
    }
    let columns = cols.columns();
    let mut found = Vec::new();
    scan_cells(
        ctx.engine,
        &plain,
        &columns,
        ctx.preset,
        &mut ctx.scratch.borrow_mut(),
        &mut found,
    );
    let names: Vec<Arc<str>> = columns.names.iter().map(|n| n.as_str().into()).collect();
    hits.reserve(found.len());
    for cm in found {
        let c = plain.cells[cm.cell];
        hits.push(Pending {
            row: c.record,
            field: names[c.column as usize].clone(),
            m: cm.m,
            value: plain.data[c.start..c.end].to_vec(),
        });
    }
    ctx.cells.replace(plain);
    emit_in_row_order(hits, &leaves, first_row, ctx, emit);
}

/// Emits a batch's matches by row (then column, then offset), each with the
/// value of its row's subject column.
fn emit_in_row_order(
    mut hits: Vec<Pending>,
    leaves: &[Leaf],
    first_row: u64,
    ctx: &ScanCtx,
    emit: &mut Emit,
) {
    hits.sort_by(|a, b| (a.row, &a.field, a.m.start).cmp(&(b.row, &b.field, b.m.start)));
    let subject = subject_leaf(leaves, ctx.subject).map(Subject::new);
    let mut user = Vec::new();
    for h in &hits {
        let has_user = subject
            .as_ref()
            .is_some_and(|s| s.value(h.row as usize, &mut user));
        emit(Hit {
            record: first_row + h.row + 1,
            field: &h.field,
            m: &h.m,
            value: &h.value,
            subject: has_user.then_some(user.as_slice()),
            batch_hits: hits.len(),
        });
    }
}

/// A subject column, with a dictionary's keys resolved once.
enum Subject<'a> {
    Plain(&'a ArrayRef),
    Dict(&'a ArrayRef, Vec<usize>, &'a ArrayRef),
}

impl<'a> Subject<'a> {
    fn new(a: &'a ArrayRef) -> Self {
        match a.as_any_dictionary_opt() {
            Some(d) => Subject::Dict(a, d.normalized_keys(), d.values()),
            None => Subject::Plain(a),
        }
    }

    /// Row `i`'s value as text into `out`; false when null.
    fn value(&self, i: usize, out: &mut Vec<u8>) -> bool {
        match self {
            Subject::Plain(a) => cell_value(a, i, out),
            Subject::Dict(a, keys, values) => a.is_valid(i) && cell_value(values, keys[i], out),
        }
    }
}

/// The first top-level, one-per-row column named by `fields`.
fn subject_leaf<'a>(leaves: &'a [Leaf], fields: &[String]) -> Option<&'a ArrayRef> {
    fields.iter().find_map(|f| {
        leaves
            .iter()
            .find(|l| l.rows.is_none() && l.keys.is_none() && l.path.eq_ignore_ascii_case(f))
            .map(|l| &l.array)
    })
}

/// A dictionary column: each distinct value scanned once, hits reported at
/// every row whose key points at it.
fn scan_dictionary(
    leaf: &Leaf,
    dict: &dyn arrow_array::AnyDictionaryArray,
    ctx: &ScanCtx,
    hits: &mut Vec<Pending>,
) {
    let values = dict.values();
    let columns = Columns::new(ctx.engine, vec![leaf.path.clone()], ctx.preset);
    let mut cells = CellBatch::default();
    let mut value = Vec::new();
    for v in 0..values.len() {
        if cell_value(values, v, &mut value) {
            cells.push(&value, v as u64, 0);
        }
    }
    let mut found: Vec<CellMatch> = Vec::new();
    scan_cells(
        ctx.engine,
        &cells,
        &columns,
        ctx.preset,
        &mut ctx.scratch.borrow_mut(),
        &mut found,
    );
    if found.is_empty() {
        return;
    }
    found.sort_by_key(|cm| (cm.cell, cm.m.start, cm.m.rule));
    let mut by_value: HashMap<usize, Vec<&CellMatch>> = HashMap::new();
    for cm in &found {
        by_value
            .entry(cells.cells[cm.cell].record as usize)
            .or_default()
            .push(cm);
    }
    let field: Arc<str> = leaf.path.as_str().into();
    let keys = dict.normalized_keys();
    for (i, &k) in keys.iter().enumerate() {
        let (Some(found_here), true) = (by_value.get(&k), dict.is_valid(i)) else {
            continue;
        };
        let Some(row) = row_of(leaf, i) else { continue };
        for cm in found_here {
            let c = cells.cells[cm.cell];
            hits.push(Pending {
                row,
                field: field.clone(),
                m: cm.m.clone(),
                value: cells.data[c.start..c.end].to_vec(),
            });
        }
    }
}

/// Splits nested arrays into leaves, carrying each element's row.
fn flatten(arr: &ArrayRef, path: String, rows: Option<Arc<Vec<u32>>>, out: &mut Vec<Leaf>) {
    match arr.data_type() {
        DataType::Struct(fields) => {
            let s = arr.as_struct();
            for (f, child) in fields.iter().zip(s.columns()) {
                flatten(child, format!("{path}.{}", f.name()), rows.clone(), out);
            }
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let (offsets, values): (Vec<usize>, &ArrayRef) = match arr.as_list_opt::<i32>() {
                Some(l) => (
                    l.offsets().iter().map(|&o| o as usize).collect(),
                    l.values(),
                ),
                None => {
                    let l = arr.as_list::<i64>();
                    (
                        l.offsets().iter().map(|&o| o as usize).collect(),
                        l.values(),
                    )
                }
            };
            let child_rows = list_rows(&offsets, values.len(), rows.as_deref(), arr);
            flatten(values, format!("{path}[]"), Some(child_rows), out);
        }
        DataType::Map(_, _) => {
            let m = arr.as_map();
            let offsets: Vec<usize> = m.offsets().iter().map(|&o| o as usize).collect();
            let child_rows = list_rows(&offsets, m.keys().len(), rows.as_deref(), arr);
            out.push(Leaf {
                path: format!("{path}{{}}"),
                array: m.keys().clone(),
                rows: Some(child_rows.clone()),
                keys: None,
            });
            flatten_map_values(m.values(), &path, child_rows, m.keys(), out);
        }
        _ => out.push(Leaf {
            path,
            array: arr.clone(),
            rows,
            keys: None,
        }),
    }
}

fn flatten_map_values(
    values: &ArrayRef,
    path: &str,
    rows: Arc<Vec<u32>>,
    keys: &ArrayRef,
    out: &mut Vec<Leaf>,
) {
    if values.as_any_dictionary_opt().is_some()
        || matches!(
            values.data_type(),
            DataType::Struct(_) | DataType::List(_) | DataType::LargeList(_) | DataType::Map(_, _)
        )
    {
        flatten(values, format!("{path}.value"), Some(rows), out);
        return;
    }
    out.push(Leaf {
        path: path.to_string(),
        array: values.clone(),
        rows: Some(rows),
        keys: Some(keys.clone()),
    });
}

/// The row of each child element of a list-like array (`u32::MAX`: none).
fn list_rows(
    offsets: &[usize],
    n_children: usize,
    parent_rows: Option<&Vec<u32>>,
    parent: &ArrayRef,
) -> Arc<Vec<u32>> {
    let mut rows = vec![u32::MAX; n_children];
    for (p, w) in offsets.windows(2).enumerate() {
        if parent.is_null(p) {
            continue;
        }
        let row = parent_rows.map_or(p as u32, |r| r[p]);
        for slot in rows.iter_mut().take(w[1].min(n_children)).skip(w[0]) {
            *slot = row;
        }
    }
    Arc::new(rows)
}

fn row_of(leaf: &Leaf, i: usize) -> Option<u64> {
    match &leaf.rows {
        None => Some(i as u64),
        Some(r) => r.get(i).filter(|&&x| x != u32::MAX).map(|&x| u64::from(x)),
    }
}

/// The path of element `i`: a map value is named by its key.
fn element_path(leaf: &Leaf, i: usize) -> String {
    let mut key = Vec::new();
    match &leaf.keys {
        Some(keys) if cell_value(keys, i, &mut key) && key.len() <= 64 => {
            format!("{}.{}", leaf.path, String::from_utf8_lossy(&key))
        }
        Some(_) => format!("{}.value", leaf.path),
        None => leaf.path.clone(),
    }
}

fn text_type(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
    )
}

/// Writes element `i` of a string, binary or numeric array into `out`
/// (numeric columns are only read when asked for); false for nulls and
/// other types.
fn cell_value(a: &ArrayRef, i: usize, out: &mut Vec<u8>) -> bool {
    let mut buf = Vec::new();
    out.clear();
    match cell_bytes(a, i, &mut buf) {
        Some(v) => {
            out.extend_from_slice(v);
            true
        }
        None => false,
    }
}

/// Element `i` as bytes: borrowed for text and binary, formatted into `buf`
/// for numbers; `None` when null or of another type.
fn cell_bytes<'a>(a: &'a ArrayRef, i: usize, buf: &'a mut Vec<u8>) -> Option<&'a [u8]> {
    if a.is_null(i) {
        return None;
    }
    Some(match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().value(i).as_bytes(),
        DataType::LargeUtf8 => a.as_string::<i64>().value(i).as_bytes(),
        DataType::Utf8View => a.as_string_view().value(i).as_bytes(),
        DataType::Binary => a.as_binary::<i32>().value(i),
        DataType::LargeBinary => a.as_binary::<i64>().value(i),
        DataType::BinaryView => a.as_binary_view().value(i),
        _ => {
            buf.clear();
            if !number(a, i, buf) {
                return None;
            }
            buf.as_slice()
        }
    })
}

fn number(a: &ArrayRef, i: usize, out: &mut Vec<u8>) -> bool {
    let s = match a.data_type() {
        DataType::Int32 => a.as_primitive::<Int32Type>().value(i).to_string(),
        DataType::Int64 => a.as_primitive::<Int64Type>().value(i).to_string(),
        DataType::UInt32 => a.as_primitive::<UInt32Type>().value(i).to_string(),
        DataType::UInt64 => a.as_primitive::<UInt64Type>().value(i).to_string(),
        DataType::Float32 => a.as_primitive::<Float32Type>().value(i).to_string(),
        DataType::Float64 => a.as_primitive::<Float64Type>().value(i).to_string(),
        _ => return false,
    };
    out.extend_from_slice(s.as_bytes());
    true
}

/// Column paths met in a batch, with their field rules.
#[derive(Default)]
struct ColumnSet {
    names: Vec<String>,
    rules: Vec<Vec<u32>>,
    index: HashMap<String, u32>,
}

impl ColumnSet {
    fn id(&mut self, name: &str, ctx: &ScanCtx) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.rules.push(ctx.engine.field_rules(name, ctx.preset));
        self.index.insert(name.to_string(), i);
        i
    }

    fn columns(&mut self) -> Columns {
        Columns {
            names: std::mem::take(&mut self.names),
            rules: std::mem::take(&mut self.rules),
        }
    }
}
