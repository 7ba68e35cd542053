//! Writes a seeded, realistic vendor export with planted values and their
//! ground truth: `events.ndjson` (Mixpanel-style), `app.log`, `truth.jsonl`;
//! with `--structured` also `customers.csv`, `events.parquet`, `events.json`
//! (one-line array) and `export.zip` (gzipped NDJSON parts).
//!
//! `leakscope-corpus --out DIR [--seed N] [--mb N] [--gzip] [--clean] [--structured]`

use anyhow::{bail, Context, Result};
use leakscope::corpus::{Generator, Rates, Truth};
use std::io::Write;
use std::path::PathBuf;

struct Opts {
    out: PathBuf,
    seed: u64,
    mb: f64,
    gzip: bool,
    clean: bool,
    structured: bool,
    parquet_rows: Option<u64>,
}

fn parse() -> Result<Opts> {
    let mut o = Opts {
        out: PathBuf::from("corpus"),
        seed: 42,
        mb: 10.0,
        gzip: false,
        clean: false,
        structured: false,
        parquet_rows: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--out" => o.out = PathBuf::from(val()?),
            "--seed" => o.seed = val()?.parse().context("--seed takes a number")?,
            "--mb" => o.mb = val()?.parse().context("--mb takes a number")?,
            "--gzip" => o.gzip = true,
            "--clean" => o.clean = true,
            "--structured" => o.structured = true,
            "--parquet-rows" => {
                o.parquet_rows = Some(val()?.parse().context("--parquet-rows takes a number")?)
            }
            "-h" | "--help" => {
                println!("leakscope-corpus --out DIR [--seed N] [--mb N (NDJSON size)] [--gzip] [--clean (no planted values)] [--structured (also CSV, Parquet, JSON array, zip)] [--parquet-rows N (only events.parquet, N rows, for benchmarks)]");
                std::process::exit(0);
            }
            _ => bail!("unknown argument {a:?} (see --help)"),
        }
    }
    Ok(o)
}

fn write(path: &PathBuf, data: &[u8], gzip: bool) -> Result<()> {
    let f =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    if gzip {
        let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        e.write_all(data)?;
        e.finish()?;
    } else {
        let mut f = f;
        f.write_all(data)?;
    }
    Ok(())
}

/// Writes the structured exports, each about a tenth of `--mb`.
fn structured(g: &mut Generator, o: &Opts, names: &mut Vec<String>) -> Result<Vec<Truth>> {
    let rows = (o.mb * 1e6 / 10.0 / 200.0).max(10.0) as u64;
    let mut truth = Vec::new();
    let mut out = Vec::new();
    truth.extend(g.csv_table("customers.csv", &mut out, rows));
    std::fs::write(o.out.join("customers.csv"), &out)?;
    out.clear();
    truth.extend(g.parquet_events("events.parquet", &mut out, rows * 2)?);
    std::fs::write(o.out.join("events.parquet"), &out)?;
    out.clear();
    truth.extend(g.json_array("events.json", &mut out, rows / 4 + 1));
    std::fs::write(o.out.join("events.json"), &out)?;
    out.clear();
    let part = (o.mb * 1e6 / 10.0 / 3.0) as usize;
    truth.extend(g.zip_ndjson("export.zip", &mut out, 3, part)?);
    std::fs::write(o.out.join("export.zip"), &out)?;
    for n in [
        "customers.csv",
        "events.parquet",
        "events.json",
        "export.zip",
    ] {
        names.push(n.to_string());
    }
    Ok(truth)
}

/// Only a Parquet events table of `rows` rows (1 Mi rows per row group),
/// streamed with its truth.
fn parquet_only(g: &mut Generator, o: &Opts, rows: u64) -> Result<()> {
    let out = std::io::BufWriter::new(std::fs::File::create(o.out.join("events.parquet"))?);
    let mut t = std::io::BufWriter::new(std::fs::File::create(o.out.join("truth.jsonl"))?);
    let mut err = Ok(());
    g.parquet_table("events.parquet", out, rows, 1 << 20, &mut |row| {
        if err.is_ok() {
            err = serde_json::to_writer(&mut t, &row)
                .map_err(anyhow::Error::from)
                .and_then(|_| Ok(t.write_all(b"\n")?));
        }
    })?;
    err?;
    t.flush()?;
    eprintln!("wrote events.parquet ({rows} rows) to {}", o.out.display());
    Ok(())
}

fn main() -> Result<()> {
    let o = parse()?;
    std::fs::create_dir_all(&o.out)?;
    let mut g = if o.clean {
        Generator::with_rates(
            o.seed,
            Rates {
                email: 0.0,
                ip: 0.0,
                secret: 0.0,
                pii: 0.0,
            },
        )
    } else {
        Generator::new(o.seed)
    };
    if let Some(rows) = o.parquet_rows {
        return parquet_only(&mut g, &o, rows);
    }
    let ext = if o.gzip { ".gz" } else { "" };

    let events_name = format!("events.ndjson{ext}");
    let log_name = format!("app.log{ext}");
    let mut events = Vec::new();
    let mut truth: Vec<Truth> = g.ndjson(&events_name, &mut events, (o.mb * 1e6) as usize, 1);
    let mut log = Vec::new();
    truth.extend(g.log(&log_name, &mut log, (o.mb * 1e6 / 10.0) as usize, 1));
    write(&o.out.join(&events_name), &events, o.gzip)?;
    write(&o.out.join(&log_name), &log, o.gzip)?;
    let mut names = vec![events_name, log_name];
    if o.structured {
        truth.extend(structured(&mut g, &o, &mut names)?);
    }
    let mut t = std::io::BufWriter::new(std::fs::File::create(o.out.join("truth.jsonl"))?);
    for row in &truth {
        serde_json::to_writer(&mut t, row)?;
        t.write_all(b"\n")?;
    }
    t.flush()?;
    eprintln!(
        "wrote {} ({} planted values) to {}",
        names.join(", "),
        truth.len(),
        o.out.display()
    );
    Ok(())
}
