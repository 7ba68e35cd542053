//! Parquet files rewritten with their values redacted.
//!
//! The file is read row group by row group (in bounded batches) and written
//! with the same Parquet schema, the same row group boundaries, each column's
//! compression codec, writer version and key/value metadata (redacted where
//! it holds values). Every text leaf (nested in structs, lists and maps too,
//! dictionary values included) is scanned like table cells and rewritten;
//! `drop` nulls a value where the column is nullable, else masks it.
//!
//! Nothing of an original value survives elsewhere: column statistics, page
//! indexes and dictionary pages are all built by the writer from the redacted
//! values, and bloom filters (kept only for columns that had one) too.

use super::edit::{apply, merge, Edit};
use super::{Mode, Replacer};
use crate::decode::table::{scan_cells, CellBatch, CellMatch, Columns};
use crate::decode::BufScratch;
use crate::engine::Engine;
use arrow_array::builder::{GenericByteBuilder, GenericStringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    ByteArrayType, Float32Type, Float64Type, GenericBinaryType, Int32Type, Int64Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, DictionaryArray, GenericByteArray, GenericListArray,
    MapArray, OffsetSizeTrait, PrimitiveArray, RecordBatch, StructArray,
};
use arrow_schema::{DataType, Field, FieldRef, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;
use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;

/// Rows decoded at a time within a row group.
const BATCH_ROWS: usize = 65_536;

/// What a rewrite needs: the engine and preset to find values, the
/// replacer to replace them.
pub struct Ctx<'a> {
    pub engine: &'a Engine,
    pub preset: Option<&'a str>,
    pub replacer: &'a Replacer,
    /// Numeric columns are scanned too (`--scan-numbers`); else only those
    /// a field rule names (`location_lat`).
    pub numbers: bool,
}

/// Writes `src` redacted to `dest`; returns the number of values replaced.
pub fn rewrite(src: File, dest: File, ctx: &Ctx) -> Result<u64, String> {
    let meta = ArrowReaderMetadata::load(&src, ArrowReaderOptions::new())
        .map_err(|e| format!("not a readable Parquet file: {e}"))?;
    let mut replaced = 0u64;
    let mut scratch = BufScratch::new(ctx.engine);
    let schema = redact_schema(meta.schema(), ctx, &mut scratch, &mut replaced);
    let props = properties(&meta, ctx, &mut scratch, &mut replaced);
    let options = ArrowWriterOptions::new()
        .with_properties(props)
        .with_parquet_schema(meta.metadata().file_metadata().schema_descr().clone());
    let werr = |e: parquet::errors::ParquetError| format!("writing the redacted copy: {e}");
    let mut w = ArrowWriter::try_new_with_options(dest, schema.clone(), options).map_err(werr)?;
    for rg in 0..meta.metadata().num_row_groups() {
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            src.try_clone().map_err(|e| e.to_string())?,
            meta.clone(),
        )
        .with_row_groups(vec![rg])
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| format!("reading row group {rg}: {e}"))?;
        for batch in reader {
            let batch = batch.map_err(|e| format!("reading row group {rg}: {e}"))?;
            let columns = batch
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(a, f)| redact_array(a, f, f.name(), ctx, &mut scratch, &mut replaced))
                .collect();
            let out = RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| format!("rebuilding row group {rg}: {e}"))?;
            w.write(&out).map_err(werr)?;
        }
        w.flush().map_err(werr)?;
    }
    w.close().map_err(werr)?;
    Ok(replaced)
}

