//! Criterion benchmarks of the scanning core on generated exports: the whole
//! path of one chunk (prefilter, triggers, windows, regexes, validators,
//! escape views) with the built-in rules, on clean data and on data with the
//! default density of planted values. Throughput is reported in bytes.
//!
//! `cargo bench --bench scan`. The end-to-end comparison with ripgrep is
//! `benches/compare.sh`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakscope::corpus::{Generator, Rates};
use leakscope::decode::{scan_buffer, BufScratch};
use leakscope::engine::Engine;

const SIZE: usize = 8 << 20;

fn data(rates: Option<Rates>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(SIZE + 4096);
    let mut g = match rates {
        Some(r) => Generator::with_rates(7, r),
        None => Generator::new(7),
    };
    g.ndjson("bench", &mut buf, SIZE, 1);
    buf
}

fn bench_scan(c: &mut Criterion) {
    let e = Engine::builtin().unwrap();
    let clean = data(Some(Rates {
        email: 0.0,
        ip: 0.0,
        secret: 0.0,
        pii: 0.0,
    }));
    let planted = data(None);
    let mut g = c.benchmark_group("scan_buffer");
    g.sample_size(10);
    for (name, buf) in [("clean_ndjson", &clean), ("planted_ndjson", &planted)] {
        g.throughput(Throughput::Bytes(buf.len() as u64));
        g.bench_function(name, |b| {
            let mut scratch = BufScratch::new(&e);
            let mut out = Vec::new();
            b.iter(|| {
                out.clear();
                scan_buffer(&e, buf, &mut scratch, &mut out);
                out.len()
            })
        });
    }
    g.finish();
}

fn bench_trigger(c: &mut Criterion) {
    use leakscope::engine::trigger::{digit_clusters, Gate, Shape};
    let planted = data(None);
    let gate = Gate::new([&Shape {
        min_digits: 2,
        ..Shape::default()
    }]);
    let mut g = c.benchmark_group("trigger");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(planted.len() as u64));
    g.bench_function("digit_clusters", |b| {
        b.iter(|| {
            let mut n = 0u32;
            digit_clusters(&planted, &gate, |c| n += c.digits);
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench_scan, bench_trigger);
criterion_main!(benches);
