#!/usr/bin/env python3
"""Parquet scanning throughput: leakscope against DuckDB and pyarrow+regex
doing the same search (the 13 patterns of benches/rg-patterns.txt, combined
into one RE2 alternation) over every string column of the same file, in one
run. Reports rows/s and MB/s of uncompressed string data (the BYTE_ARRAY
column chunks' uncompressed sizes from the footer). Two files: a dense one
(about 1.4 findings per row: per-finding work weighs) and one with nothing
planted but the city column (0.6 findings per row).

    benches/parquet_compare.py [ROWS=4000000]

Needs: pip install duckdb pyarrow. The file is written by
`leakscope-corpus --parquet-rows ROWS` (row groups of 1 Mi rows).
"""
import json
import os
import subprocess
import sys
import time

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 4_000_000
WORK = os.environ.get("WORK", "/tmp/leakscope-bench")
FILE = None  # set per run by main()
BIN = os.path.join(ROOT, "target", "release", "leakscope")
PATTERNS = [l.strip() for l in open(os.path.join(ROOT, "benches", "rg-patterns.txt")) if l.strip()]
REGEX = "|".join(f"(?:{p})" for p in PATTERNS)


def prepare(clean):
    name = f"parquet-{'clean-' if clean else ''}{ROWS}"
    path = os.path.join(WORK, name, "events.parquet")
    if not os.path.exists(path):
        corpus = os.path.join(ROOT, "target", "release", "leakscope-corpus")
        args = [corpus, "--out", os.path.dirname(path), "--parquet-rows", str(ROWS)]
        subprocess.run(args + (["--clean"] if clean else []), check=True)
    return path


def string_bytes():
    md = pq.ParquetFile(FILE).metadata
    total = 0
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        for c in range(rg.num_columns):
            col = rg.column(c)
            if col.physical_type == "BYTE_ARRAY":
                total += col.total_uncompressed_size
    return md.num_rows, total


def best_of(n, fn):
    best, result = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def leakscope(threads, report=False):
    """Scans like a scheduled job; `report` also writes findings.jsonl and
    returns the number of findings."""
    env = dict(os.environ, LEAKSCOPE_KEY="bench-key-0123456789")
    out = os.path.join(WORK, "parquet-report")
    args = [BIN, "scan", FILE, "-j", str(threads), "-q", "--preset", "none"]
    args += ["--out", out] if report else ["--format", "none"]
    r = subprocess.run(args, env=env, capture_output=True)
    if r.returncode not in (0, 1):
        raise SystemExit(r.stderr.decode())
    if report:
        with open(os.path.join(out, "summary.json")) as f:
            return json.load(f)["findings"]
    return None


def string_paths(schema, prefix=""):
    """(SQL expression, is_list) for every string leaf, nested ones too."""
    out = []
    for f in schema:
        name = f'{prefix}"{f.name}"'
        t = f.type
        if pa.types.is_struct(t):
            out += string_paths(list(t), name + ".")
        elif pa.types.is_list(t) and pa.types.is_string(t.value_type):
            out.append((name, True))
        elif pa.types.is_string(t) or pa.types.is_dictionary(t):
            out.append((name, False))
    return out


def duckdb_count(threads):
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    cols = string_paths(pq.read_schema(FILE))
    terms = []
    for expr, is_list in cols:
        if is_list:
            expr = f"array_to_string({expr}, chr(10))"
        terms.append(f"coalesce(sum(len(regexp_extract_all({expr}, $re))), 0)")
    sql = f"SELECT {' + '.join(terms)} FROM read_parquet('{FILE}')"
    return con.execute(sql, {"re": REGEX}).fetchone()[0]


def leaves(arr):
    if pa.types.is_struct(arr.type):
        for i in range(arr.type.num_fields):
            yield from leaves(arr.field(i))
    elif pa.types.is_list(arr.type):
        yield from leaves(arr.flatten())
    elif pa.types.is_dictionary(arr.type):
        yield arr.dictionary_decode()
    elif pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        yield arr


def pyarrow_count(threads):
    pa.set_cpu_count(threads)
    pa.set_io_thread_count(threads)
    f = pq.ParquetFile(FILE)
    n = 0
    for g in range(f.num_row_groups):
        t = f.read_row_group(g, use_threads=threads > 1)
        for col in t.columns:
            for chunk in col.chunks:
                for leaf in leaves(chunk):
                    n += pc.sum(pc.count_substring_regex(leaf, REGEX)).as_py() or 0
    return n


def main():
    global FILE
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bins"], cwd=ROOT, check=True)
    for clean in (False, True):
        FILE = prepare(clean)
        compare()


def compare():
    rows, size = string_bytes()
    print(f"file: {FILE}: {rows} rows, {size / 1e6:.0f} MB uncompressed strings, "
          f"{os.path.getsize(FILE) / 1e6:.0f} MB on disk, {os.cpu_count()} cores")
    print(f"{'tool':<36} {'secs':>7} {'Mrows/s':>8} {'MB/s':>7}  findings/matches")
    times = {}
    for label, fn in [
        ("leakscope -j1 (all rules)", lambda: leakscope(1)),
        ("leakscope -j2", lambda: leakscope(2)),
        ("leakscope -j2 + findings.jsonl", lambda: leakscope(2, report=True)),
        ("duckdb threads=1 (13 patterns)", lambda: duckdb_count(1)),
        ("duckdb threads=2", lambda: duckdb_count(2)),
        ("pyarrow+regex 1 thread", lambda: pyarrow_count(1)),
        ("pyarrow+regex 2 threads", lambda: pyarrow_count(2)),
    ]:
        secs, n = best_of(3, fn)
        times[label] = secs
        print(f"{label:<36} {secs:7.2f} {rows / secs / 1e6:8.2f} {size / secs / 1e6:7.0f}  {n if n is not None else '-'}")
    ls1 = times["leakscope -j1 (all rules)"]
    ls2 = times["leakscope -j2"]
    print(f"leakscope vs duckdb: {times['duckdb threads=1 (13 patterns)'] / ls1:.2f}x (1 thread), "
          f"{times['duckdb threads=2'] / ls2:.2f}x (2 threads)")
    print(f"leakscope vs pyarrow: {times['pyarrow+regex 1 thread'] / ls1:.2f}x (1 thread), "
          f"{times['pyarrow+regex 2 threads'] / ls2:.2f}x (2 threads)")


if __name__ == "__main__":
    main()