/// Writer settings copied from the file: per-column codecs, bloom filters
/// where there were some, writer version, and redacted key/value metadata.
fn properties(
    meta: &ArrowReaderMetadata,
    ctx: &Ctx,
    scratch: &mut BufScratch,
    replaced: &mut u64,
) -> WriterProperties {
    let md = meta.metadata();
    let fm = md.file_metadata();
    let mut b = WriterProperties::builder()
        .set_max_row_group_row_count(None)
        .set_writer_version(if fm.version() >= 2 {
            WriterVersion::PARQUET_2_0
        } else {
            WriterVersion::PARQUET_1_0
        });
    if let Some(rg) = md.row_groups().first() {
        for c in rg.columns() {
            let path = ColumnPath::new(c.column_path().parts().to_vec());
            b = b.set_column_compression(path.clone(), c.compression());
            if c.bloom_filter_offset().is_some() {
                b = b.set_column_bloom_filter_enabled(path, true);
            }
        }
    }
    let kv: Vec<KeyValue> = fm
        .key_value_metadata()
        .into_iter()
        .flatten()
        .filter(|kv| kv.key != "ARROW:schema")
        .map(|kv| KeyValue {
            key: kv.key.clone(),
            value: kv
                .value
                .as_ref()
                .map(|v| redact_text(v, ctx, scratch, replaced)),
        })
        .collect();
    b.set_key_value_metadata((!kv.is_empty()).then_some(kv))
        .build()
}

/// The Arrow schema with its metadata values redacted.
fn redact_schema(
    schema: &Arc<Schema>,
    ctx: &Ctx,
    scratch: &mut BufScratch,
    replaced: &mut u64,
) -> Arc<Schema> {
    let md: HashMap<String, String> = schema
        .metadata()
        .iter()
        .map(|(k, v)| (k.clone(), redact_text(v, ctx, scratch, replaced)))
        .collect();
    Arc::new(schema.as_ref().clone().with_metadata(md))
}

/// Scans the values of column `path`, each with its index, as table cells
/// (value rules, and the field rules the column name selects); the cells'
/// `record` is the index, matches come sorted by cell and start.
fn scan_column<V: AsRef<[u8]>>(
    values: impl Iterator<Item = (usize, V)>,
    path: &str,
    ctx: &Ctx,
    s: &mut BufScratch,
) -> (CellBatch, Vec<CellMatch>) {
    let mut batch = CellBatch::default();
    for (i, v) in values {
        batch.push(v.as_ref(), i as u64, 0);
    }
    let cols = Columns::new(ctx.engine, vec![path.to_string()], ctx.preset);
    let mut found = Vec::new();
    scan_cells(ctx.engine, &batch, &cols, ctx.preset, s, &mut found);
    found.sort_by_key(|cm| (cm.cell, cm.m.start));
    (batch, found)
}

/// Free text (metadata) with every value found masked.
fn redact_text(v: &str, ctx: &Ctx, scratch: &mut BufScratch, replaced: &mut u64) -> String {
    let (_, found) = scan_column(std::iter::once((0, v)), "", ctx, scratch);
    if found.is_empty() {
        return v.to_string();
    }
    let edits: Vec<Edit> = found
        .iter()
        .map(|cm| {
            Edit::new(
                cm.m.start,
                cm.m.end,
                ctx.replacer.label(cm.m.rule).as_bytes().to_vec(),
            )
        })
        .collect();
    *replaced += edits.len() as u64;
    String::from_utf8_lossy(&apply_merged(v.as_bytes(), edits)).into_owned()
}

fn apply_merged(v: &[u8], mut edits: Vec<Edit>) -> Vec<u8> {
    merge(&mut edits);
    apply(v, &edits)
}

