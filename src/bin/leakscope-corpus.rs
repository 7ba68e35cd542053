//! Writes a seeded, realistic vendor export with planted values and their
//! ground truth: `events.ndjson` (Mixpanel-style), `app.log`, `truth.jsonl`.
//!
//! `leakscope-corpus --out DIR [--seed N] [--mb N] [--gzip] [--clean]`

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
}

fn parse() -> Result<Opts> {
    let mut o = Opts {
        out: PathBuf::from("corpus"),
        seed: 42,
        mb: 10.0,
        gzip: false,
        clean: false,
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
            "-h" | "--help" => {
                println!("leakscope-corpus --out DIR [--seed N] [--mb N (NDJSON size)] [--gzip] [--clean (no planted values)]");
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
    let ext = if o.gzip { ".gz" } else { "" };
    let events_name = format!("events.ndjson{ext}");
    let log_name = format!("app.log{ext}");
    let mut events = Vec::new();
    let mut truth: Vec<Truth> = g.ndjson(&events_name, &mut events, (o.mb * 1e6) as usize, 1);
    let mut log = Vec::new();
    truth.extend(g.log(&log_name, &mut log, (o.mb * 1e6 / 10.0) as usize, 1));
    write(&o.out.join(&events_name), &events, o.gzip)?;
    write(&o.out.join(&log_name), &log, o.gzip)?;
    let mut t = std::io::BufWriter::new(std::fs::File::create(o.out.join("truth.jsonl"))?);
    for row in &truth {
        serde_json::to_writer(&mut t, row)?;
        t.write_all(b"\n")?;
    }
    t.flush()?;
    eprintln!(
        "wrote {} ({} planted values) to {}",
        [events_name, log_name].join(", "),
        truth.len(),
        o.out.display()
    );
    Ok(())
}