/// `array` (column `path`) with its text values redacted, recursively.
fn redact_array(
    array: &ArrayRef,
    field: &Field,
    path: &str,
    ctx: &Ctx,
    s: &mut BufScratch,
    n: &mut u64,
) -> ArrayRef {
    let nullable = field.is_nullable();
    match array.data_type() {
        DataType::Utf8 => strings(array.as_string::<i32>(), path, nullable, ctx, s, n),
        DataType::LargeUtf8 => strings(array.as_string::<i64>(), path, nullable, ctx, s, n),
        DataType::Binary => strings(array.as_binary::<i32>(), path, nullable, ctx, s, n),
        DataType::LargeBinary => strings(array.as_binary::<i64>(), path, nullable, ctx, s, n),
        DataType::Struct(fields) => {
            let a = array.as_struct();
            let children = a
                .columns()
                .iter()
                .zip(fields)
                .map(|(c, f)| redact_array(c, f, &format!("{path}.{}", f.name()), ctx, s, n))
                .collect();
            Arc::new(StructArray::new(
                fields.clone(),
                children,
                a.nulls().cloned(),
            ))
        }
        DataType::List(f) => list::<i32>(array, f, path, ctx, s, n),
        DataType::LargeList(f) => list::<i64>(array, f, path, ctx, s, n),
        DataType::Map(f, ordered) => {
            let a = array.as_map();
            let entries: ArrayRef = Arc::new(a.entries().clone());
            let entries = redact_array(&entries, f, path, ctx, s, n);
            Arc::new(MapArray::new(
                f.clone(),
                a.offsets().clone(),
                entries.as_struct().clone(),
                a.nulls().cloned(),
                *ordered,
            ))
        }
        DataType::Dictionary(k, _) => dictionary(array, k, path, ctx, s, n),
        DataType::Int32 => numbers::<Int32Type>(array, path, nullable, ctx, s, n),
        DataType::Int64 => numbers::<Int64Type>(array, path, nullable, ctx, s, n),
        DataType::UInt32 => numbers::<UInt32Type>(array, path, nullable, ctx, s, n),
        DataType::UInt64 => numbers::<UInt64Type>(array, path, nullable, ctx, s, n),
        DataType::Float32 => numbers::<Float32Type>(array, path, nullable, ctx, s, n),
        DataType::Float64 => numbers::<Float64Type>(array, path, nullable, ctx, s, n),
        _ => array.clone(),
    }
}

/// A list column: its values redacted, offsets and nulls kept.
fn list<O: OffsetSizeTrait>(
    array: &ArrayRef,
    f: &FieldRef,
    path: &str,
    ctx: &Ctx,
    s: &mut BufScratch,
    n: &mut u64,
) -> ArrayRef {
    let a = array.as_list::<O>();
    let values = redact_array(a.values(), f, path, ctx, s, n);
    Arc::new(GenericListArray::<O>::new(
        f.clone(),
        a.offsets().clone(),
        values,
        a.nulls().cloned(),
    ))
}

/// A dictionary column: its values redacted once, the keys kept.
fn dictionary(
    array: &ArrayRef,
    key: &DataType,
    path: &str,
    ctx: &Ctx,
    s: &mut BufScratch,
    n: &mut u64,
) -> ArrayRef {
    use arrow_array::types::*;
    macro_rules! redo {
        ($t:ty) => {{
            let d: &DictionaryArray<$t> = array.as_dictionary::<$t>();
            // A dropped dictionary value cannot become null (keys point at
            // it); it is masked instead.
            let f = Field::new("values", d.values().data_type().clone(), false);
            let values = redact_array(d.values(), &f, path, ctx, s, n);
            Arc::new(d.with_values(values)) as ArrayRef
        }};
    }
    match key {
        DataType::Int8 => redo!(Int8Type),
        DataType::Int16 => redo!(Int16Type),
        DataType::Int32 => redo!(Int32Type),
        DataType::Int64 => redo!(Int64Type),
        DataType::UInt8 => redo!(UInt8Type),
        DataType::UInt16 => redo!(UInt16Type),
        DataType::UInt32 => redo!(UInt32Type),
        DataType::UInt64 => redo!(UInt64Type),
        _ => array.clone(),
    }
}

/// A numeric leaf, when numbers are scanned or a field rule names it: the
/// values scanned as text; a value holding a finding becomes null (zero
/// where the column is not nullable: a number cannot hold a mask).
fn numbers<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    path: &str,
    nullable: bool,
    ctx: &Ctx,
    s: &mut BufScratch,
    n: &mut u64,
) -> ArrayRef
where
    T::Native: std::fmt::Display,
{
    if !ctx.numbers && ctx.engine.field_rules(path, ctx.preset).is_empty() {
        return array.clone();
    }
    let a = array.as_primitive::<T>();
    let values = (0..a.len())
        .filter(|&i| a.is_valid(i))
        .map(|i| (i, a.value(i).to_string()));
    let (batch, found) = scan_column(values, path, ctx, s);
    if found.is_empty() {
        return array.clone();
    }
    let hit: std::collections::HashSet<usize> = found
        .iter()
        .map(|cm| batch.cells[cm.cell].record as usize)
        .collect();
    *n += hit.len() as u64;
    let out: PrimitiveArray<T> = (0..a.len())
        .map(|i| match (hit.contains(&i), a.is_valid(i)) {
            (true, _) if nullable => None,
            (true, _) => Some(T::Native::default()),
            (false, valid) => valid.then(|| a.value(i)),
        })
        .collect();
    Arc::new(out.with_data_type(a.data_type().clone()))
}

/// A byte-array leaf: values scanned as cells; the array rebuilt only when
/// something was found.
fn strings<T: ByteArrayType>(
    a: &GenericByteArray<T>,
    path: &str,
    nullable: bool,
    ctx: &Ctx,
    s: &mut BufScratch,
    n: &mut u64,
) -> ArrayRef
where
    T::Native: AsRef<[u8]>,
{
    let values = (0..a.len())
        .filter(|&i| a.is_valid(i))
        .map(|i| (i, a.value(i)));
    let (batch, found) = scan_column(values, path, ctx, s);
    if found.is_empty() {
        return Arc::new(a.clone());
    }
    let mut new_values: HashMap<usize, Option<Vec<u8>>> = HashMap::new();
    for group in found.chunk_by(|x, y| x.cell == y.cell) {
        let cell = batch.cells[group[0].cell];
        let value = &batch.data[cell.start..cell.end];
        *n += group.len() as u64;
        new_values.insert(
            cell.record as usize,
            cell_value(ctx.replacer, value, group, nullable),
        );
    }
    rebuild(a, &new_values)
}

/// The new value of one cell (None: null).
fn cell_value(
    rep: &Replacer,
    value: &[u8],
    group: &[CellMatch],
    nullable: bool,
) -> Option<Vec<u8>> {
    let mut edits = Vec::with_capacity(group.len());
    for cm in group {
        let m = &cm.m;
        let r = rep.replace(
            m.rule,
            m.decoded.as_deref().unwrap_or(&value[m.start..m.end]),
        );
        let text = match r.mode {
            Mode::Drop if nullable => return None,
            _ => r.text,
        };
        edits.push(Edit::new(m.start, m.end, text));
    }
    Some(apply_merged(value, edits))
}

/// A copy of `a` with the values at the indexes of `new` replaced.
fn rebuild<T: ByteArrayType>(
    a: &GenericByteArray<T>,
    new: &HashMap<usize, Option<Vec<u8>>>,
) -> ArrayRef
where
    T::Native: AsRef<[u8]>,
{
    let utf8 = matches!(a.data_type(), DataType::Utf8 | DataType::LargeUtf8);
    let get = |i: usize| -> Option<Vec<u8>> {
        match new.get(&i) {
            Some(v) => v.clone(),
            None => a.is_valid(i).then(|| a.value(i).as_ref().to_vec()),
        }
    };
    let large = matches!(a.data_type(), DataType::LargeUtf8 | DataType::LargeBinary);
    match (utf8, large) {
        (true, false) => build_string::<i32>(a.len(), get),
        (true, true) => build_string::<i64>(a.len(), get),
        (false, false) => build_binary::<i32>(a.len(), get),
        (false, true) => build_binary::<i64>(a.len(), get),
    }
}

fn build_string<O: OffsetSizeTrait>(
    len: usize,
    get: impl Fn(usize) -> Option<Vec<u8>>,
) -> ArrayRef {
    let mut b = GenericStringBuilder::<O>::with_capacity(len, 0);
    for i in 0..len {
        match get(i) {
            Some(v) => b.append_value(String::from_utf8_lossy(&v)),
            None => b.append_null(),
        }
    }
    Arc::new(b.finish())
}

fn build_binary<O: OffsetSizeTrait>(
    len: usize,
    get: impl Fn(usize) -> Option<Vec<u8>>,
) -> ArrayRef {
    let mut b = GenericByteBuilder::<GenericBinaryType<O>>::with_capacity(len, 0);
    for i in 0..len {
        match get(i) {
            Some(v) => b.append_value(v),
            None => b.append_null(),
        }
    }
    Arc::new(b.finish())
}
